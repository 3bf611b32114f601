/**
 * @module pipeline/resize
 * Resizes the cropped raster to the plan's size with the codec layer's
 * high-quality resampler (box pre-shrink, then Lanczos3; premultiplied when the
 * image has alpha so transparent edges do not fringe).
 */
import { resizeRaster } from '../codec/resize/resize';
import type { Step } from './step';

export const resizeStep: Step = (r, { plan, hasAlpha, observe }) => {
  const { width, height } = plan.resize;
  if (r.width === width && r.height === height) return r;
  return resizeRaster(r, width, height, { hasAlpha, observe });
};
