/**
 * @module codec/svg/resvg
 * Minimal binding to resvg's WASM build (`@resvg/resvg-wasm`, MPL-2.0: resvg,
 * usvg, tiny-skia and roxmltree compiled by the resvg project).
 *
 * Why not the package's own `initWasm()`/`Resvg`: its wasm-bindgen glue keeps
 * one instance in a module-private variable and refuses a second `initWasm`,
 * so its linear memory (which never shrinks) could not be dropped after a large
 * render, and an instance that trapped could not be replaced. This glue makes
 * the instance lazy, measurable and droppable like every other codec
 * (codec/wasm/memory, registered as `resvg`).
 *
 * It implements the module's 18 imports (the wasm-bindgen heap of JS objects,
 * Uint8Array copies in and out, errors) and calls five exports: `resvg_new`,
 * `resvg_render`, `renderedimage_width/height/pixels` and the two `free`s.
 * Import names carry wasm-bindgen's content hashes, so the version is pinned in
 * package.json; a mismatch fails instantiation loudly (a LinkError), never silently.
 *
 * Safety: this build has no file system and no network. `<image>` elements with
 * external hrefs are only listed (`imagesToResolve`) and never resolved here;
 * fonts are only those passed in (none: see codec/svg/decode), and system fonts
 * cannot load in WASM.
 */
import resvgModule from '@resvg/resvg-wasm/index_bg.wasm';
import { LazyInstance } from '../wasm/memory';

interface ResvgExports {
  memory: WebAssembly.Memory;
  __wbindgen_malloc(size: number, align: number): number;
  __wbindgen_realloc(ptr: number, oldSize: number, newSize: number, align: number): number;
  __wbindgen_free(ptr: number, size: number, align: number): void;
  __wbindgen_add_to_stack_pointer(delta: number): number;
  __wbindgen_exn_store(idx: number): void;
  resvg_new(retptr: number, svg: number, optionsPtr: number, optionsLen: number, fonts: number): void;
  resvg_render(retptr: number, resvg: number): void;
  renderedimage_width(image: number): number;
  renderedimage_height(image: number): number;
  renderedimage_pixels(image: number): number;
  __wbg_resvg_free(ptr: number): void;
  __wbg_renderedimage_free(ptr: number): void;
}

/** One instance and the JS side of its wasm-bindgen object heap. */
export interface ResvgBinding {
  wasm: ResvgExports;
  /** Passes a JS value to Rust by heap index. */
  add(value: unknown): number;
  /** Takes a JS value Rust handed back by heap index (and frees the slot). */
  take(idx: number): unknown;
  passString(text: string): [number, number];
}

