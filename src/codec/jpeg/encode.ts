/**
 * @module codec/jpeg/encode
 * JPEG output: MozJPEG baseline (not progressive: faster to encode and decode,
 * and progressive gains little at thumbnail sizes), 4:2:0, trellis defaults;
 * above MOZJPEG_MAX_PIXELS, jpeg-js (baseline 4:4:4, pure JS, no WASM memory).
 */
import type { Raster } from '../types';
import { callEmscripten, mozjpegDefaults, mozjpegEncoder } from '../wasm/emscripten';
import { anyTransparentSimd } from '../resize/simd/resample-simd';
import { MOZJPEG_MAX_PIXELS } from '../wasm/capacity';
import encodeJpegJs from 'jpeg-js/lib/encoder.js';

/** Encodes `r` as baseline JPEG at quality `q` (1..100); null when MozJPEG fails. */
export async function encodeJpeg(r: Raster, q: number): Promise<Uint8Array | null> {
  if (r.width * r.height > MOZJPEG_MAX_PIXELS) {
    // Large outputs: MozJPEG would need more WASM memory than an isolate has (see wasm/capacity.ts).
    return new Uint8Array(encodeJpegJs({ data: dropAlphaForJpeg(r), width: r.width, height: r.height }, q).data);
  }
  return callEmscripten(mozjpegEncoder, (m) =>
    m.encode(dropAlphaForJpeg(r), r.width, r.height, {
      ...mozjpegDefaults,
      quality: q,
      progressive: false,
      auto_subsample: false,
      chroma_subsample: 2, // 4:2:0
    }),
  );
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
