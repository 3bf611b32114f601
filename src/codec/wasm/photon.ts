/**
 * @module codec/wasm/photon
 * Minimal binding to Photon's WASM module (`@cf-wasm/photon/photon.wasm`), used
 * for GIF decoding and the blur/sharpen pipeline steps. Its PNG decoder and
 * encoder stay exported as the independent reference the TS PNG codec
 * (codec/png/decode, codec/png/encode) is tested against.
 *
 * Why not `import '@cf-wasm/photon'`: its wasm-bindgen glue instantiates the
 * module once, at import time (even for requests that never touch a PNG), keeps
 * the instance in a module-private variable, and cannot re-instantiate it. WASM
 * memory never shrinks, so one 12 MP PNG would pin ~100 MB in the isolate for its
 * lifetime; and after a Rust panic the instance's allocator state is undefined.
 * With our own glue the instance is lazy, measurable and droppable.
 *
 * We only call five exports (new_from_byteslice, new, get_raw_pixels, get_bytes,
 * get_width/get_height, free). Imports for the DOM/canvas helpers Photon also
 * links are stubs that throw: those code paths are never reached from here.
 * Import names carry a content hash (`__wbg_error_a6fa202b58aa1cd3`), so they are
 * matched by their stable prefix, read from the module's own import list.
 */
import photonModule from '@cf-wasm/photon/photon.wasm';
import { LazyInstance } from './memory';

interface PhotonExports {
  memory: WebAssembly.Memory;
  __wbindgen_malloc(size: number, align: number): number;
  __wbindgen_free(ptr: number, size: number, align: number): void;
  __wbindgen_externrefs: WebAssembly.Table;
  __wbindgen_start(): void;
  __wbg_photonimage_free(ptr: number, flag: number): void;
  photonimage_new(ptr: number, len: number, width: number, height: number): number;
  photonimage_new_from_byteslice(ptr: number, len: number): number;
  photonimage_get_width(ptr: number): number;
  photonimage_get_height(ptr: number): number;
  photonimage_get_raw_pixels(ptr: number): [number, number];
  photonimage_get_bytes(ptr: number): [number, number];
  gaussian_blur(image: number, radius: number): void;
  apply_sharpening(image: number, amount: number, radius: number, threshold: number, masking: number): void;
}

/** Photon's last panic message (from its panic hook), for logs only. */
let lastPanicMessage = '';

/** Returns the message of the most recent Photon panic, for diagnostics. */
export function takePhotonPanicMessage(): string {
  const message = lastPanicMessage;
  lastPanicMessage = '';
  return message;
}

function instantiatePhoton(): { binding: PhotonExports; memory: WebAssembly.Memory } {
  let wasm: PhotonExports | undefined;
  const bytes = () => new Uint8Array(wasm!.memory.buffer);
  const view = () => new DataView(wasm!.memory.buffer);
  const readString = (ptr: number, len: number) =>
    new TextDecoder().decode(bytes().subarray(ptr >>> 0, (ptr >>> 0) + len));
  const writeString = (retptr: number, text: string) => {
    const encoded = new TextEncoder().encode(text);
    const ptr = wasm!.__wbindgen_malloc(encoded.length, 1) >>> 0;
    bytes().set(encoded, ptr);
    view().setInt32(retptr + 4, encoded.length, true);
    view().setInt32(retptr, ptr, true);
  };

  // Implementations for the imports the decode/encode paths (and the panic hook) use.
  const implemented: Record<string, (...args: any[]) => unknown> = {
    __wbg_new: () => new Error(),
    __wbg_stack: (retptr: number, error: Error) => writeString(retptr, error.stack ?? ''),
    __wbg_error: (ptr: number, len: number) => {
      try {
        lastPanicMessage = readString(ptr, len);
      } finally {
        wasm!.__wbindgen_free(ptr, len, 1);
      }
    },
    __wbg___wbindgen_throw: (ptr: number, len: number) => {
      throw new Error(readString(ptr, len));
    },
    __wbg___wbindgen_is_undefined: (value: unknown) => value === undefined,
    __wbg___wbindgen_debug_string: (retptr: number, value: unknown) => writeString(retptr, String(value)),
    __wbg_random: () => Math.random(),
    __wbindgen_init_externref_table: () => {
      const table = wasm!.__wbindgen_externrefs;
      const offset = table.grow(4);
      table.set(0, undefined);
      table.set(offset + 0, undefined);
      table.set(offset + 1, null);
      table.set(offset + 2, true);
      table.set(offset + 3, false);
    },
  };

  const imports: Record<string, Record<string, (...args: any[]) => unknown>> = {};
  for (const { module, name } of WebAssembly.Module.imports(photonModule)) {
    const stable = name.replace(/_[0-9a-f]{16}$/, '');
    const fn =
      implemented[stable] ??
      (() => {
        throw new Error(`photon import ${stable} is not available in Thumbflare`);
      });
    (imports[module] ??= {})[name] = fn;
  }
  const instance = new WebAssembly.Instance(photonModule, imports as WebAssembly.Imports);
  wasm = instance.exports as unknown as PhotonExports;
  wasm.__wbindgen_start();
  return { binding: wasm, memory: wasm.memory };
}

