/**
 * @module test/probe-helpers/corpus-server
 * Vitest globalSetup (runs in Node, not workerd): serves the read-only shared test
 * corpus over a loopback HTTP server so tests running inside workerd, which have no
 * filesystem, can `fetch()` corpus files. The port is handed to tests through
 * vitest's `provide`/`inject` under the key `probeCorpusPort`.
 * Temporary: to be replaced by the lead engineer's shared globalSetup.
 */
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import type { TestProject } from 'vitest/node';

const CORPUS_DIR = resolve(process.env.THUMBFLARE_CORPUS ?? '/work/shared/corpus');

declare module 'vitest' {
  export interface ProvidedContext {
    probeCorpusPort: number;
  }
}

/** Starts the server on an ephemeral loopback port and provides the port to tests. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = resolve(CORPUS_DIR, '.' + path);
    // Refuse anything that resolves outside the corpus (e.g. /../), so the server
    // cannot be used to read arbitrary files.
    if (!file.startsWith(CORPUS_DIR + sep)) {
      res.writeHead(403).end();
      return;
    }
    readFile(file).then(
      (body) => res.writeHead(200, { 'Content-Type': 'application/octet-stream' }).end(body),
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('corpus server has no port');
  project.provide('probeCorpusPort', address.port);
  return () => new Promise<void>((ok) => server.close(() => ok()));
}
