/**
 * Arithmetic-coded JPEGs (SOF9/SOF10) through codec/jpeg/arith, inside workerd:
 * same pixels as the Huffman-coded original, scaling per the hint, refusals,
 * recovery after errors, memory registry.
 */
/// <reference types="vite/client" />
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../../../src/codec/decode';
import { arithJpeg, chooseShrinkFactor } from '../../../src/codec/jpeg/arith';
import { wasmMemoryBytes } from '../../../src/codec/wasm/memory';
import { shrinkByArea } from '../../../src/codec/resize/resize';
import type { Raster } from '../../../src/codec/types';
import { ImageError } from '../../../src/errors';
import { corpusBytes, meanAbsoluteError } from '../corpus';
import progressiveUrl from './fixtures/testorig-arith-progressive.jpg?inline';
import grayUrl from './fixtures/testorig-arith-gray.jpg?inline';

const fromDataUrl = (url: string) => Uint8Array.from(atob(url.slice(url.indexOf(',') + 1)), (c) => c.charCodeAt(0));

function maxDifference(a: Raster, b: Raster): number {
  let max = 0;
  for (let i = 0; i < a.data.length; i++) max = Math.max(max, Math.abs(a.data[i]! - b.data[i]!));
  return max;
}

describe('arithmetic-coded JPEG', () => {
  // testimgari.jpg is libjpeg-turbo's test image compressed again, arithmetic-
  // coded (libvips/sharp: mean 0.31, max 17 from testorig.jpg, the same here).
  it('testimgari.jpg (SOF9) decodes to nearly the pixels of testorig.jpg', async () => {
    const ari = await decodeImage(corpusBytes('jpeg/testimgari.jpg'), 'jpeg', {});
    const orig = await decodeImage(corpusBytes('jpeg/testorig.jpg'), 'jpeg', {});
    expect([ari.width, ari.height]).toEqual([227, 149]);
    expect(meanAbsoluteError(ari, orig)).toBeLessThan(0.5);
  });

  // The fixture holds testorig.jpg's own coefficients (jpegtran), so both
  // libjpeg-turbo builds must produce identical pixels.
  it('progressive arithmetic (SOF10) decodes to exactly the pixels of the Huffman original', async () => {
    const prog = await decodeImage(fromDataUrl(progressiveUrl), 'jpeg', {});
    const orig = await decodeImage(corpusBytes('jpeg/testorig.jpg'), 'jpeg', {});
    expect(maxDifference(prog, orig)).toBe(0);
  });

  it('greyscale arithmetic decodes to grey RGBA', async () => {
    const grey = await decodeImage(fromDataUrl(grayUrl), 'jpeg', {});
    expect([grey.width, grey.height]).toEqual([227, 149]);
    let chroma = 0;
    for (let i = 0; i < grey.data.length; i += 4) {
      chroma += Math.abs(grey.data[i]! - grey.data[i + 1]!) + Math.abs(grey.data[i]! - grey.data[i + 2]!);
      expect(grey.data[i + 3]).toBe(255);
    }
    expect(chroma).toBe(0);
    const orig = await decodeImage(corpusBytes('jpeg/testorig.jpg'), 'jpeg', {});
    const luma = new Uint8Array(orig.data.length);
    for (let i = 0; i < luma.length; i += 4) {
      const y = Math.round(0.299 * orig.data[i]! + 0.587 * orig.data[i + 1]! + 0.114 * orig.data[i + 2]!);
      luma.set([y, y, y, 255], i);
    }
    expect(meanAbsoluteError(grey, { ...orig, data: luma })).toBeLessThan(2);
  });

  it('shrinks by an integer factor while copying out, never below the hint', async () => {
    expect(chooseShrinkFactor(227, 149, {})).toBe(1);
    expect(chooseShrinkFactor(227, 149, { minWidth: 60, minHeight: 40 })).toBe(3);
    expect(chooseShrinkFactor(227, 149, { minWidth: 30, minHeight: 19 })).toBe(7);
    expect(chooseShrinkFactor(227, 149, { minWidth: 1, minHeight: 1 })).toBe(8);
    const small = await decodeImage(corpusBytes('jpeg/testimgari.jpg'), 'jpeg', { minWidth: 60, minHeight: 40 });
    expect([small.width, small.height]).toEqual([76, 50]);
    const full = await decodeImage(corpusBytes('jpeg/testimgari.jpg'), 'jpeg', {});
    // Each output pixel is the mean of its 3x3 block (clipped at the edges).
    const expected = new Uint8Array(76 * 50 * 4);
    for (let oy = 0; oy < 50; oy++) {
      for (let ox = 0; ox < 76; ox++) {
        const sum = [0, 0, 0];
        let n = 0;
        for (let y = oy * 3; y < Math.min(149, oy * 3 + 3); y++) {
          for (let x = ox * 3; x < Math.min(227, ox * 3 + 3); x++) {
            for (let c = 0; c < 3; c++) sum[c]! += full.data[(y * 227 + x) * 4 + c]!;
            n++;
          }
        }
        expected.set([...sum.map((v) => Math.round(v / n)), 255], (oy * 76 + ox) * 4);
      }
    }
    expect(maxDifference(small, { width: 76, height: 50, data: expected })).toBeLessThanOrEqual(1);
    // And close to an area-average to the same size.
    expect(meanAbsoluteError(small, shrinkByArea(full, 76, 50, false))).toBeLessThan(3);
  });

  it('arithmetic-coded CMYK is 415, naming the feature', async () => {
    // pil_sample_cmyk.jpg with its SOF0 relabelled SOF9: refused from the header.
    // (The last SOF0: the first ones belong to the EXIF thumbnail.)
    const bytes = corpusBytes('jpeg/pil_sample_cmyk.jpg').slice();
    let sof = -1;
    for (let i = 0; i + 1 < bytes.length; i++) if (bytes[i] === 0xff && bytes[i + 1] === 0xc0) sof = i;
    bytes[sof + 1] = 0xc9;
    const err = await decodeImage(bytes, 'jpeg', {}).catch((e) => e);
    expect(err).toBeInstanceOf(ImageError);
    expect(err.status).toBe(415);
    expect(err.message).toMatch(/arithmetic-coded CMYK/);
  });

  it('truncated or garbled arithmetic data is 422, and the decoder recovers', async () => {
    const bytes = corpusBytes('jpeg/testimgari.jpg');
    const truncated = bytes.slice(0, bytes.length >> 1);
    const garbled = bytes.slice(0, 400);
    for (let i = 200; i < garbled.length; i += 5) garbled[i]! ^= 0xa5;
    for (const broken of [truncated, garbled, truncated]) {
      const err = await decodeImage(broken, 'jpeg', {}).catch((e) => e);
      expect(err).toBeInstanceOf(ImageError);
      expect(err.status).toBe(422);
      const ok = await decodeImage(bytes, 'jpeg', {});
      expect([ok.width, ok.height]).toEqual([227, 149]);
    }
  });

  it('is lazy, registered as jpeg-arith, and starts small', async () => {
    arithJpeg.drop();
    expect(wasmMemoryBytes().modules['jpeg-arith']).toBe(0);
    await decodeImage(corpusBytes('jpeg/testimgari.jpg'), 'jpeg', {});
    const bytes = wasmMemoryBytes().modules['jpeg-arith']!;
    // 1 MB initial memory (the package's build starts at 50 MB), grown for a 227x149 image.
    expect(bytes).toBeGreaterThan(0);
    expect(bytes).toBeLessThanOrEqual(2 * 1024 * 1024);
    // Huffman-coded JPEGs never instantiate it.
    arithJpeg.drop();
    await decodeImage(corpusBytes('jpeg/testorig.jpg'), 'jpeg', {});
    expect(arithJpeg.isLive()).toBe(false);
  });
});
