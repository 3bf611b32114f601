/**
 * The wasm simd128 decode kernels (src/codec/jpeg/wasm/jsimd-decode.c: 8x8,
 * 4x4 and 2x2 IDCTs, YCbCr->RGBA, h2v1/h2v2 fancy upsampling) give libjpeg's
 * C-path pixels exactly: full-size decodes against libvips (sharp, in Node:
 * the origin server's POST /__libvips/decode), scaled decodes against a reference
 * decode of the same coefficients written from libjpeg's integer algorithms
 * (coefficients.ts). Sources: JPEGs written from seeded coefficients (4:4:4,
 * 4:2:2, 4:2:0, grey; sizes that are not multiples of 8 or 16; restart
 * markers), our encoder's photo-like JPEGs and corpus JPEGs.
 */
import { describe, expect, it } from 'vitest';
import { decodeJpegTurbo, encodeJpegTurbo } from '../../../src/codec/jpeg/turbo';
import { ORIGIN } from '../../support/worker';
import { photoLike } from '../synth';
import { randomCoefImage, referenceDecode, writeJpeg, type Rgba } from './coefficients';

async function libvipsDecode(jpeg: Uint8Array): Promise<Rgba> {
  const res = await fetch(`${ORIGIN}/__libvips/decode`, { method: 'POST', body: jpeg });
  expect(res.status).toBe(200);
  return { width: Number(res.headers.get('X-Width')), height: Number(res.headers.get('X-Height')), data: new Uint8Array(await res.arrayBuffer()) };
}

/** Where two RGBA images differ: count and first position, for a readable failure. */
function difference(a: Rgba, b: Rgba): { size: string; differing: number; first: string | null } {
  let differing = 0;
  let first: string | null = null;
  const n = Math.min(a.data.length, b.data.length);
  for (let i = 0; i < n; i++) {
    if (a.data[i] === b.data[i]) continue;
    if (differing++ === 0) first = `x=${(i >> 2) % a.width} y=${Math.floor((i >> 2) / a.width)} ch=${i & 3}: ${a.data[i]} vs ${b.data[i]}`;
  }
  return { size: `${a.width}x${a.height}/${b.width}x${b.height}`, differing, first };
}
const same = (a: Rgba, b: Rgba): void => {
  expect(difference(a, b)).toEqual({ size: `${b.width}x${b.height}/${b.width}x${b.height}`, differing: 0, first: null });
};

const SAMPLINGS: Record<string, [number, number][]> = {
  grey: [[1, 1]],
  '4:4:4': [[1, 1], [1, 1], [1, 1]],
  '4:2:2': [[2, 1], [1, 1], [1, 1]],
  '4:2:0': [[2, 2], [1, 1], [1, 1]],
};
// Sizes: multiples of 16, odd, narrow (chroma 3 wide: the fancy upsamplers' smallest case), one MCU.
const SIZES: [number, number][] = [[64, 48], [333, 219], [37, 23], [5, 7], [16, 16]];

describe('full-size decodes (8x8 IDCT, upsampling, colour conversion) equal libvips', () => {
  for (const [name, sampling] of Object.entries(SAMPLINGS)) {
    it(`${name} from seeded coefficients, ${SIZES.length} sizes, with and without restart markers`, async () => {
      let seed = 1;
      for (const [w, h] of SIZES) {
        for (const restart of [0, 3]) {
          const jpeg = writeJpeg(randomCoefImage(w, h, sampling, seed++, restart));
          const ours = decodeJpegTurbo(jpeg, () => 8);
          expect([ours.width, ours.height]).toEqual([w, h]);
          same(ours, await libvipsDecode(jpeg));
        }
      }
    });
  }

  it('photo-like 4:2:0 from our encoder, and corpus JPEGs', async () => {
    const sources: Uint8Array[] = [];
    for (const [w, h] of [[1001, 667], [250, 131]] as const) {
      const p = photoLike(w, h, w);
      sources.push(encodeJpegTurbo(p.data, p.width, p.height, 92, false));
    }
    for (const f of ['jpeg/flower.jpg', 'jpeg/hopper.jpg', 'jpeg/hopper_gray.jpg', 'jpeg/testorig.jpg', 'exif/Landscape_0.jpg']) {
      const res = await fetch(`${ORIGIN}/corpus/${f}`);
      expect(res.status, f).toBe(200);
      sources.push(new Uint8Array(await res.arrayBuffer()));
    }
    for (const jpeg of sources) same(decodeJpegTurbo(jpeg, () => 8), await libvipsDecode(jpeg));
  });
});

describe('scaled decodes (4x4, 2x2 and 8x8 IDCTs, h2v1 upsampling, colour conversion) equal libjpeg\'s integer arithmetic', () => {
  for (const [name, sampling] of Object.entries(SAMPLINGS)) {
    it(`${name} at 1/8, 2/8, 4/8 (and 8/8 where no vertical upsampling) from seeded coefficients`, () => {
      let seed = 100;
      const scales: Array<1 | 2 | 4 | 8> = name === '4:2:0' ? [1, 2, 4] : [1, 2, 4, 8];
      for (const [w, h] of SIZES) {
        for (const restart of [0, 2]) {
          const img = randomCoefImage(w, h, sampling, seed++, restart);
          const jpeg = writeJpeg(img);
          for (const m of scales) {
            const ours = decodeJpegTurbo(jpeg, () => m, false);
            same(ours, referenceDecode(img, m));
          }
        }
      }
    });
  }

  it('the reference agrees with libvips at full size (so it is libjpeg\'s arithmetic)', async () => {
    for (const name of ['grey', '4:4:4', '4:2:2'] as const) {
      const img = randomCoefImage(333, 219, SAMPLINGS[name]!, 7);
      const jpeg = writeJpeg(img);
      same(referenceDecode(img, 8), await libvipsDecode(jpeg));
    }
  });
});
