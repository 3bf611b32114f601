/**
 * R2 as the source store: with an R2 bucket bound as SOURCE_BUCKET, path-form
 * sources (and root-relative `url=`) are read from it by key (the path without
 * its leading '/', percent-decoded), falling back to ORIGIN when the key is
 * missing. Miniflare's local R2 (vitest.config.ts binds SOURCE_BUCKET_TEST) stands
 * in for the bucket; ORIGIN is the loopback origin server, whose hit counter
 * proves which requests reached it.
 *
 * Run: npx vitest run test/r2
 */
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { callWorker, ORIGIN, originHits, sniffFormat } from '../support/worker';

const bucket = (env as unknown as { SOURCE_BUCKET_TEST: R2Bucket }).SOURCE_BUCKET_TEST;
const withBucket = { SOURCE_BUCKET: bucket };

/** Bytes of a bundled sample, read once through the origin server (under a path no test asks the Worker for). */
async function sample(name: string): Promise<Uint8Array> {
  const res = await fetch(`${ORIGIN}/samples/${name}?cc=no-store`);
  expect(res.status).toBe(200);
  return new Uint8Array(await res.arrayBuffer());
}

interface Described {
  source: { format: string; width: number; height: number; bytes: number };
  output: { format: string; width: number; height: number };
}

async function describeSource(path: string, extra: Partial<Record<string, unknown>> = {}): Promise<Described> {
  const res = await callWorker(path, { env: { ...withBucket, ...extra } });
  const text = await res.text();
  expect(res.status, text).toBe(200);
  return JSON.parse(text) as Described;
}

let jpeg: Uint8Array;
let png: Uint8Array;

beforeAll(async () => {
  jpeg = await sample('landscape.jpg'); // 1600x1067
  png = await sample('badge.png'); // 512x512
});

