/**
 * POST /__thumbflare/purge (src/purge.ts): a signed request removes a source's
 * variants from the shared tier, named by its Cache-Tag or as an image URL names
 * the source; unsigned, unexpiring or malformed purges are refused.
 *
 * Run: npx vitest run test/tier
 */
import { describe, expect, it } from 'vitest';
import { signUrl } from '../../src/security/sign';
import { readError } from '../support/images';
import { callWorker, originHits } from '../support/worker';
import { bucket, dataCentre, freshPath, outcomeOf, tierKeys } from './support';

const KEY = 'purge-key-2026';
const now = () => Math.floor(Date.now() / 1000);

/** A signed, expiring purge URL, as `thumbflare sign --ttl 300` makes it. */
const signedPurge = (query: string, key = KEY) => signUrl(`/__thumbflare/purge?${query}`, key, { expires: now() + 300 });

function purge(path: string, env: Record<string, unknown> = {}, method = 'POST'): Promise<Response> {
  return callWorker(path, { method, env: { VARIANT_BUCKET: bucket, SIGNING_KEYS: KEY, ...env } });
}

/** Two variants of a fresh source made in one data centre; returns its path and tag. */
async function seed(): Promise<{ source: string; tag: string }> {
  const source = freshPath('/samples/landscape.jpg');
  const dc = dataCentre('p1');
  let tag = '';
  for (const q of ['?width=50', '?width=60&format=webp']) {
    const res = await dc.get(source + q);
    expect(outcomeOf(res)).toBe('transform');
    tag = res.headers.get('cache-tag')!;
    await res.arrayBuffer();
  }
  const keys = await tierKeys(tag);
  expect(keys.variants).toHaveLength(2);
  expect(keys.manifest).not.toBeNull();
  return { source, tag };
}

describe('purge', () => {
  it('by Cache-Tag: removes the manifest and every variant; the next data centre transforms afresh', async () => {
    const { source, tag } = await seed();
    const res = await purge(await signedPurge(`tag=${tag}`));
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual({ tag, variants: 2, manifest: true });
    expect(await tierKeys(tag)).toEqual({ manifest: null, variants: [] });

    const before = await originHits(source);
    const after = await dataCentre('p2').get(source + '?width=50');
    expect(outcomeOf(after)).toBe('transform');
    await after.arrayBuffer();
    expect(await originHits(source)).toBe(before + 1);
  });

  it('by source, named as the image URL names it', async () => {
    const { source, tag } = await seed();
    const res = await purge(await signedPurge(`source=${encodeURIComponent(source)}`));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ tag, variants: 2, manifest: true });
    expect(await tierKeys(tag)).toEqual({ manifest: null, variants: [] });
  });

  it('purging a source the tier does not hold answers 200 with nothing removed', async () => {
    const res = await purge(await signedPurge('tag=tf-AAAAAAAAAAAAAAAAAAAAAA'));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ tag: 'tf-AAAAAAAAAAAAAAAAAAAAAA', variants: 0, manifest: false });
  });

  const REFUSED: [string, () => Promise<[string, Record<string, unknown>?]>, number, string, string][] = [
    ['unsigned', async () => [`/__thumbflare/purge?tag=tf-AAAAAAAAAAAAAAAAAAAAAA&expires=${now() + 60}`], 403, 'bad_signature', 'missing signature'],
    ['signed by another key', async () => [await signedPurge('tag=tf-AAAAAAAAAAAAAAAAAAAAAA', 'wrong')], 403, 'bad_signature', 'invalid signature'],
    ['signed without expires', async () => [await signUrl('/__thumbflare/purge?tag=tf-AAAAAAAAAAAAAAAAAAAAAA', KEY)], 403, 'bad_signature', 'purge requests must carry expires'],
    ['expired', async () => [await signUrl('/__thumbflare/purge?tag=tf-AAAAAAAAAAAAAAAAAAAAAA', KEY, { expires: now() - 5 })], 403, 'bad_signature', 'signature expired'],
    ['no SIGNING_KEYS configured', async () => [await signedPurge('tag=tf-AAAAAAAAAAAAAAAAAAAAAA'), { SIGNING_KEYS: '' }], 403, 'bad_signature', 'purge requests must be signed; set SIGNING_KEYS'],
    ['a malformed tag', async () => [await signedPurge('tag=other-tag')], 400, 'invalid_param', 'tag must be a Thumbflare Cache-Tag (tf- and 22 base64url characters)'],
    ['neither tag nor source', async () => [await signedPurge('x=1')], 400, 'invalid_param', 'give exactly one of tag or source'],
    ['no tier bound', async () => [await signedPurge('tag=tf-AAAAAAAAAAAAAAAAAAAAAA'), { VARIANT_BUCKET: undefined }], 404, 'not_found', 'no variant tier is bound (VARIANT_BUCKET)'],
  ];
  for (const [name, make, status, code, message] of REFUSED) {
    it(`${name} -> ${status} ${code}`, async () => {
      const [path, env] = await make();
      const res = await purge(path, env);
      expect(res.status).toBe(status);
      expect(await readError(res)).toMatchObject({ code, message });
    });
  }

  it('a bucket that fails during the purge -> 503 tier_failed with Retry-After', async () => {
    const fail = () => Promise.reject(new Error('R2 unavailable'));
    const broken = { head: fail, get: fail, put: fail, delete: fail, list: fail } as unknown as R2Bucket;
    const res = await purge(await signedPurge('tag=tf-AAAAAAAAAAAAAAAAAAAAAA'), { VARIANT_BUCKET: broken });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect((await readError(res)).code).toBe('tier_failed');
  });

  it('only POST on the purge path is let through; other methods stay 405', async () => {
    for (const [path, method] of [['/__thumbflare/purge', 'PUT'], ['/__thumbflare/purge', 'DELETE'], ['/samples/landscape.jpg', 'POST']] as const) {
      const res = await purge(path, {}, method);
      expect(res.status, `${method} ${path}`).toBe(405);
      expect((await readError(res)).code).toBe('method_not_allowed');
    }
  });
});
