/**
 * @module pipeline/pad
 * fit=pad: places the resized image on a canvas of exactly width x height filled
 * with `background` (or, with `padFill`, the image's median colour or a blurred copy: pad-fill.ts). The plan computed the canvas before rotate, so this step
 * runs after rotate with the canvas axes swapped for 90/270.
 */
import { padCanvas } from './pad-fill';
import type { Step } from './step';

export const padStep: Step = async (r, { plan, options, hasAlpha }) => {
  if (!plan.pad) return r;
  const { width, height } = plan.output;
  if (width === r.width && height === r.height) return r;
  const canvas = await padCanvas(r, width, height, options.background, options.padFill, hasAlpha);
  const left = Math.floor((width - r.width) / 2);
  const top = Math.floor((height - r.height) / 2);
  const rowBytes = r.width * 4;
  for (let y = 0; y < r.height; y++) {
    canvas.data.set(r.data.subarray(y * rowBytes, (y + 1) * rowBytes), ((top + y) * width + left) * 4);
  }
  return canvas;
};
