/**
 * Animated GIF/WebP through the Worker, frame by frame (src/animation.ts), in every
 * URL form. Outputs are read back by libvips (the origin server's POST /__anim,
 * test/support/animations.ts), independent of our own readers: frame count,
 * per-frame delays, loop count, size, and frame pixels against libvips' own
 * composite of the source frame resized (with a tolerance).
 */
import ThumborUrlBuilder from 'thumbor-url-builder';
import { generateImageUrl } from '@imgproxy/imgproxy-node';
import { describe, expect, it } from 'vitest';
import type { Env } from '../../src/config';
import { readError } from '../support/images';
import { callWorker, ORIGIN, sniffFormat } from '../support/worker';

interface Inspected {
  format: string;
  pages: number;
  delay: number[];
  loop: number;
  width: number;
  pageHeight: number;
  frame?: { width: number; height: number; data: string };
}

/** libvips' reading of `bytes`, with frame `frame` as RGBA (resized, turned) when asked. */
async function inspect(bytes: Uint8Array, query = ''): Promise<Inspected> {
  const res = await fetch(`${ORIGIN}/__anim?${query}`, { method: 'POST', body: bytes });
  expect(res.status).toBe(200);
  return (await res.json()) as Inspected;
}

const source = async (path: string) => new Uint8Array(await (await fetch(`${ORIGIN}${path}`)).arrayBuffer());
const rgba = (f: NonNullable<Inspected['frame']>) => Uint8Array.from(atob(f.data), (c) => c.charCodeAt(0));

/** Mean absolute difference per channel (colour weighted by alpha, plus alpha itself) of two same-size RGBA frames. */
function meanDiff(a: Uint8Array, b: Uint8Array): number {
  expect(a.length).toBe(b.length);
  let sum = 0;
  for (let i = 0; i < a.length; i += 4) {
    for (let c = 0; c < 3; c++) sum += Math.abs((a[i + c]! * a[i + 3]!) / 255 - (b[i + c]! * b[i + 3]!) / 255);
    sum += Math.abs(a[i + 3]! - b[i + 3]!);
  }
  return sum / a.length;
}

/** Frame `n` of `out` against libvips' frame `n` of the source, resized to the output's size (then turned). */
async function frameDiff(out: Uint8Array, src: Uint8Array, n: number, turn = ''): Promise<number> {
  const o = await inspect(out, `frame=${n}`);
  const s = await inspect(src, `frame=${n}&width=${turn.includes('rotate=90') || turn.includes('rotate=270') ? o.pageHeight : o.width}&height=${turn.includes('rotate=90') || turn.includes('rotate=270') ? o.width : o.pageHeight}${turn}`);
  expect([s.frame!.width, s.frame!.height]).toEqual([o.frame!.width, o.frame!.height]);
  return meanDiff(rgba(o.frame!), rgba(s.frame!));
}

const TEST_GIF = '/gen/anim-test.gif'; // 160x120, 6 frames, delays 40..240 ms, loop (libvips) 4
const TEST_WEBP = '/gen/anim-test.webp'; // the same, written by libwebp's animation encoder
const THUMBOR: Partial<Env> = { DIALECTS: 'cloudflare,thumbor' };
const IMGPROXY: Partial<Env> = { DIALECTS: 'cloudflare,imgproxy' };
const thumbor = (image: string) => new ThumborUrlBuilder(null, '').setImagePath(image.slice(1));
const imgproxy = (image: string, options: Parameters<typeof generateImageUrl>[0]['options']) => generateImageUrl({ endpoint: '', url: `${ORIGIN}${image}`, options });

