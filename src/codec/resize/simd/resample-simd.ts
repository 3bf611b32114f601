/**
 * @module codec/resize/simd/resample-simd
 * The separable resampler on the SIMD kernels (kernels.c, built by
 * scripts/build-simd.sh resize into kernels.wasm, committed): the box pre-shrink of
 * codec/resize/resize and the Lanczos3 of codec/resize/resample-js give it their taps (per
 * output index: first source index, tap count, weights), and it runs
 *
 *   per source row:    copy in -> widen to f32 (premultiplying by alpha) -> horizontal taps
 *   per output row:    weighted sum of its source rows' lines -> unpremultiply, round -> copy out
 *
 * Streaming, like the JS kernels: linear memory holds one source row, a ring of
 * horizontally filtered rows and one output row (well under 1 MB for a 3840 w
 * output), never the image, so WASM memory stays small and the pixels stay in JS.
 * Two paths, both within 1 LSB of the scalar JS kernels (test/codec/resize/simd.test.ts):
 * - opaque (straight colour): integer taps (14-20 bits, each output's summing
 *   exactly to one) on i32x4.dot_i16x8_s, two taps per multiply-add, the
 *   filtered rows kept as i16 with 6 fractional bits: libvips' reduceh/reducev
 *   "vector path" approach. Half the ring memory of the float path.
 * - premultiplied (alpha): float32, one RGBA pixel per f32x4.
 * Measured in workerd against the float-only kernels (node bench/resize-ab.mjs,
 * interleaved medians on a loaded machine): 12 MP -> 3840x2880 216 -> 105 ms,
 * -> 1920 w 130 -> 56 ms, -> 300 w 97 -> 22 ms, 2 MP RGBA -> 400 w 22 -> 13 ms.
 */
import kernelsModule from './kernels.wasm';
import { bumpLayout } from '../../wasm/bump-layout';
import { LazyInstance } from '../../wasm/memory';
import type { Raster } from '../../types';

interface KernelExports {
  memory: WebAssembly.Memory;
  __heap_base: WebAssembly.Global;
  convert_row(src: number, n: number, premultiply: number, dst: number): void;
  filter_row(row: number, nOut: number, start: number, count: number, weights: number, stride: number, line: number): void;
  any_transparent(px: number, n: number): number;
  hfilter_fixed(row: number, nOut: number, start: number, pairs: number, groups: number, bits: number, line: number): void;
  vfilter_fixed(rows: number, pairs: number, npairs: number, n: number, bits: number, out: number): void;
  vfilter_float(rows: number, w: number, taps: number, n: number, premultiply: number, scale: number, out: number): void;
}

const kernels = new LazyInstance<KernelExports>('simd', () => {
  const instance = new WebAssembly.Instance(kernelsModule, {});
  const binding = instance.exports as unknown as KernelExports;
  return { binding, memory: binding.memory };
});

/** Per output index along one axis: first source index, tap count, weights (row `stride` apart). */
export interface Taps {
  start: Int32Array;
  count: Int32Array;
  weights: Float32Array;
  stride: number;
}

/**
 * Resamples `r` to outWidth x outHeight with separable taps. Straight colour:
 * every channel is scaled by `scale` after filtering. Premultiplied: colour is
 * the alpha-weighted mean and alpha is scaled by `scale` (1 for normalised
 * weights, 1/area for the box's unnormalised footprints).
 */
export function resampleSeparableSimd(
  r: Raster, outWidth: number, outHeight: number, xs: Taps, ys: Taps, premultiply: boolean, scale: number,
): Raster {
  if (!premultiply) return resampleFixedSimd(r, outWidth, outHeight, xs, ys);
  const k = kernels.get();
  try {
    const inW = r.width;
    const ringSize = ys.stride + 1;
    const lineBytes = outWidth * 16;
    const [startP, countP, weightsP, srcP, rowP, ringP, rowsP, wP, outP] = bumpLayout(k.memory, k.__heap_base, [
      outWidth * 4, outWidth * 4, xs.weights.byteLength, inW * 4, inW * 16, ringSize * lineBytes, ys.stride * 4, ys.stride * 4, outWidth * 4,
    ]) as [number, number, number, number, number, number, number, number, number];
    const heap = new Uint8Array(k.memory.buffer);
    new Int32Array(k.memory.buffer, startP, outWidth).set(xs.start);
    new Int32Array(k.memory.buffer, countP, outWidth).set(xs.count);
    new Float32Array(k.memory.buffer, weightsP, xs.weights.length).set(xs.weights);
    const src = r.data;
    const rowBytes = inW * 4;
    const pm = premultiply ? 1 : 0;
    const rows = new Int32Array(k.memory.buffer, rowsP, ys.stride);
    const rowWeights = new Float32Array(k.memory.buffer, wP, ys.stride);
    const line = rowRing(ringP, lineBytes, ringSize, (sy, lineP) => {
      heap.set(src.subarray(sy * rowBytes, sy * rowBytes + rowBytes), srcP);
      k.convert_row(srcP, inW, pm, rowP);
      k.filter_row(rowP, outWidth, startP, countP, weightsP, xs.stride, lineP);
    });
    const out = new Uint8Array(outWidth * outHeight * 4);
    for (let oy = 0; oy < outHeight; oy++) {
      const first = ys.start[oy]!;
      const n = ys.count[oy]!;
      for (let t = 0; t < n; t++) rows[t] = line(first + t);
      rowWeights.set(ys.weights.subarray(oy * ys.stride, oy * ys.stride + n));
      k.vfilter_float(rowsP, wP, n, outWidth, pm, scale, outP);
      out.set(heap.subarray(outP, outP + outWidth * 4), oy * outWidth * 4);
    }
    return { width: outWidth, height: outHeight, data: out };
  } finally {
    release();
  }
}

