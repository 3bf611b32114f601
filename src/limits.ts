/**
 * @module limits
 * Refuses, before decoding, what would not fit in an isolate's 128 MB, and
 * shares one pixel budget between the transforms an isolate runs at once.
 * Figures behind the defaults are in README.md ("Limits").
 *
 * The output rule ({@link admitOutput}) is the one every request passes, whatever
 * its format choice: the plan's peak memory is estimated (codec/wasm/peak-memory) for
 * each candidate format and the first that fits the budget is used; when none
 * does, 413 names the largest output that would.
 */
import { decodedSize, estimateAnimationPeakBytes, estimatePeakBytes, type PeakEstimate, type WasmState } from './codec/wasm/peak-memory';
import type { DecodeHint, OutputFormat } from './codec/types';
import { busy, tooLarge } from './errors';
import { chooseFormat, type FormatChoice } from './negotiate';
import type { TransformOptions } from './options/types';
import { decodeHintFor, planTransform, type TransformPlan } from './plan';
import type { Probe } from './probe';

export interface SourceLimits {
  /** Baseline JPEGs decode at reduced scale (DCT scaling) a few rows at a time: ~1 byte/pixel at 1/8. */
  maxJpegPixels: number;
  /** Progressive JPEGs scale too, but libjpeg keeps every coefficient: ~3.5 bytes/pixel. */
  maxProgressivePixels: number;
  /** PNG, decoded whole but in JS over native inflate: ~4 bytes/pixel, no WASM. */
  maxPngPixels: number;
  /** HEIC grids, assembled tile by tile into a JS raster: ~4 bytes/pixel in JS, one tile in WASM. */
  maxHeicPixels: number;
  /** GIF (Photon, ~12 bytes/pixel of WASM) and WebP (libwebp, ~4 in WASM plus the JS copy), decoded whole. */
  maxPixels: number;
  maxFrames: number;
  /** SVG markup bytes (MAX_SVG_BYTES) and start tags (MAX_SVG_ELEMENTS): what resvg's parse tree grows with. */
  maxSvgBytes?: number;
  maxSvgElements?: number;
}

/** Defaults of the SVG limits (config.ts) and the fixed nesting bound: deeper trees recurse deeper in resvg. */
export const SVG_LIMITS = { maxBytes: 2_000_000, maxElements: 20_000, maxDepth: 256 } as const;

/** A baseline Huffman JPEG: libjpeg-turbo decodes it at reduced scale, a few rows at a time. */
export function isScalableJpeg(probe: Probe): boolean {
  return probe.format === 'jpeg' && !!probe.jpeg && !probe.jpeg.progressive && !probe.jpeg.arithmetic;
}

/** Which limit applies to this source, and its name in the error message. */
function limitFor(probe: Probe, limits: SourceLimits): { max: number; name: string } {
  if (probe.format === 'jpeg' && probe.jpeg) {
    return isScalableJpeg(probe)
      ? { max: limits.maxJpegPixels, name: 'MAX_JPEG_PIXELS' }
      : { max: limits.maxProgressivePixels, name: 'MAX_PROGRESSIVE_PIXELS' };
  }
  if (probe.format === 'png') return { max: limits.maxPngPixels, name: 'MAX_PNG_PIXELS' };
  // Other HEIC images are decoded whole by libheif (YUV and RGBA in WASM beside the JS copy): MAX_SOURCE_PIXELS.
  if (probe.format === 'heic' && probe.heic?.byTile) return { max: limits.maxHeicPixels, name: 'MAX_HEIC_PIXELS' };
  return { max: limits.maxPixels, name: 'MAX_SOURCE_PIXELS' };
}

/** Throws 413 when the header says the image is too large to decode here. */
export function checkSourceLimits(probe: Probe, limits: SourceLimits, sourceBytes = 0): void {
  // A vector's intrinsic size is geometry, not pixels: it renders at the output size (checkSvgRender).
  if (probe.svg) return checkSvgLimits(probe.svg, limits, sourceBytes);
  const pixels = probe.width * probe.height;
  const { max, name } = limitFor(probe, limits);
  if (pixels > max) {
    const mp = (n: number) => `${(n / 1e6).toFixed(1)} MP`;
    throw tooLarge(`source is ${probe.width}x${probe.height} (${mp(pixels)}); ${name} allows ${mp(max)} for this kind of image`);
  }
  if (probe.frames > limits.maxFrames) {
    throw tooLarge(`source has ${probe.frames} frames; MAX_FRAMES is ${limits.maxFrames}`);
  }
}

