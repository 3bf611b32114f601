/**
 * @module test/security/source-policy
 * The SSRF guard: a table of URLs that must be refused (every internal-address
 * spelling, non-http schemes, credentials, host and path look-alikes), a table
 * that must pass, pattern parsing, and a fast-check property over random input.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ImageError } from '../../src/errors';
import { callWorker, ORIGIN } from '../support/worker';
import {
  checkSourceUrl,
  isBlockedIpv4,
  parseIpv4,
  parseIpv6,
  parseOriginPattern,
  parseSourcePolicy,
  resolveSourceUrl,
  type SourcePolicy,
} from '../../src/security/source-policy';

const POLICY = parseSourcePolicy(
  [
    'https://*.example.com',
    'https://images.example.org/images/',
    'http://127.0.0.1:8080/fixtures',
    'https://cdn.example.net:8443',
    'https://*.localhost',
    'https://*.internal',
  ].join(', '),
);
// A deployment that allows any public host (signing on), where the address and
// name denylist is the only thing between a client and the internal network.
const ANY = parseSourcePolicy('https://*, http://*');

/** Runs the checker; returns 'ok' or the refusal's code. */
function outcome(url: string, policy: SourcePolicy): string {
  try {
    resolveSourceUrl(url, policy);
    return 'ok';
  } catch (e) {
    if (!(e instanceof ImageError)) throw e;
    return e.code;
  }
}

describe('what new URL() does in workerd (the checker relies on it)', () => {
  it.each([
    ['http://0x7f.1/', '127.0.0.1'],
    ['http://2130706433/', '127.0.0.1'],
    ['http://0177.0.0.1/', '127.0.0.1'],
    ['http://127.1/', '127.0.0.1'],
    ['http://%31%32%37.0.0.1/', '127.0.0.1'],
    ['http://１２７.0.0.1/', '127.0.0.1'],
    ['http://0/', '0.0.0.0'],
    ['http://[::ffff:127.0.0.1]/', '[::ffff:7f00:1]'],
    ['http://[0:0:0:0:0:ffff:127.0.0.1]/', '[::ffff:7f00:1]'],
    ['http://[64:ff9b::10.0.0.1]/', '[64:ff9b::a00:1]'],
    ['http://LocalHost/', 'localhost'],
    ['https://*.example.com/', '*.example.com'],
  ])('%s -> hostname %s', (input, hostname) => {
    expect(new URL(input).hostname).toBe(hostname);
  });
  it('removes dot segments (also encoded, also with backslashes) before we see the path', () => {
    expect(new URL('https://a.com/images/../secret').pathname).toBe('/secret');
    expect(new URL('https://a.com/images/%2e%2e/secret').pathname).toBe('/secret');
    expect(new URL('https://a.com/images\\..\\secret').pathname).toBe('/secret');
  });
});

