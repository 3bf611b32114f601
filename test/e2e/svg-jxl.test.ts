/**
 * SVG sources and JPEG XL output through the Worker (issue 15), sources from the
 * loopback origin (test/fixtures/svg, /gen/): SVGs rasterised at the output size
 * in every URL form (Cloudflare's path and /cdn-cgi/image/ forms, Thumbor's via
 * thumbor-url-builder, imgproxy's via @imgproxy/imgproxy-node), intrinsic sizes,
 * transparency, the sanitised pass-through, hostile documents answered with the
 * documented 4xx, and JXL that decodes (libjxl's decoder) and matches the source.
 */
import { generateImageUrl } from '@imgproxy/imgproxy-node';
import ThumborUrlBuilder from 'thumbor-url-builder';
import { describe, expect, it } from 'vitest';
import { enlargeLikeLibvips } from '../../src/codec/resize/enlarge';
import type { Raster } from '../../src/codec/types';
import { psnr } from '../codec/corpus';
import { decodeJxl, isJxl } from '../support/jxl';
import { decodePixels, meanColor, readError, readImage } from '../support/images';
import { callWorker, ORIGIN, originHits } from '../support/worker';

const DIALECTS = { DIALECTS: 'cloudflare,thumbor,imgproxy' };
const get = (path: string, env: Record<string, string> = {}, headers?: Record<string, string>) => callWorker(path, { env: { ...DIALECTS, ...env }, headers });
const thumbor = (image: string) => new ThumborUrlBuilder(null, '').setImagePath(image);
const imgproxy = (source: string, options: Parameters<typeof generateImageUrl>[0]['options']) =>
  generateImageUrl({ endpoint: '', url: { value: source, displayAs: 'plain' }, options });

/** Width in pixels of the ramp between the two sides of an edge along row y (values strictly between 16 and 239 on channel c). */
function rampWidth(r: Raster, y: number, x0: number, x1: number, c = 0): number {
  let n = 0;
  for (let x = x0; x < x1; x++) {
    const v = r.data[(y * r.width + x) * 4 + c]!;
    if (v > 16 && v < 239) n++;
  }
  return n;
}

describe('SVG rasterised at the output size, every URL form reaches the same path', () => {
  // icon-viewbox.svg: viewBox 0 0 20 20, white, a black square 5..15, a red bar x 10..20, y 0..5.
  const ICON = 'svg/icon-viewbox.svg';
  const CASES: [string, string][] = [
    ['Cloudflare path form', `/${ICON}?width=800&format=png`],
    ['Cloudflare /cdn-cgi/image/ form', `/cdn-cgi/image/width=800,format=png/${ICON}`],
    ['Cloudflare fit=scale-down (a vector is never "enlarged" as pixels)', `/${ICON}?width=800&fit=scale-down`],
    ['Thumbor 800x0', thumbor(ICON).resize(800, 0).buildUrl()],
    ['Thumbor fit-in 800x800', thumbor(ICON).fitIn(800, 800).buildUrl()],
    ['imgproxy width 800 (no enlarge flag)', imgproxy(`${ORIGIN}/${ICON}`, { width: 800, format: 'png' })],
  ];
  for (const [name, path] of CASES) {
    it(`${name}: 800x800 with edges as sharp as a 800 px drawing`, async () => {
      const img = await readImage(await get(path));
      expect(img.format).toBe('png');
      expect([img.width, img.height]).toEqual([800, 800]);
      const px = await decodePixels(img);
      // The square's left edge is at x = 200, its top at y = 200: one anti-aliased pixel at most, not a 40 px upscaling ramp.
      expect(rampWidth(px, 400, 150, 250)).toBeLessThanOrEqual(2);
      expect(rampWidth({ ...px, data: transpose(px) }, 400, 150, 250)).toBeLessThanOrEqual(2);
      expect(meanColor(px, 210, 210, 380, 380)[0]).toBeLessThan(3); // black inside
      expect(meanColor(px, 0, 300, 190, 100)[1]).toBeGreaterThan(252); // white outside
      const red = meanColor(px, 410, 10, 380, 180);
      expect(red[0]).toBeGreaterThan(250);
      expect(red[1]).toBeLessThan(5);
    });
  }

  it('control: the 20 px raster enlarged as pixels (how a raster source is enlarged) has a wide ramp, so the assertion can fail', async () => {
    const small = await decodePixels(await readImage(await get(`/${ICON}?format=png`)));
    expect([small.width, small.height]).toEqual([20, 20]);
    const enlarged = enlargeLikeLibvips(small, 800, 800, false);
    expect(rampWidth(enlarged, 400, 150, 250)).toBeGreaterThan(10);
  });
});

/** Column-major copy so rampWidth can walk a column as a row. */
function transpose(r: Raster): Uint8Array {
  const out = new Uint8Array(r.data.length);
  for (let y = 0; y < r.height; y++) {
    for (let x = 0; x < r.width; x++) out.set(r.data.subarray((y * r.width + x) * 4, (y * r.width + x) * 4 + 4), (x * r.height + y) * 4);
  }
  return out;
}

