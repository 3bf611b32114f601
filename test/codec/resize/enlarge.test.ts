/**
 * codec/resize/enlarge: libvips' upsizing, bit-exact for opaque images (golden data
 * from sharp 0.35 / libvips 8.18), its pixel grid, alpha handling, and speed.
 */
import { describe, expect, it } from 'vitest';
import { enlargeLikeLibvips } from '../../../src/codec/resize/enlarge';
import { resizeRaster } from '../../../src/codec/resize/resize';
import type { Raster } from '../../../src/codec/types';

function rgbToRaster(width: number, height: number, rgb: number[]): Raster {
  const data = new Uint8Array(width * height * 4);
  for (let p = 0; p < width * height; p++) data.set([rgb[p * 3]!, rgb[p * 3 + 1]!, rgb[p * 3 + 2]!, 255], p * 4);
  return { width, height, data };
}
const rgbOf = (r: Raster) => [...r.data].filter((_, i) => i % 4 !== 3);

// sharp(src, {raw: {width: 5, height: 4, channels: 3}}).resize(13, 9, {fit: 'fill'}).raw()
const GOLDEN_IN = [0,0,0,53,200,255,106,144,0,159,88,255,212,32,0,97,30,255,221,230,0,89,174,255,0,118,0,124,62,255,194,60,0,133,4,255,115,204,0,97,148,255,36,92,0,35,90,255,88,34,0,141,234,255,194,178,0,247,122,255];
const GOLDEN_OUT = [0,0,0,0,0,0,3,43,55,23,140,203,45,200,255,68,192,161,95,156,11,119,132,11,144,110,161,167,88,255,188,65,203,209,41,55,219,28,0,0,0,0,0,0,0,7,44,59,29,141,199,50,201,255,72,193,159,95,157,18,117,133,18,140,111,159,161,89,255,183,66,199,205,42,59,216,29,0,25,0,102,27,0,103,51,57,116,93,161,139,120,223,150,116,211,133,103,169,109,96,143,109,90,121,133,95,100,150,123,77,139,165,53,116,187,40,103,71,12,252,74,15,248,110,73,183,174,178,69,205,241,18,171,228,102,112,185,217,70,158,217,29,136,102,14,114,18,48,91,69,110,67,183,145,54,248,126,30,216,128,32,213,153,69,167,197,134,86,213,180,50,175,192,109,117,187,191,73,176,191,31,154,109,9,128,50,28,105,86,70,81,167,94,68,213,187,52,39,187,51,42,182,49,88,173,44,169,161,59,205,140,116,146,117,180,64,97,197,64,79,173,146,64,142,205,52,119,169,43,95,88,38,82,42,184,70,3,183,68,7,167,45,72,140,0,186,121,0,237,117,79,153,120,182,38,119,215,38,121,191,153,115,155,237,97,132,186,70,108,72,54,95,7,98,85,153,98,83,152,97,60,139,97,17,115,101,16,105,112,97,122,126,198,146,139,230,146,153,206,122,162,170,105,166,147,115,166,123,139,166,110,152,27,95,255,29,93,255,41,73,196,66,37,56,89,38,0,110,115,96,131,210,237,152,240,237,174,216,96,195,181,0,218,158,56,242,134,196,255,121,255];

