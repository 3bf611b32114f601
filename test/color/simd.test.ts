/**
 * The simd128 colour kernel (src/color/simd): for matrix/TRC sources it gives
 * color/matrix applyMatrixTransform's bytes exactly (the JS loop it replaces, same
 * integer arithmetic), on random pixels across chunk boundaries and the scalar
 * tail, for the colour spaces phones and cameras write; alpha is untouched; the
 * committed binary is what scripts/build-simd.sh color builds; timings as MEASURE.
 */
import { describe, expect, it } from 'vitest';
import convertModule from '../../src/color/simd/convert.wasm';
import { applyMatrixTransformSimd } from '../../src/color/simd/convert-simd';
import type { Curve } from '../../src/color/icc';
import { applyMatrixTransform, buildMatrixTransform, matrixFromPrimaries, SRGB_CURVE, type Chromaticities } from '../../src/color/matrix';
import { seededRandom } from '../support/random';
import { ORIGIN } from '../support/worker';

const D65: [number, number] = [0.3127, 0.329];
const SPACES: [string, Chromaticities, Curve][] = [
  ['Display P3', { red: [0.68, 0.32], green: [0.265, 0.69], blue: [0.15, 0.06], white: D65 }, SRGB_CURVE],
  ['Adobe RGB (1998)', { red: [0.64, 0.33], green: [0.21, 0.71], blue: [0.15, 0.06], white: D65 }, { kind: 'gamma', gamma: 563 / 256 }],
  ['ProPhoto (D50, gamma 1.8)', { red: [0.7347, 0.2653], green: [0.1596, 0.8404], blue: [0.0366, 0.0001], white: [0.3457, 0.3585] }, { kind: 'gamma', gamma: 1.8 }],
  ['BT.2020 (BT.709 curve)', { red: [0.708, 0.292], green: [0.17, 0.797], blue: [0.131, 0.046], white: D65 }, { kind: 'para', fn: 3, g: 1 / 0.45, a: 1 / 1.099, b: 0.099 / 1.099, c: 1 / 4.5, d: 0.081, e: 0, f: 0 }],
];

function randomPixels(n: number, seed: number): Uint8Array {
  const rand = seededRandom(seed);
  const data = new Uint8Array(n * 4);
  for (let i = 0; i < data.length; i++) data[i] = (rand() * 256) | 0;
  return data;
}

describe('SIMD colour conversion equals the JS loop', () => {
  // 1, 3 (all tail), 4, one chunk exactly, two chunks plus a 3-pixel tail.
  const COUNTS = [1, 3, 4, 16384, 2 * 16384 + 3];
  for (const [name, primaries, curve] of SPACES) {
    it(`${name}: same bytes, alpha untouched`, () => {
      const t = buildMatrixTransform(matrixFromPrimaries(primaries), [curve, curve, curve]);
      for (const [k, n] of COUNTS.entries()) {
        const src = randomPixels(n, 31 + k);
        const js = src.slice();
        const simd = src.slice();
        applyMatrixTransform(t, js);
        applyMatrixTransformSimd(t, simd);
        expect(Buffer.from(simd).equals(Buffer.from(js)), `${name}, ${n} pixels`).toBe(true);
        for (let i = 3; i < src.length; i += 4) if (simd[i] !== src[i]) throw new Error(`alpha changed at pixel ${i >> 2}`);
        // The control: on more than a few pixels the conversion does change colours.
        if (n >= 4) expect(Buffer.from(simd).equals(Buffer.from(src)), `${name}, ${n} pixels changed`).toBe(false);
      }
    });
  }
});

describe('the committed colour kernel', () => {
  it('is what scripts/build-simd.sh color builds (byte for byte with clang-14, else sha256 = manifest)', async () => {
    const report = (await (await fetch(`${ORIGIN}/__color-simd-build`)).json()) as { toolchain: string | null; committedSha256: string; manifestSha256: string; rebuiltSha256: string | null; identical: boolean | null };
    expect(report.committedSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(report.committedSha256).toBe(report.manifestSha256);
    if (report.toolchain) {
      expect(report.rebuiltSha256).toBe(report.committedSha256);
      expect(report.identical).toBe(true);
    }
    expect(WebAssembly.Module.exports(convertModule).map((e) => e.name).sort()).toEqual(['__heap_base', 'convert', 'memory']);
  });
});

describe('colour timings (MEASURE, not asserted)', () => {
  it('Display P3 -> sRGB at 3840x2880 and 1920x1440', () => {
    const t = buildMatrixTransform(matrixFromPrimaries(SPACES[0]![1]), [SRGB_CURVE, SRGB_CURVE, SRGB_CURVE]);
    for (const [w, h] of [[3840, 2880], [1920, 1440]] as const) {
      const src = randomPixels(w * h, 7);
      const ms = { js: [] as number[], simd: [] as number[] };
      for (let r = 0; r < 5; r++) {
        // Two call sites, so neither function is timed through a shared (polymorphic) one.
        let d = src.slice();
        let t0 = performance.now();
        applyMatrixTransform(t, d);
        ms.js.push(performance.now() - t0);
        d = src.slice();
        t0 = performance.now();
        applyMatrixTransformSimd(t, d);
        ms.simd.push(performance.now() - t0);
      }
      const med = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1]!;
      console.log(`MEASURE colour P3 -> sRGB ${w}x${h}: JS ${med(ms.js).toFixed(0)} ms, simd128 ${med(ms.simd).toFixed(0)} ms`);
    }
  });
});
