/**
 * @module pipeline/sharpen
 * `sharpen` (0..10): Photon's unsharp mask on the resized raster. Cloudflare's
 * scale is loose ("1 is a good value for downscaled images"); 1 maps to a 30%
 * unsharp amount with a 1 px radius, 10 to 300%.
 */
import { filterWithPhoton } from '../codec/wasm/photon';
import type { Step } from './step';

export const sharpenStep: Step = (r, { options }) => {
  if (!options.sharpen) return r;
  return { ...r, data: filterWithPhoton(r.data, r.width, r.height, { kind: 'unsharp-mask', amount: options.sharpen * 30, radius: 1 }) };
};
