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

/**
 * Runs every step in order. Returns the result and the largest number of pixel
 * bytes held in JS at once (a step's input plus its output), which the memory
 * tests add to the WASM total: both count against the isolate's 128 MB.
 */
export async function runPipeline(input: Raster, ctx: StepContext): Promise<{ raster: Raster; peakBytes: number }> {
  let r = input;
  let peakBytes = input.data.byteLength;
  for (const step of PIPELINE) {
    const next = await step(r, ctx);
    if (next !== r) peakBytes = Math.max(peakBytes, r.data.byteLength + next.data.byteLength);
    r = next;
  }
  return { raster: r, peakBytes };
}
