/**
 * @module security/source-policy
 * Which remote sources Thumbflare may fetch: the SSRF guard. ALLOWED_ORIGINS is
 * a comma-separated list of URL patterns
 *
 *   scheme://host[:port][/path-prefix]
 *
 * where scheme is http or https, host is a name, an IPv4 address or a bracketed
 * IPv6 address, optionally led by `*.` (any subdomain, not the apex), or the
 * lone `*` (any public host; see below). A source is allowed only if it matches
 * a pattern and is not an internal address or name, unless a pattern names that
 * exact host (how tests allow http://127.0.0.1:PORT).
 *
 * Hosts are compared after WHATWG URL host parsing (RFC 3986 / URL Standard
 * §3.5), which lowercases names, applies IDNA (to punycode) and rewrites every
 * legacy IPv4 spelling (`0x7f.1`, `2130706433`, `0177.0.0.1`, `127.1`,
 * fullwidth digits, percent-encoded digits) to dotted decimal and IPv6 to its
 * compressed form. So we match on `url.hostname` and never on the raw text, and
 * our own IP parser is a second line of defence, not the first.
 *
 * What this cannot see: the address a *name* resolves to (DNS rebinding,
 * `127.0.0.1.nip.io`). A Worker has no DNS API; in production Cloudflare's
 * `fetch` itself refuses private and reserved destinations. See docs/security.md.
 */
import { invalidUrl, misconfigured, notAllowed } from '../errors';

/** One parsed ALLOWED_ORIGINS entry. */
export interface OriginPattern {
  /** 'http:' or 'https:' (URL.protocol form). */
  protocol: 'http:' | 'https:';
  /** 'exact': host === hostname; 'subdomain': a proper subdomain of host; 'any': any public host. */
  hostKind: 'exact' | 'subdomain' | 'any';
  /** WHATWG-serialized hostname (lowercase, punycode, IPv6 bracketed). '' for 'any'. */
  host: string;
  /** Effective port: the pattern's, or the scheme default. */
  port: number;
  /** Path prefix without trailing '/', '' when the pattern allows every path. */
  pathPrefix: string;
  /** The entry as written, for messages and docs. */
  source: string;
}

/** The parsed ALLOWED_ORIGINS. An empty policy refuses every remote URL. */
export interface SourcePolicy {
  patterns: readonly OriginPattern[];
}

const DEFAULT_PORTS = { 'http:': 80, 'https:': 443 } as const;