export const photon = new LazyInstance<PhotonExports>('photon', instantiatePhoton);

/** Copies `data` into Photon's heap; Photon takes ownership (Rust `Vec<u8>`). */
function passBytes(wasm: PhotonExports, data: Uint8Array): number {
  const ptr = wasm.__wbindgen_malloc(data.length, 1) >>> 0;
  new Uint8Array(wasm.memory.buffer).set(data, ptr);
  return ptr;
}

/** Copies a Rust `Vec<u8>` returned as (ptr, len) out of the heap and frees it. */
function takeBytes(wasm: PhotonExports, [ptr, len]: [number, number]): Uint8Array {
  const out = new Uint8Array(wasm.memory.buffer, ptr >>> 0, len).slice();
  wasm.__wbindgen_free(ptr, len, 1);
  return out;
}

/**
 * Runs `use` with a Photon image handle, freeing the image on every path. Any
 * throw from inside WASM (a panic traps as `RuntimeError: unreachable`) drops
 * the instance, whose heap is then in an undefined state.
 */
function withPhoton<T>(create: (wasm: PhotonExports) => number, use: (wasm: PhotonExports, image: number) => T): T {
  const wasm = photon.get();
  let image = 0;
  try {
    image = create(wasm);
    return use(wasm, image);
  } catch (err) {
    photon.drop();
    image = 0;
    throw err;
  } finally {
    if (image !== 0) wasm.__wbg_photonimage_free(image, 0);
  }
}

/** Decodes PNG/GIF/JPEG/WebP bytes to RGBA8 (GIF: first frame). Throws on bad input. */
export function decodeWithPhoton(encoded: Uint8Array): { width: number; height: number; data: Uint8Array } {
  return withPhoton(
    (wasm) => wasm.photonimage_new_from_byteslice(passBytes(wasm, encoded), encoded.length),
    (wasm, image) => ({
      width: wasm.photonimage_get_width(image) >>> 0,
      height: wasm.photonimage_get_height(image) >>> 0,
      data: takeBytes(wasm, wasm.photonimage_get_raw_pixels(image)),
    }),
  );
}

/** Encodes RGBA8 pixels as PNG (8-bit RGBA). */
export function encodePngWithPhoton(data: Uint8Array, width: number, height: number): Uint8Array {
  return withPhoton(
    (wasm) => wasm.photonimage_new(passBytes(wasm, data), data.length, width, height),
    (wasm, image) => takeBytes(wasm, wasm.photonimage_get_bytes(image)),
  );
}

/** In-place Photon filters the pipeline uses (on output-sized rasters). */
export type PhotonFilter =
  | { kind: 'gaussian-blur'; radius: number }
  | { kind: 'unsharp-mask'; amount: number; radius: number };

/** Runs one in-place Photon filter over RGBA8 pixels and returns the filtered copy. */
export function filterWithPhoton(data: Uint8Array, width: number, height: number, filter: PhotonFilter): Uint8Array {
  return withPhoton(
    (wasm) => wasm.photonimage_new(passBytes(wasm, data), data.length, width, height),
    (wasm, image) => {
      if (filter.kind === 'gaussian-blur') wasm.gaussian_blur(image, filter.radius);
      else wasm.apply_sharpening(image, filter.amount, filter.radius, 0, 0);
      return takeBytes(wasm, wasm.photonimage_get_raw_pixels(image));
    },
  );
}
