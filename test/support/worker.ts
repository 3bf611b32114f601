/**
 * @module test/support/worker
 * Calls the real Worker (src/index.ts) in workerd, unit style, so a test can give
 * it env overrides (ORIGIN pointing at the loopback origin server) and wait for
 * its `waitUntil` work (edge-cache puts) before the next request.
 */
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { inject } from 'vitest';
import worker from '../../src/index';
import type { Env } from '../../src/config';

export const ORIGIN = `http://127.0.0.1:${inject('originPort')}`;

/** The env every test starts from: the loopback origin as ORIGIN. */
export function testEnv(overrides: Partial<Env> = {}): Env {
  return { ...(env as unknown as Env), ORIGIN, ...overrides };
}

/** GETs `path` (path, query and all) from the Worker and waits for its background work. */
export async function callWorker(path: string, init: { headers?: Record<string, string>; env?: Partial<Env>; method?: string } = {}): Promise<Response> {
  const ctx = createExecutionContext();
  const req = new Request('https://thumbs.test' + path, { method: init.method ?? 'GET', headers: init.headers });
  const res = await worker.fetch(req, testEnv(init.env), ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

/** How many times the origin server was asked for `path`. */
export async function originHits(path: string): Promise<number> {
  const res = await fetch(`${ORIGIN}/__hits?path=${encodeURIComponent(path)}`);
  return (await res.json()) as number;
}

/** First bytes identify the format: magic numbers of JPEG, PNG, WebP, AVIF, GIF. */
export function sniffFormat(bytes: Uint8Array): string {
  const ascii = (from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (ascii(1, 4) === 'PNG') return 'png';
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'webp';
  if (ascii(4, 8) === 'ftyp' && ascii(8, 12).startsWith('avi')) return 'avif';
  if (ascii(0, 3) === 'GIF') return 'gif';
  return 'unknown';
}
