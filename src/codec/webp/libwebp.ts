/**
 * @module codec/webp/libwebp
 * Binding to our own wasm32 build of libwebp 1.2.4's decoder (Debian's source
 * package; C glue in codec/webp/wasm/glue.c, rebuilt by
 * scripts/build-webp-wasm.sh), with libwebp's SSE2 code paths compiled to wasm
 * simd128 (issue 10 item 4). It replaced jSquash's Emscripten build of libwebp,
 * which has no SIMD variant; the pixels are the same (libwebp's SSE2 output
 * equals its C output; test/codec/webp/libwebp.test.ts compares with jSquash's
 * decoder).
 *
 * One job: a still WebP (VP8, VP8 + ALPH, VP8L) to non-premultiplied RGBA8 at
 * full size, libwebp's defaults (fancy upsampling). The file is copied into the
 * module (WebPDecode needs it whole) and the image copied out, then both are
 * freed, so between requests the module holds its data, stack and the heap its
 * largest job grew (memory never shrinks; codec/wasm/memory trims idle ones).
 *
 * Errors: libwebp reports a refused file with a VP8StatusCode after freeing
 * what it allocated, so the instance stays; anything thrown out of the module
 * (a trap) drops it.
 */
import libwebpModule from './wasm/libwebp-dec.wasm';
import { corrupt, ImageError, tooLarge } from '../../errors';
import type { Raster } from '../types';
import { LazyInstance } from '../wasm/memory';

interface LibwebpExports {
  memory: WebAssembly.Memory;
  webp_release(): void;
  webp_input(size: number): number;
  webp_decode(size: number): number;
  webp_info(): number;
}

/** libwebp's VP8StatusCode (src/webp/decode.h). */
const VP8_STATUS_OUT_OF_MEMORY = 1;

export const webpDecoder = new LazyInstance<LibwebpExports>('webp-dec', () => {
  const x = new WebAssembly.Instance(libwebpModule, {}).exports as unknown as LibwebpExports;
  return { binding: x, memory: x.memory };
});

/**
 * Decodes a still WebP to RGBA8. A file libwebp refuses (corrupt, truncated,
 * an animation) throws `corrupt(...)` naming `what` (the source, or an
 * animation frame).
 */
export function decodeWebpStill(bytes: Uint8Array, what = 'the WebP source'): Raster {
  const x = webpDecoder.get();
  try {
    const at = x.webp_input(bytes.byteLength);
    if (at === 0) throw tooLarge(`${what} (${bytes.byteLength} bytes) does not fit in the WebP decoder's memory`);
    new Uint8Array(x.memory.buffer, at, bytes.byteLength).set(bytes);
    const status = x.webp_decode(bytes.byteLength);
    if (status === VP8_STATUS_OUT_OF_MEMORY) throw tooLarge(`${what} does not fit in the WebP decoder's memory`);
    if (status !== 0) throw corrupt(`${what} could not be decoded (corrupt or truncated)`);
    const [width = 0, height = 0, rgba = 0, stride = 0] = new Int32Array(x.memory.buffer, x.webp_info(), 4);
    const rowBytes = width * 4;
    const data = new Uint8Array(rowBytes * height);
    const src = new Uint8Array(x.memory.buffer, rgba, stride * height);
    if (stride === rowBytes) data.set(src.subarray(0, rowBytes * height));
    else for (let y = 0; y < height; y++) data.set(src.subarray(y * stride, y * stride + rowBytes), y * rowBytes);
    x.webp_release();
    return { width, height, data };
  } catch (err) {
    // Our own refusals leave a consistent heap (libwebp freed its part; the
    // next job's webp_input releases ours); a trap does not.
    if (!(err instanceof ImageError)) webpDecoder.drop();
    throw err;
  }
}
