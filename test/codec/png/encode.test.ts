/**
 * encodePng (codec/png/encode), run inside workerd: lossless in every colour
 * type it picks (our decoder and libvips read back the exact pixels), the SIMD
 * filters write the same bytes as the JS ones, the colour/filter trial picks
 * adaptive filtering for photos and none for text-like graphics, and the output
 * is at most 1.1x the size of libvips' default PNG (sharp: compression level 6,
 * no adaptive filtering) on photo, alpha, grey, graphic and text-like content.
 */
import { describe, expect, it } from 'vitest';
import { decodePng } from '../../../src/codec/png/decode';
import { encodePng } from '../../../src/codec/png/encode';
import type { Raster } from '../../../src/codec/types';
import { ORIGIN } from '../../support/worker';
import { seededRandom } from '../../support/random';
import { photoLike, zonePlate } from '../synth';

/** libvips' RGBA8 reading of a PNG (test/support/origin-server.ts). */
async function libvipsDecode(png: Uint8Array): Promise<Raster> {
  const res = await fetch(`${ORIGIN}/__libvips/decode`, { method: 'POST', body: png });
  expect(res.status).toBe(200);
  return { width: Number(res.headers.get('x-width')), height: Number(res.headers.get('x-height')), data: new Uint8Array(await res.arrayBuffer()) };
}

/** sharp's default PNG of the same pixels (RGB when they are opaque, as libvips would hold them). */
async function libvipsEncode(r: Raster): Promise<Uint8Array> {
  const opaque = r.data.every((v, i) => (i & 3) !== 3 || v === 255);
  const res = await fetch(`${ORIGIN}/__libvips/png-encode?width=${r.width}&height=${r.height}${opaque ? '&channels=3' : ''}`, { method: 'POST', body: r.data });
  expect(res.status).toBe(200);
  return new Uint8Array(await res.arrayBuffer());
}

/** The colour type byte of IHDR and the filter type of every row (the IDAT inflated). */
async function layout(png: Uint8Array): Promise<{ colourType: number; filters: number[] }> {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const width = view.getUint32(16), height = view.getUint32(20), colourType = png[25]!;
  const idat: Uint8Array[] = [];
  for (let p = 8; p + 8 <= png.length;) {
    const len = view.getUint32(p);
    if (view.getUint32(p + 4) === 0x49444154) idat.push(png.subarray(p + 8, p + 8 + len));
    p += 12 + len;
  }
  const raw = new Uint8Array(await new Response(new Blob(idat).stream().pipeThrough(new DecompressionStream('deflate'))).arrayBuffer());
  const rowBytes = width * ({ 0: 1, 2: 3, 4: 2, 6: 4 } as Record<number, number>)[colourType]!;
  return { colourType, filters: Array.from({ length: height }, (_, y) => raw[y * (rowBytes + 1)]!) };
}

/** Flat background, coloured panels and rows of anti-aliased "glyphs" from a fixed set: a UI screenshot's statistics. */
function textLike(width: number, height: number): Raster {
  const rnd = seededRandom(5);
  const glyphs = Array.from({ length: 40 }, () => Array.from({ length: 9 * 7 }, () => (rnd() < 0.35 ? Math.floor(rnd() * 3) + 1 : 0)));
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < data.length; i += 4) data.set([244, 246, 250, 255], i);
  const panelX = Math.floor(width * 0.75);
  for (let y = 0; y < height; y++) for (let x = panelX; x < width; x++) data.set([43, 108, 176, 255], (y * width + x) * 4);
  const shade = [[244, 246, 250], [180, 182, 186], [110, 112, 116], [51, 51, 51]];
  for (let line = 0; (line + 1) * 19 < height; line++) {
    for (let col = 0; (col + 1) * 8 < panelX - 20; col++) {
      const glyph = glyphs[Math.floor(rnd() * glyphs.length)]!;
      for (let gy = 0; gy < 9; gy++) {
        for (let gx = 0; gx < 7; gx++) {
          const v = glyph[gy * 7 + gx]!;
          if (v) data.set(shade[v]!, ((line * 19 + 6 + gy) * width + 20 + col * 8 + gx) * 4);
        }
      }
    }
  }
  return { width, height, data };
}

