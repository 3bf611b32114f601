/**
 * decodePng (codec/png/decode), run inside workerd: every corpus PNG against
 * Photon's decode (verified against libvips), every colour type / bit depth /
 * interlace / filter combination generated here against an independent
 * expectation and Photon, large images (exactness and timing), hostile input.
 */
import { describe, expect, it } from 'vitest';
import { decodePng, PNG_MAX_PIXELS } from '../../../src/codec/png/decode';
import { decodeWithPhoton, encodePngWithPhoton, photon } from '../../../src/codec/wasm/photon';
import { ImageError } from '../../../src/errors';
import type { Raster } from '../../../src/codec/types';
import { ORIGIN } from '../../support/worker';
import { seededRandom as random } from '../../support/random';
import { photoLike } from '../synth';

/* --------------------------------------------------------------- helpers */


async function corpus(path: string): Promise<Uint8Array> {
  const res = await fetch(`${ORIGIN}/corpus/${path}`);
  expect(res.status, path).toBe(200);
  return new Uint8Array(await res.arrayBuffer());
}

/** Photon's decode, or the error it threw. */
function photonDecode(bytes: Uint8Array): Raster | Error {
  try {
    return decodeWithPhoton(bytes);
  } catch (err) {
    return err as Error;
  }
}

/** Our decode, or the error; fails the test on anything but a 4xx ImageError. */
async function oursOrImageError(bytes: Uint8Array, label: string): Promise<Raster | ImageError> {
  try {
    return await decodePng(bytes);
  } catch (err) {
    if (!(err instanceof ImageError) || err.status < 400 || err.status >= 500) {
      throw new Error(`${label}: threw a non-4xx error: ${String(err)} (${(err as Error)?.stack})`);
    }
    return err;
  }
}

/** Largest per-channel difference between two same-size rasters, and where. */
function maxDiff(a: Raster, b: Raster): { max: number; at: number } {
  expect([a.width, a.height]).toEqual([b.width, b.height]);
  expect(a.data.length).toBe(b.data.length);
  let max = 0, at = -1;
  for (let i = 0; i < a.data.length; i++) {
    const d = Math.abs(a.data[i]! - b.data[i]!);
    if (d > max) { max = d; at = i; }
  }
  return { max, at };
}

function expectSame(mine: Raster, ref: Raster, label: string): void {
  const { max, at } = maxDiff(mine, ref);
  if (max !== 0) {
    const px = at >> 2;
    const x = px % mine.width, y = Math.floor(px / mine.width);
    const show = (r: Raster) => Array.from(r.data.subarray(px * 4, px * 4 + 4)).join(',');
    throw new Error(`${label}: max diff ${max} at (${x},${y}) channel ${at & 3}: ours ${show(mine)} vs ref ${show(ref)}`);
  }
}

/** Measures an operation's wall time; workerd's clock only moves on I/O, so tick it with a loopback fetch. */
async function timed<T>(fn: () => T | Promise<T>): Promise<{ value: T; ms: number }> {
  await tick();
  const t0 = performance.now();
  const value = await fn();
  await tick();
  return { value, ms: performance.now() - t0 };
}
async function tick(): Promise<void> {
  await (await fetch(`${ORIGIN}/corpus/manifest.json`, { method: 'HEAD' })).arrayBuffer();
}

/* ----------------------------------------------------- a PNG writer (test) */

