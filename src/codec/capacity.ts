/**
 * @module codec/capacity
 * The largest output, in pixels, each encoder path can write inside an
 * isolate's 128 MB, from measurements in workerd (test/limits/memory.test.ts
 * prints them; README "Limits" has the table). Encoders hold their whole input
 * plus working buffers in WASM memory that never shrinks:
 * - MozJPEG ~19 MiB at 1200x900, ~51 at 1920x1440, ~207 at 4000x3000, so above
 *   MOZJPEG_MAX_PIXELS JPEG is written by a streaming JS baseline encoder
 *   (jpeg-js) that needs no WASM memory at all; JPEG then fits up to the JS
 *   pixel buffers' own bound.
 * - libwebp ~28 MiB at 1200x900, ~64 at 1920x1440: no streaming alternative.
 * - AVIF (libaom) ~43 MiB at 1200x900, ~90 at 1920x1440.
 * - PNG (Photon) copies the raster into WASM and deflates it: ~2 x 4 bytes/pixel.
 */
import type { OutputFormat } from './types';

/** MozJPEG is used up to this many output pixels; above, the JS encoder. */
export const MOZJPEG_MAX_PIXELS = 3_200_000;

export const MAX_OUTPUT_PIXELS: Record<OutputFormat, number> = {
  jpeg: 12_000_000,
  webp: 3_200_000,
  avif: 2_000_000,
  png: 6_000_000,
};

/** The largest width x height with the same aspect ratio that `format` can encode. */
export function largestFitting(format: OutputFormat, width: number, height: number): { width: number; height: number } {
  const scale = Math.min(1, Math.sqrt(MAX_OUTPUT_PIXELS[format] / (width * height)));
  return { width: Math.max(1, Math.floor(width * scale)), height: Math.max(1, Math.floor(height * scale)) };
}

export function fitsEncoder(format: OutputFormat, width: number, height: number): boolean {
  return width * height <= MAX_OUTPUT_PIXELS[format];
}
