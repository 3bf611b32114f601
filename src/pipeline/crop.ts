/**
 * @module pipeline/crop
 * Cuts the plan's crop rectangle (trim plus the cover/crop overflow) out of the
 * decoded raster. The plan is in full-resolution display pixels; the decoder may
 * have shrunk on load, so the rectangle is scaled to the raster first.
 */
import type { Step } from './step';

export const cropStep: Step = (r, { plan, display }) => {
  const fx = r.width / display.width;
  const fy = r.height / display.height;
  const left = Math.min(r.width - 1, Math.max(0, Math.round(plan.crop.left * fx)));
  const top = Math.min(r.height - 1, Math.max(0, Math.round(plan.crop.top * fy)));
  const width = Math.max(1, Math.min(r.width - left, Math.round(plan.crop.width * fx)));
  const height = Math.max(1, Math.min(r.height - top, Math.round(plan.crop.height * fy)));
  if (left === 0 && top === 0 && width === r.width && height === r.height) return r;
  const out = new Uint8Array(width * height * 4);
  const rowBytes = width * 4;
  for (let y = 0; y < height; y++) {
    const from = ((top + y) * r.width + left) * 4;
    out.set(r.data.subarray(from, from + rowBytes), y * rowBytes);
  }
  return { width, height, data: out };
};
