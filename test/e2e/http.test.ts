/**
 * HTTP behaviour end to end: caching headers, ETag/304, the edge cache (no
 * second origin fetch), every documented error status with its JSON body, and
 * what reaches the origin.
 */
import { describe, expect, it } from 'vitest';
import { readError, readImage } from '../support/images';
import { callWorker, ORIGIN, originHits } from '../support/worker';

let unique = 0;
/** A source path no earlier request has touched: the caches are cold for it. */
const fresh = (path: string) => `/u/${Date.now()}-${unique++}${path}`;

describe('response headers', () => {
  it('carries type, disposition, nosniff, cache tag and per-stage Server-Timing', async () => {
    const img = await readImage(await callWorker(fresh('/gen/photo-640.jpg') + '?w=100&format=webp'));
    const h = img.headers;
    expect(h.get('content-type')).toBe('image/webp');
    expect(h.get('content-disposition')).toBe('inline; filename="photo-640.webp"');
    expect(h.get('x-content-type-options')).toBe('nosniff');
    expect(h.get('cache-tag')).toMatch(/^tf-[A-Za-z0-9_-]{22}$/);
    const timing = h.get('server-timing')!;
    for (const stage of ['request', 'result-cache', 'source-cache', 'origin-headers', 'origin-body', 'probe', 'decode', 'step-resize', 'encode', 'hash', 'total']) {
      expect(timing).toMatch(new RegExp(`(^|, )${stage};dur=\\d`));
    }
    expect(timing).toContain('cache-put;desc="waitUntil"');
    expect(timing).toContain('cache;desc=miss');
  });

  const TTL: [string, string][] = [
    ['max-age=7200', 'public, max-age=7200'],
    ['public, s-maxage=90000, max-age=100', 'public, max-age=90000'],
    ['max-age=60', 'public, max-age=3600'],
    ['max-age=999999999', 'public, max-age=31536000'],
    ['-', 'public, max-age=86400'],
    ['no-store', 'no-store'],
    ['private, max-age=600', 'no-store'],
  ];
  for (const [origin, expected] of TTL) {
    it(`origin Cache-Control "${origin}" -> "${expected}"`, async () => {
      const path = fresh(`/cc/${encodeURIComponent(origin)}/corpus/jpeg/hopper.jpg`);
      const img = await readImage(await callWorker(`${path}?w=20`));
      expect(img.headers.get('cache-control')).toBe(expected);
    });
  }
  it('TTL bounds are configurable', async () => {
    const path = fresh(`/cc/max-age%3D5/corpus/jpeg/hopper.jpg`);
    const img = await readImage(await callWorker(`${path}?w=20`, { env: { CACHE_TTL_MIN: '0' } }));
    expect(img.headers.get('cache-control')).toBe('public, max-age=5');
  });
  it('an origin no-store source is fetched again every time, never cached', async () => {
    const path = fresh('/cc/no-store/corpus/jpeg/hopper.jpg');
    await readImage(await callWorker(`${path}?w=20`));
    await readImage(await callWorker(`${path}?w=20`));
    expect(await originHits(path)).toBe(2);
  });
});

