/**
 * @module probe
 * Identifies a source image and reads its dimensions, EXIF orientation, frame count
 * and alpha hint from header bytes alone, without decoding pixels. It runs on every
 * request before any pixel budget is reserved, so it must be cheap on huge files and
 * safe on hostile ones: every read is bounds-checked, every loop advances by at least
 * one byte (or one box/chunk header) and the only thing it ever throws is an
 * `ImageError` (415 for formats we do not transform, 422 for damaged headers).
 *
 * The format is sniffed from magic bytes only; a file name or Content-Type is a
 * claim by the origin, not evidence.
 */

import { at, u16be, u16le, u24le, u32be, u32le, hasAscii, fourcc, readBoxHeader, type Box } from './bytes';
import { corrupt, unsupported } from './errors';
import type { SourceFormat } from './codec/types';
import { inspectSvg, type SvgInfo } from './codec/svg/inspect';
import { decodesByTile, readHeifItems } from './codec/heic/probe';
import { checkTiffSupported, probeTiffHeader } from './codec/tiff/probe';

/** EXIF/TIFF Orientation values (TIFF 6.0 p.36, EXIF 2.32 tag 0x0112). */
export type Orientation = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;

export interface JpegInfo {
  /** SOF2/6/10/14 (ITU-T T.81 B.1.1.3): scans are progressive. */
  progressive: boolean;
  /** SOF9..11/13..15: arithmetic instead of Huffman entropy coding. */
  arithmetic: boolean;
  /** SOF3/7/11/15: the lossless process. */
  lossless: boolean;
  /** Sample precision P from the SOF segment: 8, or 12 for extended JPEG. */
  bitDepth: number;
  /** Nf from the SOF segment: 1 grey, 3 YCbCr/RGB, 4 CMYK/YCCK. */
  components: number;
  /** APP14 "Adobe" transform flag: 0 none (RGB/CMYK), 1 YCbCr, 2 YCCK. */
  adobeTransform?: number;
}

export interface Probe {
  format: SourceFormat;
  /** Stored size, before EXIF orientation. 0 only for an AVIF without an `ispe` box. */
  width: number;
  height: number;
  /** EXIF orientation (for AVIF: the equivalent of its irot/imir properties); 1 when absent or invalid. */
  orientation: Orientation;
  /** Size once orientation is applied (5..8 swap width and height). */
  displayWidth: number;
  displayHeight: number;
  frames: number;
  animated: boolean;
  /** From header flags only; undefined when the header does not say. */
  hasAlpha: boolean | undefined;
  jpeg?: JpegInfo;
  /** HEIC: the coded size (before clap/irot), bit depth, grid tiles, and the irot/imir turn libheif applies at decode. */
  heic?: { codedWidth: number; codedHeight: number; bitDepth: number; tiles?: number; byTile: boolean; orientation: Orientation };
  /** TIFF: pages in the file (the first is decoded) and the first page's sample layout. */
  tiff?: { pages: number; bitsPerSample: number; samples: number; compression: number; photometric: number };
  /**
   * True when the file carries metadata a re-encode drops (EXIF, XMP, IPTC, text
   * chunks, JPEG comments); false when it carries none; undefined when the header
   * does not tell (a PNG's chunks after IDAT: {@link sourceMetadata} looks there; AVIF).
   * src/passthrough.ts only hands out a source known to be clean.
   */
  metadata?: boolean;
  /** SVG only: element count and nesting depth, checked against the limits before rendering. */
  svg?: SvgInfo;
}

/** Reads the header of `bytes` and describes the image; throws ImageError 415/422. */
export function probeImage(bytes: Uint8Array): Probe {
  const kind = sniffFormat(bytes);
  switch (kind) {
    case 'jpeg':
      return probeJpeg(bytes);
    case 'png':
      return probePng(bytes);
    case 'webp':
      return probeWebp(bytes);
    case 'gif':
      return probeGif(bytes);
    case 'avif':
      return probeAvif(bytes);
    case 'svg':
      return probeSvg(bytes);
    case 'heic':
    case 'heif':
      return probeHeif(bytes, kind);
    case 'tiff':
      return probeTiff(bytes);
    default:
      throw unsupported(`source is not a supported image (detected: ${kind})`);
  }
}


/** Builds a Probe, deriving the display size from the orientation. */
function makeProbe(
  format: SourceFormat,
  width: number,
  height: number,
  orientation: Orientation,
  frames: number,
  hasAlpha: boolean | undefined,
  jpeg?: JpegInfo,
): Probe {
  // EXIF 2.32 tag 0x0112: values 5..8 have the 0th row along the visual left/right
  // side, i.e. the image is transposed, so the displayed width is the stored height.
  const swap = orientation >= 5;
  const probe: Probe = {
    format,
    width,
    height,
    orientation,
    displayWidth: swap ? height : width,
    displayHeight: swap ? width : height,
    frames,
    animated: frames > 1,
    hasAlpha,
  };
  if (jpeg) probe.jpeg = jpeg;
  return probe;
}

