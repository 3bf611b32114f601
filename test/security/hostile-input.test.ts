/**
 * Hostile input through the whole Worker: random and mutated query strings and
 * paths (fast-check), and corpus images with flipped and truncated bytes fed
 * through the full pipeline from Miniflare's local R2. Every answer must be
 * 2xx/3xx/4xx, every 4xx a JSON error, never an escaped exception; a good
 * request still works afterwards.
 */
import { env } from 'cloudflare:workers';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PARAM_SPECS } from '../../src/options/params';
import { callWorker, ORIGIN, sniffFormat } from '../support/worker';

// Small outputs keep thousands of real transforms fast; the parser's bounds follow MAX_DIMENSION.
const FUZZ_ENV = { MAX_DIMENSION: '256', ALLOWED_ORIGINS: `${ORIGIN},https://*.example.com` };

async function expectWellFormed(path: string, envOverrides: Record<string, unknown> = FUZZ_ENV) {
  let res: Response;
  try {
    res = await callWorker(path, { env: envOverrides });
  } catch (err) {
    throw new Error(`exception escaped for ${path}: ${err}`);
  }
  const body = new Uint8Array(await res.arrayBuffer());
  if (res.status >= 500 && res.status !== 502 && res.status !== 503 && res.status !== 504) {
    throw new Error(`${res.status} for ${path}: ${new TextDecoder().decode(body.subarray(0, 200))}`);
  }
  if (res.status >= 400) {
    expect(res.headers.get('content-type'), path).toMatch(/^application\/json/);
    const parsed = JSON.parse(new TextDecoder().decode(body)) as { error: { status: number; code: string; message: string } };
    expect(parsed.error.status).toBe(res.status);
  } else if (res.status === 200 && res.headers.get('content-type')?.startsWith('image/')) {
    expect(sniffFormat(body), path).not.toBe('unknown');
  }
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  return res.status;
}

const names = PARAM_SPECS.flatMap((s) => [s.key, ...s.aliases]);
const VALUES = ['0', '1', '64', '-1', '1e3', '0x10', '99999999999999999999', 'NaN', 'auto', 'cover', 'top-left', '0.5x0.5',
  '%23fff', 'rgb(1,2,3)', 'true', '', ' ', '%00', '%ZZ', '\u202e', '../', 'a'.repeat(3000), '1;2;3;4'];

