/**
 * jSquash's Emscripten codecs with a small initial memory (src/codec/wasm/jsquash,
 * written by scripts/patch-emscripten-memory.mjs): the committed binaries are
 * that script's output for the installed packages, every codec still encodes and
 * decodes with a heap that starts small and grows (the WebP decoder is now our
 * own libwebp build, codec/webp/libwebp: still compared with jSquash's decoder
 * here), and the idle policy now keeps
 * the WebP codecs warm beside the AVIF encoder (issue 10 item 3: the common
 * request instantiates nothing).
 */
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../../../src/codec/decode';
import { encodeImage } from '../../../src/codec/encode';
import type { Raster } from '../../../src/codec/types';
import { recycleCodecs, trimCodecs, wasmMemoryBytes } from '../../../src/codec/wasm/memory';
import { readConfig, type Env } from '../../../src/config';
import { ORIGIN } from '../../support/worker';
import webpDecFactory from '@jsquash/webp/codec/dec/webp_dec.js';
import webpDecOriginal from '@jsquash/webp/codec/dec/webp_dec.wasm';
import webpEncFactory from '@jsquash/webp/codec/enc/webp_enc_simd.js';
import webpEncOriginal from '@jsquash/webp/codec/enc/webp_enc_simd.wasm';
import avifDecFactory from '@jsquash/avif/codec/dec/avif_dec.js';
import avifDecOriginal from '@jsquash/avif/codec/dec/avif_dec.wasm';
import avifEncFactory from '@jsquash/avif/codec/enc/avif_enc.js';
import avifEncOriginal from '@jsquash/avif/codec/enc/avif_enc.wasm';
import jxlEncFactory from '@jsquash/jxl/codec/enc/jxl_enc.js';
import jxlEncOriginal from '@jsquash/jxl/codec/enc/jxl_enc.wasm';
import { defaultOptions as jxlDefaults } from '@jsquash/jxl/meta.js';
import { avifDefaults, callEmscripten, webpDefaults, webpEncoder, avifEncoder } from '../../../src/codec/wasm/emscripten';
import { instantiateEmscripten, type EmscriptenFactory } from '../../../src/codec/wasm/emscripten-instance';
import { jxlEncoder } from '../../../src/codec/jxl/encode';
import { smoothPattern } from '../synth';

const MB = 1024 * 1024;
/** Emscripten's default INITIAL_MEMORY, what every one of these instances held before. */
const OLD_MINIMUM = 16 * MB;

interface Patched { from: string; to: string; oldPages: number; pages: number; patchedSha256: string; committedSha256: string | null; identical: boolean }

describe('the committed jSquash binaries', () => {
  it('are scripts/patch-emscripten-memory.mjs applied to the installed packages: only the initial memory changed', async () => {
    const report = (await (await fetch(`${ORIGIN}/__emscripten-memory-build`)).json()) as Patched[];
    expect(report.map((r) => r.to.split('/').pop())).toEqual(['webp_enc_simd.wasm', 'avif_dec.wasm', 'avif_enc.wasm', 'jxl_enc.wasm']);
    for (const r of report) {
      expect(r.identical, `${r.to} differs from the patch of ${r.from}: run node scripts/patch-emscripten-memory.mjs`).toBe(true);
      expect(r.oldPages).toBe(256);
      expect(r.pages).toBeLessThan(r.oldPages);
    }
  });
});

/** A private instance of jSquash's unpatched binary (not in the registry), to compare results with. */
async function original<T>(factory: unknown, module: WebAssembly.Module): Promise<T> {
  return (await instantiateEmscripten<T>(factory as EmscriptenFactory, module, { noInitialRun: true })).binding;
}

type Encoder = { encode(data: BufferSource, width: number, height: number, options: object): Uint8Array | null };
type Decoder = { decode(data: BufferSource, bitDepth?: number): { width: number; height: number; data: Uint8Array | Uint8ClampedArray } | null };

const ENCODERS = {
  webp: { factory: webpEncFactory, module: webpEncOriginal, options: webpDefaults },
  avif: { factory: avifEncFactory, module: avifEncOriginal, options: avifDefaults },
  jxl: { factory: jxlEncFactory, module: jxlEncOriginal, options: jxlDefaults },
} as const;
const DECODERS = {
  webp: { factory: webpDecFactory, module: webpDecOriginal },
  avif: { factory: avifDecFactory, module: avifDecOriginal },
} as const;

