/**
 * @module transform
 * One image request, top to bottom, as plain data in and a Response out:
 *
 *   check result cache -> fetch source -> probe header -> check limits
 *   -> plan geometry -> choose format -> decode -> pipeline -> encode -> headers
 *
 * Only `index.ts` touches Hono's Context and `env`; this module gets a parsed
 * request and its dependencies.
 */
import { decodeImage } from './codec/decode';
import { trimCodecs, wasmMemoryBytes } from './codec/memory';
import { encodeImage } from './codec/encode';
import { fitsEncoder, largestFitting } from './codec/capacity';
import type { DecodeHint, OutputFormat, Raster } from './codec/types';
import { digestBytes, formatToken, hashStrings, resultCacheKey } from './cache';
import type { Config } from './config';
import { ImageError, tooLarge } from './errors';
import { buildImageHeaders, matchesIfNoneMatch, notModified, type StageTimings } from './headers';
import { checkSourceLimits, isScalableJpeg, type PixelBudget } from './limits';
import { chooseFormat, MIME } from './negotiate';
import { canonicalizeOptions } from './options/parse';
import type { TransformOptions } from './options/types';
import { assertNotEmpty, cacheLifetime, fetchSource, type OriginDeps, type Source, type SourceRef } from './origin';
import { runPipeline } from './pipeline';
import { planTransform, type TransformPlan } from './plan';
import { probeImage, type Probe } from './probe';
import { baseNameOf, describeSource } from './source';
import { describeFocus, gravityHeader, refocus, type Refocused } from './refocus';

export interface ImageRequest {
  source: SourceRef;
  options: TransformOptions;
  accept: string | null;
  ifNoneMatch: string | null;
}

export interface TransformDeps {
  config: Config;
  origin: OriginDeps;
  budget: PixelBudget;
  cache?: Cache;
  waitUntil: (p: Promise<unknown>) => void;
}

const now = () => performance.now();

export async function serveImage(req: ImageRequest, deps: TransformDeps): Promise<Response> {
  const sourceId = describeSource(req.source);
  const canonical = canonicalizeOptions(req.options);
  const cacheKey = resultCacheKey(sourceId, canonical, formatToken(req.options.format, req.accept));

  const hit = await deps.cache?.match(cacheKey);
  if (hit) {
    if (matchesIfNoneMatch(req.ifNoneMatch, hit.headers.get('etag') ?? '')) return notModified(hit.headers);
    const headers = new Headers(hit.headers);
    headers.set('Server-Timing', 'cache;desc=hit');
    return new Response(hit.body, { status: 200, headers });
  }

  const timings: StageTimings = {};
  // One tag for every variant of a source and for the cached source itself, so a purge by tag refreshes both.
  const cacheTag = `tf-${(await hashStrings(sourceId)).slice(0, 22)}`;
  let t = now();
  const source = await fetchSource(req.source, { ...deps.origin, cacheTag });
  timings.origin = now() - t;

  try {
    return await transformSource(req, source, deps, { sourceId, canonical, cacheKey, cacheTag, timings });
  } catch (err) {
    // onerror=redirect: the source was fetched but cannot be transformed; send the client to it.
    if (req.options.onerror === 'redirect' && source.url && err instanceof ImageError && err.status < 500) {
      return new Response(null, { status: 302, headers: { Location: source.url, 'Cache-Control': 'no-store' } });
    }
    throw err;
  }
}

interface RequestKeys {
  sourceId: string;
  cacheTag: string;
  canonical: string;
  cacheKey: Request;
  timings: StageTimings;
}