describe('animated in, animated out, resized, in every URL form', () => {
  // [label, path, env, Accept, source, expected format]
  const CASES: [string, string, Partial<Env>, string | undefined, string, 'gif' | 'webp'][] = [
    ['query, no format: stays GIF', `${TEST_GIF}?width=80`, {}, undefined, TEST_GIF, 'gif'],
    ['query, format=webp', `${TEST_GIF}?width=80&format=webp`, {}, undefined, TEST_GIF, 'webp'],
    ['query, format=gif', `${TEST_GIF}?width=80&format=gif`, {}, undefined, TEST_GIF, 'gif'],
    ['query, format=auto, Accept names WebP', `${TEST_GIF}?width=80&format=auto`, {}, 'image/avif,image/webp,*/*', TEST_GIF, 'webp'],
    ['query, format=auto, Accept without WebP', `${TEST_GIF}?width=80&format=auto`, {}, 'image/*', TEST_GIF, 'gif'],
    ['/cdn-cgi/image/ format=webp', `/cdn-cgi/image/width=80,format=webp${TEST_GIF}`, {}, undefined, TEST_GIF, 'webp'],
    ['/cdn-cgi/image/ format=gif', `/cdn-cgi/image/w=80,f=gif${TEST_GIF}`, {}, undefined, TEST_GIF, 'gif'],
    ['Thumbor, no format', thumbor(TEST_GIF).resize(80, 60).buildUrl(), THUMBOR, undefined, TEST_GIF, 'gif'],
    ['Thumbor format(gif)', thumbor(TEST_GIF).resize(80, 60).filter('format(gif)').buildUrl(), THUMBOR, undefined, TEST_GIF, 'gif'],
    ['Thumbor format(webp)', thumbor(TEST_GIF).resize(80, 60).filter('format(webp)').buildUrl(), THUMBOR, undefined, TEST_GIF, 'webp'],
    ['imgproxy, no format', imgproxy(TEST_GIF, { width: 80 }), IMGPROXY, undefined, TEST_GIF, 'gif'],
    ['imgproxy format:webp', imgproxy(TEST_GIF, { width: 80, format: 'webp' }), IMGPROXY, undefined, TEST_GIF, 'webp'],
    ['animated WebP in, no format: stays WebP', `${TEST_WEBP}?width=80`, {}, undefined, TEST_WEBP, 'webp'],
    ['animated WebP in, format=gif', `/cdn-cgi/image/width=80,format=gif${TEST_WEBP}`, {}, undefined, TEST_WEBP, 'gif'],
    ['animated WebP in, Thumbor', thumbor(TEST_WEBP).resize(80, 60).buildUrl(), THUMBOR, undefined, TEST_WEBP, 'webp'],
    ['animated WebP in, imgproxy format:gif', imgproxy(TEST_WEBP, { width: 80, format: 'gif' }), IMGPROXY, undefined, TEST_WEBP, 'gif'],
  ];
  for (const [label, path, env, accept, src, format] of CASES) {
    it(`${label}: ${path}`, async () => {
      const res = await callWorker(path, { env, headers: accept ? { Accept: accept } : {} });
      const bytes = new Uint8Array(await res.arrayBuffer());
      expect(res.status, new TextDecoder().decode(bytes.subarray(0, 200))).toBe(200);
      expect(res.headers.get('content-type')).toBe(`image/${format}`);
      expect(res.headers.get('x-thumbflare-passthrough')).toBeNull();
      expect(sniffFormat(bytes)).toBe(format);
      if (path.includes('format=auto')) expect(res.headers.get('vary')).toBe('Accept');
      const srcBytes = await source(src);
      const [out, input] = [await inspect(bytes), await inspect(srcBytes)];
      expect([out.width, out.pageHeight]).toEqual([80, 60]);
      expect(out.pages).toBe(6);
      expect(out.delay).toEqual([40, 80, 120, 160, 200, 240]);
      expect(out.delay).toEqual(input.delay);
      expect(out.loop).toBe(input.loop);
      // Frames 0 (whole canvas) and 4 (a sub-rectangle composited over frame 0) look like libvips' composite, resized.
      for (const n of [0, 4]) expect(await frameDiff(bytes, srcBytes, n)).toBeLessThan(6);
    });
  }

  it('a changed frame is really that frame: frame 2 differs from frame 1 by the colour painted in it', async () => {
    const bytes = new Uint8Array(await (await callWorker(`${TEST_GIF}?width=80&format=webp`)).arrayBuffer());
    const f1 = rgba((await inspect(bytes, 'frame=1')).frame!);
    const f2 = rgba((await inspect(bytes, 'frame=2')).frame!);
    // Top-left pixel: frame 1 is red (220,30,30), frame 2 green (30,200,40).
    expect(f1[0]).toBeGreaterThan(180);
    expect(f2[1]).toBeGreaterThan(160);
    expect(meanDiff(f1, f2)).toBeGreaterThan(20);
  });
});

