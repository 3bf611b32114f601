/**
 * @module security/sign-core
 * The signing core of Thumbflare's signed URLs, in plain JavaScript so that the
 * Worker (through `sign.ts`) and the Node CLI (`bin/thumbflare.mjs`) run the very
 * same code with no build step. It uses only Web Crypto (`globalThis.crypto.subtle`),
 * `btoa`/`atob` and the WHATWG `URL` class, which exist in workerd and in Node 20.
 *
 * It knows nothing of HTTP errors: verification returns a verdict string and
 * `sign.ts` turns it into an `ImageError`. Types live in `sign-core.d.mts`.
 *
 * The scheme (docs/security.md, "Signed URLs", is the normative text):
 *   canonical string = raw path + ('?' + remaining query, if any parameter remains)
 *   sig              = base64url-nopad( HMAC-SHA256( utf8(key), utf8(canonical) ) )
 */

/** Name of the signature query parameter. Never part of the canonical string. */
export const SIG_PARAM = 'sig';
/** Name of the optional expiry parameter (Unix seconds). Covered by the signature. */
export const EXPIRES_PARAM = 'expires';

// Base used only to parse root-relative URLs; `.invalid` is reserved (RFC 2606),
// and the host never reaches the canonical string anyway.
const RELATIVE_BASE = 'http://thumbflare.invalid';

// A SHA-256 HMAC is 32 bytes: 43 base64url characters without padding (RFC 4648 §5).
const SIG_PATTERN = /^[A-Za-z0-9_-]{43}$/;
// Unix seconds: digits only, no sign, no exponent, no leading '+'; 12 digits reach year 33658.
const EXPIRES_PATTERN = /^[0-9]{1,12}$/;

const encoder = new TextEncoder();

/**
 * Splits a raw query string (without the leading '?') into its '&'-separated
 * components, exactly as received: no decoding, empty components kept, so the
 * canonical string preserves the original encoding and order.
 * @param {string} query
 * @returns {string[]}
 */
function splitQuery(query) {
  return query === '' ? [] : query.split('&');
}

/**
 * The raw (still percent-encoded) name of a query component: the text before the
 * first '='. Names are compared raw, not decoded: `%73ig` is not `sig`, and as
 * an ordinary parameter it is covered by the signature like any other.
 * @param {string} component
 */
function rawName(component) {
  const eq = component.indexOf('=');
  return eq === -1 ? component : component.slice(0, eq);
}

/**
 * Builds the canonical string that is signed: the URL's path as serialized by
 * the WHATWG URL Standard (percent-encoding kept as received, never decoded),
 * then, if any query component other than `sig` remains, '?' and those
 * components joined by '&' in their original order and encoding.
 * Scheme, host, port and fragment are not covered.
 * @param {URL} url
 * @returns {string}
 */
export function buildCanonicalString(url) {
  const kept = splitQuery(url.search.slice(1)).filter((c) => rawName(c) !== SIG_PARAM);
  return kept.length === 0 ? url.pathname : `${url.pathname}?${kept.join('&')}`;
}

/**
 * Encodes bytes as base64url without padding (RFC 4648 §5): URL-safe alphabet,
 * so the value needs no percent-encoding in a query string.
 * @param {Uint8Array} bytes
 */
export function encodeBase64url(bytes) {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * Decodes a 43-character base64url signature to its 32 bytes, or returns null.
 * Only the canonical encoding is accepted (the re-encoding must give back the
 * same text): otherwise the unused low bits of the last character would let one
 * signature be spelled four ways, i.e. four cache variants of one signed URL.
 * @param {string} text
 * @returns {Uint8Array | null}
 */
function decodeSignature(text) {
  if (!SIG_PATTERN.test(text)) return null;
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/') + '=');
  const bytes = Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
  return encodeBase64url(bytes) === text ? bytes : null;
}

// Imported keys, by key text: importKey costs more than the HMAC itself. The
// map is tiny (SIGNING_KEYS holds a handful of keys) and cleared if it ever grows.
/** @type {Map<string, Promise<CryptoKey>>} */
const keyCache = new Map();

/**
 * Imports a signing key for HMAC-SHA256. The key is the UTF-8 bytes of the key
 * text, used as is (RFC 2104 §2: keys longer than the 64-byte block are hashed,
 * which Web Crypto does for us).
 * @param {string} key
 * @returns {Promise<CryptoKey>}
 */
function importSigningKey(key) {
  let imported = keyCache.get(key);
  if (!imported) {
    if (keyCache.size >= 32) keyCache.clear();
    imported = crypto.subtle.importKey('raw', encoder.encode(key), { name: 'HMAC', hash: 'SHA-256' }, false, [
      'sign',
      'verify',
    ]);
    keyCache.set(key, imported);
  }
  return imported;
}

/**
 * Splits a SIGNING_KEYS value into its keys: comma-separated, surrounding
 * whitespace trimmed, empty entries dropped. The first key signs; any key verifies.
 * @param {string | undefined | null} secret
 * @returns {string[]}
 */
export function parseSigningKeys(secret) {
  if (!secret) return [];
  return secret
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k !== '');
}

