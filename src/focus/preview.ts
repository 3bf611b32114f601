/**
 * @module focus/preview
 * The small picture the focus module looks at: the decoded raster (already shrunk
 * on load by the JPEG decoder's DCT scaling, when it could) reduced to at most
 * `maxSide` pixels, EXIF-oriented, and cut to the plan's area (the trimmed source).
 * Each preview pixel averages up to 4x4 evenly spaced samples of its footprint, so
 * the cost follows the preview's size, not the source's: a 12 MP PNG decoded at
 * full size costs the same few hundred thousand reads as a 500 px JPEG.
 */
import type { Raster } from '../codec/types';
import { orientRaster } from '../pipeline/orient';

/** A rectangle in [0,1] units of the displayed (oriented) source. */
export interface UnitRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Shrinks `decoded` (stored orientation) to a preview of the displayed image's
 * `area` whose longer side is at most `maxSide`.
 */
export function makePreview(decoded: Raster, orientation: number, area: UnitRect, maxSide: number): Raster {
  const swap = orientation >= 5 && orientation <= 8;
  // The area's size in decoded pixels, in display axes.
  const dispW = (swap ? decoded.height : decoded.width) * area.width;
  const dispH = (swap ? decoded.width : decoded.height) * area.height;
  const scale = Math.min(1, maxSide / Math.max(dispW, dispH));
  // Shrink the whole raster (stored axes) by `scale`, orient it, then cut the area.
  const small = sampleBox(decoded, Math.max(1, Math.round(decoded.width * scale)), Math.max(1, Math.round(decoded.height * scale)));
  const oriented = orientRaster(small, orientation);
  return cut(oriented, area);
}

/** `r` shrunk (never enlarged) so its longer side is at most `maxSide`. */
export function shrinkRaster(r: Raster, maxSide: number): Raster {
  const scale = Math.min(1, maxSide / Math.max(r.width, r.height));
  return sampleBox(r, Math.max(1, Math.round(r.width * scale)), Math.max(1, Math.round(r.height * scale)));
}

function sampleBox(r: Raster, ow: number, oh: number): Raster {
  if (ow === r.width && oh === r.height) return r;
  const out = new Uint8Array(ow * oh * 4);
  const fx = r.width / ow, fy = r.height / oh;
  const nx = Math.max(1, Math.min(4, Math.floor(fx))), ny = Math.max(1, Math.min(4, Math.floor(fy)));
  const src = r.data;
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      let cr = 0, cg = 0, cb = 0, ca = 0;
      for (let j = 0; j < ny; j++) {
        const sy = Math.min(r.height - 1, Math.floor((y + (j + 0.5) / ny) * fy));
        for (let i = 0; i < nx; i++) {
          const sx = Math.min(r.width - 1, Math.floor((x + (i + 0.5) / nx) * fx));
          const p = (sy * r.width + sx) * 4;
          const a = src[p + 3]!;
          // Transparent pixels count as white: what a viewer on a light page sees, and no arbitrary colour leaks in.
          const k = a / 255;
          cr += src[p]! * k + 255 * (1 - k);
          cg += src[p + 1]! * k + 255 * (1 - k);
          cb += src[p + 2]! * k + 255 * (1 - k);
          ca += a;
        }
      }
      const n = nx * ny, o = (y * ow + x) * 4;
      out[o] = cr / n;
      out[o + 1] = cg / n;
      out[o + 2] = cb / n;
      out[o + 3] = ca / n;
    }
  }
  return { width: ow, height: oh, data: out };
}

function cut(r: Raster, a: UnitRect): Raster {
  const left = Math.min(r.width - 1, Math.max(0, Math.round(a.x * r.width)));
  const top = Math.min(r.height - 1, Math.max(0, Math.round(a.y * r.height)));
  const width = Math.max(1, Math.min(r.width - left, Math.round(a.width * r.width)));
  const height = Math.max(1, Math.min(r.height - top, Math.round(a.height * r.height)));
  if (left === 0 && top === 0 && width === r.width && height === r.height) return r;
  const out = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    const from = ((top + y) * r.width + left) * 4;
    out.set(r.data.subarray(from, from + width * 4), y * width * 4);
  }
  return { width, height, data: out };
}
