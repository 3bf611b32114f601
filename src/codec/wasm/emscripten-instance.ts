/**
 * @module codec/wasm/emscripten-instance
 * One Emscripten factory call over a module wrangler compiled at upload: what
 * every Emscripten codec here (jSquash's libwebp/libavif, LittleCMS, libheif,
 * the arithmetic-coded libjpeg build) does to get a fresh, droppable instance.
 *
 * Workers cannot compile WASM from bytes at run time, so the glue's own loader
 * (fetch + compile) must never run: `instantiateWasm` hands it an instance of
 * the imported module instead. Output to stdout/stderr is discarded; callers
 * turn a codec's failures into ImageErrors themselves. No side effects at import,
 * so importing this never changes the registration order codec/wasm/memory keeps.
 */
import { findMemory } from './memory';

export type EmscriptenFactory = (overrides: Record<string, unknown>) => Promise<unknown>;

/**
 * Calls `factory` with `overrides`, instantiating `wasmModule`. The factory runs
 * synchronously up to its first await, before this function awaits anything, so
 * a caller may adjust the environment around the call (see codec/heic/libheif).
 */
export async function instantiateEmscripten<T>(
  factory: EmscriptenFactory, wasmModule: WebAssembly.Module, overrides: Record<string, unknown> = {},
): Promise<{ binding: T; memory: () => WebAssembly.Memory | undefined }> {
  let exports: WebAssembly.Exports | undefined;
  const pending = factory({
    ...overrides,
    instantiateWasm(imports: WebAssembly.Imports, done: (instance: WebAssembly.Instance) => void) {
      const instance = new WebAssembly.Instance(wasmModule, imports);
      exports = instance.exports;
      done(instance);
      return instance.exports;
    },
    print: () => {},
    printErr: () => {},
  });
  const binding = (await pending) as T;
  return { binding, memory: () => (exports ? findMemory(exports) : undefined) };
}
