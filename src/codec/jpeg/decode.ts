/**
 * @module codec/jpeg/decode
 * JPEG sources: libjpeg-turbo with DCT-domain scaling (M/8), so large photos are
 * never materialised at full size when a thumbnail is wanted. Arithmetic-coded
 * JPEGs (SOF9/10) go to a second libjpeg-turbo build that has arithmetic
 * decoding but no scaling (codec/jpeg/arith). 12-bit and lossless JPEGs, and
 * arithmetic-coded CMYK, are refused with 415 (no bundled decoder has them).
 * CMYK/YCCK is converted to RGB here (codec/jpeg/cmyk, or the embedded profile).
 */
import { corrupt, unsupported } from '../../errors';
import type { DecodeHint, Raster } from '../types';
import { decodeJpegTurbo, type JpegHeader } from './turbo';
import { probeImage, type JpegInfo } from '../../probe';
import { decodeArithJpeg } from './arith';
import { cmykInkToRgbaInPlace } from './cmyk';

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

/** Decodes a JPEG to RGBA8, scaled down in the DCT domain as far as `hint` allows. */
export async function decodeJpeg(bytes: Uint8Array, hint: DecodeHint, colour: DecodeColour): Promise<Raster> {
  // The same header walk the request's probe did: it names what our decoders lack
  // (arithmetic coding, 12-bit, lossless) and says whether CMYK is stored inverted.
  const info = probeImage(bytes).jpeg;
  if (!info) throw corrupt('the JPEG source has no valid header');
  if (info.bitDepth !== 8) {
    throw unsupported(`${info.bitDepth}-bit JPEG is not supported (only 8-bit samples)`);
  }
  if (info.lossless) throw unsupported('lossless JPEG (SOF3) is not supported');
  if (info.arithmetic) {
    // Our libjpeg-turbo build (codec/jpeg/turbo) leaves arithmetic decoding out,
    // as did the decoders before it; the second libjpeg-turbo build has it, but
    // only outputs RGB or grey (its CMYK conversion fails).
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
