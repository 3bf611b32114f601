/**
 * The SIMD kernels (src/codec/resize/simd): the same results as the scalar JS kernels
 * they replace on random inputs (within 1 LSB per channel), the committed
 * binary is the one its build script produces (rebuilt byte for byte where
 * clang-14 is installed; otherwise its sha256 against the manifest the build
 * script wrote), and timings against the scalar paths as MEASURE lines.
 */
import { describe, expect, it } from 'vitest';
import kernelsModule from '../../../src/codec/resize/simd/kernels.wasm';
import { shrinkByArea, shrinkByAreaJs } from '../../../src/codec/resize/resize';
import { resampleLanczos3Js, resampleLanczos3Simd } from '../../../src/codec/resize/resample-js';
import { anyTransparentSimd } from '../../../src/codec/resize/simd/resample-simd';
import { ResizeMethod, resampleRgba } from '../../../src/codec/resize/squoosh-resize';
import type { Raster } from '../../../src/codec/types';
import { ORIGIN } from '../../support/worker';
import { seededRandom } from '../../support/random';
import { smoothPattern } from '../synth';

/** Random RGBA; alpha random, all 255, or a mix of 0, 255 and random (the hard case for premultiplying). */
function randomRaster(width: number, height: number, seed: number, alpha: 'random' | 'opaque' | 'mixed'): Raster {
  const rand = seededRandom(seed);
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < data.length; i += 4) {
    data[i] = (rand() * 256) | 0;
    data[i + 1] = (rand() * 256) | 0;
    data[i + 2] = (rand() * 256) | 0;
    const u = rand();
    data[i + 3] = alpha === 'opaque' ? 255 : alpha === 'random' ? (u * 256) | 0 : u < 0.3 ? 0 : u < 0.6 ? 255 : (rand() * 256) | 0;
  }
  return { width, height, data };
}

/** Largest per-channel difference, and how many channels differ at all. */
function compare(a: Raster, b: Raster): { max: number; differing: number } {
  expect([a.width, a.height]).toEqual([b.width, b.height]);
  let max = 0, differing = 0;
  for (let i = 0; i < a.data.length; i++) {
    const d = Math.abs(a.data[i]! - b.data[i]!);
    if (d) differing++;
    if (d > max) max = d;
  }
  return { max, differing };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
function time(fn: () => unknown, runs = 5): number {
  fn();
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    ms.push(performance.now() - t);
  }
  return median(ms);
}

