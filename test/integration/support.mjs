/**
 * @module test/integration/support
 * Helpers shared by the Node-run integration tests (next.test.mjs,
 * playground.test.mjs): free loopback ports, a static file server, a real
 * `wrangler dev` Worker, and reading an image's format and width from its header.
 * Everything listens on 127.0.0.1 only; every process started here is killed by
 * the returned stop functions (process groups, so workerd goes too).
 */
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** What Chromium sends for <img> (the brief's header; Chromium 156 adds image/jxl first, see CHROMIUM_156_ACCEPT). */
export const CHROMIUM_IMG_ACCEPT = 'image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8';
export const CHROMIUM_156_ACCEPT = 'image/jxl,image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8';

/** A port nothing listens on right now (the OS picks it). */
export async function freePort() {
  const server = createServer();
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address();
  await new Promise((ok) => server.close(ok));
  return port;
}

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.txt': 'text/plain',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.svg': 'image/svg+xml',
};

/**
 * Serves files under `root` on 127.0.0.1 (query strings ignored, `/` -> index.html),
 * counting requests per path. `routes` maps extra URL paths to files.
 * @returns {Promise<{ port: number, url: string, hits: Map<string, number>, close: () => Promise<void> }>}
 */
export async function startStaticServer(root, { port = 0, routes = {} } = {}) {
  const hits = new Map();
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const path = decodeURIComponent(url.pathname);
      hits.set(path, (hits.get(path) ?? 0) + 1);
      let file = routes[path] ?? resolve(root, '.' + (path.endsWith('/') ? path + 'index.html' : path));
      if (!routes[path] && !file.startsWith(resolve(root) + sep)) return void res.writeHead(404).end();
      let info = await stat(file).catch(() => null);
      if (info?.isDirectory()) {
        file = join(file, 'index.html');
        info = await stat(file).catch(() => null);
      }
      if (!info?.isFile()) return void res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      res.writeHead(200, {
        'Content-Type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
        'Content-Length': String(info.size),
        'Cache-Control': 'public, max-age=600',
      });
      if (req.method === 'HEAD') return void res.end();
      createReadStream(file).pipe(res);
    } catch {
      res.destroy();
    }
  });
  await new Promise((ok) => server.listen(port, '127.0.0.1', ok));
  const actual = server.address().port;
  return {
    port: actual,
    url: `http://127.0.0.1:${actual}`,
    hits,
    close: () =>
      new Promise((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

/**
 * Runs a command to completion, collecting output.
 * @returns {Promise<{ code: number | null, output: string, ms: number }>}
 */
export function run(cmd, args, { cwd, env, timeoutMs = 300_000 } = {}) {
  const started = performance.now();
  return new Promise((ok, fail) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => {
      killGroup(child);
      fail(new Error(`${cmd} ${args.join(' ')} took more than ${timeoutMs} ms\n${output.slice(-4000)}`));
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      fail(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      ok({ code, output, ms: performance.now() - started });
    });
  });
}

/** Kills a detached child's whole process group (wrangler starts workerd under it). */
function killGroup(child, signal = 'SIGTERM') {
  if (child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      /* already gone */
    }
  }
}

/**
 * Starts the Worker with `wrangler dev` on a free loopback port and waits until
 * `GET /` answers. `vars` become `--var KEY:VALUE`. Local state (edge cache) goes
 * to a fresh temporary directory, so runs do not share cached results. `port`
 * may be chosen beforehand (e.g. built into a page); default: a free one.
 * @returns {Promise<{ url: string, port: number, output: () => string, ms: number, stop: () => Promise<void> }>}
 */
export async function startWorker(vars = {}, { port: wanted, timeoutMs = 90_000 } = {}) {
  const started = performance.now();
  const port = wanted ?? (await freePort());
  const inspector = await freePort();
  const persist = await mkdtemp(join(tmpdir(), 'thumbflare-wrangler-'));
  const args = ['dev', '--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(inspector), '--persist-to', persist, '--show-interactive-dev-session=false'];
  for (const [k, v] of Object.entries(vars)) args.push('--var', `${k}:${v}`);
  const child = spawn(join(REPO, 'node_modules/.bin/wrangler'), args, {
    cwd: REPO,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: '1', NO_COLOR: '1', FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise((ok) => child.on('exit', ok));
  const stop = async () => {
    killGroup(child, 'SIGTERM');
    const gone = await Promise.race([exited.then(() => true), new Promise((ok) => setTimeout(() => ok(false), 5000))]);
    if (!gone) killGroup(child, 'SIGKILL');
    await rm(persist, { recursive: true, force: true }).catch(() => {});
  };
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`wrangler dev exited with ${child.exitCode} before answering:\n${output.slice(-4000)}`);
    }
    try {
      const res = await fetch(`${url}/`, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status === 200) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`wrangler dev did not answer within ${timeoutMs} ms:\n${output.slice(-4000)}`);
    }
    await new Promise((ok) => setTimeout(ok, 250));
  }
  return { url, port, output: () => output, ms: performance.now() - started, stop };
}