describe('enlargeLikeLibvips', () => {
  it('is bit-exact with libvips on an opaque image (5x4 -> 13x9, golden from sharp)', () => {
    const out = enlargeLikeLibvips(rgbToRaster(5, 4, GOLDEN_IN), 13, 9, false);
    expect([out.width, out.height]).toEqual([13, 9]);
    expect(rgbOf(out)).toEqual(GOLDEN_OUT);
    expect(out.data.every((v, i) => i % 4 !== 3 || v === 255)).toBe(true);
  });

  it('resizeRaster uses it for every enlargement', async () => {
    const out = await resizeRaster(rgbToRaster(5, 4, GOLDEN_IN), 13, 9, { hasAlpha: false });
    expect(rgbOf(out)).toEqual(GOLDEN_OUT);
  });

  it("uses libvips' corner-anchored grid: output pixel X samples source X * in/out - 0.5", () => {
    // An impulse at source 19 of 39, enlarged to 64: output 32 samples 32 * 39/64 - 0.5 = 19.0.
    const src: Raster = { width: 39, height: 1, data: new Uint8Array(39 * 4).fill(255) };
    for (let x = 0; x < 39; x++) src.data.fill(x === 19 ? 200 : 0, x * 4, x * 4 + 3);
    const out = enlargeLikeLibvips(src, 64, 1, false);
    const row = [...Array(64).keys()].map((x) => out.data[x * 4]!);
    expect(row[32]).toBe(200);
    // 0.61 px away on either side: Catmull-Rom weight 0.41.
    expect(row[31]).toBe(82);
    expect(row[33]).toBe(82);
    expect(row.filter((v) => v > 0)).toHaveLength(3);
  });

  it('keeps flat colour flat', () => {
    const flat: Raster = { width: 7, height: 3, data: new Uint8Array(7 * 3 * 4) };
    for (let i = 0; i < flat.data.length; i += 4) flat.data.set([10, 200, 99, 255], i);
    const out = enlargeLikeLibvips(flat, 50, 3, false);
    for (let i = 0; i < out.data.length; i += 4) expect([...out.data.subarray(i, i + 4)]).toEqual([10, 200, 99, 255]);
  });

  // libvips resamples an axis whose scale is 1 too, half a pixel up (checked
  // bit-exact against sharp for 39x20 -> 64x20): row y samples source y - 0.5.
  it('shifts an unscaled axis by half a pixel, as libvips does', () => {
    const step: Raster = { width: 5, height: 4, data: new Uint8Array(5 * 4 * 4) };
    for (let y = 0; y < 4; y++) for (let x = 0; x < 5; x++) step.data.set(y < 2 ? [0, 0, 0, 255] : [255, 255, 255, 255], (y * 5 + x) * 4);
    const out = enlargeLikeLibvips(step, 13, 4, false);
    const column = [0, 1, 2, 3].map((y) => out.data[(y * 13 + 6) * 4]!);
    expect(column[0]).toBe(0);
    expect(column[1]).toBe(0); // -1/16 overshoot, clamped
    expect(column[2]).toBeGreaterThanOrEqual(126); // (9/16 - 1/16) of 255
    expect(column[2]).toBeLessThanOrEqual(129);
    expect(column[3]).toBe(255);
  });

  it('with alpha: premultiplied, so transparent colour does not bleed; fully transparent stays transparent', () => {
    const w = 8, h = 8;
    const src: Raster = { width: w, height: h, data: new Uint8Array(w * h * 4) };
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) src.data.set(x < 4 ? [255, 0, 0, 255] : [0, 255, 0, 0], (y * w + x) * 4);
    }
    const out = enlargeLikeLibvips(src, 29, 29, true);
    for (let i = 0; i < out.data.length; i += 4) {
      const a = out.data[i + 3]!;
      if (a > 0) {
        expect(out.data[i + 1], `green at ${i / 4}`).toBe(0);
        expect(out.data[i], `red at ${i / 4}`).toBe(255);
      } else {
        expect([...out.data.subarray(i, i + 3)]).toEqual([0, 0, 0]);
      }
    }
    // Far right is fully transparent, far left fully opaque.
    expect(out.data[(10 * 29 + 28) * 4 + 3]).toBe(0);
    expect(out.data[(10 * 29 + 0) * 4 + 3]).toBe(255);
  });

  it('refuses to shrink', () => {
    expect(() => enlargeLikeLibvips(rgbToRaster(5, 4, GOLDEN_IN), 4, 9, false)).toThrow(RangeError);
  });

  it('large enlargement streams in reasonable time (1000x750 -> 3840x2880)', () => {
    const src: Raster = { width: 1000, height: 750, data: new Uint8Array(1000 * 750 * 4) };
    for (let i = 0; i < src.data.length; i++) src.data[i] = (i * 2654435761) >>> 24;
    for (const hasAlpha of [false, true]) {
      const t0 = performance.now();
      const out = enlargeLikeLibvips(src, 3840, 2880, hasAlpha);
      const ms = performance.now() - t0;
      console.log(`MEASURE enlarge 1000x750 -> 3840x2880 (alpha ${hasAlpha}): ${ms.toFixed(0)} ms`);
      expect(out.data.length).toBe(3840 * 2880 * 4);
      expect(ms).toBeLessThan(15_000);
    }
  });
});