const paramPair = fc.tuple(
  fc.oneof(fc.constantFrom(...names, 'url', 'sig', 'expires'), fc.string({ maxLength: 12 })),
  fc.oneof(fc.constantFrom(...VALUES), fc.string({ maxLength: 20 }), fc.integer({ min: -10, max: 10_000 }).map(String)),
);
const query = fc.array(paramPair, { maxLength: 6 }).map((pairs) => pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&'));
const rawQuery = fc.string({ maxLength: 80 }).map((s) => s.replace(/#/g, ''));
const sourcePath = fc.constantFrom('/corpus/jpeg/hopper.jpg', '/corpus/png/basn6a08.png', '/corpus/gif/hopper.gif', '/nope.jpg', '/fault/html', '/');

describe('random query strings and paths through the Worker', () => {
  it('answer well-formed 2xx/3xx/4xx with JSON errors (fast-check)', async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(fc.oneof(
        fc.tuple(sourcePath, query).map(([p, q]) => `${p}?${q}`),
        fc.tuple(sourcePath, rawQuery).map(([p, q]) => `${p}?${q}`),
        fc.tuple(fc.array(paramPair, { maxLength: 4 }), sourcePath).map(([pairs, p]) => `/cdn-cgi/image/${pairs.map(([k, v]) => `${k}=${v}`).join(',')}${p}`),
        fc.webPath().map((p) => (p.startsWith('/') ? p : `/${p}`)),
        fc.tuple(fc.webUrl(), query).map(([u, q]) => `/?url=${encodeURIComponent(u)}&${q}`),
      ), async (path) => {
        const status = await expectWellFormed(path.replace(/#/g, '%23'));
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }),
      { numRuns: 1500, seed: 20261126 },
    );
    console.log('fuzz statuses', Object.fromEntries(statuses));
    // The generator must reach real transforms, not only 400s.
    expect(statuses.get(200) ?? 0).toBeGreaterThan(20);
    expect(statuses.get(400) ?? 0).toBeGreaterThan(100);
  });
});

describe('mutated corpus images through the full pipeline', () => {
  const bucket = (env as unknown as { SOURCE_BUCKET_TEST: R2Bucket }).SOURCE_BUCKET_TEST;
  const SEEDS = ['jpeg/hopper.jpg', 'jpeg/testimgint.jpg', 'png/basn6a08.png', 'png/basi0g08.png', 'png/basn3p08.png', 'gif/hopper.gif', 'webp/test.webp', 'webp/lossless4.webp', 'webp/lossy_alpha3.webp', 'exif/Landscape_6.jpg'];

  it('never answer 5xx, and a good request works after each', async () => {
    const originals = await Promise.all(SEEDS.map(async (f) => new Uint8Array(await (await fetch(`${ORIGIN}/corpus/${f}`)).arrayBuffer())));
    const mutation = fc.record({
      seed: fc.integer({ min: 0, max: SEEDS.length - 1 }),
      kind: fc.constantFrom('flip', 'truncate', 'zero-run', 'flip-header'),
      // Integers, not doubles: fast-check biases doubles towards 0, which would only ever hit the signature.
      at: fc.integer({ min: 0, max: 1_000_000 }),
      bits: fc.array(fc.tuple(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 8 }),
    });
    const statuses = new Map<number, number>();
    let n = 0;
    await fc.assert(
      fc.asyncProperty(mutation, async (m) => {
        const original = originals[m.seed]!;
        let bytes = original.slice();
        const at = m.at % bytes.length;
        if (m.kind === 'truncate') bytes = bytes.subarray(0, at);
        else if (m.kind === 'zero-run') bytes.fill(0, 16 + at, 16 + at + 64);
        else {
          // flip: anywhere past the signature; flip-header: inside the first 256 bytes, signature included.
          const [from, span] = m.kind === 'flip-header' ? [0, Math.min(bytes.length, 256)] : [16, bytes.length - 16];
          for (const [pos, mask] of m.bits) bytes[from + (pos % span)]! ^= mask;
        }
        const key = `mutant-${n++}${SEEDS[m.seed]!.slice(SEEDS[m.seed]!.lastIndexOf('.'))}`;
        await bucket.put(key, bytes);
        const status = await expectWellFormed(`/${key}?w=48&h=48&fit=cover&format=png`, { ...FUZZ_ENV, SOURCE_BUCKET: bucket });
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }),
      { numRuns: 400, seed: 7 },
    );
    console.log('mutation statuses', Object.fromEntries(statuses));
    const good = await callWorker('/corpus/jpeg/hopper.jpg?w=16');
    expect(good.status).toBe(200);
    expect(sniffFormat(new Uint8Array(await good.arrayBuffer()))).toBe('jpeg');
  });
});

describe('hostile source URLs: 4xx JSON, never 5xx, refused before any cache lookup', () => {
  const port = new URL(ORIGIN).port;
  // Remote sources on: the loopback origin by name, and any public host.
  const REMOTE = { ALLOWED_ORIGINS: `${ORIGIN},https://*.example.com`, ORIGIN: '' };
  const CASES: [string, string, number][] = [
    // The Cache API throws on a URL with credentials; the policy refuses it first (403).
    ['credentials before a metadata address', `http://127.0.0.1:${port}@169.254.169.254/a.jpg`, 403],
    ['credentials on the allowed origin', `http://user:pass@127.0.0.1:${port}/samples/landscape.jpg`, 403],
    ['empty credentials', `http://@127.0.0.1:${port}/samples/landscape.jpg`, 200],
    ['odd port on the allowed host', `http://127.0.0.1:1/samples/landscape.jpg`, 403],
    ['port 0', `http://127.0.0.1:0/a.jpg`, 403],
    ['port out of range', `http://127.0.0.1:65536/a.jpg`, 400],
    ['non-numeric port', `http://127.0.0.1:8o/a.jpg`, 400],
    ['IPv6 loopback', 'http://[::1]/a.jpg', 403],
    ['IPv4-mapped IPv6 metadata', 'http://[::ffff:169.254.169.254]/a.jpg', 403],
    ['IPv6 with a zone id', 'http://[fe80::1%25eth0]/a.jpg', 400],
    ['unterminated IPv6', 'http://[::1/a.jpg', 400],
    ['percent-encoded loopback host', 'http://%31%32%37.0.0.1/a.jpg', 403],
    ['percent-encoded metadata host', 'http://%31%36%39.254.169.254/latest/meta-data', 403],
    ['percent-encoded NUL in the host', 'http://exa%00mple.com/a.jpg', 400],
    ['dot-dot path out of the served folders', `http://127.0.0.1:${port}/samples/../../../../etc/passwd`, 404],
    ['encoded dot-dot path', `http://127.0.0.1:${port}/samples/%2e%2e/%2e%2e/etc/passwd`, 404],
    ['overlong URL (10k characters)', `http://127.0.0.1:${port}/${'a'.repeat(10_000)}.jpg`, 400],
    ['overlong query on a public host', `https://img.example.com/a.jpg?${'x'.repeat(10_000)}`, 400],
  ];
  for (const [name, source, status] of CASES) {
    it(`${name}: ${status}`, async () => {
      const path = `/?url=${encodeURIComponent(source)}&width=32`;
      const got = await expectWellFormed(path, REMOTE);
      expect(got, source.slice(0, 120)).toBe(status);
    });
  }

  it('the same hostile URLs in the /cdn-cgi/image/ form never answer 5xx', async () => {
    for (const [, source] of CASES) {
      const status = await expectWellFormed(`/cdn-cgi/image/width=32/${source}`, REMOTE);
      expect(status, source.slice(0, 120)).toBeLessThan(500);
    }
  });
});
