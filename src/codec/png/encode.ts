/**
 * @module codec/png/encode
 * PNG encoder in TS over the runtime's native zlib (`CompressionStream('deflate')`,
 * which writes the RFC 1950 stream IDAT holds). Compared with Photon's encoder,
 * which always writes 8-bit RGBA through a WASM copy of the raster:
 * - picks the smallest lossless colour type: greyscale, grey + alpha, RGB or
 *   RGBA (an opaque photo drops a quarter of its samples before deflate);
 * - chooses a filter per row with libpng's heuristic (the filter whose output has
 *   the smallest sum of absolute signed bytes), as PNG spec §12.8 recommends;
 * - needs no WASM memory: the raster stays in JS, rows are filtered one at a time
 *   straight into the deflate stream.
 */
import { concatBytes } from '../../bytes';
import { crc32 } from './crc32';
import type { Raster } from '../types';

const SIGNATURE = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** PNG colour types (PNG spec §11.2.2) with their samples per pixel. */
const COLOUR = { grey: { type: 0, channels: 1 }, greyAlpha: { type: 4, channels: 2 }, rgb: { type: 2, channels: 3 }, rgba: { type: 6, channels: 4 } } as const;

/** One PNG chunk (PNG spec §5.3): length, type, data, CRC over type and data. */
export function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  const typeBytes = new TextEncoder().encode(type);
  out.set(typeBytes, 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(typeBytes, data));
  return out;
}

/** The smallest colour type that holds every pixel exactly. */
function chooseColour(d: Uint8Array): (typeof COLOUR)[keyof typeof COLOUR] {
  let grey = true;
  let opaque = true;
  for (let i = 0; i < d.length && (grey || opaque); i += 4) {
    if (grey && (d[i] !== d[i + 1] || d[i] !== d[i + 2])) grey = false;
    if (opaque && d[i + 3] !== 255) opaque = false;
  }
  if (grey) return opaque ? COLOUR.grey : COLOUR.greyAlpha;
  return opaque ? COLOUR.rgb : COLOUR.rgba;
}

/** Packs one RGBA row into the chosen colour type's samples. */
function packRow(d: Uint8Array, y: number, width: number, channels: number, out: Uint8Array): void {
  let o = 0;
  for (let x = 0, i = y * width * 4; x < width; x++, i += 4) {
    if (channels === 1) out[o++] = d[i]!;
    else if (channels === 2) {
      out[o++] = d[i]!;
      out[o++] = d[i + 3]!;
    } else {
      out[o++] = d[i]!;
      out[o++] = d[i + 1]!;
      out[o++] = d[i + 2]!;
      if (channels === 4) out[o++] = d[i + 3]!;
    }
  }
}

/** Paeth predictor (PNG spec §9.4). */
function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Filters `row` against `prev` with each of the five filters; writes the best, with its type byte, into `out`. */
function filterRow(row: Uint8Array, prev: Uint8Array, bpp: number, candidates: Uint8Array[], out: Uint8Array): void {
  let best = 0;
  let bestScore = Infinity;
  for (let f = 0; f < 5; f++) {
    const c = candidates[f]!;
    let score = 0;
    for (let i = 0; i < row.length; i++) {
      const a = i >= bpp ? row[i - bpp]! : 0;
      const b = prev[i]!;
      const cc = i >= bpp ? prev[i - bpp]! : 0;
      const pred = f === 0 ? 0 : f === 1 ? a : f === 2 ? b : f === 3 ? (a + b) >> 1 : paeth(a, b, cc);
      const v = (row[i]! - pred) & 0xff;
      c[i] = v;
      score += v < 128 ? v : 256 - v;
      if (score >= bestScore) break;
    }
    if (score < bestScore) {
      bestScore = score;
      best = f;
    }
  }
  out[0] = best;
  out.set(candidates[best]!.subarray(0, row.length), 1);
}

/** Encodes an RGBA8 raster as a PNG in the smallest exact colour type. */
export async function encodePng(r: Raster): Promise<Uint8Array> {
  const { width, height, data } = r;
  const colour = chooseColour(data);
  const rowBytes = width * colour.channels;

  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  ihdr.set([8, colour.type, 0, 0, 0], 8); // 8-bit, deflate, adaptive filtering, no interlace

  const deflate = new CompressionStream('deflate');
  const writer = deflate.writable.getWriter();
  const compressed = new Response(deflate.readable).arrayBuffer();
  let prev = new Uint8Array(rowBytes);
  let row = new Uint8Array(rowBytes);
  const candidates = Array.from({ length: 5 }, () => new Uint8Array(rowBytes));
  // Rows are batched so the stream sees a few large writes rather than one per row.
  const batchRows = Math.max(1, Math.floor((256 * 1024) / (rowBytes + 1)));
  for (let y0 = 0; y0 < height; y0 += batchRows) {
    const rows = Math.min(batchRows, height - y0);
    const batch = new Uint8Array(rows * (rowBytes + 1));
    for (let k = 0; k < rows; k++) {
      packRow(data, y0 + k, width, colour.channels, row);
      filterRow(row, prev, colour.channels, candidates, batch.subarray(k * (rowBytes + 1), (k + 1) * (rowBytes + 1)));
      [prev, row] = [row, prev];
    }
    await writer.write(batch);
  }
  await writer.close();
  const idat = new Uint8Array(await compressed);

  return concatBytes([SIGNATURE, pngChunk('IHDR', ihdr), pngChunk('IDAT', idat), pngChunk('IEND', new Uint8Array(0))]);
}
