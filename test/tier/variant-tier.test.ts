/**
 * The shared variant tier (src/variant-tier.ts) across simulated data centres:
 * each is the real Worker with its own Cache API cache, all share one real
 * (Miniflare) R2 bucket. The loopback origin counts its requests; Server-Timing
 * says whether the source was decoded (test/tier/support.ts).
 *
 * The data centres run in one workerd, as one Worker module called unit style with
 * a different CACHE_NAME each: separate result and source caches, one bucket. The
 * module keeps no per-request state of its own that could answer for the tier (its
 * memoised config is per env object, its codec instances hold no results). The
 * benchmark (bench/run.mjs, tier section) runs the same with two wrangler dev
 * processes sharing one local R2.
 *
 * Run: npx vitest run test/tier
 */
import { describe, expect, it } from 'vitest';
import { readImage } from '../support/images';
import { callWorker, ORIGIN, originHits } from '../support/worker';
import { bucket, dataCentre, freshPath, outcomeOf, sleep, tierKeys, type Outcome } from './support';

/** The headers a variant must keep, whichever layer serves it. */
const KEPT = ['content-type', 'etag', 'cache-control', 'cache-tag', 'vary', 'content-disposition', 'x-content-type-options'];
const keptHeaders = (res: Response) => Object.fromEntries(KEPT.map((h) => [h, res.headers.get(h)]));

const CHROME_ACCEPT = 'image/jxl,image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8';

