/**
 * The source policy runs before any cache lookup (src/transform.ts serveImage,
 * src/origin.ts checkSourceRef): a source allowed and cached under one
 * ALLOWED_ORIGINS is refused, not served from the cache, once the operator's
 * policy no longer allows it. Same isolate, same Miniflare Cache API.
 */
import { describe, expect, it } from 'vitest';
import { readImage } from '../support/images';
import { callWorker, ORIGIN, originHits } from '../support/worker';

describe('policy before cache', () => {
  const path = `/u/policy-${Date.now()}/samples/landscape.jpg`;
  const source = `${ORIGIN}${path}`;
  const allowed = { ORIGIN: '', ALLOWED_ORIGINS: ORIGIN };
  const forbidden = { ORIGIN: '', ALLOWED_ORIGINS: 'https://images.example.com' };

  it('a source cached while allowed is 403 after ALLOWED_ORIGINS stops allowing it', async () => {
    const first = await readImage(await callWorker(`/?url=${encodeURIComponent(source)}&width=64`, { env: allowed }));
    expect(first.width).toBe(64);
    // Served from the caches the second time: the origin was asked once.
    const again = await callWorker(`/?url=${encodeURIComponent(source)}&width=64`, { env: allowed });
    expect(again.headers.get('server-timing')).toContain('cache;desc=hit');
    expect(await originHits(path)).toBe(1);

    for (const query of ['width=64', 'width=65']) {
      // width=64: the result cache has it; width=65: only the source cache does.
      const res = await callWorker(`/?url=${encodeURIComponent(source)}&${query}`, { env: forbidden });
      expect(res.status, query).toBe(403);
      const body = (await res.json()) as { error: { code: string; param: string } };
      expect(body.error).toMatchObject({ code: 'not_allowed', param: 'url' });
    }
    expect(await originHits(path)).toBe(1);

    // And allowed again, it is served (from the cache, untouched by the refusals).
    const back = await readImage(await callWorker(`/?url=${encodeURIComponent(source)}&width=65`, { env: allowed }));
    expect(back.width).toBe(65);
    expect(await originHits(path)).toBe(1);
  });
});
