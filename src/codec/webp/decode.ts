/**
 * @module codec/webp/decode
 * WebP sources: our libwebp build (codec/webp/libwebp, SIMD) for still images
 * (lossy, lossless, alpha); animated WebP's first frame, composited, by Photon,
 * because libwebp's still-image decoder refuses animations.
 */
import type { Raster } from '../types';
import { decodeWithPhoton } from '../wasm/photon';
import { decodeWebpStill } from './libwebp';

/** Decodes a WebP (an animation's first frame) to RGBA8. Throws on bad input. */
export async function decodeWebp(bytes: Uint8Array): Promise<Raster> {
  if (isAnimatedWebp(bytes)) return decodeWithPhoton(bytes);
  return decodeWebpStill(bytes);
}

/** RIFF/WebP container spec: a VP8X chunk first, with its Animation flag (0x02) set. */
function isAnimatedWebp(bytes: Uint8Array): boolean {
  const tag = String.fromCharCode(...bytes.subarray(12, 16));
  return tag === 'VP8X' && bytes.length > 20 && (bytes[20]! & 0x02) !== 0;
}