// Every entry must be refused under POLICY *and* under ANY (allow-all) unless it
// says otherwise: the third column is the code under POLICY.
const REFUSED: Array<[string, string]> = [
  // schemes
  ['file:///etc/passwd', 'not_allowed'],
  ['ftp://files.example.com/a.jpg', 'not_allowed'],
  ['gopher://img.example.com:70/_GET', 'not_allowed'],
  ['data:image/png;base64,iVBORw0KGgo=', 'not_allowed'],
  ['javascript:alert(1)', 'not_allowed'],
  ['ws://img.example.com/a.jpg', 'not_allowed'],
  ['blob:https://img.example.com/uuid', 'not_allowed'],
  // credentials
  ['https://user:pass@img.example.com/a.jpg', 'not_allowed'],
  ['https://user@img.example.com/a.jpg', 'not_allowed'],
  ['https://img.example.com@127.0.0.1/a.jpg', 'not_allowed'],
  // loopback, every spelling
  ['http://127.0.0.1/', 'not_allowed'],
  ['http://127.0.0.1:80/', 'not_allowed'],
  ['http://127.255.255.254/', 'not_allowed'],
  ['http://0x7f.1/', 'not_allowed'],
  ['http://0x7f000001/', 'not_allowed'],
  ['http://2130706433/', 'not_allowed'],
  ['http://0177.0.0.1/', 'not_allowed'],
  ['http://127.1/', 'not_allowed'],
  ['http://%31%32%37.0.0.1/', 'not_allowed'],
  ['http://[::1]/', 'not_allowed'],
  ['http://[0:0:0:0:0:0:0:1]/', 'not_allowed'],
  ['http://localhost/', 'not_allowed'],
  ['http://LOCALHOST./', 'not_allowed'],
  ['https://a.localhost/', 'not_allowed'], // matches *.localhost, still refused
  // unspecified
  ['http://0.0.0.0/', 'not_allowed'],
  ['http://0/', 'not_allowed'],
  ['http://[::]/', 'not_allowed'],
  // private, CGNAT, link-local, metadata
  ['http://10.0.0.1/', 'not_allowed'],
  ['http://10.255.255.255/', 'not_allowed'],
  ['http://172.16.0.1/', 'not_allowed'],
  ['http://172.31.255.255/', 'not_allowed'],
  ['http://192.168.1.1/', 'not_allowed'],
  ['http://100.64.0.1/', 'not_allowed'],
  ['http://100.127.255.255/', 'not_allowed'],
  ['http://169.254.169.254/latest/meta-data/', 'not_allowed'],
  ['http://metadata.google.internal/computeMetadata/v1/', 'not_allowed'],
  ['https://metadata.google.internal/', 'not_allowed'], // matches *.internal, still refused
  ['http://metadata/', 'not_allowed'],
  ['http://printer.local/', 'not_allowed'],
  ['http://router.home.arpa/', 'not_allowed'],
  // multicast, reserved, broadcast, documentation, benchmarking
  ['http://224.0.0.1/', 'not_allowed'],
  ['http://239.255.255.250/', 'not_allowed'],
  ['http://240.0.0.1/', 'not_allowed'],
  ['http://255.255.255.255/', 'not_allowed'],
  ['http://192.0.2.1/', 'not_allowed'],
  ['http://198.18.0.1/', 'not_allowed'],
  // IPv6 special ranges
  ['http://[fe80::1]/', 'not_allowed'],
  ['http://[febf::1]/', 'not_allowed'],
  ['http://[fc00::1]/', 'not_allowed'],
  ['http://[fd12:3456:789a::1]/', 'not_allowed'],
  ['http://[ff02::1]/', 'not_allowed'],
  ['http://[fec0::1]/', 'not_allowed'],
  ['http://[2001:db8::1]/', 'not_allowed'],
  ['http://[2001::1]/', 'not_allowed'], // Teredo
  // IPv4 inside IPv6
  ['http://[::ffff:127.0.0.1]/', 'not_allowed'],
  ['http://[::ffff:7f00:1]/', 'not_allowed'],
  ['http://[::ffff:10.0.0.1]/', 'not_allowed'],
  ['http://[::ffff:8.8.8.8]/', 'not_allowed'], // mapped, even public: never needed
  ['http://[::127.0.0.1]/', 'not_allowed'], // IPv4-compatible (deprecated)
  ['http://[::ffff:0:7f00:1]/', 'not_allowed'], // SIIT ::ffff:0:0:0/96
  ['http://[64:ff9b::127.0.0.1]/', 'not_allowed'], // NAT64
  ['http://[64:ff9b::a9fe:a9fe]/', 'not_allowed'], // NAT64 of 169.254.169.254
  ['http://[64:ff9b:1::a00:1]/', 'not_allowed'], // local-use NAT64
  ['http://[2002:7f00:1::]/', 'not_allowed'], // 6to4 of 127.0.0.1
  ['http://[2002:a00:1::1]/', 'not_allowed'], // 6to4 of 10.0.0.1
  ['http://[2002:c0a8:101::1]/', 'not_allowed'], // 6to4 of 192.168.1.1
  // single-label and internal names
  ['http://intranet/', 'not_allowed'],
  ['http://kubernetes.default.svc.cluster.local/', 'not_allowed'],
  ['http://db.corp/', 'not_allowed'],
];