function instantiateResvg(): { binding: ResvgBinding; memory: WebAssembly.Memory } {
  let wasm: ResvgExports | undefined;
  // wasm-bindgen's heap: slots 128..131 are the constants undefined, null, true, false.
  const heap: unknown[] = new Array(128).fill(undefined);
  heap.push(undefined, null, true, false);
  let next = heap.length;
  const add = (value: unknown): number => {
    if (next === heap.length) heap.push(heap.length + 1);
    const idx = next;
    next = heap[idx] as number;
    heap[idx] = value;
    return idx;
  };
  const get = (idx: number): any => heap[idx];
  const drop = (idx: number) => {
    if (idx < 132) return;
    heap[idx] = next;
    next = idx;
  };
  const take = (idx: number): unknown => {
    const value = get(idx);
    drop(idx);
    return value;
  };
  const bytes = () => new Uint8Array(wasm!.memory.buffer);
  const i32 = () => new Int32Array(wasm!.memory.buffer);
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true, fatal: true });
  const encoder = new TextEncoder();
  const readString = (ptr: number, len: number) => decoder.decode(bytes().subarray(ptr >>> 0, (ptr >>> 0) + len));
  const passString = (text: string): [number, number] => {
    const encoded = encoder.encode(text);
    const ptr = wasm!.__wbindgen_malloc(encoded.length, 1) >>> 0;
    bytes().set(encoded, ptr);
    return [ptr, encoded.length];
  };
  const handleError = (f: (...args: any[]) => unknown) => (...args: any[]) => {
    try {
      return f(...args);
    } catch (err) {
      wasm!.__wbindgen_exn_store(add(err));
      return undefined;
    }
  };

  // Keyed by the names @resvg/resvg-wasm 2.6.2 imports (wasm-bindgen hashes included).
  const wbg: Record<string, (...args: any[]) => unknown> = {
    __wbg_new_28c511d9baebfa89: (ptr: number, len: number) => add(new Error(readString(ptr, len))),
    __wbindgen_memory: () => add(wasm!.memory),
    __wbg_buffer_12d079cc21e14bdb: (idx: number) => add(get(idx).buffer),
    __wbg_newwithbyteoffsetandlength_aa4a17c33a06e5cb: (buf: number, offset: number, len: number) =>
      add(new Uint8Array(get(buf), offset >>> 0, len >>> 0)),
    __wbindgen_object_drop_ref: (idx: number) => void take(idx),
    __wbg_new_63b92bc8671ed464: (idx: number) => add(new Uint8Array(get(idx))),
    __wbg_values_839f3396d5aac002: (idx: number) => add(get(idx).values()),
    __wbg_next_196c84450b364254: handleError((idx: number) => add(get(idx).next())),
    __wbg_done_298b57d23c0fc80c: (idx: number) => get(idx).done,
    __wbg_value_d93c65011f51a456: (idx: number) => add(get(idx).value),
    __wbg_instanceof_Uint8Array_2b3bbecd033d19f6: (idx: number) => get(idx) instanceof Uint8Array,
    __wbindgen_string_get: (retptr: number, idx: number) => {
      const value = get(idx);
      const [ptr, len] = typeof value === 'string' ? passString(value) : [0, 0];
      i32()[retptr / 4 + 1] = len;
      i32()[retptr / 4] = ptr;
    },
    __wbg_new_16b304a2cfa7ff4a: () => add([]),
    __wbindgen_string_new: (ptr: number, len: number) => add(readString(ptr, len)),
    __wbg_push_a5b05aedc7234f9f: (arr: number, value: number) => get(arr).push(get(value)),
    __wbg_length_c20a40f15020d68a: (idx: number) => get(idx).length,
    __wbg_set_a47bac70306a19a7: (target: number, source: number, offset: number) => get(target).set(get(source), offset >>> 0),
    __wbindgen_throw: (ptr: number, len: number) => {
      throw new Error(readString(ptr, len));
    },
  };
  const instance = new WebAssembly.Instance(resvgModule, { wbg } as WebAssembly.Imports);
  wasm = instance.exports as unknown as ResvgExports;
  return { binding: { wasm, add, take, passString }, memory: wasm.memory };
}

export const resvg = new LazyInstance<ResvgBinding>('resvg', instantiateResvg);

/** What `render` returns: resvg's pixels are RGBA8 premultiplied by alpha (tiny-skia's pixmap). */
export interface PremultipliedRender {
  width: number;
  height: number;
  data: Uint8Array;
}

/**
 * Parses `svg` with resvg's options (JSON, the shape `@resvg/resvg-wasm` documents)
 * and renders it. Throws an Error carrying resvg's message on unparsable input;
 * any trap drops the instance.
 */
export function renderSvg(svg: Uint8Array, options: object): PremultipliedRender {
  const b = resvg.get();
  const { wasm } = b;
  let tree = 0;
  let image = 0;
  try {
    const retptr = wasm.__wbindgen_add_to_stack_pointer(-16);
    try {
      const [optPtr, optLen] = b.passString(JSON.stringify(options));
      wasm.resvg_new(retptr, b.add(svg), optPtr, optLen, 0);
      const [r0, r1, r2] = new Int32Array(wasm.memory.buffer, retptr, 3);
      if (r2) throw b.take(r1!);
      tree = r0! >>> 0;
      wasm.resvg_render(retptr, tree);
      const [i0, i1, i2] = new Int32Array(wasm.memory.buffer, retptr, 3);
      if (i2) throw b.take(i1!);
      image = i0! >>> 0;
    } finally {
      wasm.__wbindgen_add_to_stack_pointer(16);
    }
    // The tree goes before the pixels come out: its memory is reused for the copy.
    wasm.__wbg_resvg_free(tree);
    tree = 0;
    const width = wasm.renderedimage_width(image) >>> 0;
    const height = wasm.renderedimage_height(image) >>> 0;
    const data = b.take(wasm.renderedimage_pixels(image)) as Uint8Array;
    return { width, height, data };
  } catch (err) {
    // A Rust error (bad SVG) leaves the instance sound; a trap does not. Drop it either way: instantiation is cheap.
    if (!(err instanceof Error) || err instanceof WebAssembly.RuntimeError) resvg.drop();
    tree = 0;
    image = 0;
    throw err;
  } finally {
    if (tree) wasm.__wbg_resvg_free(tree);
    if (image) wasm.__wbg_renderedimage_free(image);
  }
}
