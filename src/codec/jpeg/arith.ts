/**
 * @module codec/jpeg/arith
 * Decoder for arithmetic-coded JPEGs (SOF9, SOF10: sequential and progressive),
 * which our fast-path libjpeg-turbo build (codec/jpeg/turbo) is built without.
 *
 * The decoder is libjpeg-turbo again, as built by
 * `@cornerstonejs/codec-libjpeg-turbo-8bit` (ISC; libjpeg-turbo's IJG/BSD/zlib
 * licences), whose build keeps jdarith.c. Its Emscripten glue and .wasm are
 * vendored in src/codec/jpeg/vendor/ by scripts/vendor-arith-jpeg.mjs, adapted for
 * workerd (environment detection pinned off, 1 MB instead of 50 MB initial
 * memory); see that script. 299 KB of wasm plus 57 KB of glue in the bundle.
 *
 * It exposes only "decode the whole image to RGB (or grey)": no DCT scaling.
 * So the full-size image exists once, in the instance's heap (3 bytes/pixel,
 * the heap then being recycled by codec/wasm/memory's trim), and is area-averaged
 * by an integer factor while it is copied out, so the JS raster is only as
 * large as the caller's hint needs.
 *
 * Only used for arithmetic-coded files (rare on the web): everything else
 * stays on codec/jpeg/turbo, which scales in the DCT domain.
 */
import arithJpegFactory from './vendor/libjpeg-turbo-arith.js';
import arithJpegModule from './vendor/libjpeg-turbo-arith.wasm';
import { instantiateEmscripten, type EmscriptenFactory } from '../wasm/emscripten-instance';
import { LazyAsyncInstance } from '../wasm/memory';
import type { DecodeHint, Raster } from '../types';

interface FrameInfo {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
}

interface EmbindJpegDecoder {
  getEncodedBuffer(size: number): Uint8Array;
  decode(): void;
  getFrameInfo(): FrameInfo;
  getDecodedBuffer(): Uint8Array;
  delete(): void;
}

interface ArithJpegModule {
  JPEGDecoder: new () => EmbindJpegDecoder;
}

export const arithJpeg = new LazyAsyncInstance<ArithJpegModule>('jpeg-arith', () =>
  instantiateEmscripten<ArithJpegModule>(arithJpegFactory as EmscriptenFactory, arithJpegModule));

/** Thrown when the decoder reported an error (libjpeg error or warning, e.g. truncation). */
export class ArithJpegError extends Error {
  constructor(readonly detail: unknown) {
    super('arithmetic JPEG decode failed');
  }
}

/**
 * Decodes an arithmetic-coded 8-bit greyscale or YCbCr/RGB JPEG to RGBA8,
 * area-averaged by the largest integer factor (1..8) that keeps the result at
 * least hint.minWidth x hint.minHeight. Any decoder error drops the instance.
 */
export async function decodeArithJpeg(jpeg: Uint8Array, hint: DecodeHint = {}): Promise<Raster> {
  const module = await arithJpeg.get();
  let decoder: EmbindJpegDecoder | undefined;
  try {
    decoder = new module.JPEGDecoder();
    decoder.getEncodedBuffer(jpeg.byteLength).set(jpeg);
    decoder.decode();
    const { width, height, componentCount } = decoder.getFrameInfo();
    const pixels = decoder.getDecodedBuffer();
    if (!(componentCount === 1 || componentCount === 3) || pixels.length !== width * height * componentCount) {
      throw new ArithJpegError(`unexpected decoder output ${width}x${height}x${componentCount}`);
    }
    const factor = chooseShrinkFactor(width, height, hint);
    const raster = copyShrunk(pixels, width, height, componentCount, factor);
    decoder.delete();
    return raster;
  } catch (err) {
    // libjpeg errors arrive as thrown C++ exceptions (numbers) or strings; the
    // instance's stack and heap are not to be trusted afterwards.
    arithJpeg.drop();
    throw err instanceof ArithJpegError ? err : new ArithJpegError(err);
  }
}

/** Largest f in 1..8 with ceil(dim / f) still >= the hinted minimum on both axes. */
export function chooseShrinkFactor(width: number, height: number, hint: DecodeHint): number {
  const minWidth = hint.minWidth ?? width;
  const minHeight = hint.minHeight ?? height;
  for (let f = 8; f > 1; f--) {
    if (Math.ceil(width / f) >= minWidth && Math.ceil(height / f) >= minHeight) return f;
  }
  return 1;
}

/**
 * Copies `src` (grey or RGB, from the WASM heap) into a new RGBA raster of
 * ceil(width/f) x ceil(height/f), each output pixel the mean of its f x f block
 * (clipped at the right and bottom edges).
 */
function copyShrunk(src: Uint8Array, width: number, height: number, channels: number, f: number): Raster {
  const outWidth = Math.ceil(width / f);
  const outHeight = Math.ceil(height / f);
  const out = new Uint8Array(outWidth * outHeight * 4);
  if (f === 1) {
    for (let p = 0, q = 0; p < width * height; p++, q += channels) {
      const o = p * 4;
      out[o] = src[q]!;
      out[o + 1] = src[q + (channels === 3 ? 1 : 0)]!;
      out[o + 2] = src[q + (channels === 3 ? 2 : 0)]!;
      out[o + 3] = 255;
    }
    return { width: outWidth, height: outHeight, data: out };
  }
  const acc = new Uint32Array(outWidth * 3);
  for (let oy = 0; oy < outHeight; oy++) {
    acc.fill(0);
    const y0 = oy * f;
    const y1 = Math.min(height, y0 + f);
    for (let y = y0; y < y1; y++) {
      let q = y * width * channels;
      for (let x = 0; x < width; x++, q += channels) {
        const a = ((x / f) | 0) * 3;
        const r = src[q]!;
        acc[a]! += r;
        acc[a + 1]! += channels === 3 ? src[q + 1]! : r;
        acc[a + 2]! += channels === 3 ? src[q + 2]! : r;
      }
    }
    for (let ox = 0; ox < outWidth; ox++) {
      const n = (Math.min(width, ox * f + f) - ox * f) * (y1 - y0);
      const o = (oy * outWidth + ox) * 4;
      out[o] = Math.round(acc[ox * 3]! / n);
      out[o + 1] = Math.round(acc[ox * 3 + 1]! / n);
      out[o + 2] = Math.round(acc[ox * 3 + 2]! / n);
      out[o + 3] = 255;
    }
  }
  return { width: outWidth, height: outHeight, data: out };
}
