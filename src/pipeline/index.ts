/**
 * @module pipeline
 * The fixed, documented order of pixel steps. Each is a no-op when its option is
 * absent. Orientation runs first so every later step, and the plan, work on the
 * image as a browser displays it; trim is part of `crop`, in displayed pixels.
 *
 *   orient -> crop (trim + cover window) -> resize -> colour (to sRGB) -> rotate/flip
 *   -> adjust (brightness, contrast, gamma, saturation) -> rgb offsets -> blur -> sharpen
 *   -> pixelate -> pad (or imgproxy's extend/padding canvas) -> border -> round corners -> overlays
 *   -> flatten (JPEG, or asked)
 */
import type { Raster } from '../codec/types';
import { adjustStep } from './adjust';
import { blurStep } from './blur';
import { borderStep } from './border';
import { colorStep } from './color';
import { cropStep } from './crop';
import { flattenStep } from './flatten';
import { orientRaster } from './orient';
import { overlayStep } from './overlay';
import { padStep } from './pad';
import { pixelateStep } from './pixelate';
import { rgbStep } from './rgb';
import { roundCornerStep } from './round-corner';
import { resizeStep } from './resize';
import { rotateStep } from './rotate';
import { sharpenStep } from './sharpen';
import type { Step, StepContext } from './step';

const orientStep: Step = (r, { orientation }) => orientRaster(r, orientation);

export const PIPELINE: readonly Step[] = [
  orientStep, cropStep, resizeStep, colorStep, rotateStep, adjustStep, rgbStep, blurStep, sharpenStep, pixelateStep, padStep, borderStep, roundCornerStep, overlayStep, flattenStep,
];

/**
 * Steps that cannot make an opaque raster transparent: they move, select, recolour
 * or resample pixels, and a resampled alpha of all-255 inputs is 255 (every output's
 * weights sum to one; codec/resize). The other steps may show a transparent colour
 * (pad's or border's background, round corners, an overlay's edges), so after one of
 * them replaced the raster it may have alpha. What this saves: flatten's scan of a
 * large opaque JPEG output (6-7 ms at 3840x2880).
 */
const KEEPS_OPAQUE: ReadonlySet<Step> = new Set([orientStep, cropStep, resizeStep, colorStep, rotateStep, adjustStep, rgbStep, blurStep, sharpenStep, pixelateStep]);

/**
 * Runs every step in order. After each step that replaced the raster, `observe`
 * gets the pixel bytes JS held at that moment (the step's input plus its
 * output), so the caller can measure the isolate's memory stage by stage.
 */
export async function runPipeline(
  r: Raster, ctx: StepContext, observe?: (jsBytes: number) => void, onStep?: (name: string) => void,
): Promise<Raster> {
  ctx = { ...ctx, observe, mayHaveAlpha: ctx.mayHaveAlpha ?? ctx.hasAlpha };
  // `r` is reassigned, never kept: a replaced raster can be collected while later steps run.
  for (const step of PIPELINE) {
    const t = performance.now();
    const next = await step(r, ctx);
    if (next !== r) observe?.(r.data.byteLength + next.data.byteLength);
    if (next !== r && !ctx.mayHaveAlpha && !KEEPS_OPAQUE.has(step)) ctx = { ...ctx, mayHaveAlpha: true };
    // Server-Timing names the steps that did something (a new raster, or in-place work that took time).
    if (onStep && (next !== r || performance.now() - t >= 0.05)) onStep(stepName(step));
    r = next;
  }
  return r;
}

/** `cropStep` -> `crop`; a bundler may suffix a renamed binding (`cropStep2`). */
function stepName(step: Step): string {
  return step.name.replace(/\d+$/, '').replace(/Step$/, '') || 'step';
}
