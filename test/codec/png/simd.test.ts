/**
 * The SIMD PNG filters (src/codec/png/simd): unfilter_row, expand_rgb and
 * filter_row against scalar implementations of PNG spec §9 written here (exact,
 * on random rows of every width around the 16-byte vector and the 3/4-byte
 * pixel), and the committed binary is the one scripts/build-simd.sh png
 * produces (rebuilt byte for byte where clang-14 is installed; otherwise its
 * sha256 against the manifest the build script wrote).
 */
import { describe, expect, it } from 'vitest';
import filtersModule from '../../../src/codec/png/simd/filters.wasm';
import { PngRowKernels } from '../../../src/codec/png/simd/filters-simd';
import { ORIGIN } from '../../support/worker';
import { seededRandom } from '../../support/random';

/** The textbook Paeth predictor (PNG spec §9.4). */
function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Prediction of byte i by filter f, from the original row x and the row above b (§9.2). */
function predict(f: number, x: Uint8Array, prev: Uint8Array, i: number, bpp: number): number {
  const a = i >= bpp ? x[i - bpp]! : 0, b = prev[i]!, c = i >= bpp ? prev[i - bpp]! : 0;
  return [0, a, b, (a + b) >> 1, paeth(a, b, c)][f]!;
}

function randomRow(rnd: () => number, n: number, smooth: boolean): Uint8Array {
  // Smooth rows (small steps) as well as noise, so every Paeth branch and every filter wins somewhere.
  const row = new Uint8Array(n);
  let v = Math.floor(rnd() * 256);
  for (let i = 0; i < n; i++) row[i] = smooth ? (v = (v + Math.floor(rnd() * 9) - 4) & 255) : Math.floor(rnd() * 256);
  return row;
}

const WIDTHS = [1, 2, 3, 4, 5, 6, 7, 8, 15, 16, 17, 31, 33, 64, 101, 1000];

describe('SIMD unfilter_row and expand_rgb', () => {
  for (const bpp of [3, 4] as const) {
    it(`${bpp}-byte pixels: every filter reconstructs the original row exactly`, () => {
      const rnd = seededRandom(bpp * 101);
      let checked = 0;
      for (const width of WIDTHS) {
        const n = width * bpp;
        const k = new PngRowKernels(n, bpp);
        for (const smooth of [false, true]) {
          for (let f = 0; f <= 4; f++) {
            const prev = randomRow(rnd, n, smooth), row = randomRow(rnd, n, smooth);
            const filtered = row.map((v, i) => (v - predict(f, row, prev, i, bpp)) & 255);
            const [cur, above] = k.slots;
            above.set(prev);
            cur.set(filtered);
            k.unfilter(f, cur, above, n);
            expect(Array.from(cur), `filter ${f}, ${width} px`).toEqual(Array.from(row));
            // The first row of an image reconstructs against the zero row.
            const first = row.map((v, i) => (v - predict(f, row, new Uint8Array(n), i, bpp)) & 255);
            cur.set(first);
            k.unfilter(f, cur, k.zero, n);
            expect(Array.from(cur), `filter ${f}, ${width} px, first row`).toEqual(Array.from(row));
            checked++;
          }
        }
      }
      expect(checked).toBe(WIDTHS.length * 10);
    });
  }

  it('expand_rgb: RGB to opaque RGBA for every width', () => {
    const rnd = seededRandom(9);
    for (const width of WIDTHS) {
      const k = new PngRowKernels(width * 3, 3);
      const rgb = randomRow(rnd, width * 3, false);
      k.slots[0].set(rgb);
      const rgba = Array.from({ length: width * 4 }, (_, i) => ((i & 3) === 3 ? 255 : rgb[(i >> 2) * 3 + (i & 3)]!));
      expect(Array.from(k.expandRgb(k.slots[0], width)), `${width} px`).toEqual(rgba);
    }
  });
});

describe('SIMD filter_row', () => {
  for (const bpp of [1, 2, 3, 4]) {
    it(`${bpp}-byte pixels: the cheapest filter by libpng's cost, ties to the lower type, and its exact residuals`, () => {
      const rnd = seededRandom(bpp * 7);
      const chosen = new Set<number>();
      for (const width of WIDTHS) {
        const n = width * bpp;
        const k = new PngRowKernels(n, bpp);
        for (let t = 0; t < 12; t++) {
          const smooth = t % 3 !== 0;
          const prev = t % 4 === 3 ? new Uint8Array(n) : randomRow(rnd, n, smooth);
          const row = t % 6 === 5 ? prev.slice() : randomRow(rnd, n, smooth); // a row equal to the one above: Up wins
          const costs = [0, 1, 2, 3, 4].map((f) => row.reduce((s, v, i) => {
            const r = (v - predict(f, row, prev, i, bpp)) & 255;
            return s + (r < 128 ? r : 256 - r);
          }, 0));
          const best = costs.indexOf(Math.min(...costs));
          chosen.add(best);
          const [cur, above] = k.slots;
          cur.set(row);
          above.set(prev);
          const out = new Uint8Array(n + 1);
          k.filter(cur, above, out);
          expect(out[0], `${width} px, row ${t}: costs ${costs}`).toBe(best);
          const residuals = Array.from(row, (v, i) => (v - predict(best, row, prev, i, bpp)) & 255);
          expect(Array.from(out.subarray(1)), `${width} px, row ${t}`).toEqual(residuals);
        }
      }
      expect(chosen.size, 'several filters won somewhere').toBeGreaterThanOrEqual(3);
    });
  }
});

describe('the committed PNG SIMD binary', () => {
  it('is what scripts/build-simd.sh png builds (rebuilt byte for byte with clang-14, else sha256 = manifest)', async () => {
    const res = await fetch(`${ORIGIN}/__png-simd-build`);
    const report = (await res.json()) as { toolchain: string | null; committedSha256: string; manifestSha256: string; rebuiltSha256: string | null; identical: boolean | null };
    expect(report.committedSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(report.committedSha256).toBe(report.manifestSha256);
    if (report.toolchain) {
      console.log(`MEASURE png simd rebuild with ${report.toolchain}: sha256 ${report.rebuiltSha256}`);
      expect(report.rebuiltSha256).toBe(report.committedSha256);
      expect(report.identical).toBe(true);
    }
    // The module the Worker imports is that binary: its exports are the kernels'.
    expect(WebAssembly.Module.exports(filtersModule).map((e) => e.name).sort()).toEqual(
      ['__heap_base', 'expand_rgb', 'filter_row', 'memory', 'unfilter_row'],
    );
  });
});
