/**
 * @module color/simd/convert-simd
 * Matrix/TRC -> sRGB on the simd128 kernel (convert.c, built by
 * scripts/build-simd.sh color into convert.wasm, committed): color/matrix
 * applyMatrixTransform's loop, the same integer arithmetic and tables, so the
 * same bytes (test/color/simd.test.ts), about 3x faster in workerd (JS: 133 ms
 * for a 3840x2880 P3 image).
 *
 * The pixels stay in JS: they go through the kernel's memory in chunks of
 * CHUNK_PIXELS (64 KB), beside the tables (19 KB), so the instance stays under
 * 256 KB. Like the resampler's kernels it is made per call and dropped after,
 * never live between stages.
 */
import convertModule from './convert.wasm';
import { bumpLayout } from '../../codec/wasm/bump-layout';
import { LazyInstance } from '../../codec/wasm/memory';
import { conversionTables, type MatrixTransform } from '../matrix';

interface ConvertExports {
  memory: WebAssembly.Memory;
  __heap_base: WebAssembly.Global;
  convert(px: number, n: number, lin: number, coef: number, enc: number): void;
}

const kernel = new LazyInstance<ConvertExports>('color-simd', () => {
  const binding = new WebAssembly.Instance(convertModule, {}).exports as unknown as ConvertExports;
  return { binding, memory: binding.memory };
});

const CHUNK_PIXELS = 16384;

/** Converts RGBA8 `data` to sRGB in place under `t` (alpha untouched). */
export function applyMatrixTransformSimd(t: MatrixTransform, data: Uint8Array): void {
  const { lin, coef, enc } = conversionTables(t);
  const k = kernel.get();
  try {
    const [linP, coefP, encP, pxP] = bumpLayout(k.memory, k.__heap_base, [3 * 256 * 4, 9 * 4, enc.length, CHUNK_PIXELS * 4]) as [number, number, number, number];
    const heap = new Uint8Array(k.memory.buffer);
    const words = new Int32Array(k.memory.buffer);
    words.set(lin[0], linP >> 2);
    words.set(lin[1], (linP >> 2) + 256);
    words.set(lin[2], (linP >> 2) + 512);
    words.set(coef, coefP >> 2);
    heap.set(enc, encP);
    const pixels = data.length >> 2;
    for (let p = 0; p < pixels; p += CHUNK_PIXELS) {
      const n = Math.min(CHUNK_PIXELS, pixels - p);
      const chunk = data.subarray(p * 4, (p + n) * 4);
      heap.set(chunk, pxP);
      k.convert(pxP, n, linP, coefP, encP);
      chunk.set(heap.subarray(pxP, pxP + n * 4));
    }
  } finally {
    kernel.drop();
  }
}
