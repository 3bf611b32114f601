/**
 * @module test/probe-helpers/fetch-corpus
 * Reads shared-corpus files from inside workerd, which has no filesystem, over
 * the loopback origin the vitest globalSetup starts (test/support/origin-server.ts
 * serves the corpus under /corpus/).
 */
import { ORIGIN } from '../support/worker';

/** The base URL under which corpus paths resolve. */
export function getCorpusBase(): string {
  return `${ORIGIN}/corpus/`;
}

/** Fetches one corpus file (path relative to the corpus root) as bytes. */
export async function fetchCorpusFile(base: string, path: string): Promise<Uint8Array> {
  const res = await fetch(base + path.split('/').map(encodeURIComponent).join('/'));
  if (!res.ok) throw new Error(`corpus fetch ${path}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}
