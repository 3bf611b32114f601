/**
 * @module codec/tiff/decode
 * TIFF sources (TIFF 6.0): the first page (IFD0) of baseline files, none/LZW/
 * Deflate/PackBits, 1..16-bit
 * samples, grey, RGB, palette and CMYK, with or without an alpha extra sample.
 *
 * Decompression is UTIF (utif2, MIT, pure JS: no WASM instance to hold).
 * We read IFD0 with UTIF's single-IFD reader rather than `UTIF.decode`, which
 * follows the IFD chain with no cycle check (a hostile file would loop for
 * ever) and parses MakerNotes; codec/tiff/probe has already bounded the size.
 * Sample conversion is ours for the common layouts, so that 16-bit samples
 * scale to 8 bits with rounding (v / 257), premultiplied alpha (ExtraSamples 1)
 * is un-premultiplied, and CMYK goes through the colour-managed CMYK path of
 * codec/jpeg/cmyk (the embedded profile via LittleCMS when there is one, else
 * libvips' fallback press profile), as libvips converts it. Other
 * interpretations (palette, YCbCr, float) use UTIF's own `toRGBA8`.
 *
 * Orientation (tag 274) is applied by the pipeline from the probe, as for JPEG.
 */
import * as UTIFModule from 'utif2';
import { corrupt, unsupported } from '../../errors';
import { cmykInkToRgbaInPlace } from '../jpeg/cmyk';
import type { DecodeColour } from '../jpeg/decode';
import type { DecodeHint, Raster } from '../types';
import { checkTiffSupported, probeTiffHeader, type TiffInfo } from './probe';

interface UtifIfd {
  [tag: string]: unknown;
  data?: Uint8Array;
  width?: number;
  height?: number;
}

interface Utif {
  _readIFD(bin: unknown, data: Uint8Array, offset: number, ifds: UtifIfd[], depth: number, prm: { parseMN: boolean; debug: boolean }): number;
  _binLE: unknown;
  _binBE: unknown;
  decodeImage(buffer: ArrayBuffer, ifd: UtifIfd, ifds?: UtifIfd[]): void;
  toRGBA8(ifd: UtifIfd): Uint8Array;
}

const UTIF = ((UTIFModule as unknown as { default?: Utif }).default ?? UTIFModule) as unknown as Utif;

/** Decodes the first page of a TIFF to RGBA8. Throws ImageError on bad or unsupported input. */
export async function decodeTiff(bytes: Uint8Array, _hint: DecodeHint, colour: DecodeColour): Promise<Raster> {
  const info = probeTiffHeader(bytes);
  checkTiffSupported(info);
  // UTIF addresses strips by absolute offset in the buffer it is given.
  const buffer = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? (bytes.buffer as ArrayBuffer) : bytes.slice().buffer;
  const view = new Uint8Array(buffer);
  const ifds: UtifIfd[] = [];
  UTIF._readIFD(info.littleEndian ? UTIF._binLE : UTIF._binBE, view, info.ifd0, ifds, 0, { parseMN: false, debug: false });
  const ifd = ifds[0];
  if (!ifd) throw corrupt('the TIFF source has no readable first IFD');
  const input = info.compression === 8 || info.compression === 32946 ? await inflateSegments(view, ifd, info) : buffer;
  UTIF.decodeImage(input, ifd, ifds);
  const { width, height } = info;
  const bytesPerSample = info.bitsPerSample === 16 ? 2 : 1;
  const expected = width * height * info.samples * bytesPerSample;
  const samples = ifd.data;
  if (!samples || (info.bitsPerSample >= 8 && samples.length < expected)) throw corrupt('the TIFF source could not be decoded (corrupt or truncated)');
  const ours = (info.bitsPerSample === 8 || info.bitsPerSample === 16) && [0, 1, 2, 5].includes(info.photometric);
  if (!ours) {
    const data = UTIF.toRGBA8(ifd);
    if (data.length !== width * height * 4) throw corrupt('the TIFF source could not be decoded (corrupt or truncated)');
    return { width, height, data };
  }
  const data = new Uint8Array(width * height * 4);
  if (info.photometric === 5) await cmykToRgba(samples, data, info, colour);
  else toRgba(samples, data, info);
  return { width, height, data };
}

/**
 * Inflates every Deflate strip (or tile) ourselves, with the runtime's native
 * inflater, each capped at the bytes its rows can hold, and hands UTIF the
 * page as uncompressed strips (it still applies the predictor, tag 317).
 * UTIF's own path inflates with pako without any bound: a small deflate bomb
 * would take the isolate's memory with it.
 */