describe('two data centres, one tier', () => {
  it('the second data centre serves each variant from the tier: no origin fetch, no decode, one transform per variant worldwide', async () => {
    const source = freshPath('/samples/landscape.jpg');
    const variants: { query: string; headers?: Record<string, string> }[] = [
      { query: '?width=120&format=jpeg' },
      { query: '?width=200&format=webp&quality=70' },
      { query: '?width=160&format=auto', headers: { Accept: CHROME_ACCEPT } },
    ];
    const dc1 = dataCentre('a');
    const dc2 = dataCentre('b');
    const outcomes: Record<string, Outcome[]> = {};
    const fresh: Record<string, { headers: Record<string, string | null>; bytes: Uint8Array }> = {};

    for (const dc of [dc1, dc2]) {
      for (const v of variants) {
        for (let i = 0; i < 2; i++) {
          const res = await dc.get(source + v.query, { headers: v.headers });
          const bytes = new Uint8Array(await res.arrayBuffer());
          expect(res.status).toBe(200);
          (outcomes[v.query] ??= []).push(outcomeOf(res));
          if (dc === dc1 && i === 0) fresh[v.query] = { headers: keptHeaders(res), bytes };
          else {
            // Every later copy, tier or cache, is the fresh transform's bytes and headers.
            expect(keptHeaders(res)).toEqual(fresh[v.query]!.headers);
            expect(bytes).toEqual(fresh[v.query]!.bytes);
          }
          if (outcomeOf(res) === 'tier') expect(res.headers.get('server-timing')).not.toMatch(/origin;|decode;|encode;/);
        }
      }
      if (dc === dc1) expect(await originHits(source)).toBe(1); // the second and third variants came from dc1's source cache
    }

    for (const v of variants) expect(outcomes[v.query], v.query).toEqual(['transform', 'hit', 'tier', 'hit']);
    // The second data centre never reached the origin.
    expect(await originHits(source)).toBe(1);
    expect(fresh['?width=160&format=auto']!.headers['vary']).toBe('Accept');
    expect(fresh['?width=160&format=auto']!.headers['content-type']).toBe('image/avif');

    // The tier holds one manifest and the three variants, under the source's Cache-Tag.
    const tag = fresh['?width=120&format=jpeg']!.headers['cache-tag']!;
    const keys = await tierKeys(tag);
    expect(keys.manifest?.customMetadata?.version).toMatch(/^"\d+-landscape\.jpg"$/); // the origin's ETag
    expect(keys.variants).toHaveLength(3);
    expect(new Set(keys.variants.map((k) => k.split('/')[2])).size).toBe(1); // one source version
  });

  it('format=auto: the tier keys on the negotiated format, so another Accept never gets the wrong format', async () => {
    const path = freshPath('/samples/landscape.jpg') + '?width=90&format=auto';
    const avif = await readImage(await dataCentre('x1').get(path, { headers: { Accept: CHROME_ACCEPT } }));
    expect(avif.format).toBe('avif');
    const webpOnly = await dataCentre('x2').get(path, { headers: { Accept: 'image/webp,*/*' } });
    expect(outcomeOf(webpOnly)).toBe('transform');
    expect((await readImage(webpOnly)).format).toBe('webp');
    const plain = await dataCentre('x3').get(path, { headers: { Accept: '*/*' } });
    expect(outcomeOf(plain)).toBe('transform');
    expect((await readImage(plain)).format).toBe('jpeg');
    // Each negotiated format is now in the tier once: a fourth data centre gets each from it.
    for (const [accept, format] of [[CHROME_ACCEPT, 'avif'], ['image/webp,*/*', 'webp'], ['*/*', 'jpeg']] as const) {
      const res = await dataCentre('x4').get(path, { headers: { Accept: accept } });
      expect(outcomeOf(res)).toBe('tier');
      expect((await readImage(res)).format).toBe(format);
    }
  });

  it('a third data centre answers If-None-Match from the tier with 304', async () => {
    const path = freshPath('/samples/badge.png') + '?width=64&format=png';
    const first = await readImage(await dataCentre('c1').get(path));
    const etag = first.headers.get('etag')!;
    const res = await dataCentre('c2').get(path, { headers: { 'If-None-Match': etag } });
    expect(res.status).toBe(304);
    expect(res.headers.get('etag')).toBe(etag);
    expect(res.headers.get('server-timing')).toContain('cache;desc=tier');
  });

  it('is off without the binding: nothing is read or written', async () => {
    const path = freshPath('/samples/landscape.jpg');
    const res = await callWorker(path + '?width=90', { env: { CACHE_NAME: `off-${Math.random()}` } });
    expect(outcomeOf(res)).toBe('transform');
    await res.arrayBuffer();
    const again = await callWorker(path + '?width=90', { env: { CACHE_NAME: `off-${Math.random()}` } });
    expect(outcomeOf(again)).toBe('transform'); // another data centre transforms again
    await again.arrayBuffer();
    const keys = await tierKeys(res.headers.get('cache-tag')!);
    expect(keys).toEqual({ manifest: null, variants: [] });
  });
});

describe('the lifecycle rule sees used variants as new', () => {
  for (const [days, touched] of [['7', false], ['0', true]] as const) {
    it(`VARIANT_TIER_TOUCH_DAYS=${days}: a tier hit ${touched ? 'uploads the variant again' : 'leaves a recent upload alone'}`, async () => {
      const path = freshPath('/samples/badge.png') + '?width=40&format=png';
      const made = await dataCentre('l1').get(path);
      await made.arrayBuffer();
      const [key] = (await tierKeys(made.headers.get('cache-tag')!)).variants;
      const before = (await bucket.head(key!))!;
      await sleep(20);
      const hit = await dataCentre('l2', { VARIANT_TIER_TOUCH_DAYS: days }).get(path);
      expect(outcomeOf(hit)).toBe('tier');
      await hit.arrayBuffer();
      const after = (await bucket.head(key!))!;
      expect(after.uploaded.getTime() > before.uploaded.getTime()).toBe(touched);
      // A re-upload keeps what a fresh transform sent.
      expect(after.httpMetadata).toEqual(before.httpMetadata);
      expect(after.customMetadata).toEqual(before.customMetadata);
    });
  }
});

