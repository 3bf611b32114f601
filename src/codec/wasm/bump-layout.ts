/**
 * @module codec/wasm/bump-layout
 * Buffer layout for our freestanding SIMD modules (codec/resize/simd,
 * codec/png/simd), which have no allocator: the caller places each buffer
 * above `__heap_base`, 16-byte aligned for v128 loads, and grows the memory
 * once for the whole job, so views made afterwards stay valid.
 */

/** Start offsets of blocks of `sizes` bytes, bump-allocated above `__heap_base`; grows `memory` to hold them. */
export function bumpLayout(memory: WebAssembly.Memory, heapBase: WebAssembly.Global, sizes: number[]): number[] {
  let at = ((heapBase.value as number) + 15) & ~15;
  const ptrs = sizes.map((s) => {
    const p = at;
    at = (at + s + 15) & ~15;
    return p;
  });
  const missing = at - memory.buffer.byteLength;
  if (missing > 0) memory.grow(Math.ceil(missing / 65536));
  return ptrs;
}