// Refused under the curated POLICY only (they would be public under ANY):
// look-alikes of allowed hosts, wrong scheme/port, path-prefix escapes.
const REFUSED_BY_PATTERN: string[] = [
  'https://example.com/a.jpg', // apex not covered by *.example.com
  'https://evil-example.com/a.jpg',
  'https://evilexample.com/a.jpg',
  'https://example.com.evil.net/a.jpg',
  'https://img.example.com.evil.net/a.jpg',
  'https://img.example.co/a.jpg',
  'https://img.example.com./a.jpg', // trailing dot
  'https://.example.com/a.jpg', // empty label
  'https://a..example.com/a.jpg',
  'http://img.example.com/a.jpg', // scheme must match
  'https://img.example.com:8443/a.jpg', // port must match (default 443)
  'https://cdn.example.net/a.jpg', // pattern names :8443
  'https://cdn.example.net:443/a.jpg',
  'https://images.example.org/a.jpg', // outside /images/
  'https://images.example.org/images-private/a.jpg', // prefix without segment boundary
  'https://images.example.org/imagesx',
  'https://images.example.org/images/../secret', // normalised to /secret
  'https://images.example.org/images/%2e%2e/secret',
  'https://images.example.org/images/%2E%2E/%2E%2E/secret',
  'https://images.example.org/images\\..\\secret',
  'https://images.example.org/images/..%2fsecret', // encoded slash, an origin may decode it
  'https://images.example.org/images/..%5Csecret',
  'https://images.example.org/Images/a.jpg', // paths are case-sensitive
  'http://127.0.0.1:8081/fixtures/a.png', // wrong port for the literal pattern
  'http://127.0.0.1:8080/fixtures-x/a.png',
  'http://127.0.0.1:8080/', // outside /fixtures
  'http://127.0.0.2:8080/fixtures/a.png',
  'http://localhost:8080/fixtures/a.png', // names are not addresses
  'https://8.8.8.8/a.jpg',
  'https://img.xn--exmple-cua.com/a.jpg', // img.exämple.com: a lookalike is another name, not *.example.com
];

const ALLOWED_BY_POLICY: string[] = [
  'https://img.example.com/a.jpg',
  'https://IMG.Example.COM/a.jpg', // host case is folded
  'https://a.b.example.com/deep/path.png?x=1',
  'https://img.example.com:443/a.jpg', // explicit default port
  'https://images.example.org/images/a.jpg',
  'https://images.example.org/images/sub/dir/a.jpg',
  'https://images.example.org/images/x/../a.jpg', // stays inside after normalising
  'https://images.example.org/images',
  'https://cdn.example.net:8443/a.jpg',
  'http://127.0.0.1:8080/fixtures/a.png', // named literally: private address allowed
  'http://2130706433:8080/fixtures/a.png', // same host, other spelling
  'http://0x7f.1:8080/fixtures/a.png',
];

const ALLOWED_BY_ANY: string[] = [
  'https://images.example.com/a.jpg',
  'http://images.example.com/a.jpg',
  'https://8.8.8.8/a.jpg',
  'https://1.1.1.1/a.jpg',
  'https://[2606:4700:4700::1111]/a.jpg',
  'https://[2002:808:808::1]/a.jpg', // 6to4 of a public address
  'https://100.63.255.255/', // just below CGNAT
  'https://100.128.0.0/', // just above CGNAT
  'https://172.15.255.255/',
  'https://172.32.0.0/',
  'https://169.253.255.255/',
  'https://localhost.example.com/', // "localhost" only as a label of a public name
];

describe('SSRF: refused', () => {
  it(`has at least 40 internal-address cases (${REFUSED.length}) and 25 pattern cases (${REFUSED_BY_PATTERN.length})`, () => {
    expect(REFUSED.length).toBeGreaterThanOrEqual(40);
    expect(REFUSED_BY_PATTERN.length).toBeGreaterThanOrEqual(25);
  });
  it.each(REFUSED)('%s (curated policy)', (url, code) => {
    expect(outcome(url, POLICY)).toBe(code);
  });
  it.each(REFUSED)('%s (allow-any policy)', (url, code) => {
    expect(outcome(url, ANY)).toBe(code);
  });
  it.each(REFUSED_BY_PATTERN)('%s', (url) => {
    expect(outcome(url, POLICY)).toBe('not_allowed');
  });
  it.each(['not a url', '', '/relative/a.jpg', 'http://', 'http://[::1', 'http://1.2.3.4.5/', 'http://[fe80::1%25eth0]/'])(
    'unparsable %j -> invalid_url',
    (url) => {
      expect(outcome(url, POLICY)).toBe('invalid_url');
    },
  );
  it('an empty policy refuses everything', () => {
    for (const p of [parseSourcePolicy(''), parseSourcePolicy(undefined), parseSourcePolicy(' , ')]) {
      expect(p.patterns).toHaveLength(0);
      expect(outcome('https://img.example.com/a.jpg', p)).toBe('not_allowed');
    }
  });
  it('the error is 403 not_allowed naming the url param', () => {
    try {
      checkSourceUrl(new URL('http://10.0.0.1/'), ANY);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ImageError);
      expect((e as ImageError).status).toBe(403);
      expect((e as ImageError).param).toBe('url');
      expect((e as ImageError).message).toBe('source is a private or reserved address');
    }
  });
});

