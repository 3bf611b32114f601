/**
 * @module index
 * The Hono entry point: the only module that sees `Context` and `env`. It reads
 * the config once, has the dialect dispatcher (routes.ts) verify and map the URL, hands it to
 * `serveImage`, and renders every error in one `onError`.
 */
import { WorkerEntrypoint } from 'cloudflare:workers';
import { Hono } from 'hono';
import { applyClientHints } from './client-hints';
import { resolveSource } from './source';
import { optionsFromCfImage } from './url/cf-image-object';
import type { ParsedRequest } from './url/dialect';
import { readConfig, type Config, type Env } from './config';
import { codecInstantiations, trimCodecs, wasmMemoryBytes } from './codec/wasm/memory';
import { ImageError, internal, loopDetected, methodNotAllowed, renderError } from './errors';
import { getIsolateBudget } from './limits';
import { VIA_PSEUDONYM, type OriginDeps } from './origin';
import { renderIndexPage } from './pages/index-page';
import { dispatchRequest } from './routes';
import { checkSourceUrl, parseSourcePolicy } from './security/source-policy';
import { StageClock } from './timing';
import { serveImage } from './transform';
import { PURGE_PATH, purgeSource } from './purge';
import { VariantTier } from './variant-tier';

type AppEnv = { Bindings: Env };

const checkers = new WeakMap<Config, (url: URL) => void>();

/**
 * Redirect hops and first requests are checked against ALLOWED_ORIGINS; the
 * operator's own ORIGIN (and paths below it) is trusted without a pattern.
 * Built once per config.
 */
function urlChecker(config: Config): (url: URL) => void {
  let check = checkers.get(config);
  if (!check) {
    const policy = parseSourcePolicy(config.allowedOrigins);
    const own = config.origin ? new URL(config.origin) : undefined;
    const ownPrefix = own?.pathname.replace(/\/?$/, '/');
    check = (url) => {
      if (own && url.origin === own.origin && url.pathname.startsWith(ownPrefix!)) return;
      checkSourceUrl(url, policy);
    };
    checkers.set(config, check);
  }
  return check;
}

/** True when a Via header (RFC 9110 §7.6.3) lists a Thumbflare hop. */
function hasViaHop(via: string | undefined): boolean {
  return !!via && via.split(',').some((hop) => hop.trim().split(/\s+/)[1]?.toLowerCase() === VIA_PSEUDONYM);
}

const app = new Hono<AppEnv>();

/** The one error rendering: an ImageError as its documented status, anything else as a logged 500. */
function errorResponse(err: unknown, where: string): Response {
  if (err instanceof ImageError) return renderError(err);
  console.error('unexpected error', where, err);
  return renderError(internal());
}

app.onError((err, c) => errorResponse(err, `${c.req.method} ${c.req.path}`));

app.notFound(() => renderError(internal()));

app.use('*', async (c, next) => {
  const purge = c.req.method === 'POST' && c.req.path === PURGE_PATH;
  if (c.req.method !== 'GET' && c.req.method !== 'HEAD' && !purge) throw methodNotAllowed(c.req.method);
  if (hasViaHop(c.req.header('via'))) throw loopDetected();
  await next();
  // Every response, redirects and debug JSON included: a browser must never guess a type.
  c.res.headers.set('X-Content-Type-Options', 'nosniff');
});

app.get('/__thumbflare/memory', (c, next) => {
  if (!readConfig(c.env).debug) return next();
  return c.json({ ...wasmMemoryBytes(), instantiations: codecInstantiations() }, 200, { 'Cache-Control': 'no-store' });
});

/** Removes a source's variants from the shared variant tier (src/purge.ts). */
app.post(PURGE_PATH, async (c) => {
  const config = readConfig(c.env);
  const waitUntil = (p: Promise<unknown>) => c.executionCtx.waitUntil(p);
  return purgeSource(new URL(c.req.url), {
    config,
    tier: variantTier(c.env, config, waitUntil),
    hasSourceBucket: !!c.env.SOURCE_BUCKET,
    nowSeconds: Math.floor(Date.now() / 1000),
  });
});

/** The shared variant tier when VARIANT_BUCKET is bound; off otherwise. */
function variantTier(env: Env, config: Config, waitUntil: (p: Promise<unknown>) => void): VariantTier | undefined {
  if (!env.VARIANT_BUCKET) return undefined;
  return new VariantTier(env.VARIANT_BUCKET, {
    timeoutMs: config.variantTierTimeoutMs,
    touchAfterMs: config.variantTierTouchDays * 86_400_000,
    cacheTtl: config.cacheTtl,
    waitUntil,
  });
}

// --- imgproxy dialect (issue 12): imgproxy's health endpoint, for load balancers moved over unchanged ---
app.get('/health', (c, next) => {
  if (!readConfig(c.env).dialects.includes('imgproxy')) return next();
  return c.text('imgproxy is running', 200, { 'Cache-Control': 'no-store' });
});
// --- end imgproxy dialect ---