describe('SIMD resampling matches the scalar kernels', () => {
  const SIZES: [number, number, number, number][] = [
    [97, 61, 31, 17], // box factor 3 with remainders, odd sizes
    [640, 480, 160, 120], // factor 4 exactly
    [333, 250, 40, 40], // different factors per axis
    [50, 400, 20, 7],
    [400, 300, 192, 144], // Lanczos3 at 384x288: the near-1:1 shape of 4000 -> 3840
    [1000, 40, 15, 3], // box factor 66 on x: the fixed-point path's widest footprints
  ];
  for (const [sw, sh, tw, th] of SIZES) {
    for (const alpha of ['opaque', 'random', 'mixed'] as const) {
      const premultiply = alpha !== 'opaque';
      it(`box ${sw}x${sh} -> ${tw}x${th}, alpha ${alpha}: within 1 LSB`, () => {
        const src = randomRaster(sw, sh, sw * 7 + tw, alpha);
        const { max, differing } = compare(shrinkByArea(src, tw, th, premultiply), shrinkByAreaJs(src, tw, th, premultiply));
        expect(max).toBeLessThanOrEqual(1);
        expect(differing / (tw * th * 4)).toBeLessThan(0.01); // float32 vs float64 rounding, or fixed point's: rare
      });
      it(`Lanczos3 ${sw}x${sh} -> ${tw * 2}x${th * 2}, alpha ${alpha}: within 1 LSB`, () => {
        const src = randomRaster(sw, sh, sw * 11 + th, alpha);
        const w = Math.min(sw, tw * 2), h = Math.min(sh, th * 2);
        const { max, differing } = compare(resampleLanczos3Simd(src, w, h, premultiply), resampleLanczos3Js(src, w, h, premultiply));
        expect(max).toBeLessThanOrEqual(1);
        expect(differing / (w * h * 4)).toBeLessThan(0.01);
      });
    }
  }
  it('Lanczos3 enlarging and identity-sized axes also match', () => {
    const src = randomRaster(64, 48, 3, 'mixed');
    for (const [w, h] of [[128, 96], [64, 20], [30, 48]] as const) {
      expect(compare(resampleLanczos3Simd(src, w, h, true), resampleLanczos3Js(src, w, h, true)).max).toBeLessThanOrEqual(1);
    }
  });
  it('opaque (fixed-point) path: a flat colour stays exactly flat, hard edges stay within 1 LSB', () => {
    // Each output's integer taps sum to exactly 1 << bits, so no flat area drifts by a rounding unit.
    const flat: Raster = { width: 301, height: 203, data: new Uint8Array(301 * 203 * 4) };
    for (let i = 0; i < flat.data.length; i += 4) flat.data.set([17, 128, 254, 255], i);
    for (const [w, h] of [[290, 200], [100, 67], [7, 5]] as const) {
      const outs = [resampleLanczos3Simd(flat, w, h, false), shrinkByArea(flat, w, h, false)];
      for (const o of outs) for (let i = 0; i < o.data.length; i += 4) expect([...o.data.subarray(i, i + 4)]).toEqual([17, 128, 254, 255]);
    }
    // Black/white stripes: Lanczos3's over- and undershoot (beyond 0..255 before clamping) must survive the i16 intermediate.
    const stripes: Raster = { width: 240, height: 160, data: new Uint8Array(240 * 160 * 4) };
    for (let y = 0; y < 160; y++) for (let x = 0; x < 240; x++) {
      const v = ((x >> 2) + (y >> 3)) & 1 ? 255 : 0;
      stripes.data.set([v, 255 - v, v, 255], (y * 240 + x) * 4);
    }
    for (const [w, h] of [[230, 150], [97, 61], [240, 77]] as const) {
      expect(compare(resampleLanczos3Simd(stripes, w, h, false), resampleLanczos3Js(stripes, w, h, false)).max).toBeLessThanOrEqual(1);
    }
  });
  it('opaque (fixed-point) path: 1-pixel-wide, 1-pixel-tall and 1x1 outputs match too', () => {
    const src = randomRaster(37, 23, 5, 'opaque');
    for (const [w, h] of [[1, 1], [1, 23], [37, 1], [3, 2], [5, 23]] as const) {
      expect(compare(resampleLanczos3Simd(src, w, h, false), resampleLanczos3Js(src, w, h, false)).max, `${w}x${h}`).toBeLessThanOrEqual(1);
      expect(compare(shrinkByArea(src, w, h, false), shrinkByAreaJs(src, w, h, false)).max, `box ${w}x${h}`).toBeLessThanOrEqual(1);
    }
  });
  it('a 1x1 output of a fully transparent source stays transparent black', () => {
    const src: Raster = { width: 40, height: 40, data: new Uint8Array(40 * 40 * 4).fill(200).map((v, i) => (i % 4 === 3 ? 0 : v)) };
    expect([...shrinkByArea(src, 1, 1, true).data]).toEqual([0, 0, 0, 0]);
    expect([...resampleLanczos3Simd(src, 1, 1, true).data]).toEqual([0, 0, 0, 0]);
  });
});

describe('SIMD alpha scan', () => {
  it('finds the one transparent pixel wherever it is, and none in an opaque raster', () => {
    for (const pixels of [1, 15, 16, 17, 16384, 16385, 100_003]) {
      const data = new Uint8Array(pixels * 4).fill(255);
      expect(anyTransparentSimd(data)).toBe(false);
      for (const at of [0, pixels >> 1, pixels - 1]) {
        data[at * 4 + 3] = 254;
        expect(anyTransparentSimd(data), `${pixels} px, pixel ${at}`).toBe(true);
        data[at * 4 + 3] = 255;
      }
      data[0] = 0; // colour channels do not count
      expect(anyTransparentSimd(data)).toBe(false);
    }
  });
});

