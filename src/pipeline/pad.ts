/**
 * @module pipeline/pad
 * fit=pad: places the resized image on a canvas of exactly width x height filled
 * with `background` (or, with `padFill`, the image's median colour or a blurred
 * copy: pad-fill.ts). The plan computed the canvas before rotate, so this step
 * runs after rotate with the canvas axes swapped for 90/270. imgproxy's extend and
 * padding give `plan.canvas` instead: a canvas in the output frame with the image's place.
 */
import type { Raster } from '../codec/types';
import type { Rgba } from '../options/types';
import { padCanvas } from './pad-fill';
import { createRaster, type Step } from './step';

export const padStep: Step = async (r, { plan, options, hasAlpha }) => {
  if (plan.canvas) return placeOnCanvas(r, plan.canvas, plan.canvas.fill === 'background' ? options.background : TRANSPARENT);
  if (!plan.pad) return r;
  // The border (pipeline/border.ts) goes around the padded canvas: it is not part of the pad.
  const b = plan.border;
  const width = plan.output.width - (b ? b.left + b.right : 0);
  const height = plan.output.height - (b ? b.top + b.bottom : 0);
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

const TRANSPARENT = { r: 0, g: 0, b: 0, a: 0 };

function placeOnCanvas(r: Raster, c: { left: number; top: number; width: number; height: number }, fill: Rgba): Raster {
  const canvas = createRaster(c.width, c.height, fill);
  // The plan sized the canvas for the planned raster; clip rather than overrun if a step rounded differently.
  const w = Math.min(r.width, c.width - c.left);
  const rowBytes = w * 4;
  for (let y = 0; y < Math.min(r.height, c.height - c.top); y++) {
    canvas.data.set(r.data.subarray(y * r.width * 4, y * r.width * 4 + rowBytes), ((c.top + y) * c.width + c.left) * 4);
  }
  return canvas;
}
