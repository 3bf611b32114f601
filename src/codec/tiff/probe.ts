/**
 * @module codec/tiff/probe
 * Reads what the pipeline needs from a TIFF's first IFD (TIFF 6.0 section 2),
 * without decoding pixels: size, samples, bit depth, compression, photometric
 * interpretation, orientation (tag 274), the ICC profile (tag 34675, ICC.1
 * Annex B.4 / TIFF/EP) and the page count (the IFD chain).
 *
 * Hostile files are the rule here: every offset is bounds-checked, the IFD chain
 * is walked at most {@link MAX_PAGES} steps and stops at an IFD already seen (a
 * cycle would make a naive reader loop for ever), and values come only from the
 * bytes present. Nothing here throws but `corrupt`/`unsupported` ImageErrors.
 */
import { at, u16be, u16le, u32be, u32le } from '../../bytes';
import { corrupt, unsupported } from '../../errors';

/** Pages counted at most; enough to say "multi-page", few enough to stay cheap. */
const MAX_PAGES = 1024;

export interface TiffInfo {
  littleEndian: boolean;
  /** Offset of the first IFD (the page we decode). */
  ifd0: number;
  width: number;
  height: number;
  /** BitsPerSample of the first sample (258). */
  bitsPerSample: number;
  /** SamplesPerPixel (277). */
  samples: number;
  /** Compression (259): 1 none, 5 LZW, 8/32946 Deflate, 32773 PackBits, 7 JPEG... */
  compression: number;
  /** PhotometricInterpretation (262): 0 WhiteIsZero, 1 BlackIsZero, 2 RGB, 3 palette, 5 separated (CMYK), 6 YCbCr. */
  photometric: number;
  /** ExtraSamples (338) of the first extra sample: 0 unspecified, 1 associated (premultiplied) alpha, 2 unassociated. */
  extraSample: number | undefined;
  /** PlanarConfiguration (284): 1 chunky, 2 planar. */
  planar: number;
  /** SampleFormat (339): 1 unsigned, 2 signed, 3 float. */
  sampleFormat: number;
  /** InkSet (332): 1 CMYK (default), 2 not CMYK. */
  inkSet: number;
  orientation: number;
  icc: { offset: number; length: number } | undefined;
  pages: number;
}

/** TIFF 6.0 section 2 field types -> byte size of one value. */
const TYPE_SIZE: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4 };

export function probeTiffHeader(b: Uint8Array): TiffInfo {
  if (b.length < 8) throw corrupt('TIFF header is truncated');
  const le = at(b, 0) === 0x49;
  const r16 = le ? u16le : u16be;
  const r32 = le ? u32le : u32be;
  if (r16(b, 2) === 43) throw unsupported('BigTIFF is not supported');
  const ifd0 = r32(b, 4);
  if (ifd0 < 8 || ifd0 + 2 > b.length) throw corrupt('TIFF first IFD offset is outside the file');
  const count = r16(b, ifd0);
  if (count === 0 || ifd0 + 2 + count * 12 > b.length) throw corrupt('TIFF first IFD is truncated');
  const tags = new Map<number, { type: number; count: number; at: number }>();
  for (let i = 0; i < count; i++) {
    const e = ifd0 + 2 + i * 12;
    const type = r16(b, e + 2);
    const n = r32(b, e + 4);
    const size = (TYPE_SIZE[type] ?? 0) * n;
    // Values of <= 4 bytes sit in the entry itself (left-justified), others at an offset.
    const valueAt = size <= 4 ? e + 8 : r32(b, e + 8);
    tags.set(r16(b, e), { type, count: n, at: valueAt });
  }
  /** The first value of a SHORT/LONG tag, or `fallback` when absent or unreadable. */
  const num = (tag: number, fallback: number, index = 0): number => {
    const t = tags.get(tag);
    if (!t || index >= t.count) return fallback;
    if (t.type === 3 && t.at + 2 * index + 2 <= b.length) return r16(b, t.at + 2 * index);
    if (t.type === 4 && t.at + 4 * index + 4 <= b.length) return r32(b, t.at + 4 * index);
    if (t.type === 1 && t.at + index < b.length) return at(b, t.at + index);
    return fallback;
  };
  const width = num(256, 0);
  const height = num(257, 0);
  if (width === 0 || height === 0) throw corrupt('TIFF first IFD has no image size');
  const samples = num(277, 1);
  const iccTag = tags.get(34675);
  const icc = iccTag && (iccTag.type === 7 || iccTag.type === 1) && iccTag.count > 0 && iccTag.at + iccTag.count <= b.length ? { offset: iccTag.at, length: iccTag.count } : undefined;
  const photometric = num(262, num(258, 1) === 1 ? 0 : 2);
  return {
    littleEndian: le,
    ifd0,
    width,
    height,
    bitsPerSample: num(258, 1),
    samples,
    compression: num(259, 1),
    photometric,
    extraSample: tags.has(338) ? num(338, 0) : undefined,
    planar: num(284, 1),
    sampleFormat: num(339, 1),
    inkSet: num(332, 1),
    orientation: num(274, 1),
    icc,
    pages: countPages(b, ifd0, r16, r32),
  };
}

/** Walks the IFD chain (each IFD ends with the next one's offset, 0 for the last), cycle-safe and bounded. */
function countPages(b: Uint8Array, ifd0: number, r16: typeof u16le, r32: typeof u32le): number {
  const seen = new Set<number>();
  let pages = 0;
  for (let p = ifd0; p !== 0 && pages < MAX_PAGES && !seen.has(p); pages++) {
    if (p + 2 > b.length) break;
    seen.add(p);
    const next = p + 2 + r16(b, p) * 12;
    if (next + 4 > b.length) {
      pages++;
      break;
    }
    p = r32(b, next);
  }
  return Math.max(1, pages);
}

/**
 * Compression (259) values we decode: none, LZW, Deflate (Adobe and old), PackBits.
 * Not JPEG-in-TIFF (6, 7): UTIF's JS JPEG decoder sizes its buffers from the
 * embedded JPEG's own header, which the IFD limits cannot bound.
 */
const COMPRESSIONS: ReadonlySet<number> = new Set([1, 5, 8, 32946, 32773]);

/** Checks what we can decode from the header alone: 415 for what we do not support. */
export function checkTiffSupported(info: TiffInfo): void {
  if (!COMPRESSIONS.has(info.compression)) throw unsupported(`TIFF compression ${info.compression} is not supported (none, LZW, Deflate, PackBits are)`);
  if (info.planar !== 1 && info.samples > 1) throw unsupported('planar (PlanarConfiguration 2) TIFF is not supported');
  if (![1, 2, 4, 8, 16].includes(info.bitsPerSample) && !(info.bitsPerSample === 32 && info.sampleFormat === 3)) {
    throw unsupported(`TIFF with ${info.bitsPerSample}-bit samples is not supported`);
  }
  if (![0, 1, 2, 3, 5, 6].includes(info.photometric)) throw unsupported(`TIFF photometric interpretation ${info.photometric} is not supported`);
  if (info.photometric === 5 && (info.inkSet !== 1 || info.samples < 4)) throw unsupported('TIFF separated image that is not CMYK is not supported');
}