describe('the committed SIMD binary', () => {
  it('is what scripts/build-simd.sh resize builds (rebuilt byte for byte with clang-14, else sha256 = manifest)', async () => {
    const res = await fetch(`${ORIGIN}/__simd-build`);
    const report = (await res.json()) as { toolchain: string | null; committedSha256: string; manifestSha256: string; rebuiltSha256: string | null; identical: boolean | null };
    expect(report.committedSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(report.committedSha256).toBe(report.manifestSha256);
    if (report.toolchain) {
      console.log(`MEASURE simd rebuild with ${report.toolchain}: sha256 ${report.rebuiltSha256}`);
      expect(report.rebuiltSha256).toBe(report.committedSha256);
      expect(report.identical).toBe(true);
    }
    // The module the Worker imports is that binary: its exports are the kernels'.
    expect(WebAssembly.Module.exports(kernelsModule).map((e) => e.name).sort()).toEqual(
      ['__heap_base', 'any_transparent', 'convert_row', 'filter_row', 'hfilter_fixed', 'memory', 'vfilter_fixed', 'vfilter_float'],
    );
  });
});

describe('SIMD timings (MEASURE, not asserted)', () => {
  it('box, Lanczos3 and the alpha scan against the scalar paths', () => {
    const photo = smoothPattern(4000, 3000);
    const cases: [string, Raster, number, number][] = [
      ['box 4000x3000 -> 1000x750', photo, 1000, 750],
      ['box 1732x1155 -> 866x578 (premultiplied)', randomRaster(1732, 1155, 1, 'mixed'), 866, 578],
    ];
    for (const [name, src, w, h] of cases) {
      const pm = name.includes('premultiplied');
      const js = time(() => shrinkByAreaJs(src, w, h, pm), 3);
      const simd = time(() => shrinkByArea(src, w, h, pm), 3);
      console.log(`MEASURE simd ${name}: scalar JS ${js.toFixed(1)} ms, SIMD ${simd.toFixed(1)} ms (${(js / simd).toFixed(2)}x)`);
    }
    const thumbIn = smoothPattern(500, 375);
    const lanczos: [string, Raster, number, number, boolean][] = [
      ['Lanczos3 500x375 -> 300x225', thumbIn, 300, 225, false],
      ['Lanczos3 866x578 -> 400x267 (premultiplied)', randomRaster(866, 578, 2, 'mixed'), 400, 267, true],
      ['Lanczos3 2000x1500 -> 1200x900', smoothPattern(2000, 1500), 1200, 900, false],
    ];
    for (const [name, src, w, h, pm] of lanczos) {
      const rust = time(() => resampleRgba(src.data, src.width, src.height, w, h, ResizeMethod.lanczos3, pm, false));
      const js = time(() => resampleLanczos3Js(src, w, h, pm), 3);
      const simd = time(() => resampleLanczos3Simd(src, w, h, pm));
      console.log(`MEASURE simd ${name}: Rust WASM (squoosh) ${rust.toFixed(1)} ms, scalar JS ${js.toFixed(1)} ms, SIMD ${simd.toFixed(1)} ms`);
    }
    const big = photo;
    const js = time(() => resampleLanczos3Js(big, 3840, 2880, false), 1);
    const simd = time(() => resampleLanczos3Simd(big, 3840, 2880, false), 1);
    console.log(`MEASURE simd Lanczos3 4000x3000 -> 3840x2880 (the large-output path): scalar JS ${js.toFixed(0)} ms, SIMD ${simd.toFixed(0)} ms`);
    const opaque = new Uint8Array(4000 * 3000 * 4).fill(255);
    const scanJs = time(() => {
      for (let i = 3; i < opaque.length; i += 4) if (opaque[i] !== 255) return true;
      return false;
    });
    const scanSimd = time(() => anyTransparentSimd(opaque));
    console.log(`MEASURE simd alpha scan 12 MP opaque: scalar JS ${scanJs.toFixed(1)} ms, SIMD (copied through 64 KB) ${scanSimd.toFixed(1)} ms`);
  });
});