/** SVG: markup size, element count and depth before anything is parsed for rendering (413 naming the limit). */
function checkSvgLimits(svg: NonNullable<Probe['svg']>, limits: SourceLimits, sourceBytes: number): void {
  const maxBytes = limits.maxSvgBytes ?? SVG_LIMITS.maxBytes;
  const maxElements = limits.maxSvgElements ?? SVG_LIMITS.maxElements;
  if (sourceBytes > maxBytes) throw tooLarge(`SVG source is ${sourceBytes} bytes; MAX_SVG_BYTES is ${maxBytes}`);
  if (svg.elements > maxElements) throw tooLarge(`SVG source has ${svg.elements} elements; MAX_SVG_ELEMENTS is ${maxElements}`);
  if (svg.expanded > maxElements) {
    const n = Number.isFinite(svg.expanded) ? String(svg.expanded) : 'without bound (a cycle)';
    throw tooLarge(`SVG source expands to ${n} elements through <use> references; MAX_SVG_ELEMENTS is ${maxElements}`);
  }
  if (svg.depth > SVG_LIMITS.maxDepth) throw tooLarge(`SVG elements nest ${svg.depth} deep; at most ${SVG_LIMITS.maxDepth} levels are rendered`);
}

/**
 * The pixels an SVG renders at (its output size, codec/svg/decode) are bounded
 * like a raster source's decode: MAX_SOURCE_PIXELS. The memory rule bounds them too;
 * this names the limit the request ran into.
 */
export function checkSvgRender(probe: Probe, options: TransformOptions, maxDimension: number, limits: SourceLimits): void {
  if (probe.format !== 'svg' || options.format === 'json') return;
  const plan = planTransform({ width: probe.displayWidth, height: probe.displayHeight }, options, maxDimension);
  const { width, height } = decodedSize(probe, decodeHintFor(plan, probe));
  if (width * height > limits.maxPixels) {
    throw tooLarge(`the SVG would render at ${width}x${height} (${((width * height) / 1e6).toFixed(1)} MP); MAX_SOURCE_PIXELS allows ${(limits.maxPixels / 1e6).toFixed(1)} MP`, 'width');
  }
}

const MiB = 1024 * 1024;

/**
 * What one transform may hold at its estimated peak: well under the isolate's
 * 128 MB, which also holds the compiled codecs, the JS heap and other requests
 * (the pixel budget below keeps concurrent large jobs apart).
 */
export const MEMORY_BUDGET_BYTES = 112 * MiB;

export interface OutputRequest {
  probe: Probe;
  sourceBytes: number;
  options: TransformOptions;
  accept: string | null;
  maxDimension: number;
  /** Whether the decoded image has transparency; before decoding, what the header allows. */
  hasAlpha: boolean;
  wasm: Pick<WasmState, 'recycleBytes' | 'idleBytes'>;
  /** JS bytes the job holds from start to end besides its own stages (decoded overlays). */
  heldBytes?: number;
}

export interface OutputDecision {
  plan: TransformPlan;
  hint: DecodeHint;
  choice: FormatChoice;
  /**
   * The job fits only if its decoder's and resampler's instances are dropped
   * between stages instead of kept warm (a path that fits, for large outputs).
   */
  dropBetweenStages: boolean;
  /** The job's estimated peak encoded as `format`, with `residentBytes` of other live WASM beside it. */
  estimate(format: OutputFormat, residentBytes: number): PeakEstimate;
  /** The rule itself: the job as `format`, alone in the isolate, fits the budget. */
  fits(format: OutputFormat): boolean;
}

/** An estimate with bytes held through the whole job (overlays) added at its peak. */
function withHeld(e: PeakEstimate, held = 0): PeakEstimate {
  return held ? { ...e, bytes: e.bytes + held } : e;
}

/** Plans `options` and picks the first candidate format whose estimated peak fits, or null. */
function tryOutput(req: OutputRequest, options: TransformOptions): OutputDecision | null {
  const { probe } = req;
  const plan = planTransform({ width: probe.displayWidth, height: probe.displayHeight }, options, req.maxDimension);
  const hint = decodeHintFor(plan, probe);
  const estimateAs = (format: OutputFormat, residentBytes: number, dropBetweenStages: boolean) =>
    withHeld(
      estimatePeakBytes(
        { probe, sourceBytes: req.sourceBytes, plan, hint, options, format, mayHaveAlpha: probe.hasAlpha !== false },
        { residentBytes, ...req.wasm, dropBetweenStages },
      ),
      req.heldBytes,
    );
  const fitsWarm = (f: OutputFormat) => estimateAs(f, 0, false).bytes <= MEMORY_BUDGET_BYTES;
  const fits = (f: OutputFormat) => fitsWarm(f) || estimateAs(f, 0, true).bytes <= MEMORY_BUDGET_BYTES;
  const choice = chooseFormat({ requested: options.format, source: probe.format, hasAlpha: req.hasAlpha, accept: req.accept, fits });
  if (!choice) return null;
  // Whether to drop instances between stages is decided for the admitted format; a
  // format re-chosen after decoding (opaque after all) is never heavier than it.
  const dropBetweenStages = !fitsWarm(choice.format);
  const estimate = (format: OutputFormat, residentBytes: number) => estimateAs(format, residentBytes, dropBetweenStages);
  return { plan, hint, choice, dropBetweenStages, estimate, fits };
}

/**
 * The one memory rule, run before any pixel work on every path: the plan, the
 * decoder's shrink-on-load hint and a format (the requested one, or its
 * fallback) whose whole job fits MEMORY_BUDGET_BYTES. Throws 413 naming the
 * largest output of the same shape that fits when no format does.
 */
