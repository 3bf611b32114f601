/**
 * CMYK -> sRGB through the libvips-sampled table (codec/jpeg/cmyk): sensible
 * greys, primaries and secondaries, exact at the grid points, smooth between.
 */
import { describe, expect, it } from 'vitest';
import { cmykInkToRgbaInPlace } from '../../../src/codec/jpeg/cmyk';
import { CMYK_LUT_BASE64, CMYK_LUT_STEPS } from '../../../src/codec/jpeg/cmyk-lut.generated';

function convert(...inks: [number, number, number, number][]): [number, number, number, number][] {
  const data = new Uint8Array(inks.flat());
  cmykInkToRgbaInPlace(data);
  return inks.map((_, i) => [data[i * 4]!, data[i * 4 + 1]!, data[i * 4 + 2]!, data[i * 4 + 3]!]);
}
const one = (c: number, m: number, y: number, k: number) => convert([c, m, y, k])[0]!;
const spread = ([r, g, b]: number[]) => Math.max(r!, g!, b!) - Math.min(r!, g!, b!);
const luma = ([r, g, b]: number[]) => 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;

describe('CMYK to sRGB (libvips fallback profile, relative colorimetric)', () => {
  it('no ink is paper white, opaque', () => {
    expect(one(0, 0, 0, 0)).toEqual([255, 255, 255, 255]);
  });

  it('K alone is a near-neutral grey ramp, darkening monotonically to a press black', () => {
    let previous = Infinity;
    for (let k = 0; k <= 255; k++) {
      const rgb = one(0, 0, 0, k);
      expect(spread(rgb), `K=${k}`).toBeLessThanOrEqual(9);
      expect(luma(rgb), `K=${k}`).toBeLessThanOrEqual(previous + 0.5);
      previous = luma(rgb);
    }
    // 100% K on press is not sRGB black: libvips gives about (40,35,43).
    const black = one(0, 0, 0, 255);
    expect(luma(black)).toBeGreaterThan(20);
    expect(luma(black)).toBeLessThan(50);
    // Rich black (all inks) is darker still.
    expect(luma(one(255, 255, 255, 255))).toBeLessThan(luma(black));
  });

  it('primaries and secondaries have the right hue', () => {
    const [c, m, y, r, g, b] = convert(
      [255, 0, 0, 0], [0, 255, 0, 0], [0, 0, 255, 0], [0, 255, 255, 0], [255, 0, 255, 0], [255, 255, 0, 0],
    );
    // Cyan: no red; magenta: least green; yellow: no blue.
    expect(c![0]).toBeLessThan(40);
    expect(Math.min(c![1]!, c![2]!)).toBeGreaterThan(130);
    expect(m![1]).toBeLessThan(Math.min(m![0]!, m![2]!) - 80);
    expect(y![2]).toBeLessThan(40);
    expect(Math.min(y![0]!, y![1]!)).toBeGreaterThan(220);
    // M+Y red, C+Y green, C+M blue.
    expect(r![0]).toBeGreaterThan(Math.max(r![1]!, r![2]!) + 150);
    expect(g![1]).toBeGreaterThan(Math.max(g![0]!, g![2]!) + 60);
    expect(b![2]).toBeGreaterThan(Math.max(b![0]!, b![1]!) + 60);
  });

  it('is exact at every grid point of the table', () => {
    const table = Uint8Array.from(atob(CMYK_LUT_BASE64), (ch) => ch.charCodeAt(0));
    const n = CMYK_LUT_STEPS;
    expect(table.length).toBe(n ** 4 * 3);
    const level = (i: number) => Math.round((i * 255) / (n - 1));
    const inks: [number, number, number, number][] = [];
    for (let c = 0; c < n; c++) for (let m = 0; m < n; m++) for (let y = 0; y < n; y++) for (let k = 0; k < n; k++) {
      inks.push([level(c), level(m), level(y), level(k)]);
    }
    const out = convert(...inks);
    let mismatches = 0;
    out.forEach((rgba, i) => {
      // Grid levels 255*i/10 are not integers, so the table point sits up to half a level off.
      for (let ch = 0; ch < 3; ch++) if (Math.abs(rgba[ch]! - table[i * 3 + ch]!) > 3) mismatches++;
    });
    expect(mismatches).toBe(0);
  });

  it('is continuous: one ink level never moves a channel by more than a few levels', () => {
    let worst = 0;
    for (let base = 0; base < 255; base += 1) {
      for (const [a, b] of [
        [[base, 40, 90, 20], [base + 1, 40, 90, 20]],
        [[200, base, 30, 60], [200, base + 1, 30, 60]],
        [[10, 120, base, 0], [10, 120, base + 1, 0]],
        [[70, 70, 70, base], [70, 70, 70, base + 1]],
      ] as [number, number, number, number][][]) {
        const [p, q] = convert(a!, b!);
        for (let ch = 0; ch < 3; ch++) worst = Math.max(worst, Math.abs(p![ch]! - q![ch]!));
      }
    }
    expect(worst).toBeLessThanOrEqual(4);
  });
});
