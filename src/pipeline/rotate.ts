/**
 * @module pipeline/rotate
 * The `rotate` and `flip` options. They are the same pixel moves as EXIF
 * orientations, so they reuse orientRaster: rotate 90 = orientation 6,
 * 180 = 3, 270 = 8; flip h = 2, v = 4, hv = 3. Rotation runs before flip.
 */
import { orientRaster } from './orient';
import type { Step } from './step';

const ROTATE_AS_ORIENTATION = { 90: 6, 180: 3, 270: 8 } as const;
const FLIP_AS_ORIENTATION = { h: 2, v: 4, hv: 3 } as const;

export const rotateStep: Step = (r, { options }) => {
  let out = r;
  if (options.rotate) out = orientRaster(out, ROTATE_AS_ORIENTATION[options.rotate]);
  if (options.flip) out = orientRaster(out, FLIP_AS_ORIENTATION[options.flip]);
  return out;
};