async function inflateSegments(view: Uint8Array, ifd: UtifIfd, info: TiffInfo): Promise<ArrayBuffer> {
  const tiled = ifd['t322'] !== undefined;
  const offTag = tiled ? 't324' : 't273';
  const lenTag = tiled ? 't325' : 't279';
  const offsets = ifd[offTag] as number[] | undefined;
  const lengths = ifd[lenTag] as number[] | undefined;
  if (!offsets || !lengths || offsets.length !== lengths.length) throw corrupt('the TIFF source has no strip offsets');
  const bitsPerRow = (w: number) => Math.ceil((w * info.bitsPerSample * info.samples) / 8);
  const segmentCap = tiled
    ? bitsPerRow((ifd['t322'] as number[])[0] ?? 0) * ((ifd['t323'] as number[] | undefined)?.[0] ?? 0)
    : bitsPerRow(info.width) * Math.min(info.height, (ifd['t278'] as number[] | undefined)?.[0] ?? info.height);
  // UTIF reads the byte order ("II"/"MM", for 16-bit samples) from the start of the buffer it
  // is given, so every buffer handed over starts with the file's 8-byte header.
  const head = view.subarray(0, 8);
  const parts: Uint8Array[] = [];
  let total = 0;
  for (let i = 0; i < offsets.length; i++) {
    const start = offsets[i]!;
    const end = Math.min(view.length, start + lengths[i]!);
    const part = start < end ? await inflateCapped(view.subarray(start, end), segmentCap, head) : new Uint8Array(0);
    parts.push(part);
    total += part.length;
  }
  // One strip (the common case): its buffer as it is, no second copy of the page.
  if (parts.length === 1) {
    ifd['t259'] = [1];
    ifd[offTag] = [parts[0]!.byteOffset];
    ifd[lenTag] = [parts[0]!.length];
    return parts[0]!.buffer as ArrayBuffer;
  }
  const out = new Uint8Array(8 + total);
  out.set(head);
  const newOffsets: number[] = [];
  const newLengths: number[] = [];
  let at = 8;
  for (const p of parts) {
    out.set(p, at);
    newOffsets.push(at);
    newLengths.push(p.length);
    at += p.length;
  }
  ifd['t259'] = [1];
  ifd[offTag] = newOffsets;
  ifd[lenTag] = newLengths;
  return out.buffer;
}

/**
 * zlib-inflates `z`, stopping at `cap` bytes (what the rows can hold); a damaged stream keeps
 * what it gave. The result is a view at offset 8 of a buffer that starts with `head`.
 */
async function inflateCapped(z: Uint8Array, cap: number, head: Uint8Array): Promise<Uint8Array> {
  const buffer = new Uint8Array(8 + cap);
  buffer.set(head);
  const out = buffer.subarray(8);
  let n = 0;
  const reader = new Blob([z]).stream().pipeThrough(new DecompressionStream('deflate')).getReader();
  try {
    while (n < cap) {
      const { done, value } = await reader.read();
      if (done) break;
      const take = Math.min(value.length, cap - n);
      out.set(value.subarray(0, take), n);
      n += take;
    }
    await reader.cancel().catch(() => {});
  } catch {
    // Truncated or corrupt data: the rows decoded so far, the rest stays zero (then the size check decides).
  }
  return out.subarray(0, n);
}

/** One sample as 8 bits: 16-bit samples (already little-endian: UTIF swaps big-endian files) scaled by 255/65535, rounded. */
function reader(samples: Uint8Array, bits: number): (i: number) => number {
  if (bits === 8) return (i) => samples[i]!;
  return (i) => Math.round((samples[2 * i]! | (samples[2 * i + 1]! << 8)) / 257);
}

/** Grey (0/1) and RGB (2), each with an optional alpha extra sample. */
function toRgba(samples: Uint8Array, out: Uint8Array, info: TiffInfo): void {
  const get = reader(samples, info.bitsPerSample);
  const spp = info.samples;
  const colour = info.photometric === 2 ? 3 : 1;
  if (spp < colour) throw corrupt(`TIFF RGB image has ${spp} samples per pixel`);
  // TIFF 6.0 p.31 (ExtraSamples): only a declared alpha is alpha; 0 is "unspecified data".
  const alpha = spp > colour && (info.extraSample === 1 || info.extraSample === 2);
  const premultiplied = alpha && info.extraSample === 1;
  const invert = info.photometric === 0;
  const n = info.width * info.height;
  for (let p = 0, s = 0, o = 0; p < n; p++, s += spp, o += 4) {
    let r: number, g: number, b: number;
    if (colour === 3) {
      r = get(s);
      g = get(s + 1);
      b = get(s + 2);
    } else {
      r = g = b = invert ? 255 - get(s) : get(s);
    }
    const a = alpha ? get(s + colour) : 255;
    if (premultiplied && a > 0 && a < 255) {
      r = Math.min(255, Math.round((r * 255) / a));
      g = Math.min(255, Math.round((g * 255) / a));
      b = Math.min(255, Math.round((b * 255) / a));
    }
    out[o] = r;
    out[o + 1] = g;
    out[o + 2] = b;
    out[o + 3] = a;
  }
}

/**
 * CMYK ink amounts (TIFF 6.0 section 16: 0 = no ink) into `out` as 4-byte
 * pixels, then converted to RGBA in place: the embedded profile through
 * LittleCMS when the colour plan has one, else the built-in press profile.
 * An alpha fifth sample is put back after the conversion (which writes 255).
 */
async function cmykToRgba(samples: Uint8Array, out: Uint8Array, info: TiffInfo, colour: DecodeColour): Promise<void> {
  const get = reader(samples, info.bitsPerSample);
  const spp = info.samples;
  const n = info.width * info.height;
  for (let p = 0, s = 0, o = 0; p < n; p++, s += spp, o += 4) {
    out[o] = get(s);
    out[o + 1] = get(s + 1);
    out[o + 2] = get(s + 2);
    out[o + 3] = get(s + 3);
  }
  let converted = false;
  if (colour.cmyk) {
    try {
      await colour.cmyk(out, () => colour.observe?.(out.byteLength));
      converted = true;
    } catch (err) {
      console.warn('CMYK profile unusable; using the built-in CMYK table', err);
    }
  }
  if (!converted) cmykInkToRgbaInPlace(out);
  const alpha = spp > 4 && (info.extraSample === 1 || info.extraSample === 2);
  if (alpha) for (let p = 0, s = 4; p < n; p++, s += spp) out[p * 4 + 3] = get(s);
}
