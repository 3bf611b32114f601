/**
 * @module codec/resize/enlarge
 * Enlarging (both axes >= the source) the way libvips does it, so thumbnails
 * of small sources agree with `vips thumbnail` / sharp.
 *
 * vips_resize upsizes with vips_affine and its "bicubic" interpolator
 * (Catmull-Rom), input displacement 0.5 and edge pixels copied outward. So
 * output pixel X samples source position x = X * (in / out) - 0.5: output
 * pixel 0 sits on the centre of source pixel 0 minus half a pixel, the grid
 * is anchored at the top-left corner, not centre-to-centre. Positions are
 * rounded to 1/64 pixel and weights come from a 65-entry table.
 *
 * 8-bit data: integer weights (table value * 4096, truncated toward zero as
 * libvips' int table is), each source row interpolated horizontally and
 * rounded, then those four rows vertically, rounded and clamped: bit-exact with
 * sharp/libvips 8.18 for opaque images (checked on random data). With alpha,
 * vips_thumbnail works on premultiplied float, so we do too (float weights, no
 * intermediate rounding), then unpremultiply and round.
 *
 * Cost: the horizontal pass runs once per source row (kept in a 4-row ring),
 * the vertical pass is 4 taps per output value; memory is the output plus four
 * rows, so large enlargements stream without a WASM heap.
 */
import type { Raster } from '../types';

/** libvips VIPS_TRANSFORM_SCALE: sub-pixel positions per pixel. */
const SUBPIXELS = 64;
/** libvips VIPS_INTERPOLATE_SHIFT / SCALE: fixed-point weight precision. */
const SHIFT = 12;
const ONE = 1 << SHIFT;
const HALF = 1 << (SHIFT - 1);

/** libvips' calculate_coefficients_catmull (weights for pixels -1, 0, 1, 2). */
function catmullRom(x: number): [number, number, number, number] {
  const cr1 = 1 - x;
  const cr2 = -0.5 * x;
  const cr3 = cr1 * cr2;
  const cone = cr1 * cr3;
  const cfou = x * cr3;
  const cr4 = cfou - cone;
  const ctwo = cr1 - cone + cr4;
  const cthr = x - cfou - cr4;
  return [cone, ctwo, cthr, cfou];
}

const WEIGHTS_F = new Float64Array((SUBPIXELS + 1) * 4);
const WEIGHTS_I = new Int32Array((SUBPIXELS + 1) * 4);
for (let t = 0; t <= SUBPIXELS; t++) {
  // libvips builds the table from (float) t / 64.
  const w = catmullRom(Math.fround(t / SUBPIXELS));
  for (let k = 0; k < 4; k++) {
    WEIGHTS_F[t * 4 + k] = w[k]!;
    WEIGHTS_I[t * 4 + k] = Math.trunc(w[k]! * ONE);
  }
}

/**
 * Per output coordinate along one axis: the four clamped source indices and
 * the weight-table row, as vips_interpolate_bicubic_interpolate finds them.
 */
function axisTaps(source: number, output: number): { index: Int32Array; table: Int32Array } {
  const index = new Int32Array(output * 4);
  const table = new Int32Array(output);
  const step = source / output;
  for (let o = 0; o < output; o++) {
    const x = o * step - 0.5;
    // Round to the nearest 1/64: libvips doubles the resolution, adds one, halves.
    const doubled = Math.floor(x * SUBPIXELS * 2);
    const whole = Math.floor(doubled / (SUBPIXELS * 2));
    const frac = doubled - whole * SUBPIXELS * 2;
    table[o] = (frac + 1) >> 1;
    for (let k = 0; k < 4; k++) {
      index[o * 4 + k] = Math.min(source - 1, Math.max(0, whole - 1 + k));
    }
  }
  return { index, table };
}

/** Enlarges `r` to width x height (each >= the source's) like libvips' vips_resize. */
export function enlargeLikeLibvips(r: Raster, width: number, height: number, hasAlpha: boolean): Raster {
  if (width < r.width || height < r.height) throw new RangeError('enlargeLikeLibvips only enlarges');
  return hasAlpha ? enlargePremultipliedFloat(r, width, height) : enlargeInteger(r, width, height);
}