async function transformSource(req: ImageRequest, source: Source, deps: TransformDeps, keys: RequestKeys): Promise<Response> {
  const { options } = req;
  const { timings } = keys;
  assertNotEmpty(source.bytes);
  const probe = probeImage(source.bytes);
  source.keep?.();
  checkSourceLimits(probe, deps.config.limits);
  const maxAge = cacheLifetime(source.cacheControl, deps.config.cacheTtl);
  const { cacheTag } = keys;

  if (probe.animated && options.anim && (options.format === undefined || options.format === 'auto')) {
    return passThroughAnimation(source, probe, maxAge, cacheTag);
  }

  const display = { width: probe.displayWidth, height: probe.displayHeight };
  let plan = planTransform(display, options, deps.config.maxDimension);
  const negotiate = (hasAlpha: boolean) =>
    chooseFormat({ requested: options.format, source: probe.format, hasAlpha, accept: req.accept, output: plan.output });
  if (options.format && options.format !== 'auto' && options.format !== 'json') checkEncoderCapacity(options.format, plan.output);

  // gravity=auto/face must look at the pixels before it can say which window it chose.
  if (options.format === 'json' && !plan.focus) return describeAsJson(source, probe, plan, negotiate(probe.hasAlpha ?? false).format);

  const hint = decodeHintFor(plan, probe);
  const pixels = estimatePixels(probe, hint, plan);
  const meter = new MemoryMeter(source.bytes.byteLength);
  const sample = (jsBytes: number) => meter.sample(jsBytes);
  const releaseCodecs = () => trimCodecs(deps.config.recycleWasmBytes, deps.config.idleWasmBytes);
  const release = await deps.budget.acquire(pixels, deps.config.budgetWaitMs);
  let encoded: Uint8Array;
  let choice: ReturnType<typeof negotiate>;
  let focused: Refocused | undefined;
  try {
    // A large job starts with no idle codec beside it: their 16 MB floors add up.
    if (pixels * 4 > LARGE_JOB_BYTES) trimCodecs(0, 0);
    let t = now();
    let decoded: Raster | undefined = await decodeImage(source.bytes, probe.format, hint);
    timings.decode = now() - t;
    sample(decoded.data.byteLength);
    // Between stages too: the decoder's grown heap must not sit beside the encoder's.
    releaseCodecs();
    if (plan.focus) {
      t = now();
      focused = refocus(decoded, probe.orientation, display, plan);
      timings.focus = now() - t;
      if (focused) {
        plan = focused.plan;
        sample(decoded.data.byteLength + focused.jsBytes);
      }
      if (options.format === 'json') {
        return describeAsJson(source, probe, plan, negotiate(probe.hasAlpha ?? false).format, focused);
      }
    }
    const hasAlpha = probe.hasAlpha !== false && scanForAlpha(decoded);
    choice = negotiate(hasAlpha);

    t = now();
    const running = runPipeline(decoded, { options, plan, orientation: probe.orientation, display, hasAlpha, format: choice.format }, sample);
    decoded = undefined; // the pipeline owns it now and lets it go after its first step
    const result = await running;
    timings.transform = now() - t;
    releaseCodecs();

    t = now();
    encoded = await encodeImage(result, choice.format, options.quality);
    timings.encode = now() - t;
    sample(result.data.byteLength + encoded.byteLength);
  } finally {
    release();
  }

  const version = source.etag ?? (await digestBytes(source.bytes));
  const etag = `"${(await hashStrings(version, keys.canonical, choice.format)).slice(0, 32)}"`;
  const headers = buildImageHeaders({
    format: choice.format,
    negotiated: choice.negotiated,
    maxAge,
    etag,
    baseName: baseNameOf(req.source),
    cacheTag,
    timings,
    cache: 'miss',
  });
  if (focused) headers.set('X-Thumbflare-Gravity', gravityHeader(focused.focus));
  if (maxAge !== null && deps.cache) {
    deps.waitUntil(deps.cache.put(keys.cacheKey, new Response(encoded.slice(), { headers })).catch(() => {}));
  }
  if (matchesIfNoneMatch(req.ifNoneMatch, etag)) return notModified(headers);
  const res = new Response(encoded, { status: 200, headers });
  if (deps.config.debug) {
    res.headers.set('X-Thumbflare-Wasm-Bytes', String(meter.wasmPeakBytes));
    res.headers.set('X-Thumbflare-Peak-Bytes', String(meter.peakBytes));
  }
  return res;
}

