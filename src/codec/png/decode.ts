/**
 * @module codec/png/decode
 * PNG decoder in TypeScript: zlib inflation by the runtime's native
 * `DecompressionStream('deflate')`, unfiltering and pixel conversion in JS or,
 * for RGB8 and RGBA8 (most PNGs), in the SIMD kernels of codec/png/simd,
 * written straight into the final RGBA8 {@link Raster}.
 *
 * Why not Photon (Rust `image` in WASM): it needs ~12 bytes/pixel of WASM
 * memory that never shrinks (12 MP: 149 MB). Speed, measured in workerd
 * (test/codec/png/decode.test.ts, and A/B runs in docs/performance.md): the floor
 * is the runtime's native zlib (the same zlib Node uses: ~50 ms for the 9 MB
 * zone plate bench source, ~130 ms for a 12 MP RGB PNG), which is 75-90% of our
 * time; what is left is copying rows and, for filtered rows, the Sub/Average/
 * Paeth reconstruction (SIMD across a pixel's channels: ~1.4x faster than the
 * unrolled JS on a 12 MP adaptive-filtered RGB PNG). The compressed data goes
 * to the inflater in WRITE_PIECE pieces across IDAT boundaries: encoders write
 * 8 KiB IDATs (libpng, libvips), and one awaited write and read per IDAT cost a
 * third of the inflate time.
 *
 * Memory: the peak is the input bytes + the RGBA output (4 bytes/pixel) + two
 * scanlines (in the SIMD kernels' instance for RGB8/RGBA8: 128 KiB + four rows,
 * private to this decode since decodes interleave at every await, garbage once
 * it returns) + the inflater's in-flight chunks: IDAT payloads are fed to the
 * inflater piece by piece (never concatenated) and its output is unfiltered
 * scanline by scanline as it arrives, for Adam7 too (the seven passes are
 * sequential in the stream, each pass row is scattered into the output as soon
 * as it is unfiltered). The inflated image is never held whole. For 8-bit RGBA
 * without interlacing in JS (`simd: false`) the scanlines are unfiltered in
 * place, inside the output buffer.
 *
 * Supported: every colour type / bit depth of PNG 1.2 (ISO 15948): greyscale
 * 1/2/4/8/16, RGB 8/16, palette 1/2/4/8, grey+alpha 8/16, RGBA 8/16; tRNS (per
 * palette index; a single grey or RGB colour, compared at the stored bit
 * depth); Adam7; filter types 0-4. 16-bit samples are rounded to 8 bits
 * (round(v * 255 / 65535), like libpng/libvips/`image`); low-depth greys are
 * scaled to 0..255 (1-bit x255, 2-bit x85, 4-bit x17).
 * Ignored (pixels as stored, as libvips' thumbnails and Photon do): gAMA, cHRM,
 * sRGB, iCCP, sBIT, bKGD and every other ancillary chunk. APNG: the default
 * image (IDAT) only; acTL/fcTL/fdAT are ancillary and skipped.
 *
 * Decisions on damaged input (all failures are ImageError: 422 `corrupt`,
 * 415 `unsupported`, 413 `too_large`; nothing else escapes):
 * - Signature, IHDR (length, CRC, size, depth/type pair, methods), chunk
 *   framing (length within the file, letters-only type), a missing or invalid
 *   PLTE for a palette image, a missing IDAT, a bad filter type byte, an
 *   inflate error, too little image data: 422.
 * - Unknown critical chunk before the image data: 415 (we could not render it).
 * - CRC: checked for IHDR and PLTE (a bad one is 422) and tRNS (a bad one is
 *   ignored, like libpng does for ancillary chunks). IDAT CRCs are not computed
 *   in JS: the zlib stream's own Adler-32 of the inflated data, verified by the
 *   native inflater, is what guards the pixels (any corruption that changes
 *   them is a 422). So a file whose only fault is a wrong IDAT CRC over intact
 *   data (PngSuite xcsn0g01.png) decodes to the correct image, where libpng
 *   refuses it.
 * - Palette index beyond the PLTE entries: opaque black, like libpng (its
 *   palette is zero-filled to 256 entries and it only warns) and `image`.
 * - tRNS of the wrong length for the colour type, or longer than the palette:
 *   ignored (libpng: benign error, chunk discarded). tRNS on a type with alpha:
 *   ignored.
 * - Chunks after the IDAT run are not read at all (nothing after the image data
 *   can change the pixels), so a missing IEND or damaged trailing chunks do not
 *   matter. Inflated data beyond the image is tolerated up to 1 MiB (libpng:
 *   "extra compressed data" warning); beyond that, 422.
 * - More than 2^28 pixels: 413 before anything is allocated.
 */
