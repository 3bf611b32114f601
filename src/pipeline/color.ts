/**
 * @module pipeline/color
 * Brings the resized pixels to sRGB (or, with `color-profile=keep`, leaves them
 * and marks the source profile for embedding): the work is decided before
 * decoding by color/index and done here, on the output-sized raster, in place.
 * A no-op when the source is sRGB or says nothing about its colour.
 */
import type { Step } from './step';

export const colorStep: Step = async (r, { colour, format, observe }) => {
  if (colour?.active) await colour.apply(r, format, () => observe?.(r.data.byteLength));
  return r;
};