// ---------------------------------------------------------------------------
// Sniffing

type Detected = SourceFormat | string;

/**
 * Names the format from magic bytes. Returns one of the SourceFormats, or a short
 * name of what the bytes look like for the 415 message. Throws 422 when the bytes
 * are recognisably one of our formats with a damaged signature.
 */
function sniffFormat(b: Uint8Array): Detected {
  const n = b.length;
  if (n === 0) return 'empty';
  // JPEG: SOI (FFD8) followed by the first marker's FF (ITU-T T.81 B.1.1.2).
  if (n >= 3 && at(b, 0) === 0xff && at(b, 1) === 0xd8 && at(b, 2) === 0xff) return 'jpeg';
  // PNG spec 5.2: the 8-byte signature is designed to detect transfer damage
  // (CR/LF translation, 7-bit stripping), so "?PNG" with a broken signature is a
  // damaged PNG, not some other format.
  if (n >= 4 && hasAscii(b, 1, 'PNG')) {
    if (n >= 8 && at(b, 0) === 0x89 && at(b, 4) === 0x0d && at(b, 5) === 0x0a && at(b, 6) === 0x1a && at(b, 7) === 0x0a) return 'png';
    throw corrupt('PNG signature is damaged or truncated');
  }
  if (hasAscii(b, 0, 'GIF87a') || hasAscii(b, 0, 'GIF89a')) return 'gif';
  if (hasAscii(b, 0, 'GIF8')) throw corrupt('GIF signature has an unknown version');
  // RIFF container: "RIFF" size form-type (RIFF/WebP container spec).
  if (hasAscii(b, 0, 'RIFF')) {
    if (hasAscii(b, 8, 'WEBP')) return 'webp';
    if (n < 12) throw corrupt('RIFF header is truncated');
    return 'riff-' + fourcc(b, 8).trim().toLowerCase().replace(/[^a-z0-9]/g, '');
  }
  // ISO BMFF (ISO/IEC 14496-12 4.3): the first box is 'ftyp' with brands.
  if (hasAscii(b, 4, 'ftyp')) return sniffIsoBrands(b);
  // TIFF 6.0 section 2: byte order "II" or "MM" then 42.
  if (hasAscii(b, 0, 'II') && at(b, 2) === 42 && at(b, 3) === 0) return 'tiff';
  if (hasAscii(b, 0, 'MM') && at(b, 2) === 0 && at(b, 3) === 42) return 'tiff';
  if (hasAscii(b, 0, 'BM') && n >= 14) return 'bmp';
  if (hasAscii(b, 0, '%PDF-')) return 'pdf';
  if (hasAscii(b, 0, '8BPS')) return 'psd';
  if (n >= 4 && at(b, 0) === 0 && at(b, 1) === 0 && (at(b, 2) === 1 || at(b, 2) === 2) && at(b, 3) === 0) return 'ico';
  if (n >= 2 && at(b, 0) === 0xff && at(b, 1) === 0x0a) return 'jxl';
  if (hasAscii(b, 4, 'JXL ')) return 'jxl';
  if (hasAscii(b, 4, 'jP  ')) return 'jp2';
  if (n >= 2 && at(b, 0) === 0x1f && at(b, 1) === 0x8b) return 'gzip';
  if (hasAscii(b, 0, 'PK\x03\x04')) return 'zip';
  if (hasAscii(b, 0, '\x00\x00\x01\xba') || hasAscii(b, 0, '\x1aE\xdf\xa3')) return 'video';
  // Short prefixes of our own signatures: a body cut off inside the magic.
  if (n < 3 && at(b, 0) === 0xff && (n === 1 || at(b, 1) === 0xd8)) throw corrupt('JPEG is truncated');
  return sniffText(b);
}

/**
 * Classifies text-like bytes (markup in particular, because SVG and HTML are the
 * usual things an origin serves by mistake or malice). Looks at most at the first
 * 1 KiB, after a UTF-8 BOM and leading whitespace.
 */
function sniffText(b: Uint8Array): string {
  let p = 0;
  if (b.length >= 3 && at(b, 0) === 0xef && at(b, 1) === 0xbb && at(b, 2) === 0xbf) p = 3;
  while (p < b.length && (at(b, p) === 0x20 || at(b, p) === 0x09 || at(b, p) === 0x0a || at(b, p) === 0x0d)) p++;
  const end = Math.min(b.length, p + 1024);
  let text = '';
  let printable = true;
  for (let i = p; i < end; i++) {
    const c = at(b, i);
    if (c < 0x09 || (c > 0x0d && c < 0x20) || c === 0x7f) printable = false;
    text += String.fromCharCode(c >= 0x41 && c <= 0x5a ? c + 32 : c); // ASCII lower-case
  }
  if (text.startsWith('<')) {
    if (startsWithSvgRoot(b, p)) return 'svg';
    if (text.startsWith('<!doctype html') || /<(html|head|body|title|meta|script|div|p)[\s>]/.test(text)) return 'html';
    return 'xml';
  }
  if (text.startsWith('{') || text.startsWith('[')) return printable ? 'json' : 'unknown';
  return printable && text.length > 0 ? 'text' : 'unknown';
}