function enlargeInteger(r: Raster, width: number, height: number): Raster {
  const src = r.data;
  const xs = axisTaps(r.width, width);
  const ys = axisTaps(r.height, height);
  const rowLength = width * 4;
  // Horizontally interpolated source rows, rounded (may leave 0..255), by source row % 4.
  const ring = [0, 1, 2, 3].map(() => new Int32Array(rowLength));
  const ringRow = [-1, -1, -1, -1];
  const horizontal = (sy: number): Int32Array => {
    const slot = sy & 3;
    const row = ring[slot]!;
    if (ringRow[slot] === sy) return row;
    ringRow[slot] = sy;
    const base = sy * r.width * 4;
    for (let x = 0; x < width; x++) {
      const w = xs.table[x]! * 4;
      const w0 = WEIGHTS_I[w]!, w1 = WEIGHTS_I[w + 1]!, w2 = WEIGHTS_I[w + 2]!, w3 = WEIGHTS_I[w + 3]!;
      const p0 = base + xs.index[x * 4]! * 4;
      const p1 = base + xs.index[x * 4 + 1]! * 4;
      const p2 = base + xs.index[x * 4 + 2]! * 4;
      const p3 = base + xs.index[x * 4 + 3]! * 4;
      for (let c = 0; c < 4; c++) {
        row[x * 4 + c] = (w0 * src[p0 + c]! + w1 * src[p1 + c]! + w2 * src[p2 + c]! + w3 * src[p3 + c]! + HALF) >> SHIFT;
      }
    }
    return row;
  };
  const out = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    const w = ys.table[y]! * 4;
    const w0 = WEIGHTS_I[w]!, w1 = WEIGHTS_I[w + 1]!, w2 = WEIGHTS_I[w + 2]!, w3 = WEIGHTS_I[w + 3]!;
    // Fetch in ascending source order so the ring never evicts a row still needed.
    const r0 = horizontal(ys.index[y * 4]!);
    const r1 = horizontal(ys.index[y * 4 + 1]!);
    const r2 = horizontal(ys.index[y * 4 + 2]!);
    const r3 = horizontal(ys.index[y * 4 + 3]!);
    const o = y * rowLength;
    for (let i = 0; i < rowLength; i++) {
      const v = (w0 * r0[i]! + w1 * r1[i]! + w2 * r2[i]! + w3 * r3[i]! + HALF) >> SHIFT;
      out[o + i] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
  }
  return { width, height, data: out };
}

function enlargePremultipliedFloat(r: Raster, width: number, height: number): Raster {
  const src = r.data;
  const xs = axisTaps(r.width, width);
  const ys = axisTaps(r.height, height);
  const rowLength = width * 4;
  // Premultiplied source rows are made on demand: colour * alpha / 255.
  const premultiplied = new Float64Array(r.width * 4);
  const ring = [0, 1, 2, 3].map(() => new Float64Array(rowLength));
  const ringRow = [-1, -1, -1, -1];
  const horizontal = (sy: number): Float64Array => {
    const slot = sy & 3;
    const row = ring[slot]!;
    if (ringRow[slot] === sy) return row;
    ringRow[slot] = sy;
    const base = sy * r.width * 4;
    for (let x = 0; x < r.width; x++) {
      const p = base + x * 4;
      const a = src[p + 3]!;
      premultiplied[x * 4] = (src[p]! * a) / 255;
      premultiplied[x * 4 + 1] = (src[p + 1]! * a) / 255;
      premultiplied[x * 4 + 2] = (src[p + 2]! * a) / 255;
      premultiplied[x * 4 + 3] = a;
    }
    for (let x = 0; x < width; x++) {
      const w = xs.table[x]! * 4;
      const w0 = WEIGHTS_F[w]!, w1 = WEIGHTS_F[w + 1]!, w2 = WEIGHTS_F[w + 2]!, w3 = WEIGHTS_F[w + 3]!;
      const p0 = xs.index[x * 4]! * 4;
      const p1 = xs.index[x * 4 + 1]! * 4;
      const p2 = xs.index[x * 4 + 2]! * 4;
      const p3 = xs.index[x * 4 + 3]! * 4;
      for (let c = 0; c < 4; c++) {
        row[x * 4 + c] =
          w0 * premultiplied[p0 + c]! + w1 * premultiplied[p1 + c]! + w2 * premultiplied[p2 + c]! + w3 * premultiplied[p3 + c]!;
      }
    }
    return row;
  };
  const out = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    const w = ys.table[y]! * 4;
    const w0 = WEIGHTS_F[w]!, w1 = WEIGHTS_F[w + 1]!, w2 = WEIGHTS_F[w + 2]!, w3 = WEIGHTS_F[w + 3]!;
    const r0 = horizontal(ys.index[y * 4]!);
    const r1 = horizontal(ys.index[y * 4 + 1]!);
    const r2 = horizontal(ys.index[y * 4 + 2]!);
    const r3 = horizontal(ys.index[y * 4 + 3]!);
    const o = y * rowLength;
    for (let i = 0; i < rowLength; i += 4) {
      let alpha = w0 * r0[i + 3]! + w1 * r1[i + 3]! + w2 * r2[i + 3]! + w3 * r3[i + 3]!;
      alpha = alpha < 0 ? 0 : alpha > 255 ? 255 : alpha;
      out[o + i + 3] = Math.round(alpha);
      if (alpha === 0) continue; // colour of a fully transparent pixel: 0
      for (let c = 0; c < 3; c++) {
        const v = ((w0 * r0[i + c]! + w1 * r1[i + c]! + w2 * r2[i + c]! + w3 * r3[i + c]!) * 255) / alpha;
        out[o + i + c] = v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
      }
    }
  }
  return { width, height, data: out };
}
