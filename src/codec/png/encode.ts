/**
 * @module codec/png/encode
 * PNG encoder in TS over the runtime's native zlib (node:zlib's deflate, which
 * writes the RFC 1950 stream IDAT holds, at pngZlibLevel). Compared with
 * Photon's encoder, which always writes 8-bit RGBA through a WASM copy of the raster:
 * - picks a lossless colour type: greyscale, grey + alpha, RGB or RGBA, the
 *   smallest that holds the pixels unless the trial below prefers the one with
 *   alpha (an opaque photo drops a quarter of its samples before deflate);
 * - chooses a filter per row with libpng's heuristic (the filter whose output has
 *   the smallest sum of absolute signed bytes), as PNG spec §12.8 recommends,
 *   unless a trial on sampled rows shows no filtering (libvips' default), or
 *   keeping a redundant alpha channel, compresses better (flat graphics, text);
 * - filters with the SIMD kernels of codec/png/simd (all five filters and their
 *   costs 16 bytes at a time: 2-3x faster than the JS filters, same bytes);
 * - needs no image-sized memory: the raster stays in JS, rows are filtered one
 *   at a time into the deflate stream in 256 KiB batches; the kernels' instance
 *   holds two rows.
 */
import { createDeflate, deflateSync } from 'node:zlib';
import { LITTLE_ENDIAN } from '../../bytes';
import { crc32 } from './crc32';
import { paethPredict } from './paeth';
import { MAX_KERNEL_ROW_BYTES, PngRowKernels } from './simd/filters-simd';
import type { Raster } from '../types';

const SIGNATURE = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** PNG colour types (PNG spec §11.2.2) with their samples per pixel. */
const COLOUR = { grey: { type: 0, channels: 1 }, greyAlpha: { type: 4, channels: 2 }, rgb: { type: 2, channels: 3 }, rgba: { type: 6, channels: 4 } } as const;

/** One PNG chunk (PNG spec §5.3): length, type, data, CRC over type and data. */
export function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  putChunk(out, 0, type, [data]);
  return out;
}

/**
 * Writes one chunk (length, type, the pieces of its data one after another, CRC)
 * into `out` at `at`; returns the offset after it.
 */
function putChunk(out: Uint8Array, at: number, type: string, pieces: Uint8Array[]): number {
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  for (let i = 0; i < 4; i++) out[at + 4 + i] = type.charCodeAt(i);
  let end = at + 8;
  for (const piece of pieces) {
    out.set(piece, end);
    end += piece.length;
  }
  view.setUint32(at, end - at - 8);
  view.setUint32(end, crc32([out, at + 4, end]));
  return end + 4;
}

type Colour = (typeof COLOUR)[keyof typeof COLOUR];

/** The smallest colour type that holds every pixel exactly (one 32-bit word per pixel). */
function chooseColour(d: Uint8Array): Colour {
  const aligned = (d.byteOffset & 3) === 0 && (d.length & 3) === 0;
  let grey = true;
  let opaque = true;
  if (aligned) {
    // Byte order does not matter: grey means the three colour bytes are equal,
    // opaque that the alpha byte is 255, wherever each one sits in the word.
    const w = new Uint32Array(d.buffer, d.byteOffset, d.length >> 2);
    const alpha = LITTLE_ENDIAN ? 0xff000000 : 0xff;
    const shift = LITTLE_ENDIAN ? 0 : 8;
    for (let i = 0; i < w.length && (grey || opaque); i++) {
      const v = w[i]!;
      if (opaque && (v & alpha) >>> 0 !== alpha) opaque = false;
      if (grey) {
        const c = (v >>> shift) & 0xffffff;
        if (((c & 0xffff) ^ (c >>> 8)) !== 0) grey = false; // r = g = b
      }
    }
  } else {
    for (let i = 0; i < d.length && (grey || opaque); i += 4) {
      if (grey && (d[i] !== d[i + 1] || d[i] !== d[i + 2])) grey = false;
      if (opaque && d[i + 3] !== 255) opaque = false;
    }
  }
  if (grey) return opaque ? COLOUR.grey : COLOUR.greyAlpha;
  return opaque ? COLOUR.rgb : COLOUR.rgba;
}

