/**
 * @module thumbflare/next
 * A Next.js image loader for Thumbflare. Plain ESM JavaScript with no build step
 * and no dependencies beyond `../security/sign-core.mjs` (itself plain Web Crypto),
 * so `images.loaderFile` can point at it directly or re-export it from a
 * one-line file. Types live in `loader.d.mts`.
 *
 * Next.js 16 calls a custom loader with exactly `{ src, width, quality }`:
 *   - `src` is root-relative (`/photos/a.jpg`, or `/_next/static/media/a.<hash>.jpg`
 *     for a static import) or absolute (`https://cdn.example.com/a.jpg?v=2`);
 *   - `width` is one of `deviceSizes` / `imageSizes`;
 *   - `quality` is `undefined` when unset and may be a float.
 *
 * Mapping (the Worker's URL API, docs/api.md):
 *   root-relative src -> path form    `<base><src path>?format=auto&width=W&quality=Q`
 *                        (the Worker resolves it against its ORIGIN: your site, or
 *                        its R2 bucket when one is bound as SOURCE_BUCKET)
 *   absolute src      -> remote form  `<base>/?url=<encoded src>&format=auto&width=W&quality=Q`
 *                        (the Worker fetches it only if ALLOWED_ORIGINS allows it)
 *
 * The width is always in the URL, so Next's dev-time warning about loaders that
 * ignore `width` does not fire. `format=auto` makes the Worker pick AVIF/WebP/JPEG/PNG
 * from the browser's Accept header (and answer `Vary: Accept`).
 *
 * Signing: Next loaders are synchronous and run in the browser too, while
 * `signUrl` (HMAC via Web Crypto) is asynchronous and needs the secret key. So a
 * loader can never sign by itself. What works, and what this module offers:
 *   1. on the server (a Server Component, getStaticProps / getServerSideProps, or
 *      a build script), `await presignThumbflareUrls({ baseUrl, key, srcs })`
 *      computes every URL next/image can ask for and signs it; the result is a
 *      plain object (serialisable, safe to send to the browser: it holds signed
 *      URLs, not the key);
 *   2. `createThumbflareLoader({ baseUrl, sign: lookupSigner(table) })` returns a
 *      synchronous loader that looks each URL up in that table, and throws for a
 *      URL nobody presigned (rather than emit a URL the Worker would refuse).
 * Never put the signing key in a NEXT_PUBLIC_ variable: it would ship to browsers.
 */
import { signUrl } from '../security/sign-core.mjs';

/** The quality next/image means when none is given (its own default loader uses 75). */
export const DEFAULT_QUALITY = 75;

/** Next.js 16's default `deviceSizes` then `imageSizes` (with the older 16): every width a loader can be asked for. */
export const NEXT_DEFAULT_WIDTHS = Object.freeze([16, 32, 48, 64, 96, 128, 256, 384, 640, 750, 828, 1080, 1200, 1920, 2048, 3840]);

/**
 * The base URL as given at build time. Written out in full so that Next inlines it:
 * only the literal `process.env.NEXT_PUBLIC_THUMBFLARE_URL` is replaced in bundles.
 * @returns {string | undefined}
 */
function envBaseUrl() {
  try {
    return process.env.NEXT_PUBLIC_THUMBFLARE_URL;
  } catch {
    return undefined; // no `process` at all (a bundle that did not inline it)
  }
}

/**
 * @param {string | undefined} baseUrl
 * @returns {string} the base without trailing slashes
 */
function normaliseBase(baseUrl) {
  if (typeof baseUrl !== 'string' || baseUrl.trim() === '') {
    throw new Error(
      'thumbflare/next: no Thumbflare base URL. Set NEXT_PUBLIC_THUMBFLARE_URL (e.g. https://images.example.com) ' +
        'when you build, or pass { baseUrl } to createThumbflareLoader.',
    );
  }
  const base = baseUrl.trim().replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]/i.test(base) && !base.startsWith('/')) {
    throw new Error(`thumbflare/next: base URL must be http(s)://host[/path] or a root-relative path, not "${base}"`);
  }
  return base;
}

/**
 * Builds the Thumbflare URL for one next/image candidate. Pure and synchronous.
 * @param {{ src: string, width: number, quality?: number }} params what Next passes to a loader
 * @param {string} baseUrl the Worker's base URL, e.g. https://images.example.com
 * @returns {string}
 */
