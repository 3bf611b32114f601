/**
 * @module metadata/extract
 * Finds a source's EXIF (the TIFF structure) and XMP packet, for Cloudflare's
 * `metadata=keep|copyright` (metadata/index.ts). Where each lives:
 * - JPEG: APP1 "Exif\0\0" (EXIF 2.32 §4.5.4) and APP1 "http://ns.adobe.com/xap/1.0/\0" (XMP part 3 §1.1.3).
 * - PNG: the eXIf chunk (PNG 3rd ed. §11.3.3.4) and the text chunk keyword "XML:com.adobe.xmp": iTXt
 *   (XMP part 3 §1.1.5), compressed or not, or zTXt (libvips writes it there).
 * - WebP: the RIFF "EXIF" and "XMP " chunks (WebP container spec, extended format).
 * Other formats (AVIF, GIF, ...) give nothing: their metadata is not carried.
 * Malformed structure gives nothing rather than an error: metadata never fails an image.
 */
import { hasAscii, inflateWithin } from '../bytes';
import { readJpegHeaders } from '../codec/jpeg/segments';
import type { SourceFormat } from '../codec/types';

export interface MetadataBlocks {
  /** The TIFF structure ("II*\0" or "MM\0*" first), without JPEG's "Exif\0\0" prefix. */
  exif?: Uint8Array;
  /** The XMP packet (UTF-8). */
  xmp?: Uint8Array;
}

const XMP_JPEG = 'http://ns.adobe.com/xap/1.0/\0';
const XMP_PNG = 'XML:com.adobe.xmp\0';

export async function extractMetadata(b: Uint8Array, format: SourceFormat | string): Promise<MetadataBlocks> {
  try {
    if (format === 'jpeg') return fromJpeg(b);
    if (format === 'png') return await fromPng(b);
    if (format === 'webp') return fromWebp(b);
  } catch {
    // A truncated or inconsistent container: carry nothing.
  }
  return {};
}

/** Drops a leading "Exif\0\0" some writers leave inside PNG eXIf / WebP EXIF. */
function tiffOf(b: Uint8Array): Uint8Array | undefined {
  const t = hasAscii(b, 0, 'Exif\0\0') ? b.subarray(6) : b;
  const le = t[0] === 0x49 && t[1] === 0x49 && t[2] === 42 && t[3] === 0;
  const be = t[0] === 0x4d && t[1] === 0x4d && t[2] === 0 && t[3] === 42;
  return t.length >= 8 && (le || be) ? t : undefined;
}

function fromJpeg(b: Uint8Array): MetadataBlocks {
  const out: MetadataBlocks = {};
  for (const { marker, start: seg, end, whole } of readJpegHeaders(b).segments) {
    if (!whole) break;
    if (marker === 0xe1 && !out.exif && hasAscii(b, seg, 'Exif\0\0')) out.exif = tiffOf(b.subarray(seg + 6, end));
    else if (marker === 0xe1 && !out.xmp && hasAscii(b, seg, XMP_JPEG)) out.xmp = b.subarray(seg + XMP_JPEG.length, end);
  }
  return out;
}

async function fromPng(b: Uint8Array): Promise<MetadataBlocks> {
  const out: MetadataBlocks = {};
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (let p = 8; p + 12 <= b.length; ) {
    const len = view.getUint32(p);
    const type = String.fromCharCode(...b.subarray(p + 4, p + 8));
    const data = b.subarray(p + 8, Math.min(b.length, p + 8 + len));
    if (type === 'eXIf' && !out.exif) out.exif = tiffOf(data);
    else if (!out.xmp && (type === 'iTXt' || type === 'zTXt') && hasAscii(data, 0, XMP_PNG)) {
      let q = XMP_PNG.length;
      let compressed = type === 'zTXt';
      if (type === 'iTXt') {
        // compression flag, method, language tag\0, translated keyword\0, then the text
        compressed = data[q] === 1;
        q += 2;
        for (let n = 0; n < 2; n++) { while (q < data.length && data[q] !== 0) q++; q++; }
      } else q += 1; // zTXt: the compression method byte
      if (q <= data.length) out.xmp = compressed ? await inflateWithin(data.subarray(q), MAX_XMP_BYTES) : data.subarray(q);
    }
    if (type === 'IEND') break;
    p += 12 + len;
  }
  return out;
}

/** An XMP packet is text, a few kilobytes; more than this is not carried. */
const MAX_XMP_BYTES = 1 << 20;


function fromWebp(b: Uint8Array): MetadataBlocks {
  const out: MetadataBlocks = {};
  if (!hasAscii(b, 0, 'RIFF') || !hasAscii(b, 8, 'WEBP')) return out;
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (let p = 12; p + 8 <= b.length; ) {
    const type = String.fromCharCode(...b.subarray(p, p + 4));
    const len = view.getUint32(p + 4, true);
    const data = b.subarray(p + 8, Math.min(b.length, p + 8 + len));
    if (type === 'EXIF' && !out.exif) out.exif = tiffOf(data);
    else if (type === 'XMP ' && !out.xmp) out.xmp = data;
    p += 8 + len + (len & 1);
  }
  return out;
}
