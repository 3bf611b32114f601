/**
 * @module codec/jpeg/encode
 * JPEG output: our libjpeg-turbo build (codec/jpeg/turbo) with sharp's default
 * settings (libvips jpegsave as sharp calls it: libjpeg's standard quantisation
 * tables at the requested quality, no trellis, optimised Huffman tables, 4:2:0),
 * baseline (not progressive: faster to encode and decode, and progressive gains
 * little at thumbnail sizes; Cloudflare's `baseline-jpeg` is therefore `jpeg`).
 * Measured against the MozJPEG build this replaced (issue 10 item 5, README
 * "JPEG settings"): MozJPEG's trellis gave ~25% smaller files at the same
 * quality number but 4-10x the encode time, and the same SSIM costs ours only
 * a few quality steps. Rows are fed in 16-line strips and the file streams
 * out, so one encoder serves every output size (jpeg-js is no longer needed
 * above 3.2 MP).
 */
import type { Raster } from '../types';
import { anyTransparentSimd } from '../resize/simd/resample-simd';
import { encodeJpegTurbo } from './turbo';

/** Encodes `r` as baseline JPEG at quality `q` (1..100). */
export async function encodeJpeg(r: Raster, q: number): Promise<Uint8Array | null> {
  return encodeJpegTurbo(dropAlphaForJpeg(r), r.width, r.height, q);
}

/**
 * libjpeg ignores the fourth byte (RGBX in). The pipeline flattens first; if a
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
