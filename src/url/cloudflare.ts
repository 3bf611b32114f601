/**
 * @module url/cloudflare
 * Cloudflare's dialect: the three public URL forms mapped onto one parsed request,
 * and the `SIGNING_KEYS` check (`sig`/`expires`, docs/security.md) that guards them.
 * Parsing is pure: a URL and the config in, the source reference and typed options out.
 *
 *   1. path form        GET /<source path>?<options>
 *   2. remote form      GET /?url=<absolute URL or /path>&<options>
 *   3. Cloudflare form  GET /cdn-cgi/image/<k=v,k=v,...>/<source>
 */
import type { Config } from '../config';
import { invalidParam, invalidUrl } from '../errors';
import type { SourceRef } from '../origin';
import { parseOptions, splitCdnCgiOptions, type RawPair } from '../options/parse';
import type { TransformOptions } from '../options/types';
import { verifySignature } from '../security/sign';
import { resolveSource } from '../source';
import type { Dialect } from './dialect';

export const CDN_CGI_PREFIX = '/cdn-cgi/image/';

export interface CloudflareRequest {
  source: SourceRef;
  options: TransformOptions;
}

/** Query parameters as pairs, keeping duplicates so the parser can refuse them. */
function queryPairs(url: URL): RawPair[] {
  return [...url.searchParams.entries()];
}

export function parseRequestUrl(url: URL, config: Config, hasBucket: boolean): CloudflareRequest {
  const limits = { maxDimension: config.maxDimension, allowedWidths: config.allowedWidths, allowedQualities: config.allowedQualities };
  const settings = { origin: config.origin, hasBucket };

  if (url.pathname.startsWith(CDN_CGI_PREFIX)) {
    const rest = url.pathname.slice(CDN_CGI_PREFIX.length);
    const slash = rest.indexOf('/');
    if (slash <= 0) throw invalidUrl('expected /cdn-cgi/image/<options>/<source>');
    const options = parseOptions(splitCdnCgiOptions(safeDecode(rest.slice(0, slash))), limits);
    // The source keeps its own query, less our transport parameters.
    const query = new URLSearchParams(url.search);
    query.delete('sig');
    query.delete('expires');
    const search = query.size ? `?${query}` : '';
    return { source: resolveSource(repairScheme(rest.slice(slash + 1)) + search, settings), options };
  }

  const pairs = queryPairs(url);
  const urls = pairs.filter(([k]) => k === 'url');
  if (url.pathname === '/') {
    if (urls.length !== 1) throw invalidParam('url', urls.length ? 'url is given more than once' : 'url is required');
    return { source: resolveSource(urls[0]![1], settings), options: parseOptions(pairs, limits) };
  }
  if (urls.length) throw invalidParam('url', 'url is only accepted on / (the remote form)');
  // Cache busters (CACHE_BUSTER_PARAMS, `?v=3`) belong to the source, not the transform: they go
  // to the origin and into the cache keys. Only here: `url=` and the cdn-cgi source carry their own query.
  const [busters, rest] = splitBusters(pairs, config.cacheBusterParams);
  return { source: resolveSource(url.pathname, settings, busters), options: parseOptions(rest, limits) };
}

/** The cache-buster pairs as a query string (`?v=3`, in the order given) and the other pairs. */
function splitBusters(pairs: RawPair[], names: ReadonlySet<string>): [string, RawPair[]] {
  const busters = new URLSearchParams(pairs.filter(([k]) => names.has(k)) as [string, string][]);
  return [busters.size ? `?${busters}` : '', pairs.filter(([k]) => !names.has(k))];
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw invalidUrl('options segment is not valid percent-encoding');
  }
}

/** Some clients collapse `//` in paths; `https:/host/a.jpg` still means `https://host/a.jpg`. */
function repairScheme(source: string): string {
  const m = /^(https?):\/+(.*)$/i.exec(source);
  return m ? `${m[1]}://${m[2]}` : source.startsWith('/') ? source : `/${source}`;
}

/** Cloudflare's grammar takes every path (the path form), so it is tried last. */
export const cloudflareDialect: Dialect = {
  name: 'cloudflare',
  claims: () => true,
  async parse(url, { config, hasBucket, nowSeconds }) {
    if (config.signingKeys.length) await verifySignature(url, config.signingKeys, nowSeconds);
    return { kind: 'image', ...parseRequestUrl(url, config, hasBucket) };
  },
};
