/**
 * Our libjpeg-turbo build (codec/jpeg/turbo, glue in codec/jpeg/wasm/glue.c):
 * fatal errors unwind without leaking (same instance, same stack pointer,
 * same memory), progressive sources at 1/8 stop after the DC scans, and the
 * encoder writes baseline 4:2:0 JPEGs in 16-row strips at every size.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeImage } from '../../../src/codec/decode';
import { encodeImage } from '../../../src/codec/encode';
import { ImageError } from '../../../src/errors';
import { recycleCodecs, wasmMemoryBytes } from '../../../src/codec/wasm/memory';
import { decodeJpegTurbo, encodeJpegTurbo, jpegTurbo, jpegTurboEncoder, libjpegState } from '../../../src/codec/jpeg/turbo';
import { probeImage } from '../../../src/probe';
import { psnr } from '../corpus';
import { photoLike, smoothPattern } from '../synth';

const MB = 1024 * 1024;

describe('fatal libjpeg errors', () => {
  it('answer 422 and leave the same warm instance, stack pointer and memory behind', async () => {
    const good = await encodeImage(photoLike(640, 480), 'jpeg', 85);
    const before = await decodeImage(good, 'jpeg', {});
    const state = libjpegState(jpegTurbo)!;
    expect(state).toBeDefined();
    // Damage past the header: libjpeg starts decoding, then error_exit throws out of WASM.
    const broken = good.slice();
    for (let i = good.length >> 2; i < good.length - 2; i += 5) broken[i] = 0xff;
    const notJpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xc0, 0, 2, 1]);
    for (let round = 0; round < 200; round++) {
      const err = await decodeImage(round & 1 ? broken : notJpeg, 'jpeg', {}).catch((e) => e);
      expect(err, `round ${round}`).toBeInstanceOf(ImageError);
      expect(err.status).toBe(422);
    }
    const after = libjpegState(jpegTurbo)!;
    expect(after.stackPointer).toBe(state.stackPointer);
    expect(after.memoryBytes).toBe(state.memoryBytes);
    const again = await decodeImage(good, 'jpeg', {});
    expect(Buffer.from(again.data).equals(Buffer.from(before.data))).toBe(true);
  });

  it('a truncated file is 422 (libjpeg warns and pads; TurboJPEG treats that as failure too)', async () => {
    const good = await encodeImage(photoLike(320, 240), 'jpeg', 85);
    const err = await decodeImage(good.subarray(0, good.length >> 1), 'jpeg', {}).catch((e) => e);
    expect(err).toBeInstanceOf(ImageError);
    expect(err.status).toBe(422);
  });
});

describe('progressive sources at 1/8: DC scans only (buffered-image mode)', () => {
  let progressive: Uint8Array;
  let baseline: Uint8Array;
  beforeAll(() => {
    const src = photoLike(1600, 1200, 7);
    progressive = encodeJpegTurbo(src.data, src.width, src.height, 90, true);
    baseline = encodeJpegTurbo(src.data, src.width, src.height, 90, false);
  });

  it('stops reading after the DC scans, and the picture matches the full decode at 1/8', () => {
    expect(probeImage(progressive).jpeg?.progressive).toBe(true);
    const dc = decodeJpegTurbo(progressive, () => 1);
    const dcRead = libjpegState(jpegTurbo)!.lastBytesRead;
    const full = decodeJpegTurbo(progressive, () => 1, false);
    const fullRead = libjpegState(jpegTurbo)!.lastBytesRead;
    expect([dc.width, dc.height]).toEqual([200, 150]);
    expect(fullRead).toBe(progressive.length);
    // libjpeg's simple progression: the DC refinement scan comes after the first AC scans.
    expect(dcRead).toBeLessThan(progressive.length * 0.8);
    // Luma is exact (the 1x1 IDCT reads only DC); chroma's 2x2 IDCT misses the later AC bits.
    expect(psnr(dc, full)).toBeGreaterThan(40);
  });

  it('other scales and baseline sources still read the whole file', () => {
    decodeJpegTurbo(progressive, () => 2);
    expect(libjpegState(jpegTurbo)!.lastBytesRead).toBe(progressive.length);
    decodeJpegTurbo(baseline, () => 1);
    expect(libjpegState(jpegTurbo)!.lastBytesRead).toBe(baseline.length);
  });
});

describe('encoder', () => {
  it('writes baseline 4:2:0 that decodes back close to the input', async () => {
    const src = smoothPattern(333, 201, 1 / 4);
    const out = await encodeImage(src, 'jpeg', 80);
    const info = probeImage(out).jpeg!;
    expect(info.progressive).toBe(false);
    expect(info.components).toBe(3);
    // SOF0 (baseline), luma sampled 2x2 (0x22), chroma 1x1: 4:2:0.
    const sof = out.findIndex((b, i) => b === 0xff && out[i + 1] === 0xc0);
    expect(sof).toBeGreaterThan(0);
    expect([out[sof + 11], out[sof + 14], out[sof + 17]]).toEqual([0x22, 0x11, 0x11]);
    const back = await decodeImage(out, 'jpeg', {});
    expect([back.width, back.height]).toEqual([333, 201]);
    console.log(`MEASURE encode 333x201 q80 round trip PSNR ${psnr(back, src).toFixed(1)} dB`);
    expect(psnr(back, src)).toBeGreaterThan(38);
  });

  it('encodes 3840x2880 with ~3 bytes/pixel of WASM (the coefficients), not 20 as MozJPEG did', async () => {
    recycleCodecs(0);
    const src = photoLike(3840, 2880, 3);
    const t0 = performance.now();
    const out = await encodeImage(src, 'jpeg', 75);
    const ms = performance.now() - t0;
    const mem = wasmMemoryBytes().modules['jpeg-turbo-enc'] ?? 0;
    console.log(`MEASURE encode jpeg 3840x2880: ${ms.toFixed(0)} ms, ${(out.length / MB).toFixed(2)} MB out, encoder memory ${(mem / MB).toFixed(1)} MB`);
    expect(mem).toBeGreaterThan(3840 * 2880 * 3);
    expect(mem).toBeLessThan(3840 * 2880 * 3 + 4 * MB);
    const back = await decodeImage(out, 'jpeg', { minWidth: 480, minHeight: 360 });
    expect([back.width, back.height]).toEqual([480, 360]);
    expect(libjpegState(jpegTurboEncoder)!.memoryBytes).toBe(mem);
  });
});

describe('warm decoder (MEASURE, not asserted beyond staying live)', () => {
  it('a 12 MP photo at 1/8: fresh instance per decode vs the warm one', async () => {
    const src = photoLike(4000, 3000, 11);
    const jpeg = await encodeImage(src, 'jpeg', 90);
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[xs.length >> 1]!;
    const fresh: number[] = [];
    const warm: number[] = [];
    for (let i = 0; i < 5; i++) {
      recycleCodecs(0);
      let t = performance.now();
      await decodeImage(jpeg, 'jpeg', { minWidth: 300, minHeight: 225 });
      fresh.push(performance.now() - t);
      t = performance.now();
      await decodeImage(jpeg, 'jpeg', { minWidth: 300, minHeight: 225 });
      warm.push(performance.now() - t);
    }
    // The policy between requests (RECYCLE_WASM_BYTES 32 MiB) leaves the 1 MB decoder alone.
    recycleCodecs(32 * MB);
    expect(jpegTurbo.isLive()).toBe(true);
    console.log(`MEASURE 12 MP (${(jpeg.length / MB).toFixed(1)} MB) -> 1/8: fresh instance ${median(fresh).toFixed(0)} ms, warm ${median(warm).toFixed(0)} ms (workerd's clock is coarse)`);
  });
});