import { LITTLE_ENDIAN } from '../../bytes';
import { corrupt, tooLarge, unsupported } from '../../errors';
import type { Raster } from '../types';
import { crc32 } from './crc32';
import { paethPredict } from './paeth';
import { MAX_KERNEL_ROW_BYTES, PngRowKernels } from './simd/filters-simd';

/** Refuse larger images outright (the Worker's limits are far lower anyway). */
export const PNG_MAX_PIXELS = 2 ** 28;

/** Size of the pieces of compressed data (IDAT payloads concatenated) handed to the inflater. */
const WRITE_PIECE = 64 * 1024;
/** Size of the one buffer the inflater writes into (reused for every read). */
const READ_BUFFER = 256 * 1024;
/** Inflated bytes tolerated after the last scanline (and the Adler-32 check still runs). */
const MAX_EXTRA_INFLATED = 1 << 20;

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Adam7 passes: x0, y0, dx, dy. */
const ADAM7: ReadonlyArray<readonly [number, number, number, number]> = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
];

interface Header {
  width: number;
  height: number;
  depth: number;
  colourType: number;
  interlaced: boolean;
  /** Samples per pixel. */
  channels: number;
  /** Bytes per complete pixel for the filters (at least 1). */
  bpp: number;
}

interface Png {
  header: Header;
  /** Palette as RGB triplets (palette images only). */
  palette?: Uint8Array;
  /** tRNS payload, already checked to suit the colour type. */
  trns?: Uint8Array;
  /** [offset, length] of each IDAT payload in the file, in order. */
  idat: Array<[number, number]>;
}

/**
 * Decodes a PNG file to RGBA8. Bad input throws ImageError (422/415/413), never anything else.
 * `simd: false` unfilters RGB8/RGBA8 in JS instead of the SIMD kernels (the same pixels; the tests' reference).
 */
export async function decodePng(bytes: Uint8Array, { simd = true }: { simd?: boolean } = {}): Promise<Raster> {
  const png = parseChunks(bytes);
  const { width, height } = png.header;
  const data = new Uint8Array(width * height * 4);
  const rows = new ScanlineSink(png, data, simd);
  await inflateInto(bytes, png.idat, rows);
  return { width, height, data };
}

/* ------------------------------------------------------------------ chunks */

const CHUNK_IHDR = 0x49484452;
const CHUNK_PLTE = 0x504c5445;
const CHUNK_IDAT = 0x49444154;
const CHUNK_IEND = 0x49454e44;
const CHUNK_TRNS = 0x74524e53;

function readU32(b: Uint8Array, p: number): number {
  return ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
}

function typeName(type: number): string {
  return String.fromCharCode(type >>> 24, (type >>> 16) & 255, (type >>> 8) & 255, type & 255);
}

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** Walks the chunks up to the end of the IDAT run; validates what decoding depends on. */
function parseChunks(bytes: Uint8Array): Png {
  if (bytes.length < 8 || SIGNATURE.some((v, i) => bytes[i] !== v)) {
    throw corrupt('the source is not a valid PNG file (bad signature)');
  }
  let header: Header | undefined;
  let palette: Uint8Array | undefined;
  let trnsChunk: Uint8Array | undefined;
  const idat: Array<[number, number]> = [];
  let p = 8;
  for (;;) {
    // Once the IDAT run has started, whatever follows it (IEND, ancillary
    // chunks, nothing, garbage) cannot change the pixels: stop reading there.
    if (idat.length > 0 && (p + 8 > bytes.length || readU32(bytes, p + 4) !== CHUNK_IDAT)) break;
    if (p + 12 > bytes.length) throw corrupt('the PNG file is truncated');
    const length = readU32(bytes, p);
    const type = readU32(bytes, p + 4);
    if (length > 0x7fffffff) throw corrupt('the PNG file has an invalid chunk length');
    for (let i = 4; i < 8; i++) {
      if (!isLetter(bytes[p + i]!)) throw corrupt('the PNG file has an invalid chunk type');
    }
    const start = p + 8;
    const end = start + length;
    if (end + 4 > bytes.length) throw corrupt('the PNG file is truncated');
    p = end + 4;

    if (!header) {
      if (type !== CHUNK_IHDR) throw corrupt('the PNG file does not start with IHDR');
      if (length !== 13) throw corrupt('the PNG IHDR chunk has the wrong length');
      if (crc32([bytes, start - 4, end]) !== readU32(bytes, end)) throw corrupt('the PNG IHDR chunk is damaged (CRC)');
      header = parseHeader(bytes.subarray(start, end));
      continue;
    }
    if (type === CHUNK_IDAT) {
      if (header.colourType === 3 && !palette) throw corrupt('the palette PNG has no PLTE chunk before its image data');
      if (length > 0) idat.push([start, length]);
      else if (idat.length === 0) idat.push([start, 0]); // marks the run as started
      continue;
    }
    switch (type) {
      case CHUNK_IHDR:
        throw corrupt('the PNG file has a second IHDR chunk');
      case CHUNK_IEND:
        throw corrupt('the PNG file has no image data (IDAT)');
      case CHUNK_PLTE:
        if (header.colourType === 0 || header.colourType === 4 || palette) break; // ignored, like libpng
        if (crc32([bytes, start - 4, end]) !== readU32(bytes, end)) {
          if (header.colourType === 3) throw corrupt('the PNG PLTE chunk is damaged (CRC)');
          break; // a suggested palette of an RGB image: not needed
        }
        if (length === 0 || length % 3 !== 0 || length > 768) {
          if (header.colourType === 3) throw corrupt('the PNG PLTE chunk has an invalid length');
          break;
        }
        palette = bytes.subarray(start, end);
        break;
      case CHUNK_TRNS:
        if (!trnsChunk && crc32([bytes, start - 4, end]) === readU32(bytes, end)) {
          trnsChunk = bytes.subarray(start, end);
          // A tRNS before PLTE in a palette image is out of place: ignored.
          if (header.colourType === 3 && !palette) trnsChunk = undefined;
        }
        break;
      default:
        // Unknown critical chunk (uppercase first letter): we cannot know how it changes the image.
        if (!(bytes[start - 4]! & 0x20)) throw unsupported(`PNG critical chunk ${typeName(type)} is not supported`);
    }
  }
  if (!header) throw corrupt('the PNG file has no IHDR chunk');
  if (idat.length === 0) throw corrupt('the PNG file has no image data (IDAT)');
  return { header, palette, trns: checkTrns(header, trnsChunk, palette), idat };
}

