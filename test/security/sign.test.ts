/**
 * @module test/security/sign
 * Signed URLs: round trips, rotation, every tampering, expiry, and the worked
 * example of docs/security.md (expected values computed once, independently,
 * with Node's `crypto.createHmac('sha256', key).update(canonical).digest('base64url')`).
 */
import { describe, expect, it } from 'vitest';
import { ImageError } from '../../src/errors';
import { buildCanonicalString, parseSigningKeys, signUrl, verifySignature } from '../../src/security/sign';

const BASE = 'https://thumbs.example.com';
const NOW = 1_767_000_000;
const KEY = 'test-key-0123456789abcdef';

/** The sig value of a signed URL. */
function sigOf(url: string): string {
  const m = /[?&]sig=([^&#]+)/.exec(url);
  if (!m?.[1]) throw new Error(`no sig in ${url}`);
  return m[1];
}

/** Verifies a root-relative or absolute URL and returns the error message, or 'ok'. */
async function verdictOf(url: string, keys: string[] = [KEY], now = NOW): Promise<string> {
  try {
    await verifySignature(new URL(url, BASE), keys, now);
    return 'ok';
  } catch (e) {
    expect(e).toBeInstanceOf(ImageError);
    const err = e as ImageError;
    expect(err.status).toBe(403);
    expect(err.code).toBe('bad_signature');
    expect(err.param).toBe('sig');
    return err.message;
  }
}

describe('worked example (docs/security.md)', () => {
  const key = 'thumbflare-docs-example-key';
  const cases = [
    {
      input: '/photos/cat.jpg?w=640&q=75',
      expires: 1767225600,
      canonical: '/photos/cat.jpg?w=640&q=75&expires=1767225600',
      signed: '/photos/cat.jpg?w=640&q=75&expires=1767225600&sig=LgXlE2s2ykhhzafFEldmIxT9sXHId5yOLyNrkjPBhjQ',
    },
    {
      input: '/cdn-cgi/image/width=640,quality=75,format=auto/https://images.example.com/photos/caf%C3%A9.jpg',
      expires: undefined,
      canonical: '/cdn-cgi/image/width=640,quality=75,format=auto/https://images.example.com/photos/caf%C3%A9.jpg',
      signed:
        '/cdn-cgi/image/width=640,quality=75,format=auto/https://images.example.com/photos/caf%C3%A9.jpg?sig=cjKqpsV1G-BKxR3hCNQboZe5afXDNb_APkRtoGsKQQ8',
    },
  ];
  it.each(cases)('signs $input to the documented value', async ({ input, expires, canonical, signed }) => {
    const out = await signUrl(input, key, expires === undefined ? {} : { expires });
    expect(out).toBe(signed);
    expect(buildCanonicalString(new URL(out, BASE))).toBe(canonical);
    expect(await verdictOf(out, [key], 1767225600)).toBe('ok');
  });
  it('the expiring example is refused one second after expires', async () => {
    expect(await verdictOf(cases[0]!.signed, [key], 1767225601)).toBe('signature expired');
  });
});

describe('canonical string', () => {
  it.each([
    ['/a.jpg', '/a.jpg'],
    ['/a.jpg?sig=x', '/a.jpg'],
    ['/a.jpg?w=1&sig=x', '/a.jpg?w=1'],
    ['/a.jpg?sig=x&w=1', '/a.jpg?w=1'],
    ['/a.jpg?w=1&sig=x&h=2', '/a.jpg?w=1&h=2'],
    ['/a.jpg?h=2&w=1', '/a.jpg?h=2&w=1'], // order kept
    ['/a.jpg?url=https%3A%2F%2Fx.com%2Fa.jpg', '/a.jpg?url=https%3A%2F%2Fx.com%2Fa.jpg'], // encoding kept
    ['/a.jpg?url=https://x.com/a.jpg', '/a.jpg?url=https://x.com/a.jpg'],
    ['/a.jpg?w=1&&h=2', '/a.jpg?w=1&&h=2'], // empty components kept
    ['/a.jpg?%73ig=x', '/a.jpg?%73ig=x'], // names are compared raw
    ['/a.jpg?', '/a.jpg'],
    ['/a%2Fb.jpg', '/a%2Fb.jpg'], // percent-encoding in the path is never decoded
    ['/cdn-cgi/image/w=1/https://x.com/a.jpg?v=2&sig=x', '/cdn-cgi/image/w=1/https://x.com/a.jpg?v=2'],
  ])('%s -> %s', (url, canonical) => {
    expect(buildCanonicalString(new URL(url, BASE))).toBe(canonical);
  });
});

describe('round trip', () => {
  it.each([
    '/a.jpg',
    '/a.jpg?w=640',
    '/a.jpg?w=640&h=480&fit=cover',
    '/?url=https%3A%2F%2Fimages.example.com%2Fa.jpg&w=100',
    '/?url=https://images.example.com/a.jpg?x=1&w=100',
    '/images/caf%C3%A9.jpg?q=50',
    '/cdn-cgi/image/width=100,format=auto/https://images.example.com/a.jpg',
    '/cdn-cgi/image/width=100/photos/a%20b.jpg',
    `${BASE}/a.jpg?w=1`,
    'http://localhost:8787/a.jpg',
  ])('%s', async (url) => {
    const signed = await signUrl(url, KEY);
    expect(signed.startsWith(url)).toBe(true); // same form, sig appended
    expect(signed).toMatch(/[?&]sig=[A-Za-z0-9_-]{43}$/);
    expect(await verdictOf(signed)).toBe('ok');
    const withExpiry = await signUrl(url, KEY, { expires: NOW + 60 });
    expect(withExpiry).toMatch(/[?&]expires=1767000060&sig=[A-Za-z0-9_-]{43}$/);
    expect(await verdictOf(withExpiry)).toBe('ok');
  });

  it('signs what the Worker will see: dot segments and spaces normalised first', async () => {
    const signed = await signUrl('/a/../b c.jpg?x=é', KEY);
    expect(signed).toMatch(/^\/b%20c\.jpg\?x=%C3%A9&sig=/);
    expect(await verdictOf(signed)).toBe('ok');
  });

  it('keeps a fragment at the end, where the browser strips it', async () => {
    const signed = await signUrl('/a.jpg?w=1#top', KEY);
    expect(signed).toMatch(/^\/a\.jpg\?w=1&sig=[A-Za-z0-9_-]{43}#top$/);
    expect(await verdictOf(signed)).toBe('ok');
  });

  it('the host is not covered: a signed path verifies on any host', async () => {
    const signed = await signUrl('https://a.example/x.jpg', KEY);
    expect(await verdictOf(signed.replace('a.example', 'b.example'))).toBe('ok');
  });
});

describe('signUrl refuses what it cannot sign', () => {
  it.each([
    ['relative path', 'a.jpg', {}],
    ['protocol-relative', '//evil.example/a.jpg', {}],
    ['non-http scheme', 'ftp://x/a.jpg', {}],
    ['existing sig', '/a.jpg?sig=abc', {}],
    ['existing expires with expires option', '/a.jpg?expires=1', { expires: 2 }],
    ['negative expires', '/a.jpg', { expires: -1 }],
    ['fractional expires', '/a.jpg', { expires: 1.5 }],
  ])('%s', async (_name, url, opts) => {
    await expect(signUrl(url, KEY, opts)).rejects.toThrow(TypeError);
  });
  it('empty key', async () => {
    await expect(signUrl('/a.jpg', '')).rejects.toThrow(TypeError);
  });
});

describe('key rotation', () => {
  it('any configured key verifies, the first signs', async () => {
    const [oldKey, newKey] = ['old-key-aaaaaaaaaaaa', 'new-key-bbbbbbbbbbbb'];
    const byOld = await signUrl('/a.jpg?w=1', oldKey);
    const byNew = await signUrl('/a.jpg?w=1', newKey);
    expect(byOld).not.toBe(byNew);
    const keys = parseSigningKeys(` ${newKey} , ${oldKey},, `);
    expect(keys).toEqual([newKey, oldKey]);
    expect(await verdictOf(byOld, keys)).toBe('ok');
    expect(await verdictOf(byNew, keys)).toBe('ok');
    expect(await verdictOf(byOld, [newKey])).toBe('invalid signature'); // old key retired
    expect(await verdictOf(byNew, ['unrelated-key'])).toBe('invalid signature');
  });
  it.each([
    [undefined, []],
    ['', []],
    [' , ', []],
    ['a', ['a']],
    ['a,b', ['a', 'b']],
  ])('parseSigningKeys(%j) = %j', (secret, keys) => {
    expect(parseSigningKeys(secret)).toEqual(keys);
  });
  it('no keys configured: verification fails closed', async () => {
    const signed = await signUrl('/a.jpg', KEY);
    expect(await verdictOf(signed, [])).toBe('invalid signature');
  });
});

describe('tampering is refused', async () => {
  const signed = await signUrl('/photos/a.jpg?w=640&h=480', KEY, { expires: NOW + 3600 });
  const sig = sigOf(signed);
  const otherSig = sigOf(await signUrl('/photos/b.jpg?w=640&h=480', KEY, { expires: NOW + 3600 }));
  const flipLast = sig.slice(0, -1) + (sig.endsWith('A') ? 'Q' : 'A');
  it.each([
    ['path changed', signed.replace('/photos/a.jpg', '/photos/b.jpg')],
    ['path case changed', signed.replace('/photos/', '/Photos/')],
    ['path percent-encoded differently', signed.replace('/photos/a.jpg', '/photos/%61.jpg')],
    ['param value changed', signed.replace('w=640', 'w=641')],
    ['param encoded differently', signed.replace('w=640', 'w=%36%34%30')],
    ['param order swapped', signed.replace('w=640&h=480', 'h=480&w=640')],
    ['param added', signed.replace('?', '?fit=cover&')],
    ['param appended after sig', `${signed}&blur=50`],
    ['param removed', signed.replace('h=480&', '')],
    ['empty component added', signed.replace('&h=480', '&&h=480')],
    ['expires extended', signed.replace(`expires=${NOW + 3600}`, `expires=${NOW + 7200}`)],
    ['expires removed', signed.replace(`&expires=${NOW + 3600}`, '')],
    ['expires duplicated', `${signed}&expires=${NOW + 3600}`],
    ['sig of another URL', signed.replace(sig, otherSig)],
    ['sig with one character changed', signed.replace(sig, sig.slice(0, 10) + (sig[10] === 'x' ? 'y' : 'x') + sig.slice(11))],
    ['sig truncated', signed.replace(sig, sig.slice(0, -1))],
    ['sig with padding', signed.replace(sig, `${sig}=`)],
    ['sig with last character changed', signed.replace(sig, flipLast)],
    ['sig percent-encoded', signed.replace(`sig=${sig}`, `sig=${sig.replace(/[A-Za-z]/, (c) => `%${c.charCodeAt(0).toString(16)}`)}`)],
    ['sig duplicated', `${signed}&sig=${sig}`],
    ['sig garbage', signed.replace(sig, 'not-a-signature')],
  ])('%s', async (_name, url) => {
    expect(url).not.toBe(signed);
    expect(await verdictOf(url)).toBe('invalid signature');
  });
  it('the untampered URL passes', async () => {
    expect(await verdictOf(signed)).toBe('ok');
  });
});

describe('non-canonical base64url spelling of a valid MAC is refused', () => {
  it('changing only the unused low bits of the last character', async () => {
    const signed = await signUrl('/a.jpg', KEY);
    const sig = signed.slice(-43);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(sig.charAt(42));
    for (let low = 1; low < 4; low++) {
      const variant = sig.slice(0, 42) + alphabet[last ^ low];
      expect(await verdictOf(signed.slice(0, -43) + variant)).toBe('invalid signature');
    }
  });
});

describe('missing and expired', () => {
  it.each([
    ['no query', '/a.jpg'],
    ['other params only', '/a.jpg?w=1'],
    ['empty sig', '/a.jpg?w=1&sig='],
    ['bare sig', '/a.jpg?w=1&sig'],
    ['encoded name is not sig', '/a.jpg?%73ig=abc'],
  ])('%s -> missing signature', async (_name, url) => {
    expect(await verdictOf(url)).toBe('missing signature');
  });

  it.each([
    [NOW - 1, 'signature expired'],
    [NOW - 86400, 'signature expired'],
    [0, 'signature expired'],
    [NOW, 'ok'], // valid through the second it names
    [NOW + 1, 'ok'],
  ])('expires=%i at now -> %s', async (expires, verdict) => {
    expect(await verdictOf(await signUrl('/a.jpg?w=1', KEY, { expires }))).toBe(verdict);
  });

  it('a forged expiry on a valid-looking URL reports invalid, not expired', async () => {
    const signed = await signUrl('/a.jpg', KEY, { expires: NOW + 10 });
    expect(await verdictOf(signed.replace(`expires=${NOW + 10}`, 'expires=1'))).toBe('invalid signature');
  });

  it('a signed but malformed expires is invalid', async () => {
    for (const bad of ['', 'soon', '1e12', '-1', '+5', '1.5', '0x10']) {
      const signed = await signUrl(`/a.jpg?expires=${bad}`, KEY);
      expect(await verdictOf(signed), bad).toBe('invalid signature');
    }
  });
});
