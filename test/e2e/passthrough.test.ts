/**
 * A transform that changes nothing never comes out larger than its source
 * (src/passthrough.ts): the source's bytes are served instead, with
 * `X-Thumbflare-Passthrough: smaller-source`, unless its metadata would leak or
 * the request asks for anything that changes pixels.
 */
import { describe, expect, it } from 'vitest';
import { readImage } from '../support/images';
import { callWorker, ORIGIN } from '../support/worker';

let unique = 0;
const fresh = (path: string) => `/u/pt-${Date.now()}-${unique++}${path}`;
const originBytes = async (path: string) => new Uint8Array(await (await fetch(`${ORIGIN}${path}`)).arrayBuffer());
const equalBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((v, i) => v === b[i]);

describe('a no-op transform serves the smaller source', () => {
  const SERVED: [string, string, string][] = [
    // [source, query, why the output equals the source]
    ['/samples/landscape.jpg', '', 'no option at all'],
    ['/samples/landscape.jpg', 'w=1600&q=85', 'its own width'],
    ['/samples/landscape.jpg', 'format=jpeg&fit=scale-down&w=2000', 'scale-down never enlarges'],
    ['/gen/palette-300.png', '', 'a palette PNG, no option'],
    ['/gen/palette-300.png', 'w=600', 'a width above its own 300'],
    ['/gen/palette-300.png', 'width=300&height=200&fit=cover&q=50', 'its own size, nothing to crop'],
  ];
  for (const [source, query, why] of SERVED) {
    it(`${source}?${query} (${why})`, async () => {
      const path = fresh(source);
      const res = await callWorker(`${path}?${query}`);
      const img = await readImage(res);
      expect(img.headers.get('x-thumbflare-passthrough')).toBe('smaller-source');
      expect(equalBytes(img.bytes, await originBytes(source))).toBe(true);
      // Caching headers stay those of a transform: a strong ETag, the TTL, the tag, the disposition.
      expect(img.headers.get('etag')).toMatch(/^"[A-Za-z0-9_-]{32}"$/);
      expect(img.headers.get('cache-control')).toMatch(/^public, max-age=\d+$/);
      expect(img.headers.get('cache-tag')).toMatch(/^tf-/);
      expect(img.headers.get('content-disposition')).toMatch(/^inline; filename=/);
      // The result cache keeps the same answer.
      const again = await callWorker(`${path}?${query}`);
      expect(again.headers.get('server-timing')).toContain('cache;desc=hit');
      expect(again.headers.get('x-thumbflare-passthrough')).toBe('smaller-source');
      expect(equalBytes(new Uint8Array(await again.arrayBuffer()), img.bytes)).toBe(true);
      const revalidated = await callWorker(`${path}?${query}`, { headers: { 'If-None-Match': img.headers.get('etag')! } });
      expect(revalidated.status).toBe(304);
    });
  }

  it('a JPEG with EXIF GPS is re-encoded, not handed out: its metadata would leak', async () => {
    const source = await originBytes('/gen/landscape-gps.jpg');
    expect(new TextDecoder('latin1').decode(source)).toContain('Thumbflare test'); // the control: the source carries it
    const img = await readImage(await callWorker(fresh('/gen/landscape-gps.jpg')));
    expect(img.headers.get('x-thumbflare-passthrough')).toBeNull();
    expect(new TextDecoder('latin1').decode(img.bytes)).not.toContain('Exif');
    // The same image data without the APP1 is passed through: only the metadata decided.
    expect(img.bytes.length).toBeGreaterThan((await originBytes('/samples/landscape.jpg')).length);
  });

  // Options that change pixels (even at values that barely do) rule a passthrough out, though
  // the re-encode is larger than the source as the no-option request's is.
  const PIXEL_OPTIONS = ['brightness=1', 'contrast=1', 'gamma=1', 'saturation=1', 'sharpen=0.1', 'flip=h', 'blur=1', 'trim=0;0;0;0'];
  for (const query of PIXEL_OPTIONS) {
    it(`?${query} is never passed through`, async () => {
      const source = await originBytes('/samples/landscape.jpg');
      const res = await callWorker(`${fresh('/samples/landscape.jpg')}?${query}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('x-thumbflare-passthrough')).toBeNull();
      const bytes = new Uint8Array(await res.arrayBuffer());
      expect(equalBytes(bytes, source)).toBe(false);
    });
  }

  it('a smaller re-encode is served as it is (badge.png: 15,764 -> ~11,800 bytes at its own size)', async () => {
    const source = await originBytes('/samples/badge.png');
    const img = await readImage(await callWorker(`${fresh('/samples/badge.png')}?w=600`));
    expect(img.width).toBe(512);
    expect(img.headers.get('x-thumbflare-passthrough')).toBeNull();
    expect(img.bytes.length).toBeLessThan(source.length);
  });

  it('another size is a transform even when the result is larger than the source', async () => {
    const source = await originBytes('/gen/palette-300.png');
    const img = await readImage(await callWorker(`${fresh('/gen/palette-300.png')}?w=150`));
    expect(img.width).toBe(150);
    expect(img.headers.get('x-thumbflare-passthrough')).toBeNull();
    expect(img.bytes.length).toBeGreaterThan(source.length);
  });

  it('another output format is a transform, not a passthrough', async () => {
    const img = await readImage(await callWorker(`${fresh('/samples/badge.png')}?format=jpeg`));
    expect(img.format).toBe('jpeg');
    expect(img.headers.get('x-thumbflare-passthrough')).toBeNull();
  });
});
