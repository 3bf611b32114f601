/**
 * @module pipeline/pad-fill
 * What fills fit=pad's bars when `padFill` asks for more than a flat `background`
 * (Thumbor's `fill(auto)` and `fill(blur)`, docs/filling.rst):
 *   auto: the median colour of the image (per channel, as thumbor/ext/filters/_fill does);
 *   blur: the image itself stretched over the canvas and blurred, so the bars echo it.
 */
import { filterWithPhoton } from '../codec/wasm/photon';
import { resizeRaster } from '../codec/resize/resize';
import type { Raster } from '../codec/types';
import type { Rgba } from '../options/types';
import { createRaster } from './step';

/** Per-channel median of the opaque-ish pixels (all pixels when none is). */
export function medianColor(r: Raster): Rgba {
  const hist = [new Uint32Array(256), new Uint32Array(256), new Uint32Array(256)] as const;
  const d = r.data;
  let n = 0;
  for (let i = 0; i < d.length; i += 4) {
    if (d[i + 3]! < 128) continue;
    hist[0][d[i]!]!++; hist[1][d[i + 1]!]!++; hist[2][d[i + 2]!]!++;
    n++;
  }
  if (n === 0) return { r: 255, g: 255, b: 255, a: 255 };
  const median = (h: Uint32Array) => {
    let acc = 0;
    for (let v = 0; v < 256; v++) if ((acc += h[v]!) * 2 >= n) return v;
    return 255;
  };
  return { r: median(hist[0]), g: median(hist[1]), b: median(hist[2]), a: 255 };
}

/** The canvas the padded image is placed on. */
export async function padCanvas(r: Raster, width: number, height: number, background: Rgba, fill: 'blur' | 'auto' | undefined, hasAlpha: boolean): Promise<Raster> {
  if (fill === 'auto') return createRaster(width, height, medianColor(r));
  if (fill === 'blur') {
    const stretched = await resizeRaster(r, width, height, { hasAlpha });
    const radius = Math.max(2, Math.round(Math.max(width, height) / 20));
    return { width, height, data: filterWithPhoton(stretched === r ? r.data.slice() : stretched.data, width, height, { kind: 'gaussian-blur', radius }) };
  }
  return createRaster(width, height, background);
}