function parseHeader(h: Uint8Array): Header {
  const width = readU32(h, 0);
  const height = readU32(h, 4);
  const depth = h[8]!;
  const colourType = h[9]!;
  if (width === 0 || height === 0 || width > 0x7fffffff || height > 0x7fffffff) {
    throw corrupt(`the PNG header has an invalid size ${width}x${height}`);
  }
  const depths: Record<number, number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };
  if (!depths[colourType]?.includes(depth)) {
    throw corrupt(`the PNG header has an invalid colour type ${colourType} / bit depth ${depth}`);
  }
  if (h[10] !== 0) throw corrupt('the PNG header has an unknown compression method');
  if (h[11] !== 0) throw corrupt('the PNG header has an unknown filter method');
  if (h[12]! > 1) throw corrupt('the PNG header has an unknown interlace method');
  if (width * height > PNG_MAX_PIXELS) {
    throw tooLarge(`the PNG is ${width}x${height}; at most ${PNG_MAX_PIXELS} pixels can be decoded`);
  }
  const channels = ({ 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 } as Record<number, number>)[colourType]!;
  return {
    width,
    height,
    depth,
    colourType,
    interlaced: h[12] === 1,
    channels,
    bpp: Math.max(1, (channels * depth) >> 3),
  };
}

/** The tRNS chunk if it suits the colour type (else ignored, like libpng). */
function checkTrns(header: Header, trns: Uint8Array | undefined, palette: Uint8Array | undefined): Uint8Array | undefined {
  if (!trns) return undefined;
  switch (header.colourType) {
    case 0:
      return trns.length === 2 ? trns : undefined;
    case 2:
      return trns.length === 6 ? trns : undefined;
    case 3:
      return trns.length > 0 && palette && trns.length <= palette.length / 3 ? trns : undefined;
    default:
      return undefined; // types with an alpha channel may not have tRNS
  }
}

/* --------------------------------------------------------------- inflating */

/**
 * Streams the IDAT payloads through the native inflater into `sink`, piece by
 * piece on both sides. Resolves once the zlib stream ended cleanly (Adler-32
 * verified) with every scanline delivered.
 */
