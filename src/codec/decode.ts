/**
 * @module codec/decode
 * Decodes a source image to an 8-bit RGBA {@link Raster} held in JS memory.
 *
 * Decoder per format, and why:
 * - JPEG: libjpeg-turbo with DCT-domain scaling (M/8), so large photos are never
 *   materialised at full size when a thumbnail is wanted. Arithmetic-coded JPEGs
 *   (SOF9/10) go to a second libjpeg-turbo build that has arithmetic decoding
 *   but no scaling (codec/jpeg/arith). 12-bit and lossless JPEGs, and
 *   arithmetic-coded CMYK, are refused with 415 (no bundled decoder has them).
 * - PNG: our decoder over the runtime's native inflate (codec/png/decode):
 *   pixel-identical to Photon on the corpus, as fast, and it holds ~4 bytes/pixel
 *   in JS where Photon grew WASM memory (which never shrinks) by ~12.
 * - GIF and animated WebP (first frame, composited): Photon (Rust `image` crate).
 * - WebP: libwebp (jSquash): lossy, lossless, alpha.
 * - AVIF: libavif + dav1d (jSquash), 8-bit output.
 *
 * Bad input always surfaces as an ImageError (422 corrupt / 415 unsupported);
 * decoder instances that trapped are dropped and re-created on next use.
 */
import { ImageError, corrupt, unsupported } from '../errors';
import type { DecodeHint, Raster, SourceFormat } from './types';
import { decodeJpegTurbo, type JpegHeader } from './jpeg/turbo';
import { probeImage, type JpegInfo } from '../probe';
import { decodeArithJpeg } from './jpeg/arith';
import { cmykInkToRgbaInPlace } from './jpeg/cmyk';
import { decodeWithPhoton } from './wasm/photon';
import { decodePng } from './png/decode';
import { avifDecoder, callEmscripten, webpDecoder } from './wasm/emscripten';

/**
 * Colour work that must happen inside the decoder: a CMYK JPEG's embedded
 * profile turns ink values into RGB (color/index plans it; absent, the
 * built-in press profile of codec/jpeg/cmyk is used).
 */
export interface DecodeColour {
  cmyk?: (data: Uint8Array, observe?: () => void) => Promise<void>;
  /** Told when the CMYK conversion's extra WASM memory is at its peak. */
  observe?: (jsBytes: number) => void;
}

/** Decodes `bytes` (claimed to be `format`) to RGBA8, possibly scaled down per `hint`. */
export async function decodeImage(bytes: Uint8Array, format: SourceFormat, hint: DecodeHint = {}, colour: DecodeColour = {}): Promise<Raster> {
  try {
    switch (format) {
      case 'jpeg':
        return await decodeJpeg(bytes, hint, colour);
      case 'png':
        return await decodePng(bytes);
      case 'gif':
        requireMagic(bytes, GIF_MAGIC, 'GIF');
        return decodeWithPhoton(bytes);
      case 'webp':
        // libwebp's still-image decoder refuses animations; Photon composites their first frame.
        if (isAnimatedWebp(bytes)) return decodeWithPhoton(bytes);
        return toRaster(await callEmscripten(webpDecoder, (m) => m.decode(bytes)), 'WebP');
      case 'avif':
        return toRaster(await callEmscripten(avifDecoder, (m) => m.decode(bytes, 8)), 'AVIF');
      default:
        throw unsupported(`cannot decode ${String(format)} images`);
    }
  } catch (err) {
    if (err instanceof ImageError) throw err;
    // Traps, panics and aborts on hostile input are the client's data, not our bug.
    throw corrupt(`the ${format.toUpperCase()} source could not be decoded (corrupt or truncated)`);
  }
}

const GIF_MAGIC = [0x47, 0x49, 0x46, 0x38]; // "GIF8" (87a and 89a)

/** Photon sniffs the format itself; make sure it decodes what the caller claims. */
function requireMagic(bytes: Uint8Array, magic: number[], name: string): void {
  if (bytes.length < magic.length || magic.some((b, i) => bytes[i] !== b)) {
    throw corrupt(`the source is not a valid ${name} file`);
  }
}