/**
 * Coefficient scale (bits) for one axis: as many bits as the largest
 * normalised tap leaves room for in an i16 (a box footprint of 1/57 gets more
 * than Lanczos3's near-1 centre tap), at least 14 (libvips' VIPS_INTERPOLATE_SHIFT
 * precision), at most `cap` (the kernels' i32 sums: 20 horizontally, 15 vertically).
 */
function coefBits(t: Taps, outSize: number, cap: number): number {
  let biggest = 0;
  for (let o = 0; o < outSize; o++) {
    let sum = 0, max = 0;
    for (let k = 0; k < t.count[o]!; k++) {
      const w = t.weights[o * t.stride + k]!;
      sum += w;
      max = Math.max(max, Math.abs(w));
    }
    if (sum !== 0) biggest = Math.max(biggest, max / Math.abs(sum));
  }
  let bits = 14;
  while (bits < cap && Math.ceil(biggest * 2 ** (bits + 1)) <= 32767) bits++;
  return bits;
}

/**
 * One output's taps as integers summing to exactly 1 << bits, so a flat area
 * stays exactly flat: each tap rounded down, then the remainder handed out one
 * unit at a time to the taps that lost the most (largest remainder), so no tap
 * is off by a unit or more. Weights are normalised by their sum first: the
 * box's unnormalised footprints and Lanczos' normalised taps alike.
 */
function quantiseTaps(t: Taps, o: number, bits: number, into: Int32Array, frac: Float64Array): void {
  const n = t.count[o]!;
  const one = 2 ** bits;
  into.fill(0);
  let sum = 0;
  for (let k = 0; k < n; k++) sum += t.weights[o * t.stride + k]!;
  if (!(sum !== 0)) return;
  let total = 0;
  for (let k = 0; k < n; k++) {
    const exact = (t.weights[o * t.stride + k]! / sum) * one;
    const q = Math.floor(exact);
    into[k] = q;
    frac[k] = exact - q;
    total += q;
  }
  for (let left = one - total; left > 0; left--) {
    let best = 0;
    for (let k = 1; k < n; k++) if (frac[k]! > frac[best]!) best = k;
    into[best] = into[best]! + 1;
    frac[best] = -1;
  }
}

/** Two i16 coefficients as the i32 the kernels splat: c0 in the low half, c1 in the high. */
const pack = (c0: number, c1: number) => (c0 & 0xffff) | (c1 << 16);

/**
 * The opaque (straight-colour) path: 14-bit fixed point on i32x4.dot_i16x8_s
 * (kernels.c hfilter_fixed / vfilter_fixed), two taps per multiply-add, the
 * horizontal pass kept in i16 with 6 fractional bits. Same streaming shape as
 * the float path (one source row in, a ring of filtered rows, one output row
 * out), at half its ring memory.
 */
