/**
 * Signed URLs through the Worker: with SIGNING_KEYS set, every transform needs a
 * valid, unexpired `sig`; each failure is a 403 JSON error saying which.
 */
import { describe, expect, it } from 'vitest';
import { signUrl } from '../../src/security/sign';
import { readError, readImage } from '../support/images';
import { callWorker } from '../support/worker';

const KEYS = { SIGNING_KEYS: 'new-key-2026, old-key-2025' };
const now = () => Math.floor(Date.now() / 1000);

describe('signed requests', () => {
  const PATHS = ['/corpus/jpeg/hopper.jpg?w=32&q=70', '/cdn-cgi/image/w=32,f=png/corpus/jpeg/hopper.jpg'];
  for (const path of PATHS) {
    it(`a URL signed by the current key is served: ${path}`, async () => {
      const img = await readImage(await callWorker(await signUrl(path, 'new-key-2026'), { env: KEYS }));
      expect(img.width).toBe(32);
    });
  }
  it('a URL signed by a rotated-out key still listed is served', async () => {
    expect((await readImage(await callWorker(await signUrl('/corpus/jpeg/hopper.jpg?w=31', 'old-key-2025'), { env: KEYS }))).width).toBe(31);
  });
  it('an unexpired expiring URL is served', async () => {
    const signed = await signUrl('/corpus/jpeg/hopper.jpg?w=30', 'new-key-2026', { expires: now() + 600 });
    expect((await readImage(await callWorker(signed, { env: KEYS }))).width).toBe(30);
  });

  const FAILURES: [string, () => Promise<string>, string][] = [
    ['missing', async () => '/corpus/jpeg/hopper.jpg?w=32', 'missing signature'],
    ['wrong key', async () => signUrl('/corpus/jpeg/hopper.jpg?w=32', 'not-a-key'), 'invalid signature'],
    ['tampered width', async () => (await signUrl('/corpus/jpeg/hopper.jpg?w=32', 'new-key-2026')).replace('w=32', 'w=3200'), 'invalid signature'],
    ['tampered path', async () => (await signUrl('/corpus/jpeg/hopper.jpg?w=32', 'new-key-2026')).replace('hopper', 'flower'), 'invalid signature'],
    ['reordered parameters', async () => {
      const signed = new URL(await signUrl('/corpus/jpeg/hopper.jpg?w=32&q=70', 'new-key-2026'), 'https://x');
      return `${signed.pathname}?q=70&w=32&sig=${signed.searchParams.get('sig')}`;
    }, 'invalid signature'],
    ['added parameter', async () => `${await signUrl('/corpus/jpeg/hopper.jpg?w=32', 'new-key-2026')}&blur=5`, 'invalid signature'],
    ['expired', async () => signUrl('/corpus/jpeg/hopper.jpg?w=32', 'new-key-2026', { expires: now() - 5 }), 'signature expired'],
  ];
  for (const [name, make, message] of FAILURES) {
    it(`${name} -> 403 "${message}"`, async () => {
      const res = await callWorker(await make(), { env: KEYS });
      expect(res.status).toBe(403);
      const err = await readError(res);
      expect(err).toMatchObject({ code: 'bad_signature', message, param: 'sig' });
    });
  }
  it('the index page needs no signature', async () => {
    expect((await callWorker('/', { env: KEYS })).status).toBe(200);
  });
  it('without SIGNING_KEYS no signature is asked for', async () => {
    expect((await readImage(await callWorker('/corpus/jpeg/hopper.jpg?w=29'))).width).toBe(29);
  });
});