/** Packs one RGBA row into the chosen colour type's samples (RGBA: the row itself, no copy). */
function packRow(d: Uint8Array, y: number, width: number, channels: number, out: Uint8Array): Uint8Array {
  const i0 = y * width * 4;
  switch (channels) {
    case 4:
      return d.subarray(i0, i0 + width * 4);
    case 3:
      for (let x = 0, i = i0, o = 0; x < width; x++, i += 4, o += 3) {
        out[o] = d[i]!;
        out[o + 1] = d[i + 1]!;
        out[o + 2] = d[i + 2]!;
      }
      return out;
    case 2:
      for (let x = 0, i = i0, o = 0; x < width; x++, i += 4, o += 2) {
        out[o] = d[i]!;
        out[o + 1] = d[i + 3]!;
      }
      return out;
    default:
      for (let x = 0, i = i0; x < width; x++, i += 4) out[x] = d[i]!;
      return out;
  }
}

/** |v| of residual byte v read as a signed byte: libpng's "minimum sum of absolute differences" cost. */
function cost(v: number): number {
  return v < 128 ? v : 256 - v;
}

/**
 * Filters `row` against `prev` with each of the five filters (PNG spec §9.2)
 * and writes the cheapest, with its type byte, into `out` (libpng's heuristic;
 * a tie keeps the lower type). One specialised loop per filter, each giving up
 * as soon as it costs more than the best so far.
 */
function filterRow(row: Uint8Array, prev: Uint8Array, bpp: number, candidates: Uint8Array[], out: Uint8Array): void {
  const n = row.length;
  let best = 0;
  let bestScore = 0;
  for (let i = 0; i < n; i++) bestScore += cost(row[i]!);
  let s = 0;
  let c = candidates[1]!;
  // Sub.
  let i = 0;
  for (; i < bpp && i < n; i++) s += cost((c[i] = row[i]!));
  for (; i < n && s < bestScore; i++) s += cost((c[i] = (row[i]! - row[i - bpp]!) & 255));
  if (i === n && s < bestScore) [best, bestScore] = [1, s];
  // Up.
  c = candidates[2]!;
  s = 0;
  for (i = 0; i < n && s < bestScore; i++) s += cost((c[i] = (row[i]! - prev[i]!) & 255));
  if (i === n && s < bestScore) [best, bestScore] = [2, s];
  // Average.
  c = candidates[3]!;
  s = 0;
  for (i = 0; i < bpp && i < n; i++) s += cost((c[i] = (row[i]! - (prev[i]! >> 1)) & 255));
  for (; i < n && s < bestScore; i++) s += cost((c[i] = (row[i]! - ((row[i - bpp]! + prev[i]!) >> 1)) & 255));
  if (i === n && s < bestScore) [best, bestScore] = [3, s];
  // Paeth: the first pixel predicts from "up".
  c = candidates[4]!;
  s = 0;
  for (i = 0; i < bpp && i < n; i++) s += cost((c[i] = (row[i]! - prev[i]!) & 255));
  for (; i < n && s < bestScore; i++) s += cost((c[i] = (row[i]! - paethPredict(row[i - bpp]!, prev[i]!, prev[i - bpp]!)) & 255));
  if (i === n && s < bestScore) best = 4;
  out[0] = best;
  out.set(best === 0 ? row : candidates[best]!.subarray(0, n), 1);
}

/**
 * zlib level by output size. libvips/sharp write level 6. Level 4 (still lazy
 * matching, a shorter match search) takes about half the time for 1-4% more
 * bytes, which still leaves our output at or below sharp's (our adaptive
 * filtering saves 10-20% on photos): below 1 MP, thumbnail sizes where deflate
 * is most of the encode and 1-4% is a few hundred bytes, level 4 wins. From
 * 1 MP up the bytes go on the wire and sit beside the raster at the encode's
 * peak (the memory rule, test/limits/output-memory), so those keep libvips'
 * level 6. Measured in workerd on the bench sources: the PNG notes of
 * docs/performance.md.
 */
