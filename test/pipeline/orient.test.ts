/**
 * @module test/pipeline/orient
 * orientRaster for all eight EXIF orientations: a 3x2 image of distinct pixels
 * against hand-written expected grids (EXIF 2.32 tag 0x0112 table), plus a larger
 * random raster against a naive per-pixel reference, round trips, and edge cases.
 */
import { describe, it, expect } from 'vitest';
import { orientRaster } from '../../src/pipeline/orient';
import type { Raster } from '../../src/codec/types';

/** Pixel k gets RGBA (k, 100 + k, 200 + k, 255 - k) so channels cannot be mixed up unnoticed. */
function rasterOf(width: number, height: number, ids: number[]): Raster {
  const data = new Uint8Array(width * height * 4);
  ids.forEach((k, i) => data.set([k, 100 + k, 200 + k, 255 - k], i * 4));
  return { width, height, data };
}

/** Reads back pixel ids row by row, checking all four channels belong to the same pixel. */
function idsOf(r: Raster): number[][] {
  const rows: number[][] = [];
  for (let y = 0; y < r.height; y++) {
    const row: number[] = [];
    for (let x = 0; x < r.width; x++) {
      const i = (y * r.width + x) * 4;
      const k = r.data[i]!;
      expect([r.data[i + 1], r.data[i + 2], r.data[i + 3]]).toEqual([100 + k, 200 + k, 255 - k]);
      row.push(k);
    }
    rows.push(row);
  }
  return rows;
}

// Stored 3x2:   A B C      A..F = 1..6
//               D E F
const [A, B, C, D, E, F] = [1, 2, 3, 4, 5, 6];
const stored = () => rasterOf(3, 2, [A, B, C, D, E, F]);

describe('orientRaster on a 3x2 image', () => {
  it.each([
    [1, 'identity', [[A, B, C], [D, E, F]]],
    [2, 'mirror horizontal', [[C, B, A], [F, E, D]]],
    [3, 'rotate 180', [[F, E, D], [C, B, A]]],
    [4, 'mirror vertical', [[D, E, F], [A, B, C]]],
    [5, 'transpose', [[A, D], [B, E], [C, F]]],
    [6, 'rotate 90 CW', [[D, A], [E, B], [F, C]]],
    [7, 'transverse', [[F, C], [E, B], [D, A]]],
    [8, 'rotate 270 CW', [[C, F], [B, E], [A, D]]],
  ])('orientation %i (%s)', (orientation, _name, expected) => {
    const input = stored();
    const before = input.data.slice();
    const out = orientRaster(input, orientation);
    expect([out.width, out.height]).toEqual(orientation >= 5 ? [2, 3] : [3, 2]);
    expect(out.data.length).toBe(24);
    expect(idsOf(out)).toEqual(expected);
    expect(input.data).toEqual(before); // the source is never modified
    if (orientation === 1) expect(out).toBe(input);
    else expect(out.data.buffer).not.toBe(input.data.buffer);
  });

  it.each([0, 9, -1, 1.5, Number.NaN])('returns the input unchanged for invalid orientation %s', (o) => {
    const input = stored();
    expect(orientRaster(input, o)).toBe(input);
  });
});

/** Naive reference: where EXIF 2.32 puts stored pixel (x, y) on display, one pixel at a time. */
function referenceOrient(r: Raster, o: number): Raster {
  const { width: w, height: h } = r;
  const swap = o >= 5;
  const ow = swap ? h : w;
  const out = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const [dx, dy] = {
        1: [x, y], 2: [w - 1 - x, y], 3: [w - 1 - x, h - 1 - y], 4: [x, h - 1 - y],
        5: [y, x], 6: [h - 1 - y, x], 7: [h - 1 - y, w - 1 - x], 8: [y, w - 1 - x],
      }[o] as [number, number];
      out.set(r.data.subarray((y * w + x) * 4, (y * w + x) * 4 + 4), (dy * ow + dx) * 4);
    }
  }
  return { width: ow, height: swap ? w : h, data: out };
}

function randomRaster(width: number, height: number, seed: number): Raster {
  const data = new Uint8Array(width * height * 4);
  let s = seed;
  for (let i = 0; i < data.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    data[i] = s >>> 24;
  }
  return { width, height, data };
}

describe('orientRaster against a per-pixel reference', () => {
  it.each([
    [7, 5], [1, 9], [9, 1], [1, 1], [16, 16],
    [131, 70], [64, 129], // several 64-pixel tiles with partial ones at the edges (orient.ts transposeTiled)
  ])('matches for all orientations on %ix%i', (w, h) => {
    const r = randomRaster(w, h, w * 31 + h);
    for (let o = 1; o <= 8; o++) {
      const got = orientRaster(r, o);
      const want = referenceOrient(r, o);
      expect({ o, w: got.width, h: got.height }).toEqual({ o, w: want.width, h: want.height });
      expect(got.data).toEqual(want.data);
    }
  });

  it('undoes itself: 6 then 8, 5 twice, 7 twice, 2 twice, 3 twice', () => {
    const r = randomRaster(5, 3, 7);
    for (const [a, b] of [[6, 8], [8, 6], [5, 5], [7, 7], [2, 2], [3, 3], [4, 4]] as const) {
      const back = orientRaster(orientRaster(r, a), b);
      expect([back.width, back.height]).toEqual([5, 3]);
      expect(back.data).toEqual(r.data);
    }
  });

  it('handles a raster whose bytes are an unaligned subarray', () => {
    const r = randomRaster(4, 3, 3);
    const backing = new Uint8Array(r.data.length + 1);
    backing.set(r.data, 1);
    const unaligned: Raster = { width: 4, height: 3, data: backing.subarray(1) };
    for (let o = 2; o <= 8; o++) expect(orientRaster(unaligned, o).data).toEqual(referenceOrient(r, o).data);
  });

  it('handles an empty raster', () => {
    const out = orientRaster({ width: 0, height: 5, data: new Uint8Array(0) }, 6);
    expect([out.width, out.height, out.data.length]).toEqual([5, 0, 0]);
  });

  it('rotates a 12-megapixel raster in reasonable time', () => {
    const r: Raster = { width: 4000, height: 3000, data: new Uint8Array(4000 * 3000 * 4) };
    r.data[0] = 9; // stored top-left ends at display top-right under rotate 90 CW
    const out = orientRaster(r, 6);
    expect([out.width, out.height]).toEqual([3000, 4000]);
    expect(out.data[(3000 - 1) * 4]).toBe(9);
  });
});