export function thumbflareUrl({ src, width, quality }, baseUrl) {
  const base = normaliseBase(baseUrl);
  if (typeof src !== 'string' || src === '') throw new TypeError('thumbflare/next: src must be a non-empty string');
  if (!Number.isInteger(width) || width <= 0) throw new TypeError(`thumbflare/next: width must be a positive integer, not ${width}`);
  // `quality || 75`, as Next's own loader does; Next may pass a float: the Worker wants an integer 1..100.
  const q = quality ? Math.round(Number(quality)) : DEFAULT_QUALITY;
  if (!Number.isFinite(q)) throw new TypeError(`thumbflare/next: quality must be a number, not ${quality}`);
  const options = `format=auto&width=${width}&quality=${Math.min(100, Math.max(1, q))}`;

  if (/^https?:\/\//i.test(src) || src.startsWith('//')) {
    // Remote form: the whole source (its own query included) travels as url=.
    const absolute = src.startsWith('//') ? `https:${src}` : src;
    return `${base}/?url=${encodeURIComponent(absolute)}&${options}`;
  }
  if (!src.startsWith('/')) {
    throw new TypeError(`thumbflare/next: src must be root-relative ("/photos/a.jpg") or absolute, not "${src}"`);
  }
  // Path form. A query on the source (e.g. /a.jpg?v=2) would mix with ours (the
  // path form reads every query parameter as an option), and /cdn-cgi/image/...
  // is another URL form: send such sources as url=, which means the same source.
  if (src.includes('?') || src.includes('#') || src.startsWith('/cdn-cgi/')) {
    return `${base}/?url=${encodeURIComponent(src)}&${options}`;
  }
  return `${base}${encodePath(src)}?${options}`;
}

/** Percent-encodes what a path segment may not hold raw, keeping '/' and existing escapes. */
function encodePath(path) {
  return path
    .split('/')
    .map((segment) => {
      try {
        return encodeURIComponent(decodeURIComponent(segment));
      } catch {
        return encodeURIComponent(segment);
      }
    })
    .join('/');
}

/**
 * The default export: point `images.loaderFile` here. Reads the base URL from
 * NEXT_PUBLIC_THUMBFLARE_URL (inlined by Next at build time).
 * @param {{ src: string, width: number, quality?: number }} params
 * @returns {string}
 */
export default function thumbflareLoader(params) {
  return thumbflareUrl(params, envBaseUrl());
}

/**
 * A loader with an explicit base URL and, optionally, a synchronous signer that
 * maps each unsigned URL to its signed form (see `lookupSigner`).
 * @param {{ baseUrl?: string, sign?: (unsignedUrl: string) => string }} [options]
 * @returns {(params: { src: string, width: number, quality?: number }) => string}
 */
export function createThumbflareLoader({ baseUrl, sign } = {}) {
  if (sign !== undefined && typeof sign !== 'function') {
    throw new TypeError('thumbflare/next: sign must be a synchronous function (unsignedUrl) => signedUrl');
  }
  return function thumbflareLoaderWithOptions(params) {
    const url = thumbflareUrl(params, baseUrl ?? envBaseUrl());
    if (!sign) return url;
    const signed = sign(url);
    if (typeof signed !== 'string') {
      throw new TypeError(
        'thumbflare/next: sign() must return the signed URL synchronously (Next.js loaders are synchronous); ' +
          'presign with presignThumbflareUrls() on the server and look URLs up with lookupSigner().',
      );
    }
    return signed;
  };
}

/**
 * Server side only (it needs the signing key): signs every URL the loader can
 * produce for `srcs` at `widths` and `qualities`. Returns a plain object from
 * unsigned URL to signed URL, safe to pass to the browser.
 * @param {{ baseUrl: string, key: string, srcs: string[], widths?: readonly number[], qualities?: readonly (number | undefined)[], expires?: number }} options
 * @returns {Promise<Record<string, string>>}
 */
export async function presignThumbflareUrls({ baseUrl, key, srcs, widths = NEXT_DEFAULT_WIDTHS, qualities = [undefined], expires }) {
  /** @type {Record<string, string>} */
  const table = {};
  const jobs = [];
  for (const src of srcs) {
    for (const width of widths) {
      for (const quality of qualities) {
        const url = thumbflareUrl({ src, width, quality }, baseUrl);
        if (Object.hasOwn(table, url)) continue;
        table[url] = '';
        jobs.push(signUrl(url, key, expires === undefined ? {} : { expires }).then((signed) => (table[url] = signed)));
      }
    }
  }
  await Promise.all(jobs);
  return table;
}

/**
 * A synchronous `sign` for createThumbflareLoader that looks URLs up in a table
 * from presignThumbflareUrls. Throws for a URL that was not presigned.
 * @param {Record<string, string>} table
 * @returns {(unsignedUrl: string) => string}
 */
export function lookupSigner(table) {
  return (url) => {
    const signed = Object.hasOwn(table, url) ? table[url] : undefined;
    if (!signed) {
      throw new Error(`thumbflare/next: no presigned URL for ${url}; add its src, width and quality to presignThumbflareUrls()`);
    }
    return signed;
  };
}