describe('a source that changes', () => {
  it('revalidates a stale manifest (same ETag: served from the tier, no decode) and gives a new ETag a new variant in every data centre', async () => {
    const name = `chg-${Math.random().toString(36).slice(2)}`;
    const setSource = async (file: string) => {
      const res = await fetch(`${ORIGIN}/__mut?name=${name}&file=${file}&cc=max-age%3D1`);
      return ((await res.json()) as { etag: string }).etag;
    };
    const etag1 = await setSource('samples/landscape.jpg');
    const path = `/mut/${name}`;
    const query = '?width=100&format=png';
    // A one-second source lifetime (CACHE_TTL_MIN=0): manifest, source cache and result cache all expire quickly.
    const short = { CACHE_TTL_MIN: '0' };
    const dc1 = dataCentre('m1', short);
    const dc2 = dataCentre('m2', short);
    const dc3 = dataCentre('m3', short);

    const a = await readImage(await dc1.get(path + query));
    expect(outcomeOf(new Response(null, { headers: a.headers }))).toBe('transform');
    expect([a.width, a.height]).toEqual([100, 67]);
    expect(a.headers.get('cache-control')).toBe('public, max-age=1');
    const tag = a.headers.get('cache-tag')!;
    expect((await tierKeys(tag)).manifest?.customMetadata?.version).toBe(etag1);

    const b = await dc2.get(path + query);
    expect(outcomeOf(b)).toBe('tier');
    expect(b.headers.get('etag')).toBe(a.headers.get('etag'));
    await b.arrayBuffer();
    expect(await originHits(path)).toBe(1);

    // Past the lifetime, unchanged: the source is fetched again (to learn its version) but not decoded.
    await sleep(1100);
    const c = await dc3.get(path + query);
    expect(outcomeOf(c)).toBe('tier');
    expect(c.headers.get('server-timing')).toMatch(/origin;dur=[\d.]+, tier;dur=[\d.]+, cache;desc=tier/);
    expect(c.headers.get('etag')).toBe(a.headers.get('etag'));
    await c.arrayBuffer();
    expect(await originHits(path)).toBe(2);
    const renewed = Number((await tierKeys(tag)).manifest?.customMetadata?.expires);
    expect(renewed).toBeGreaterThan(Date.now());

    // The source changes (a 512x512 PNG, new ETag).
    const etag2 = await setSource('samples/badge.png');
    expect(etag2).not.toBe(etag1);
    await sleep(1100);
    const d = await readImage(await dc1.get(path + query));
    expect(outcomeOf(new Response(null, { headers: d.headers }))).toBe('transform');
    expect([d.width, d.height]).toEqual([100, 100]);
    expect(d.headers.get('etag')).not.toBe(a.headers.get('etag'));
    expect((await tierKeys(tag)).manifest?.customMetadata?.version).toBe(etag2);

    const e = await dc2.get(path + query);
    const eImg = await readImage(e);
    expect(outcomeOf(e)).toBe('tier');
    expect([eImg.width, eImg.height]).toEqual([100, 100]);
    expect(e.headers.get('etag')).toBe(d.headers.get('etag'));
    expect(await originHits(path)).toBe(3); // only dc1's fetch of the new version

    // Both versions' variants are in the tier, under the one source prefix.
    const keys = await tierKeys(tag);
    expect(new Set(keys.variants.map((k) => k.split('/')[2])).size).toBe(2);
  });
});