// scheme :// [*.]host-or-[v6] [:port] [/path]; no userinfo, query or fragment.
const PATTERN_RE = /^(https?):\/\/(\*\.|\*)?([^/?#@:*[\]]*|\[[0-9A-Fa-f:.]+\])(?::([0-9]{1,5}))?(\/[^?#]*)?$/i;

/**
 * Parses ALLOWED_ORIGINS. Malformed entries throw a plain `Error` naming the
 * entry: that is an operator's configuration mistake, better loud at startup
 * than silently ignored (which could widen or narrow the policy unexpectedly).
 */
export function parseSourcePolicy(allowedOrigins: string | undefined | null): SourcePolicy {
  const entries = (allowedOrigins ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return { patterns: entries.map(parseOriginPattern) };
}

/** Parses one ALLOWED_ORIGINS entry; see the module comment for its grammar. */
export function parseOriginPattern(entry: string): OriginPattern {
  const fail = (why: string): never => {
    throw misconfigured(`ALLOWED_ORIGINS: invalid pattern ${JSON.stringify(entry)}: ${why}`);
  };
  const m = PATTERN_RE.exec(entry);
  if (!m) return fail('expected scheme://host[:port][/path] with scheme http or https');
  const [, scheme = '', wildcard, rawHost = '', rawPort, rawPath] = m;
  const protocol = `${scheme.toLowerCase()}:` as 'http:' | 'https:';
  if (wildcard === '*' && rawHost !== '') return fail("'*' must be the whole host or be followed by '.'");
  if (wildcard !== '*' && rawHost === '') return fail('missing host');

  // Let the WHATWG parser canonicalise the host and path exactly as it will
  // canonicalise the sources we compare them with.
  let parsed: URL;
  try {
    parsed = new URL(`${protocol}//${rawHost || 'any.invalid'}${rawPath ?? '/'}`);
  } catch {
    return fail('host or path does not parse as a URL');
  }
  const port = rawPort === undefined ? DEFAULT_PORTS[protocol] : Number(rawPort);
  if (port < 1 || port > 65535) fail('port out of range');

  let hostKind: OriginPattern['hostKind'] = 'exact';
  if (wildcard === '*') hostKind = 'any';
  else if (wildcard === '*.') {
    hostKind = 'subdomain';
    if (parseIpv4(parsed.hostname) || parsed.hostname.startsWith('[')) fail('a wildcard cannot apply to an IP address');
  }
  const host = hostKind === 'any' ? '' : parsed.hostname;
  if (host !== '' && !isWellFormedHostname(host)) fail('host has empty labels or a trailing dot');
  return { protocol, hostKind, host, port, pathPrefix: parsed.pathname.replace(/\/+$/, ''), source: entry };
}

/**
 * Parses a client-supplied source URL string and checks it. Every failure is an
 * `ImageError`: 400 invalid_url when it does not parse, 403 not_allowed when the
 * policy refuses it.
 */
export function resolveSourceUrl(input: string, policy: SourcePolicy): URL {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw invalidUrl('source URL is not a valid absolute URL');
  }
  checkSourceUrl(url, policy);
  return url;
}

/**
 * Throws `notAllowed` (403) unless the source may be fetched: http(s) only, no
 * userinfo, matches a pattern (scheme, host, port, path prefix on a segment
 * boundary), and is not an internal address or name unless a pattern names
 * that exact host. Call it again for every redirect hop.
 */
export function checkSourceUrl(url: URL, policy: SourcePolicy): void {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw notAllowed('only http and https sources are allowed');
  }
  // Credentials would be sent to the origin (and logged, and cached under); an
  // image URL never needs them.
  if (url.username !== '' || url.password !== '') throw notAllowed('source URL must not contain credentials');
  if (policy.patterns.length === 0) throw notAllowed('remote sources are not enabled');

  const hostname = url.hostname;
  if (!isWellFormedHostname(hostname)) throw notAllowed('source host is not allowed');
  const port = url.port === '' ? DEFAULT_PORTS[url.protocol] : Number(url.port);

  let matched: OriginPattern | undefined;
  for (const p of policy.patterns) {
    if (p.protocol !== url.protocol || p.port !== port) continue;
    if (!matchHost(p, hostname) || !matchPath(p.pathPrefix, url.pathname)) continue;
    // An exact-host match wins over a wildcard one: it exempts the host from the
    // internal-address checks below.
    if (!matched || p.hostKind === 'exact') matched = p;
    if (p.hostKind === 'exact') break;
  }
  if (!matched) throw notAllowed('source origin is not allowed');
  if (matched.hostKind === 'exact') return; // named literally by the operator

  if (isInternalAddress(hostname)) throw notAllowed('source is a private or reserved address');
  if (isInternalName(hostname)) throw notAllowed('source host is an internal name');
}

/** True for a name or address with no empty label and no trailing dot. */
function isWellFormedHostname(hostname: string): boolean {
  if (hostname === '') return false;
  if (hostname.startsWith('[')) return true;
  return !hostname.split('.').some((label) => label === '');
}

/** Host part of the match; case already folded by the URL parser. */
function matchHost(p: OriginPattern, hostname: string): boolean {
  switch (p.hostKind) {
    case 'exact':
      return hostname === p.host;
    case 'subdomain':
      // '.example.com' suffix with at least one label before it: the apex and
      // look-alikes such as 'evil-example.com' or 'example.com.evil.net' fail.
      // IP literals never match a wildcard.
      return (
        hostname.length > p.host.length + 1 &&
        hostname.endsWith(`.${p.host}`) &&
        !hostname.startsWith('[') &&
        parseIpv4(hostname) === null
      );
    case 'any':
      return true;
  }
}

/**
 * Path-prefix match on a segment boundary. `url.pathname` has already had its
 * dot segments removed by the WHATWG parser (including `%2e%2e` and `\` for
 * http(s)), so `/images/../secret` arrives as `/secret`. Encoded slashes and
 * backslashes are refused under a prefix: some origins decode them before
 * routing, which would turn `/images/..%2Fsecret` into a traversal.
 */
function matchPath(prefix: string, pathname: string): boolean {
  if (prefix === '') return true;
  if (/%2f|%5c/i.test(pathname)) return false;
  return pathname === prefix || pathname.startsWith(`${prefix}/`);
}

// ---------------------------------------------------------------------------
// Addresses

/**
 * Parses an IPv4 host to its 32-bit value, or returns null. Accepts the legacy
 * forms WHATWG URL accepts (1-4 parts, decimal, octal with a leading 0, hex
 * with 0x; the last part fills the remaining bytes), so that a host the URL
 * parser did not normalise (defence in depth) is still recognised.
 */
export function parseIpv4(host: string): number | null {
  const parts = host.split('.');
  if (parts[parts.length - 1] === '' && parts.length > 1) parts.pop();
  if (parts.length === 0 || parts.length > 4) return null;
  const nums: number[] = [];
  for (const part of parts) {
    let n: number;
    if (/^0x[0-9a-f]*$/i.test(part)) n = part.length === 2 ? 0 : parseInt(part.slice(2), 16);
    else if (/^0[0-7]+$/.test(part)) n = parseInt(part.slice(1), 8);
    else if (/^(0|[1-9][0-9]*)$/.test(part)) n = Number(part);
    else return null;
    if (!Number.isFinite(n)) return null;
    nums.push(n);
  }
  const last = nums.pop()!;
  if (nums.some((n) => n > 255) || last >= 256 ** (4 - nums.length)) return null;
  return nums.reduce((acc, n, i) => acc + n * 256 ** (3 - i), 0) + last;
}

/** Parses a bracketed or bare IPv6 address to its eight 16-bit groups, or null. */
export function parseIpv6(host: string): number[] | null {
  let text = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (!/^[0-9a-f:.]+$/i.test(text)) return null; // also refuses zone ids
  // A trailing dotted IPv4 becomes two groups.
  const v4 = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const [, prefix = '', quad = ''] = v4;
    const n = parseStrictDottedQuad(quad);
    if (n === null) return null;
    text = `${prefix}${((n >>> 16) & 0xffff).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const toGroups = (s: string) => (s === '' ? [] : s.split(':'));
  const head = toGroups(halves[0] ?? '');
  const tail = halves.length === 2 ? toGroups(halves[1] ?? '') : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (groups.some((g) => !/^[0-9a-f]{1,4}$/i.test(g))) return null;
  return groups.map((g) => parseInt(g, 16));
}

function parseStrictDottedQuad(s: string): number | null {
  const parts = s.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^(0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > 255)) return null;
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

// IPv4 special-purpose blocks (RFC 6890 and successors) a source must not be in.
const BLOCKED_V4: ReadonlyArray<readonly [string, number]> = [
  ['0.0.0.0', 8], // "this network", incl. 0.0.0.0 unspecified (RFC 1122)
  ['10.0.0.0', 8], // private (RFC 1918)
  ['100.64.0.0', 10], // carrier-grade NAT (RFC 6598)
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, incl. cloud metadata 169.254.169.254 (RFC 3927)
  ['172.16.0.0', 12], // private (RFC 1918)
  ['192.0.0.0', 24], // IETF protocol assignments (RFC 6890)
  ['192.0.2.0', 24], // TEST-NET-1 (RFC 5737)
  ['192.88.99.0', 24], // 6to4 relay anycast (RFC 7526)
  ['192.168.0.0', 16], // private (RFC 1918)
  ['198.18.0.0', 15], // benchmarking (RFC 2544)
  ['198.51.100.0', 24], // TEST-NET-2 (RFC 5737)
  ['203.0.113.0', 24], // TEST-NET-3 (RFC 5737)
  ['224.0.0.0', 4], // multicast (RFC 5771)
  ['240.0.0.0', 4], // reserved, incl. 255.255.255.255 broadcast (RFC 1112)
];
const BLOCKED_V4_RANGES = BLOCKED_V4.map(([base, bits]) => {
  const size = 2 ** (32 - bits);
  const start = parseStrictDottedQuad(base)!;
  return [start, start + size - 1] as const;
});

/** True when a 32-bit IPv4 value lies in a blocked special-purpose range. */
export function isBlockedIpv4(n: number): boolean {
  return BLOCKED_V4_RANGES.some(([lo, hi]) => n >= lo && n <= hi);
}

/**
 * True when eight IPv6 groups are not a plain public unicast address. Only
 * global unicast 2000::/3 (RFC 4291) passes, which already excludes ::,
 * ::1, IPv4-mapped ::ffff:0:0/96, IPv4-compatible ::/96, NAT64 64:ff9b::/96
 * and 64:ff9b:1::/48 (RFC 6052, 8215), discard 100::/64, unique-local
 * fc00::/7, link-local fe80::/10, site-local fec0::/10 and multicast ff00::/8.
 * Inside 2000::/3 we also refuse Teredo 2001::/32 (embeds an obfuscated IPv4),
 * the IETF/benchmark/ORCHID/documentation blocks, and 6to4 2002::/16 when the
 * embedded IPv4 (RFC 3056) is itself blocked.
 */
export function isBlockedIpv6(groups: number[]): boolean {
  const [g0 = 0, g1 = 0, g2 = 0] = groups;
  if ((g0 & 0xe000) !== 0x2000) return true;
  if (g0 === 0x2001 && g1 < 0x0200) return true; // 2001::/23 IETF protocol assignments (Teredo, ORCHID, benchmarking)
  if (g0 === 0x2001 && g1 === 0x0db8) return true; // documentation (RFC 3849)
  if (g0 === 0x3fff && g1 < 0x1000) return true; // documentation 3fff::/20 (RFC 9637)
  if (g0 === 0x2002) return isBlockedIpv4(g1 * 0x10000 + g2); // 6to4 embeds its IPv4 in bits 16-47
  return false;
}

/** True when the host is an IP literal (any spelling) in a blocked range. */
export function isInternalAddress(hostname: string): boolean {
  const v4 = parseIpv4(hostname);
  if (v4 !== null) return isBlockedIpv4(v4);
  if (hostname.startsWith('[')) {
    const v6 = parseIpv6(hostname);
    return v6 === null || isBlockedIpv6(v6); // unparsable bracketed host: refuse
  }
  // Looks numeric but is not a valid IPv4: the URL parser would have failed or
  // normalised it, so something is off; refuse rather than send it to DNS.
  return /^[0-9.]+$|^0x/i.test(hostname);
}

// Names that resolve inside the network (or to the machine itself) by convention.
const INTERNAL_NAMES = new Set(['localhost', 'metadata', 'metadata.google.internal', 'instance-data', 'kubernetes']);
const INTERNAL_SUFFIXES = ['.localhost', '.local', '.internal', '.intranet', '.lan', '.home.arpa', '.localdomain', '.corp'];

/**
 * True for names that are internal by convention: localhost and its
 * subdomains (RFC 6761), mDNS `.local` (RFC 6762), `.internal`, `.home.arpa`
 * (RFC 8375), cloud metadata names, and single-label names (resolved through
 * the search domain, i.e. inside the network).
 */
export function isInternalName(hostname: string): boolean {
  if (hostname.startsWith('[') || parseIpv4(hostname) !== null) return false;
  if (!hostname.includes('.')) return true;
  return INTERNAL_NAMES.has(hostname) || INTERNAL_SUFFIXES.some((s) => hostname.endsWith(s));
}
