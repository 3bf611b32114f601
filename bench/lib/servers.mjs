/**
 * Loopback servers for the benchmark and the load test:
 *  - startOrigin(): a node:http origin serving in-memory files by their last path
 *    segment, so /r3/photo.jpg and /u17/photo.jpg are the same bytes under
 *    different URLs (every Worker request is then a miss in both the result and
 *    the source cache). Names starting with "__" are fault handlers.
 *  - startWorker(): `wrangler dev` on a free port with its own persist dir, killed
 *    as a process group (wrangler + workerd) by stop(), on exit and on signals.
 *    With `inspector: false` it runs wrangler's dev server without its DevTools
 *    inspector (bench/lib/dev-worker.mjs: why), which the CLI cannot switch off.
 *    With `config` from snapshotConfig(buildBundle().outdir) it runs a frozen
 *    bundle, immune to concurrent edits of src/. Two of them may share one
 *    persist dir (persistDir): their R2 buckets are then the same local state.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const WRANGLER = join(REPO, 'node_modules', '.bin', 'wrangler');

const children = new Set();
const cleanups = new Set();

/** Kill every child we started (process groups) and run registered cleanups. Idempotent. */
export function killAll() {
  for (const child of children) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {}
  }
  children.clear();
  for (const fn of cleanups) {
    try {
      fn();
    } catch {}
  }
  cleanups.clear();
}
process.on('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    killAll();
    process.exit(130);
  });
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createNetServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/**
 * @param files { name: { body: Buffer, type: string } }
 * @param faults { name: (req, res) => void } extra handlers by last path segment
 */
export async function startOrigin(files, faults = {}) {
  const hits = new Map();
  const sockets = new Set();
  const server = createServer((req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    const name = decodeURIComponent(path.slice(path.lastIndexOf('/') + 1));
    hits.set(name, (hits.get(name) ?? 0) + 1);
    res.on('error', () => {});
    if (faults[name]) return faults[name](req, res);
    const f = files[name];
    if (!f) {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      return res.end('not found');
    }
    res.writeHead(200, {
      'Content-Type': f.type,
      'Content-Length': f.body.length,
      'Cache-Control': 'public, max-age=86400',
    });
    res.end(req.method === 'HEAD' ? undefined : f.body);
  });
  server.keepAliveTimeout = 30_000;
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const close = () => {
    for (const s of sockets) s.destroy();
    server.close();
  };
  cleanups.add(close);
  return { url: `http://127.0.0.1:${server.address().port}`, hits, close };
}

/**
 * Starts `wrangler dev` for this repo. Resolves once it logs "Ready on" and a
 * probe request answers (unless probe is false: then only the log line, so the
 * isolate has served nothing yet — for cold-start timing).
 */
