/**
 * @module codec/decode
 * Decodes a source image to an 8-bit RGBA {@link Raster} held in JS memory.
 * The decoder table: one row per source format, each pointing into that
 * format's folder, where the choice of decoder is explained:
 * - JPEG: libjpeg-turbo with DCT-domain scaling; arithmetic-coded JPEGs on a
 *   second build (codec/jpeg/decode).
 * - PNG: our decoder over the runtime's native inflate (codec/png/decode):
 *   pixel-identical to Photon on the corpus, as fast, and it holds ~4 bytes/pixel
 *   in JS where Photon grew WASM memory (which never shrinks) by ~12.
 * - GIF and animated WebP (first frame, composited): Photon (codec/gif/decode).
 * - WebP: libwebp (jSquash): lossy, lossless, alpha (codec/webp/decode).
 * - AVIF: libavif + dav1d (jSquash), 8-bit output (codec/avif/decode).
 * - SVG: resvg, rendered at the hinted size, sanitised first (codec/svg/decode).
 * - HEIC: libheif + libde265, transforms and grids applied (codec/heic/decode).
 * - TIFF: UTIF (JS), first page, 16-bit scaled to 8, CMYK (codec/tiff/decode).
 *
 * Bad input always surfaces as an ImageError (422 corrupt / 415 unsupported);
 * decoder instances that trapped are dropped and re-created on next use.
 */
import { ImageError, corrupt, unsupported } from '../errors';
import type { DecodeHint, Raster, SourceFormat } from './types';
import { decodeJpeg, type DecodeColour } from './jpeg/decode';
import { decodePng } from './png/decode';
import { decodeGif } from './gif/decode';
import { decodeWebp } from './webp/decode';
import { decodeAvif } from './avif/decode';
import { decodeSvg } from './svg/decode';
import { decodeHeic } from './heic/decode';
import { decodeTiff } from './tiff/decode';

export type { DecodeColour } from './jpeg/decode';

type Decoder = (bytes: Uint8Array, hint: DecodeHint, colour: DecodeColour) => Raster | Promise<Raster>;

/** One row per source format. */
const DECODERS: Record<SourceFormat, Decoder> = {
  jpeg: decodeJpeg,
  png: (bytes) => decodePng(bytes),
  gif: (bytes) => decodeGif(bytes),
  webp: (bytes) => decodeWebp(bytes),
  avif: (bytes) => decodeAvif(bytes),
  svg: (bytes, hint) => decodeSvg(bytes, hint),
  heic: (bytes) => decodeHeic(bytes),
  tiff: decodeTiff,
};

/** Decodes `bytes` (claimed to be `format`) to RGBA8, possibly scaled down per `hint`. */
export async function decodeImage(bytes: Uint8Array, format: SourceFormat, hint: DecodeHint = {}, colour: DecodeColour = {}): Promise<Raster> {
  try {
    const decoder = Object.hasOwn(DECODERS, format) ? DECODERS[format] : undefined;
    if (!decoder) throw unsupported(`cannot decode ${String(format)} images`);
    return await decoder(bytes, hint, colour);
  } catch (err) {
    if (err instanceof ImageError) throw err;
    // Traps, panics and aborts on hostile input are the client's data, not our bug.
    throw corrupt(`the ${format.toUpperCase()} source could not be decoded (corrupt or truncated)`);
  }
}
