#!/usr/bin/env node
/**
 * `wrangler dev` without its DevTools inspector, for the benchmark.
 *
 *   node bench/lib/dev-worker.mjs '{"config":"…/wrangler.snapshot.toml","port":8787,"persist":"/tmp/x","vars":{"DEBUG":"true"}}'
 *
 * Runs wrangler's own dev server (`unstable_startWorker`, the DevEnv that
 * `wrangler dev` is built on: the same ProxyWorker on the public port, the same
 * Miniflare/workerd for the Worker and its bindings) with `dev.inspector: false`,
 * which wrangler documents as "disables the inspector server". The CLI has no
 * switch for it.
 *
 * Why (docs/performance.md, "The ProxyWorker hold"): with the inspector on, wrangler
 * dev enables the DevTools Network domain on the Worker whether or not DevTools
 * is attached, and workerd then emits a `Network.dataReceived` event per 4 KB of
 * every subrequest body: ~780 events for a 5 MB source. wrangler's
 * InspectorProxyWorker, which runs in the same workerd process as the
 * ProxyWorker that serves the public port, parses each one, posts it to the
 * wrangler process as a debug log over HTTP, and keeps it in a buffer for a
 * DevTools client that never connects. That is the 60-110 ms the ProxyWorker
 * held large-source responses, and CPU taken from the Worker on a 2-core box.
 * Production has neither the inspector nor the proxy.
 *
 * Prints one line `READY <url>` on stdout once the server is listening; stops
 * (dispose) on SIGTERM/SIGINT. The bench runs it in its own process group, so
 * killing the group takes workerd down with it.
 */
import { unstable_startWorker } from 'wrangler';

const opts = JSON.parse(process.argv[2] ?? '{}');
const bindings = Object.fromEntries(Object.entries(opts.vars ?? {}).map(([k, v]) => [k, { type: 'plain_text', value: String(v) }]));

const worker = await unstable_startWorker({
  config: opts.config,
  bindings,
  dev: {
    inspector: false,
    server: { hostname: '127.0.0.1', port: opts.port },
    persist: opts.persist,
    logLevel: opts.logLevel ?? 'info',
    watch: false,
  },
});
await worker.ready;
const url = await worker.url;
process.stdout.write(`READY ${url.origin}\n`);

const stop = async () => {
  try {
    await worker.dispose();
  } finally {
    process.exit(0);
  }
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
