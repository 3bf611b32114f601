/**
 * @module color/embed
 * Writes an ICC profile into an encoded image, for `color-profile=keep` (and
 * for a profile that could not be converted): the encoders write sRGB-less
 * files and this adds the container-level profile, without touching the coded
 * image data.
 * - JPEG: APP2 "ICC_PROFILE" segments (ICC.1 Annex B.4), at most 65519 profile
 *   bytes each, numbered 1..n, right after SOI and any APP0 (JFIF must stay first).
 * - PNG: an iCCP chunk right after IHDR (PNG spec 11.3.2.4: before PLTE and IDAT).
 * - WebP: the extended format (RIFF container spec): a VP8X header with the ICC
 *   flag, then the ICCP chunk, then the image chunks; a simple VP8/VP8L file
 *   is rewrapped, its canvas size and alpha flag taken from its frame header.
 * AVIF is not handled here (the libavif encoder binding writes no profile):
 * for AVIF output the pixels are converted instead (color/index EMBEDS_ICC).
 */
import { concatBytes } from '../bytes';
import { pngChunk } from '../codec/png/encode';
import type { OutputFormat } from '../codec/types';
import { insertJpegSegments, insertPngChunks, insertWebpChunks, riffChunk } from '../codec/insert-chunks';

export async function embedIcc(encoded: Uint8Array, format: OutputFormat, icc: Uint8Array): Promise<Uint8Array> {
  switch (format) {
    case 'jpeg':
      return embedJpeg(encoded, icc);
    case 'png':
      return embedPng(encoded, icc);
    case 'webp':
      return embedWebp(encoded, icc);
    case 'gif':
      // GIF89a has no standard place for a profile: the pixels were converted to sRGB or are left as they are.
      return encoded;
    default:
      throw new Error(`cannot embed an ICC profile in ${format}`);
  }
}

const JPEG_CHUNK = 65535 - 2 - 14;

function embedJpeg(b: Uint8Array, icc: Uint8Array): Uint8Array {
  const count = Math.ceil(icc.length / JPEG_CHUNK);
  if (count > 255) throw new Error('ICC profile too large for JPEG');
  const segments: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const part = icc.subarray(i * JPEG_CHUNK, Math.min(icc.length, (i + 1) * JPEG_CHUNK));
    const seg = new Uint8Array(4 + 14 + part.length);
    const len = 2 + 14 + part.length;
    seg.set([0xff, 0xe2, len >> 8, len & 0xff]);
    seg.set(new TextEncoder().encode('ICC_PROFILE\0'), 4);
    seg[16] = i + 1;
    seg[17] = count;
    seg.set(part, 18);
    segments.push(seg);
  }
  return insertJpegSegments(b, segments);
}

async function embedPng(b: Uint8Array, icc: Uint8Array): Promise<Uint8Array> {
  const z = new Uint8Array(await new Response(new Blob([icc]).stream().pipeThrough(new CompressionStream('deflate'))).arrayBuffer());
  const name = new TextEncoder().encode('ICC profile');
  return insertPngChunks(b, [pngChunk('iCCP', concatBytes([name, new Uint8Array([0, 0]), z]))]);
}

function embedWebp(b: Uint8Array, icc: Uint8Array): Uint8Array {
  return insertWebpChunks(b, 0x20, [riffChunk('ICCP', icc)], []);
}
