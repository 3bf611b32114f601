/**
 * @module variant-tier
 * The shared variant tier: an optional R2 bucket (`VARIANT_BUCKET`) behind the
 * per-data-centre Cache API, so a variant is transformed once worldwide instead of
 * once per data centre (the Cache API is local to one data centre; R2 is global).
 *
 * Layout (all keys below one bucket, nothing else is written there):
 *
 *   src/<tag>                         the source's manifest: which version of the
 *                                     source is current, and until when that was
 *                                     last confirmed (customMetadata version, expires)
 *   var/<tag>/<version>/<variant>     a transformed variant: its bytes, with the
 *                                     headers a fresh transform sends (httpMetadata
 *                                     and customMetadata)
 *
 * `<tag>` is the source's Cache-Tag (`tf-...`, one per source), so a purge by tag
 * lists one prefix; `<version>` hashes the source's ETag (or content digest), so a
 * changed source never serves an old variant; `<variant>` hashes what the result
 * cache key holds (source, canonical options, format token).
 *
 * Knowing the source's version without its body: the manifest. A request reads it
 * (one `head`); while it is fresh its version is trusted and the variant is read
 * without asking the origin. Its freshness is the source's own cache lifetime
 * (`cacheLifetime`, the same clamped max-age the source cache and the response use),
 * so the tier is never staler than the edge caches already are. Once it is stale,
 * the request fetches the source as usual (through this data centre's source cache)
 * and compares versions: the same version serves the stored variant (no decode) and
 * renews the manifest; a new one is transformed and becomes the manifest's version.
 * The trade-off, documented in docs/deploy.md: a changed source can be served in its
 * old version for up to one source lifetime (two, when the renewing data centre's
 * source cache was itself near the end of its lifetime), unless it is purged; in
 * exchange the origin is asked about a source about once per lifetime worldwide.
 *
 * A fresh manifest is never overwritten (only a missing or stale one is written):
 * a data centre whose source cache still holds an older version cannot roll the
 * current version back.
 *
 * Failure is never worse than no tier: every read races a deadline
 * (VARIANT_TIER_TIMEOUT_MS) and any error or timeout reads as a miss; writes run in
 * `waitUntil` under their own deadline and their failures are dropped.
 */
import { digestBytes, hashStrings } from './cache';
import { matchesIfNoneMatch, notModified } from './headers';
import { cacheLifetime, type Source } from './origin';

/** How long a background write may take before it is abandoned. */
const WRITE_TIMEOUT_MS = 10_000;
/** R2 `delete` takes at most 1000 keys per call; `list` returns at most 1000. */
const DELETE_BATCH = 1000;

export interface VariantTierOptions {
  /** Bound on each of a lookup's two reads (the manifest; the variant, body included), in ms. */
  timeoutMs: number;
  /**
   * A variant served from the tier whose upload is older than this (ms) is uploaded
   * again, so the bucket's age-based lifecycle rule removes only variants nobody
   * asked for lately (R2 keeps no access time). 0: on every tier hit.
   */
  touchAfterMs: number;
  cacheTtl: { min: number; max: number; fallback: number };
  waitUntil: (p: Promise<unknown>) => void;
}

/** What one request needs to name its variant. */
export interface TierRequestKeys {
  sourceId: string;
  cacheTag: string;
  canonical: string;
  formatToken: string;
  /** The result cache, so a tier hit also fills this data centre's Cache API. */
  cache?: Cache;
  cacheKey: Request;
  ifNoneMatch: string | null;
}

interface Manifest {
  version: string;
  /** Epoch ms until which the version is trusted without asking the origin. */
  expires: number;
}

/** The manifest as a lookup found it: absent, present, or unknown (the bucket failed). */
type ManifestState = { kind: 'missing' } | { kind: 'unknown' } | { kind: 'fresh' | 'stale'; manifest: Manifest };

interface StoredVariant {
  key: string;
  bytes: Uint8Array;
  headers: Headers;
  version: string;
  uploaded: Date;
}

