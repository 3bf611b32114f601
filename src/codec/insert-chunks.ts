/**
 * @module codec/insert-chunks
 * Adds container-level blocks (an ICC profile, EXIF, XMP) to an encoded image
 * without touching its coded data; color/embed and metadata/write say what goes
 * where, this module owns how each container takes it:
 * - JPEG: segments right after SOI and any APP0 (JFIF 1.02: APP0 stays first).
 * - PNG: chunks right after IHDR (PNG spec 5.6: before PLTE and IDAT).
 * - WebP: the extended format (RIFF container spec): a VP8X header with the
 *   blocks' flags, ICCP right after it, EXIF/XMP after the image data; a simple
 *   VP8/VP8L file is rewrapped, its canvas size and alpha flag read from its
 *   frame header (probe.ts).
 */
import { concatBytes, fourcc } from '../bytes';
import { probeImage } from '../probe';

const ascii = (s: string) => new TextEncoder().encode(s);

/** `segments` (whole marker segments) into a JPEG, after SOI and any APP0. */
export function insertJpegSegments(b: Uint8Array, segments: Uint8Array[]): Uint8Array {
  if (!segments.length) return b;
  let at = 2;
  if (b[2] === 0xff && b[3] === 0xe0) at = 4 + ((b[4]! << 8) | b[5]!);
  return concatBytes([b.subarray(0, at), ...segments, b.subarray(at)]);
}

/** `chunks` (whole chunks, codec/png/encode pngChunk) into a PNG, after IHDR. */
export function insertPngChunks(b: Uint8Array, chunks: Uint8Array[]): Uint8Array {
  if (!chunks.length) return b;
  const afterIhdr = 8 + 25;
  return concatBytes([b.subarray(0, afterIhdr), ...chunks, b.subarray(afterIhdr)]);
}

/** One RIFF chunk: fourcc, little-endian size, payload padded to an even length. */
export function riffChunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + data.length + (data.length & 1));
  out.set(ascii(type), 0);
  new DataView(out.buffer).setUint32(4, data.length, true);
  out.set(data, 8);
  return out;
}

/**
 * A WebP with the VP8X `flags` set (0x20 ICC, 0x08 EXIF, 0x04 XMP), `afterHeader` chunks
 * right after VP8X (ICCP must be there) and `atEnd` chunks after the image data.
 */
export function insertWebpChunks(b: Uint8Array, flags: number, afterHeader: Uint8Array[], atEnd: Uint8Array[]): Uint8Array {
  let body: Uint8Array;
  if (fourcc(b, 12) === 'VP8X') {
    const vp8x = b.slice(12, 30);
    vp8x[8] = vp8x[8]! | flags;
    body = concatBytes([vp8x, ...afterHeader, b.subarray(30), ...atEnd]);
  } else {
    const p = probeImage(b);
    const x = new Uint8Array(10);
    x[0] = flags | (p.hasAlpha ? 0x10 : 0);
    const w = p.width - 1, h = p.height - 1;
    x.set([w & 0xff, (w >> 8) & 0xff, (w >> 16) & 0xff, h & 0xff, (h >> 8) & 0xff, (h >> 16) & 0xff], 4);
    body = concatBytes([riffChunk('VP8X', x), ...afterHeader, b.subarray(12), ...atEnd]);
  }
  const header = new Uint8Array(12);
  header.set(ascii('RIFF'), 0);
  new DataView(header.buffer).setUint32(4, 4 + body.length, true);
  header.set(ascii('WEBP'), 8);
  return concatBytes([header, body]);
}
