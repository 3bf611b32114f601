/**
 * @module pipeline
 * The fixed, documented order of pixel steps. Each is a no-op when its option is
 * absent. Orientation runs first so every later step, and the plan, work on the
 * image as a browser displays it; trim is part of `crop`, in displayed pixels.
 *
 *   orient -> crop (trim + cover window) -> resize -> rotate/flip
 *   -> adjust (brightness, contrast, gamma, saturation) -> blur -> sharpen
 *   -> pad -> flatten (JPEG only)
 */
import type { Raster } from '../codec/types';
import { adjustStep } from './adjust';
import { blurStep } from './blur';
import { cropStep } from './crop';
import { flattenStep } from './flatten';
import { orientRaster } from './orient';
import { padStep } from './pad';
import { resizeStep } from './resize';
import { rotateStep } from './rotate';
import { sharpenStep } from './sharpen';
import type { Step, StepContext } from './step';

const orientStep: Step = (r, { orientation }) => orientRaster(r, orientation);

export const PIPELINE: readonly Step[] = [
  orientStep, cropStep, resizeStep, rotateStep, adjustStep, blurStep, sharpenStep, padStep, flattenStep,
];

export async function runPipeline(input: Raster, ctx: StepContext): Promise<Raster> {
  let r = input;
  for (const step of PIPELINE) r = await step(r, ctx);
  return r;
}
