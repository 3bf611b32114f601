/**
 * @module codec/tiff/decode
 * TIFF sources (TIFF 6.0): the first page (IFD0) of baseline files, none/LZW/
 * Deflate/PackBits (and JPEG-in-TIFF through UTIF's JS decoder), 1..16-bit
 * samples, grey, RGB, palette and CMYK, with or without an alpha extra sample.
 *
 * Decompression is UTIF (utif2, MIT, pure JS: no WASM instance to hold).
 * We read IFD0 with UTIF's single-IFD reader rather than `UTIF.decode`, which
 * follows the IFD chain with no cycle check (a hostile file would loop for
 * ever) and parses MakerNotes; codec/tiff/probe has already bounded the size.
 * Sample conversion is ours for the common layouts, so that 16-bit samples
 * scale to 8 bits with rounding (v / 257), premultiplied alpha (ExtraSamples 1)
 * is un-premultiplied, and CMYK goes through the colour-managed CMYK path of
 * codec/jpeg/cmyk (the embedded profile via LittleCMS when there is one, else
 * libvips' fallback press profile), as libvips converts it. Other
 * interpretations (palette, YCbCr, float) use UTIF's own `toRGBA8`.
 *
 * Orientation (tag 274) is applied by the pipeline from the probe, as for JPEG.
 */
import * as UTIFModule from 'utif2';
import { corrupt, unsupported } from '../../errors';
import { cmykInkToRgbaInPlace } from '../jpeg/cmyk';
import type { DecodeColour } from '../jpeg/decode';
import type { DecodeHint, Raster } from '../types';
import { checkTiffSupported, probeTiffHeader, type TiffInfo } from './probe';

interface UtifIfd {
  [tag: string]: unknown;
  data?: Uint8Array;
  width?: number;
  height?: number;
}

interface Utif {
  _readIFD(bin: unknown, data: Uint8Array, offset: number, ifds: UtifIfd[], depth: number, prm: { parseMN: boolean; debug: boolean }): number;
  _binLE: unknown;
  _binBE: unknown;
  decodeImage(buffer: ArrayBuffer, ifd: UtifIfd, ifds?: UtifIfd[]): void;
  toRGBA8(ifd: UtifIfd): Uint8Array;
}

const UTIF = ((UTIFModule as unknown as { default?: Utif }).default ?? UTIFModule) as unknown as Utif;

/** Decodes the first page of a TIFF to RGBA8. Throws ImageError on bad or unsupported input. */
export async function decodeTiff(bytes: Uint8Array, _hint: DecodeHint, colour: DecodeColour): Promise<Raster> {
  const info = probeTiffHeader(bytes);
  checkTiffSupported(info);
  // UTIF addresses strips by absolute offset in the buffer it is given.
  const buffer = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? (bytes.buffer as ArrayBuffer) : bytes.slice().buffer;
  const view = new Uint8Array(buffer);
  const ifds: UtifIfd[] = [];
  UTIF._readIFD(info.littleEndian ? UTIF._binLE : UTIF._binBE, view, info.ifd0, ifds, 0, { parseMN: false, debug: false });
  const ifd = ifds[0];
  if (!ifd) throw corrupt('the TIFF source has no readable first IFD');
  UTIF.decodeImage(buffer, ifd, ifds);
  const { width, height } = info;
  const bytesPerSample = info.bitsPerSample === 16 ? 2 : 1;
  const expected = width * height * info.samples * bytesPerSample;
  const samples = ifd.data;
  if (!samples || (info.bitsPerSample >= 8 && info.compression !== 7 && samples.length < expected)) throw corrupt('the TIFF source could not be decoded (corrupt or truncated)');
  const ours = info.compression !== 7 && (info.bitsPerSample === 8 || info.bitsPerSample === 16) && [0, 1, 2, 5].includes(info.photometric);
  if (!ours) {
    const data = UTIF.toRGBA8(ifd);
    if (data.length !== width * height * 4) throw corrupt('the TIFF source could not be decoded (corrupt or truncated)');
    return { width, height, data };
  }
  const data = new Uint8Array(width * height * 4);
  if (info.photometric === 5) await cmykToRgba(samples, data, info, colour);
  else toRgba(samples, data, info);
  return { width, height, data };
}

/** One sample as 8 bits: 16-bit samples (already little-endian: UTIF swaps big-endian files) scaled by 255/65535, rounded. */
function reader(samples: Uint8Array, bits: number): (i: number) => number {
  if (bits === 8) return (i) => samples[i]!;
  return (i) => Math.round((samples[2 * i]! | (samples[2 * i + 1]! << 8)) / 257);
}

/** Grey (0/1) and RGB (2), each with an optional alpha extra sample. */
function toRgba(samples: Uint8Array, out: Uint8Array, info: TiffInfo): void {
  const get = reader(samples, info.bitsPerSample);
  const spp = info.samples;
  const colour = info.photometric === 2 ? 3 : 1;
  if (spp < colour) throw corrupt(`TIFF RGB image has ${spp} samples per pixel`);
  // TIFF 6.0 p.31 (ExtraSamples): only a declared alpha is alpha; 0 is "unspecified data".
  const alpha = spp > colour && (info.extraSample === 1 || info.extraSample === 2);
  const premultiplied = alpha && info.extraSample === 1;
  const invert = info.photometric === 0;
  const n = info.width * info.height;
  for (let p = 0, s = 0, o = 0; p < n; p++, s += spp, o += 4) {
    let r: number, g: number, b: number;
    if (colour === 3) {
      r = get(s);
      g = get(s + 1);
      b = get(s + 2);
    } else {
      r = g = b = invert ? 255 - get(s) : get(s);
    }
    const a = alpha ? get(s + colour) : 255;
    if (premultiplied && a > 0 && a < 255) {
      r = Math.min(255, Math.round((r * 255) / a));
      g = Math.min(255, Math.round((g * 255) / a));
      b = Math.min(255, Math.round((b * 255) / a));
    }
    out[o] = r;
    out[o + 1] = g;
    out[o + 2] = b;
    out[o + 3] = a;
  }
}

/**
 * CMYK ink amounts (TIFF 6.0 section 16: 0 = no ink) into `out` as 4-byte
 * pixels, then converted to RGBA in place: the embedded profile through
 * LittleCMS when the colour plan has one, else the built-in press profile.
 * An alpha fifth sample is put back after the conversion (which writes 255).
 */
async function cmykToRgba(samples: Uint8Array, out: Uint8Array, info: TiffInfo, colour: DecodeColour): Promise<void> {
  const get = reader(samples, info.bitsPerSample);
  const spp = info.samples;
  const n = info.width * info.height;
  for (let p = 0, s = 0, o = 0; p < n; p++, s += spp, o += 4) {
    out[o] = get(s);
    out[o + 1] = get(s + 1);
    out[o + 2] = get(s + 2);
    out[o + 3] = get(s + 3);
  }
  let converted = false;
  if (colour.cmyk) {
    try {
      await colour.cmyk(out, () => colour.observe?.(out.byteLength));
      converted = true;
    } catch (err) {
      console.warn('CMYK profile unusable; using the built-in CMYK table', err);
    }
  }
  if (!converted) cmykInkToRgbaInPlace(out);
  const alpha = spp > 4 && (info.extraSample === 1 || info.extraSample === 2);
  if (alpha) for (let p = 0, s = 4; p < n; p++, s += spp) out[p * 4 + 3] = get(s);
}