export async function startWorker({ config, vars = {}, logLevel = 'info', probe = '/__thumbflare/memory', timeoutMs = 90_000, log = () => {}, persistDir, inspector = true } = {}) {
  const port = await freePort();
  // persistDir: a state directory shared with another wrangler dev (its R2), owned by the caller.
  const persist = persistDir ?? mkdtempSync(join(tmpdir(), 'thumbflare-bench-'));
  const inspectorPort = inspector ? await freePort() : undefined;
  let command = WRANGLER;
  let args;
  if (inspector) {
    args = ['dev', '--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(inspectorPort), '--persist-to', persist, '--log-level', logLevel, '--show-interactive-dev-session=false'];
    if (config) args.push('--config', config);
    for (const [k, v] of Object.entries(vars)) args.push('--var', `${k}:${v}`);
  } else {
    command = process.execPath;
    args = [join(REPO, 'bench', 'lib', 'dev-worker.mjs'), JSON.stringify({ config: config ?? join(REPO, 'wrangler.toml'), port, persist, vars, logLevel })];
  }
  const child = spawn(command, args, {
    cwd: REPO,
    detached: true, // own process group: stop() kills wrangler and workerd together
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: '1', NO_COLOR: '1', FORCE_COLOR: '0' },
  });
  children.add(child);
  let output = '';
  const onData = (d) => {
    output += d;
    if (output.length > 200_000) output = output.slice(-100_000);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const url = `http://127.0.0.1:${port}`;
  const stop = () => {
    if (children.has(child)) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {}
      children.delete(child);
    }
    cleanups.delete(removePersist);
    removePersist();
  };
  const removePersist = () => (persistDir ? undefined : rmSync(persist, { recursive: true, force: true }));
  cleanups.add(removePersist);

  const started = performance.now();
  const deadline = Date.now() + timeoutMs;
  let exited = null;
  child.on('exit', (code, sig) => (exited = `exit ${code ?? sig}`));
  while (Date.now() < deadline) {
    if (exited) throw new Error(`wrangler dev ${exited} before ready:\n${output.slice(-4000)}`);
    try {
      if (probe) {
        const res = await fetch(url + probe, { signal: AbortSignal.timeout(5000) });
        await res.arrayBuffer();
        if (res.status < 500) break;
      } else {
        // Connect-only readiness: a HEAD to a path the router refuses before any work (405).
        const res = await fetch(url + '/__ready', { method: 'OPTIONS', signal: AbortSignal.timeout(5000) });
        await res.arrayBuffer();
        break;
      }
    } catch {}
    await new Promise((r) => setTimeout(r, 150));
  }
  if (Date.now() >= deadline) {
    stop();
    throw new Error(`wrangler dev not ready after ${timeoutMs} ms:\n${output.slice(-4000)}`);
  }
  log(`wrangler dev ready on ${url} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const directUrl = probe ? await findDirectUrl(child.pid, port, probe) : undefined;
  if (directUrl) log(`the Worker's own workerd socket (no wrangler proxy): ${directUrl}`);
  return { url, directUrl, port, inspectorPort, stop, output: () => output, startMs: performance.now() - started };
}

/**
 * wrangler dev serves its port from a ProxyWorker in one workerd process, which
 * forwards every request to the user Worker in a second workerd process. That
 * hop is dev-only (production has no such proxy) and measured to add 60-110 ms
 * to a request whose subrequest fetched a 5 MB source (docs/performance.md). The
 * user Worker's own socket is one of the second process's listening ports:
 * found by asking each for the probe path (DEBUG's memory JSON). Linux only
 * (`ss`, `ps`); undefined when not found, and the bench then reports no direct column.
 */
async function findDirectUrl(groupId, publicPort, probe) {
  const pids = new Set(
    (spawnSync('ps', ['-o', 'pid=', '-g', String(groupId)], { encoding: 'utf8' }).stdout ?? '')
      .split('\n').map((l) => l.trim()).filter(Boolean),
  );
  const ports = [];
  for (const line of (spawnSync('ss', ['-ltnpH'], { encoding: 'utf8' }).stdout ?? '').split('\n')) {
    const m = /127\.0\.0\.1:(\d+).*"workerd",pid=(\d+)/.exec(line);
    if (m && pids.has(m[2]) && Number(m[1]) !== publicPort) ports.push(Number(m[1]));
  }
  for (const p of ports) {
    try {
      const res = await fetch(`http://127.0.0.1:${p}${probe}`, { signal: AbortSignal.timeout(2000) });
      const text = await res.text();
      if (res.status === 200 && text.trim().startsWith('{')) return `http://127.0.0.1:${p}`;
    } catch {}
  }
  return undefined;
}

/**
 * `wrangler deploy --dry-run --outdir`: bundles the Worker as it is on disk now.
 * Other people may be editing src/ meanwhile, so a failed build is retried a few
 * times. Returns the output dir (caller removes it, or killAll does).
 */
export async function buildBundle({ attempts = 6, log = () => {} } = {}) {
  const outdir = mkdtempSync(join(tmpdir(), 'thumbflare-bundle-'));
  cleanups.add(() => rmSync(outdir, { recursive: true, force: true }));
  for (let i = 1; ; i++) {
    const r = spawnSync(WRANGLER, ['deploy', '--dry-run', '--outdir', outdir], {
      cwd: REPO,
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: '1', NO_COLOR: '1' },
    });
    if (r.status === 0) return { outdir, log: r.stdout + r.stderr };
    const msg = `wrangler deploy --dry-run failed (${r.status}):\n${(r.stdout + r.stderr).slice(-3000)}`;
    if (i >= attempts) throw new Error(msg);
    log(`build failed (attempt ${i}/${attempts}; src/ may be mid-edit), retrying in 10 s:\n${msg.slice(-600)}`);
    await new Promise((res) => setTimeout(res, 10_000));
  }
}

/**
 * Writes a wrangler config that runs a prebuilt bundle (no_bundle), so `wrangler
 * dev` neither rebuilds nor reloads when someone edits src/ during a run. Same
 * settings as wrangler.toml otherwise (vars, assets, compatibility date).
 */
export function snapshotConfig(bundleDir, { extraToml = '', name = 'wrangler.snapshot.toml' } = {}) {
  let toml = readFileSync(join(REPO, 'wrangler.toml'), 'utf8');
  toml = toml.replace(/^#:schema.*$/m, '');
  toml = toml.replace(/^main\s*=.*$/m, 'main = "index.js"\nno_bundle = true');
  toml = toml.replace(/^(directory\s*=\s*)"([^"]+)"/m, (_, k, dir) => `${k}${JSON.stringify(resolve(REPO, dir))}`);
  const file = join(bundleDir, name);
  writeFileSync(file, toml + extraToml);
  return file;
}