async function inflateInto(bytes: Uint8Array, idat: Array<[number, number]>, sink: ScanlineSink): Promise<void> {
  const stream = new DecompressionStream('deflate');
  const writer = stream.writable.getWriter();
  let stop = false;
  // Writer side: the IDAT payloads, concatenated into pieces of WRITE_PIECE
  // bytes (encoders split the stream into IDATs of 8 KiB, libpng's and
  // libvips' default, or less: one write per IDAT costs an await and a
  // read per 8 KiB, a third of the inflate time on a 9 MB file). Each piece is
  // a fresh copy (the inflater may take ownership of what it is given) and
  // each write is awaited, so at most one piece is queued ahead of the reader.
  const pump = (async () => {
    let piece: Uint8Array | undefined;
    let fill = 0;
    for (const [offset, length] of idat) {
      for (let p = offset, end = offset + length; p < end;) {
        if (stop) return;
        piece ??= new Uint8Array(WRITE_PIECE);
        const take = Math.min(end - p, WRITE_PIECE - fill);
        piece.set(bytes.subarray(p, p + take), fill);
        fill += take;
        p += take;
        if (fill === WRITE_PIECE) {
          const full = piece;
          piece = undefined;
          fill = 0;
          await writer.write(full);
        }
      }
    }
    if (fill > 0 && !stop) await writer.write(piece!.subarray(0, fill));
    if (!stop) await writer.close();
  })();
  // The pump's failures surface on the reader as well; do not leave them unhandled.
  pump.catch(() => {});

  // Reader side: a BYOB reader filling one reused READ_BUFFER-sized buffer
  // (workerd's inflater otherwise hands out 4 KiB chunks, and the per-read
  // promise round trip then costs as much as the inflation itself).
  const byob = byobReader(stream.readable);
  const reader = byob ?? stream.readable.getReader();
  let buffer: ArrayBuffer | undefined = byob ? new ArrayBuffer(READ_BUFFER) : undefined;
  let extra = 0;
  try {
    for (;;) {
      let result: ReadableStreamReadResult<Uint8Array>;
      try {
        result = byob ? await byob.read(new Uint8Array(buffer!)) : await (reader as ReadableStreamDefaultReader<Uint8Array>).read();
      } catch {
        throw corrupt('the PNG image data is corrupt (inflate failed)');
      }
      const chunk = result.value;
      if (chunk && chunk.length > 0) {
        extra += chunk.length - sink.push(chunk);
        if (extra > MAX_EXTRA_INFLATED) throw corrupt('the PNG has too much image data');
      }
      if (result.done) break;
      if (byob) buffer = chunk!.buffer as ArrayBuffer; // the read transferred it; reuse it
    }
  } catch (err) {
    stop = true;
    reader.cancel().catch(() => {});
    writer.abort().catch(() => {});
    throw err;
  }
  if (!sink.done) throw corrupt('the PNG image data is truncated');
}

/** A BYOB reader of `stream`, or undefined where the runtime has none for it. */
function byobReader(stream: ReadableStream<Uint8Array>): ReadableStreamBYOBReader | undefined {
  try {
    return (stream as unknown as ReadableStream<Uint8Array>).getReader({ mode: 'byob' }) as ReadableStreamBYOBReader;
  } catch {
    return undefined;
  }
}

/* ------------------------------------------------------------- scanlines */

/** Converts `n` pixels of an unfiltered line to RGBA at out32[o], out32[o + step], ... */
type Convert = (line: Uint8Array, n: number, o: number, step: number) => void;

/**
 * Receives inflated bytes in any chunking, reassembles scanlines (filter byte +
 * row), unfilters each against the previous one and writes its pixels into the
 * output raster. Holds two scanlines (none for 8-bit RGBA, non-interlaced).
 */
class ScanlineSink {
  done = false;
  private readonly header: Header;
  private readonly out: Uint8Array;
  private readonly convert: Convert | undefined;
  private readonly direct: boolean;
  private readonly kernels: PngRowKernels | undefined;
  /** RGB8 without tRNS, expanded by the kernels. */
  private readonly expandRgb: boolean;
  private readonly zero: Uint8Array;
  private lineA: Uint8Array;
  private lineB: Uint8Array;
  // Pass state.
  private pass = -1;
  private passWidth = 0;
  private passHeight = 0;
  private rowBytes = 0;
  private x0 = 0;
  private y0 = 0;
  private dx = 1;
  private dy = 1;
  // Row state.
  private y = 0;
  private filter = -1;
  private fill = 0;
  private cur: Uint8Array;
  private prev: Uint8Array;

  constructor(png: Png, out: Uint8Array, simd: boolean) {
    const h = png.header;
    this.header = h;
    this.out = out;
    const maxRowBytes = Math.ceil((h.width * h.channels * h.depth) / 8);
    // RGB8 and RGBA8: the scanlines live in the SIMD filters' memory and are unfiltered there.
    const useKernels = simd && h.depth === 8 && (h.colourType === 2 || h.colourType === 6) && maxRowBytes <= MAX_KERNEL_ROW_BYTES;
    this.kernels = useKernels ? new PngRowKernels(maxRowBytes, h.colourType === 6 ? 4 : 3) : undefined;
    this.expandRgb = this.kernels !== undefined && h.colourType === 2 && !png.trns;
    // RGBA8 without interlacing (in JS): each output row is the unfiltered scanline itself.
    this.direct = !this.kernels && h.colourType === 6 && h.depth === 8 && !h.interlaced;
    this.convert = this.direct ? undefined : makeConverter(png, new Uint32Array(out.buffer, out.byteOffset, out.length >> 2));
    this.zero = this.kernels?.zero ?? new Uint8Array(maxRowBytes);
    this.lineA = this.kernels?.slots[0] ?? (this.direct ? this.zero : new Uint8Array(maxRowBytes));
    this.lineB = this.kernels?.slots[1] ?? (this.direct ? this.zero : new Uint8Array(maxRowBytes));
    this.cur = this.lineA;
    this.prev = this.zero;
    this.nextPass();
  }