describe('SSRF: allowed', () => {
  it.each(ALLOWED_BY_POLICY)('%s (curated policy)', (url) => {
    expect(outcome(url, POLICY)).toBe('ok');
  });
  it.each(ALLOWED_BY_ANY)('%s (allow-any policy)', (url) => {
    expect(outcome(url, ANY)).toBe('ok');
  });
  it("'*' still pins the port", () => {
    expect(outcome('https://1.1.1.1:8443/a.jpg', ANY)).toBe('not_allowed');
    expect(outcome('https://1.1.1.1:8443/a.jpg', parseSourcePolicy('https://*:8443'))).toBe('ok');
  });
  it('an exact pattern allows the internal names and addresses it names', () => {
    const p = parseSourcePolicy('http://localhost:8787, http://[::1]:9000, https://metadata.google.internal');
    expect(outcome('http://localhost:8787/a.png', p)).toBe('ok');
    expect(outcome('http://[::1]:9000/a.png', p)).toBe('ok');
    expect(outcome('http://[0:0::1]:9000/a.png', p)).toBe('ok');
    expect(outcome('https://metadata.google.internal/', p)).toBe('ok');
    expect(outcome('http://localhost:8788/a.png', p)).toBe('not_allowed');
    expect(outcome('http://127.0.0.1:8787/a.png', p)).toBe('not_allowed');
  });
});

describe('parseOriginPattern', () => {
  it.each([
    ['https://*.example.com', { protocol: 'https:', hostKind: 'subdomain', host: 'example.com', port: 443, pathPrefix: '' }],
    ['HTTPS://*.EXAMPLE.com', { protocol: 'https:', hostKind: 'subdomain', host: 'example.com', port: 443, pathPrefix: '' }],
    ['http://127.0.0.1:8080/images/', { protocol: 'http:', hostKind: 'exact', host: '127.0.0.1', port: 8080, pathPrefix: '/images' }],
    ['http://[::1]:9000', { protocol: 'http:', hostKind: 'exact', host: '[::1]', port: 9000, pathPrefix: '' }],
    ['https://café.example/', { protocol: 'https:', hostKind: 'exact', host: 'xn--caf-dma.example', port: 443, pathPrefix: '' }],
    ['https://a.com/x/../y/', { protocol: 'https:', hostKind: 'exact', host: 'a.com', port: 443, pathPrefix: '/y' }],
    ['https://*', { protocol: 'https:', hostKind: 'any', host: '', port: 443, pathPrefix: '' }],
    ['http://*:8080', { protocol: 'http:', hostKind: 'any', host: '', port: 8080, pathPrefix: '' }],
  ])('%s', (entry, expected) => {
    expect(parseOriginPattern(entry)).toMatchObject(expected);
  });
  it.each([
    'example.com',
    '*.example.com',
    'ftp://example.com',
    'https://',
    'https://user@example.com',
    'https://example.com?x=1',
    'https://example.com/#x',
    'https://*example.com',
    'https://**.example.com',
    'https://a.*.example.com',
    'https://*.127.0.0.1',
    'https://*.[::1]',
    'https://example.com:0',
    'https://example.com:99999',
    'https://exa mple.com',
    'https://a..example.com',
    'https://example.com.',
  ])('refuses %j', (entry) => {
    expect(() => parseOriginPattern(entry)).toThrow(/ALLOWED_ORIGINS: invalid pattern/);
  });
  // A bad entry reaches the client as the documented 503 naming it, never an opaque 500.
  it.each(['127.0.0.1', 'https://a..example.com'])('ALLOWED_ORIGINS=%j: every request is 503 misconfigured naming the entry', async (entry) => {
    for (const path of ['/samples/landscape.jpg?width=100', `/cdn-cgi/image/width=100/${ORIGIN}/gen/halves.png`]) {
      const res = await callWorker(path, { env: { ALLOWED_ORIGINS: entry } });
      expect(res.status).toBe(503);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('misconfigured');
      expect(body.error.message).toContain(`ALLOWED_ORIGINS: invalid pattern ${JSON.stringify(entry)}`);
    }
  });
});

