/**
 * resizeRaster quality: exact-ground-truth patterns (PSNR), aliasing on a zone
 * plate, sizes that the box factor does not divide, upscaling, alpha bleeding.
 */
import { describe, expect, it } from 'vitest';
import { resizeRaster } from '../../../src/codec/resize/resize';
import type { Raster } from '../../../src/codec/types';
import { psnr } from '../corpus';
import { smoothPattern, zonePlate } from '../synth';

/** Standard deviation of the grey level inside a ring of radii [r0, r1) around the centre. */
function ringStdDev(r: Raster, r0: number, r1: number): number {
  let sum = 0, sq = 0, n = 0;
  for (let y = 0; y < r.height; y++) {
    for (let x = 0; x < r.width; x++) {
      const d = Math.hypot(x + 0.5 - r.width / 2, y + 0.5 - r.height / 2);
      if (d >= r0 && d < r1) {
        const v = r.data[(y * r.width + x) * 4]!;
        sum += v; sq += v * v; n++;
      }
    }
  }
  const mean = sum / n;
  return Math.sqrt(sq / n - mean * mean);
}

describe('resizeRaster', () => {
  // Band-limited content shrunk must match the same content rendered at the
  // target size. 35 dB: a correct filter measures ~40+; dropping edge rows or
  // a half-pixel shift (the floor() bug) measures below 30.
  it.each([
    [2000, 1500, 300, 225],
    [1999, 1501, 300, 225], // box factor does not divide: remainders must be averaged
    [4000, 3000, 1200, 900],
    [1000, 1000, 333, 333],
    [640, 480, 500, 375], // mild shrink: Lanczos only
  ])('%ix%i -> %ix%i keeps band-limited content (PSNR > 35 dB)', async (sw, sh, tw, th) => {
    const src = smoothPattern(sw, sh);
    const t0 = performance.now();
    const out = await resizeRaster(src, tw, th, { hasAlpha: false });
    const ms = performance.now() - t0;
    if (sw * sh >= 4e6) console.log(`MEASURE resize ${sw}x${sh} -> ${tw}x${th}: ${ms.toFixed(0)} ms`);
    expect([out.width, out.height]).toEqual([tw, th]);
    expect(psnr(smoothPattern(tw, th), out)).toBeGreaterThan(35);
  });

  it('upscales smoothly (PSNR > 30 dB against the pattern rendered big)', async () => {
    const out = await resizeRaster(smoothPattern(200, 150, 1 / 8), 800, 600, { hasAlpha: false });
    expect(psnr(smoothPattern(800, 600, 1 / 8), out)).toBeGreaterThan(30);
  });

  it('zone plate: low frequencies kept, frequencies above the new Nyquist suppressed', async () => {
    const out = await resizeRaster(zonePlate(1024), 256, 256, { hasAlpha: false });
    // Local frequency is r/1024 cycles per source pixel, so the target's Nyquist
    // (0.125 c/src px) is at output radius 32. Inside radius 20 (<= 0.62 of it)
    // the contrast must survive (a full-swing cosine has std dev 90).
    expect(ringStdDev(out, 0, 20)).toBeGreaterThan(70);
    // Outer rings: frequencies 2-4x above the target Nyquist. Nearest-neighbour
    // would alias them into strong moire (std dev ~90); a good filter leaves grey.
    expect(ringStdDev(out, 100, 128)).toBeLessThan(12);
  });

  it('transparent pixels do not bleed their (arbitrary) colour', async () => {
    const w = 400, h = 400;
    const src: Raster = { width: w, height: h, data: new Uint8Array(w * h * 4) };
    for (let i = 0; i < w * h; i++) {
      const opaque = (i % w) < w / 2 - 3 || (i % w) > w / 2 + 3 ? (i % w) < w / 2 : false;
      src.data.set(opaque ? [255, 0, 0, 255] : [0, 255, 0, 0], i * 4);
    }
    const out = await resizeRaster(src, 50, 50, { hasAlpha: true });
    for (let i = 0; i < out.data.length; i += 4) {
      if (out.data[i + 3]! > 8) expect(out.data[i + 1], `pixel ${i / 4}`).toBeLessThan(8);
    }
  });

  it('same size is a no-op, 1x1 works', async () => {
    const src = smoothPattern(10, 10);
    expect(await resizeRaster(src, 10, 10, { hasAlpha: false })).toBe(src);
    const one = await resizeRaster(src, 1, 1, { hasAlpha: false });
    expect(one.data.length).toBe(4);
  });
});
