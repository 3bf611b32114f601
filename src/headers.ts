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
import type { StageClock } from './timing';

/**
 * What Server-Timing reports: every stage the request passed with its ms (see
 * timing.ts: contiguous laps, so they sum to `total`), then the work left to
 * `waitUntil` by name only, then `total` (arrival to these headers).
 */
export interface StageTimings {
  stages: Record<string, number>;
  background?: readonly string[];
  total?: number;
}

/** The timings a clock has recorded so far, `total` read now. */
export function timingsOf(clock: StageClock): StageTimings {
  return { stages: clock.stages, background: clock.background, total: clock.total() };
}

export interface ImageHeaderInput {
  format: OutputFormat;
  negotiated: boolean;
  maxAge: number | null;
  etag: string;
  baseName: string;
  /** Content-Disposition: attachment (imgproxy `return_attachment`) instead of inline. */
  attachment?: boolean;
  cacheTag: string;
  timings: StageTimings;
  cache: 'hit' | 'miss';
}

export function buildImageHeaders(h: ImageHeaderInput): Headers {
  const headers = new Headers({
    'Content-Type': MIME[h.format],
    'Cache-Control': h.maxAge === null ? 'no-store' : `public, max-age=${h.maxAge}`,
    ETag: h.etag,
    'Content-Disposition': `${h.attachment ? 'attachment' : 'inline'}; filename="${h.baseName}.${EXTENSION[h.format]}"`,
    'X-Content-Type-Options': 'nosniff',
    'Cache-Tag': h.cacheTag,
    'Server-Timing': formatServerTiming(h.timings, h.cache),
  });
  if (h.negotiated) headers.set('Vary', 'Accept');
  return headers;
}

/**
 * W3C Server-Timing (https://www.w3.org/TR/server-timing/): one metric per stage
 * with its duration in ms; background work as `name;desc="waitUntil"` (no
 * duration: it has not run yet and delays no one); `total`; the cache outcome.
 */
export function formatServerTiming(t: StageTimings, cache: 'hit' | 'miss'): string {
  const parts = Object.entries(t.stages).map(([k, v]) => `${k};dur=${v.toFixed(1)}`);
  for (const name of t.background ?? []) parts.push(`${name};desc="waitUntil"`);
  if (t.total !== undefined) parts.push(`total;dur=${t.total.toFixed(1)}`);
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
