/**
 * @module pipeline/blur
 * `blur` (radius 1..250, Cloudflare's scale): Photon's Gaussian blur, run on the
 * already-resized raster so its cost follows the output size, not the source.
 */
import { filterWithPhoton } from '../codec/wasm/photon';
import type { Step } from './step';

export const blurStep: Step = (r, { options }) => {
  if (!options.blur) return r;
  // A radius larger than the image only costs time: the result is already uniform.
  const radius = Math.max(1, Math.min(Math.round(options.blur), Math.max(r.width, r.height)));
  return { ...r, data: filterWithPhoton(r.data, r.width, r.height, { kind: 'gaussian-blur', radius }) };
};