  /** Moves to the next pass with pixels (or marks the image done). */
  private nextPass(): void {
    const h = this.header;
    for (;;) {
      this.pass++;
      if (!h.interlaced ? this.pass > 0 : this.pass >= 7) {
        this.done = true;
        return;
      }
      const [x0, y0, dx, dy] = h.interlaced ? ADAM7[this.pass]! : ([0, 0, 1, 1] as const);
      this.x0 = x0;
      this.y0 = y0;
      this.dx = dx;
      this.dy = dy;
      this.passWidth = h.width > x0 ? Math.ceil((h.width - x0) / dx) : 0;
      this.passHeight = h.height > y0 ? Math.ceil((h.height - y0) / dy) : 0;
      if (this.passWidth === 0 || this.passHeight === 0) continue; // an empty pass has no bytes at all
      this.rowBytes = Math.ceil((this.passWidth * h.channels * h.depth) / 8);
      this.y = 0;
      this.prev = this.zero;
      this.zero.fill(0, 0, this.rowBytes);
      this.startRow();
      return;
    }
  }

  private startRow(): void {
    this.filter = -1;
    this.fill = 0;
    if (this.direct) {
      const start = this.y * this.rowBytes;
      this.cur = this.out.subarray(start, start + this.rowBytes);
    } else {
      this.cur = this.prev === this.lineA ? this.lineB : this.lineA;
    }
  }

  /** Consumes inflated bytes; returns how many belonged to the image (the rest is surplus). */
  push(chunk: Uint8Array): number {
    let p = 0;
    const n = chunk.length;
    while (p < n && !this.done) {
      if (this.filter < 0) {
        this.filter = chunk[p++]!;
        if (this.filter > 4) throw corrupt(`the PNG image data has an invalid filter type ${this.filter}`);
        if (p === n) break;
      }
      const take = Math.min(this.rowBytes - this.fill, n - p);
      if (take === this.rowBytes) {
        this.cur.set(chunk.subarray(p, p + take));
      } else {
        this.cur.set(chunk.subarray(p, p + take), this.fill);
      }
      p += take;
      this.fill += take;
      if (this.fill === this.rowBytes) this.finishRow();
    }
    return p;
  }

  private finishRow(): void {
    const cur = this.cur;
    if (this.kernels) this.kernels.unfilter(this.filter, cur, this.prev, this.rowBytes);
    else unfilter(this.filter, cur, this.prev, this.rowBytes, this.header.bpp);
    if (this.expandRgb && this.dx === 1) {
      // Opaque RGB8 in the SIMD filters' memory: expanded there, one copy out (JS loads
      // from WASM memory are slower than from a JS buffer).
      this.out.set(this.kernels!.expandRgb(cur, this.passWidth), ((this.y0 + this.y * this.dy) * this.header.width + this.x0) * 4);
    } else if (this.convert) {
      this.convert(cur, this.passWidth, (this.y0 + this.y * this.dy) * this.header.width + this.x0, this.dx);
    }
    this.prev = cur;
    if (++this.y === this.passHeight) this.nextPass();
    else this.startRow();
  }
}

/**
 * Reverses PNG filter `type` on cur[0, len) in place, given the previous
 * unfiltered line (zeros for a pass's first line). Both must start at 4-byte
 * aligned offsets (all line buffers and output rows here do). Hot paths are
 * specialised: Up, and Sub with 4-byte pixels, add four bytes at once in a
 * 32-bit word (SWAR, no carry across bytes); Average and Paeth keep each
 * channel's left/upper-left value in locals, unrolled for 3- and 4-byte
 * pixels, with a branch-free Paeth predictor (noisy images defeat the branch
 * predictor: ~3x faster than the textbook form in V8).
 */
function unfilter(type: number, cur: Uint8Array, prev: Uint8Array, len: number, bpp: number): void {
  switch (type) {
    case 0:
      return;
    case 1:
      if (bpp === 4) subSwar(cur, len);
      else for (let i = bpp; i < len; i++) cur[i] = cur[i]! + cur[i - bpp]!;
      return;
    case 2:
      upSwar(cur, prev, len);
      return;
    case 3:
      if (bpp === 4) average4(cur, prev, len);
      else if (bpp === 3) average3(cur, prev, len);
      else averageN(cur, prev, len, bpp);
      return;
    case 4:
      if (bpp === 4) paeth4(cur, prev, len);
      else if (bpp === 3) paeth3(cur, prev, len);
      else paethN(cur, prev, len, bpp);
      return;
    default:
      throw corrupt(`the PNG image data has an invalid filter type ${type}`);
  }
}

