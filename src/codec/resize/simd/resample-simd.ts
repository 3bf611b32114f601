/**
 * @module codec/resize/simd/resample-simd
 * The separable resampler on the SIMD kernels (kernels.c, built by
 * scripts/build-simd.sh into kernels.wasm, committed): the box pre-shrink of
 * codec/resize/resize and the Lanczos3 of codec/resize/resample-js give it their taps (per
 * output index: first source index, tap count, weights), and it runs
 *
 *   per source row:    copy in -> widen to f32 (premultiplying by alpha) -> horizontal taps
 *   per output row:    weighted sum of its source rows' lines -> unpremultiply, round -> copy out
 *
 * Streaming, like the JS kernels: linear memory holds one source row, a ring of
 * horizontally filtered rows and one output row (well under 1 MB for a 3840 w
 * output), never the image, so WASM memory stays small and the pixels stay in JS.
 * Float32 throughout; matches the scalar JS kernels within 1 LSB
 * (test/codec/resize/simd.test.ts).
 */
import kernelsModule from './kernels.wasm';
import { LazyInstance } from '../../wasm/memory';
import type { Raster } from '../../types';

interface KernelExports {
  memory: WebAssembly.Memory;
  __heap_base: WebAssembly.Global;
  convert_row(src: number, n: number, premultiply: number, dst: number): void;
  filter_row(row: number, nOut: number, start: number, count: number, weights: number, stride: number, line: number): void;
  accumulate(acc: number, line: number, n: number, w: number, first: number): void;
  emit_row(acc: number, n: number, premultiply: number, scale: number, out: number): void;
  any_transparent(px: number, n: number): number;
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

/** Bump layout above __heap_base, 16-byte aligned; grows the memory once for the whole job. */
function layout(k: KernelExports, sizes: number[]): number[] {
  let at = (k.__heap_base.value as number + 15) & ~15;
  const ptrs = sizes.map((s) => {
    const p = at;
    at = (at + s + 15) & ~15;
    return p;
  });
  const missing = at - k.memory.buffer.byteLength;
  if (missing > 0) k.memory.grow(Math.ceil(missing / 65536));
  return ptrs;
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
  const k = kernels.get();
  try {
    const inW = r.width;
    const ringSize = ys.stride + 1;
    const lineBytes = outWidth * 16;
    const [startP, countP, weightsP, srcP, rowP, ringP, accP, outP] = layout(k, [
      outWidth * 4, outWidth * 4, xs.weights.byteLength, inW * 4, inW * 16, ringSize * lineBytes, lineBytes, outWidth * 4,
    ]) as [number, number, number, number, number, number, number, number];
    const heap = new Uint8Array(k.memory.buffer);
    new Int32Array(k.memory.buffer, startP, outWidth).set(xs.start);
    new Int32Array(k.memory.buffer, countP, outWidth).set(xs.count);
    new Float32Array(k.memory.buffer, weightsP, xs.weights.length).set(xs.weights);
    const ringRow = new Int32Array(ringSize).fill(-1);
    const src = r.data;
    const rowBytes = inW * 4;
    const pm = premultiply ? 1 : 0;
    const out = new Uint8Array(outWidth * outHeight * 4);
    for (let oy = 0; oy < outHeight; oy++) {
      const first = ys.start[oy]!;
      const n = ys.count[oy]!;
      if (n === 0) k.accumulate(accP, accP, outWidth * 4, 0, 1);
      for (let t = 0; t < n; t++) {
        const sy = first + t;
        const slot = sy % ringSize;
        const lineP = ringP + slot * lineBytes;
        if (ringRow[slot] !== sy) {
          heap.set(src.subarray(sy * rowBytes, sy * rowBytes + rowBytes), srcP);
          k.convert_row(srcP, inW, pm, rowP);
          k.filter_row(rowP, outWidth, startP, countP, weightsP, xs.stride, lineP);
          ringRow[slot] = sy;
        }
        k.accumulate(accP, lineP, outWidth * 4, ys.weights[oy * ys.stride + t]!, t === 0 ? 1 : 0);
      }
      k.emit_row(accP, outWidth, pm, scale, outP);
      out.set(heap.subarray(outP, outP + outWidth * 4), oy * outWidth * 4);
    }
    return { width: outWidth, height: outHeight, data: out };
  } finally {
    release();
  }
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
    const [bufP] = layout(k, [SCAN_CHUNK_PIXELS * 4]) as [number];
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