describe('sources that forbid caching', () => {
  for (const cc of ['no-store', 'private, max-age=600']) {
    it(`"${cc}": never stored, every data centre transforms`, async () => {
      const path = freshPath(`/cc/${encodeURIComponent(cc)}/samples/landscape.jpg`) + '?width=80';
      const first = await dataCentre('n1').get(path);
      expect(outcomeOf(first)).toBe('transform');
      expect(first.headers.get('cache-control')).toBe('no-store');
      await first.arrayBuffer();
      const second = await dataCentre('n2').get(path);
      expect(outcomeOf(second)).toBe('transform');
      await second.arrayBuffer();
      expect(await tierKeys(first.headers.get('cache-tag')!)).toEqual({ manifest: null, variants: [] });
    });
  }

  it('a source that turns no-store has its manifest dropped', async () => {
    const name = `ns-${Math.random().toString(36).slice(2)}`;
    await fetch(`${ORIGIN}/__mut?name=${name}&file=samples/badge.png&cc=max-age%3D1`);
    const short = { CACHE_TTL_MIN: '0' };
    const first = await dataCentre('t1', short).get(`/mut/${name}?width=50`);
    await first.arrayBuffer();
    const tag = first.headers.get('cache-tag')!;
    expect((await tierKeys(tag)).manifest).not.toBeNull();
    await fetch(`${ORIGIN}/__mut?name=${name}&file=samples/badge.png&cc=no-store`);
    await sleep(1100);
    const later = await dataCentre('t2', short).get(`/mut/${name}?width=50`);
    expect(outcomeOf(later)).toBe('transform');
    expect(later.headers.get('cache-control')).toBe('no-store');
    await later.arrayBuffer();
    expect((await tierKeys(tag)).manifest).toBeNull();
  });
});

/** R2 stand-ins for a broken bucket (test doubles of Cloudflare's R2, not of our code). */
function failingBucket(): R2Bucket {
  const fail = () => Promise.reject(new Error('R2 unavailable'));
  return { head: fail, get: fail, put: fail, delete: fail, list: fail } as unknown as R2Bucket;
}

function slowBucket(ms: number): R2Bucket {
  const later = <T>(work: () => Promise<T>) => sleep(ms).then(work);
  return {
    head: (k: string) => later(() => bucket.head(k)),
    get: (k: string) => later(() => bucket.get(k)),
    put: (k: string, v: ArrayBufferView, o?: R2PutOptions) => later(() => bucket.put(k, v, o)),
    delete: (k: string | string[]) => later(() => bucket.delete(k)),
    list: (o?: R2ListOptions) => later(() => bucket.list(o)),
  } as unknown as R2Bucket;
}

describe('a failing tier is no worse than none', () => {
  it('a bucket whose every call fails: 200 from a transform', async () => {
    const path = freshPath('/samples/landscape.jpg') + '?width=70&format=webp';
    for (const name of ['f1', 'f2']) {
      const res = await dataCentre(name, {}, failingBucket()).get(path);
      expect(res.status).toBe(200);
      expect(outcomeOf(res)).toBe('transform');
      expect((await readImage(res)).format).toBe('webp');
    }
  });

  it('a bucket slower than VARIANT_TIER_TIMEOUT_MS: the lookup is abandoned, the answer does not wait for it', async () => {
    const { createExecutionContext, waitOnExecutionContext } = await import('cloudflare:test');
    const { default: worker } = await import('../../src/index');
    const { testEnv } = await import('../support/worker');
    const path = freshPath('/samples/badge.png') + '?width=60&format=png';
    const ctx = createExecutionContext();
    const started = performance.now();
    const res = await worker.fetch(
      new Request('https://thumbs.test' + path),
      testEnv({ VARIANT_BUCKET: slowBucket(4000), VARIANT_TIER_TIMEOUT_MS: '100', CACHE_NAME: `slow-${Math.random()}` }),
      ctx,
    );
    const elapsed = performance.now() - started;
    expect(res.status).toBe(200);
    expect(outcomeOf(res)).toBe('transform');
    expect(elapsed).toBeLessThan(3000); // a wait for the bucket would take 4000 ms
    await res.arrayBuffer();
    await waitOnExecutionContext(ctx); // the background writes finish (slowly) or are abandoned
    // The variant was written late, but no manifest: the lookup never learnt whether a fresh
    // one existed, and a fresh manifest is never overwritten. Nothing stale can come of it.
    const keys = await tierKeys(res.headers.get('cache-tag')!);
    expect(keys.variants).toHaveLength(1);
    expect(keys.manifest).toBeNull();
  });
});