/** Bytewise a + b (mod 256 per byte) of two 32-bit words. */
function addBytes(a: number, b: number): number {
  return ((a & 0x7f7f7f7f) + (b & 0x7f7f7f7f)) ^ ((a ^ b) & 0x80808080);
}

function upSwar(cur: Uint8Array, prev: Uint8Array, len: number): void {
  const words = len >> 2;
  const c32 = new Uint32Array(cur.buffer, cur.byteOffset, words);
  const p32 = new Uint32Array(prev.buffer, prev.byteOffset, words);
  for (let i = 0; i < words; i++) c32[i] = addBytes(c32[i]!, p32[i]!);
  for (let i = words << 2; i < len; i++) cur[i] = cur[i]! + prev[i]!;
}

/** Sub for 4-byte pixels (len is a multiple of 4). */
function subSwar(cur: Uint8Array, len: number): void {
  const words = len >> 2;
  const c32 = new Uint32Array(cur.buffer, cur.byteOffset, words);
  let a = c32[0]!;
  for (let i = 1; i < words; i++) c32[i] = a = addBytes(a, c32[i]!);
}

function average4(cur: Uint8Array, prev: Uint8Array, len: number): void {
  let a0 = (cur[0]! + (prev[0]! >> 1)) & 255;
  cur[0] = a0;
  let a1 = (cur[1]! + (prev[1]! >> 1)) & 255;
  cur[1] = a1;
  let a2 = (cur[2]! + (prev[2]! >> 1)) & 255;
  cur[2] = a2;
  let a3 = (cur[3]! + (prev[3]! >> 1)) & 255;
  cur[3] = a3;
  for (let i = 4; i < len; i += 4) {
    a0 = (cur[i]! + ((a0 + prev[i]!) >> 1)) & 255;
    a1 = (cur[i + 1]! + ((a1 + prev[i + 1]!) >> 1)) & 255;
    a2 = (cur[i + 2]! + ((a2 + prev[i + 2]!) >> 1)) & 255;
    a3 = (cur[i + 3]! + ((a3 + prev[i + 3]!) >> 1)) & 255;
    cur[i] = a0;
    cur[i + 1] = a1;
    cur[i + 2] = a2;
    cur[i + 3] = a3;
  }
}

function average3(cur: Uint8Array, prev: Uint8Array, len: number): void {
  let a0 = (cur[0]! + (prev[0]! >> 1)) & 255;
  cur[0] = a0;
  let a1 = (cur[1]! + (prev[1]! >> 1)) & 255;
  cur[1] = a1;
  let a2 = (cur[2]! + (prev[2]! >> 1)) & 255;
  cur[2] = a2;
  for (let i = 3; i < len; i += 3) {
    a0 = (cur[i]! + ((a0 + prev[i]!) >> 1)) & 255;
    a1 = (cur[i + 1]! + ((a1 + prev[i + 1]!) >> 1)) & 255;
    a2 = (cur[i + 2]! + ((a2 + prev[i + 2]!) >> 1)) & 255;
    cur[i] = a0;
    cur[i + 1] = a1;
    cur[i + 2] = a2;
  }
}

function averageN(cur: Uint8Array, prev: Uint8Array, len: number, bpp: number): void {
  for (let k = 0; k < bpp && k < len; k++) {
    let a = (cur[k]! + (prev[k]! >> 1)) & 255;
    cur[k] = a;
    for (let i = k + bpp; i < len; i += bpp) cur[i] = a = (cur[i]! + ((a + prev[i]!) >> 1)) & 255;
  }
}

function paeth4(cur: Uint8Array, prev: Uint8Array, len: number): void {
  // The first pixel has no left neighbours: the predictor is "up".
  let a0 = (cur[0]! + prev[0]!) & 255;
  cur[0] = a0;
  let a1 = (cur[1]! + prev[1]!) & 255;
  cur[1] = a1;
  let a2 = (cur[2]! + prev[2]!) & 255;
  cur[2] = a2;
  let a3 = (cur[3]! + prev[3]!) & 255;
  cur[3] = a3;
  let c0 = prev[0]!, c1 = prev[1]!, c2 = prev[2]!, c3 = prev[3]!;
  for (let i = 4; i < len; i += 4) {
    const b0 = prev[i]!, b1 = prev[i + 1]!, b2 = prev[i + 2]!, b3 = prev[i + 3]!;
    a0 = (cur[i]! + paethPredict(a0, b0, c0)) & 255;
    a1 = (cur[i + 1]! + paethPredict(a1, b1, c1)) & 255;
    a2 = (cur[i + 2]! + paethPredict(a2, b2, c2)) & 255;
    a3 = (cur[i + 3]! + paethPredict(a3, b3, c3)) & 255;
    cur[i] = a0;
    cur[i + 1] = a1;
    cur[i + 2] = a2;
    cur[i + 3] = a3;
    c0 = b0;
    c1 = b1;
    c2 = b2;
    c3 = b3;
  }
}