describe('ETag and 304', () => {
  it('is strong, stable for the same source, options and format, and different otherwise', async () => {
    const path = fresh('/gen/photo-640.jpg');
    const a = (await readImage(await callWorker(`${path}?w=100&h=100&fit=cover`))).headers.get('etag')!;
    expect(a).toMatch(/^"[A-Za-z0-9_-]+"$/);
    const sameAgain = (await readImage(await callWorker(`${fresh('/gen/photo-640.jpg')}?fit=cover&height=100&width=100`))).headers.get('etag');
    expect(sameAgain).toBe(a); // same bytes from the origin (its validator), same options
    const other = (await readImage(await callWorker(`${path}?w=101&h=100&fit=cover`))).headers.get('etag');
    const webp = (await readImage(await callWorker(`${path}?w=100&h=100&fit=cover&format=webp`))).headers.get('etag');
    expect(new Set([a, other, webp]).size).toBe(3);
  });
  it('If-None-Match answers 304 with no body, on a miss and on a cache hit', async () => {
    const url = `${fresh('/gen/photo-640.jpg')}?w=64`;
    const first = await callWorker(url);
    const etag = first.headers.get('etag')!;
    await first.arrayBuffer();
    for (const inm of [etag, `W/${etag}`, `"nope", ${etag}`, '*']) {
      const res = await callWorker(url, { headers: { 'If-None-Match': inm } });
      expect(res.status).toBe(304);
      expect(await res.text()).toBe('');
      expect(res.headers.get('etag')).toBe(etag);
      expect(res.headers.get('cache-control')).toBe(first.headers.get('cache-control'));
      // A 304 from the result cache says it was a hit, not the stage timings of the miss that stored it.
      expect(res.headers.get('server-timing')).toMatch(/^request;dur=[\d.]+, result-cache;dur=[\d.]+, total;dur=[\d.]+, cache;desc=hit$/);
    }
    const miss = await callWorker(`${fresh('/gen/photo-640.jpg')}?w=64`, { headers: { 'If-None-Match': etag } });
    expect(miss.status).toBe(304);
    const stale = await callWorker(url, { headers: { 'If-None-Match': '"other"' } });
    expect(stale.status).toBe(200);
  });
});

describe('edge cache', () => {
  it('serves the second identical request from the cache without touching the origin', async () => {
    const path = fresh('/corpus/png/basn6a08.png');
    const first = await readImage(await callWorker(`${path}?w=17`));
    expect(first.headers.get('server-timing')).toContain('cache;desc=miss');
    const second = await readImage(await callWorker(`${path}?w=17`));
    expect(second.headers.get('server-timing')).toContain('cache;desc=hit');
    expect(second.bytes).toEqual(first.bytes);
    expect(second.headers.get('etag')).toBe(first.headers.get('etag'));
    expect(await originHits(path)).toBe(1);
  });
  it('reuses the cached source for other options', async () => {
    const path = fresh('/corpus/png/basn6a08.png');
    await readImage(await callWorker(`${path}?w=17`));
    const other = await readImage(await callWorker(`${path}?w=9&format=webp`));
    expect(other.width).toBe(9);
    expect(await originHits(path)).toBe(1);
  });
  it('keys negotiated results by what Accept allows (the Cache API ignores Vary)', async () => {
    const url = `${fresh('/gen/photo-640.jpg')}?w=50&format=auto`;
    const webp = await readImage(await callWorker(url, { headers: { Accept: 'image/webp,*/*' } }));
    const jpeg = await readImage(await callWorker(url, { headers: { Accept: '*/*' } }));
    const webpAgain = await readImage(await callWorker(url, { headers: { Accept: 'image/webp,*/*' } }));
    expect([webp.format, jpeg.format, webpAgain.format]).toEqual(['webp', 'jpeg', 'webp']);
    expect(webpAgain.headers.get('server-timing')).toContain('cache;desc=hit');
  });
  it('the cached source carries the same Cache-Tag as its variants, so one purge refreshes both', async () => {
    const path = fresh('/corpus/jpeg/hopper.jpg');
    const img = await readImage(await callWorker(`${path}?w=12`));
    const tag = img.headers.get('cache-tag');
    const cachedSource = await caches.default.match(`${ORIGIN}${path}`);
    expect(cachedSource).toBeDefined();
    expect(cachedSource!.headers.get('cache-tag')).toBe(tag);
    await cachedSource!.arrayBuffer();
  });
  it('does not store errors as images', async () => {
    const path = fresh('/fault/html');
    expect((await callWorker(path)).status).toBe(415);
    expect((await callWorker(path)).status).toBe(415);
    expect(await originHits(path)).toBe(2);
  });
});

