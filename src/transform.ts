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
import { afterResponse } from './after-response';
import { animationPixels, animationRoute, transformAnimation, withinAnimationBudget } from './animation';
import { decodeImage } from './codec/decode';
import { planColour } from './color';
import { embedIcc } from './color/embed';
import { applyMetadata } from './metadata';
import { trimCodecs, wasmMemoryBytes } from './codec/wasm/memory';
import { encodeImage } from './codec/encode';
import { encodeWithin, type FittedEncode } from './codec/max-bytes';
import { anyTransparentSimd } from './codec/resize/simd/resample-simd';
import type { DecodeHint, Raster } from './codec/types';
import { digestBytes, formatToken, hashStrings, resultCacheKey, sourceCacheTag } from './cache';
import type { Config } from './config';
import { ImageError } from './errors';
import { buildImageHeaders, formatServerTiming, matchesIfNoneMatch, notModified, timingsOf } from './headers';
import { admitAnimation, admitOutput, checkSourceLimits, checkSvgRender, isScalableJpeg, MEMORY_BUDGET_BYTES, type OutputDecision, type OutputRequest, type PixelBudget } from './limits';
import { chooseFormat, MIME, type FormatChoice } from './negotiate';
import { canonicalizeOptions } from './options/parse';
import type { TransformOptions } from './options/types';
import { assertNotEmpty, cacheLifetime, checkSourceRef, fetchSource, type OriginDeps, type Source, type SourceRef } from './origin';
import { decodeOverlays, fetchOverlays } from './overlays';
import { shouldServeSource } from './passthrough';
import { runPipeline } from './pipeline';
import { orientRaster } from './pipeline/orient';
import { findBorder } from './pipeline/trim-border';
import { planTransform, type TransformPlan } from './plan';
import { probeImage, sourceMetadata, type Probe } from './probe';
import { baseNameOf, describeSource } from './source';
import { StageClock } from './timing';
import { thumborMetadata } from './url/thumbor-meta';
import { sourceVersion, type TierRequest, type VariantTier } from './variant-tier';
import { describeFocus, gravityHeader, refocus, type Refocused } from './refocus';
import { SVG_CSP, sanitizedSvgBytes, vectorOptions } from './codec/svg/vector';
import { svgRenderSize } from './codec/svg/decode';
import { unsupported } from './errors';

export interface ImageRequest {
  source: SourceRef;
  options: TransformOptions;
  accept: string | null;
  ifNoneMatch: string | null;
  /** `thumbor`: format=json answers Thumbor's metadata shape (url/thumbor-meta.ts). */
  jsonShape?: 'thumbor';
  /** Request headers the options were decided from (client-hints.ts): the response's `Vary` and `Accept-CH`. */
  vary?: readonly string[];
  acceptCh?: readonly string[];
}

export interface TransformDeps {
  config: Config;
  origin: OriginDeps;
  budget: PixelBudget;
  cache?: Cache;
  waitUntil: (p: Promise<unknown>) => void;
  /** The shared variant tier (VARIANT_BUCKET), when bound: src/variant-tier.ts. */
  tier?: VariantTier;
  /** Started when the request arrived (index.ts); every stage below laps it for Server-Timing. */
  clock?: StageClock;
}

