/**
 * @module codec/max-bytes
 * `maxBytes` (Thumbor's and imgproxy's `max_bytes`): when the encoded image is
 * larger, lossy quality is lowered by binary search (at most MAX_BYTES_STEPS more
 * encodes) and the best quality that fits is kept. When even quality 1 does not
 * fit, or the format is lossless (PNG; GIF, palette-quantised with no quality), the smallest encode is answered anyway and
 * the response says so in `X-Thumbflare-Max-Bytes: exceeded` (imgproxy answers
 * the smallest it reached too; failing the request would break the page).
 */
import type { OutputFormat, Raster } from './types';

export const MAX_BYTES_STEPS = 6;

export interface FittedEncode {
  bytes: Uint8Array;
  quality: number;
  fits: boolean;
}

export async function encodeWithin(
  r: Raster, format: OutputFormat, quality: number, maxBytes: number | undefined,
  encode: (r: Raster, format: OutputFormat, quality: number) => Promise<Uint8Array>,
): Promise<FittedEncode> {
  const first = await encode(r, format, quality);
  if (maxBytes === undefined || first.byteLength <= maxBytes) return { bytes: first, quality, fits: true };
  if (format === 'png' || format === 'gif') return { bytes: first, quality, fits: false };
  let lo = 1;
  let hi = Math.round(quality) - 1;
  let best: FittedEncode | undefined;
  let smallest: FittedEncode = { bytes: first, quality, fits: false };
  for (let step = 0; step < MAX_BYTES_STEPS && lo <= hi; step++) {
    // The first probe goes to the bottom: if quality 1 does not fit, nothing will.
    const q = step === 0 ? lo : Math.floor((lo + hi + 1) / 2);
    const bytes = await encode(r, format, q);
    if (bytes.byteLength < smallest.bytes.byteLength) smallest = { bytes, quality: q, fits: false };
    if (bytes.byteLength <= maxBytes) {
      if (!best || q > best.quality) best = { bytes, quality: q, fits: true };
      lo = q + 1;
    } else {
      if (step === 0) break;
      hi = q - 1;
    }
  }
  return best ?? smallest;
}
