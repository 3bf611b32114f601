/**
 * @module codec/resize/squoosh-resize
 * Binding to the Rust `resize` crate build of `@jsquash/resize`
 * (squoosh_resize_bg.wasm). Its wasm-bindgen glue keeps a single instance in a
 * module-private variable; ours is lazy and droppable like every other codec.
 * The module has no imports, so this is the whole glue.
 */
// @ts-ignore TS1192: the package's own .wasm.d.ts types the instance exports,
// but wrangler's default import of a .wasm file is the compiled WebAssembly.Module.
import resizeModule from '@jsquash/resize/lib/resize/pkg/squoosh_resize_bg.wasm';
import { LazyInstance } from '../wasm/memory';

interface ResizeExports {
  memory: WebAssembly.Memory;
  resize(
    retptr: number, ptr: number, len: number,
    inWidth: number, inHeight: number, outWidth: number, outHeight: number,
    method: number, premultiply: number, linearRgb: number,
  ): void;
  __wbindgen_add_to_stack_pointer(delta: number): number;
  __wbindgen_malloc(size: number, align: number): number;
  __wbindgen_free(ptr: number, size: number, align: number): void;
}

/** Filter indices of the crate's `Type` enum, as in @jsquash/resize. */
export const ResizeMethod = { triangle: 0, catrom: 1, mitchell: 2, lanczos3: 3 } as const;

const squooshResize = new LazyInstance<ResizeExports>('resize', () => {
  const instance = new WebAssembly.Instance(resizeModule, {});
  const binding = instance.exports as unknown as ResizeExports;
  return { binding, memory: binding.memory };
});

/** Resamples RGBA8 `data` to outWidth x outHeight with a separable filter. */
export function resampleRgba(
  data: Uint8Array, inWidth: number, inHeight: number, outWidth: number, outHeight: number,
  method: number, premultiply: boolean, linearRgb: boolean,
): Uint8Array {
  const wasm = squooshResize.get();
  try {
    const retptr = wasm.__wbindgen_add_to_stack_pointer(-16);
    try {
      const ptr = wasm.__wbindgen_malloc(data.length, 1) >>> 0;
      new Uint8Array(wasm.memory.buffer).set(data, ptr);
      // The input Vec is owned (and freed) by Rust.
      wasm.resize(retptr, ptr, data.length, inWidth, inHeight, outWidth, outHeight, method, premultiply ? 1 : 0, linearRgb ? 1 : 0);
      const [outPtr = 0, outLen = 0] = new Int32Array(wasm.memory.buffer, retptr, 2);
      const out = new Uint8Array(wasm.memory.buffer, outPtr >>> 0, outLen).slice();
      wasm.__wbindgen_free(outPtr, outLen, 1);
      return out;
    } finally {
      wasm.__wbindgen_add_to_stack_pointer(16);
    }
  } catch (err) {
    squooshResize.drop();
    throw err;
  }
}
