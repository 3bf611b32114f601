/**
 * @module codec/wasm/emscripten
 * The Emscripten codecs of the jSquash packages (libwebp's encoder, libavif/dav1d),
 * instantiated from imported (pre-compiled) WASM modules. The format folders
 * (codec/webp, codec/avif) call them through
 * {@link callEmscripten}. (JPEG is our own libjpeg-turbo build, codec/jpeg/turbo;
 * the WebP decoder our own libwebp build, codec/webp/libwebp.)
 * The three instances stay defined here, in this order,
 * because registration order in codec/wasm/memory is trimCodecs' tie-break
 * between equally sized idle instances; a new format's instance can live in
 * its own folder (registered after these).
 *
 * We call the Emscripten factories directly instead of the packages' `init()`:
 * the packages keep one promise per module forever, which cannot be dropped to
 * return memory, and they pick their variant by feature detection at run time.
 * Each factory call builds a new, independent instance, so dropping one is
 * simply forgetting it.
 *
 * Choices: the SIMD libwebp encoder (workerd's V8 has WASM SIMD; ~1.5x faster);
 * the single-threaded AVIF encoder (Workers have no threads).
 *
 * The `.wasm` files are jSquash's, with one field changed: the memory's initial
 * size, from Emscripten's default 16 MB to what the static data and stack need
 * (0.2 MB for libwebp, 6 MB for libavif's 5 MB stack); the heap grows on demand.
 * Memory never shrinks, so the 16 MB minimum was what each idle instance held
 * between requests. `node scripts/patch-emscripten-memory.mjs` writes them from
 * the installed packages (test/codec/wasm/emscripten-memory.test.ts checks it).
 */
import webpEncFactory from '@jsquash/webp/codec/enc/webp_enc_simd.js';
import webpEncModule from './jsquash/webp_enc_simd.wasm';
import avifDecFactory from '@jsquash/avif/codec/dec/avif_dec.js';
import avifDecModule from './jsquash/avif_dec.wasm';
import avifEncFactory from '@jsquash/avif/codec/enc/avif_enc.js';
import avifEncModule from './jsquash/avif_enc.wasm';
import { defaultOptions as webpDefaults } from '@jsquash/webp/meta.js';
import { defaultOptions as avifDefaults } from '@jsquash/avif/meta.js';
import { corrupt } from '../../errors';
import type { Raster } from '../types';
import { instantiateEmscripten, type EmscriptenFactory } from './emscripten-instance';
import { LazyAsyncInstance } from './memory';

/** The decoded shape the Emscripten codecs return (an ImageData or look-alike). */
interface DecodedImage {
  width: number;
  height: number;
  data: Uint8ClampedArray | Uint8Array;
}

interface DecoderModule {
  decode(data: BufferSource, ...rest: unknown[]): DecodedImage | null;
}

interface EncoderModule<O> {
  encode(data: BufferSource, width: number, height: number, options: O): Uint8Array | null;
}

export type WebpOptions = typeof webpDefaults;
export type AvifOptions = typeof avifDefaults;

export type Factory = EmscriptenFactory;

/**
 * The Emscripten glue constructs `new ImageData(...)` for decoded images. Workers
 * have no ImageData; the glue installs its own stand-in only when it detects
 * Workers through `caches.default`, so make sure one exists.
 */
function ensureImageData(): void {
  const scope = globalThis as { ImageData?: unknown };
  if (scope.ImageData === undefined) {
    scope.ImageData = class ImageData {
      constructor(
        readonly data: Uint8ClampedArray,
        readonly width: number,
        readonly height: number,
      ) {}
    };
  }
}

/** A droppable instance of an Emscripten codec built from its factory and its pre-compiled module. */
export function defineEmscripten<T>(name: string, factory: Factory, wasmModule: WebAssembly.Module) {
  return new LazyAsyncInstance<T>(name, () => {
    ensureImageData();
    return instantiateEmscripten<T>(factory, wasmModule, { noInitialRun: true });
  });
}

export const webpEncoder = defineEmscripten<EncoderModule<WebpOptions>>('webp-enc', webpEncFactory as Factory, webpEncModule);
export const avifDecoder = defineEmscripten<DecoderModule>('avif-dec', avifDecFactory as Factory, avifDecModule);
export const avifEncoder = defineEmscripten<EncoderModule<AvifOptions>>('avif-enc', avifEncFactory as Factory, avifEncModule);

/**
 * Runs `call` on the instance held by `lazy`; if it throws (an Emscripten abort
 * or a trap), the instance is dropped because it refuses or corrupts later calls.
 */
export async function callEmscripten<T, R>(lazy: LazyAsyncInstance<T>, call: (module: T) => R): Promise<R> {
  const module = await lazy.get();
  try {
    return call(module);
  } catch (err) {
    lazy.drop();
    throw err;
  }
}

/** Copies an ImageData-like decoder result into a Raster (null means failure). */
export function toRaster(image: { width: number; height: number; data: ArrayLike<number> & ArrayBufferView } | null, name: string): Raster {
  if (!image || image.data.byteLength !== image.width * image.height * 4) {
    throw corrupt(`the ${name} source could not be decoded (corrupt or truncated)`);
  }
  const data = new Uint8Array(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  return { width: image.width, height: image.height, data };
}

export { webpDefaults, avifDefaults };
