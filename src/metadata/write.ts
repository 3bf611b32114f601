/**
 * @module metadata/write
 * Writes EXIF (a TIFF structure) and XMP into an encoded image without touching its coded data:
 * - JPEG: APP1 "Exif\0\0" then APP1 XMP, right after SOI and any APP0 (JFIF stays first,
 *   JFIF 1.02; the EXIF APP1 follows it, as libjpeg-based writers place it). A block over a
 *   segment's 65533 bytes is left out (extended XMP is not written).
 * - PNG: eXIf (PNG 3rd ed. §11.3.3.4) and an uncompressed iTXt "XML:com.adobe.xmp", right after
 *   IHDR (before PLTE and IDAT).
 * - WebP: the extended format (RIFF container spec): VP8X with the EXIF/XMP flags, the chunks
 *   after the image data; a simple VP8/VP8L file is rewrapped (codec/insert-chunks, shared with color/embed).
 */
import { concatBytes } from '../bytes';
import { pngChunk } from '../codec/png/encode';
import type { OutputFormat } from '../codec/types';
import { insertJpegSegments, insertPngChunks, insertWebpChunks, riffChunk } from '../codec/insert-chunks';
import type { MetadataBlocks } from './extract';

const ascii = (s: string) => new TextEncoder().encode(s);
const MAX_SEGMENT = 65533;

export function embedMetadata(b: Uint8Array, format: OutputFormat, m: MetadataBlocks): Uint8Array {
  if (format === 'jpeg') return embedJpeg(b, m);
  if (format === 'png') return embedPng(b, m);
  if (format === 'webp') return embedWebp(b, m);
  return b;
}

function app1(prefix: string, data: Uint8Array): Uint8Array | undefined {
  const head = ascii(prefix);
  const len = 2 + head.length + data.length;
  if (len > MAX_SEGMENT + 2) return undefined;
  const seg = new Uint8Array(2 + len);
  seg.set([0xff, 0xe1, len >> 8, len & 0xff]);
  seg.set(head, 4);
  seg.set(data, 4 + head.length);
  return seg;
}

function embedJpeg(b: Uint8Array, m: MetadataBlocks): Uint8Array {
  const segs = [m.exif && app1('Exif\0\0', m.exif), m.xmp && app1('http://ns.adobe.com/xap/1.0/\0', m.xmp)].filter((s): s is Uint8Array => !!s);
  return insertJpegSegments(b, segs);
}

function embedPng(b: Uint8Array, m: MetadataBlocks): Uint8Array {
  const chunks: Uint8Array[] = [];
  if (m.exif) chunks.push(pngChunk('eXIf', m.exif));
  // keyword, NUL, compression flag 0, method 0, empty language tag and translated keyword (each NUL-ended), text.
  if (m.xmp) chunks.push(pngChunk('iTXt', concatBytes([ascii('XML:com.adobe.xmp\0\0\0\0\0'), m.xmp])));
  return insertPngChunks(b, chunks);
}

function embedWebp(b: Uint8Array, m: MetadataBlocks): Uint8Array {
  const flags = (m.exif ? 0x08 : 0) | (m.xmp ? 0x04 : 0);
  const tail = [m.exif && riffChunk('EXIF', m.exif), m.xmp && riffChunk('XMP ', m.xmp)].filter((c): c is Uint8Array => !!c);
  return insertWebpChunks(b, flags, [], tail);
}