function resampleFixedSimd(r: Raster, outWidth: number, outHeight: number, xs: Taps, ys: Taps): Raster {
  const k = kernels.get();
  try {
    const inW = r.width;
    let maxX = 0;
    for (let o = 0; o < outWidth; o++) maxX = Math.max(maxX, xs.count[o]!);
    const groups = Math.max(1, Math.ceil(maxX / 4));
    const bitsX = coefBits(xs, outWidth, 20);
    const bitsY = coefBits(ys, outHeight, 15);
    // Four output pixels per vertical step, two per horizontal one: pad the width.
    const padW = (outWidth + 3) & ~3;
    const lineBytes = padW * 8;
    const ringSize = ys.stride + 1;
    const maxPairs = Math.max(1, Math.ceil(ys.stride / 2));
    const [startP, pairsP, srcP, ringP, rowsP, vpairsP, outP] = bumpLayout(k.memory, k.__heap_base, [
      padW * 4, padW * groups * 8, (inW + 4 * groups) * 4, ringSize * lineBytes, maxPairs * 8, maxPairs * 4, padW * 4,
    ]) as [number, number, number, number, number, number, number];
    const mem = k.memory.buffer;
    const heap = new Uint8Array(mem);
    heap.fill(0, srcP + inW * 4, srcP + (inW + 4 * groups) * 4); // the zero slack past the row end
    new Int32Array(mem, startP, padW).fill(0).set(xs.start.subarray(0, outWidth));
    const hPairs = new Int32Array(mem, pairsP, padW * groups * 2).fill(0); // padding outputs: all-zero taps
    const q = new Int32Array(Math.max(4 * groups, 2 * maxPairs));
    const frac = new Float64Array(q.length);
    for (let o = 0; o < outWidth; o++) {
      quantiseTaps(xs, o, bitsX, q, frac);
      for (let j = 0; j < 2 * groups; j++) hPairs[o * 2 * groups + j] = pack(q[2 * j]!, q[2 * j + 1]!);
    }
    const rows = new Int32Array(mem, rowsP, maxPairs * 2);
    const vPairs = new Int32Array(mem, vpairsP, maxPairs);
    const src = r.data;
    const rowBytes = inW * 4;
    const line = rowRing(ringP, lineBytes, ringSize, (sy, lineP) => {
      heap.set(src.subarray(sy * rowBytes, sy * rowBytes + rowBytes), srcP);
      k.hfilter_fixed(srcP, padW, startP, pairsP, groups, bitsX, lineP);
    });
    const out = new Uint8Array(outWidth * outHeight * 4);
    for (let oy = 0; oy < outHeight; oy++) {
      const first = ys.start[oy]!;
      const n = ys.count[oy]!;
      quantiseTaps(ys, oy, bitsY, q, frac);
      for (let t = 0; t < n; t++) rows[t] = line(first + t);
      const npairs = (n + 1) >> 1;
      if (n & 1) rows[n] = rows[n - 1]!; // its coefficient is 0
      for (let j = 0; j < npairs; j++) vPairs[j] = pack(q[2 * j]!, q[2 * j + 1]!);
      k.vfilter_fixed(rowsP, vpairsP, npairs, padW * 4, bitsY, outP);
      out.set(heap.subarray(outP, outP + outWidth * 4), oy * outWidth * 4);
    }
    return { width: outWidth, height: outHeight, data: out };
  } finally {
    release();
  }
}

/**
 * The ring of horizontally filtered source rows the vertical taps read, `size`
 * lines of `lineBytes` at `ringP`: `filter(sy, lineP)` fills a line, once per
 * source row; the returned function gives the line holding row `sy`.
 */
function rowRing(ringP: number, lineBytes: number, size: number, filter: (sy: number, lineP: number) => void): (sy: number) => number {
  const held = new Int32Array(size).fill(-1);
  return (sy) => {
    const slot = sy % size;
    const lineP = ringP + slot * lineBytes;
    if (held[slot] !== sy) {
      filter(sy, lineP);
      held[slot] = sy;
    }
    return lineP;
  };
}

/**
 * The instance lives for one call: re-instantiating the 2 KB module costs
 * microseconds, and no kernel memory then sits beside a codec's between stages
 * (nor survives a trap).
 */
function release(): void {
  kernels.drop();
}

/** Chunk the alpha scan copies through linear memory (no image-sized WASM memory). */
const SCAN_CHUNK_PIXELS = 16384;

/** True when any pixel of the RGBA8 raster is not fully opaque (SIMD, 16 pixels per step). */
export function anyTransparentSimd(data: Uint8Array): boolean {
  const k = kernels.get();
  try {
    const [bufP] = bumpLayout(k.memory, k.__heap_base, [SCAN_CHUNK_PIXELS * 4]) as [number];
    const heap = new Uint8Array(k.memory.buffer);
    const pixels = data.length >> 2;
    for (let p = 0; p < pixels; p += SCAN_CHUNK_PIXELS) {
      const n = Math.min(SCAN_CHUNK_PIXELS, pixels - p);
      heap.set(data.subarray(p * 4, (p + n) * 4), bufP);
      if (k.any_transparent(bufP, n)) return true;
    }
    return false;
  } finally {
    release();
  }
}
