/**
 * @module test/probe-helpers/bytes
 * Builders for small hand-made image headers used by the probe tests: PNG chunks
 * with real CRCs, JPEG segments, an EXIF TIFF block, RIFF/WebP chunks, ISO BMFF
 * boxes. They build only what the probe reads, not decodable images.
 */

export const ascii = (s: string): number[] => Array.from(s, (c) => c.charCodeAt(0) & 0xff);
export const be16 = (v: number) => [(v >>> 8) & 0xff, v & 0xff];
export const be32 = (v: number) => [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
export const le16 = (v: number) => [v & 0xff, (v >>> 8) & 0xff];
export const le24 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff];
export const le32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
export const bytes = (...parts: (number[] | Uint8Array)[]) => {
  const out: number[] = [];
  for (const p of parts) for (const v of p) out.push(v);
  return new Uint8Array(out);
};

/** CRC-32 as in PNG spec Annex D (table-free; test inputs are small). */
export function crc32(data: ArrayLike<number>): number {
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) {
    c ^= data[i]!;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

export const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export function pngChunk(type: string, data: ArrayLike<number> = []): number[] {
  const td = [...ascii(type), ...Array.from(data)];
  return [...be32(data.length), ...td, ...be32(crc32(td))];
}

export function pngIhdr(w: number, h: number, depth = 8, colorType = 6, interlace = 0): number[] {
  return pngChunk('IHDR', [...be32(w), ...be32(h), depth, colorType, 0, 0, interlace]);
}

/** A PNG header: IHDR, the given chunks, a token IDAT and IEND. */
export function makePng(w: number, h: number, chunks: number[][] = [], opts: { colorType?: number; idatBytes?: number } = {}) {
  return bytes(
    PNG_SIGNATURE,
    pngIhdr(w, h, 8, opts.colorType ?? 6),
    ...chunks,
    pngChunk('IDAT', new Uint8Array(opts.idatBytes ?? 8)),
    pngChunk('IEND'),
  );
}

/** A TIFF block holding IFD0 with one Orientation entry (EXIF 2.32 / TIFF 6.0). */
export function tiffOrientation(value: number, order: 'II' | 'MM' = 'MM', type = 3): number[] {
  const u16 = order === 'II' ? le16 : be16;
  const u32 = order === 'II' ? le32 : be32;
  const valueField = type === 3 ? [...u16(value), 0, 0] : u32(value);
  return [
    ...ascii(order), ...u16(42), ...u32(8),
    ...u16(1), // one entry
    ...u16(0x0112), ...u16(type), ...u32(1), ...valueField,
    ...u32(0), // no next IFD
  ];
}

export function jpegSegment(marker: number, data: ArrayLike<number>): number[] {
  return [0xff, marker, ...be16(data.length + 2), ...Array.from(data)];
}

export function jpegSof(marker: number, w: number, h: number, precision = 8, components = 3): number[] {
  const comps: number[] = [];
  for (let i = 1; i <= components; i++) comps.push(i, 0x11, 0);
  return jpegSegment(marker, [precision, ...be16(h), ...be16(w), components, ...comps]);
}

export const JPEG_SOS = [0xff, 0xda, 0, 8, 1, 1, 0, 0, 0x3f, 0, 0x12, 0x34, 0xff, 0xd9];

export function riffChunk(type: string, data: ArrayLike<number>): number[] {
  const out = [...ascii(type), ...le32(data.length), ...Array.from(data)];
  if (data.length & 1) out.push(0);
  return out;
}

export function webp(...chunks: number[][]): Uint8Array {
  const body = bytes(ascii('WEBP'), ...chunks);
  return bytes(ascii('RIFF'), le32(body.length), body);
}

export function vp8xChunk(w: number, h: number, flags: number): number[] {
  return riffChunk('VP8X', [flags, 0, 0, 0, ...le24(w - 1), ...le24(h - 1)]);
}

/** A VP8 key-frame header (RFC 6386 9.1) for w x h. */
export function vp8Chunk(w: number, h: number): number[] {
  return riffChunk('VP8 ', [0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a, ...le16(w), ...le16(h), 0, 0]);
}

export function box(type: string, ...payload: (number[] | Uint8Array)[]): number[] {
  const body = Array.from(bytes(...payload));
  return [...be32(body.length + 8), ...ascii(type), ...body];
}

export const fullBox = (type: string, ...payload: number[][]) => box(type, [0, 0, 0, 0], ...payload);

export function ftyp(major: string, ...compatible: string[]): number[] {
  return box('ftyp', ascii(major), be32(0), ...compatible.map(ascii));
}

export { seededRandom } from '../support/random';

/**
 * Wraps bytes in a Proxy that records the highest index read, to prove the probe
 * reads headers only. Typed-array methods are bound to the real target.
 */
export function trackReads(data: Uint8Array): { view: Uint8Array; maxIndex: () => number } {
  let max = -1;
  const view = new Proxy(data, {
    get(target, key) {
      if (typeof key === 'string' && key.length > 0 && key.charCodeAt(0) >= 48 && key.charCodeAt(0) <= 57) {
        const i = Number(key);
        if (i > max) max = i;
        return target[i];
      }
      const v = Reflect.get(target, key, target);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  return { view, maxIndex: () => max };
}
