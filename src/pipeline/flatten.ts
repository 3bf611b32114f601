/**
 * @module pipeline/flatten
 * Composites transparency onto `background` when the output format has no alpha
 * (JPEG), blending partial alpha ("source over", straight alpha). Without this,
 * encoders drop alpha and transparent pixels come out black.
 */
import { anyTransparentSimd } from '../codec/resize/simd/resample-simd';
import type { Step } from './step';

export const flattenStep: Step = (r, ctx) => {
  const { format, options } = ctx;
  // imgproxy's `background` flattens every format (options.flatten); otherwise only JPEG needs it.
  if (format !== 'jpeg' && !options.flatten) return r;
  // Known opaque (runPipeline's record), or found so by the scan: nothing to composite.
  if (ctx.mayHaveAlpha === false || !anyTransparentSimd(r.data)) return r;
  const { r: br, g: bg, b: bb } = options.background;
  const d = r.data;
  let out: Uint8Array | undefined;
  for (let i = 0; i < d.length; i += 4) {
    const a = d[i + 3]!;
    if (a === 255) continue;
    out ??= d.slice();
    const k = a / 255;
    out[i] = Math.round(d[i]! * k + br * (1 - k));
    out[i + 1] = Math.round(d[i + 1]! * k + bg * (1 - k));
    out[i + 2] = Math.round(d[i + 2]! * k + bb * (1 - k));
    out[i + 3] = 255;
  }
  return out ? { width: r.width, height: r.height, data: out } : r;
};
