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
import { probeImage } from '../probe';

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
  let at = 2;
  // Keep APP0 (JFIF) first, as JFIF 1.02 requires.
  if (b[2] === 0xff && b[3] === 0xe0) at = 4 + ((b[4]! << 8) | b[5]!);
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
  return concatBytes([b.subarray(0, at), ...segments, b.subarray(at)]);
}

async function embedPng(b: Uint8Array, icc: Uint8Array): Promise<Uint8Array> {
  const z = new Uint8Array(await new Response(new Blob([icc]).stream().pipeThrough(new CompressionStream('deflate'))).arrayBuffer());
  const name = new TextEncoder().encode('ICC profile');
  const data = concatBytes([name, new Uint8Array([0, 0]), z]);
  const chunk = pngChunk('iCCP', data);
  const afterIhdr = 8 + 25;
  return concatBytes([b.subarray(0, afterIhdr), chunk, b.subarray(afterIhdr)]);
}

function riffChunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + data.length + (data.length & 1));
  out.set(new TextEncoder().encode(type), 0);
  new DataView(out.buffer).setUint32(4, data.length, true);
  out.set(data, 8);
  return out;
}

function embedWebp(b: Uint8Array, icc: Uint8Array): Uint8Array {
  const first = String.fromCharCode(...b.subarray(12, 16));
  const iccp = riffChunk('ICCP', icc);
  let body: Uint8Array;
  if (first === 'VP8X') {
    const vp8x = b.slice(12, 30);
    vp8x[8] = vp8x[8]! | 0x20; // ICC profile flag
    body = concatBytes([vp8x, iccp, b.subarray(30)]);
  } else {
    const p = probeImage(b);
    const x = new Uint8Array(10);
    x[0] = 0x20 | (p.hasAlpha ? 0x10 : 0);
    const w = p.width - 1, h = p.height - 1;
    x.set([w & 0xff, (w >> 8) & 0xff, (w >> 16) & 0xff, h & 0xff, (h >> 8) & 0xff, (h >> 16) & 0xff], 4);
    body = concatBytes([riffChunk('VP8X', x), iccp, b.subarray(12)]);
  }
  const header = new Uint8Array(12);
  header.set(new TextEncoder().encode('RIFF'), 0);
  new DataView(header.buffer).setUint32(4, 4 + body.length, true);
  header.set(new TextEncoder().encode('WEBP'), 8);
  return concatBytes([header, body]);
}
