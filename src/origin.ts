/**
 * @module origin
 * Source bytes: from an origin URL (through the edge Cache API), an R2 bucket, or
 * the bundled samples (Workers static assets). Enforces the byte limit while
 * streaming, the timeout over headers and body, and re-checks every redirect hop.
 * Never forwards a client header (Cookie, Authorization, ...) to the origin.
 */
import { corrupt, invalidUrl, notFound, originFailed, originTimeout, tooLarge, type ImageError } from './errors';
import { afterResponse } from './after-response';
import { readBody as readBodyInto } from './read-body';
import type { StageClock } from './timing';

/** Where a request's source lives, resolved from the URL form and the config. */
export type SourceRef =
  | { kind: 'url'; url: URL }
  // `bust`: the cache-buster query (`?v=3`, CACHE_BUSTER_PARAMS) for sources whose fetch has
  // no URL to carry it; it still names a new version in the cache keys (source.ts describeSource).
  | { kind: 'sample'; path: string; bust?: string }
  | { kind: 'r2'; key: string; fallback?: URL; bust?: string };

export interface Source {
  bytes: Uint8Array;
  /** The origin's Cache-Control, for the response's max-age. */
  cacheControl: string | null;
  /** Where the bytes came from (final URL after redirects), for onerror=redirect. */
  url?: string;
  /** Source identity for ETags: a validator when the origin gave one, else computed later. */
  etag: string | null;
  /** Stores the fetched bytes in the edge cache; called once they probed as an image, so an HTML error page is never kept. */
  keep?: () => void;
}

export interface OriginDeps {
  timeoutMs: number;
  maxBytes: number;
  /** Throws when a URL (first request or redirect hop) may not be fetched. */
  checkUrl: (url: URL) => void;
  /** Bounds applied to what the source cache keeps. */
  cacheTtl: { min: number; max: number; fallback: number };
  cache?: Cache;
  assets?: Fetcher;
  bucket?: R2Bucket;
  waitUntil: (p: Promise<unknown>) => void;
  /** Cache-Tag stored with the cached source, the same as its transformed variants carry. */
  cacheTag?: string;
  /** Laps source-cache / origin-headers / origin-body for Server-Timing (timing.ts). */
  clock?: StageClock;
}

const MAX_REDIRECTS = 3;

/**
 * Longest source URL accepted. Browsers and CDNs cap URLs near 8-16 KB
 * (Cloudflare answers 414 past 16 KB for the whole request line); an image URL
 * never needs more, and the Cache API refuses keys it cannot store.
 */
export const MAX_SOURCE_URL_LENGTH = 4096;

/**
 * The source policy, before anything is looked up: the result cache and the
 * source cache are keyed on the source, so a source the current
 * ALLOWED_ORIGINS forbids must be refused before either is asked, or an entry
 * cached under an earlier policy would still be served. Also refuses what the
 * Cache API would throw on (credentials in the URL, overlong URLs) as a 4xx.
 */
export function checkSourceRef(ref: SourceRef, checkUrl: (url: URL) => void): void {
  const url = ref.kind === 'url' ? ref.url : ref.kind === 'r2' ? ref.fallback : undefined;
  if (!url) return;
  if (url.href.length > MAX_SOURCE_URL_LENGTH) {
    throw invalidUrl(`source URL is ${url.href.length} characters; at most ${MAX_SOURCE_URL_LENGTH} are accepted`);
  }
  checkUrl(url);
}

/** The Via pseudonym Thumbflare adds to its origin requests and looks for on incoming ones. */
export const VIA_PSEUDONYM = 'thumbflare';

/** Fetches the source's bytes from wherever `ref` points. */
export async function fetchSource(ref: SourceRef, deps: OriginDeps): Promise<Source> {
  switch (ref.kind) {
    case 'sample':
      return fetchSample(ref.path, deps);
    case 'r2': {
      const fromBucket = await fetchFromBucket(ref.key, deps);
      if (fromBucket) return fromBucket;
      if (!ref.fallback) throw notFound();
      return fetchUrl(ref.fallback, deps);
    }
    case 'url':
      return fetchUrl(ref.url, deps);
  }
}

async function fetchSample(path: string, deps: OriginDeps): Promise<Source> {
  if (!deps.assets) throw notFound('no ORIGIN is configured and no samples are bundled');
  const res = await deps.assets.fetch(new Request(new URL(path, 'https://assets.local')));
  deps.clock?.lap('origin-headers');
  if (!res.ok) throw notFound(`no bundled sample at ${path.slice(0, 80)}`);
  const bytes = await withDeadline(deps.timeoutMs, (d) => readBody(res, deps.maxBytes, d));
  deps.clock?.lap('origin-body');
  return { bytes, cacheControl: null, etag: res.headers.get('etag') };
}

async function fetchFromBucket(key: string, deps: OriginDeps): Promise<Source | null> {
  if (!deps.bucket) return null;
  const head = await deps.bucket.head(key);
  if (!head) return null;
  if (head.size > deps.maxBytes) throw tooLarge(`source is ${head.size} bytes; MAX_SOURCE_BYTES is ${deps.maxBytes}`);
  const obj = await deps.bucket.get(key);
  deps.clock?.lap('origin-headers');
  if (!obj) return null;
  const bytes = new Uint8Array(await obj.arrayBuffer());
  deps.clock?.lap('origin-body');
  return { bytes, cacheControl: obj.httpMetadata?.cacheControl ?? null, etag: obj.httpEtag };
}

/** A shared deadline for headers and body: a stalled body is as late as a stalled answer. */
interface Deadline {
  signal: AbortSignal;
  expired: Promise<never>;
  clear: () => void;
}

