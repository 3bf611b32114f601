/**
 * @module routes
 * Maps the three public URL forms onto one parsed request. Pure: a URL and the
 * config in, the source reference and typed options out.
 *
 *   1. path form        GET /<source path>?<options>
 *   2. remote form      GET /?url=<absolute URL or /path>&<options>
 *   3. Cloudflare form  GET /cdn-cgi/image/<k=v,k=v,...>/<source>
 */
import type { Config } from './config';
import { invalidParam, invalidUrl } from './errors';
import type { SourceRef } from './origin';
import { parseOptions, splitCdnCgiOptions, type RawPair } from './options/parse';
import type { TransformOptions } from './options/types';
import { resolveSource } from './source';
import { parseImgproxyUrl } from './url/imgproxy';

export const CDN_CGI_PREFIX = '/cdn-cgi/image/';

export interface ParsedRequest {
  source: SourceRef;
  options: TransformOptions;
}

/** Query parameters as pairs, keeping duplicates so the parser can refuse them. */
function queryPairs(url: URL): RawPair[] {
  return [...url.searchParams.entries()];
}

export function parseRequestUrl(url: URL, config: Config, hasBucket: boolean): ParsedRequest {
  const limits = { maxDimension: config.maxDimension, allowedWidths: config.allowedWidths, allowedQualities: config.allowedQualities };
  const settings = { origin: config.origin, hasBucket };

  // --- imgproxy dialect (issue 12); the dialect dispatcher takes this over at merge ---
  if (config.dialects.has('imgproxy')) {
    const r = parseImgproxyUrl(url, config, hasBucket);
    if (r) return r;
  }
  // --- end imgproxy dialect ---

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
  return { source: resolveSource(url.pathname, settings), options: parseOptions(pairs, limits) };
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
