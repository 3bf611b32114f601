/**
 * @module color/extract
 * Finds the colour description a source carries, from header bytes only:
 * - JPEG: APP2 "ICC_PROFILE\0" segments (ICC.1 Annex B.4): a profile larger
 *   than a segment is split, each chunk numbered 1..n; reassembled in sequence
 *   order, whatever order the segments come in.
 * - PNG: iCCP (zlib-compressed profile), sRGB, and gAMA + cHRM (PNG spec 3rd
 *   edition 11.3.2). Precedence as Chromium's PNG decoder has it
 *   (third_party/blink/.../png_image_decoder.cc, ReadColorProfile): an sRGB
 *   chunk, then iCCP, then gAMA and cHRM only when both are present. gAMA
 *   alone is ignored, as Chromium, Safari and Firefox ignore it.
 * - WebP: the ICCP chunk of an extended (VP8X) file (RIFF container spec).
 * - AVIF/HEIF: the 'colr' property (ISO/IEC 23008-12 6.5.5 / ISO 14496-12
 *   12.1.5): 'prof'/'rICC' carry an ICC profile; 'nclx' carries CICP code
 *   points (ITU-T H.273).
 * - TIFF: tag 34675 (InterColorProfile, TIFF/EP; ICC.1 Annex B.5) of the first
 *   IFD, with the colour model from PhotometricInterpretation (5 is CMYK).
 * Every read is bounds-checked and every loop bounded; nothing here throws.
 */
import { readJpegHeaders } from '../codec/jpeg/segments';
import { concatBytes, inflateWithin, at, u16be, u32be, u32le, hasAscii, fourcc, readBoxHeader, type Box } from '../bytes';
import type { SourceFormat } from '../codec/types';
import type { Chromaticities } from './matrix';
import { probeTiffHeader } from '../codec/tiff/probe';

export interface Cicp {
  primaries: number;
  transfer: number;
}

export interface SourceColour {
  /** The embedded ICC profile (PNG's already inflated). */
  icc?: Uint8Array;
  /** The colour model the image data is coded in, where the header says (JPEG components, PNG colour type). */
  model?: 'gray' | 'rgb' | 'cmyk';
  /** PNG sRGB chunk: the image is sRGB, whatever else it says. */
  srgb?: boolean;
  /** PNG gAMA (as the decoding exponent 1/gamma) with cHRM, when both are present and there is no iCCP/sRGB. */
  png?: { exponent: number; chrm: Chromaticities };
  /** AVIF nclx colour description. */
  cicp?: Cicp;
}



/** Reads the colour description of `bytes`; an unreadable description is simply absent. */
export async function readSourceColour(bytes: Uint8Array, format: SourceFormat): Promise<SourceColour> {
  switch (format) {
    case 'jpeg': {
      const model = jpegModel(bytes);
      return { ...withIcc(jpegIcc(bytes)), ...(model ? { model } : {}) };
    }
    case 'png':
      return pngColour(bytes);
    case 'webp':
      return withIcc(webpIcc(bytes));
    case 'avif':
    case 'heic':
      // HEIC is HEIF like AVIF: the same meta/iprp/ipco/colr property.
      return avifColour(bytes);
    case 'tiff':
      return tiffColour(bytes);
    default:
      return {};
  }
}

const withIcc = (icc: Uint8Array | undefined): SourceColour => (icc ? { icc } : {});

/** Nf of the first SOF segment (ITU-T T.81 B.2.2): 1 grey, 3 colour, 4 CMYK/YCCK. */
function jpegModel(b: Uint8Array): SourceColour['model'] {
  const sof = readJpegHeaders(b).segments.find(({ marker }) => marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc);
  if (!sof) return undefined;
  const nf = at(b, sof.start + 5);
  return nf === 1 ? 'gray' : nf === 3 ? 'rgb' : nf === 4 ? 'cmyk' : undefined;
}

/** ICC.1 B.4: "ICC_PROFILE\0", sequence number (1-based), count, then the chunk. */
export function jpegIcc(b: Uint8Array): Uint8Array | undefined {
  const chunks: Uint8Array[] = [];
  let count = 0;
  const { segments, junk } = readJpegHeaders(b);
  if (junk) return undefined; // headers end in junk: give up rather than guess
  for (const { marker, start: seg, end, whole } of segments) {
    if (!whole) break;
    if (marker === 0xe2 && end - seg >= 14 && hasAscii(b, seg, 'ICC_PROFILE\0')) {
      const seq = at(b, seg + 12);
      const n = at(b, seg + 13);
      if (seq >= 1 && n >= 1 && seq <= n && (count === 0 || count === n)) {
        count = n;
        chunks[seq - 1] = b.subarray(seg + 14, end);
      }
    }
  }
  if (count === 0) return undefined;
  // A missing chunk means a profile we cannot trust: behave as if there were none.
  for (let i = 0; i < count; i++) if (!chunks[i]) return undefined;
  return concatBytes(chunks.slice(0, count));
}



/** Profiles larger than this are refused: real ones are a few KB, CMYK LUT profiles up to ~2 MB. */
const MAX_ICC_BYTES = 4 * 1024 * 1024;