describe('R2 source (SOURCE_BUCKET)', () => {
  it('serves a key present in R2 from R2 without asking ORIGIN', async () => {
    await bucket.put('r2/only.jpg', jpeg, { httpMetadata: { contentType: 'image/jpeg' } });
    const res = await callWorker('/r2/only.jpg?width=200&format=webp', { env: withBucket });
    const body = new Uint8Array(await res.arrayBuffer());
    expect(res.status, new TextDecoder().decode(body.subarray(0, 300))).toBe(200);
    expect(sniffFormat(body)).toBe('webp');
    expect(res.headers.get('etag')).toMatch(/^"[A-Za-z0-9_-]{32}"$/);
    expect(res.headers.get('cache-tag')).toMatch(/^tf-[A-Za-z0-9_-]{22}$/);
    expect(await originHits('/r2/only.jpg')).toBe(0);
  });

  it('prefers R2 over ORIGIN when both have the path', async () => {
    // ORIGIN serves /samples/landscape.webp (800x534 WebP); R2 holds a PNG under the same key.
    await bucket.put('samples/landscape.webp', png);
    const before = await originHits('/samples/landscape.webp');
    const info = await describeSource('/samples/landscape.webp?format=json');
    expect(info.source).toMatchObject({ format: 'png', width: 512, height: 512, bytes: png.byteLength });
    expect(await originHits('/samples/landscape.webp')).toBe(before);
  });

  it('reads root-relative url= and the /cdn-cgi/image/ form from R2 too', async () => {
    await bucket.put('r2/forms.png', png);
    const remote = await describeSource('/?url=/r2/forms.png&format=json');
    expect(remote.source.format).toBe('png');
    const cdn = await callWorker('/cdn-cgi/image/width=64,format=png/r2/forms.png', { env: withBucket });
    const body = new Uint8Array(await cdn.arrayBuffer());
    expect(cdn.status).toBe(200);
    expect(sniffFormat(body)).toBe('png');
    expect(await originHits('/r2/forms.png')).toBe(0);
  });

  it('percent-decodes the path into the key', async () => {
    await bucket.put('r2/with space/ünï.png', png);
    const info = await describeSource('/r2/with%20space/%C3%BCn%C3%AF.png?format=json');
    expect(info.source.format).toBe('png');
  });

  it('falls back to ORIGIN for a key missing from R2', async () => {
    expect(await bucket.head('samples/landscape.jpg')).toBeNull();
    const before = await originHits('/samples/landscape.jpg');
    const res = await callWorker('/samples/landscape.jpg?width=120&format=jpeg', { env: withBucket });
    const body = new Uint8Array(await res.arrayBuffer());
    expect(res.status).toBe(200);
    expect(sniffFormat(body)).toBe('jpeg');
    expect(await originHits('/samples/landscape.jpg')).toBe(before + 1);
  });

  it('answers 404 JSON when the key is in neither R2 nor ORIGIN', async () => {
    const res = await callWorker('/r2/nowhere.jpg?width=100', { env: withBucket });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as { error: { status: number; code: string } };
    expect(body.error).toMatchObject({ status: 404, code: 'not_found' });
    expect(await originHits('/r2/nowhere.jpg')).toBe(1); // R2 missed, ORIGIN was asked once
  });

  it('answers 404 for a missing key when there is no ORIGIN to fall back to', async () => {
    const res = await callWorker('/r2/absent.jpg?width=100', { env: { ...withBucket, ORIGIN: '' } });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not_found');
  });

  it('refuses an R2 object larger than MAX_SOURCE_BYTES with 413, before reading it', async () => {
    await bucket.put('r2/big.jpg', jpeg);
    const res = await callWorker('/r2/big.jpg?width=100', { env: { ...withBucket, MAX_SOURCE_BYTES: String(jpeg.byteLength - 1) } });
    expect(res.status).toBe(413);
    const body = (await res.json()) as { error: { status: number; code: string; message: string } };
    expect(body.error).toMatchObject({ status: 413, code: 'too_large' });
    expect(body.error.message).toContain(String(jpeg.byteLength));
    // Exactly at the limit is fine.
    const ok = await callWorker('/r2/big.jpg?width=100', { env: { ...withBucket, MAX_SOURCE_BYTES: String(jpeg.byteLength) } });
    expect(ok.status).toBe(200);
    await ok.arrayBuffer();
  });

  it("derives the ETag from the R2 object's ETag: a new object version gives a new ETag", async () => {
    await bucket.put('r2/versioned.png', png);
    const first = await callWorker('/r2/versioned.png?width=100&format=png', { env: withBucket });
    await first.arrayBuffer();
    const etag1 = first.headers.get('etag')!;
    const notModified = await callWorker('/r2/versioned.png?width=100&format=png', { env: withBucket, headers: { 'If-None-Match': etag1 } });
    expect(notModified.status).toBe(304);

    // Replace the object. The edge cache still holds the old result for the old URL
    // (purge by Cache-Tag in production), so ask for a variant not cached yet.
    await bucket.put('r2/versioned.png', jpeg);
    const second = await callWorker('/r2/versioned.png?width=101&format=png', { env: withBucket });
    await second.arrayBuffer();
    expect(second.status).toBe(200);
    expect(second.headers.get('etag')).not.toBe(etag1);
    // Same source id, same tag: one purge covers every variant of the key.
    expect(second.headers.get('cache-tag')).toBe(first.headers.get('cache-tag'));
  });

  it("uses the R2 object's Cache-Control for the response lifetime", async () => {
    await bucket.put('r2/cc-long.png', png, { httpMetadata: { cacheControl: 'public, max-age=7200' } });
    const long = await callWorker('/r2/cc-long.png?width=50&format=png', { env: withBucket });
    await long.arrayBuffer();
    expect(long.headers.get('cache-control')).toBe('public, max-age=7200');

    await bucket.put('r2/cc-none.png', png, { httpMetadata: { cacheControl: 'no-store' } });
    const none = await callWorker('/r2/cc-none.png?width=50&format=png', { env: withBucket });
    await none.arrayBuffer();
    expect(none.headers.get('cache-control')).toBe('no-store');
  });

  it('without a bucket bound, the same path goes to ORIGIN', async () => {
    await bucket.put('samples/badge.png', jpeg); // would be a JPEG if R2 were read
    const res = await callWorker('/samples/badge.png?format=json', { env: { SOURCE_BUCKET: undefined } });
    const info = (await res.json()) as Described;
    expect(info.source.format).toBe('png');
  });
});