export async function serveImage(req: ImageRequest, deps: TransformDeps): Promise<Response> {
  // URL -> policy -> cache: nothing is looked up for a source the policy refuses.
  checkSourceRef(req.source, deps.origin.checkUrl);
  const sourceId = describeSource(req.source);
  const canonical = canonicalizeOptions(req.options);
  const token = formatToken(req.options.format, req.accept);
  const cacheKey = resultCacheKey(sourceId, canonical, token);

  const clock = deps.clock ?? new StageClock();
  const hit = await deps.cache?.match(cacheKey);
  clock.lap('result-cache');
  if (hit) {
    // The stored Server-Timing describes the miss that filled the entry; this answer is a hit (200 or 304 alike).
    const headers = new Headers(hit.headers);
    headers.set('Server-Timing', formatServerTiming(timingsOf(clock), 'hit'));
    if (matchesIfNoneMatch(req.ifNoneMatch, hit.headers.get('etag') ?? '')) {
      await hit.body?.cancel();
      return notModified(headers);
    }
    return new Response(hit.body, { status: 200, headers });
  }

  // One tag for every variant of a source and for the cached source itself, so a purge by tag refreshes both.
  const cacheTag = await sourceCacheTag(sourceId);
  clock.lap('hash');
  // The shared tier: a variant another data centre made, for the source version its manifest names.
  const tier = deps.tier?.request({ sourceId, cacheTag, canonical, formatToken: token, cache: deps.cache, cacheKey, ifNoneMatch: req.ifNoneMatch });
  if (tier) {
    const stored = await tier.beforeOrigin();
    clock.lap('tier');
    if (stored) return stored;
  }
  const source = await fetchSource(req.source, { ...deps.origin, cacheTag, clock });
  if (tier) {
    const originMs = ['source-cache', 'origin-headers', 'origin-body'].reduce((n, k) => n + (clock.stages[k] ?? 0), 0);
    const revalidated = await tier.afterOrigin(source, originMs);
    clock.lap('tier');
    if (revalidated) return revalidated;
  }

  try {
    return await transformSource(req, source, deps, { sourceId, canonical, cacheKey, cacheTag, clock, tier });
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
  clock: StageClock;
  tier?: TierRequest;
}

async function transformSource(req: ImageRequest, source: Source, deps: TransformDeps, keys: RequestKeys): Promise<Response> {
  let { options } = req;
  const { clock } = keys;
  assertNotEmpty(source.bytes);
  const probed = probeImage(source.bytes);
  // imgproxy `auto_rotate:0`: the stored pixels as they are, EXIF orientation ignored.
  const probe: Probe = options.autoRotate === false ? { ...probed, orientation: 1 as const, displayWidth: probed.width, displayHeight: probed.height } : probed;
  source.keep?.();
  clock.lap('probe');
  checkSourceLimits(probe, deps.config.limits, source.bytes.byteLength);
  // A dialect's explicit lifetime (Thumbor's max_age()) wins over the origin's.
  const maxAge = options.maxAge ?? cacheLifetime(source.cacheControl, deps.config.cacheTtl);
  const { cacheTag } = keys;

  // SVG (codec/svg/): passed through sanitised when asked (format=svg, SVG_PASSTHROUGH), else rasterised at the output size.
  if (options.format === 'svg' && probe.format !== 'svg') throw unsupported(`format=svg needs an SVG source; this one is ${probe.format.toUpperCase()}`);
  if (probe.format === 'svg') {
    if (options.format === 'svg' || (deps.config.svgPassthrough && options.format !== 'json')) return passThroughSvg(source, maxAge, cacheTag);
    options = vectorOptions(options);
  }

  // An animation keeps moving, frame by frame (src/animation.ts), or passes through as it is.
  const animation = animationRoute(probe, options, req.accept);
  if (animation === 'passthrough') return passThroughAnimation(source, probe, maxAge, cacheTag);

  const display = { width: probe.displayWidth, height: probe.displayHeight };
  // Overlays are fetched (and refused: 403/404/413) before any pixel work, like the source;
  // a metadata request draws nothing, so it fetches none.
  const fetchedOverlays = options.format === 'json' ? [] : await fetchOverlays(options.draw, {
    // The overlay's cached copy is its own source: it does not carry the main source's Cache-Tag.
    origin: { ...deps.origin, cacheTag: undefined },
    settings: { origin: deps.config.origin, hasBucket: !!deps.origin.bucket },
    limits: deps.config.limits,
  });
  if (fetchedOverlays.length) clock.lap('overlays');
  const overlayPixels = fetchedOverlays.reduce((n, f) => n + f.probe.width * f.probe.height, 0);
  // The source's colour work, from its header: LUT and CMYK profiles need LittleCMS beside the job.
  const colour = await planColour(source.bytes, probe.format, options.colorProfile ?? 'srgb');
  // The one memory rule, before any pixel work, on every path (the JSON form too):
  // a plan and a format whose estimated peak fits, or 413 naming the largest that does.
  const admission: OutputRequest = {
    probe,
    sourceBytes: source.bytes.byteLength,
    options,
    accept: req.accept,
    maxDimension: deps.config.maxDimension,
    hasAlpha: probe.hasAlpha !== false,
    wasm: { recycleBytes: deps.config.recycleWasmBytes, idleBytes: deps.config.idleWasmBytes },
    // Decoded overlays (RGBA) are held through the whole pipeline beside the job's own buffers.
    heldBytes: overlayPixels * 4 + colour.wasmBytes,
  };
  checkSvgRender(probe, options, deps.config.maxDimension, deps.config.limits);
  if (animation) {
    const admitted = admitAnimation(admission, animation.animate.format);
    if (!admitted || !withinAnimationBudget(probe, admitted.plan, deps.config.animationMaxPixels)) return passThroughAnimation(source, probe, maxAge, cacheTag);
    const meter = new MemoryMeter(source.bytes.byteLength);
    clock.lap('plan');
    const release = await deps.budget.acquire(animationPixels(probe, admitted.plan), deps.config.budgetWaitMs);
    let encoded: Uint8Array;
    try {
      const overlays = await decodeOverlays(fetchedOverlays);
      encoded = await transformAnimation(source.bytes, { probe, options, plan: admitted.plan, format: animation.animate.format, colour, overlays, observe: (js) => meter.sample(js) });
    } finally {
      release();
      trimCodecs(deps.config.recycleWasmBytes, deps.config.idleWasmBytes);
    }
    clock.lap('animation');
    return respond(req, source, deps, keys, { encoded, choice: animation.animate, fits: options.maxBytes === undefined || encoded.byteLength <= options.maxBytes, passthrough: false, meter, estimate: admitted.estimateBytes, maxAge });
  }
  const decision = admitOutput(admission);
  let { plan } = decision;
  const { hint } = decision;

  // gravity=auto/face must look at the pixels before it can say which window it chose.
  if (options.format === 'json' && (!plan.focus || req.jsonShape === 'thumbor')) {
    if (req.jsonShape === 'thumbor') return jsonResponse(thumborMetadata({ url: sourceUrlOf(req), width: display.width, height: display.height, frameCount: probe.frames, plan, options }));
    return describeAsJson(source, probe, decision);
  }

  // Overlays hold their decoded pixels through the pipeline: they count against the budget too.
  const pixels = estimatePixels(probe, hint, plan) + overlayPixels;
  const meter = new MemoryMeter(source.bytes.byteLength);
  const sample = (jsBytes: number) => meter.sample(jsBytes);
  const releaseCodecs = decision.dropBetweenStages
    ? () => trimCodecs(0, 0)
    : () => trimCodecs(deps.config.recycleWasmBytes, deps.config.idleWasmBytes);
  clock.lap('plan');
  const release = await deps.budget.acquire(pixels, deps.config.budgetWaitMs);
  let encoded: Uint8Array;
  let fitted: FittedEncode;
  let choice: FormatChoice;
  let estimate: number;
  let focused: Refocused | undefined;
  let passthrough = false;
  try {
    // Idle codec instances from earlier requests go first when they and this job would not fit together.
    if (decision.estimate(decision.choice.format, wasmMemoryBytes().total).bytes > MEMORY_BUDGET_BYTES) trimCodecs(0, 0);
    const residentBytes = wasmMemoryBytes().total;
    clock.lap('budget');
    let decoded: Raster | undefined = await decodeImage(source.bytes, probe.format, hint, { cmyk: colour.cmyk, observe: sample });
    clock.lap('decode');
    sample(decoded.data.byteLength);
    // Between stages too: the decoder's grown heap must not sit beside the encoder's.
    releaseCodecs();
    let orientation = probe.orientation;
    if (options.trimBorder) {
      // Trim by colour needs pixels: orient, find the border, and plan again on the trimmed
      // image (a smaller crop of the same request: within the estimate admitted above).
      decoded = orientRaster(decoded, orientation);
      orientation = 1;
      plan = planWithBorder(decoded, display, options, deps.config.maxDimension) ?? plan;
    }
    if (plan.focus) {
      // gravity=auto/face: src/focus/ looks at a preview of the pixels and the plan places its window.
      focused = refocus(decoded, orientation, display, plan);
      clock.lap('focus');
      if (focused) {
        plan = focused.plan;
        sample(decoded.data.byteLength + focused.jsBytes);
      }
      if (options.format === 'json') return describeAsJson(source, probe, { ...decision, plan }, focused);
    }
    const hasAlpha = probe.hasAlpha !== false && scanForAlpha(decoded);
    // An opaque image may take a different universal format (JPEG, not PNG); the
    // same rule picks it: every candidate is checked against the same estimate.
    choice = hasAlpha === admission.hasAlpha
      ? decision.choice
      : chooseFormat({ requested: options.format, source: probe.format, hasAlpha, accept: req.accept, fits: decision.fits }) ?? decision.choice;
    estimate = decision.estimate(choice.format, residentBytes).bytes;
    clock.lap('alpha-scan');
    const overlays = await decodeOverlays(fetchedOverlays);
    if (overlays.length) sample(decoded.data.byteLength + overlays.reduce((n, o) => n + o.raster.data.byteLength, 0));
    if (options.trimBorder || overlays.length) clock.lap('prepare');

    const running = runPipeline(
      decoded, { options, plan, orientation, display, hasAlpha, format: choice.format, overlays, colour }, sample,
      (step) => clock.lap(`step-${step}`),
    );
    decoded = undefined; // the pipeline owns it now and lets it go after its first step
    const result = await running;
    releaseCodecs();

    fitted = await encodeWithin(result, choice.format, options.formatQuality?.[choice.format] ?? options.quality, options.maxBytes,
      (r, f, q) => encodeImage(r, f, q, { fast: options.compression === 'fast' }));
    encoded = fitted.bytes;
    if (colour.embed) encoded = await embedIcc(encoded, choice.format, colour.embed);
    // Cloudflare's metadata (default copyright for JPEG): the source's EXIF/XMP the policy lets through (src/metadata/).
    encoded = await applyMetadata(encoded, choice.format, source.bytes, probe.format, options.metadata, plan.output);
    clock.lap('encode');
    // Nothing changed and the re-encode came out larger: the source's own bytes answer (src/passthrough.ts).
    passthrough = encoded.byteLength > source.bytes.byteLength && shouldServeSource({
      probe, options, plan, format: choice.format, metadata: sourceMetadata(source.bytes, probe),
      colourWork: colour.active || !!colour.cmyk, sourceBytes: source.bytes.byteLength, encodedBytes: encoded.byteLength,
    });
    if (passthrough) encoded = source.bytes;
    sample(result.data.byteLength + encoded.byteLength);
  } finally {
    release();
  }
  return respond(req, source, deps, keys, { encoded, choice, fits: fitted.fits, passthrough, focused, meter, estimate, maxAge });
}

/** What a transform produced, for the headers, the caches and the response. */
interface Produced {
  encoded: Uint8Array;
  choice: FormatChoice;
  /** The output met maxBytes (or none was asked). */
  fits: boolean;
  /** The source's own bytes answer (src/passthrough.ts). */
  passthrough: boolean;
  focused?: Refocused;
  meter: MemoryMeter;
  estimate: number;
  maxAge: number | null;
}

/** Headers, ETag, result cache and variant tier: the same for every path that encoded an image. */
async function respond(req: ImageRequest, source: Source, deps: TransformDeps, keys: RequestKeys, produced: Produced): Promise<Response> {
  const { options } = req;
  const { clock, cacheTag } = keys;
  const { encoded, choice, passthrough, focused, meter, estimate, maxAge } = produced;
  const fitted = { fits: produced.fits };
  // A strong ETag names the bytes (RFC 9110 §8.8.3). The origin's validator plus the options and
  // format decide them, so a few bytes are hashed; without one, hash the output (kilobytes) rather
  // than the source (megabytes): equal bytes, equal tag, for a fraction of the work.
  // The options stay in the tag either way, so a cache-buster option (imgproxy's `cb`) changes it as it does the URL.
  const tagged = await hashStrings(source.etag ?? (await digestBytes(encoded)), keys.canonical, choice.format);
  const etag = `"${tagged.slice(0, 32)}"`;
  clock.lap('hash');
  const store = maxAge !== null && deps.cache !== undefined;
  if (store) clock.offPath('cache-put');
  if (maxAge !== null && keys.tier) clock.offPath('tier-put');
  const headers = buildImageHeaders({
    format: choice.format,
    negotiated: choice.negotiated,
    maxAge,
    etag,
    baseName: options.filename ?? baseNameOf(req.source),
    attachment: options.attachment,
    cacheTag,
    timings: timingsOf(clock),
    cache: 'miss',
  });
  if (focused) headers.set('X-Thumbflare-Gravity', gravityHeader(focused.focus));
  // width=auto / slow-connection-quality: the key holds the decision, the headers say what it came from.
  if (req.vary?.length) headers.append('Vary', req.vary.join(', '));
  if (req.acceptCh?.length) headers.set('Accept-CH', req.acceptCh.join(', '));
  // Cloudflare serves WebP for an AVIF too large to encode; say which format replaced the one asked for.
  if (choice.fallbackFrom) headers.set('X-Thumbflare-Format-Fallback', `${choice.fallbackFrom}->${choice.format}`);
  if (!fitted.fits && !passthrough) headers.set('X-Thumbflare-Max-Bytes', 'exceeded');
  if (passthrough) headers.set('X-Thumbflare-Passthrough', 'smaller-source');
  if (maxAge !== null && (deps.cache || keys.tier)) {
    const copy = encoded.slice(); // the client's response takes `encoded`
    if (deps.cache) afterResponse(deps.waitUntil, () => deps.cache!.put(keys.cacheKey, new Response(copy, { headers })));
    // The tier keys variants by the source's version (its validator, else its digest: only hashed when the tier is on).
    // The digest is a SHA-256 of the whole source, computed synchronously (4-19 ms for 5 MB in workerd), and
    // nothing in this response depends on it: it runs after the response, like the cache put (issue 10 item 2).
    const tier = keys.tier;
    if (tier) afterResponse(deps.waitUntil, async () => tier.store(copy, headers, await sourceVersion(source), maxAge));
  } else if (maxAge === null) keys.tier?.forget();
  if (matchesIfNoneMatch(req.ifNoneMatch, etag)) return notModified(headers);
  const res = new Response(encoded, { status: 200, headers });
  if (deps.config.debug) {
    res.headers.set('X-Thumbflare-Wasm-Bytes', String(meter.wasmPeakBytes));
    res.headers.set('X-Thumbflare-Peak-Bytes', String(meter.peakBytes));
    res.headers.set('X-Thumbflare-Estimated-Peak-Bytes', String(estimate));
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

/** Pixels this transform holds at its peak: the decoded raster plus the output. */
function estimatePixels(probe: Probe, hint: DecodeHint, plan: TransformPlan): number {
  // An SVG holds the raster it renders at the output size, not its intrinsic size (codec/svg/decode).
  const rendered = probe.format === 'svg' ? svgRenderSize(probe, hint) : undefined;
  let decoded = rendered ? rendered.width * rendered.height : probe.width * probe.height;
  if (isScalableJpeg(probe) && hint.minWidth && hint.minHeight) {
    // DCT scaling goes down by eighths: the decoder keeps at least the hint.
    const eighths = Math.max(1, Math.ceil((8 * Math.max(hint.minWidth / probe.width, hint.minHeight / probe.height))));
    decoded = Math.ceil((probe.width * eighths) / 8) * Math.ceil((probe.height * eighths) / 8);
  }
  return decoded + plan.resize.width * plan.resize.height + plan.output.width * plan.output.height;
}

/** True when any pixel is not fully opaque. */
function scanForAlpha(r: Raster): boolean {
  return anyTransparentSimd(r.data);
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

/** An SVG source, sanitised (codec/svg/sanitize), never resized: Cloudflare's SVG delivery. */
function passThroughSvg(source: Source, maxAge: number | null, cacheTag: string): Response {
  return new Response(sanitizedSvgBytes(source.bytes), {
    headers: {
      'Content-Type': 'image/svg+xml',
      'Content-Security-Policy': SVG_CSP,
      'Cache-Control': maxAge === null ? 'no-store' : `public, max-age=${maxAge}`,
      'X-Content-Type-Options': 'nosniff',
      'X-Thumbflare-Passthrough': 'svg-sanitized',
      'Cache-Tag': cacheTag,
    },
  });
}

/** Plans again with the border found by colour (Thumbor's trim) added to `trim`; null when there is no border. */
function planWithBorder(oriented: Raster, display: { width: number; height: number }, options: TransformOptions, maxDimension: number): TransformPlan | null {
  const found = findBorder(oriented, options.trimBorder!);
  if (!found) return null;
  // Cloudflare's trim.keep: leave that many pixels of the border on each side.
  const keep = options.trimBorder!.keep ?? 0;
  const border = { top: Math.max(0, found.top - keep), right: Math.max(0, found.right - keep), bottom: Math.max(0, found.bottom - keep), left: Math.max(0, found.left - keep) };
  const fx = display.width / oriented.width;
  const fy = display.height / oriented.height;
  const t = options.trim ?? { top: 0, right: 0, bottom: 0, left: 0 };
  const trim = {
    top: Math.max(t.top, Math.floor(border.top * fy)),
    right: Math.max(t.right, Math.floor(border.right * fx)),
    bottom: Math.max(t.bottom, Math.floor(border.bottom * fy)),
    left: Math.max(t.left, Math.floor(border.left * fx)),
  };
  return planTransform(display, { ...options, trim }, maxDimension);
}

/** The source as a URL for metadata answers. */
function sourceUrlOf(req: ImageRequest): string {
  return req.source.kind === 'url' ? req.source.url.href : req.source.kind === 'r2' ? req.source.key : req.source.path;
}

function jsonResponse(body: unknown): Response {
  return new Response(JSON.stringify(body), {
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' },
  });
}

/** The JSON form: what the image request with the same parameters would produce, from the same rule. */
function describeAsJson(source: Source, probe: Probe, decision: Pick<OutputDecision, 'plan' | 'choice' | 'estimate'>, focused?: Refocused): Response {
  const { plan, choice } = decision;
  const body = {
    // Cloudflare's own layout first (format=json: "image size before and after resizing, the source
    // image's MIME type, and file size"), so a client written for Cloudflare reads it unchanged;
    // `source`/`output`/`focus` are ours (docs/api.md) and stay for clients that read them.
    width: plan.output.width,
    height: plan.output.height,
    original: { file_size: source.bytes.byteLength, width: probe.displayWidth, height: probe.displayHeight, format: MIME[probe.format] },
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
    output: {
      format: choice.format,
      width: plan.output.width,
      height: plan.output.height,
      ...(choice.fallbackFrom ? { fallback: `${choice.fallbackFrom}->${choice.format}` } : {}),
      estimatedPeakBytes: decision.estimate(choice.format, 0).bytes,
    },
    ...(focused ? { focus: describeFocus(focused) } : {}),
  };
  return jsonResponse(body);
}
