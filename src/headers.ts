/**
 * @module headers
 * Builds the headers of an image response. Pure.
 * - Cache-Control follows the origin's lifetime, clamped (see origin.cacheLifetime).
 * - ETag is strong (RFC 9110 §8.8.3): the same source version, options and
 *   output format always give the same bytes, so byte equality holds.
 * - Vary: Accept only when the format was negotiated (RFC 9110 §12.5.5).
 */
import { EXTENSION, MIME } from './negotiate';
import type { OutputFormat } from './codec/types';

export interface StageTimings {
  origin?: number;
  decode?: number;
  /** Content-aware crop (gravity=auto/face): preview, saliency or face detection, window choice. */
  focus?: number;
  transform?: number;
  encode?: number;
}

export interface ImageHeaderInput {
  format: OutputFormat;
  negotiated: boolean;
  maxAge: number | null;
  etag: string;
  baseName: string;
  cacheTag: string;
  timings: StageTimings;
  cache: 'hit' | 'miss';
}

export function buildImageHeaders(h: ImageHeaderInput): Headers {
  const headers = new Headers({
    'Content-Type': MIME[h.format],
    'Cache-Control': h.maxAge === null ? 'no-store' : `public, max-age=${h.maxAge}`,
    ETag: h.etag,
    'Content-Disposition': `inline; filename="${h.baseName}.${EXTENSION[h.format]}"`,
    'X-Content-Type-Options': 'nosniff',
    'Cache-Tag': h.cacheTag,
    'Server-Timing': formatServerTiming(h.timings, h.cache),
  });
  if (h.negotiated) headers.set('Vary', 'Accept');
  return headers;
}

/** W3C Server-Timing: one metric per stage with its duration in ms, plus the cache outcome. */
export function formatServerTiming(t: StageTimings, cache: 'hit' | 'miss'): string {
  const parts = (Object.entries(t) as [string, number | undefined][])
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k};dur=${v!.toFixed(1)}`);
  parts.push(`cache;desc=${cache}`);
  return parts.join(', ');
}

/** RFC 9110 §13.1.2: If-None-Match matches when any listed entity-tag (or `*`) equals ours (weak comparison). */
export function matchesIfNoneMatch(header: string | null, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  const bare = etag.replace(/^W\//, '');
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === bare);
}

/** A 304 carries the validators and caching headers of the 200 it stands for (RFC 9110 §15.4.5). */
export function notModified(from: Headers): Response {
  const headers = new Headers();
  for (const h of ['cache-control', 'etag', 'vary', 'content-location', 'date', 'expires', 'server-timing', 'cache-tag', 'x-content-type-options']) {
    const v = from.get(h);
    if (v) headers.set(h, v);
  }
  return new Response(null, { status: 304, headers });
}
