/**
 * The Workers-API-compatible entry (issue 13 part 2): another Worker's code written for
 * Cloudflare's `fetch(url, { cf: { image } })` calls the `ThumbflareImages` entrypoint through
 * a service binding instead. Here the binding is workerd's own loopback binding to the
 * worker's named entrypoint (`exports.ThumbflareImages` from cloudflare:workers), so the call
 * crosses a real service-binding boundary. The entrypoint runs with wrangler.toml's vars (no
 * ORIGIN: paths are the bundled samples; ALLOWED_ORIGINS empty: every remote URL refused).
 * Its answers are compared with the URL form's for the same options.
 */
import { exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { decodePixels, meanColor, readError, readImage, type ImageResult } from '../support/images';
import { callWorker, ORIGIN } from '../support/worker';
import { optionsFromCfImage } from '../../src/url/cf-image-object';
import { parseRequestUrl } from '../../src/routes';
import { readConfig } from '../../src/config';

interface ImagesBinding {
  fetch(url: string, init?: { cf?: { image?: unknown }; headers?: Record<string, string> }): Promise<Response>;
  transform(url: string, init?: { cf?: { image?: unknown }; headers?: Record<string, string> }): Promise<Response>;
}
const IMAGES = (exports as unknown as { ThumbflareImages: ImagesBinding }).ThumbflareImages;

/** The URL form of the same request, served from the same bundled samples (no ORIGIN). */
const viaUrl = async (path: string) => readImage(await callWorker(path, { env: { ORIGIN: '' } }));

async function meanDiff(a: ImageResult, b: ImageResult): Promise<number> {
  const [pa, pb] = [await decodePixels(a), await decodePixels(b)];
  expect([pa.width, pa.height]).toEqual([pb.width, pb.height]);
  let sum = 0;
  for (let i = 0; i < pa.data.length; i++) if (i % 4 !== 3) sum += Math.abs(pa.data[i]! - pb.data[i]!);
  return sum / ((pa.data.length / 4) * 3);
}

describe('cf.image object -> the same options as the URL (one parameter table)', () => {
  const limits = { maxDimension: 8192 };
  const config = readConfig({ ORIGIN: 'https://origin.example' });
  const fromUrl = (q: string) => parseRequestUrl(new URL(`/a.jpg?${q}`, 'https://t.test'), config, false).options;
  const CASES: [Record<string, unknown>, string][] = [
    [{ width: 300, height: 200, fit: 'cover', gravity: { x: 0.5, y: 0.2 } }, 'width=300&height=200&fit=cover&gravity=0.5x0.2'],
    [{ width: 'auto', quality: 'low', format: 'webp', anim: false }, 'width=auto&quality=low&format=webp&anim=false'],
    [{ trim: { top: 10, right: 0, bottom: 5, left: 2 } }, 'trim=10;0;5;2'],
    [{ trim: { left: 10, top: 20, width: 100, height: 50 } }, 'trim.left=10&trim.top=20&trim.width=100&trim.height=50'],
    [{ trim: { border: { color: '#fff', tolerance: 5, keep: 2 } } }, 'trim=border&trim.color=%23fff&trim.tolerance=5&trim.keep=2'],
    [{ border: { color: '#FFFFFF', width: 10 } }, 'border=color=%23FFFFFF;width=10'],
    [{ border: { color: 'rgb(0,0,0)', top: 5, right: 10, bottom: 5, left: 10 } }, 'border=color=rgb(0,0,0);top=5;right=10;bottom=5;left=10'],
    [{ flip: 'h', rotate: 90, metadata: 'keep', dpr: 2, width: 100 }, 'flip=h&rotate=90&metadata=keep&dpr=2&width=100'],
    [{ draw: [{ url: '/logo.png', bottom: 5, right: 5, opacity: 0.5 }] }, `draw=${encodeURIComponent('[{"url":"/logo.png","bottom":5,"right":5,"opacity":0.5}]')}`],
  ];
  for (const [image, query] of CASES) {
    it(`${JSON.stringify(image)} = ?${query}`, () => expect(optionsFromCfImage(image, limits)).toEqual(fromUrl(query)));
  }
  it('a value the URL refuses is refused the same way (400 naming it), unknown keys too', () => {
    for (const [image, param] of [[{ width: 0 }, 'width'], [{ fit: 'fill' }, 'fit'], [{ segment: 'foreground' }, 'segment'], [{ draw: { url: '/a.png' } }, 'draw']] as const) {
      expect(() => optionsFromCfImage(image, limits)).toThrowError(expect.objectContaining({ status: 400, param }));
    }
  });
});

describe('ThumbflareImages through a service binding', () => {
  it('transform(url, { cf: { image } }) gives the URL form\'s image', async () => {
    const res = await IMAGES.transform('/samples/landscape.jpg', { cf: { image: { width: 200, fit: 'cover', height: 200, format: 'png' } } });
    const img = await readImage(res);
    expect([img.format, img.width, img.height]).toEqual(['png', 200, 200]);
    expect(await meanDiff(img, await viaUrl('/samples/landscape.jpg?width=200&fit=cover&height=200&format=png'))).toBe(0);
  });
  it('draws overlays given as Cloudflare draw objects, like the URL form', async () => {
    const draw = [{ url: '/samples/badge.png', width: 64, bottom: 10, right: 10, opacity: 0.7 }];
    const img = await readImage(await IMAGES.transform('/samples/landscape.jpg', { cf: { image: { width: 400, format: 'png', draw } } }));
    const plain = await viaUrl('/samples/landscape.jpg?width=400&format=png');
    const url = await viaUrl(`/samples/landscape.jpg?width=400&format=png&draw=${encodeURIComponent(JSON.stringify(draw))}`);
    expect(await meanDiff(img, url)).toBe(0);
    // The overlay is there, bottom-right: that corner changed, the top-left did not.
    const [a, b] = [await decodePixels(img), await decodePixels(plain)];
    const corner = (r: typeof a, x: number, y: number) => meanColor(r, x, y, 40, 40);
    const w = a.width, h = a.height;
    const moved = corner(a, w - 60, h - 60).slice(0, 3).reduce((n, v, i) => n + Math.abs(v - corner(b, w - 60, h - 60)[i]!), 0);
    expect(moved).toBeGreaterThan(10);
    expect(corner(a, 0, 0)).toEqual(corner(b, 0, 0));
  });
  it('an overlay URL outside ALLOWED_ORIGINS is a 403 through the binding too', async () => {
    const res = await IMAGES.transform('/samples/landscape.jpg', { cf: { image: { draw: [{ url: `${ORIGIN}/gen/halves.png` }] } } });
    expect(res.status).toBe(403);
    expect((await readError(res)).code).toBe('not_allowed');
  });
  it('fetch(url, { cf: { image } }): the source URL passes the same source policy (403 outside ALLOWED_ORIGINS)', async () => {
    const res = await IMAGES.fetch(`${ORIGIN}/gen/halves.png`, { cf: { image: { width: 50 } } });
    expect(res.status).toBe(403);
    expect((await readError(res)).code).toBe('not_allowed');
  });
  it('fetch without cf.image is an ordinary URL request (every dialect)', async () => {
    const img = await readImage(await IMAGES.fetch('https://thumbs.test/samples/landscape.jpg?w=120&format=png'));
    expect([img.format, img.width]).toEqual(['png', 120]);
  });
  it('bad options answer the documented 400 with a JSON error naming them', async () => {
    const res = await IMAGES.transform('/samples/landscape.jpg', { cf: { image: { width: 'wide' } } });
    expect(res.status).toBe(400);
    expect((await readError(res)).param).toBe('width');
  });
});