function deadlineOf(ms: number): Deadline {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(originTimeout(`origin did not answer within ${ms} ms`));
    }, ms);
  });
  expired.catch(() => {});
  return { signal: controller.signal, expired, clear: () => clearTimeout(timer) };
}

/** Runs `work` under a fresh deadline and always clears its timer. */
async function withDeadline<T>(ms: number, work: (d: Deadline) => Promise<T>): Promise<T> {
  const deadline = deadlineOf(ms);
  try {
    return await work(deadline);
  } finally {
    deadline.clear();
  }
}

async function fetchUrl(first: URL, deps: OriginDeps): Promise<Source> {
  // Policy first, then the source cache (see checkSourceRef).
  deps.checkUrl(first);
  const cacheKey = new Request(first.href, { method: 'GET' });
  const hit = await deps.cache?.match(cacheKey);
  deps.clock?.lap('source-cache');
  if (hit) {
    const bytes = await withDeadline(deps.timeoutMs, (d) => readBody(hit, deps.maxBytes, d));
    deps.clock?.lap('source-cache');
    return { bytes, cacheControl: hit.headers.get('cache-control'), url: first.href, etag: hit.headers.get('etag') };
  }
  // The origin's clock starts when the origin is asked, not while the cache was looked up.
  const deadline = deadlineOf(deps.timeoutMs);
  try {
    let url = first;
    for (let hop = 0; ; hop++) {
      deps.checkUrl(url);
      const res = await Promise.race([fetchOnce(url, deadline.signal), deadline.expired]);
      deps.clock?.lap('origin-headers');
      if (res.status >= 300 && res.status < 400 && res.headers.has('location')) {
        await res.body?.cancel();
        if (hop >= MAX_REDIRECTS) throw originFailed(`origin redirected more than ${MAX_REDIRECTS} times`);
        url = new URL(res.headers.get('location')!, url);
        continue;
      }
      if (res.status === 404 || res.status === 410) {
        await res.body?.cancel();
        throw notFound(`origin answered ${res.status} for the source`);
      }
      if (!res.ok) {
        await res.body?.cancel();
        throw originFailed(`origin answered ${res.status}`);
      }
      const bytes = await readBody(res, deps.maxBytes, deadline);
      deps.clock?.lap('origin-body');
      const cacheControl = res.headers.get('cache-control');
      const etag = res.headers.get('etag');
      const keep = () => storeSource(cacheKey, bytes, res.headers, deps);
      return { bytes, cacheControl, url: url.href, etag, keep };
    }
  } finally {
    deadline.clear();
  }
}

async function fetchOnce(url: URL, signal: AbortSignal): Promise<Response> {
  try {
    // A fresh header set: nothing of the client's request reaches the origin.
    return await fetch(url.href, {
      method: 'GET',
      redirect: 'manual',
      signal,
      // Via (RFC 9110 §7.6.3) marks the hop, so a source URL that points back at a
      // Thumbflare is refused there (508) instead of recursing.
      headers: { Accept: 'image/*', 'User-Agent': 'Thumbflare', Via: `1.1 ${VIA_PSEUDONYM}` },
    });
  } catch (err) {
    if (signal.aborted) throw originTimeout('origin did not answer in time');
    throw originFailed(`origin could not be reached (${(err as Error).name ?? 'error'})`);
  }
}

/** The body under the request's deadline (read-body.ts: one buffer, limit enforced while streaming). */
function readBody(res: Response, maxBytes: number, deadline: Deadline): Promise<Uint8Array> {
  return readBodyInto(res, maxBytes, deadline.signal);
}

/**
 * Keeps the source in the edge cache when the origin allows it (RFC 9111 §5.2.2:
 * no-store and private responses are not stored by a shared cache), with its
 * max-age clamped to the configured bounds.
 */
function storeSource(key: Request, bytes: Uint8Array, headers: Headers, deps: OriginDeps): void {
  if (!deps.cache) return;
  const maxAge = cacheLifetime(headers.get('cache-control'), deps.cacheTtl);
  if (maxAge === null) return;
  const stored = new Headers({ 'Cache-Control': `public, max-age=${maxAge}`, 'Content-Length': String(bytes.byteLength) });
  if (deps.cacheTag) stored.set('Cache-Tag', deps.cacheTag);
  for (const h of ['content-type', 'etag', 'last-modified']) {
    const v = headers.get(h);
    if (v) stored.set(h, v);
  }
  deps.clock?.offPath('source-put');
  const cache = deps.cache;
  afterResponse(deps.waitUntil, () => cache.put(key, new Response(bytes, { headers: stored })));
}

/**
 * The max-age Thumbflare uses for what came from an origin: the origin's own
 * max-age (s-maxage first, RFC 9111 §5.2.2.10), clamped to [min, max]; the
 * fallback when it says nothing; null when it forbids shared caching.
 */
export function cacheLifetime(cacheControl: string | null, ttl: { min: number; max: number; fallback: number }): number | null {
  const cc = (cacheControl ?? '').toLowerCase();
  if (/(^|[\s,])(no-store|private)([\s,=]|$)/.test(cc)) return null;
  const m = /(?:^|[\s,])s-maxage\s*=\s*"?(\d+)/.exec(cc) ?? /(?:^|[\s,])max-age\s*=\s*"?(\d+)/.exec(cc);
  const declared = m ? Number(m[1]) : ttl.fallback;
  return Math.min(ttl.max, Math.max(ttl.min, declared));
}

/** Raised for an empty body, which no decoder can use. */
export function assertNotEmpty(bytes: Uint8Array): void {
  if (bytes.byteLength === 0) throw corrupt('source is empty');
}
