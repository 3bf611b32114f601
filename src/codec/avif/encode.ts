/**
 * @module codec/avif/encode
 * AVIF output: libavif + aom, single-threaded (Workers have no threads), speed
 * 8 (see AVIF_SPEED); quality on libavif's 0-100 scale, which is the scale
 * sharp/libheif use, so q50 here ~ sharp's default.
 */
import type { Raster } from '../types';
import { avifDefaults, avifEncoder, callEmscripten } from '../wasm/emscripten';

/** libaom speed 0..10; 8 keeps 1200x900 encodes near a second. */
export const AVIF_SPEED = 8;

/** Encodes `r` as AVIF at quality `q` (1..100) and libaom `speed`; null when libavif fails. */
export function encodeAvif(r: Raster, q: number, speed = AVIF_SPEED): Promise<Uint8Array | null> {
  return callEmscripten(avifEncoder, (m) => m.encode(r.data, r.width, r.height, { ...avifDefaults, quality: q, speed }));
}