/** Runs `work` against a deadline; an error or the deadline gives `fallback`. */
async function bounded<T>(ms: number, work: () => Promise<T>, fallback: T): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
  });
  try {
    return await Promise.race([work().catch(() => fallback), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** The source's version: its validator when it has one, else a digest of its bytes (as transform.ts derives ETags). */
export async function sourceVersion(source: Source): Promise<string> {
  return source.etag ?? digestBytes(source.bytes);
}

export class VariantTier {
  constructor(
    private readonly bucket: R2Bucket,
    private readonly options: VariantTierOptions,
  ) {}

  /** The tier's view of one request. */
  request(keys: TierRequestKeys): TierRequest {
    return new TierRequest(this, keys);
  }

  /** Manifest key of a source, by its Cache-Tag. */
  static manifestKey(tag: string): string {
    return `src/${tag}`;
  }

  /** Prefix under which every variant of a source lives, whatever its version. */
  static variantPrefix(tag: string): string {
    return `var/${tag}/`;
  }

  async readManifest(tag: string): Promise<ManifestState> {
    return bounded<ManifestState>(
      this.options.timeoutMs,
      async () => {
        const head = await this.bucket.head(VariantTier.manifestKey(tag));
        const version = head?.customMetadata?.version;
        const expires = Number(head?.customMetadata?.expires);
        if (!head || !version || !Number.isFinite(expires)) return { kind: 'missing' };
        return { kind: expires > Date.now() ? 'fresh' : 'stale', manifest: { version, expires } };
      },
      { kind: 'unknown' },
    );
  }

  async readVariant(key: string): Promise<StoredVariant | null> {
    return bounded<StoredVariant | null>(
      this.options.timeoutMs,
      async () => {
        const obj = await this.bucket.get(key);
        if (!obj) return null;
        const headers = headersOf(obj);
        const version = obj.customMetadata?.version;
        // An object without what a response needs is not ours to serve.
        if (!version || !headers.has('content-type') || !headers.has('etag') || !headers.has('cache-control')) {
          await obj.body.cancel();
          return null;
        }
        // Read the body inside the deadline: a stalled body falls back like a stalled answer.
        const bytes = new Uint8Array(await obj.arrayBuffer());
        return { key, bytes, headers, version, uploaded: obj.uploaded };
      },
      null,
    );
  }

  /** Writes in the background, bounded; a failing bucket changes nothing for the request. */
  background(work: () => Promise<unknown>): void {
    this.options.waitUntil(bounded(WRITE_TIMEOUT_MS, work, undefined));
  }

  writeManifest(tag: string, sourceId: string, version: string, lifetimeS: number): Promise<unknown> {
    const expires = String(Date.now() + lifetimeS * 1000);
    return this.bucket.put(VariantTier.manifestKey(tag), JSON.stringify({ sourceId, version, expires: Number(expires) }), {
      httpMetadata: { contentType: 'application/json' },
      customMetadata: { version, expires },
    });
  }

  writeVariant(key: string, bytes: Uint8Array, headers: Headers, version: string): Promise<unknown> {
    return this.bucket.put(key, bytes, {
      httpMetadata: {
        contentType: headers.get('content-type') ?? undefined,
        cacheControl: headers.get('cache-control') ?? undefined,
        contentDisposition: headers.get('content-disposition') ?? undefined,
      },
      customMetadata: metadataOf(headers, version),
    });
  }

  forget(tag: string): Promise<unknown> {
    return this.bucket.delete(VariantTier.manifestKey(tag));
  }

  /**
   * Removes a source's manifest and every variant of it (all versions). The
   * manifest goes first: from then on no request trusts the old version, even
   * while the variant deletes are still running. Not bounded: an operator's call.
   */
  async purge(tag: string): Promise<{ variants: number; manifest: boolean }> {
    const manifest = (await this.bucket.head(VariantTier.manifestKey(tag))) !== null;
    await this.bucket.delete(VariantTier.manifestKey(tag));
    let variants = 0;
    let cursor: string | undefined;
    do {
      const page = await this.bucket.list({ prefix: VariantTier.variantPrefix(tag), cursor, limit: DELETE_BATCH });
      const keys = page.objects.map((o) => o.key);
      if (keys.length) await this.bucket.delete(keys);
      variants += keys.length;
      cursor = page.truncated ? page.cursor : undefined;
    } while (cursor);
    return { variants, manifest };
  }

  /** Uploads a served variant again when its upload is older than touchAfterMs (see there). */
  touch(hit: StoredVariant): void {
    if (Date.now() - hit.uploaded.getTime() < this.options.touchAfterMs) return;
    const headers = new Headers(hit.headers);
    this.background(() => this.writeVariant(hit.key, hit.bytes, headers, hit.version));
  }

  get cacheTtl(): VariantTierOptions['cacheTtl'] {
    return this.options.cacheTtl;
  }

  get waitUntil(): VariantTierOptions['waitUntil'] {
    return this.options.waitUntil;
  }
}

/**
 * One request's dealings with the tier, in pipeline order: `beforeOrigin` (a fresh
 * manifest and a stored variant: served, no origin, no decode), `afterOrigin` (a
 * stale manifest whose version the fetched source still has: served, no decode),
 * then `store` after a transform (or `forget` when the source now forbids caching).
 */
export class TierRequest {
  private manifest: ManifestState = { kind: 'unknown' };
  private started = 0;

  constructor(
    private readonly tier: VariantTier,
    private readonly keys: TierRequestKeys,
  ) {}

  private async variantKey(version: string): Promise<string> {
    const { sourceId, cacheTag, canonical, formatToken } = this.keys;
    const [v, id] = await Promise.all([hashStrings(version), hashStrings(sourceId, canonical, formatToken)]);
    return `${VariantTier.variantPrefix(cacheTag)}${v.slice(0, 22)}/${id.slice(0, 32)}`;
  }

  /** The stored variant when the manifest is fresh; null to go on to the origin. */
  async beforeOrigin(): Promise<Response | null> {
    this.started = performance.now();
    this.manifest = await this.tier.readManifest(this.keys.cacheTag);
    if (this.manifest.kind !== 'fresh') return null;
    const hit = await this.tier.readVariant(await this.variantKey(this.manifest.manifest.version));
    return hit ? this.deliver(hit, {}) : null;
  }

  /**
   * With a stale manifest: when the fetched source still has the manifest's
   * version, its stored variant is served and the manifest renewed for another
   * source lifetime.
   */
  async afterOrigin(source: Source, originMs: number): Promise<Response | null> {
    if (this.manifest.kind !== 'stale') return null;
    const version = await sourceVersion(source);
    if (version !== this.manifest.manifest.version) return null;
    const lifetime = cacheLifetime(source.cacheControl, this.tier.cacheTtl);
    if (lifetime === null) return null; // now forbids caching: transform; store() will forget it
    const started = performance.now();
    const hit = await this.tier.readVariant(await this.variantKey(version));
    if (!hit) return null;
    source.keep?.(); // the same bytes a variant was made from: an image, fit for the source cache
    this.tier.background(() => this.tier.writeManifest(this.keys.cacheTag, this.keys.sourceId, version, lifetime));
    this.manifest = { kind: 'fresh', manifest: { version, expires: Date.now() + lifetime * 1000 } };
    this.started = started;
    return this.deliver(hit, { origin: originMs });
  }

  /** After a transform: the variant under its source version, and the manifest when there was none or it was stale. */
  store(bytes: Uint8Array, headers: Headers, version: string, maxAge: number): void {
    const { cacheTag, sourceId } = this.keys;
    const state = this.manifest.kind;
    const stored = new Headers(headers);
    this.tier.background(async () => {
      // The variant before the manifest: a manifest never names a version before one of its variants exists.
      await this.tier.writeVariant(await this.variantKey(version), bytes, stored, version);
      if (state === 'missing' || state === 'stale') await this.tier.writeManifest(cacheTag, sourceId, version, maxAge);
    });
  }

  /**
   * After a transform of a source that now forbids caching (no-store, private):
   * nothing is stored, and a manifest naming an older, cacheable version is dropped.
   */
  forget(): void {
    if (this.manifest.kind === 'fresh' || this.manifest.kind === 'stale') this.tier.background(() => this.tier.forget(this.keys.cacheTag));
  }

  /** A stored variant as a response: its stored headers, a tier mark in Server-Timing, and this data centre's cache filled. */
  private deliver(hit: StoredVariant, stages: { origin?: number }): Response {
    this.tier.touch(hit);
    const headers = new Headers(hit.headers);
    const timing: string[] = [];
    if (stages.origin !== undefined) timing.push(`origin;dur=${stages.origin.toFixed(1)}`);
    timing.push(`tier;dur=${(performance.now() - this.started).toFixed(1)}`, 'cache;desc=tier');
    headers.set('Server-Timing', timing.join(', '));
    const { cache, cacheKey, ifNoneMatch } = this.keys;
    if (cache) {
      this.tier.waitUntil(cache.put(cacheKey, new Response(hit.bytes, { headers })).catch(() => {}));
    }
    if (matchesIfNoneMatch(ifNoneMatch, headers.get('etag') ?? '')) return notModified(headers);
    return new Response(hit.bytes, { status: 200, headers });
  }
}

/** Headers of a response as stored: everything a fresh transform sends but its Server-Timing. */
const CUSTOM = { etag: 'ETag', cacheTag: 'Cache-Tag', vary: 'Vary', nosniff: 'X-Content-Type-Options' } as const;

function metadataOf(headers: Headers, version: string): Record<string, string> {
  const meta: Record<string, string> = { version };
  for (const [k, h] of Object.entries(CUSTOM)) {
    const v = headers.get(h);
    if (v) meta[k] = v;
  }
  return meta;
}

function headersOf(obj: R2Object): Headers {
  const headers = new Headers();
  const http = obj.httpMetadata ?? {};
  if (http.contentType) headers.set('Content-Type', http.contentType);
  if (http.cacheControl) headers.set('Cache-Control', http.cacheControl);
  const meta = obj.customMetadata ?? {};
  if (meta.etag) headers.set('ETag', meta.etag);
  if (http.contentDisposition) headers.set('Content-Disposition', http.contentDisposition);
  for (const [k, h] of Object.entries(CUSTOM)) {
    if (k !== 'etag' && meta[k]) headers.set(h, meta[k]!);
  }
  return headers;
}
