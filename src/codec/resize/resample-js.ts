/**
 * @module codec/resize/resample-js
 * Lanczos3: its taps (buildTaps), the SIMD resampler that runs them
 * (resampleLanczos3Simd, on codec/resize/simd), and the plain-JS streaming
 * version (resampleLanczos3Js: each output row built from a small ring of
 * horizontally filtered source rows) that is the SIMD kernels' reference in
 * tests and benchmarks.
 */
import type { Raster } from '../types';
import { resampleSeparableSimd } from './simd/resample-simd';

/** Lanczos kernel with a = 3 (sinc windowed by sinc). */
function lanczos3(x: number): number {
  if (x === 0) return 1;
  if (x <= -3 || x >= 3) return 0;
  const px = Math.PI * x;
  return (3 * Math.sin(px) * Math.sin(px / 3)) / (px * px);
}

export interface Taps {
  start: Int32Array;
  count: Int32Array;
  weights: Float32Array;
  stride: number;
}

/** Per output index: first source index, tap count and normalised weights (pixel centres aligned). */
export function buildTaps(inSize: number, outSize: number): Taps {
  const scale = inSize / outSize;
  const filterScale = Math.max(1, scale);
  const support = 3 * filterScale;
  const stride = Math.ceil(support * 2) + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Float32Array(outSize * stride);
  for (let o = 0; o < outSize; o++) {
    const centre = (o + 0.5) * scale - 0.5;
    const first = Math.max(0, Math.ceil(centre - support));
    const last = Math.min(inSize - 1, Math.floor(centre + support));
    let sum = 0;
    for (let i = first; i <= last; i++) sum += lanczos3((i - centre) / filterScale);
    start[o] = first;
    count[o] = last - first + 1;
    for (let i = first; i <= last; i++) weights[o * stride + (i - first)] = lanczos3((i - centre) / filterScale) / (sum || 1);
  }
  return { start, count, weights, stride };
}

/** Resamples `r` to outWidth x outHeight with Lanczos3, premultiplying colour by alpha when asked. */
export function resampleLanczos3Js(r: Raster, outWidth: number, outHeight: number, premultiply: boolean): Raster {
  const xs = buildTaps(r.width, outWidth);
  const ys = buildTaps(r.height, outHeight);
  const ringSize = ys.stride + 1;
  const ring = Array.from({ length: ringSize }, () => new Float32Array(outWidth * 4));
  const ringRow = new Int32Array(ringSize).fill(-1);
  const src = r.data;
  const rowStride = r.width * 4;

  const filterRow = (sy: number): Float32Array => {
    const slot = sy % ringSize;
    const line = ring[slot]!;
    if (ringRow[slot] === sy) return line;
    ringRow[slot] = sy;
    const base = sy * rowStride;
    for (let ox = 0; ox < outWidth; ox++) {
      let cr = 0, cg = 0, cb = 0, ca = 0;
      const first = xs.start[ox]!;
      const wBase = ox * xs.stride;
      for (let k = 0, n = xs.count[ox]!; k < n; k++) {
        const p = base + (first + k) * 4;
        const w = xs.weights[wBase + k]!;
        const a = src[p + 3]!;
        const wc = premultiply ? (w * a) / 255 : w;
        cr += wc * src[p]!;
        cg += wc * src[p + 1]!;
        cb += wc * src[p + 2]!;
        ca += w * a;
      }
      const q = ox * 4;
      line[q] = cr;
      line[q + 1] = cg;
      line[q + 2] = cb;
      line[q + 3] = ca;
    }
    return line;
  };

  const out = new Uint8Array(outWidth * outHeight * 4);
  const acc = new Float32Array(outWidth * 4);
  for (let oy = 0; oy < outHeight; oy++) {
    acc.fill(0);
    const first = ys.start[oy]!;
    for (let k = 0, n = ys.count[oy]!; k < n; k++) {
      const w = ys.weights[oy * ys.stride + k]!;
      const line = filterRow(first + k);
      for (let q = 0; q < acc.length; q++) acc[q]! += w * line[q]!;
    }
    const base = oy * outWidth * 4;
    for (let ox = 0; ox < outWidth; ox++) {
      const q = ox * 4;
      const a = acc[q + 3]!;
      const unmul = premultiply ? (a > 0 ? 255 / a : 0) : 1;
      out[base + q] = clampByte(acc[q]! * unmul);
      out[base + q + 1] = clampByte(acc[q + 1]! * unmul);
      out[base + q + 2] = clampByte(acc[q + 2]! * unmul);
      out[base + q + 3] = clampByte(a);
    }
  }
  return { width: outWidth, height: outHeight, data: out };
}

function clampByte(v: number): number {
  return v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
}

/**
 * {@link resampleLanczos3Js}'s taps on the SIMD kernels (codec/resize/simd): the same
 * streaming shape (one ring of filtered rows, pixels stay in JS), within 1 LSB.
 */
export function resampleLanczos3Simd(r: Raster, outWidth: number, outHeight: number, premultiply: boolean): Raster {
  return resampleSeparableSimd(r, outWidth, outHeight, buildTaps(r.width, outWidth), buildTaps(r.height, outHeight), premultiply, 1);
}