export function pngZlibLevel(width: number, height: number): number {
  return width * height < PNG_FAST_BELOW_PIXELS ? 4 : 6;
}
const PNG_FAST_BELOW_PIXELS = 1024 * 1024;

/** Bytes of filtered rows per deflate write. */
const BATCH_BYTES = 256 * 1024;
/** Rows sampled (in SAMPLE_STRIPS strips; bytes in the smallest colour type) to choose the colour type and filter mode. */
const SAMPLE_BYTES = 64 * 1024;
const SAMPLE_STRIPS = 4;

/**
 * Packed rows of a raster in one colour type, filtered one at a time: each row
 * stays valid until the one after next is packed (two buffers alternate). Rows
 * go through the SIMD filters (codec/png/simd), whose two row
 * slots are then the buffers), or with `simd: false` through {@link filterRow}.
 */
class RowFilter {
  readonly rowBytes: number;
  private readonly buffers: [Uint8Array, Uint8Array];
  private readonly zero: Uint8Array;
  private readonly kernels: PngRowKernels | undefined;
  private readonly candidates: Uint8Array[];
  private flip = 0;

  constructor(private readonly r: Raster, private readonly channels: number, simd = true) {
    this.rowBytes = r.width * channels;
    this.kernels = simd && this.rowBytes <= MAX_KERNEL_ROW_BYTES ? new PngRowKernels(this.rowBytes, channels) : undefined;
    this.buffers = this.kernels?.slots ?? [new Uint8Array(this.rowBytes), new Uint8Array(this.rowBytes)];
    this.zero = this.kernels?.zero ?? new Uint8Array(this.rowBytes);
    this.candidates = this.kernels ? [] : Array.from({ length: 5 }, () => new Uint8Array(this.rowBytes));
  }

  private row(y: number): Uint8Array {
    this.flip ^= 1;
    const buffer = this.buffers[this.flip]!;
    const row = packRow(this.r.data, y, this.r.width, this.channels, buffer);
    // An RGBA row is a view of the raster; the SIMD filters need it in their memory.
    if (row !== buffer && this.kernels) {
      buffer.set(row);
      return buffer;
    }
    return row;
  }

  /**
   * Filters rows [y0, y0 + count) into `out` (type byte + filtered row each), adaptive or all None.
   * The row above y0 is the real one (zeros above the image), so a strip filters as in the full stream.
   */
  rows(y0: number, count: number, adaptive: boolean, out: Uint8Array): void {
    const n = this.rowBytes;
    let prev = adaptive && y0 > 0 ? this.row(y0 - 1) : this.zero;
    for (let k = 0, o = 0; k < count; k++, o += n + 1) {
      const row = this.row(y0 + k);
      if (!adaptive) {
        out[o] = 0;
        out.set(row, o + 1);
      } else if (this.kernels) {
        this.kernels.filter(row, prev, out.subarray(o, o + n + 1));
      } else {
        filterRow(row, prev, this.channels, this.candidates, out.subarray(o, o + n + 1));
      }
      prev = row;
    }
  }
}

/**
 * The colour type and filter mode whose deflated sample of rows is smallest.
 * Adaptive filtering (libpng's heuristic) wins on photos and gradients by
 * 10-20%, but on flat graphics and text it breaks the repeats deflate finds in
 * the raw pixels, and there a redundant alpha channel can even help deflate
 * (a screenshot-like 1200x800 with text: adaptive RGB 477 KB, unfiltered RGB 367
 * KB, unfiltered RGBA 309 KB, libvips' default 306 KB). So for an opaque image
 * the type with alpha is tried too (unfiltered). Costs up to three deflates of
 * at most SAMPLE_BYTES (in the smallest type) each.
 */
