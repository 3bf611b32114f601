/**
 * @module codec/encode
 * Encodes an RGBA8 raster to the output format. The encoder table: one row per
 * output format, each pointing into that format's folder:
 * - JPEG: our libjpeg-turbo build, baseline 4:2:0, sharp's default settings (codec/jpeg/encode).
 * - WebP: libwebp lossy, alpha kept (codec/webp/encode).
 * - AVIF: libavif + aom, speed 8 (codec/avif/encode).
 * - PNG: our encoder over the runtime's native deflate (codec/png/encode): the
 *   smallest exact colour type, per-row adaptive filters, no WASM memory.
 * - GIF: gifenc, a palette quantised for the image, one-bit alpha (codec/gif/encode-animated;
 *   animations are written frame by frame by src/animation.ts).
 * - JPEG XL: libjxl, effort 3, single-threaded (codec/jxl/encode).
 * Quality is clamped to 1..100 and rounded.
 */
import { internal } from '../errors';
import type { OutputFormat, Raster } from './types';
import { encodeJpeg } from './jpeg/encode';
import { encodeWebp } from './webp/encode';
import { encodeAvif } from './avif/encode';
import { encodePng } from './png/encode';
import { encodeGif } from './gif/encode-animated';
import { encodeJxl, FAST_JXL_EFFORT, JXL_EFFORT } from './jxl/encode';

import { WEBP_METHOD } from './webp/encode';
import { AVIF_SPEED } from './avif/encode';

export { WEBP_METHOD, AVIF_SPEED };

/** Encodes at quality 1..100 (ignored by lossless formats); null or empty means failure. */
type Encoder = (r: Raster, quality: number, settings: EncodeSettings) => Promise<Uint8Array | null>;

/** One row per output format. */
const ENCODERS: Record<OutputFormat, Encoder> = {
  jpeg: encodeJpeg,
  webp: (r, q, { fast }) => encodeWebp(r, q, fast ? FAST_WEBP_METHOD : WEBP_METHOD),
  avif: (r, q, { fast }) => encodeAvif(r, q, fast ? FAST_AVIF_SPEED : AVIF_SPEED),
  png: (r) => encodePng(r),
  gif: (r) => encodeGif(r),
  jxl: (r, q, { fast }) => encodeJxl(r, q, fast ? FAST_JXL_EFFORT : JXL_EFFORT),
};

/**
 * Cloudflare's `compression=fast`: the quickest settings of the two slow encoders. libwebp
 * method 0 (its fastest effort) and libaom speed 10; JPEG and PNG have no slower mode to leave.
 */
export const FAST_WEBP_METHOD = 0;
export const FAST_AVIF_SPEED = 10;

export interface EncodeSettings {
  /** `compression=fast`: fastest encoder effort, larger files. */
  fast?: boolean;
}

/** Encodes `r` as `format` at `quality` (1..100; ignored for PNG). */
export async function encodeImage(r: Raster, format: OutputFormat, quality: number, settings: EncodeSettings = {}): Promise<Uint8Array> {
  const q = Math.min(100, Math.max(1, Math.round(Number.isFinite(quality) ? quality : 75)));
  let out: Uint8Array | null;
  try {
    const encoder = Object.hasOwn(ENCODERS, format) ? ENCODERS[format] : undefined;
    if (!encoder) throw new Error(`unknown output format ${String(format)}`);
    out = await encoder(r, q, settings);
  } catch (err) {
    // Our rasters are always valid, so an encoder failure is our bug (or OOM).
    console.error('encodeImage failed', format, r.width, r.height, err);
    throw internal();
  }
  if (!out || out.length === 0) throw internal();
  // Emscripten returns a view that may share a buffer with others; own a copy.
  return out.byteOffset === 0 && out.byteLength === out.buffer.byteLength ? out : out.slice();
}