async function pngColour(b: Uint8Array): Promise<SourceColour> {
  let iccp: Uint8Array | undefined;
  let srgb = false;
  let gamma: number | undefined;
  let chrm: Chromaticities | undefined;
  // Chunks before IDAT (PNG spec 5.6: iCCP, sRGB, gAMA, cHRM precede PLTE and IDAT).
  for (let p = 8, i = 0; p + 8 <= b.length && i < 10_000; i++) {
    const len = u32be(b, p);
    const type = fourcc(b, p + 4);
    const data = p + 8;
    if (type === 'IDAT' || type === 'IEND' || data + len > b.length) break;
    if (type === 'sRGB') srgb = true;
    else if (type === 'gAMA' && len >= 4) gamma = u32be(b, data) / 100000;
    else if (type === 'cHRM' && len >= 32) {
      const v = (k: number) => u32be(b, data + 4 * k) / 100000;
      chrm = { white: [v(0), v(1)], red: [v(2), v(3)], green: [v(4), v(5)], blue: [v(6), v(7)] };
    } else if (type === 'iCCP' && !iccp) {
      // Profile name (1-79 bytes), NUL, compression method 0 (zlib).
      let z = data;
      while (z < data + Math.min(len, 80) && at(b, z) !== 0) z++;
      if (at(b, z) === 0 && at(b, z + 1) === 0) iccp = b.subarray(z + 2, data + len);
    }
    p = data + len + 4;
  }
  if (srgb) return { srgb: true };
  if (iccp) {
    const icc = await inflateWithin(iccp, MAX_ICC_BYTES);
    // PNG spec 11.3.2.4: colour types 0 and 4 are grey (an RGB profile there is an error, and v.v.).
    const colourType = at(b, 25);
    if (icc) return { icc, model: colourType === 0 || colourType === 4 ? 'gray' : 'rgb' };
  }
  if (gamma && gamma > 0 && chrm && validChromaticities(chrm)) return { png: { exponent: 1 / gamma, chrm } };
  return {};
}

function validChromaticities(c: Chromaticities): boolean {
  return [c.white, c.red, c.green, c.blue].every(([x, y]) => x > 0 && y > 0 && x + y <= 1.0001);
}


/** RIFF container spec: chunks after VP8X; ICCP must come right after it but we accept it anywhere. */
export function webpIcc(b: Uint8Array): Uint8Array | undefined {
  if (b.length < 30 || fourcc(b, 12) !== 'VP8X' || (at(b, 20) & 0x20) === 0) return undefined;
  const end = Math.min(b.length, 8 + u32le(b, 4));
  for (let p = 12, i = 0; p + 8 <= end && i < 10_000; i++) {
    const len = u32le(b, p + 4);
    if (fourcc(b, p) === 'ICCP') return p + 8 + len <= end && len <= MAX_ICC_BYTES ? b.slice(p + 8, p + 8 + len) : undefined;
    p += 8 + len + (len & 1);
  }
  return undefined;
}



function child(b: Uint8Array, from: number, to: number, type: string): Box | undefined {
  for (let p = from, i = 0; i < 4096; i++) {
    const x = readBoxHeader(b, p, to);
    if (!x) return undefined;
    if (x.type === type) return x;
    if (x.end <= p) return undefined;
    p = x.end;
  }
  return undefined;
}

/**
 * meta/iprp/ipco/colr. Without resolving ipma associations we take the first
 * 'colr' of each kind: encoders (libavif, libheif) write one for the primary
 * image; an ICC profile wins over nclx, as libavif and Chromium apply it.
 */
function avifColour(b: Uint8Array): SourceColour {
  const n = Math.min(b.length, 1 << 30);
  const meta = child(b, 0, n, 'meta');
  const iprp = meta && child(b, meta.start + 4, meta.end, 'iprp');
  const ipco = iprp && child(b, iprp.start, iprp.end, 'ipco');
  if (!ipco) return {};
  let cicp: Cicp | undefined;
  for (let p = ipco.start, i = 0; i < 4096; i++) {
    const x = readBoxHeader(b, p, ipco.end);
    if (!x || x.end <= p) break;
    if (x.type === 'colr' && x.start + 4 <= x.end) {
      const kind = fourcc(b, x.start);
      if ((kind === 'prof' || kind === 'rICC') && x.end - x.start - 4 <= MAX_ICC_BYTES) return { icc: b.slice(x.start + 4, x.end) };
      if (kind === 'nclx' && x.start + 10 <= x.end && !cicp) cicp = { primaries: u16be(b, x.start + 4), transfer: u16be(b, x.start + 6) };
    }
    p = x.end;
  }
  return cicp ? { cicp } : {};
}

/** TIFF tag 34675 of IFD0; the model from PhotometricInterpretation (0/1 grey, 5 CMYK, else RGB). */
function tiffColour(b: Uint8Array): SourceColour {
  let info;
  try {
    info = probeTiffHeader(b);
  } catch {
    return {};
  }
  const model = info.photometric === 5 ? 'cmyk' : info.photometric <= 1 ? 'gray' : 'rgb';
  const icc = info.icc && info.icc.length <= MAX_ICC_BYTES ? b.slice(info.icc.offset, info.icc.offset + info.icc.length) : undefined;
  // A CMYK page without a profile is still CMYK: the decoder uses the built-in press profile.
  return icc ? { icc, model } : {};
}
