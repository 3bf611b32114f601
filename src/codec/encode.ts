/**
 * @module codec/encode
 * Encodes an RGBA8 raster to the output format. The encoder table: one row per
 * output format, each pointing into that format's folder:
 * - JPEG: MozJPEG baseline 4:2:0; above MOZJPEG_MAX_PIXELS, jpeg-js (codec/jpeg/encode).
 * - WebP: libwebp lossy, alpha kept (codec/webp/encode).
 * - AVIF: libavif + aom, speed 8 (codec/avif/encode).
 * - PNG: our encoder over the runtime's native deflate (codec/png/encode): the
 *   smallest exact colour type, per-row adaptive filters, no WASM memory.
 * Quality is clamped to 1..100 and rounded.
 */
import { internal } from '../errors';
import type { OutputFormat, Raster } from './types';
import { encodeJpeg } from './jpeg/encode';
import { encodeWebp } from './webp/encode';
import { encodeAvif } from './avif/encode';
import { encodePng } from './png/encode';

export { WEBP_METHOD } from './webp/encode';
export { AVIF_SPEED } from './avif/encode';

/** Encodes at quality 1..100 (ignored by lossless formats); null or empty means failure. */
type Encoder = (r: Raster, quality: number) => Promise<Uint8Array | null>;

/** One row per output format. */
const ENCODERS: Record<OutputFormat, Encoder> = {
  jpeg: encodeJpeg,
  webp: encodeWebp,
  avif: encodeAvif,
  png: (r) => encodePng(r),
};

/** Encodes `r` as `format` at `quality` (1..100; ignored for PNG). */
export async function encodeImage(r: Raster, format: OutputFormat, quality: number): Promise<Uint8Array> {
  const q = Math.min(100, Math.max(1, Math.round(Number.isFinite(quality) ? quality : 75)));
  let out: Uint8Array | null;
  try {
    const encoder = Object.hasOwn(ENCODERS, format) ? ENCODERS[format] : undefined;
    if (!encoder) throw new Error(`unknown output format ${String(format)}`);
    out = await encoder(r, q);
  } catch (err) {
    // Our rasters are always valid, so an encoder failure is our bug (or OOM).
    console.error('encodeImage failed', format, r.width, r.height, err);
    throw internal();
  }
  if (!out || out.length === 0) throw internal();
  // Emscripten returns a view that may share a buffer with others; own a copy.
  return out.byteOffset === 0 && out.byteLength === out.buffer.byteLength ? out : out.slice();
}
