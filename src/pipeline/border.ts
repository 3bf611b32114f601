/**
 * @module pipeline/border
 * Cloudflare's `border` (developers.cloudflare.com/images/transform-images/transform-via-url/#border):
 * "added after resizing", each side's width times `dpr` (plan.ts computes `plan.border` and
 * grows `plan.output` by it). The image is placed on a canvas filled with the border colour;
 * a translucent colour stays translucent (PNG/WebP/AVIF), and JPEG's flatten composites it
 * onto `background` like any transparency. Runs after pad, before rounded corners and overlays,
 * so overlays are placed on the bordered image.
 */
import { createRaster, type Step } from './step';

export const borderStep: Step = (r, { plan, options }) => {
  const b = plan.border;
  if (!b || !options.border || b.top + b.right + b.bottom + b.left === 0) return r;
  const width = r.width + b.left + b.right;
  const height = r.height + b.top + b.bottom;
  const canvas = createRaster(width, height, options.border.color);
  const rowBytes = r.width * 4;
  for (let y = 0; y < r.height; y++) {
    canvas.data.set(r.data.subarray(y * rowBytes, (y + 1) * rowBytes), ((b.top + y) * width + b.left) * 4);
  }
  return canvas;
};
