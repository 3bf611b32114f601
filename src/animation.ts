/**
 * @module animation
 * Animated GIF and WebP, frame by frame: every frame of the source goes through
 * the same pipeline steps (src/pipeline/) with the same plan (src/plan.ts,
 * computed once), and is written as an animated WebP or GIF with its delay and
 * the loop count kept. Disposal and blending are applied while compositing (the
 * readers hand over whole canvases), so each output frame is the whole picture
 * and replaces the previous one: what the viewer sees at each moment is kept.
 *
 * Memory is bounded by streaming: one frame is decoded, transformed and encoded
 * before the next is read (codec/animation). What is held is the compositing
 * canvas, one frame in flight and the encoded frames so far; the memory rule
 * counts exactly that (limits.ts admitAnimation).
 *
 * Which output, after Cloudflare's documented behaviour ("Save animations as GIF
 * or animated WebP"; an animation over its total-area budget is delivered
 * without transformation):
 *  - no format: the source's own (a GIF stays a GIF, an animated WebP a WebP);
 *  - `format=auto`: animated WebP when Accept names image/webp, GIF otherwise;
 *  - `format=webp` / `format=gif`: that one;
 *  - AVIF/JPEG/PNG, `anim=false`, or metadata: the still path (first frame).
 * Beyond ANIMATION_MAX_PIXELS (frames x width x height of the source, or of the
 * output) or the memory rule, the original passes through untouched
 * (`X-Thumbflare-Passthrough: animated`). Animated PNG and AVIF sequences, which
 * we cannot write, pass through as before unless a still format is asked for.
 */
import type { FrameReader, FrameWriter } from './codec/animation';
import { FAST_WEBP_METHOD, WEBP_METHOD } from './codec/encode';
import { readGifFrames } from './codec/gif/frames';
import { writeGifFrames } from './codec/gif/encode-animated';
import type { Raster } from './codec/types';
import { readWebpFrames } from './codec/webp/anim-demux';
import { writeWebpFrames } from './codec/webp/anim-mux';
import type { ColourJob } from './color';
import { acceptedModernFormats, type FormatChoice } from './negotiate';
import type { TransformOptions } from './options/types';
import type { OverlayImage } from './overlays';
import { runPipeline } from './pipeline';
import type { TransformPlan } from './plan';
import type { Probe } from './probe';

export type AnimatedFormat = 'webp' | 'gif';

/**
 * What an animated source gets: `animate` (frame by frame, as `choice`),
 * `passthrough` (the original), or null: the still path (first frame).
 */
export function animationRoute(probe: Probe, options: TransformOptions, accept: string | null): { animate: FormatChoice & { format: AnimatedFormat } } | 'passthrough' | null {
  if (!probe.animated || !options.anim) return null;
  const { format } = options;
  if (format !== undefined && format !== 'auto' && format !== 'webp' && format !== 'gif') return null;
  if (probe.format !== 'gif' && probe.format !== 'webp') return format === undefined || format === 'auto' ? 'passthrough' : null;
  if (format === 'auto') return { animate: { format: acceptedModernFormats(accept).webp ? 'webp' : 'gif', negotiated: true } };
  return { animate: { format: format ?? probe.format, negotiated: false } };
}

/** Cloudflare-style budget: total frame pixels of the source and of the output, each within `maxPixels`. */
export function withinAnimationBudget(probe: Probe, plan: TransformPlan, maxPixels: number): boolean {
  return probe.width * probe.height * probe.frames <= maxPixels && plan.output.width * plan.output.height * probe.frames <= maxPixels;
}

/** Pixels the loop holds at once, for the isolate's pixel budget: canvas, its copy, the resized frame and the output frame. */
export function animationPixels(probe: Probe, plan: TransformPlan): number {
  return 2 * probe.width * probe.height + plan.resize.width * plan.resize.height + plan.output.width * plan.output.height;
}

export interface AnimationJob {
  probe: Probe;
  options: TransformOptions;
  plan: TransformPlan;
  format: AnimatedFormat;
  colour?: ColourJob;
  overlays?: readonly OverlayImage[];
  /** Told the JS pixel bytes held at each point (the caller adds WASM and the source). */
  observe: (jsBytes: number) => void;
}

/** Transforms every frame of an animated GIF/WebP and writes the animation; throws ImageError on bad input. */
export async function transformAnimation(bytes: Uint8Array, job: AnimationJob): Promise<Uint8Array> {
  const { probe, options, plan, format, observe } = job;
  const reader: FrameReader = probe.format === 'gif' ? readGifFrames(bytes) : readWebpFrames(bytes);
  const quality = Math.min(100, Math.max(1, Math.round(options.formatQuality?.[format] ?? options.quality)));
  const writer: FrameWriter = format === 'gif'
    ? writeGifFrames(reader.loopCount)
    : writeWebpFrames(reader.loopCount, quality, options.compression === 'fast' ? FAST_WEBP_METHOD : WEBP_METHOD);
  const held = () => reader.heldBytes() + writer.heldBytes();
  const ctx = {
    options, plan, orientation: probe.orientation, display: { width: probe.displayWidth, height: probe.displayHeight },
    // Later frames may uncover transparency the first hides: keep alpha whenever the header allows it.
    hasAlpha: probe.hasAlpha !== false, format, overlays: job.overlays, colour: job.colour,
    // Each frame is a canvas composited from the frames so far: flatten scans it rather than trust the header.
    mayHaveAlpha: true,
  };
  for await (const { canvas, delayMs } of reader.frames()) {
    // The steps may work in place; the reader's canvas must survive for the next frame.
    const frame: Raster = { width: canvas.width, height: canvas.height, data: canvas.data.slice() };
    observe(held() + frame.data.byteLength);
    const out = await runPipeline(frame, ctx, (js) => observe(held() + js));
    await writer.add(out, delayMs);
    observe(held() + out.data.byteLength);
  }
  const file = writer.finish();
  observe(reader.heldBytes() + file.byteLength);
  return file;
}