describe('codecs on a small initial memory', () => {
  // Encode (and decode back, where we have the decoder) on fresh instances of the patched binaries,
  // and the same with jSquash's own: the results must be identical, byte for byte and pixel for pixel.
  const CASES: [keyof typeof ENCODERS, number, number][] = [
    ['webp', 64, 48],
    ['webp', 1200, 800],
    ['avif', 64, 48],
    ['avif', 640, 360],
    ['jxl', 640, 360],
  ];
  for (const [format, width, height] of CASES) {
    it(`${format} ${width}x${height}: fresh instances start below 16 MB, grow as needed, and give jSquash's own bytes`, async () => {
      recycleCodecs(0);
      const src = smoothPattern(width, height);
      const encoded = await encodeImage(src, format, 80);
      const encoder = `${format}-enc`;
      const encMemory = wasmMemoryBytes().modules[encoder] ?? 0;
      console.log(`MEASURE ${encoder} after a ${width}x${height} encode: ${(encMemory / MB).toFixed(2)} MB`);
      expect(encMemory).toBeGreaterThan(0);
      if (width * height < 100_000) expect(encMemory).toBeLessThan(OLD_MINIMUM);
      // encodeImage's options for this quality, read back from what it wrote, are not exposed: so encode the
      // raster through the patched instance and the unpatched one with the same options, and compare those.
      const e = ENCODERS[format];
      const options = { ...e.options, quality: 80 };
      const patched = await encodeWith(format, src, options);
      const reference = (await original<Encoder>(e.factory, e.module)).encode(src.data, width, height, options);
      expect(patched).not.toBeNull();
      expect(Buffer.from(patched!).equals(Buffer.from(reference!))).toBe(true);
      if (!(format in DECODERS)) return;
      const decoded = await decodeImage(encoded, format as keyof typeof DECODERS, {});
      const decMemory = wasmMemoryBytes().modules[`${format}-dec`] ?? 0;
      console.log(`MEASURE ${format}-dec after a ${width}x${height} decode: ${(decMemory / MB).toFixed(2)} MB`);
      expect(decMemory).toBeGreaterThan(0);
      expect(decMemory).toBeLessThan(OLD_MINIMUM);
      expect([decoded.width, decoded.height]).toEqual([width, height]);
      const d = DECODERS[format as keyof typeof DECODERS];
      // codec/avif/decode asks libavif for 8-bit output; the WebP binding takes the bytes alone.
      const ref = format === 'avif' ? (await original<Decoder>(d.factory, d.module)).decode(encoded, 8) : (await original<Decoder>(d.factory, d.module)).decode(encoded);
      expect(Buffer.from(decoded.data).equals(Buffer.from(ref!.data.buffer, ref!.data.byteOffset, ref!.data.byteLength))).toBe(true);
    });
  }
});

/** Encodes through the Worker's own (patched, registered) instance of that encoder. */
function encodeWith(format: keyof typeof ENCODERS, r: Raster, options: object): Promise<Uint8Array | null> {
  const lazy = format === 'webp' ? webpEncoder : format === 'avif' ? avifEncoder : jxlEncoder;
  return callEmscripten(lazy as typeof webpEncoder, (m) => m.encode(r.data, r.width, r.height, options as never));
}

describe('the idle policy keeps the common codecs warm', () => {
  it('after AVIF and WebP requests, the between-requests trim keeps the AVIF encoder and both WebP codecs', async () => {
    recycleCodecs(0);
    // What the bench's mix leaves behind: a 640 w AVIF, then a 1200x800 WebP decoded and re-encoded at 600 w.
    await encodeImage(smoothPattern(640, 360), 'avif', 52);
    const webp = await encodeImage(smoothPattern(1200, 800), 'webp', 80);
    await decodeImage(webp, 'webp', {});
    await encodeImage(smoothPattern(600, 400), 'webp', 80);
    // The Worker's defaults (config.ts: RECYCLE_WASM_BYTES, IDLE_WASM_BYTES), as src/index.ts applies them after a request.
    const { recycleWasmBytes, idleWasmBytes } = readConfig({} as Env);
    trimCodecs(recycleWasmBytes, idleWasmBytes);
    const { modules, total } = wasmMemoryBytes();
    console.log(`MEASURE idle after trim: ${(total / MB).toFixed(1)} MB (${Object.entries(modules).filter(([, b]) => b).map(([n, b]) => `${n} ${(b / MB).toFixed(1)}`).join(', ')})`);
    for (const name of ['avif-enc', 'webp-dec', 'webp-enc']) expect(modules[name], name).toBeGreaterThan(0);
    expect(total).toBeLessThanOrEqual(idleWasmBytes);
  });
});
