/**
 * @module purge
 * `POST /__thumbflare/purge`: removes one source's variants from the shared
 * variant tier (src/variant-tier.ts). The zone's purge by Cache-Tag clears the
 * edge caches but cannot reach R2, so this is the tier's half of a purge
 * (docs/deploy.md: tier first, then the zone, so no data centre refills its edge
 * cache from the tier in between).
 *
 * The request is a signed URL (the image URLs' scheme, docs/security.md) that must
 * carry `expires`, which bounds a replay (a replayed purge only costs
 * re-transforms). It names the source by its Cache-Tag (`tag=tf-...`) or as an
 * image URL names it (`source=/photos/a.jpg` or an absolute URL), resolved exactly
 * as an image request would (ORIGIN, SOURCE_BUCKET).
 */
import { sourceCacheTag } from './cache';
import type { Config } from './config';
import { badSignature, invalidParam, notFound, tierFailed } from './errors';
import { verifySignature } from './security/sign';
import { describeSource, resolveSource } from './source';
import type { VariantTier } from './variant-tier';

export const PURGE_PATH = '/__thumbflare/purge';

const TAG = /^tf-[A-Za-z0-9_-]{22}$/;

export interface PurgeDeps {
  config: Config;
  tier?: VariantTier;
  hasSourceBucket: boolean;
  nowSeconds: number;
}

export async function purgeSource(url: URL, deps: PurgeDeps): Promise<Response> {
  const { config } = deps;
  // Fail closed: without keys anyone could empty the tier.
  if (!config.signingKeys.length) throw badSignature('purge requests must be signed; set SIGNING_KEYS');
  if (!url.searchParams.has('expires')) throw badSignature('purge requests must carry expires');
  await verifySignature(url, config.signingKeys, deps.nowSeconds);

  const tags = url.searchParams.getAll('tag');
  const sources = url.searchParams.getAll('source');
  if (tags.length + sources.length !== 1) throw invalidParam('tag', 'give exactly one of tag or source');
  let tag: string;
  if (tags.length) {
    tag = tags[0]!;
    if (!TAG.test(tag)) throw invalidParam('tag', 'tag must be a Thumbflare Cache-Tag (tf- and 22 base64url characters)');
  } else {
    const ref = resolveSource(sources[0]!, { origin: config.origin, hasBucket: deps.hasSourceBucket });
    tag = await sourceCacheTag(describeSource(ref));
  }

  if (!deps.tier) throw notFound('no variant tier is bound (VARIANT_BUCKET)');
  let purged: { variants: number; manifest: boolean };
  try {
    purged = await deps.tier.purge(tag);
  } catch {
    throw tierFailed();
  }
  return new Response(JSON.stringify({ tag, ...purged }), {
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' },
  });
}
