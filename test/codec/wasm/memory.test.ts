/**
 * Scaled JPEG decoding and WASM memory accounting, on a generated 12 MP JPEG
 * and a generated 12 MP PNG. Times and memory are logged as MEASURE lines.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeImage } from '../../../src/codec/decode';
import { chooseJpegScale } from '../../../src/codec/jpeg/decode';
import { encodeImage } from '../../../src/codec/encode';
import { recycleCodecs, wasmMemoryBytes } from '../../../src/codec/wasm/memory';
import { smoothPattern } from '../synth';

const MB = 1024 * 1024;
let bigJpeg: Uint8Array;
let bigPng: Uint8Array;

beforeAll(async () => {
  const src = smoothPattern(4000, 3000);
  bigJpeg = await encodeImage(src, 'jpeg', 85);
  bigPng = await encodeImage(src, 'png', 100);
  recycleCodecs(0); // start every measurement from fresh, small instances
}, 120_000);

function mb(bytes: number): string {
  return `${(bytes / MB).toFixed(1)} MB`;
}

describe('scaled JPEG decode', () => {
  it('picks the smallest M/8 scale that still covers the hint', () => {
    expect(chooseJpegScale({ width: 4000, height: 3000 }, { minWidth: 300, minHeight: 225 })).toBe(1); // 500x375
    expect(chooseJpegScale({ width: 4000, height: 3000 }, { minWidth: 501, minHeight: 1 })).toBe(2); // 1000x750
    expect(chooseJpegScale({ width: 4000, height: 3000 }, { minWidth: 1200, minHeight: 900 })).toBe(3); // 1500x1125
    expect(chooseJpegScale({ width: 4000, height: 3000 }, {})).toBe(8);
    expect(chooseJpegScale({ width: 100, height: 100 }, { minWidth: 400, minHeight: 400 })).toBe(8);
    expect(chooseJpegScale({ width: 9, height: 9 }, { minWidth: 3, minHeight: 2 })).toBe(2); // ceil(9/8)=2 < 3, ceil(18/8)=3
  });

  it('every M/8 scale gives the promised size and the right picture', async () => {
    // Periods >= 1/4 of the width, so even the 1/8 decode (101 px) resolves them.
    const small = await encodeImage(smoothPattern(803, 601, 1 / 4), 'jpeg', 90);
    for (let m = 1; m <= 8; m++) {
      const w = Math.ceil((803 * m) / 8), h = Math.ceil((601 * m) / 8);
      const r = await decodeImage(small, 'jpeg', { minWidth: w, minHeight: h });
      expect([r.width, r.height], `M=${m}`).toEqual([w, h]);
      // Compare with the pattern rendered at that size: a wrong scale or a
      // partly filled buffer would be far off.
      const ref = smoothPattern(w, h, 1 / 4);
      let err = 0;
      for (let i = 0; i < r.data.length; i += 4) err += Math.abs(r.data[i]! - ref.data[i]!);
      expect(err / (w * h), `M=${m}`).toBeLessThan(6);
    }
  });

  it.each([
    [300, 225],
    [1200, 900],
  ])('12 MP JPEG for %ix%i: output >= hint, far less WASM memory than full size', async (tw, th) => {
    recycleCodecs(0);
    const t0 = performance.now();
    const r = await decodeImage(bigJpeg, 'jpeg', { minWidth: tw, minHeight: th });
    const ms = performance.now() - t0;
    const mem = (wasmMemoryBytes().modules['jpeg-turbo'] ?? 0);
    console.log(`MEASURE jpeg 4000x3000 -> ${r.width}x${r.height} (hint ${tw}x${th}): ${ms.toFixed(0)} ms, jpeg-turbo memory ${mb(mem)}`);
    expect(r.width).toBeGreaterThanOrEqual(tw);
    expect(r.height).toBeGreaterThanOrEqual(th);
    expect(r.width).toBeLessThan(tw * 2);
    // Full size needs 48 MB of RGBA alone; the scaled output is 0.8-6.8 MB.
    expect(mem).toBeLessThan(tw <= 300 ? 8 * MB : 16 * MB);
  });

  it('full-size 12 MP decode streams rows out: the decoder stays small and survives the recycle policy', async () => {
    recycleCodecs(0);
    const t0 = performance.now();
    const r = await decodeImage(bigJpeg, 'jpeg', {});
    const ms = performance.now() - t0;
    const mem = (wasmMemoryBytes().modules['jpeg-turbo'] ?? 0);
    console.log(`MEASURE jpeg 4000x3000 full: ${ms.toFixed(0)} ms, jpeg-turbo memory ${mb(mem)}`);
    expect([r.width, r.height]).toEqual([4000, 3000]);
    // Neither the 48 MB RGBA output nor the file is in WASM: 16-row strips go out to JS.
    expect(mem).toBeGreaterThan(0);
    expect(mem).toBeLessThan(4 * MB);
    recycleCodecs(32 * MB);
    expect((wasmMemoryBytes().modules['jpeg-turbo'] ?? 0)).toBe(mem);
    const again = await decodeImage(bigJpeg, 'jpeg', { minWidth: 300, minHeight: 225 });
    expect(again.width).toBe(500);
    expect((wasmMemoryBytes().modules['jpeg-turbo'] ?? 0)).toBe(mem);
  });

  it('full-size 12 MP PNG decode memory (Photon), recycled afterwards', async () => {
    recycleCodecs(0);
    const t0 = performance.now();
    const r = await decodeImage(bigPng, 'png', {});
    const ms = performance.now() - t0;
    const mem = (wasmMemoryBytes().modules.photon ?? 0);
    console.log(`MEASURE png 4000x3000 full (${mb(bigPng.length)} file): ${ms.toFixed(0)} ms, photon memory ${mb(mem)}`);
    expect(r.width).toBe(4000);
    recycleCodecs(32 * MB);
    expect((wasmMemoryBytes().modules.photon ?? 0)).toBe(0);
  });
});

describe('lazy instantiation and accounting', () => {
  it('instantiates only what a request needs and sums every live instance', async () => {
    recycleCodecs(0);
    expect(wasmMemoryBytes().total).toBe(0);
    // PNG is encoded and decoded in JS over native deflate: no instance at all.
    const png = await encodeImage(smoothPattern(64, 64), 'png', 100);
    await decodeImage(png, 'png', {});
    expect(wasmMemoryBytes().total).toBe(0);
    const jpeg = await encodeImage(smoothPattern(64, 64), 'jpeg', 80);
    recycleCodecs(0);
    const t0 = performance.now();
    await decodeImage(jpeg, 'jpeg', {});
    console.log(`MEASURE cold libjpeg-turbo instantiate + 64px JPEG decode: ${(performance.now() - t0).toFixed(1)} ms`);
    const { total, modules } = wasmMemoryBytes();
    expect(modules['jpeg-turbo']).toBeGreaterThan(0);
    expect(modules.photon).toBe(0);
    expect(modules['webp-enc']).toBe(0);
    expect(total).toBe(Object.values(modules).reduce((a, b) => a + b, 0));
    for (const format of ['jpeg', 'webp', 'avif'] as const) {
      recycleCodecs(0);
      const t1 = performance.now();
      await encodeImage(smoothPattern(64, 64), format, 50);
      console.log(`MEASURE cold ${format} encoder instantiate + 64px encode: ${(performance.now() - t1).toFixed(1)} ms, ${mb(wasmMemoryBytes().total)}`);
    }
  });
});
