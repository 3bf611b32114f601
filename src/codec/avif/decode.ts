/**
 * @module codec/avif/decode
 * AVIF sources (a sequence's first frame): libavif + dav1d (jSquash), 8-bit output.
 */
import type { Raster } from '../types';
import { avifDecoder, callEmscripten, toRaster } from '../wasm/emscripten';

/** Decodes an AVIF to RGBA8. Throws on bad input. */
export async function decodeAvif(bytes: Uint8Array): Promise<Raster> {
  return toRaster(await callEmscripten(avifDecoder, (m) => m.decode(bytes, 8)), 'AVIF');
}