describe('address parsers (defence in depth below the URL parser)', () => {
  it.each([
    ['127.0.0.1', 0x7f000001],
    ['0x7f.1', 0x7f000001],
    ['0177.0.0.1', 0x7f000001],
    ['127.1', 0x7f000001],
    ['2130706433', 0x7f000001],
    ['0x7f000001', 0x7f000001],
    ['10.1', 0x0a000001],
    ['1.2.3.4.', 0x01020304],
    ['256.1.1.1', null],
    ['1.2.3.4.5', null],
    ['4294967296', null],
    ['example.com', null],
    ['08.1.1.1', null],
    ['', null],
  ])('parseIpv4(%j) = %j', (host, value) => {
    expect(parseIpv4(host)).toBe(value);
  });
  it.each([
    ['[::1]', [0, 0, 0, 0, 0, 0, 0, 1]],
    ['::', [0, 0, 0, 0, 0, 0, 0, 0]],
    ['[::ffff:127.0.0.1]', [0, 0, 0, 0, 0, 0xffff, 0x7f00, 1]],
    ['2001:db8::8:800:200c:417a', [0x2001, 0xdb8, 0, 0, 8, 0x800, 0x200c, 0x417a]],
    ['1:2:3:4:5:6:7:8', [1, 2, 3, 4, 5, 6, 7, 8]],
    ['1::2::3', null],
    ['1:2:3:4:5:6:7:8:9', null],
    ['fe80::1%eth0', null],
    ['12345::', null],
  ])('parseIpv6(%j) = %j', (host, groups) => {
    expect(parseIpv6(host)).toEqual(groups);
  });
  it('range edges', () => {
    const ip = (s: string) => parseIpv4(s)!;
    expect(isBlockedIpv4(ip('9.255.255.255'))).toBe(false);
    expect(isBlockedIpv4(ip('11.0.0.0'))).toBe(false);
    expect(isBlockedIpv4(ip('172.15.255.255'))).toBe(false);
    expect(isBlockedIpv4(ip('172.16.0.0'))).toBe(true);
    expect(isBlockedIpv4(ip('223.255.255.255'))).toBe(false);
    expect(isBlockedIpv4(ip('224.0.0.0'))).toBe(true);
  });
});

describe('property: random input', () => {
  // An independent, deliberately naive restatement of "is this host matched by
  // POLICY": anything the checker allows must satisfy it.
  function hostIsMatched(url: URL): boolean {
    const h = url.hostname;
    const port = url.port || (url.protocol === 'https:' ? '443' : '80');
    if (url.protocol === 'https:' && port === '443' && h.endsWith('.example.com') && h !== '.example.com') return true;
    if (url.protocol === 'https:' && port === '443' && h === 'images.example.org') return true;
    if (url.protocol === 'http:' && port === '8080' && h === '127.0.0.1') return true;
    if (url.protocol === 'https:' && port === '8443' && h === 'cdn.example.net') return true;
    if (url.protocol === 'https:' && port === '443' && (h.endsWith('.localhost') || h.endsWith('.internal'))) return true;
    return false;
  }

  const hostish = fc.oneof(
    fc.constantFrom('img.example.com', 'example.com', 'images.example.org', '127.0.0.1', 'cdn.example.net', 'a.localhost'),
    fc.domain(),
    fc.ipV4(),
    fc.ipV4Extended(),
    fc.ipV6().map((h) => `[${h}]`),
    fc.string(),
  );
  const urlish = fc.oneof(
    fc.string(),
    fc.webUrl({ withQueryParameters: true, withFragments: true }),
    fc
      .tuple(
        fc.constantFrom('http://', 'https://', 'HTTPS://', 'file://', 'ftp://', 'http:/', '//', ''),
        fc.option(fc.constantFrom('u:p@', 'u@', '@', ':@')),
        hostish,
        fc.option(fc.constantFrom(':80', ':443', ':8080', ':8443', ':0', ':65536', ':')),
        fc.constantFrom('', '/', '/images/a.jpg', '/images/../x', '/images/%2e%2e/x', '/fixtures/a.png', '/%2f', '\\x'),
        fc.string(),
      )
      .map(([s, u, h, p, path, tail]) => `${s}${u ?? ''}${h}${p ?? ''}${path}${tail}`),
  );

  it('only ever throws ImageError, and never allows an unmatched host', () => {
    fc.assert(
      fc.property(urlish, (input) => {
        for (const policy of [POLICY, ANY]) {
          let url: URL;
          try {
            url = resolveSourceUrl(input, policy);
          } catch (e) {
            expect(e).toBeInstanceOf(ImageError);
            expect(['invalid_url', 'not_allowed']).toContain((e as ImageError).code);
            continue;
          }
          expect(['http:', 'https:']).toContain(url.protocol);
          expect(url.username + url.password).toBe('');
          if (policy === POLICY) expect(hostIsMatched(url)).toBe(true);
        }
      }),
      { numRuns: 5000 },
    );
  });
});
