/**
 * encodeImage inside workerd: container signatures, quality/size behaviour,
 * round-trip fidelity, alpha, and timings at 1200x900 (logged as MEASURE).
 */
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../../src/codec/decode';
import { encodeImage } from '../../src/codec/encode';
import type { OutputFormat, Raster } from '../../src/codec/types';
import { psnr } from './corpus';
import { photoLike } from './synth';
import { decodeJxl, isJxl } from '../support/jxl';

const photo = photoLike(1200, 900);

const MAGIC: Record<OutputFormat, (b: Uint8Array) => boolean> = {
  jpeg: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff && b[b.length - 2] === 0xff && b[b.length - 1] === 0xd9,
  png: (b) => [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a].every((v, i) => b[i] === v),
  webp: (b) => ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WEBP',
  avif: (b) => ascii(b, 4, 8) === 'ftyp' && /avi[fs]/.test(ascii(b, 8, 12)),
  gif: (b) => ascii(b, 0, 6) === 'GIF89a' && b[b.length - 1] === 0x3b,
  jxl: isJxl,
};

function ascii(b: Uint8Array, from: number, to: number): string {
  return String.fromCharCode(...b.subarray(from, to));
}

describe('encodeImage', () => {
  it.each(['jpeg', 'webp', 'avif', 'png', 'gif', 'jxl'] as const)('%s at 1200x900 has the right signature', async (format) => {
    await encodeImage({ width: 16, height: 16, data: new Uint8Array(16 * 16 * 4).fill(200) }, format, 50); // warm-up: instantiate
    const t0 = performance.now();
    const out = await encodeImage(photo, format, format === 'avif' ? 50 : 80);
    const ms = performance.now() - t0;
    console.log(`MEASURE encode ${format} 1200x900: ${ms.toFixed(0)} ms, ${out.length} bytes`);
    expect(MAGIC[format](out)).toBe(true);
  }, 60_000);

  it('JPEG XL round-trips with good fidelity (libjxl decoder), and q50 is clearly smaller than q95', async () => {
    const small = photoLike(320, 240, 7);
    const q85 = await encodeImage(small, 'jxl', 85);
    const back = await decodeJxl(q85);
    expect([back.width, back.height]).toEqual([320, 240]);
    expect(psnr(small, back)).toBeGreaterThan(30);
    expect((await encodeImage(photo, 'jxl', 50)).length).toBeLessThan((await encodeImage(photo, 'jxl', 95)).length * 0.7);
  }, 60_000);

  it('WebP q50 is clearly smaller than q95 on a photo-like image', async () => {
    const q50 = await encodeImage(photo, 'webp', 50);
    const q95 = await encodeImage(photo, 'webp', 95);
    expect(q50.length).toBeLessThan(q95.length * 0.7);
  });

  it('JPEG and WebP round-trip with good fidelity; PNG is lossless', async () => {
    const small = photoLike(320, 240, 7);
    for (const [format, minDb] of [['jpeg', 30], ['webp', 30]] as const) {
      const back = await decodeImage(await encodeImage(small, format, 85), format, {});
      expect(psnr(small, back), format).toBeGreaterThan(minDb);
    }
    const png = await decodeImage(await encodeImage(small, 'png', 100), 'png', {});
    expect(png.data).toEqual(small.data);
  });

  it('WebP keeps alpha; JPEG given alpha does not crash and flattens to white', async () => {
    const r: Raster = { width: 64, height: 64, data: new Uint8Array(64 * 64 * 4) };
    for (let i = 0; i < r.data.length; i += 4) {
      const opaque = (i / 4) % 64 < 32;
      r.data.set(opaque ? [200, 30, 30, 255] : [0, 0, 0, 0], i);
    }
    const webp = await decodeImage(await encodeImage(r, 'webp', 80), 'webp', {});
    expect(webp.data[3]).toBe(255);
    expect(webp.data[63 * 4 + 3]).toBe(0);
    const jpeg = await decodeImage(await encodeImage(r, 'jpeg', 80), 'jpeg', {});
    expect(jpeg.data[63 * 4]).toBeGreaterThan(240); // transparent became white, not black
  });

  it('clamps odd quality values', async () => {
    const tiny: Raster = { width: 8, height: 8, data: new Uint8Array(256).fill(128) };
    for (const q of [0, -5, 101, 57.6, Number.NaN]) {
      expect(MAGIC.jpeg(await encodeImage(tiny, 'jpeg', q))).toBe(true);
    }
  });
});