/**
 * Computes the signature of a canonical string: base64url-nopad(HMAC-SHA256).
 * @param {string} canonical
 * @param {string} key
 * @returns {Promise<string>}
 */
export async function computeSignature(canonical, key) {
  if (typeof key !== 'string' || key === '') throw new TypeError('signing key must be a non-empty string');
  const mac = await crypto.subtle.sign('HMAC', await importSigningKey(key), encoder.encode(canonical));
  return encodeBase64url(new Uint8Array(mac));
}

/**
 * Parses a URL given to the signer: absolute http(s) or root-relative ('/...',
 * not '//...', which would name a host). Parsing it with the same WHATWG parser
 * the Worker uses means we sign exactly the string the Worker will see (dot
 * segments removed, spaces and the like percent-encoded).
 * @param {string} input
 * @returns {{ url: URL, relative: boolean }}
 */
function parseUrlToSign(input) {
  if (typeof input !== 'string') throw new TypeError('URL must be a string');
  if (input.startsWith('/') && !input.startsWith('//') && !input.startsWith('/\\')) {
    return { url: new URL(input, RELATIVE_BASE), relative: true };
  }
  let url;
  try {
    url = new URL(input);
  } catch {
    throw new TypeError(`not an absolute or root-relative URL: ${input}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`only http(s) URLs can be signed: ${input}`);
  }
  return { url, relative: false };
}

/**
 * Signs a URL: appends `expires` first when asked (so it is covered), then
 * `&sig=` (or `?sig=`). Returns the same form it was given (absolute or
 * root-relative), in WHATWG-serialized form; a fragment stays at the end.
 * @param {string} input absolute http(s) or root-relative URL
 * @param {string} key the signing key (the first of SIGNING_KEYS)
 * @param {{ expires?: number }} [opts] expires: Unix seconds, a non-negative integer
 * @returns {Promise<string>}
 */
export async function signUrl(input, key, opts = {}) {
  const { url, relative } = parseUrlToSign(input);
  const components = splitQuery(url.search.slice(1));
  const names = components.map(rawName);
  if (names.includes(SIG_PARAM)) throw new TypeError('URL already has a sig parameter');
  if (opts.expires !== undefined) {
    if (!Number.isSafeInteger(opts.expires) || !EXPIRES_PATTERN.test(String(opts.expires))) {
      throw new TypeError('expires must be a non-negative integer number of Unix seconds');
    }
    if (names.includes(EXPIRES_PARAM)) throw new TypeError('URL already has an expires parameter');
    components.push(`${EXPIRES_PARAM}=${opts.expires}`);
  }
  const hash = url.hash;
  url.hash = '';
  // Setting search to the components we already hold (already in serialized,
  // percent-encoded form) is idempotent; it also drops a bare trailing '?'.
  url.search = components.join('&');
  const sig = await computeSignature(buildCanonicalString(url), key);
  const sep = components.length === 0 ? '?' : '&';
  const head = relative ? url.pathname + url.search : url.href;
  return `${head}${sep}${SIG_PARAM}=${sig}${hash}`;
}

/**
 * Checks a request URL's signature against every key, then its expiry.
 * Returns a verdict instead of throwing so it has no dependency on errors.ts.
 * A URL with more than one `sig` or `expires` is 'invalid': otherwise a parser
 * reading a different copy than this function could see an unsigned value.
 * The comparison is `crypto.subtle.verify`, which compares the MACs in constant
 * time (CRYPTO_memcmp in both BoringSSL/workerd and OpenSSL/Node).
 * @param {URL} url
 * @param {string[]} keys
 * @param {number} nowSeconds current Unix time in seconds
 * @returns {Promise<'ok' | 'missing' | 'invalid' | 'expired'>}
 */
export async function checkSignature(url, keys, nowSeconds) {
  const components = splitQuery(url.search.slice(1));
  const sigs = components.filter((c) => rawName(c) === SIG_PARAM);
  if (sigs.length === 0) return 'missing';
  if (sigs.length > 1) return 'invalid';
  const sigText = sigs[0].slice(SIG_PARAM.length + 1); // '' when written 'sig' with no '='
  if (sigText === '') return 'missing';
  const sigBytes = decodeSignature(sigText);
  if (!sigBytes) return 'invalid';

  const data = encoder.encode(buildCanonicalString(url));
  let valid = false;
  // Try every key (no early exit): the time taken then depends on how many keys
  // are configured, not on which one matched.
  for (const key of keys) {
    if (key === '') continue;
    const ok = await crypto.subtle.verify('HMAC', await importSigningKey(key), sigBytes, data);
    valid = valid || ok;
  }
  if (!valid) return 'invalid';

  const expires = components.filter((c) => rawName(c) === EXPIRES_PARAM);
  if (expires.length > 1) return 'invalid';
  if (expires.length === 1) {
    const value = expires[0].slice(EXPIRES_PARAM.length + 1);
    // A signed but malformed expiry is the signer's bug; refuse rather than guess.
    if (!EXPIRES_PATTERN.test(value)) return 'invalid';
    if (nowSeconds > Number(value)) return 'expired';
  }
  return 'ok';
}