describe('what reaches the origin', () => {
  it('forwards no client header (Cookie, Authorization, Referer)', async () => {
    const path = fresh('/corpus/jpeg/hopper.jpg');
    await readImage(
      await callWorker(`${path}?w=10`, { headers: { Cookie: 'session=secret', Authorization: 'Bearer x', Referer: 'https://site.example/' } }),
    );
    const seen = (await (await fetch(`${ORIGIN}/__last-headers`)).json()) as Record<string, string>;
    expect(seen.cookie).toBeUndefined();
    expect(seen.authorization).toBeUndefined();
    expect(seen.referer).toBeUndefined();
  });
});

describe('errors: documented status, JSON body naming the cause', () => {
  const CASES: [string, string, number, string, Record<string, string>?][] = [
    ['bad parameter', '/corpus/jpeg/hopper.jpg?width=0', 400, 'invalid_param'],
    ['unknown parameter', '/corpus/jpeg/hopper.jpg?zoom=2', 400, 'invalid_param'],
    ['remote URL not allowed', '/?url=https%3A%2F%2Fevil.example%2Fa.jpg', 403, 'not_allowed'],
    ['remote private address', `/?url=${encodeURIComponent('http://127.0.0.1:1/a.jpg')}`, 403, 'not_allowed', { ALLOWED_ORIGINS: 'https://*.example.com' }],
    ['source not found', '/corpus/nope.jpg', 404, 'not_found'],
    ['sample not found', '/samples/nope.jpg', 404, 'not_found', { ORIGIN: '' }],
    ['origin 403 is not ours to pass on', '/fault/error?status=403', 502, 'origin_failed'],
    ['source larger than MAX_SOURCE_BYTES (declared)', '/fault/bigdeclared', 413, 'too_large'],
    ['source larger than MAX_SOURCE_BYTES (streamed, no length)', '/fault/bytebomb', 413, 'too_large', { MAX_SOURCE_BYTES: '2000000' }],
    ['pixel bomb', '/fault/pngbomb', 413, 'too_large'],
    ['gzip body decoding past MAX_SOURCE_BYTES (Content-Length counts compressed bytes)', '/fault/gzipbomb', 413, 'too_large', { MAX_SOURCE_BYTES: '2000000' }],
    ['PNG over MAX_PNG_PIXELS', '/corpus/png/basn6a08.png', 413, 'too_large', { MAX_PNG_PIXELS: '1000' }],
    ['GIF over MAX_SOURCE_PIXELS', '/corpus/gif/hopper.gif', 413, 'too_large', { MAX_SOURCE_PIXELS: '1000' }],
    ['baseline JPEG over MAX_JPEG_PIXELS', '/corpus/jpeg/hopper.jpg', 413, 'too_large', { MAX_JPEG_PIXELS: '1000' }],
    ['progressive JPEG over MAX_PROGRESSIVE_PIXELS', '/corpus/jpeg/icc_profile_big.jpg', 413, 'too_large', { MAX_PROGRESSIVE_PIXELS: '1000' }],
    ['HTML source', '/fault/html', 415, 'unsupported'],
    // SVG sources are rasterised (test/e2e/svg-jxl.test.ts); one declaring entities is refused.
    ['SVG source declaring entities', '/svg/billion-laughs.svg', 415, 'unsupported'],
    ['corrupt PNG', '/corpus/bad/xhdn0g08.png', 422, 'corrupt'],
    ['origin 500', '/fault/error?status=500', 502, 'origin_failed'],
    ['origin 503', '/fault/error?status=503', 502, 'origin_failed'],
    ['origin resets the connection', '/fault/reset', 502, 'origin_failed'],
    ['origin sends fewer bytes than promised', '/fault/short', 502, 'origin_failed'],
    ['redirect loop', '/fault/loop', 502, 'origin_failed'],
    ['too many redirects', '/fault/redirect?n=4', 502, 'origin_failed'],
    ['origin too slow', '/fault/slow?ms=3000', 504, 'origin_timeout', { ORIGIN_TIMEOUT_MS: '500' }],
    ['origin stalls mid-body', '/fault/stall?ms=3000', 504, 'origin_timeout', { ORIGIN_TIMEOUT_MS: '800' }],
  ];
  for (const [name, path, status, code, env] of CASES) {
    it(`${name} -> ${status} ${code}`, async () => {
      // Fault paths carry their parameters in the query, which the path form does not forward: use the remote form.
      const url = path.startsWith('/fault/') && path.includes('?')
        ? `/?url=${encodeURIComponent(ORIGIN + fresh(path))}`
        : path.startsWith('/fault/') ? fresh(path) : path;
      const started = Date.now();
      const res = await callWorker(url, { env: { ALLOWED_ORIGINS: ORIGIN, ...env } });
      const err = await readError(res);
      expect(res.status).toBe(status);
      expect(err.code).toBe(code);
      expect(Date.now() - started).toBeLessThan(2500);
    });
  }
  it('a chunked body (no Content-Length) and a gzip-encoded one give the same image as a plain one', async () => {
    const plain = await readImage(await callWorker(`${fresh('/samples/landscape.jpg')}?w=60`));
    for (const fault of ['/fault/chunked', '/fault/gzip']) {
      const img = await readImage(await callWorker(`${fresh(fault)}?w=60`));
      expect(img.width).toBe(60);
      expect(img.bytes).toEqual(plain.bytes);
    }
  });
  it('a redirect chain within the limit is followed', async () => {
    const img = await readImage(await callWorker(`/?url=${encodeURIComponent(`${ORIGIN}${fresh('/fault/redirect')}?n=3`)}&w=40`, { env: { ALLOWED_ORIGINS: ORIGIN } }));
    expect(img.width).toBe(40);
  });
  it('each redirect hop is checked against ALLOWED_ORIGINS', async () => {
    const hop = `${ORIGIN}${fresh('/fault/redirect')}?to=${encodeURIComponent('http://169.254.169.254/latest/meta-data')}`;
    const res = await callWorker(`/?url=${encodeURIComponent(hop)}`, { env: { ALLOWED_ORIGINS: ORIGIN } });
    expect(res.status).toBe(403);
    expect((await readError(res)).code).toBe('not_allowed');
  });
  it('onerror=redirect sends the client to a source that cannot be transformed', async () => {
    const src = `${ORIGIN}${fresh('/fault/html')}`;
    const res = await callWorker(`/?url=${encodeURIComponent(src)}&onerror=redirect`, { env: { ALLOWED_ORIGINS: ORIGIN } });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(src);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });
  it('marks its origin requests with Via, and refuses a request that already passed through a Thumbflare (508)', async () => {
    const path = fresh('/corpus/jpeg/hopper.jpg');
    await readImage(await callWorker(`${path}?w=10`));
    const seen = (await (await fetch(`${ORIGIN}/__last-headers`)).json()) as Record<string, string>;
    expect(seen.via).toBe('1.1 thumbflare');
    const looped = await callWorker(`${fresh('/corpus/jpeg/hopper.jpg')}?w=10`, { headers: { Via: '1.1 cdn, 1.1 thumbflare' } });
    expect(looped.status).toBe(508);
    expect((await readError(looped)).code).toBe('loop_detected');
    expect((await callWorker('/corpus/jpeg/hopper.jpg?w=10', { headers: { Via: '1.1 some-proxy' } })).status).toBe(200);
  });
  it('other methods get 405', async () => {
    const res = await callWorker('/corpus/jpeg/hopper.jpg', { method: 'POST' });
    expect(res.status).toBe(405);
    expect((await readError(res)).code).toBe('method_not_allowed');
  });
  it('HEAD answers the headers of GET', async () => {
    const res = await callWorker('/corpus/jpeg/hopper.jpg?w=10', { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
  });
  it('GET / with no url is the index page', async () => {
    const res = await callWorker('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await res.text()).toContain('Thumbflare');
  });
  it('the Worker still serves a good image after all of the above', async () => {
    expect((await readImage(await callWorker('/corpus/jpeg/hopper.jpg?w=10'))).width).toBe(10);
  });
});