/** Where two byte arrays first differ (-1: identical), a fast stand-in for toEqual on megabytes. */
function firstDifference(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

function withAlpha(r: Raster): Raster {
  const data = r.data.slice();
  for (let y = 0; y < r.height; y++) for (let x = 0; x < r.width; x++) data[(y * r.width + x) * 4 + 3] = Math.round((255 * (x + y)) / (r.width + r.height - 2 || 1));
  return { ...r, data };
}

function grey(r: Raster, alpha = false): Raster {
  const data = r.data.slice();
  for (let i = 0; i < data.length; i += 4) {
    data[i + 1] = data[i + 2] = data[i]!;
    if (alpha) data[i + 3] = (i >> 2) % 251;
  }
  return { ...r, data };
}

function noise(width: number, height: number, seed: number): Raster {
  const rnd = seededRandom(seed);
  return { width, height, data: Uint8Array.from({ length: width * height * 4 }, () => Math.floor(rnd() * 256)) };
}

const CONTENT: Array<[string, (w: number, h: number) => Raster, number]> = [
  ['photo (RGB)', (w, h) => photoLike(w, h, 3), 2],
  ['photo with alpha (RGBA)', (w, h) => withAlpha(photoLike(w, h, 4)), 6],
  ['grey photo', (w, h) => grey(photoLike(w, h, 5)), 0],
  ['grey + alpha', (w, h) => grey(photoLike(w, h, 6), true), 4],
  ['noise (RGBA)', (w, h) => noise(w, h, w * 31 + h), 6],
];

describe('encodePng: lossless, the same with and without SIMD', () => {
  for (const [label, make, colourType] of CONTENT) {
    it(`${label}: decodes back exactly (ours and libvips), SIMD bytes = JS bytes`, async () => {
      for (const [w, h] of [[1, 1], [2, 3], [17, 5], [33, 40], [301, 203]] as const) {
        const src = make(w, h);
        const png = await encodePng(src);
        expect(Array.from(png.subarray(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
        if (w * h > 4) expect((await layout(png)).colourType, `${label} ${w}x${h}`).toBe(colourType);
        expect(firstDifference((await decodePng(png)).data, src.data), `${label} ${w}x${h} (ours)`).toBe(-1);
        expect(firstDifference((await libvipsDecode(png)).data, src.data), `${label} ${w}x${h} (libvips)`).toBe(-1);
        expect(firstDifference(await encodePng(src, { simd: false }), png), `${label} ${w}x${h}: SIMD vs JS filters`).toBe(-1);
      }
    });
  }
});

describe('encodePng: very wide rows', () => {
  it('RGBA 300000x2 (rows past the SIMD kernels\' cap, filtered in JS) and RGB 300000x2 (SIMD) round-trip exactly', async () => {
    for (const alpha of [true, false]) {
      const src = photoLike(300000, 2, 9);
      if (alpha) for (let i = 3; i < src.data.length; i += 4) src.data[i] = i & 255;
      const png = await encodePng(src);
      expect((await layout(png)).colourType).toBe(alpha ? 6 : 2);
      expect(firstDifference((await decodePng(png)).data, src.data)).toBe(-1);
    }
  });
});

describe('encodePng: filter and colour choice, size against libvips', () => {
  const CASES: Array<[string, Raster, (l: { colourType: number; filters: number[] }) => void]> = [
    ['photo 1200x800', photoLike(1200, 800, 7), (l) => expect(l.filters.filter((f) => f !== 0).length).toBeGreaterThan(400)],
    ['photo with alpha 1200x800', withAlpha(photoLike(1200, 800, 8)), (l) => expect(l.filters.filter((f) => f !== 0).length).toBeGreaterThan(400)],
    // Text and flat panels: unfiltered rows (deflate finds the raw repeats that filtering breaks).
    ['text-like 1200x800', textLike(1200, 800), (l) => expect(l.filters.every((f) => f === 0)).toBe(true)],
    ['zone plate 600x600 (grey)', zonePlate(600), (l) => expect([0, 4]).toContain(l.colourType)],
  ];
  for (const [label, src, check] of CASES) {
    it(`${label}: at most 1.1x libvips' bytes, lossless`, async () => {
      const ours = await encodePng(src);
      const theirs = await libvipsEncode(src);
      const l = await layout(ours);
      console.log(`MEASURE png encode ${label}: ours ${ours.length} B (type ${l.colourType}, ${l.filters.filter((f) => f !== 0).length}/${l.filters.length} rows filtered), libvips ${theirs.length} B (${(ours.length / theirs.length).toFixed(3)}x)`);
      check(l);
      expect(ours.length).toBeLessThanOrEqual(theirs.length * 1.1);
      expect(firstDifference((await decodePng(ours)).data, src.data)).toBe(-1);
      expect(firstDifference((await libvipsDecode(ours)).data, src.data)).toBe(-1);
    });
  }
});