function chooseEncoding(r: Raster, simd: boolean): { colour: Colour; adaptive: boolean; idat?: Uint8Array } {
  const first = chooseColour(r.data);
  const withAlpha = first === COLOUR.grey ? COLOUR.greyAlpha : first === COLOUR.rgb ? COLOUR.rgba : undefined;
  // Alpha only ever helped unfiltered rows (the raw repeats); filtered, the extra channel is dead weight.
  const trials: Array<[Colour, boolean]> = [[first, true], [first, false]];
  if (withAlpha) trials.push([withAlpha, false]);
  const rowsWanted = Math.max(1, Math.min(r.height, Math.floor(SAMPLE_BYTES / (r.width * first.channels + 1))));
  // A small image is its own sample (one strip, every row): the winning trial's deflate is the IDAT.
  const whole = rowsWanted === r.height;
  const strips = whole ? 1 : Math.min(SAMPLE_STRIPS, rowsWanted);
  const perStrip = Math.floor(rowsWanted / strips);
  let best: { colour: Colour; adaptive: boolean; idat?: Uint8Array } = { colour: first, adaptive: true };
  let bestSize = Infinity;
  for (const [colour, adaptive] of trials) {
    const rows = new RowFilter(r, colour.channels, simd);
    const rowBytes = rows.rowBytes;
    const stripBytes = perStrip * (rowBytes + 1);
    const sample = new Uint8Array(strips * stripBytes);
    for (let s = 0; s < strips; s++) {
      const y0 = Math.max(0, Math.min(r.height - perStrip, Math.floor(((s + 0.5) * r.height) / strips - perStrip / 2)));
      rows.rows(y0, perStrip, adaptive, sample.subarray(s * stripBytes));
    }
    const z = deflateSync(sample, { level: pngZlibLevel(r.width, r.height) });
    if (z.length < bestSize) {
      bestSize = z.length;
      best = { colour, adaptive, idat: whole ? new Uint8Array(z.buffer, z.byteOffset, z.length) : undefined };
    }
  }
  return best;
}

/**
 * Encodes an RGBA8 raster as a PNG (lossless; colour type and filtering as
 * chosen above). `simd: false` filters RGB/RGBA rows in JS instead of the SIMD
 * kernels (the same output; the tests' reference).
 */
export async function encodePng(r: Raster, { simd = true }: { simd?: boolean } = {}): Promise<Uint8Array> {
  const { width, height } = r;
  const { colour, adaptive, idat } = chooseEncoding(r, simd);
  const rowBytes = width * colour.channels;
  const rows = new RowFilter(r, colour.channels, simd);

  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  ihdr.set([8, colour.type, 0, 0, 0], 8); // 8-bit, deflate, filter method 0, no interlace

  if (idat) return assemble(ihdr, [idat]);

  // node:zlib (workerd's native zlib, like CompressionStream) because it takes a level;
  // rows are filtered in batches so the stream sees a few large writes, never the whole image.
  const deflate = createDeflate({ level: pngZlibLevel(width, height) });
  const parts: Uint8Array[] = [];
  deflate.on('data', (chunk: Uint8Array) => parts.push(chunk));
  const ended = new Promise<void>((resolve, reject) => {
    deflate.on('end', resolve);
    deflate.on('error', reject);
  });
  const batchRows = Math.max(1, Math.floor(BATCH_BYTES / (rowBytes + 1)));
  for (let y0 = 0; y0 < height; y0 += batchRows) {
    const count = Math.min(batchRows, height - y0);
    const batch = new Uint8Array(count * (rowBytes + 1));
    rows.rows(y0, count, adaptive, batch);
    await new Promise<void>((resolve, reject) => deflate.write(batch, (err) => (err ? reject(err) : resolve())));
  }
  deflate.end();
  await ended;

  return assemble(ihdr, parts);
}

/**
 * The PNG file, written once into its final buffer: the deflate output pieces
 * are copied straight into one IDAT (its CRC taken across them), so the
 * compressed stream is never also held joined up, or copied into a chunk first.
 */
function assemble(ihdr: Uint8Array, idat: Uint8Array[]): Uint8Array {
  const idatBytes = idat.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(SIGNATURE.length + 12 + ihdr.length + 12 + idatBytes + 12);
  out.set(SIGNATURE);
  let at = putChunk(out, SIGNATURE.length, 'IHDR', [ihdr]);
  at = putChunk(out, at, 'IDAT', idat);
  putChunk(out, at, 'IEND', []);
  return out;
}
