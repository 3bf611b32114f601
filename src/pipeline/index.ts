/**
 * @module pipeline
 * The fixed, documented order of pixel steps. Each is a no-op when its option is
 * absent. Orientation runs first so every later step, and the plan, work on the
 * image as a browser displays it; trim is part of `crop`, in displayed pixels.
 *
 *   orient -> crop (trim + cover window) -> resize -> colour (to sRGB) -> rotate/flip
 *   -> adjust (brightness, contrast, gamma, saturation) -> blur -> sharpen
 *   -> pad -> flatten (JPEG only)
 */
import type { Raster } from '../codec/types';
import { adjustStep } from './adjust';
import { blurStep } from './blur';
import { colorStep } from './color';
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
  orientStep, cropStep, resizeStep, colorStep, rotateStep, adjustStep, blurStep, sharpenStep, padStep, flattenStep,
];

/**
 * Runs every step in order. After each step that replaced the raster, `observe`
 * gets the pixel bytes JS held at that moment (the step's input plus its
 * output), so the caller can measure the isolate's memory stage by stage.
 */
export async function runPipeline(r: Raster, ctx: StepContext, observe?: (jsBytes: number) => void): Promise<Raster> {
  ctx = { ...ctx, observe };
  // `r` is reassigned, never kept: a replaced raster can be collected while later steps run.
  for (const step of PIPELINE) {
    const next = await step(r, ctx);
    if (next !== r) observe?.(r.data.byteLength + next.data.byteLength);
    r = next;
  }
  return r;
}