describe('disposal and transparency against libvips', () => {
  // dispose_bgnd.gif: 100x100, a full first frame then 32x32 squares with disposal 2 (restore to background).
  for (const format of ['webp', 'gif'] as const) {
    it(`dispose_bgnd.gif as animated ${format}: every frame matches libvips' composite`, async () => {
      const res = await callWorker(`/corpus/gif/dispose_bgnd.gif?width=50&format=${format}`);
      expect(res.headers.get('content-type')).toBe(`image/${format}`);
      const bytes = new Uint8Array(await res.arrayBuffer());
      const src = await source('/corpus/gif/dispose_bgnd.gif');
      const out = await inspect(bytes);
      expect([out.pages, out.width, out.pageHeight]).toEqual([5, 50, 50]);
      expect(out.delay).toEqual((await inspect(src)).delay);
      for (let n = 0; n < 5; n++) expect(await frameDiff(bytes, src, n), `frame ${n}`).toBeLessThan(6);
    });
  }
  // anim-alpha: a square moving over a transparent canvas, cleared (disposal 2) before each next frame.
  const ALPHA: [string, string][] = [['/gen/anim-alpha.gif', 'webp'], ['/gen/anim-alpha.gif', 'gif'], ['/gen/anim-alpha.webp', 'webp'], ['/gen/anim-alpha.webp', 'gif'], ['/gen/anim-alpha-lossless.webp', 'webp']];
  for (const [src, format] of ALPHA) {
    it(`${src} as animated ${format}: transparency and the moving square frame by frame`, async () => {
      const bytes = new Uint8Array(await (await callWorker(`${src}?width=48&format=${format}`)).arrayBuffer());
      const srcBytes = await source(src);
      const out = await inspect(bytes);
      expect([out.pages, out.width, out.pageHeight]).toEqual([4, 48, 32]);
      expect(out.delay).toEqual([100, 100, 100, 100]);
      for (let n = 0; n < 4; n++) expect(await frameDiff(bytes, srcBytes, n), `frame ${n}`).toBeLessThan(8);
      // The last frame: its square (x 56..88 of 96) is there, the first frame's (x 8..40) was cleared.
      const last = rgba((await inspect(bytes, 'frame=3')).frame!);
      expect(last[(16 * 48 + 36) * 4 + 3]).toBeGreaterThan(200);
      expect(last[(16 * 48 + 6) * 4 + 3]).toBeLessThan(30);
    });
  }
  // first_frame_transparency.gif: one 50x50 frame at x=25 on a 75x50 canvas; the rest of the canvas is transparent.
  for (const format of ['gif', 'webp', 'png'] as const) {
    it(`first_frame_transparency.gif as ${format}: the uncovered canvas stays transparent`, async () => {
      const res = await callWorker(`/corpus/gif/first_frame_transparency.gif?format=${format}`);
      const bytes = new Uint8Array(await res.arrayBuffer());
      expect(sniffFormat(bytes)).toBe(format);
      const out = rgba((await inspect(bytes, 'frame=0')).frame!);
      const ref = rgba((await inspect(await source('/corpus/gif/first_frame_transparency.gif'), 'frame=0')).frame!);
      expect(meanDiff(out, ref)).toBeLessThan(3);
      expect(out[(10 * 75 + 5) * 4 + 3]).toBe(0);
    });
  }
});

describe('rotate and flip apply to every frame', () => {
  const CASES: [string, string, [number, number]][] = [
    // Cloudflare's width is the output's: the turned 120x160 frame is made 80 wide.
    ['rotate=90', '&rotate=90', [80, 107]],
    ['flip=h', '&flip=h', [80, 60]],
  ];
  for (const [label, turn, size] of CASES) {
    it(label, async () => {
      const bytes = new Uint8Array(await (await callWorker(`${TEST_GIF}?width=80&format=webp${turn}`)).arrayBuffer());
      const out = await inspect(bytes);
      expect([out.pages, out.width, out.pageHeight]).toEqual([6, ...size]);
      const src = await source(TEST_GIF);
      for (const n of [0, 3, 5]) expect(await frameDiff(bytes, src, n, turn), `frame ${n}`).toBeLessThan(6);
    });
  }
});

describe('the still path and the pass-through budget', () => {
  for (const q of ['anim=false&format=webp', 'anim=false', 'format=png', 'format=jpeg', 'format=avif']) {
    it(`${q}: the first frame as a still`, async () => {
      const res = await callWorker(`${TEST_GIF}?width=80&${q}`);
      const bytes = new Uint8Array(await res.arrayBuffer());
      expect(res.status).toBe(200);
      const out = await inspect(bytes, 'frame=0');
      expect(out.pages).toBe(1);
      expect([out.width, out.pageHeight]).toEqual([80, 60]);
      const ref = await inspect(await source(TEST_GIF), 'frame=0&width=80&height=60');
      expect(meanDiff(rgba(out.frame!), rgba(ref.frame!))).toBeLessThan(8);
    });
  }

  // anim-test.gif: 160 x 120 x 6 frames = 115,200 source pixels. Each URL is its own (the result cache keys on the URL, not the config).
  const BUDGET: [string, string, string, boolean][] = [
    ['source over the budget', `${TEST_GIF}?width=80&format=webp&q=81`, '100000', true],
    ['output over the budget (padded to 200x200: 240,000)', `${TEST_GIF}?width=200&height=200&fit=pad&format=webp&q=82`, '120000', true],
    ['both within the budget', `${TEST_GIF}?width=80&format=webp&q=83`, '120000', false],
  ];
  for (const [label, path, max, passes] of BUDGET) {
    it(`ANIMATION_MAX_PIXELS=${max}, ${label}: ${passes ? 'the original passes through' : 'animated'}`, async () => {
      const res = await callWorker(path, { env: { ANIMATION_MAX_PIXELS: max } });
      const bytes = new Uint8Array(await res.arrayBuffer());
      expect(res.status).toBe(200);
      if (passes) {
        expect(res.headers.get('x-thumbflare-passthrough')).toBe('animated');
        expect(res.headers.get('content-type')).toBe('image/gif');
        expect(bytes).toEqual(await source(TEST_GIF));
      } else {
        expect(res.headers.get('x-thumbflare-passthrough')).toBeNull();
        expect((await inspect(bytes)).pages).toBe(6);
      }
    });
  }

  it('an animated WebP with a broken frame is a 422 naming the frame, not a 500', async () => {
    const res = await callWorker('/gen/anim-corrupt.webp?width=80');
    const error = await readError(res);
    expect([res.status, error.code]).toEqual([422, 'corrupt']);
    expect(error.message).toMatch(/frame 3/);
  });
});