/**
 * Format and pixel size from an image's first bytes: JPEG (SOFn), PNG (IHDR,
 * APNG when an acTL chunk precedes IDAT), WebP (VP8 / VP8L / VP8X), AVIF (the
 * first `ispe` property), GIF (logical screen). `format` is 'unknown' otherwise.
 * @param {Uint8Array} b
 * @returns {{ format: string, width?: number, height?: number }}
 */
export function readImageHeader(b) {
  const ascii = (from, to) => String.fromCharCode(...b.subarray(from, to));
  const u16be = (i) => (b[i] << 8) | b[i + 1];
  const u32be = (i) => ((b[i] << 24) >>> 0) + (b[i + 1] << 16) + (b[i + 2] << 8) + b[i + 3];
  const u16le = (i) => b[i] | (b[i + 1] << 8);
  const u24le = (i) => b[i] | (b[i + 1] << 8) | (b[i + 2] << 16);
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) {
    let i = 2;
    while (i + 9 < b.length) {
      if (b[i] !== 0xff) return { format: 'jpeg' };
      const marker = b[i + 1];
      if (marker === 0xff) {
        i++;
        continue;
      }
      const len = u16be(i + 2);
      const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
      if (isSof) return { format: 'jpeg', height: u16be(i + 5), width: u16be(i + 7) };
      i += 2 + len;
    }
    return { format: 'jpeg' };
  }
  if (b[0] === 0x89 && ascii(1, 4) === 'PNG') {
    let apng = false;
    for (let i = 8; i + 8 <= b.length; ) {
      const len = u32be(i);
      const type = ascii(i + 4, i + 8);
      if (type === 'acTL') apng = true;
      if (type === 'IDAT') break;
      i += 12 + len;
    }
    return { format: apng ? 'apng' : 'png', width: u32be(16), height: u32be(20) };
  }
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') {
    const chunk = ascii(12, 16);
    if (chunk === 'VP8 ') return { format: 'webp', width: u16le(26) & 0x3fff, height: u16le(28) & 0x3fff };
    if (chunk === 'VP8L') {
      const bits = b[21] | (b[22] << 8) | (b[23] << 16) | (b[24] << 24);
      return { format: 'webp', width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
    }
    if (chunk === 'VP8X') return { format: 'webp', width: u24le(24) + 1, height: u24le(27) + 1 };
    return { format: 'webp' };
  }
  if (ascii(4, 8) === 'ftyp' && /^avi[fs]$/.test(ascii(8, 12))) {
    for (let i = 0; i + 20 <= b.length && i < 4096; i++) {
      if (b[i] === 0x69 && ascii(i, i + 4) === 'ispe') return { format: 'avif', width: u32be(i + 8), height: u32be(i + 12) };
    }
    return { format: 'avif' };
  }
  if (ascii(0, 3) === 'GIF') return { format: 'gif', width: u16le(6), height: u16le(8) };
  return { format: 'unknown' };
}

/** MIME type per sniffed format, to check Content-Type against the bytes. */
export const MIME_OF = { jpeg: 'image/jpeg', png: 'image/png', apng: 'image/png', webp: 'image/webp', avif: 'image/avif', gif: 'image/gif' };

/**
 * Formats Chromium decodes, from its <img> Accept header: those it names
 * explicitly, plus what every browser shows under `image/*` (JPEG, PNG, GIF).
 */
export function formatsAcceptedBy(accept) {
  const named = accept.split(',').map((p) => p.split(';')[0].trim().toLowerCase());
  const ok = new Set(['jpeg', 'png', 'gif']);
  if (named.includes('image/avif')) ok.add('avif');
  if (named.includes('image/webp')) ok.add('webp');
  if (named.includes('image/apng')) ok.add('apng');
  return ok;
}

/** Runs `fn` over `items` with at most `limit` in flight; results in input order. */
export async function mapLimit(items, limit, fn) {
  const results = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  });
  await Promise.all(workers);
  return results;
}

/** `1234.5` -> `1.2 s`, for timing lines. */
export function seconds(ms) {
  return `${(ms / 1000).toFixed(1)} s`;
}