/**
 * True when the markup's first element is `<svg` (or `<prefix:svg`): after the
 * XML declaration, comments, processing instructions and a document type, in the
 * first 4 KiB. XML names are case-sensitive, so `<SVG>` is not SVG; an HTML page
 * with an inline `<svg>` is HTML.
 */
function startsWithSvgRoot(b: Uint8Array, from: number): boolean {
  const head = new TextDecoder('latin1').decode(b.subarray(from, Math.min(b.length, from + 4096)));
  const prolog = /^(?:\s+|<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!DOCTYPE(?:[^[>]|\[[\s\S]*?\])*>)*<(?:[A-Za-z_][\w.-]*:)?svg[\s/>]/;
  return prolog.test(head);
}

/** SVG: the intrinsic size from the root element (codec/svg/inspect); one frame, alpha unknown until drawn. */
function probeSvg(bytes: Uint8Array): Probe {
  const info = inspectSvg(bytes);
  return { ...makeProbe('svg', info.width, info.height, 1, 1, undefined), svg: info };
}

/**
 * Reads the 'ftyp' brands (ISO/IEC 14496-12 4.3). AVIF (AV1 Image File Format 2.x)
 * uses 'avif' for still images and 'avis' for sequences; HEIF with HEVC uses
 * 'heic'/'heix'/'hevc'...; a file with only the generic 'mif1'/'msf1' brands
 * is told apart by its primary item's coding ({@link probeHeif}).
 */
function sniffIsoBrands(b: Uint8Array): Detected {
  const size = u32be(b, 0);
  // A real ftyp lists a handful of brands; cap the scan so a hostile size cannot make it long.
  const end = Math.min(b.length, size >= 16 ? size : 16, 1024);
  if (b.length < 12) throw corrupt('ISO BMFF ftyp box is truncated');
  let avif = false;
  let heif = false;
  let heic = false;
  const major = fourcc(b, 8);
  // Major brand at 8, minor version at 12, compatible brands from 16 to box end.
  for (let p = 8; p + 4 <= end; p += p === 8 ? 8 : 4) {
    const brand = fourcc(b, p);
    if (brand === 'avif' || brand === 'avis') avif = true;
    else if (brand === 'mif1' || brand === 'msf1') heif = true;
    else if (brand === 'heic' || brand === 'heix' || brand === 'hevc' || brand === 'hevx' || brand === 'heim' || brand === 'heis') heic = true;
  }
  if (avif) return 'avif';
  if (heic) return 'heic';
  if (heif) return 'heif';
  if (major === 'crx ') return 'cr3';
  if (major.startsWith('qt')) return 'quicktime';
  return 'mp4';
}

// ---------------------------------------------------------------------------
// EXIF (TIFF structure inside APP1 / eXIf / EXIF chunks)

/**
 * Reads tag 0x0112 (Orientation) from IFD0 of the TIFF structure in b[start, end).
 * EXIF 2.32 4.6.2 / TIFF 6.0 section 2: 8-byte header (byte order, 42, IFD0 offset
 * relative to the header), then a 2-byte entry count and 12-byte entries. Anything
 * malformed or out of range yields 1: a broken EXIF block must not fail the image,
 * exactly as browsers ignore it.
 */
function readExifOrientation(b: Uint8Array, start: number, end: number): Orientation {
  end = Math.min(end, b.length);
  // Some writers keep the JPEG "Exif\0\0" prefix inside PNG eXIf / WebP EXIF chunks.
  if (hasAscii(b, start, 'Exif') && start + 6 <= end && at(b, start + 4) === 0 && at(b, start + 5) === 0) start += 6;
  if (end - start < 8) return 1;
  let le: boolean;
  if (at(b, start) === 0x49 && at(b, start + 1) === 0x49) le = true;
  else if (at(b, start) === 0x4d && at(b, start + 1) === 0x4d) le = false;
  else return 1;
  const r16 = le ? u16le : u16be;
  const r32 = le ? u32le : u32be;
  if (r16(b, start + 2) !== 42) return 1;
  const ifd0 = r32(b, start + 4);
  if (ifd0 < 8 || ifd0 > end - start - 2) return 1;
  const dir = start + ifd0;
  const count = r16(b, dir);
  // Bounded by both the declared count and the bytes actually present.
  for (let i = 0, e = dir + 2; i < count && e + 12 <= end; i++, e += 12) {
    const tag = r16(b, e);
    if (tag !== 0x0112) continue;
    const type = r16(b, e + 2);
    // TIFF 6.0: Orientation is SHORT (type 3), count 1, value left-justified in the
    // 4-byte value field. Tolerate LONG (type 4) from sloppy writers.
    let v: number;
    if (type === 3) v = r16(b, e + 8);
    else if (type === 4) v = r32(b, e + 8);
    else return 1;
    return v >= 1 && v <= 8 ? (v as Orientation) : 1;
  }
  return 1;
}

// ---------------------------------------------------------------------------
// JPEG (ITU-T T.81 Annex B; JFIF; EXIF 2.32 4.5.4 APP1; Adobe TN 5116 APP14)

function probeJpeg(b: Uint8Array): Probe {
  const n = b.length;
  let p = 2; // after SOI
  let orientation: Orientation = 1;
  let exifSeen = false;
  let adobeTransform: number | undefined;
  let sof = -1;
  let width = 0;
  let height = 0;
  let bitDepth = 0;
  let components = 0;
  // APP1 (EXIF, XMP), APP13 (IPTC), other APPn and COM are metadata; APP0 (JFIF),
  // APP2 (ICC, handled by the colour plan) and APP14 (Adobe transform) are not.
  let metadata = false;
  // Each iteration consumes at least one byte, so the loop ends by n.
  while (p < n) {
    // T.81 B.1.1.2: a marker is FF followed by a non-zero, non-FF code, and any
    // number of FF fill bytes may precede it. libjpeg's next_marker() also skips
    // (with a warning) stray non-FF bytes between segments; do the same, as
    // bad/junk_jpeg_header.jpg shows such files exist and decode.
    if (at(b, p) !== 0xff) {
      p++;
      continue;
    }
    while (p < n && at(b, p) === 0xff) p++;
    if (p >= n) break;
    const marker = at(b, p++);
    if (marker === 0x00) continue; // stuffed zero: not a marker, treat as junk
    // Standalone markers without a length (T.81 B.1.1.3): TEM, RSTn, SOI.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) continue;
    if (marker === 0xd9) break; // EOI
    if (p + 2 > n) break;
    const len = u16be(b, p);
    if (len < 2) throw corrupt(`JPEG marker FF${hex2(marker)} has an invalid length`);
    const seg = p + 2;
    const segEnd = p + len;
    if (marker === 0xda) break; // SOS: entropy-coded data follows, headers are over
    if (marker === 0xfe || (marker >= 0xe1 && marker <= 0xef && marker !== 0xe2 && marker !== 0xee)) metadata = true;
    if (isSof(marker)) {
      if (sof < 0) {
        if (segEnd > n || len < 8) break; // truncated inside SOF: reported below
        sof = marker - 0xc0;
        bitDepth = at(b, seg);
        height = u16be(b, seg + 1);
        width = u16be(b, seg + 3);
        components = at(b, seg + 5);
      }
    } else if (marker === 0xe1 && !exifSeen && hasAscii(b, seg, 'Exif\0\0')) {
      // First Exif APP1 wins (EXIF 2.32 4.5.4: APP1 immediately follows SOI);
      // later APP1s may be XMP or a thumbnail's.
      exifSeen = true;
      orientation = readExifOrientation(b, seg + 6, segEnd);
    } else if (marker === 0xee && len >= 14 && hasAscii(b, seg, 'Adobe') && segEnd <= n) {
      adobeTransform = at(b, seg + 11);
    }
    p = segEnd;
  }
  if (sof < 0) throw corrupt('JPEG ends before its frame header (SOF)');
  if (width === 0) throw corrupt('JPEG frame header has zero width');
  if (height === 0) {
    // T.81 B.2.5: Y = 0 means the height comes later in a DNL marker, which
    // libjpeg(-turbo) refuses ("Empty JPEG image (DNL not supported)").
    throw unsupported('JPEG with height defined by a DNL marker is not supported (detected: jpeg-dnl)');
  }
  if (components === 0) throw corrupt('JPEG frame header has no components');
  const jpeg: JpegInfo = {
    progressive: (sof & 3) === 2,
    arithmetic: sof >= 9,
    lossless: (sof & 3) === 3,
    bitDepth,
    components,
  };
  if (adobeTransform !== undefined) jpeg.adobeTransform = adobeTransform;
  return { ...makeProbe('jpeg', width, height, orientation, 1, false, jpeg), metadata };
}

/** SOF0..15 except DHT (C4), JPG (C8) and DAC (CC), per T.81 Table B.1. */
const isSof = (m: number) => m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;
const hex2 = (v: number) => v.toString(16).toUpperCase().padStart(2, '0');

// ---------------------------------------------------------------------------
// PNG (PNG spec, 3rd edition; APNG in 3rd edition section 4.3 / acTL)

/** Valid bit depths per colour type (PNG spec Table 11.1). */
const PNG_DEPTHS: Record<number, readonly number[]> = {
  0: [1, 2, 4, 8, 16],
  2: [8, 16],
  3: [1, 2, 4, 8],
  4: [8, 16],
  6: [8, 16],
};

function probePng(b: Uint8Array): Probe {
  const n = b.length;
  // PNG spec 5.6: IHDR is the first chunk, 13 data bytes.
  if (n < 33) throw corrupt('PNG is truncated inside IHDR');
  if (hasAscii(b, 12, 'CgBI')) {
    // Apple's "crushed" PNG (Xcode pngcrush): premultiplied BGRA and raw deflate,
    // which standard decoders reject.
    throw unsupported('Apple CgBI PNG is not a supported image (detected: png-cgbi)');
  }
  if (u32be(b, 8) !== 13 || !hasAscii(b, 12, 'IHDR')) throw corrupt('PNG does not start with an IHDR chunk');
  // IHDR is 17 bytes of CRC input: checking it is cheap and catches a corrupted
  // size before we trust it (PNG spec 5.3).
  if (crc32(b, 12, 29) !== u32be(b, 29)) throw corrupt('PNG IHDR checksum mismatch');
  const width = u32be(b, 16);
  const height = u32be(b, 20);
  const depth = at(b, 24);
  const colorType = at(b, 25);
  // PNG spec 11.2.2: width and height are 1..2^31-1; compression and filter method
  // 0 only; interlace 0 or 1.
  if (width === 0 || height === 0 || width > 0x7fffffff || height > 0x7fffffff) throw corrupt('PNG IHDR has an invalid size');
  const depths = PNG_DEPTHS[colorType];
  if (!depths || !depths.includes(depth)) throw corrupt(`PNG IHDR has invalid colour type ${colorType} / bit depth ${depth}`);
  if (at(b, 26) !== 0 || at(b, 27) !== 0 || at(b, 28) > 1) throw corrupt('PNG IHDR has an invalid compression, filter or interlace method');

  let hasAlpha = colorType === 4 || colorType === 6;
  let orientation: Orientation = 1;
  let frames = 1;
  let metadataBeforeImage = false;
  // Walk chunk headers up to the first IDAT: tRNS, acTL and eXIf must all precede
  // it (PNG spec 5.6 chunk ordering). Each step advances >= 12 bytes.
  let p = 33;
  for (;;) {
    if (p + 8 > n) throw corrupt('PNG ends before its image data');
    const len = u32be(b, p);
    if (len > 0x7fffffff) throw corrupt('PNG chunk length exceeds 2^31-1');
    const data = p + 8;
    const type = fourcc(b, p + 4);
    if (type === 'IDAT') break;
    if (type === 'IEND') throw corrupt('PNG has no image data (IDAT)');
    if (data + len > n) throw corrupt(`PNG ends inside its ${type} chunk`);
    if (type === 'tRNS') hasAlpha = true;
    else if (type === 'acTL' && len >= 8) {
      // APNG: num_frames counts the frames of the animation; 0 is invalid and
      // decoders then show the static image.
      const f = u32be(b, data);
      if (f > 0) frames = f;
    } else if (type === 'eXIf') orientation = readExifOrientation(b, data, data + len);
    if (PNG_METADATA.has(type)) metadataBeforeImage = true;
    p = data + len + 4; // + CRC
  }
  const probe = makeProbe('png', width, height, orientation, frames, hasAlpha);
  // The probe reads headers only; text chunks after IDAT are sourceMetadata's to find.
  if (metadataBeforeImage) probe.metadata = true;
  return probe;
}

/** PNG spec 11.3.3 / 11.3.4: EXIF and the text chunks (iTXt carries XMP). */
const PNG_METADATA: ReadonlySet<string> = new Set(['eXIf', 'tEXt', 'zTXt', 'iTXt']);

/**
 * Whether the source carries metadata, looking past the header where the probe did
 * not: a PNG's text chunks may follow IDAT, so every chunk header is walked (no chunk
 * data is read). Only asked when a passthrough is in question. Undefined: cannot tell (AVIF).
 */
export function sourceMetadata(b: Uint8Array, probe: Probe): boolean | undefined {
  if (probe.metadata !== undefined || probe.format !== 'png') return probe.metadata;
  for (let p = 8; p + 8 <= b.length; ) {
    const len = u32be(b, p);
    const type = fourcc(b, p + 4);
    if (PNG_METADATA.has(type)) return true;
    if (type === 'IEND' || len > 0x7fffffff) return false;
    p += 12 + len;
  }
  return false;
}

/** CRC-32 (ISO 3309 / PNG spec Annex D) of b[start, end), bitwise: only used on 17 bytes. */
function crc32(b: Uint8Array, start: number, end: number): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) {
    c ^= at(b, i);
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

// ---------------------------------------------------------------------------
// WebP (RIFF container spec, developers.google.com/speed/webp/docs/riff_container;
// VP8 bitstream RFC 6386 section 9.1; WebP lossless bitstream spec section 3)

function probeWebp(b: Uint8Array): Probe {
  const n = b.length;
  if (n < 20) throw corrupt('WebP is truncated before its first chunk');
  // RIFF size counts from offset 8; trust the smaller of it and what we have.
  const riffSize = u32le(b, 4);
  if (riffSize < 12) throw corrupt('WebP RIFF size is too small');
  const end = Math.min(n, 8 + riffSize);
  const first = fourcc(b, 12);
  const size = u32le(b, 16);
  const data = 20;
  if (first === 'VP8 ') {
    const [w, h] = readVp8Size(b, data, Math.min(end, data + size));
    return { ...makeProbe('webp', w, h, 1, 1, false), metadata: false };
  }
  if (first === 'VP8L') {
    const [w, h, alpha] = readVp8lHeader(b, data, Math.min(end, data + size));
    return { ...makeProbe('webp', w, h, 1, 1, alpha), metadata: false };
  }
  if (first !== 'VP8X') throw corrupt(`WebP starts with an unknown chunk '${first.replace(/[^\x20-\x7e]/g, '?')}'`);
  if (size < 10 || data + 10 > n) throw corrupt('WebP VP8X chunk is truncated');
  // VP8X flags byte: Rsv(2) ICC(1) Alpha(1) EXIF(1) XMP(1) Animation(1) Rsv(1).
  const flags = at(b, data);
  const hasAlpha = (flags & 0x10) !== 0;
  const animated = (flags & 0x02) !== 0;
  const width = u24le(b, data + 4) + 1;
  const height = u24le(b, data + 7) + 1;
  // The spec caps canvas width * height at 2^32 - 1.
  if (width * height > 0xffffffff) throw corrupt('WebP canvas is larger than 2^32-1 pixels');
  let orientation: Orientation = 1;
  let anmf = 0;
  let image = false;
  let metadata = (flags & 0x0c) !== 0;
  // Walk the remaining chunks: EXIF comes after the image data and ANMF frames are
  // spread through the file. Each step advances >= 8 bytes.
  for (let p = data + size + (size & 1); p + 8 <= end; ) {
    const type = fourcc(b, p);
    const len = u32le(b, p + 4);
    const body = p + 8;
    if (type === 'ANMF') anmf++;
    else if (type === 'VP8 ' || type === 'VP8L') image = true;
    if (type === 'EXIF' || type === 'XMP ') metadata = true;
    if (type === 'EXIF' && orientation === 1) orientation = readExifOrientation(b, body, Math.min(end, body + len));
    p = body + len + (len & 1); // RIFF pads chunks to an even size
  }
  if (animated && anmf === 0) throw corrupt('animated WebP has no frames');
  if (!animated && !image) throw corrupt('WebP has no image data');
  return { ...makeProbe('webp', width, height, orientation, animated ? anmf : 1, hasAlpha), metadata };
}

/** RFC 6386 9.1: 3-byte frame tag, start code 9D 01 2A, then 14-bit width/height (+2-bit scale). */
function readVp8Size(b: Uint8Array, p: number, end: number): [number, number] {
  if (p + 10 > end) throw corrupt('WebP VP8 frame header is truncated');
  if ((at(b, p) & 1) !== 0) throw corrupt('WebP VP8 data does not start with a key frame');
  if (at(b, p + 3) !== 0x9d || at(b, p + 4) !== 0x01 || at(b, p + 5) !== 0x2a) throw corrupt('WebP VP8 start code is missing');
  const w = u16le(b, p + 6) & 0x3fff;
  const h = u16le(b, p + 8) & 0x3fff;
  if (w === 0 || h === 0) throw corrupt('WebP VP8 frame has zero size');
  return [w, h];
}

/** WebP lossless spec 3.2: signature 0x2F, then 14 bits width-1, 14 bits height-1, 1 bit alpha_is_used, 3 bits version (0). */
function readVp8lHeader(b: Uint8Array, p: number, end: number): [number, number, boolean] {
  if (p + 5 > end) throw corrupt('WebP VP8L header is truncated');
  if (at(b, p) !== 0x2f) throw corrupt('WebP VP8L signature is missing');
  const bits = u32le(b, p + 1);
  if (bits >>> 29 !== 0) throw corrupt('WebP VP8L version is not 0');
  return [(bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1, ((bits >>> 28) & 1) === 1];
}

// ---------------------------------------------------------------------------
// GIF (GIF89a specification, W3C 1990)

function probeGif(b: Uint8Array): Probe {
  const n = b.length;
  if (n < 13) throw corrupt('GIF is truncated inside its logical screen descriptor');
  // GIF89a 18: logical screen width/height, packed fields (bit 7 global colour
  // table flag, bits 0-2 its size as 2^(N+1) entries).
  const width = u16le(b, 6);
  const height = u16le(b, 8);
  if (width === 0 || height === 0) throw corrupt('GIF logical screen has zero size');
  let p = 13;
  if (at(b, 10) & 0x80) p += 3 << ((at(b, 10) & 7) + 1);
  let frames = 0;
  let transparent = false;
  // Walk blocks to the trailer (0x3B). Each iteration consumes >= 1 byte and the
  // sub-block skipper stops at the end of input, so the loop is bounded by n.
  while (p < n) {
    const introducer = at(b, p);
    if (introducer === 0x3b) break; // Trailer
    if (introducer === 0x21) {
      // Extension (GIF89a 23-26): label, then data sub-blocks.
      if (p + 1 >= n) break;
      // Graphic Control Extension: block size 4, packed bit 0 = transparency flag.
      if (at(b, p + 1) === 0xf9 && p + 3 < n && at(b, p + 2) === 4 && (at(b, p + 3) & 1)) transparent = true;
      p = skipSubBlocks(b, p + 2);
    } else if (introducer === 0x2c) {
      // Image Descriptor (GIF89a 20): 10 bytes, optional local colour table, then
      // LZW minimum code size and the image data sub-blocks.
      if (p + 10 > n) break;
      frames++;
      const packed = at(b, p + 9);
      p += 10;
      if (packed & 0x80) p += 3 << ((packed & 7) + 1);
      p = skipSubBlocks(b, p + 1);
    } else {
      break; // junk after the last block: decoders stop here too
    }
  }
  if (frames === 0) throw corrupt('GIF has no image');
  return makeProbe('gif', width, height, 1, frames, transparent);
}

/** Skips data sub-blocks (length byte + data, ended by a 0 length) from p; returns the offset after them. */
function skipSubBlocks(b: Uint8Array, p: number): number {
  while (p < b.length) {
    const len = at(b, p);
    p += 1 + len;
    if (len === 0) break;
  }
  return p;
}

// ---------------------------------------------------------------------------
// AVIF (AV1 Image File Format; HEIF ISO/IEC 23008-12; ISO BMFF ISO/IEC 14496-12)

/**
 * Reads the image size from the 'ispe' properties in meta/iprp/ipco. Without parsing
 * 'ipma' associations we take the largest ispe, which is the primary (or grid)
 * image: thumbnails and grid tiles are smaller and an alpha plane is the same size.
 * irot/imir map to the equivalent EXIF orientation so the pipeline can apply them
 * the same way. Width/height 0 when no ispe is found. For 'avis' sequences the
 * frame count is the sample count of the first track (moov/trak/mdia/minf/stbl/stsz).
 */
function probeAvif(b: Uint8Array): Probe {
  const n = b.length;
  let width = 0;
  let height = 0;
  let hasAlpha: boolean | undefined;
  let rotation = 0;
  let mirrorAxis = -1;
  let frames = 1;
  const meta = findBox(b, 0, n, 'meta');
  if (meta) {
    // 'meta' is a FullBox: 4 bytes version/flags before its children.
    const iprp = findBox(b, meta.start + 4, meta.end, 'iprp');
    const ipco = iprp && findBox(b, iprp.start, iprp.end, 'ipco');
    if (ipco) {
      hasAlpha = false;
      let count = 0;
      for (let p = ipco.start; p + 8 <= ipco.end && count < 4096; count++) {
        const box = readBoxHeader(b, p, ipco.end);
        if (!box) break;
        if (box.type === 'ispe' && box.start + 12 <= box.end) {
          const w = u32be(b, box.start + 4);
          const h = u32be(b, box.start + 8);
          if (w * h > width * height) {
            width = w;
            height = h;
          }
        } else if (box.type === 'irot' && box.start < box.end) {
          rotation = at(b, box.start) & 3; // anti-clockwise quarter turns
        } else if (box.type === 'imir' && box.start < box.end) {
          mirrorAxis = at(b, box.start) & 1; // 0: vertical axis (left-right), 1: horizontal axis
        } else if (box.type === 'auxC' && containsAscii(b, box.start, box.end, 'auxiliary:alpha')) {
          // urn:mpeg:mpegB:cicp:systems:auxiliary:alpha (AVIF 4.1) marks an alpha plane.
          hasAlpha = true;
        }
        p = box.end;
      }
    }
  }
  const moov = findBox(b, 0, n, 'moov');
  if (moov) {
    let box: Box | undefined = moov;
    for (const t of ['trak', 'mdia', 'minf', 'stbl', 'stsz']) box = box && findBox(b, box.start, box.end, t);
    // stsz FullBox: version/flags, sample_size, sample_count.
    if (box && box.start + 12 <= box.end) frames = Math.max(1, u32be(b, box.start + 8));
  }
  return makeProbe('avif', width, height, orientationFromHeif(rotation, mirrorAxis), frames, hasAlpha);
}

/**
 * MIAF (ISO/IEC 23000-22 7.3.6.7) applies rotation before mirroring. Returns the EXIF
 * orientation with the same effect (stored -> display), per EXIF 2.32 tag 0x0112.
 */
function orientationFromHeif(rotation: number, mirrorAxis: number): Orientation {
  // Index: anti-clockwise quarter turns 0..3. No mirror / mirror left-right / mirror top-bottom.
  const noMirror: Orientation[] = [1, 8, 3, 6];
  const leftRight: Orientation[] = [2, 7, 4, 5];
  const topBottom: Orientation[] = [4, 5, 2, 7];
  return (mirrorAxis === 0 ? leftRight : mirrorAxis === 1 ? topBottom : noMirror)[rotation] ?? 1;
}



/** Finds the first child box of `type` in b[from, to); bounded in count so a hostile file cannot stall us. */
function findBox(b: Uint8Array, from: number, to: number, type: string): Box | undefined {
  to = Math.min(to, b.length);
  for (let p = from, i = 0; i < 4096; i++) {
    const box = readBoxHeader(b, p, to);
    if (!box) return undefined;
    if (box.type === type) return box;
    if (box.end <= p) return undefined;
    p = box.end;
  }
  return undefined;
}

/** True when `s` occurs in b[from, to). Only used on tiny property boxes. */
function containsAscii(b: Uint8Array, from: number, to: number, s: string): boolean {
  for (let p = from; p + s.length <= to; p++) if (hasAscii(b, p, s)) return true;
  return false;
}

// ---------------------------------------------------------------------------
// HEIC (HEIF ISO/IEC 23008-12 with HEVC; codec/heic/probe reads the items)

/** Item types libheif decodes as HEVC stills: coded, grid of tiles, identity and overlay derivations. */
const HEVC_ITEMS: ReadonlySet<string> = new Set(['hvc1', 'grid', 'iden', 'iovl']);

/**
 * HEIC brands, or only the generic HEIF ones: the primary item decides. An AV1
 * primary item is AVIF whatever the brands say; HEVC (or a grid of HEVC tiles)
 * is HEIC. Whole-image decodes get clap/irot/imir applied by libheif
 * (codec/heic/decode), so the probe reports the display size as the stored
 * size and orientation 1: the pipeline must not turn the image again. Grids
 * decoded tile by tile (codec/heic/probe decodesByTile) come untransformed: the
 * probe reports the grid size and irot/imir as orientation, for the pipeline.
 * The EXIF orientation a HEIC carries is informative only (MIAF 7.3.6.7) and
 * is never read, as libvips ignores it.
 */
function probeHeif(b: Uint8Array, kind: string): Probe {
  const items = readHeifItems(b);
  if (!items) {
    if (findBox(b, 0, b.length, 'moov')) throw unsupported('HEIF image sequence without a still image is not supported (detected: heif-sequence)');
    throw corrupt(`${kind.toUpperCase()} has no readable meta box (truncated or damaged)`);
  }
  if (items.primaryType === 'av01' || items.tileType === 'av01') return probeAvif(b);
  if (!HEVC_ITEMS.has(items.primaryType)) {
    const t = items.primaryType.replace(/[^\x20-\x7e]/g, '?').trim() || 'none';
    throw unsupported(`HEIF primary image coded as '${t}' is not supported (HEVC and AV1 are)`);
  }
  if (items.primaryType === 'grid' && items.tileType !== 'hvc1') throw unsupported('HEIF grid whose tiles are not HEVC is not supported');
  if (items.width === 0 || items.height === 0) throw corrupt('HEIC primary image has no size (ispe)');
  if (items.bitDepth > 12) throw unsupported(`${items.bitDepth}-bit HEIC is not supported`);
  const turn = orientationFromHeif(items.rotation, items.mirrorAxis);
  const byTile = decodesByTile(items);
  // Tile by tile the raster comes untransformed and the pipeline turns it; otherwise libheif turns it.
  const probe = byTile
    ? makeProbe('heic', items.width, items.height, turn, 1, items.hasAlpha)
    : makeProbe('heic', items.displayWidth, items.displayHeight, 1, 1, items.hasAlpha);
  probe.heic = { codedWidth: items.width, codedHeight: items.height, bitDepth: items.bitDepth, ...(items.tiles ? { tiles: items.tiles } : {}), byTile, orientation: turn };
  return probe;
}

// ---------------------------------------------------------------------------
// TIFF (TIFF 6.0; codec/tiff/probe reads IFD0)

function probeTiff(b: Uint8Array): Probe {
  const t = probeTiffHeader(b);
  checkTiffSupported(t);
  const orientation = (t.orientation >= 1 && t.orientation <= 8 ? t.orientation : 1) as Orientation;
  // ExtraSamples 1/2 (associated/unassociated alpha); palette images have no alpha.
  const colour = t.photometric === 2 || t.photometric === 6 ? 3 : t.photometric === 5 ? 4 : 1;
  const hasAlpha = t.samples > colour && (t.extraSample === 1 || t.extraSample === 2);
  const probe = makeProbe('tiff', t.width, t.height, orientation, 1, hasAlpha);
  probe.tiff = { pages: t.pages, bitsPerSample: t.bitsPerSample, samples: t.samples, compression: t.compression, photometric: t.photometric };
  return probe;
}
