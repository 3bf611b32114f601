/**
 * @module test/probe-helpers/fetch-corpus
 * Reads shared-corpus files from inside workerd, which has no filesystem, over a
 * loopback HTTP server started by a vitest globalSetup in Node. The port arrives
 * through vitest's provide/inject:
 *   - `originPort` from the main config's test/support/origin-server.ts, which
 *     serves the corpus under /corpus/ (preferred);
 *   - `probeCorpusPort` from test/probe-helpers/corpus-server.ts, which serves it
 *     at the root (the stop-gap used before the shared setup existed).
 */
import { inject } from 'vitest';

// inject() is typed by ProvidedContext augmentations that live in the setup files;
// read the keys loosely so this helper works whichever setup is running.
const injectAny = inject as unknown as (key: string) => unknown;

/** Returns the base URL under which corpus paths resolve, or undefined when no setup provided one. */
export function getCorpusBase(): string | undefined {
  const origin = injectAny('originPort');
  if (typeof origin === 'number') return `http://127.0.0.1:${origin}/corpus/`;
  const own = injectAny('probeCorpusPort');
  if (typeof own === 'number') return `http://127.0.0.1:${own}/`;
  return undefined;
}

/** Fetches one corpus file (path relative to the corpus root) as bytes. */
export async function fetchCorpusFile(base: string, path: string): Promise<Uint8Array> {
  const res = await fetch(base + path.split('/').map(encodeURIComponent).join('/'));
  if (!res.ok) throw new Error(`corpus fetch ${path}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}