/**
 * The isolate's memory at the end of each stage: every live WASM instance (linear
 * memory only grows, so this is the stage's WASM peak) plus the pixel buffers JS
 * holds at that moment (the source bytes and what the stage reports).
 */
class MemoryMeter {
  wasmPeakBytes = 0;
  peakBytes = 0;

  constructor(private readonly sourceBytes: number) {}

  sample(jsBytes: number): void {
    const wasm = wasmMemoryBytes().total;
    this.wasmPeakBytes = Math.max(this.wasmPeakBytes, wasm);
    this.peakBytes = Math.max(this.peakBytes, wasm + this.sourceBytes + jsBytes);
  }
}

/** Jobs whose pixels take more than this start by dropping every idle codec instance. */
const LARGE_JOB_BYTES = 48 * 1024 * 1024;

/** 413 when an explicitly requested format cannot be encoded this large, naming the largest that can. */
function checkEncoderCapacity(format: OutputFormat, output: { width: number; height: number }): void {
  if (fitsEncoder(format, output.width, output.height)) return;
  const largest = largestFitting(format, output.width, output.height);
  throw tooLarge(
    `output ${output.width}x${output.height} is too large to encode as ${format} within the isolate's memory; the largest ${format} that fits is ${largest.width}x${largest.height} (format=auto falls back to a format that fits)`,
    'format',
  );
}

/**
 * The smallest stored-orientation size the decoder may shrink to on load and
 * still give the resize step at least as many pixels as it outputs.
 */
export function decodeHintFor(plan: TransformPlan, probe: Probe): DecodeHint {
  // Face zoom may shrink the window after decode: decode for the smallest it may become.
  const crop = plan.focus?.minWindow ?? plan.crop;
  const scale = Math.max(plan.resize.width / crop.width, plan.resize.height / crop.height);
  if (scale >= 1) return {};
  const w = Math.ceil(probe.displayWidth * scale);
  const h = Math.ceil(probe.displayHeight * scale);
  return probe.orientation >= 5 ? { minWidth: h, minHeight: w } : { minWidth: w, minHeight: h };
}

/** Pixels this transform holds at its peak: the decoded raster plus the output. */
function estimatePixels(probe: Probe, hint: DecodeHint, plan: TransformPlan): number {
  let decoded = probe.width * probe.height;
  if (isScalableJpeg(probe) && hint.minWidth && hint.minHeight) {
    // DCT scaling goes down by eighths: the decoder keeps at least the hint.
    const eighths = Math.max(1, Math.ceil((8 * Math.max(hint.minWidth / probe.width, hint.minHeight / probe.height))));
    decoded = Math.ceil((probe.width * eighths) / 8) * Math.ceil((probe.height * eighths) / 8);
  }
  return decoded + plan.resize.width * plan.resize.height + plan.output.width * plan.output.height;
}

/** True when any pixel is not fully opaque. */
function scanForAlpha(r: Raster): boolean {
  const d = r.data;
  for (let i = 3; i < d.length; i += 4) if (d[i] !== 255) return true;
  return false;
}

function passThroughAnimation(source: Source, probe: Probe, maxAge: number | null, cacheTag: string): Response {
  return new Response(source.bytes, {
    headers: {
      'Content-Type': MIME[probe.format],
      'Cache-Control': maxAge === null ? 'no-store' : `public, max-age=${maxAge}`,
      'X-Content-Type-Options': 'nosniff',
      'X-Thumbflare-Passthrough': 'animated',
      'Cache-Tag': cacheTag,
    },
  });
}

function describeAsJson(source: Source, probe: Probe, plan: TransformPlan, format: string, focused?: Refocused): Response {
  const body = {
    source: {
      format: probe.format,
      width: probe.displayWidth,
      height: probe.displayHeight,
      storedWidth: probe.width,
      storedHeight: probe.height,
      orientation: probe.orientation,
      frames: probe.frames,
      bytes: source.bytes.byteLength,
    },
    output: { format, width: plan.output.width, height: plan.output.height },
    ...(focused ? { focus: describeFocus(focused) } : {}),
  };
  return new Response(JSON.stringify(body), {
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' },
  });
}