function paeth3(cur: Uint8Array, prev: Uint8Array, len: number): void {
  let a0 = (cur[0]! + prev[0]!) & 255;
  cur[0] = a0;
  let a1 = (cur[1]! + prev[1]!) & 255;
  cur[1] = a1;
  let a2 = (cur[2]! + prev[2]!) & 255;
  cur[2] = a2;
  let c0 = prev[0]!, c1 = prev[1]!, c2 = prev[2]!;
  for (let i = 3; i < len; i += 3) {
    const b0 = prev[i]!, b1 = prev[i + 1]!, b2 = prev[i + 2]!;
    a0 = (cur[i]! + paethPredict(a0, b0, c0)) & 255;
    a1 = (cur[i + 1]! + paethPredict(a1, b1, c1)) & 255;
    a2 = (cur[i + 2]! + paethPredict(a2, b2, c2)) & 255;
    cur[i] = a0;
    cur[i + 1] = a1;
    cur[i + 2] = a2;
    c0 = b0;
    c1 = b1;
    c2 = b2;
  }
}

function paethN(cur: Uint8Array, prev: Uint8Array, len: number, bpp: number): void {
  for (let k = 0; k < bpp && k < len; k++) {
    let a = (cur[k]! + prev[k]!) & 255;
    cur[k] = a;
    let c = prev[k]!;
    for (let i = k + bpp; i < len; i += bpp) {
      const b = prev[i]!;
      cur[i] = a = (cur[i]! + paethPredict(a, b, c)) & 255;
      c = b;
    }
  }
}

/* ------------------------------------------------------- pixel conversion */

/** round(v * 255 / 65535) for a 16-bit sample v, exactly (checked for all v). */
function to8(v: number): number {
  return (v * 255 + 32895) >>> 16;
}

/**
 * A converter from unfiltered scanline pixels to RGBA, writing 32-bit pixels
 * (or bytes, for 16-bit and true-colour types) into the output. Lookup tables
 * of packed RGBA words are built through a byte view, so they are right on any
 * endianness.
 */