describe('SVG intrinsic size (format=json and the default output)', () => {
  const CASES: [string, number, number][] = [
    ['icon-viewbox.svg', 20, 20], // viewBox only
    ['size-only.svg', 120, 80], // width/height only
    ['units-mm.svg', 192, 96], // 50.8 mm x 25.4 mm at 96 px/in
    ['no-size.svg', 300, 150], // CSS's default object size
  ];
  for (const [file, w, h] of CASES) {
    it(`${file} is ${w}x${h}`, async () => {
      const res = await get(`/svg/${file}?format=json`);
      const body = (await res.json()) as { source: { format: string; width: number; height: number }; output: { format: string; width: number; height: number } };
      expect(body.source).toMatchObject({ format: 'svg', width: w, height: h });
      expect(body.output).toMatchObject({ format: 'png', width: w, height: h });
      const img = await readImage(await get(`/svg/${file}`));
      expect([img.format, img.width, img.height]).toEqual(['png', w, h]);
    });
  }

  it('size-only.svg renders its halves: blue left, green right', async () => {
    const px = await decodePixels(await readImage(await get('/svg/size-only.svg')));
    expect(meanColor(px, 5, 5, 50, 70).slice(0, 3).map(Math.round)).toEqual([0, 0, 255]);
    expect(meanColor(px, 65, 5, 50, 70).slice(0, 3).map(Math.round)).toEqual([0, 255, 0]);
  });

  it('transparency: straight (not premultiplied) colour and alpha survive, the background stays transparent', async () => {
    const px = await decodePixels(await readImage(await get('/svg/transparent.svg?width=200&format=png')));
    const disc = meanColor(px, 95, 75, 10, 10);
    expect(disc[3]).toBeGreaterThan(120);
    expect(disc[3]).toBeLessThan(135);
    expect(disc[0]).toBeGreaterThan(245); // 255 at half alpha, not 128
    expect(meanColor(px, 0, 0, 10, 10)[3]).toBe(0);
    expect(meanColor(px, 0, 170, 200, 30)).toEqual([0, 0, 255, 255]);
  });

  it('text renders nothing: no fonts are bundled (codec/svg/decode)', async () => {
    const px = await decodePixels(await readImage(await get('/svg/text.svg?format=png')));
    expect(meanColor(px)[3]).toBe(0);
  });

  it('external references are never fetched and draw nothing', async () => {
    const px = await decodePixels(await readImage(await get('/svg/external-href.svg?format=png')));
    expect(meanColor(px).map(Math.round)).toEqual([0, 170, 0, 255]); // the green square alone
    expect(await originHits('/svg/never-fetched-relative.png')).toBe(0);
  });
});

describe('SVG pass-through, sanitised (format=svg, SVG_PASSTHROUGH)', () => {
  const HOSTILE = ['<script', 'onload', 'onclick', 'onmouseover', 'foreignObject', 'javascript', '&#106;', '@import', 'xml-stylesheet', 'alert('];
  const CASES: [string, string, Record<string, string>][] = [
    ['format=svg', '/svg/script.svg?format=svg', {}],
    ['format=svg in /cdn-cgi/image/', '/cdn-cgi/image/format=svg/svg/script.svg', {}],
    ['SVG_PASSTHROUGH ignores the size, as Cloudflare does', '/svg/script.svg?width=100', { SVG_PASSTHROUGH: 'true' }],
    ['imgproxy format:svg', imgproxy(`${ORIGIN}/svg/script.svg`, { width: 100, format: 'svg' }), {}],
    ['Thumbor URL with SVG_PASSTHROUGH', thumbor('svg/script.svg').resize(100, 0).buildUrl(), { SVG_PASSTHROUGH: 'true' }],
  ];
  for (const [name, path, env] of CASES) {
    it(`${name}: image/svg+xml with a CSP, scripts and handlers gone, drawing kept`, async () => {
      const res = await get(path, env);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/svg+xml');
      expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
      expect(res.headers.get('content-security-policy')).toContain('sandbox');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      const text = await res.text();
      for (const bad of HOSTILE) expect(text, bad).not.toContain(bad);
      expect(text).toContain('<rect width="40" height="40" fill="#0a0"/>');
      expect(text).toContain('rect { fill: #0a0 }');
    });
  }

  it('the sanitised pass-through of external-href.svg keeps only the local drawing', async () => {
    const text = await (await get('/svg/external-href.svg?format=svg')).text();
    expect(text).not.toMatch(/href=|127\.0\.0\.1|file:/);
    expect(text).toContain('fill="#0a0"');
  });

  it('format=svg on a raster source is 415', async () => {
    const err = await readError(await get('/gen/photo-640.jpg?format=svg'));
    expect([err.status, err.code]).toEqual([415, 'unsupported']);
  });
});

