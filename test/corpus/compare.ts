/**
 * @module test/corpus/compare
 * The corpus tests' image metric (see MAX_MEAN_ERROR in manifest.test.ts for
 * what it measures and why the threshold is where it is), shared by the shared
 * corpus table and the HEIC/TIFF table (formats.test.ts).
 */
import type { Raster } from '../../src/codec/types';

/** Budget of {@link meanAbsoluteError} for a correct transform (the measurements behind it: manifest.test.ts). */
export const MAX_MEAN_ERROR = 8;

function lowPassPremultiplied(r: Raster): Float32Array {
  const { width: w, height: h } = r;
  const pm = new Float32Array(w * h * 4);
  for (let i = 0; i < w * h * 4; i += 4) {
    const a = r.data[i + 3]! / 255;
    pm[i] = r.data[i]! * a;
    pm[i + 1] = r.data[i + 1]! * a;
    pm[i + 2] = r.data[i + 2]! * a;
    pm[i + 3] = r.data[i + 3]!;
  }
  const out = new Float32Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let c = 0; c < 4; c++) {
        let sum = 0;
        let n = 0;
        for (let dy = -2; dy <= 2; dy++) {
          for (let dx = -2; dx <= 2; dx++) {
            const yy = y + dy;
            const xx = x + dx;
            if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
            sum += pm[(yy * w + xx) * 4 + c]!;
            n++;
          }
        }
        out[(y * w + x) * 4 + c] = sum / n;
      }
    }
  }
  return out;
}

export function meanAbsoluteError(a: Raster, b: Raster): number {
  const fa = lowPassPremultiplied(a);
  const fb = lowPassPremultiplied(b);
  let sum = 0;
  for (let i = 0; i < fa.length; i++) sum += Math.abs(fa[i]! - fb[i]!);
  return sum / fa.length;
}

/** The same, for the negative control: a raster mirrored left to right. */
export function mirror(r: Raster): Raster {
  const data = new Uint8Array(r.data.length);
  for (let y = 0; y < r.height; y++) {
    for (let x = 0; x < r.width; x++) {
      data.set(r.data.subarray((y * r.width + x) * 4, (y * r.width + x) * 4 + 4), (y * r.width + (r.width - 1 - x)) * 4);
    }
  }
  return { ...r, data };
}