function makeConverter(png: Png, out32: Uint32Array): Convert {
  const { depth, colourType } = png.header;
  const trns = png.trns;
  const out8 = new Uint8Array(out32.buffer, out32.byteOffset, out32.byteLength);

  // Palette and low-depth / 8-bit grey: one table lookup per pixel.
  if (colourType === 3 || (colourType === 0 && depth <= 8)) {
    const entries = 1 << depth;
    const lut = new Uint32Array(256);
    const lut8 = new Uint8Array(lut.buffer);
    if (colourType === 3) {
      const palette = png.palette!;
      const count = palette.length / 3;
      for (let i = 0; i < 256; i++) {
        // Indices beyond the palette: opaque black (libpng, `image`).
        if (i < count) {
          lut8[i * 4] = palette[i * 3]!;
          lut8[i * 4 + 1] = palette[i * 3 + 1]!;
          lut8[i * 4 + 2] = palette[i * 3 + 2]!;
        }
        lut8[i * 4 + 3] = trns && i < trns.length ? trns[i]! : 255;
      }
    } else {
      const scale = 255 / (entries - 1);
      // libpng compares tRNS grey masked to the bit depth.
      const transparent = trns ? ((trns[0]! << 8) | trns[1]!) & (entries - 1) : -1;
      for (let i = 0; i < entries; i++) {
        const g = i * scale;
        lut8[i * 4] = lut8[i * 4 + 1] = lut8[i * 4 + 2] = g;
        lut8[i * 4 + 3] = i === transparent ? 0 : 255;
      }
    }
    if (depth === 8) {
      return (line, n, o, step) => {
        for (let i = 0; i < n; i++, o += step) out32[o] = lut[line[i]!]!;
      };
    }
    const perByte = 8 / depth;
    const mask = entries - 1;
    return (line, n, o, step) => {
      let i = 0;
      for (let byteIndex = 0; i < n; byteIndex++) {
        const byte = line[byteIndex]!;
        for (let shift = 8 - depth, k = 0; k < perByte && i < n; k++, i++, shift -= depth, o += step) {
          out32[o] = lut[(byte >> shift) & mask]!;
        }
      }
    };
  }

  if (colourType === 0) {
    // 16-bit grey; tRNS compared at 16 bits.
    const transparent = trns ? (trns[0]! << 8) | trns[1]! : -1;
    return (line, n, o, step) => {
      let b = o * 4;
      const bstep = step * 4;
      for (let i = 0; i < n; i++, b += bstep) {
        const v = (line[i * 2]! << 8) | line[i * 2 + 1]!;
        const g = to8(v);
        out8[b] = out8[b + 1] = out8[b + 2] = g;
        out8[b + 3] = v === transparent ? 0 : 255;
      }
    };
  }

  if (colourType === 4) {
    if (depth === 8) {
      return (line, n, o, step) => {
        let b = o * 4;
        const bstep = step * 4;
        for (let i = 0; i < n; i++, b += bstep) {
          const g = line[i * 2]!;
          out8[b] = out8[b + 1] = out8[b + 2] = g;
          out8[b + 3] = line[i * 2 + 1]!;
        }
      };
    }
    return (line, n, o, step) => {
      let b = o * 4;
      const bstep = step * 4;
      for (let i = 0; i < n; i++, b += bstep) {
        const g = to8((line[i * 4]! << 8) | line[i * 4 + 1]!);
        out8[b] = out8[b + 1] = out8[b + 2] = g;
        out8[b + 3] = to8((line[i * 4 + 2]! << 8) | line[i * 4 + 3]!);
      }
    };
  }

  if (colourType === 2) {
    if (depth === 8) {
      // libpng compares an 8-bit image's tRNS colour by the low bytes of its samples.
      const keyValid = trns !== undefined;
      const kr = trns ? trns[1]! : -1;
      const kg = trns ? trns[3]! : -1;
      const kb = trns ? trns[5]! : -1;
      if (LITTLE_ENDIAN && !keyValid) {
        // Opaque RGB: whole 32-bit words in and out (three words of samples
        // are four pixels, R in the low byte), ~3x faster in V8 than byte
        // loads and stores. Line buffers start 4-byte aligned.
        return (line, n, o, step) => {
          let i = 0;
          if (step === 1) {
            const w = new Uint32Array(line.buffer, line.byteOffset, (n * 3) >> 2);
            for (let k = 0; i + 4 <= n; i += 4, k += 3, o += 4) {
              const a = w[k]!, b = w[k + 1]!, c = w[k + 2]!;
              out32[o] = a | 0xff000000;
              out32[o + 1] = (a >>> 24) | (b << 8) | 0xff000000;
              out32[o + 2] = (b >>> 16) | (c << 16) | 0xff000000;
              out32[o + 3] = (c >>> 8) | 0xff000000;
            }
          }
          for (let s = i * 3; i < n; i++, o += step, s += 3) {
            out32[o] = line[s]! | (line[s + 1]! << 8) | (line[s + 2]! << 16) | 0xff000000;
          }
        };
      }
      return (line, n, o, step) => {
        let b = o * 4;
        const bstep = step * 4;
        for (let i = 0, s = 0; i < n; i++, b += bstep, s += 3) {
          const r = line[s]!;
          const g = line[s + 1]!;
          const bl = line[s + 2]!;
          out8[b] = r;
          out8[b + 1] = g;
          out8[b + 2] = bl;
          out8[b + 3] = keyValid && r === kr && g === kg && bl === kb ? 0 : 255;
        }
      };
    }
    const kr = trns ? (trns[0]! << 8) | trns[1]! : -1;
    const kg = trns ? (trns[2]! << 8) | trns[3]! : -1;
    const kb = trns ? (trns[4]! << 8) | trns[5]! : -1;
    return (line, n, o, step) => {
      let b = o * 4;
      const bstep = step * 4;
      for (let i = 0, s = 0; i < n; i++, b += bstep, s += 6) {
        const r = (line[s]! << 8) | line[s + 1]!;
        const g = (line[s + 2]! << 8) | line[s + 3]!;
        const bl = (line[s + 4]! << 8) | line[s + 5]!;
        out8[b] = to8(r);
        out8[b + 1] = to8(g);
        out8[b + 2] = to8(bl);
        out8[b + 3] = r === kr && g === kg && bl === kb ? 0 : 255;
      }
    };
  }

  // RGBA (8-bit from the SIMD filters' rows or interlaced, or 16-bit).
  if (depth === 8) {
    return (line, n, o, step) => {
      if (step === 1) {
        out8.set(line.subarray(0, n * 4), o * 4);
        return;
      }
      let b = o * 4;
      const bstep = step * 4;
      for (let s = 0, end = n * 4; s < end; s += 4, b += bstep) {
        out8[b] = line[s]!;
        out8[b + 1] = line[s + 1]!;
        out8[b + 2] = line[s + 2]!;
        out8[b + 3] = line[s + 3]!;
      }
    };
  }
  return (line, n, o, step) => {
    let b = o * 4;
    const bstep = step * 4;
    for (let s = 0, end = n * 8; s < end; s += 8, b += bstep) {
      out8[b] = to8((line[s]! << 8) | line[s + 1]!);
      out8[b + 1] = to8((line[s + 2]! << 8) | line[s + 3]!);
      out8[b + 2] = to8((line[s + 4]! << 8) | line[s + 5]!);
      out8[b + 3] = to8((line[s + 6]! << 8) | line[s + 7]!);
    }
  };
}