describe('hostile SVGs: documented 4xx JSON, never a 500 or a hang', () => {
  const CASES: [string, string, Record<string, string>, number, string, RegExp][] = [
    ['billion laughs (entities)', '/svg/billion-laughs.svg?width=100', {}, 415, 'unsupported', /entities/],
    ['huge intrinsic dimensions', '/svg/huge-dimensions.svg', {}, 413, 'too_large', /intrinsic size/],
    ['deep nesting', '/svg/deep-nesting.svg?width=10', {}, 413, 'too_large', /nest/],
    ['<use> bomb (10^8 elements once expanded)', '/svg/use-bomb.svg', {}, 413, 'too_large', /expands to \d{9} elements/],
    ['<use> cycle', '/svg/use-cycle.svg', {}, 413, 'too_large', /without bound/],
    ['not well-formed', '/svg/truncated.svg', {}, 422, 'corrupt', /well-formed/],
    ['over MAX_SVG_ELEMENTS', '/svg/gradients.svg', { MAX_SVG_ELEMENTS: '3' }, 413, 'too_large', /MAX_SVG_ELEMENTS/],
    ['over MAX_SVG_BYTES', '/svg/script.svg', { MAX_SVG_BYTES: '100' }, 413, 'too_large', /MAX_SVG_BYTES/],
    ['rendering over MAX_SOURCE_PIXELS', '/svg/icon-viewbox.svg?width=4000', { MAX_SOURCE_PIXELS: '1000000' }, 413, 'too_large', /MAX_SOURCE_PIXELS/],
  ];
  for (const [name, path, env, status, code, message] of CASES) {
    it(`${name} -> ${status}`, async () => {
      const err = await readError(await get(path, env));
      expect([err.status, err.code]).toEqual([status, code]);
      expect(err.message).toMatch(message);
    });
  }

  it('after every hostile SVG the renderer still works', async () => {
    const img = await readImage(await get('/svg/gradients.svg?width=100'));
    expect([img.width, img.height]).toEqual([100, 50]);
  });
});

describe('JPEG XL output', () => {
  it('format=jxl: image/jxl that decodes to the requested size and matches the PNG of the same request', async () => {
    const res = await get('/corpus/jpeg/flower.jpg?width=320&format=jxl');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jxl');
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(isJxl(bytes)).toBe(true);
    const jxl = await decodeJxl(bytes);
    expect([jxl.width, jxl.height]).toEqual([320, 240]);
    const png = await decodePixels(await readImage(await get('/corpus/jpeg/flower.jpg?width=320&format=png')));
    const jpeg = await decodePixels(await readImage(await get('/corpus/jpeg/flower.jpg?width=320&format=jpeg')));
    // As close to the lossless result as JPEG at the same quality (85), or closer.
    expect(psnr(png, jxl)).toBeGreaterThan(Math.min(32, psnr(png, jpeg) - 1));
  });

  it('format=jxl in the /cdn-cgi/image/ form', async () => {
    const res = await get('/cdn-cgi/image/width=200,format=jxl/gen/photo-640.jpg');
    const jxl = await decodeJxl(new Uint8Array(await res.arrayBuffer()));
    expect([jxl.width, jxl.height]).toEqual([200, 150]);
  });

  it('imgproxy format:jxl', async () => {
    const res = await get(imgproxy(`${ORIGIN}/gen/photo-640.jpg`, { width: 160, format: 'jxl' }));
    expect(res.headers.get('content-type')).toBe('image/jxl');
    const jxl = await decodeJxl(new Uint8Array(await res.arrayBuffer()));
    expect([jxl.width, jxl.height]).toEqual([160, 120]);
  });

  it('an SVG rasterised to JPEG XL', async () => {
    const jxl = await decodeJxl(new Uint8Array(await (await get('/svg/size-only.svg?format=jxl')).arrayBuffer()));
    expect([jxl.width, jxl.height]).toEqual([120, 80]);
    const [r, g, b] = meanColor(jxl, 5, 5, 50, 70);
    expect([r, g, b].map((v, i) => Math.abs(v - [0, 0, 255][i]!))).toSatisfy((d: number[]) => d.every((x) => x < 4));
  });

  it('too large for libjxl\'s memory: falls back to AVIF, named in X-Thumbflare-Format-Fallback', async () => {
    const res = await get('/gen/12mp.jpg?width=1600&format=jxl');
    const img = await readImage(res);
    expect(img.format).toBe('avif');
    expect(res.headers.get('x-thumbflare-format-fallback')).toBe('jxl->avif');
  });

  const CHROMIUM = 'image/jxl,image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8';
  const ACCEPT: [string, string, string][] = [
    ['Chromium (JXL listed first)', CHROMIUM, 'avif'],
    ['only image/jxl and wildcards', 'image/jxl,image/*,*/*;q=0.8', 'jpeg'],
    ['image/jxl and WebP', 'image/jxl,image/webp,*/*', 'webp'],
  ];
  for (const [name, accept, format] of ACCEPT) {
    it(`format=auto with ${name} -> ${format}: auto never picks JXL (AVIF is smaller at equal SSIM, docs/jxl.md)`, async () => {
      const res = await get('/gen/photo-640.jpg?width=200&format=auto', {}, { Accept: accept });
      const img = await readImage(res);
      expect(img.format).toBe(format);
      expect(res.headers.get('vary')).toMatch(/Accept/i);
    });
  }
});