app.get('*', async (c) => {
  const clock = new StageClock(); // Server-Timing's total starts here
  const config = readConfig(c.env);
  const url = new URL(c.req.url);
  if (url.pathname === '/' && !url.searchParams.has('url')) {
    return c.html(renderIndexPage(config), 200, { 'Cache-Control': 'no-store' });
  }
  const parsed = await dispatchRequest(url, { config, hasBucket: !!c.env.SOURCE_BUCKET, nowSeconds: Math.floor(Date.now() / 1000) });
  // Thumbor's /healthcheck: load balancers moved over from Thumbor keep probing it.
  if (parsed.kind === 'healthcheck') return c.text('WORKING', 200, { 'Cache-Control': 'no-store' });

  clock.lap('request'); // config, signature, URL grammar
  return serveParsed(parsed, (name) => c.req.header(name), c.env, config, (p) => c.executionCtx.waitUntil(p), clock);
});

/**
 * A parsed request (any dialect, or the Workers-API object) through the one transform:
 * the client-hint decisions (client-hints.ts), the origin, cache and budget, then serveImage.
 */
async function serveParsed(
  parsed: ParsedRequest, header: (name: string) => string | undefined, env: Env, config: Config,
  waitUntil: (p: Promise<unknown>) => void, clock: StageClock,
): Promise<Response> {
  const hinted = applyClientHints(parsed.options, header, config.allowedWidths);
  const cache = typeof caches === 'undefined' ? undefined : config.cacheName ? await caches.open(config.cacheName) : caches.default;
  const origin: OriginDeps = {
    timeoutMs: config.originTimeoutMs,
    maxBytes: config.maxSourceBytes,
    checkUrl: urlChecker(config),
    cacheTtl: config.cacheTtl,
    cache,
    assets: env.ASSETS,
    bucket: env.SOURCE_BUCKET,
    waitUntil,
  };
  const budget = getIsolateBudget(config.pixelBudget);
  try {
    return await serveImage(
      {
        source: parsed.source, options: hinted.options, jsonShape: parsed.jsonShape, accept: header('accept') ?? null,
        ifNoneMatch: header('if-none-match') ?? null, vary: hinted.vary, acceptCh: hinted.acceptCh,
      },
      { config, origin, budget, cache, waitUntil, clock, tier: variantTier(env, config, waitUntil) },
    );
  } finally {
    // WASM memory only grows: drop instances a large image inflated (and idle codecs past the
    // total), so the next request starts small. The only way to give memory back.
    trimCodecs(config.recycleWasmBytes, config.idleWasmBytes);
  }
}

export default app;

// --- Workers-API-compatible entry (issue 13 part 2) ---
/** What a caller passes beside the source URL: Cloudflare's `RequestInit` with `cf.image`, and the client's headers. */
export interface CfImageInit {
  cf?: { image?: unknown };
  headers?: HeadersInit;
}

/**
 * For other Workers, through a service binding (`[[services]] binding = "IMAGES",
 * service = "thumbflare", entrypoint = "ThumbflareImages"`): code written for Cloudflare's
 * `fetch(url, { cf: { image } })` switches by calling `env.IMAGES.fetch(url, { cf: { image } })`
 * instead (or the RPC method `env.IMAGES.transform(url, { cf: { image } })`). The image object
 * is read by url/cf-image-object.ts through the same parameter table as a URL, and the source
 * `url` (an absolute URL, or a path resolved like the path form) passes the same source policy,
 * limits and caches. A binding is the caller's own account's Worker, so no `sig` is asked for.
 * A request without `cf.image` is served as an ordinary URL (every dialect).
 */
export class ThumbflareImages extends WorkerEntrypoint<Env> {
  override async fetch(request: Request): Promise<Response> {
    const image = (request.cf as { image?: unknown } | undefined)?.image;
    if (image === undefined) return app.fetch(request, this.env, this.ctx);
    return this.transform(request.url, { cf: { image }, headers: request.headers });
  }

  async transform(url: string, init: CfImageInit = {}): Promise<Response> {
    const clock = new StageClock();
    const headers = new Headers(init.headers);
    try {
      const config = readConfig(this.env);
      const limits = { maxDimension: config.maxDimension, allowedWidths: config.allowedWidths, allowedQualities: config.allowedQualities };
      const parsed: ParsedRequest = {
        kind: 'image',
        source: resolveSource(url, { origin: config.origin, hasBucket: !!this.env.SOURCE_BUCKET }),
        options: optionsFromCfImage(init.cf?.image ?? {}, limits),
      };
      clock.lap('request');
      return await serveParsed(parsed, (name) => headers.get(name) ?? undefined, this.env, config, (p) => this.ctx.waitUntil(p), clock);
    } catch (err) {
      // Not behind Hono's onError: the same rendering, called directly.
      return errorResponse(err, 'in ThumbflareImages');
    }
  }
}
// --- end Workers-API-compatible entry ---