/** RIFF/WebP container spec: a VP8X chunk first, with its Animation flag (0x02) set. */
function isAnimatedWebp(bytes: Uint8Array): boolean {
  const tag = String.fromCharCode(...bytes.subarray(12, 16));
  return tag === 'VP8X' && bytes.length > 20 && (bytes[20]! & 0x02) !== 0;
}

/** Copies an ImageData-like decoder result into a Raster (null means failure). */
function toRaster(image: { width: number; height: number; data: ArrayLike<number> & ArrayBufferView } | null, name: string): Raster {
  if (!image || image.data.byteLength !== image.width * image.height * 4) {
    throw corrupt(`the ${name} source could not be decoded (corrupt or truncated)`);
  }
  const data = new Uint8Array(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  return { width: image.width, height: image.height, data };
}

async function decodeJpeg(bytes: Uint8Array, hint: DecodeHint, colour: DecodeColour): Promise<Raster> {
  // The same header walk the request's probe did: it names what our decoders lack
  // (arithmetic coding, 12-bit, lossless) and says whether CMYK is stored inverted.
  const info = probeImage(bytes).jpeg;
  if (!info) throw corrupt('the JPEG source has no valid header');
  if (info.bitDepth !== 8) {
    throw unsupported(`${info.bitDepth}-bit JPEG is not supported (only 8-bit samples)`);
  }
  if (info.lossless) throw unsupported('lossless JPEG (SOF3) is not supported');
  if (info.arithmetic) {
    // Neither @cwasm's libjpeg-turbo, MozJPEG (@jsquash) nor Photon's Rust
    // decoder is built with arithmetic decoding; the second libjpeg-turbo build
    // is, but only outputs RGB or grey (its CMYK conversion fails).
    if (info.components === 4) throw unsupported('arithmetic-coded CMYK JPEG is not supported');
    return decodeArithJpeg(bytes, hint);
  }
  const decoded = decodeJpegTurbo(bytes, (header) => chooseJpegScale(header, hint));
  if (decoded.cmyk) await convertCmykToRgba(decoded.data, info, colour);
  return { width: decoded.width, height: decoded.height, data: decoded.data };
}

/**
 * Picks the smallest M (of M/8, libjpeg-turbo's DCT scaling factors) whose
 * output, ceil(dim * M / 8), is still at least the hinted minimum.
 */
export function chooseJpegScale({ width, height }: Pick<JpegHeader, 'width' | 'height'>, hint: DecodeHint): number {
  const minWidth = hint.minWidth ?? width;
  const minHeight = hint.minHeight ?? height;
  for (let m = 1; m < 8; m++) {
    if (Math.ceil((width * m) / 8) >= minWidth && Math.ceil((height * m) / 8) >= minHeight) return m;
  }
  return 8;
}

/**
 * Converts libjpeg's CMYK output to RGBA in place, colour-managed as libvips
 * does it: through the embedded profile when there is one (LittleCMS, via
 * `colour.cmyk`), else libvips' fallback CMYK profile (codec/jpeg/cmyk), relative
 * colorimetric either way. Adobe (APP14) CMYK JPEGs, i.e. practically all of
 * them (Photoshop), store the channels inverted (255 = no ink); others store
 * ink amounts, as libvips assumes.
 */
async function convertCmykToRgba(data: Uint8Array, info: JpegInfo, colour: DecodeColour): Promise<void> {
  if (info.adobeTransform !== undefined) {
    for (let i = 0; i < data.length; i++) data[i] = 255 - data[i]!;
  }
  if (colour.cmyk) {
    try {
      await colour.cmyk(data, () => colour.observe?.(data.byteLength));
      return;
    } catch (err) {
      // A profile LittleCMS refuses: the built-in press profile is the best remaining answer.
      console.warn('CMYK profile unusable; using the built-in CMYK table', err);
    }
  }
  cmykInkToRgbaInPlace(data);
}