let crcTable: Uint32Array | undefined;
function crc32(bytes: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (const b of bytes) c = crcTable[(c ^ b) & 255]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function u32(v: number): number[] {
  return [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
}

function chunk(type: string, payload: Uint8Array | number[], badCrc = false): Uint8Array {
  const body = new Uint8Array(4 + payload.length);
  for (let i = 0; i < 4; i++) body[i] = type.charCodeAt(i);
  body.set(payload, 4);
  const out = new Uint8Array(12 + payload.length);
  out.set(u32(payload.length), 0);
  out.set(body, 4);
  out.set(u32((crc32(body) ^ (badCrc ? 1 : 0)) >>> 0), 8 + payload.length);
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

async function deflate(data: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([data]).stream().pipeThrough(new CompressionStream('deflate'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

const SIGNATURE = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const ADAM7 = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]] as const;

interface Spec {
  width: number;
  height: number;
  colourType: number;
  depth: number;
  interlaced: boolean;
  /** Raw samples, CHANNELS per pixel, row-major. */
  samples: Uint16Array;
  palette?: Uint8Array;
  trns?: Uint8Array;
  /** Filter of row r of a pass: (r + pass + filterSeed) % 5, or always this one. */
  filter?: number;
  filterSeed?: number;
}

/** The filtered, interlaced (if asked) scanline stream of `spec`. */
function rawStream(spec: Spec): Uint8Array {
  const ch = CHANNELS[spec.colourType]!;
  const bitsPP = ch * spec.depth;
  const bpp = Math.max(1, bitsPP >> 3);
  const passes = spec.interlaced ? ADAM7 : ([[0, 0, 1, 1]] as const);
  const out: number[] = [];
  passes.forEach(([x0, y0, dx, dy], pass) => {
    const pw = spec.width > x0 ? Math.ceil((spec.width - x0) / dx) : 0;
    const ph = spec.height > y0 ? Math.ceil((spec.height - y0) / dy) : 0;
    if (pw === 0 || ph === 0) return;
    const rowBytes = Math.ceil((pw * bitsPP) / 8);
    let prev = new Uint8Array(rowBytes);
    for (let r = 0; r < ph; r++) {
      const row = new Uint8Array(rowBytes);
      const y = y0 + r * dy;
      for (let i = 0; i < pw; i++) {
        const x = x0 + i * dx;
        for (let c = 0; c < ch; c++) {
          const v = spec.samples[(y * spec.width + x) * ch + c]!;
          const k = i * ch + c;
          if (spec.depth === 16) { row[k * 2] = v >> 8; row[k * 2 + 1] = v & 255; }
          else if (spec.depth === 8) row[k] = v;
          else {
            const bit = k * spec.depth;
            row[bit >> 3]! |= v << (8 - spec.depth - (bit & 7));
          }
        }
      }
      const f = spec.filter ?? (r + pass + (spec.filterSeed ?? 0)) % 5;
      out.push(f);
      for (let i = 0; i < rowBytes; i++) {
        const a = i >= bpp ? row[i - bpp]! : 0, b = prev[i]!, c = i >= bpp ? prev[i - bpp]! : 0;
        let pred = 0;
        if (f === 1) pred = a;
        else if (f === 2) pred = b;
        else if (f === 3) pred = (a + b) >> 1;
        else if (f === 4) {
          const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
          pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
        }
        out.push((row[i]! - pred) & 255);
      }
      prev = row;
    }
  });
  return new Uint8Array(out);
}

function ihdr(width: number, height: number, depth: number, colourType: number, interlace = 0): Uint8Array {
  return chunk('IHDR', [...u32(width), ...u32(height), depth, colourType, 0, 0, interlace]);
}

/** Encodes `spec` as a PNG with its IDAT split at pseudo-random sizes (some tiny). */
async function encode(spec: Spec, opts: { seed?: number; extraChunks?: Uint8Array[]; idatData?: Uint8Array } = {}): Promise<Uint8Array> {
  const z = opts.idatData ?? (await deflate(rawStream(spec)));
  const rnd = random(opts.seed ?? 7);
  const parts = [SIGNATURE, ihdr(spec.width, spec.height, spec.depth, spec.colourType, spec.interlaced ? 1 : 0), chunk('gAMA', u32(45455))];
  if (spec.palette) parts.push(chunk('PLTE', spec.palette));
  if (spec.trns) parts.push(chunk('tRNS', spec.trns));
  parts.push(...(opts.extraChunks ?? []));
  for (let p = 0; p < z.length;) {
    const n = Math.max(1, Math.floor(rnd() ** 3 * 5000));
    parts.push(chunk('IDAT', z.subarray(p, p + n)));
    p += n;
  }
  parts.push(chunk('tEXt', new TextEncoder().encode('Comment\0after IDAT')), chunk('IEND', []));
  return concat(parts);
}

/** What a correct decoder makes of `spec`, computed independently of the decoder. */
function expected(spec: Spec): Raster {
  const { width, height, colourType, depth } = spec;
  const ch = CHANNELS[colourType]!;
  const data = new Uint8Array(width * height * 4);
  const max = 2 ** depth - 1;
  const to8 = (v: number) => (depth === 16 ? Math.round((v * 255) / 65535) : depth < 8 && colourType !== 3 ? Math.round((v * 255) / max) : v);
  const trns16 = (i: number) => (spec.trns![i]! << 8) | spec.trns![i + 1]!;
  for (let p = 0; p < width * height; p++) {
    const s = spec.samples.subarray(p * ch, p * ch + ch);
    let rgba: number[];
    switch (colourType) {
      case 0: {
        const key = spec.trns ? (depth === 16 ? trns16(0) : trns16(0) & max) : -1;
        rgba = [to8(s[0]!), to8(s[0]!), to8(s[0]!), s[0] === key ? 0 : 255];
        break;
      }
      case 2: {
        const m = depth === 16 ? 0xffff : 0xff;
        const key = spec.trns ? [trns16(0) & m, trns16(2) & m, trns16(4) & m] : [-1, -1, -1];
        const t = s[0] === key[0] && s[1] === key[1] && s[2] === key[2];
        rgba = [to8(s[0]!), to8(s[1]!), to8(s[2]!), t ? 0 : 255];
        break;
      }
      case 3: {
        const i = s[0]!, pal = spec.palette!;
        rgba = i < pal.length / 3 ? [pal[i * 3]!, pal[i * 3 + 1]!, pal[i * 3 + 2]!, 255] : [0, 0, 0, 255];
        if (spec.trns && i < spec.trns.length) rgba[3] = spec.trns[i]!;
        break;
      }
      case 4:
        rgba = [to8(s[0]!), to8(s[0]!), to8(s[0]!), to8(s[1]!)];
        break;
      default:
        rgba = [to8(s[0]!), to8(s[1]!), to8(s[2]!), to8(s[3]!)];
    }
    data.set(rgba, p * 4);
  }
  return { width, height, data };
}

/** A random image of the given type, with some pixels on the tRNS key when there is one. */
function makeSpec(colourType: number, depth: number, interlaced: boolean, width: number, height: number, seed: number, withTrns: boolean): Spec {
  const rnd = random(seed);
  const ch = CHANNELS[colourType]!;
  const max = 2 ** depth - 1;
  const samples = new Uint16Array(width * height * ch);
  let palette: Uint8Array | undefined;
  let trns: Uint8Array | undefined;
  let entries = max + 1;
  if (colourType === 3) {
    entries = Math.max(1, Math.min(max + 1, Math.floor(rnd() * (max + 1)) + 1));
    palette = Uint8Array.from({ length: entries * 3 }, () => Math.floor(rnd() * 256));
    if (withTrns) trns = Uint8Array.from({ length: Math.ceil(entries / 2) }, () => Math.floor(rnd() * 256));
  }
  // Smooth-ish content with noise so all filters see real work.
  for (let i = 0; i < samples.length; i++) {
    const p = Math.floor(i / ch), x = p % width, y = Math.floor(p / width);
    const smooth = ((x * 7 + y * 3 + (i % ch) * 50) / (width + height + 150)) * entries;
    const v = rnd() < 0.7 ? Math.floor(smooth) % entries : Math.floor(rnd() * entries);
    samples[i] = Math.min(max, v);
  }
  if (withTrns && (colourType === 0 || colourType === 2)) {
    const key = Array.from({ length: colourType === 0 ? 1 : 3 }, () => Math.floor(rnd() * (max + 1)));
    trns = new Uint8Array(colourType === 0 ? 2 : 6);
    key.forEach((k, c) => { trns![c * 2] = k >> 8; trns![c * 2 + 1] = k & 255; });
    for (let p = 0; p < width * height; p += 3) key.forEach((k, c) => { samples[p * ch + c] = k; });
  }
  return { width, height, colourType, depth, interlaced, samples, palette, trns, filterSeed: seed };
}

/* ------------------------------------------------------------------ tests */

describe('decodePng: corpus', () => {
  it('decodes every corpus PNG exactly like Photon; bad ones only ever throw a 4xx ImageError', async () => {
    const manifest = (await (await fetch(`${ORIGIN}/corpus/manifest.json`)).json()) as Array<{ file: string; expect: string }>;
    const files = manifest.filter((e) => e.file.endsWith('.png')).map((e) => e.file);
    expect(files.filter((f) => f.startsWith('png/')).length).toBeGreaterThanOrEqual(20);
    const outcome: string[] = [];
    for (const file of files) {
      const bytes = await corpus(file);
      const copy = bytes.slice();
      const mine = await oursOrImageError(bytes, file);
      expect(bytes, `${file}: input left intact`).toEqual(copy);
      const ref = photonDecode(bytes);
      if (file.startsWith('png/')) {
        if (mine instanceof ImageError) throw new Error(`${file}: ${mine.message}`);
        if (ref instanceof Error) throw new Error(`${file}: Photon failed: ${ref.message}`);
        expectSame(mine, ref, file);
        outcome.push(`${file} ok`);
      } else if (mine instanceof ImageError) {
        outcome.push(`${file} -> ${mine.status} ${mine.message}`);
      } else if (!(ref instanceof Error)) {
        expectSame(mine, ref, file);
        outcome.push(`${file} decoded, same as Photon`);
      } else {
        outcome.push(`${file} decoded (Photon refused: ${ref.message})`);
      }
    }
    console.log(outcome.join('\n'));
  });

  it('xcsn0g01 (only its IDAT CRC is wrong, data intact) decodes to the image of basn0g01', async () => {
    const mine = await decodePng(await corpus('bad/xcsn0g01.png'));
    expectSame(mine, await decodePng(await corpus('png/basn0g01.png')), 'xcsn0g01');
  });

  it('g03n2c08: gAMA is ignored, like Photon and the libvips reference', async () => {
    const bytes = await corpus('png/g03n2c08.png');
    const mine = await decodePng(bytes);
    expectSame(mine, decodeWithPhoton(bytes), 'g03n2c08');
  });
});

describe('decodePng: every colour type, depth, interlace and filter', () => {
  const combos: Array<[number, number]> = [
    [0, 1], [0, 2], [0, 4], [0, 8], [0, 16],
    [2, 8], [2, 16],
    [3, 1], [3, 2], [3, 4], [3, 8],
    [4, 8], [4, 16],
    [6, 8], [6, 16],
  ];
  // Odd sizes exercise partial bytes and every Adam7 edge case (passes empty below 5x5).
  const sizes: Array<[number, number]> = [[1, 1], [3, 2], [5, 7], [37, 29]];
  for (const [colourType, depth] of combos) {
    for (const interlaced of [false, true]) {
      it(`type ${colourType} depth ${depth}${interlaced ? ' Adam7' : ''}, with and without tRNS`, async () => {
        let seed = colourType * 1000 + depth * 10 + (interlaced ? 1 : 0);
        const trnsOptions = colourType === 4 || colourType === 6 ? [false] : [false, true];
        for (const [w, h] of sizes) {
          for (const withTrns of trnsOptions) {
            const spec = makeSpec(colourType, depth, interlaced, w, h, ++seed, withTrns);
            const png = await encode(spec, { seed });
            const label = `type ${colourType}/${depth} ${w}x${h}${interlaced ? ' i' : ''}${withTrns ? ' tRNS' : ''}`;
            const mine = await decodePng(png);
            expectSame(mine, expected(spec), `${label} vs expectation`);
            const ref = photonDecode(png);
            if (ref instanceof Error) throw new Error(`${label}: Photon failed: ${ref.message}`);
            expectSame(mine, ref, `${label} vs Photon`);
          }
        }
      });
    }
  }

  for (const filter of [0, 1, 2, 3, 4]) {
    it(`filter type ${filter} on every row (RGB 8, grey 2, RGBA 16)`, async () => {
      for (const [ct, d] of [[2, 8], [0, 2], [6, 16]] as const) {
        const spec = { ...makeSpec(ct, d, false, 23, 11, 99 + filter, false), filter };
        const mine = await decodePng(await encode(spec));
        expectSame(mine, expected(spec), `filter ${filter} type ${ct}/${d}`);
      }
    });
  }

  it('16-bit samples round to 8 bits exactly (every 16-bit value)', async () => {
    const samples = Uint16Array.from({ length: 65536 }, (_, i) => i);
    const spec: Spec = { width: 256, height: 256, colourType: 0, depth: 16, interlaced: false, samples };
    const mine = await decodePng(await encode(spec));
    for (let v = 0; v < 65536; v++) {
      if (mine.data[v * 4] !== Math.round((v * 255) / 65535)) throw new Error(`16-bit ${v} -> ${mine.data[v * 4]}`);
    }
    expectSame(mine, decodeWithPhoton(await encode(spec)), '16-bit ramp vs Photon');
  });
});

describe('decodePng: large images and speed', () => {
  function pattern(w: number, h: number): Raster {
    const data = new Uint8Array(w * h * 4);
    const rnd = random(42);
    for (let y = 0, i = 0; y < h; y++) {
      for (let x = 0; x < w; x++, i += 4) {
        const n = Math.floor(rnd() * 16);
        data[i] = (x * 255) / w + n;
        data[i + 1] = (y * 255) / h + n;
        data[i + 2] = ((x ^ y) & 0xff);
        data[i + 3] = 255 - ((x + y) & 0x7f);
      }
    }
    return { width: w, height: h, data };
  }

  for (const [w, h, label] of [[2000, 1500, '3 MP'], [1633, 1225, '2 MP'], [3264, 2448, '8 MP']] as const) {
    it(`${label} RGBA (${w}x${h}, Photon-encoded) decodes exactly, faster than Photon`, async () => {
      const src = pattern(w, h);
      const png = encodePngWithPhoton(src.data, w, h);
      // Warm both (JIT, Photon instance), then time; Photon also cold, as after
      // the Worker drops its grown instance (codec/wasm/memory).
      await decodePng(png);
      decodeWithPhoton(png);
      const mine = await timed(() => decodePng(png));
      const theirs = await timed(() => decodeWithPhoton(png));
      photon.drop();
      const cold = await timed(() => decodeWithPhoton(png));
      const tickOnly = await timed(() => 0);
      expectSame(mine.value, src, `${label} vs source`);
      expectSame(mine.value, theirs.value, `${label} vs Photon`);
      const ms = (t: { ms: number }) => (t.ms - tickOnly.ms).toFixed(0);
      console.log(
        `MEASURE PNG ${label} RGBA8 ${w}x${h} (${(png.length / 1e6).toFixed(1)} MB): decodePng ${ms(mine)} ms, Photon ${ms(theirs)} ms warm / ${ms(cold)} ms cold instance`,
      );
    });
  }

  it('2 MP RGB 8-bit and 16-bit, Adam7, all filters (our encoder) decode exactly, timed', async () => {
    for (const [ct, d, interlaced] of [[2, 8, false], [2, 8, true], [6, 16, false], [3, 8, false]] as const) {
      const spec = makeSpec(ct, d, interlaced, 1633, 1225, 5, false);
      const png = await encode(spec);
      await decodePng(png); // warm the JIT for this pixel type
      decodeWithPhoton(png);
      const mine = await timed(() => decodePng(png));
      const theirs = await timed(() => decodeWithPhoton(png));
      expectSame(mine.value, expected(spec), `2MP ${ct}/${d}${interlaced ? ' i' : ''}`);
      expectSame(mine.value, theirs.value, `2MP ${ct}/${d}${interlaced ? ' i' : ''} vs Photon`);
      console.log(`MEASURE PNG 2 MP type ${ct}/${d}${interlaced ? ' Adam7' : ''}: decodePng ${mine.ms.toFixed(0)} ms, Photon ${theirs.ms.toFixed(0)} ms`);
    }
  });
});

/* ------------------------------------------- SIMD unfiltering vs libvips */

/** libvips' RGBA8 reading of a PNG (test/support/origin-server.ts). */
async function libvipsDecode(png: Uint8Array): Promise<Raster> {
  const res = await fetch(`${ORIGIN}/__libvips/decode`, { method: 'POST', body: png });
  expect(res.status).toBe(200);
  return { width: Number(res.headers.get('x-width')), height: Number(res.headers.get('x-height')), data: new Uint8Array(await res.arrayBuffer()) };
}

describe('decodePng: RGB8/RGBA8 through the SIMD filters, exactly as the JS path, the expectation and libvips', () => {
  // Widths around the 16-byte vector and the 3/4-byte pixel; every filter on every row, then mixed.
  const widths = [1, 2, 3, 5, 6, 15, 16, 17, 33, 101];
  for (const colourType of [2, 6]) {
    for (const interlaced of [false, true]) {
      it(`type ${colourType}/8${interlaced ? ' Adam7' : ''}: filters 0-4 and mixed, ${widths.length} widths`, async () => {
        let n = 0;
        for (const w of widths) {
          for (const filter of [0, 1, 2, 3, 4, undefined]) {
            const spec = { ...makeSpec(colourType, 8, interlaced, w, 7, w * 10 + (filter ?? 9), false), filter };
            const png = await encode(spec, { seed: w });
            const label = `type ${colourType} ${w}x7 filter ${filter ?? 'mixed'}${interlaced ? ' i' : ''}`;
            const simd = await decodePng(png);
            expectSame(simd, expected(spec), `${label}: SIMD vs expectation`);
            expectSame(await decodePng(png, { simd: false }), simd, `${label}: JS vs SIMD`);
            expectSame(await libvipsDecode(png), simd, `${label}: libvips vs SIMD`);
            n++;
          }
        }
        expect(n).toBe(widths.length * 6);
      });
    }
  }

  it('very wide rows: RGB 300000x2 (0.9 MB rows, SIMD) and RGBA 300000x2 (1.2 MB rows, past the kernels\' cap: JS) decode exactly', async () => {
    for (const colourType of [2, 6]) {
      const spec = makeSpec(colourType, 8, false, 300000, 2, 40 + colourType, false);
      expectSame(await decodePng(await encode(spec)), expected(spec), `type ${colourType} 300000x2`);
    }
  });

  it('libvips-written PNGs with adaptive filtering (photo RGB and RGBA, 1203x801) decode to their exact pixels', async () => {
    for (const alpha of [false, true]) {
      const src = photoLike(1203, 801, alpha ? 12 : 11);
      if (alpha) for (let i = 3; i < src.data.length; i += 4) src.data[i] = (i >> 2) % 256;
      const res = await fetch(`${ORIGIN}/__libvips/png-encode?width=1203&height=801&adaptive=1${alpha ? '' : '&channels=3'}`, { method: 'POST', body: src.data });
      const png = new Uint8Array(await res.arrayBuffer());
      expect(png[25], 'colour type').toBe(alpha ? 6 : 2);
      expectSame(await decodePng(png), src, `libvips adaptive ${alpha ? 'RGBA' : 'RGB'}`);
    }
  });
});

describe('decodePng: validation', () => {
  const small = () => makeSpec(2, 8, false, 8, 8, 3, false);

  async function expectError(bytes: Uint8Array, status: number, message?: RegExp): Promise<void> {
    const err = await decodePng(bytes).then(() => undefined, (e: unknown) => e);
    expect(err, 'should throw').toBeInstanceOf(ImageError);
    expect((err as ImageError).status).toBe(status);
    if (message) expect((err as ImageError).message).toMatch(message);
  }

  it('refuses a bad signature, a bad IHDR (CRC, size, depth/type, methods)', async () => {
    const good = await encode(small());
    await expectError(good.subarray(0, 7), 422, /signature/);
    await expectError(Uint8Array.from([...good.subarray(0, 7), 0, ...good.subarray(8)]), 422, /signature/);
    const withHeader = (h: Uint8Array) => concat([SIGNATURE, h, good.subarray(33)]);
    await expectError(withHeader(chunk('IHDR', [...u32(8), ...u32(8), 8, 2, 0, 0, 0], true)), 422, /CRC/);
    await expectError(withHeader(ihdr(0, 8, 8, 2)), 422, /size/);
    await expectError(withHeader(ihdr(8, 2 ** 31, 8, 2)), 422, /size/);
    for (const [d, t] of [[8, 1], [4, 2], [16, 3], [2, 4], [1, 6], [3, 0], [8, 7]]) {
      await expectError(withHeader(ihdr(8, 8, d!, t!)), 422, /colour type/);
    }
    await expectError(withHeader(chunk('IHDR', [...u32(8), ...u32(8), 8, 2, 1, 0, 0])), 422, /compression/);
    await expectError(withHeader(chunk('IHDR', [...u32(8), ...u32(8), 8, 2, 0, 1, 0])), 422, /filter/);
    await expectError(withHeader(chunk('IHDR', [...u32(8), ...u32(8), 8, 2, 0, 0, 2])), 422, /interlace/);
    await expectError(withHeader(chunk('IHDR', [...u32(8), ...u32(8), 8, 2, 0, 0, 0, 0])), 422, /length/);
    await expectError(concat([SIGNATURE, chunk('gAMA', u32(45455)), good.subarray(8)]), 422, /IHDR/);
  });

  it('refuses absurd sizes with 413 before allocating', async () => {
    const good = await encode(small());
    for (const [w, h] of [[65536, 65536], [2 ** 31 - 1, 2 ** 31 - 1], [PNG_MAX_PIXELS + 1, 1]]) {
      await expectError(concat([SIGNATURE, ihdr(w!, h!, 8, 6), good.subarray(33)]), 413);
    }
  });

  it('refuses missing PLTE / IDAT, bad filter bytes, too little data, inflate errors, unknown critical chunks', async () => {
    const pal = makeSpec(3, 8, false, 8, 8, 4, false);
    await expectError(await encode({ ...pal, palette: undefined }), 422, /PLTE/);
    await expectError(await encode({ ...pal, palette: new Uint8Array(0) }), 422, /PLTE/);
    await expectError(await encode({ ...pal, palette: new Uint8Array(10) }), 422, /PLTE/);
    await expectError(concat([SIGNATURE, ihdr(8, 8, 8, 2), chunk('IEND', [])]), 422, /IDAT/);
    const spec = small();
    const raw = rawStream(spec);
    const badFilter = raw.slice();
    badFilter[(1 + 8 * 3) * 3] = 5;
    await expectError(await encode(spec, { idatData: await deflate(badFilter) }), 422, /filter type 5/);
    await expectError(await encode(spec, { idatData: await deflate(raw.subarray(0, raw.length - 1)) }), 422, /truncated/);
    const garbage = (await deflate(raw)).slice();
    garbage[5] = garbage[5]! ^ 0xff;
    garbage[9] = garbage[9]! ^ 0x55;
    await expectError(await encode(spec, { idatData: garbage }), 422);
    const badAdler = (await deflate(raw)).slice();
    badAdler[badAdler.length - 1] = badAdler[badAdler.length - 1]! ^ 1;
    await expectError(await encode(spec, { idatData: badAdler }), 422, /inflate/);
    await expectError(await encode(spec, { idatData: new Uint8Array(0) }), 422);
    await expectError(await encode(spec, { extraChunks: [chunk('ZZZZ', [1, 2, 3])] }), 415, /ZZZZ/);
    await expectError(await encode(spec, { extraChunks: [chunk('IH!R', [1, 2, 3])] }), 422, /chunk type/);
  });

  it('tolerates surplus image data up to 1 MiB, refuses a bomb beyond it', async () => {
    const spec = small();
    const raw = rawStream(spec);
    const some = concat([raw, new Uint8Array(100_000)]);
    expectSame(await decodePng(await encode(spec, { idatData: await deflate(some) })), expected(spec), 'surplus');
    const bomb = concat([raw, new Uint8Array(8 << 20)]);
    await expectError(await encode(spec, { idatData: await deflate(bomb) }), 422, /too much/);
  });

  it('palette index beyond PLTE is opaque black (libpng, Photon); odd tRNS lengths are ignored', async () => {
    const spec = makeSpec(3, 8, false, 16, 4, 8, false);
    spec.palette = spec.palette!.subarray(0, 3 * 4);
    spec.samples = Uint16Array.from({ length: 64 }, (_, i) => i * 4); // most indices past entry 3
    const png = await encode(spec);
    const mine = await decodePng(png);
    expectSame(mine, expected(spec), 'out-of-range index');
    expectSame(mine, decodeWithPhoton(png), 'out-of-range index vs Photon');
    const rgb = makeSpec(2, 8, false, 8, 8, 9, true);
    const odd = await encode({ ...rgb, trns: rgb.trns!.subarray(0, 4) });
    expectSame(await decodePng(odd), expected({ ...rgb, trns: undefined }), 'tRNS of the wrong length');
    const longTrns = await encode({ ...spec, trns: new Uint8Array(5) });
    expectSame(await decodePng(longTrns), expected({ ...spec, trns: undefined }), 'tRNS longer than PLTE');
  });

  it('APNG: decodes the default image, skipping acTL/fcTL/fdAT', async () => {
    const spec = small();
    const png = await encode(spec, { extraChunks: [chunk('acTL', [...u32(2), ...u32(0)]), chunk('fcTL', new Uint8Array(26))] });
    const other = await deflate(rawStream(makeSpec(2, 8, false, 8, 8, 77, false)));
    const iend = png.length - 12;
    const apng = concat([png.subarray(0, iend), chunk('fcTL', new Uint8Array(26)), chunk('fdAT', [...u32(1), ...other]), png.subarray(iend)]);
    expectSame(await decodePng(apng), expected(spec), 'APNG');
  });

  it('no IEND, or garbage after the image data, still decodes', async () => {
    const spec = small();
    const png = await encode(spec);
    const idatEnd = png.length - 12 - (12 + 'Comment\0after IDAT'.length);
    expectSame(await decodePng(png.subarray(0, idatEnd)), expected(spec), 'no IEND');
    expectSame(await decodePng(concat([png.subarray(0, idatEnd), new Uint8Array([1, 2, 3])])), expected(spec), 'garbage tail');
  });

  it('a bad tRNS CRC drops the tRNS (as libpng does for ancillary chunks); a bad PLTE CRC is 422', async () => {
    const spec = makeSpec(0, 8, false, 8, 8, 12, true);
    const png = await encode({ ...spec, trns: undefined }, { extraChunks: [chunk('tRNS', spec.trns!, true)] });
    expectSame(await decodePng(png), expected({ ...spec, trns: undefined }), 'bad tRNS CRC');
    const pal = makeSpec(3, 8, false, 8, 8, 13, false);
    await expectError(await encode({ ...pal, palette: undefined }, { extraChunks: [chunk('PLTE', pal.palette!, true)] }), 422, /CRC/);
  });
});

describe('decodePng: hostile input only ever throws ImageError', () => {
  async function fuzzSource(): Promise<Array<[string, Uint8Array]>> {
    const out: Array<[string, Uint8Array]> = [];
    for (const [ct, d, i] of [[3, 4, true], [6, 8, false], [0, 16, true], [2, 8, false]] as const) {
      out.push([`synthetic ${ct}/${d}${i ? ' i' : ''}`, await encode(makeSpec(ct, d, i, 19, 13, ct + d, ct !== 6))]);
    }
    out.push(['corpus basn6a16', await corpus('png/basn6a16.png')], ['corpus tp1n3p08', await corpus('png/tp1n3p08.png')]);
    return out;
  }

  it('truncated at every length', async () => {
    let decoded = 0, refused = 0;
    for (const [label, png] of await fuzzSource()) {
      const step = Math.max(1, Math.floor(png.length / 400));
      for (let n = 0; n < png.length; n += step) {
        const r = await oursOrImageError(png.subarray(0, n), `${label} cut at ${n}`);
        if (r instanceof ImageError) refused++;
        else decoded++;
      }
    }
    console.log(`truncations: ${refused} refused, ${decoded} decoded (cut after the image data)`);
    expect(refused).toBeGreaterThan(0);
  });

  it('random byte flips: a 4xx ImageError or, when the pixels are intact, the right image', async () => {
    const rnd = random(2024);
    let decoded = 0, refused = 0, differs = 0;
    for (const [label, png] of await fuzzSource()) {
      const good = await decodePng(png);
      for (let t = 0; t < 150; t++) {
        const bad = png.slice();
        const flips = 1 + Math.floor(rnd() * 3);
        for (let k = 0; k < flips; k++) {
          const at = 8 + Math.floor(rnd() * (bad.length - 8));
          bad[at] = bad[at]! ^ (1 + Math.floor(rnd() * 255));
        }
        const r = await oursOrImageError(bad, `${label} flip #${t}`);
        if (r instanceof ImageError) { refused++; continue; }
        decoded++;
        if (r.width !== good.width || r.height !== good.height || maxDiff(r, good).max !== 0) differs++;
      }
    }
    // A flip may legitimately land in an ancillary chunk (or a tRNS/colour value) and still decode.
    console.log(`byte flips: ${refused} refused, ${decoded} decoded (${differs} of those differ from the original)`);
    expect(refused).toBeGreaterThan(0);
  });

  it('random garbage after a valid signature and IHDR', async () => {
    const rnd = random(77);
    for (let t = 0; t < 200; t++) {
      const body = Uint8Array.from({ length: Math.floor(rnd() * 300) }, () => Math.floor(rnd() * 256));
      const w = 1 + Math.floor(rnd() * 40), h = 1 + Math.floor(rnd() * 40);
      const [d, ct] = ([[1, 0], [8, 2], [4, 3], [16, 4], [8, 6]] as const)[t % 5]!;
      const idat = rnd() < 0.5 ? chunk('IDAT', body) : chunk('IDAT', await deflate(body));
      await oursOrImageError(concat([SIGNATURE, ihdr(w, h, d, ct, t & 1), chunk('PLTE', new Uint8Array(48)), idat, chunk('IEND', [])]), `garbage #${t}`);
    }
  });
});
