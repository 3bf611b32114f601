/**
 * @module test/tier/support
 * Simulated data centres for the variant-tier tests. A data centre is the real
 * Worker (unit style, src/index.ts) with its own Cache API cache (CACHE_NAME: a
 * named cache per data centre, so neither its result cache nor its source cache is
 * shared) and the one shared R2 bucket, Miniflare's real R2 (VARIANT_BUCKET_TEST in
 * vitest.config.ts), bound as VARIANT_BUCKET.
 *
 * What served a response is read from its Server-Timing, which the Worker writes
 * per stage: `decode;dur=` only when the source was decoded (a transform),
 * `cache;desc=tier` for the tier, `cache;desc=hit` for this data centre's cache.
 */
import { env } from 'cloudflare:workers';
import type { Env } from '../../src/config';
import { callWorker } from '../support/worker';

export const bucket = (env as unknown as { VARIANT_BUCKET_TEST: R2Bucket }).VARIANT_BUCKET_TEST;

export type Outcome = 'transform' | 'tier' | 'hit' | 'other';

/** Which stage answered, from the Worker's own Server-Timing. */
export function outcomeOf(res: Response): Outcome {
  const timing = res.headers.get('server-timing') ?? '';
  if (/(^|,\s*)decode;dur=/.test(timing)) return 'transform';
  if (timing.includes('cache;desc=tier')) return 'tier';
  if (timing.includes('cache;desc=hit')) return 'hit';
  return 'other';
}

let run = 0;
const runId = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

/** A source path no other test has used: cold caches, its own tag in the tier. */
export const freshPath = (path: string) => `/u/tier-${runId}-${run++}${path}`;

export interface DataCentre {
  name: string;
  get(path: string, init?: { headers?: Record<string, string>; env?: Partial<Env> }): Promise<Response>;
}

/** A data centre: its own named cache, the shared bucket (or `tierBucket`), and env overrides. */
export function dataCentre(name: string, extra: Partial<Env> = {}, tierBucket: R2Bucket | undefined = bucket): DataCentre {
  const cacheName = `dc-${name}-${runId}`;
  return {
    name,
    get: (path, init = {}) =>
      callWorker(path, { headers: init.headers, env: { CACHE_NAME: cacheName, VARIANT_BUCKET: tierBucket, ...extra, ...init.env } }),
  };
}

/** Every key the tier holds for a source's Cache-Tag: its manifest and its variants. */
export async function tierKeys(tag: string): Promise<{ manifest: R2Object | null; variants: string[] }> {
  const manifest = await bucket.head(`src/${tag}`);
  const variants: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await bucket.list({ prefix: `var/${tag}/`, cursor });
    variants.push(...page.objects.map((o) => o.key));
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return { manifest, variants };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
