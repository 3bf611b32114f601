/**
 * @module codec/encode
 * Encodes an RGBA8 raster to the output format.
 *
 * - JPEG: MozJPEG baseline (not progressive: faster to encode and decode, and
 *   progressive gains little at thumbnail sizes), 4:2:0, trellis defaults; above
 *   MOZJPEG_MAX_PIXELS, jpeg-js (baseline 4:4:4, pure JS, no WASM memory).
 * - WebP: libwebp lossy, alpha kept (lossless alpha plane).
 * - AVIF: libavif + aom, speed 8 (see AVIF_SPEED); quality on libavif's 0-100
 *   scale, which is the scale sharp/libheif use, so q50 here ~ sharp's default.
 * - PNG: our encoder over the runtime's native deflate (codec/png-encode): the
 *   smallest exact colour type, per-row adaptive filters, no WASM memory.
 * Quality is clamped to 1..100 and rounded.
 */
import { internal } from '../errors';
import type { OutputFormat, Raster } from './types';
import { avifDefaults, avifEncoder, callEmscripten, mozjpegDefaults, mozjpegEncoder, webpDefaults, webpEncoder } from './jsquash';
import { encodePng } from './png-encode';
import { anyTransparentSimd } from './simd/resample-simd';
import { MOZJPEG_MAX_PIXELS } from './capacity';
import encodeJpegJs from 'jpeg-js/lib/encoder.js';

/** libwebp effort 0..6. Measured at 1200x800 in workerd: method 2 takes 40 ms, method 4 90 ms, for 6% more bytes (still within 1.1x of sharp at effort 4). */
export const WEBP_METHOD = 2;
/** libaom speed 0..10; 8 keeps 1200x900 encodes near a second. */
export const AVIF_SPEED = 8;

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
    switch (format) {
      case 'jpeg':
        if (r.width * r.height > MOZJPEG_MAX_PIXELS) {
          // Large outputs: MozJPEG would need more WASM memory than an isolate has (see capacity.ts).
          out = new Uint8Array(encodeJpegJs({ data: dropAlphaForJpeg(r), width: r.width, height: r.height }, q).data);
          break;
        }
        out = await callEmscripten(mozjpegEncoder, (m) =>
          m.encode(dropAlphaForJpeg(r), r.width, r.height, {
            ...mozjpegDefaults,
            quality: q,
            progressive: false,
            auto_subsample: false,
            chroma_subsample: 2, // 4:2:0
          }),
        );
        break;
      case 'webp':
        out = await callEmscripten(webpEncoder, (m) =>
          m.encode(r.data, r.width, r.height, { ...webpDefaults, quality: q, method: settings.fast ? FAST_WEBP_METHOD : WEBP_METHOD }),
        );
        break;
      case 'avif':
        out = await callEmscripten(avifEncoder, (m) =>
          m.encode(r.data, r.width, r.height, { ...avifDefaults, quality: q, speed: settings.fast ? FAST_AVIF_SPEED : AVIF_SPEED }),
        );
        break;
      case 'png':
        out = await encodePng(r);
        break;
      default:
        throw new Error(`unknown output format ${String(format)}`);
    }
  } catch (err) {
    // Our rasters are always valid, so an encoder failure is our bug (or OOM).
    console.error('encodeImage failed', format, r.width, r.height, err);
    throw internal();
  }
  if (!out || out.length === 0) throw internal();
  // Emscripten returns a view that may share a buffer with others; own a copy.
  return out.byteOffset === 0 && out.byteLength === out.buffer.byteLength ? out : out.slice();
}

/**
 * MozJPEG ignores alpha (RGBA in, RGB out). The pipeline flattens first; if a
 * raster with transparency slips through anyway, composite it on white rather
 * than let transparent pixels show their undefined colour (often black).
 */
function dropAlphaForJpeg(r: Raster): Uint8Array {
  const d = r.data;
  if (!anyTransparentSimd(d)) return d;
  const flat = new Uint8Array(d.length);
  for (let i = 0; i < d.length; i += 4) {
    const a = d[i + 3]!;
    const inv = 255 - a;
    flat[i] = Math.round((d[i]! * a + 255 * inv) / 255);
    flat[i + 1] = Math.round((d[i + 1]! * a + 255 * inv) / 255);
    flat[i + 2] = Math.round((d[i + 2]! * a + 255 * inv) / 255);
    flat[i + 3] = 255;
  }
  return flat;
}
