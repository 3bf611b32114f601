/**
 * @module codec/resize/resize
 * High-quality resampling of RGBA rasters.
 *
 * Two stages, as libvips does for thumbnails:
 * 1. Area-average ("box") pre-shrink in JS while the source is more than 4x the
 *    target, down to an intermediate that is still at least 2x the target. It is
 *    cheap (each source pixel is read once) and alias-free. Each intermediate
 *    pixel averages exactly its footprint in the source, with fractional weights
 *    at footprint edges, so no source row or column is dropped when the factor
 *    does not divide the size (a floor()-and-drop shortcut cost 6 dB PSNR).
 * 2. Lanczos3 to the exact target, which keeps edges sharp. sRGB-space
 *    filtering, like browsers, sharp and libvips by default.
 * Both stages run on the SIMD kernels of codec/resize/simd, streaming rows through a
 * small linear memory (the pixels stay in JS): fixed point for opaque rows,
 * float32 for premultiplied ones. Their scalar JS versions (shrinkByAreaJs,
 * resampleLanczos3Js) are the reference they match within 1 LSB. Timings:
 * codec/resize/simd/resample-simd and `node bench/resize-ab.mjs`.
 * With alpha, both stages work on premultiplied colour, so transparent pixels
 * (whose colour is arbitrary) do not bleed into visible ones.
 * Never nearest-neighbour: it aliases (28 dB on a 12 MP to 300 px shrink).
 */
import type { Raster } from '../types';
import { enlargeLikeLibvips } from './enlarge';
import { resampleLanczos3Simd } from './resample-js';
import { resampleSeparableSimd } from './simd/resample-simd';

/**
 * Resizes `r` to exactly width x height (down or up). `observe`, when given, is
 * told the JS pixel bytes held at the box stage (input plus intermediate), which
 * the caller's memory accounting would not otherwise see.
 */
export async function resizeRaster(
  r: Raster, width: number, height: number, opts: { hasAlpha: boolean; observe?: (jsBytes: number) => void },
): Promise<Raster> {
  if (!(width >= 1 && height >= 1 && Number.isInteger(width) && Number.isInteger(height))) {
    throw new RangeError(`invalid resize target ${width}x${height}`);
  }
  if (width === r.width && height === r.height) return r;
  let source = r;
  const boxWidth = chooseBoxSize(r.width, width);
  const boxHeight = chooseBoxSize(r.height, height);
  if (boxWidth < r.width || boxHeight < r.height) {
    source = shrinkByArea(r, boxWidth, boxHeight, opts.hasAlpha);
    opts.observe?.(r.data.byteLength + source.data.byteLength);
    if (source.width === width && source.height === height) return source;
  }
  // Enlarging: libvips' own upsizing (its Catmull-Rom interpolator on its
  // corner-anchored grid, codec/resize/enlarge), so small sources match libvips.
  // Lanczos3's stronger lobes would ring visibly around hard edges at 2x and more.
  if (width >= source.width && height >= source.height) {
    return enlargeLikeLibvips(source, width, height, opts.hasAlpha);
  }
  return resampleLanczos3Simd(source, width, height, opts.hasAlpha);
}

/**
 * Size of the box stage along one axis: the source divided by the largest
 * integer factor that keeps it >= 2x the target (unchanged below factor 2).
 */
export function chooseBoxSize(source: number, target: number): number {
  const factor = Math.floor(source / (2 * target));
  return factor >= 2 ? Math.round(source / factor) : source;
}

/**
 * For one axis: each output cell i covers source [i*scale, (i+1)*scale); lists
 * the source indices it overlaps and the overlap lengths.
 */
function buildFootprints(source: number, output: number) {
  const scale = source / output;
  const start = new Int32Array(output);
  const count = new Int32Array(output);
  const maxTaps = Math.ceil(scale) + 1;
  const weights = new Float32Array(output * maxTaps);
  for (let i = 0; i < output; i++) {
    const lo = i * scale;
    const hi = Math.min(source, (i + 1) * scale);
    const first = Math.floor(lo);
    const last = Math.min(source - 1, Math.ceil(hi) - 1);
    start[i] = first;
    count[i] = last - first + 1;
    for (let s = first; s <= last; s++) {
      weights[i * maxTaps + (s - first)] = Math.min(s + 1, hi) - Math.max(s, lo);
    }
  }
  return { start, count, weights, maxTaps, scale };
}

