/**
 * @module codec/gif/decode
 * GIF sources: the first frame, composited, by Photon (Rust `image` crate).
 */
import { corrupt } from '../../errors';
import type { Raster } from '../types';
import { decodeWithPhoton } from '../wasm/photon';

const GIF_MAGIC = [0x47, 0x49, 0x46, 0x38]; // "GIF8" (87a and 89a)

/** Decodes a GIF's first frame to RGBA8. Throws on bad input. */
export function decodeGif(bytes: Uint8Array): Raster {
  requireMagic(bytes, GIF_MAGIC, 'GIF');
  return decodeWithPhoton(bytes);
}

/** Photon sniffs the format itself; make sure it decodes what the caller claims. */
function requireMagic(bytes: Uint8Array, magic: number[], name: string): void {
  if (bytes.length < magic.length || magic.some((b, i) => bytes[i] !== b)) {
    throw corrupt(`the source is not a valid ${name} file`);
  }
}
