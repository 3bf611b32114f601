/**
 * The encoder's wasm simd128 kernels (codec/jpeg/wasm/jsimd-encode.c: colour
 * conversion, downsampling, FDCT, quantiser, Huffman coding and the
 * optimised-table statistics) compute what libjpeg-turbo's C code computes, so
 * our encode of any pixels is sharp's encode of the same pixels, byte for byte
 * (sharp's libjpeg runs natively in the origin server, Node; ours in workerd).
 * Sizes cover every width modulo 16 class the kernels special-case (tails of
 * the 16-pixel colour loop, each padding of the last downsampled block, images
 * narrower than one block); content covers flat blocks (long zero runs, ZRL
 * codes), noise (large coefficients, 0xFF byte stuffing), smooth gradients and
 * high frequencies; qualities 1, 50, 80 and 100 (every divisor from 8 up to
 * 2040), baseline and progressive. Alpha is random and must be ignored: sharp
 * gets the RGB only.
 *
 * The one difference: libjpeg writes a JFIF APP0 segment, libvips (sharp)
 * does not; it is checked, then left out of the comparison.
 */
import { describe, expect, it } from 'vitest';
import { encodeJpegTurbo } from '../../../src/codec/jpeg/turbo';
import type { Raster } from '../../../src/codec/types';
import { seededRandom } from '../../support/random';
import { ORIGIN } from '../../support/worker';
import { photoLike, smoothPattern, zonePlate } from '../synth';

type Kind = 'flat' | 'noise' | 'photo' | 'smooth' | 'zone';

function image(kind: Kind, width: number, height: number, seed: number): Raster {
  const rnd = seededRandom(seed);
  let r: Raster;
  if (kind === 'photo') r = photoLike(width, height, seed);
  else if (kind === 'smooth') r = smoothPattern(width, height, 1 / 3);
  else if (kind === 'zone') {
    const z = zonePlate(Math.max(width, height));
    const data = new Uint8Array(width * height * 4);
    for (let y = 0; y < height; y++) data.set(z.data.subarray(y * z.width * 4, (y * z.width + width) * 4), y * width * 4);
    r = { width, height, data };
  } else {
    const data = new Uint8Array(width * height * 4);
    for (let i = 0; i < data.length; i += 4) {
      // flat: one colour with a second one in a corner (a DC step, then runs of zero blocks)
      const corner = (i >> 2) % width < width / 3 && (i >> 2) / width < height / 3;
      const c = kind === 'noise' ? [rnd() * 256, rnd() * 256, rnd() * 256] : corner ? [20, 240, 128] : [200, 30, 90];
      data[i] = c[0]!; data[i + 1] = c[1]!; data[i + 2] = c[2]!;
    }
    r = { width, height, data };
  }
  for (let i = 3; i < r.data.length; i += 4) r.data[i] = Math.floor(rnd() * 256);
  return r;
}

function rgb(r: Raster): Uint8Array {
  const out = new Uint8Array(r.width * r.height * 3);
  for (let i = 0, j = 0; i < r.data.length; i += 4, j += 3) {
    out[j] = r.data[i]!; out[j + 1] = r.data[i + 1]!; out[j + 2] = r.data[i + 2]!;
  }
  return out;
}

async function sharpJpeg(r: Raster, quality: number, progressive: boolean): Promise<Uint8Array> {
  const res = await fetch(`${ORIGIN}/__libvips/jpeg-encode?width=${r.width}&height=${r.height}&quality=${quality}&progressive=${progressive ? 1 : 0}`, { method: 'POST', body: rgb(r) });
  expect(res.status).toBe(200);
  return new Uint8Array(await res.arrayBuffer());
}

/** Ours without its JFIF APP0 segment (SOI, then the rest). */
function withoutJfif(jpeg: Uint8Array): Uint8Array {
  expect([...jpeg.subarray(0, 4)]).toEqual([0xff, 0xd8, 0xff, 0xe0]);
  expect(String.fromCharCode(...jpeg.subarray(6, 11))).toBe('JFIF\0');
  const end = 4 + ((jpeg[4]! << 8) | jpeg[5]!);
  const out = new Uint8Array(jpeg.length - (end - 2));
  out.set(jpeg.subarray(0, 2));
  out.set(jpeg.subarray(end), 2);
  return out;
}

function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

// Widths: below one 16-pixel group, each side of 8 and 16, and larger odd ones
// (width % 16 = 1, 7, 8, 9, 15, 0, 1, 15, 1, 13, 10, 13); heights likewise odd.
const SIZES: [number, number][] = [[1, 1], [7, 5], [8, 8], [9, 17], [15, 16], [16, 16], [17, 33], [47, 31], [65, 64], [333, 201], [250, 131], [509, 77]];
const KINDS: Kind[] = ['flat', 'noise', 'photo', 'smooth', 'zone'];
const SETTINGS: [number, boolean][] = [[1, false], [50, false], [80, false], [100, false], [90, true], [100, true]];

describe('our libjpeg-turbo encode with the wasm simd128 kernels = sharp\'s encode, byte for byte', () => {
  for (const kind of KINDS) {
    it(`${kind}: ${SIZES.length} sizes x q ${SETTINGS.map(([q, p]) => q + (p ? 'p' : '')).join('/')}`, async () => {
      let seed = 1;
      for (const [w, h] of SIZES) {
        const src = image(kind, w, h, seed++);
        for (const [q, progressive] of SETTINGS) {
          const ours = withoutJfif(encodeJpegTurbo(src.data, w, h, q, progressive));
          const theirs = await sharpJpeg(src, q, progressive);
          expect(firstDifference(ours, theirs), `${kind} ${w}x${h} q${q}${progressive ? ' progressive' : ''}: ${ours.length} vs ${theirs.length} bytes`).toBe(-1);
        }
      }
    });
  }

  it('a 1600x1200 photo at q80 and noise at q100 (many blocks, every Huffman code length)', async () => {
    for (const [kind, q] of [['photo', 80], ['noise', 100]] as const) {
      const src = image(kind, 1600, 1200, 7);
      const ours = withoutJfif(encodeJpegTurbo(src.data, 1600, 1200, q, false));
      const theirs = await sharpJpeg(src, q, false);
      expect(firstDifference(ours, theirs), `${kind} q${q}: ${ours.length} vs ${theirs.length} bytes`).toBe(-1);
    }
  });
});