/**
 * Area-averages `r` to outWidth x outHeight (both <= the source size) on the
 * SIMD kernels (codec/resize/simd): the footprints below, the same streaming order as
 * {@link shrinkByAreaJs}, within 1 LSB of it.
 */
export function shrinkByArea(r: Raster, outWidth: number, outHeight: number, premultiply: boolean): Raster {
  const xs = buildFootprints(r.width, outWidth);
  const ys = buildFootprints(r.height, outHeight);
  const taps = (f: typeof xs) => ({ start: f.start, count: f.count, weights: f.weights, stride: f.maxTaps });
  return resampleSeparableSimd(r, outWidth, outHeight, taps(xs), taps(ys), premultiply, 1 / (xs.scale * ys.scale));
}

/**
 * The scalar reference of {@link shrinkByArea}. Streams
 * row by row: each source row is reduced horizontally once (a row on a footprint
 * boundary feeds two output rows and is kept, not recomputed), then weighted into
 * the output row it belongs to. Extra memory is a few output-width rows, not a
 * float copy of the image.
 */
export function shrinkByAreaJs(r: Raster, outWidth: number, outHeight: number, premultiply: boolean): Raster {
  const xs = buildFootprints(r.width, outWidth);
  const ys = buildFootprints(r.height, outHeight);
  let line = new Float32Array(outWidth * 4);
  let spare = new Float32Array(outWidth * 4);
  let lineRow = -1;
  const acc = new Float64Array(outWidth * 4);
  const out = new Uint8Array(outWidth * outHeight * 4);
  const area = xs.scale * ys.scale;

  for (let oy = 0; oy < outHeight; oy++) {
    acc.fill(0);
    for (let t = 0; t < ys.count[oy]!; t++) {
      const sy = ys.start[oy]! + t;
      if (sy !== lineRow) {
        [line, spare] = [spare, line];
        reduceRow(r, sy, xs, premultiply, line);
        lineRow = sy;
      }
      const wy = ys.weights[oy * ys.maxTaps + t]!;
      for (let q = 0; q < line.length; q++) acc[q]! += wy * line[q]!;
    }
    const outBase = oy * outWidth * 4;
    for (let ox = 0; ox < outWidth; ox++) {
      const q = ox * 4;
      const alphaSum = acc[q + 3]!;
      // Premultiplied: colour = sum(c*a) / sum(a); fully transparent stays 0.
      const divisor = premultiply ? alphaSum : area;
      const o = outBase + q;
      if (divisor > 0) {
        out[o] = clampByte(acc[q]! / divisor);
        out[o + 1] = clampByte(acc[q + 1]! / divisor);
        out[o + 2] = clampByte(acc[q + 2]! / divisor);
      }
      out[o + 3] = clampByte(alphaSum / area);
    }
  }
  return { width: outWidth, height: outHeight, data: out };
}

/** Horizontal footprint sums of source row `sy` into `line` (colour premultiplied by alpha when asked). */
function reduceRow(r: Raster, sy: number, xs: ReturnType<typeof buildFootprints>, premultiply: boolean, line: Float32Array): void {
  const src = r.data;
  const rowBase = sy * r.width * 4;
  const { start, count, weights, maxTaps } = xs;
  for (let ox = 0, q = 0; ox < line.length >> 2; ox++, q += 4) {
    let cr = 0, cg = 0, cb = 0, ca = 0;
    let p = rowBase + start[ox]! * 4;
    const wBase = ox * maxTaps;
    const n = count[ox]!;
    if (premultiply) {
      for (let k = 0; k < n; k++, p += 4) {
        const w = weights[wBase + k]!;
        const wa = w * src[p + 3]!;
        cr += wa * src[p]!;
        cg += wa * src[p + 1]!;
        cb += wa * src[p + 2]!;
        ca += wa;
      }
    } else {
      for (let k = 0; k < n; k++, p += 4) {
        const w = weights[wBase + k]!;
        cr += w * src[p]!;
        cg += w * src[p + 1]!;
        cb += w * src[p + 2]!;
        ca += w * src[p + 3]!;
      }
    }
    line[q] = cr;
    line[q + 1] = cg;
    line[q + 2] = cb;
    line[q + 3] = ca;
  }
}

function clampByte(v: number): number {
  return v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
}