export function admitOutput(req: OutputRequest): OutputDecision {
  const decision = tryOutput(req, req.options);
  if (decision) return decision;
  const plan = planTransform({ width: req.probe.displayWidth, height: req.probe.displayHeight }, req.options, req.maxDimension);
  const worst = withHeld(
    estimatePeakBytes(
      { probe: req.probe, sourceBytes: req.sourceBytes, plan, hint: decodeHintFor(plan, req.probe), options: req.options, format: 'jpeg', mayHaveAlpha: req.probe.hasAlpha !== false },
      { residentBytes: 0, ...req.wasm },
    ),
    req.heldBytes,
  );
  const asked = `output ${plan.output.width}x${plan.output.height} needs an estimated ${(worst.bytes / MiB).toFixed(0)} MiB at its peak (${worst.stage}) even in the leanest format, over the ${MEMORY_BUDGET_BYTES / MiB} MiB a transform may use`;
  const largest = largestFitting(req, plan);
  if (!largest) throw tooLarge(`${asked}; the source cannot be transformed within the isolate's memory at any output size`);
  const { width, height } = largest.plan.output;
  throw tooLarge(`${asked}; the largest that fits is ${width}x${height} (as ${largest.choice.format})`, 'width');
}

/** An animation admitted frame by frame: its plan and estimated peak. */
export interface AnimationDecision {
  plan: TransformPlan;
  estimateBytes: number;
}

/**
 * The memory rule for the frame-by-frame path (src/animation.ts): the plan, and
 * whether one frame in flight plus everything the loop keeps fits
 * MEMORY_BUDGET_BYTES (codec/wasm/peak-memory estimateAnimationPeakBytes). Null:
 * it does not, and the caller serves the original, as beyond the pixel budget.
 */
export function admitAnimation(req: OutputRequest, format: 'webp' | 'gif'): AnimationDecision | null {
  const { probe } = req;
  const plan = planTransform({ width: probe.displayWidth, height: probe.displayHeight }, req.options, req.maxDimension);
  const estimate = withHeld(
    estimateAnimationPeakBytes(
      { probe, sourceBytes: req.sourceBytes, plan, hint: {}, options: req.options, format, mayHaveAlpha: probe.hasAlpha !== false, frames: probe.frames },
      { residentBytes: 0, ...req.wasm },
    ),
    req.heldBytes,
  );
  return estimate.bytes <= MEMORY_BUDGET_BYTES ? { plan, estimateBytes: estimate.bytes } : null;
}

/** Binary search on a scale of the requested size for the largest plan that passes the rule. */
function largestFitting(req: OutputRequest, full: TransformPlan): OutputDecision | null {
  const { options } = req;
  const scaled = (k: number): TransformOptions => {
    if (options.width === undefined && options.height === undefined) {
      // No size asked: the output is the (trimmed, rotated) source; ask for a smaller width.
      return { ...options, width: Math.max(1, Math.floor((full.output.width * k) / options.dpr)) };
    }
    return {
      ...options,
      ...(options.width !== undefined ? { width: Math.max(1, Math.floor(options.width * k)) } : {}),
      ...(options.height !== undefined ? { height: Math.max(1, Math.floor(options.height * k)) } : {}),
    };
  };
  let best: OutputDecision | null = null;
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 24; i++) {
    const mid = (lo + hi) / 2;
    const d = tryOutput(req, scaled(mid));
    if (d) {
      best = d;
      lo = mid;
    } else hi = mid;
  }
  return best;
}

/**
 * A counting semaphore over pixels. Each transform reserves what it will hold at
 * its peak; one that does not fit waits (FIFO) up to `waitMs`, then gets 503.
 * A single request larger than the whole budget is admitted alone, so it is never
 * starved, but then nothing else runs beside it.
 */
export class PixelBudget {
  private inUse = 0;
  private readonly waiters: { pixels: number; wake: () => void }[] = [];

  constructor(readonly capacity: number) {}

  async acquire(pixels: number, waitMs: number): Promise<() => void> {
    const want = Math.min(pixels, this.capacity);
    if (this.waiters.length === 0 && this.inUse + want <= this.capacity) return this.grant(want);
    return new Promise((resolve, reject) => {
      const waiter = {
        pixels: want,
        wake: () => {
          clearTimeout(timer);
          resolve(this.grant(want));
        },
      };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(busy(Math.max(1, Math.ceil(waitMs / 1000))));
        this.drain();
      }, waitMs);
      this.waiters.push(waiter);
    });
  }

  get used(): number {
    return this.inUse;
  }

  private grant(pixels: number): () => void {
    this.inUse += pixels;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inUse -= pixels;
      this.drain();
    };
  }

  private drain(): void {
    while (this.waiters.length > 0 && this.inUse + this.waiters[0]!.pixels <= this.capacity) {
      this.waiters.shift()!.wake();
    }
  }
}

let isolateBudget: PixelBudget | undefined;

/** The isolate's one budget, shared by every request it serves; created with the first config's capacity. */
export function getIsolateBudget(capacity: number): PixelBudget {
  isolateBudget ??= new PixelBudget(capacity);
  return isolateBudget;
}
