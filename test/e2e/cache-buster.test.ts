/**
 * Cache-buster query parameters (CACHE_BUSTER_PARAMS, default `v,cb`) on the path
 * form, end to end: they reach the origin, name a new result and a new source in the
 * caches, are covered by `sig`, and stay refused where they are not configured.
 */
import { describe, expect, it } from 'vitest';
import { signUrl } from '../../src/security/sign';
import { readError, readImage } from '../support/images';
import { callWorker, ORIGIN, originHits } from '../support/worker';

let unique = 0;
/** A source path no earlier request has touched: the caches are cold for it. */
const fresh = (path: string) => `/u/cb-${Date.now()}-${unique++}${path}`;
const lastOriginUrl = async () => (await (await fetch(`${ORIGIN}/__last-url`)).json()) as string;

describe('cache busters on the path form', () => {
  it('?v=3 reaches the origin, and v=4 is a new result and a new source fetch', async () => {
    const path = fresh('/samples/landscape.jpg');
    const first = await readImage(await callWorker(`${path}?w=64&v=3`));
    expect(first.width).toBe(64);
    expect(await lastOriginUrl()).toBe(`${path}?v=3`);
    expect(await originHits(path)).toBe(1);

    // Same v: the result cache answers; the origin is not asked again.
    const again = await callWorker(`${path}?w=64&v=3`);
    expect(again.headers.get('server-timing')).toContain('cache;desc=hit');
    expect(await originHits(path)).toBe(1);

    // A new v: a miss in both caches, and the origin is asked with the new value.
    const bumped = await callWorker(`${path}?w=64&v=4`);
    expect(bumped.status).toBe(200);
    expect(bumped.headers.get('server-timing')).toContain('cache;desc=miss');
    expect(await originHits(path)).toBe(2);
    expect(await lastOriginUrl()).toBe(`${path}?v=4`);

    // Without v it is a third source URL, not either versioned one.
    await readImage(await callWorker(`${path}?w=64`));
    expect(await originHits(path)).toBe(3);
    expect(await lastOriginUrl()).toBe(path);
  });

  it('cb works too, beside options in any order, and keeps its encoding', async () => {
    const path = fresh('/samples/badge.png');
    const img = await readImage(await callWorker(`${path}?cb=2026-12%2F01&format=webp&w=40`));
    expect(img.format).toBe('webp');
    expect(img.width).toBe(40);
    expect(await lastOriginUrl()).toBe(`${path}?cb=2026-12%2F01`);
  });

  it('a configured list replaces the default: v is then an unknown parameter again', async () => {
    const path = fresh('/samples/landscape.jpg');
    const env = { CACHE_BUSTER_PARAMS: 'rev' };
    await readImage(await callWorker(`${path}?w=30&rev=abc`, { env }));
    expect(await lastOriginUrl()).toBe(`${path}?rev=abc`);
    const err = await readError(await callWorker(`${path}?w=30&v=3`, { env }));
    expect(err.status).toBe(400);
    expect(err.param).toBe('v');
  });

  it('the remote form refuses a bare v: the buster belongs inside url=', async () => {
    const err = await readError(await callWorker(`/?url=${encodeURIComponent('/samples/landscape.jpg')}&w=30&v=3`));
    expect(err.status).toBe(400);
    expect(err.param).toBe('v');
  });

  it('sig covers v: a signed v=3 is served, the same signature with v=4 is refused', async () => {
    const env = { SIGNING_KEYS: 'bust-key' };
    const signed = await signUrl(`${fresh('/samples/landscape.jpg')}?w=32&v=3`, 'bust-key');
    expect((await readImage(await callWorker(signed, { env }))).width).toBe(32);
    const err = await readError(await callWorker(signed.replace('v=3', 'v=4'), { env }));
    expect(err.status).toBe(403);
    expect(err.message).toContain('invalid signature');
  });
});
