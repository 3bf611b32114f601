#!/usr/bin/env node
/**
 * CPU-profiles the Worker inside `wrangler dev`, one profile per request.
 *
 *   node scripts/profile-worker.mjs [--path '/photo-12mp.jpg?width=300&format=jpeg&quality=80']
 *        [--requests 5] [--warmup 2] [--interval 100] [--settle 300] [--network off|on]
 *        [--named-wasm src/codec/jpeg/wasm/libjpeg.wasm=/tmp/named/libjpeg.wasm] [--top 25] [--json]
 *        [--before '/photo-12mp.jpg?width=3840&format=jpeg&quality=75,…']
 *
 * The bench's setup (bench/lib/servers.mjs), but under the `wrangler dev` CLI,
 * which has the inspector this needs: the frozen bundle, the bench's images on a loopback origin, every request on
 * a fresh source path (`/p<n>` + --path) so both caches miss. It attaches to
 * the V8 inspector wrangler dev exposes (`--inspector-port`, the DevTools
 * endpoint at /ws, which forwards to the Worker's isolate) and, around each
 * request, runs the DevTools protocol's Profiler domain (start/stop, sampling
 * every --interval µs) and Runtime.getHeapUsage.
 *
 * For each request it prints the client's time, the Worker's Server-Timing
 * `total`, and where the isolate's sampled time went: JS, WASM, GC
 * ("(garbage collector)"), VM work no function owns ("(program)"), idle, and
 * unsampled (gaps without samples: the isolate waiting on I/O, or its thread
 * waiting for a core inside a CPU-bound stage), each split at the moment the client had the response (samples after it are
 * waitUntil work or the next event loop turns, past the response path). The
 * aggregate lists the functions with the most self time (WASM functions by
 * their name-section names when the module has one: see --named-wasm), and the
 * DevTools Network events the Worker emitted meanwhile. Each profile is written
 * to bench/out/profile/*.cpuprofile (open in Chrome DevTools' Performance panel
 * or speedscope).
 *
 * By default (--network off) it sends `Network.disable` first, so the profile is
 * of the Worker as the bench runs it (without the inspector): wrangler dev
 * enables the Network domain whether or not DevTools is attached, and workerd
 * then emits an event per 4 KB of every subrequest body (docs/performance.md).
 * --network on leaves it as the CLI has it; the events then also reach this
 * script, which makes the client's times worse than the CLI's without a client.
 *
 * --named-wasm ORIG=NAMED swaps, in the bundle only, the file whose bytes equal
 * ORIG (a committed, stripped .wasm) for NAMED (the same build with its name
 * section, e.g. scripts/build-jpeg-wasm.sh without `-Wl,--strip-all`; see
 * bench/README.md). The code is the same, so the profile is of the same work.
 *
 * --before: comma-separated paths requested (unprofiled, each on a fresh source
 * path, then --settle) before every profiled request, to see what an earlier
 * request leaves behind (e.g. the thumbnail after a 3840 w job).
 *
 * Times are wall clock on a shared machine: compare within one run.
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { benchImages } from '../bench/lib/images.mjs';
import { REPO, buildBundle, killAll, snapshotConfig, startOrigin, startWorker } from '../bench/lib/servers.mjs';

const args = parseArgs(process.argv.slice(2), {
  path: '/photo-12mp.jpg?width=300&format=jpeg&quality=80', before: '',
  requests: '5', warmup: '2', interval: '100', settle: '300', network: 'off', 'named-wasm': '', top: '25', json: '',
});
const WS = globalThis.WebSocket ?? (await import('undici')).WebSocket;
const log = (...a) => console.error('[profile]', ...a);

function parseArgs(argv, defaults) {
  const out = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([\w-]+)(?:=(.*))?$/.exec(argv[i]);
    if (!m || !(m[1] in defaults)) throw new Error(`unknown argument ${argv[i]}`);
    out[m[1]] = m[2] ?? (defaults[m[1]] === '' && (argv[i + 1] ?? '--').startsWith('--') ? '1' : argv[++i]);
  }
  return out;
}

/** A minimal DevTools protocol client: numbered commands, events to a listener. */
async function connect(url) {
  const ws = new WS(url, { headers: { Origin: 'http://127.0.0.1' } });
  const pending = new Map();
  const listeners = [];
  let id = 0;
  ws.onmessage = (e) => {
    const msg = JSON.parse(e.data);
    if (msg.id !== undefined && pending.has(msg.id)) {
      const { resolve, reject } = pending.get(msg.id);
      pending.delete(msg.id);
      if (msg.error) reject(new Error(`${msg.error.message} (${msg.error.code})`));
      else resolve(msg.result);
    } else if (msg.method) for (const l of listeners) l(msg, e.data.length);
  };
  await new Promise((res, rej) => {
    ws.onopen = res;
    ws.onerror = () => rej(new Error(`could not open the inspector WebSocket ${url}`));
  });
  return {
    send(method, params = {}) {
      const n = ++id;
      ws.send(JSON.stringify({ id: n, method, params }));
      return new Promise((resolve, reject) => pending.set(n, { resolve, reject }));
    },
    on(fn) {
      listeners.push(fn);
    },
    close: () => ws.close(),
  };
}

/** Swaps a stripped .wasm in the bundle for its named build (same code, plus the name section). */
function swapWasm(outdir, spec) {
  const [orig, named] = spec.split('=').map((p) => resolve(REPO, p));
  const want = readFileSync(orig);
  const files = readdirSync(outdir, { recursive: true }).map(String).filter((f) => f.endsWith('.wasm'));
  const hit = files.find((f) => statSync(join(outdir, f)).size === want.length && readFileSync(join(outdir, f)).equals(want));
  if (!hit) throw new Error(`no file in the bundle has the bytes of ${orig}`);
  writeFileSync(join(outdir, hit), readFileSync(named));
  log(`bundle: ${hit} replaced by ${named}`);
}

/**
 * Self time per node and per category, split at `cutUs` (profile clock) when given.
 * A sample stands for the time to the next one, but only up to a few sampling
 * intervals: workerd releases the isolate while it waits for I/O, and no samples
 * are taken then, so a long gap is the isolate not running ("unsampled"), not
 * the last function seen before it.
 */
function analyse(profile, cutUs, intervalUs) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map(); // node id -> µs
  const cat = { js: [0, 0], wasm: [0, 0], gc: [0, 0], program: [0, 0], idle: [0, 0], unsampled: [0, 0], other: [0, 0] };
  const cap = 4 * intervalUs;
  let busyUntil = profile.startTime;
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i];
    const gap = (i + 1 < profile.timeDeltas.length ? profile.timeDeltas[i + 1] : profile.endTime - t) ?? 0;
    const dt = Math.min(gap, cap);
    const node = nodes.get(profile.samples[i]);
    const after = cutUs !== undefined && t > cutUs ? 1 : 0;
    self.set(node.id, (self.get(node.id) ?? 0) + dt);
    const c = category(node.callFrame);
    cat[c][after] += dt;
    if (c !== 'idle' && c !== 'other') busyUntil = t + dt;
    if (gap > dt) {
      // Split the unsampled gap at the cut too.
      const end = t + gap;
      const beforeCut = cutUs === undefined ? gap - dt : Math.max(0, Math.min(end, cutUs) - (t + dt));
      cat.unsampled[0] += beforeCut;
      cat.unsampled[1] += gap - dt - beforeCut;
    }
  }
  delete cat.other;
  return { self, nodes, cat, busyUntil };
}

function category(f) {
  if (f.functionName === '(garbage collector)') return 'gc';
  if (f.functionName === '(program)') return 'program';
  if (f.functionName === '(idle)') return 'idle';
  if (f.functionName === '(root)') return 'other';
  if (f.url.startsWith('wasm://')) return 'wasm';
  return 'js';
}

function label(f) {
  const where = f.url.startsWith('wasm://') ? f.url.replace(/^wasm:\/\/wasm\//, 'wasm:') : f.url ? `${f.url.split('/').pop()}:${f.lineNumber + 1}` : '';
  return `${f.functionName || '(anonymous)'}${where ? ` ${where}` : ''}`;
}

function parseServerTiming(h) {
  const out = {};
  for (const part of (h ?? '').split(',')) {
    const m = /^\s*([\w-]+);dur=([\d.]+)/.exec(part);
    if (m) out[m[1]] = Number(m[2]);
  }
  return out;
}

const ms = (us) => (us / 1000).toFixed(1);

async function main() {
  const images = await benchImages(log);
  const { outdir } = await buildBundle({ log });
  if (args['named-wasm']) swapWasm(outdir, args['named-wasm']);
  const config = snapshotConfig(outdir);
  const origin = await startOrigin(images);
  const worker = await startWorker({ config, vars: { DEBUG: 'true', ORIGIN: origin.url }, log });
  const cdp = await connect(`ws://127.0.0.1:${worker.inspectorPort}/ws`);
  const network = { events: 0, bytes: 0, dataReceived: 0 };
  cdp.on((msg, size) => {
    if (!msg.method.startsWith('Network.')) return;
    network.events++;
    network.bytes += size;
    if (msg.method === 'Network.dataReceived') network.dataReceived++;
  });
  if (args.network === 'off') await cdp.send('Network.disable');
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: Number(args.interval) });

  let seq = 0;
  const request = async (path = args.path) => {
    const url = `${worker.url}/p${++seq}${path}`;
    const t0 = process.hrtime.bigint();
    const res = await fetch(url, { signal: AbortSignal.timeout(120_000) });
    const tHead = process.hrtime.bigint();
    await res.arrayBuffer();
    const tBody = process.hrtime.bigint();
    if (res.status !== 200) throw new Error(`${res.status} for ${url}`);
    return { t0, tHead, tBody, timing: parseServerTiming(res.headers.get('server-timing')) };
  };
  const settle = () => new Promise((r) => setTimeout(r, Number(args.settle)));
  for (let i = 0; i < Number(args.warmup); i++) {
    await request();
    await settle();
  }

  const outDir = join(REPO, 'bench', 'out', 'profile');
  mkdirSync(outDir, { recursive: true });
  const runs = [];
  const totalSelf = new Map();
  const byScript = new Map();
  for (let i = 0; i < Number(args.requests); i++) {
    for (const path of args.before ? args.before.split(',') : []) {
      await request(path);
      await settle();
    }
    const heapBefore = await cdp.send('Runtime.getHeapUsage');
    const net0 = { ...network };
    await cdp.send('Profiler.start');
    const r = await request();
    await settle();
    const { profile } = await cdp.send('Profiler.stop');
    const heapAfter = await cdp.send('Runtime.getHeapUsage');
    // V8's profile clock and process.hrtime are both CLOCK_MONOTONIC (µs / ns) on Linux.
    const cut = Number(r.tHead / 1000n);
    const onClock = cut > profile.startTime && cut < profile.endTime;
    const a = analyse(profile, onClock ? cut : undefined, Number(args.interval));
    for (const [id, us] of a.self) {
      const key = label(a.nodes.get(id).callFrame);
      totalSelf.set(key, (totalSelf.get(key) ?? 0) + us);
      const f = a.nodes.get(id).callFrame;
      const script = f.url ? f.url.replace(/^wasm:\/\/wasm\//, 'wasm:').split('/').pop() : f.functionName || '(native)';
      byScript.set(script, (byScript.get(script) ?? 0) + us);
    }
    const file = join(outDir, `request-${i + 1}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    runs.push({
      clientMs: Number(r.tHead - r.t0) / 1e6,
      total: r.timing.total,
      stages: r.timing,
      categoriesMs: Object.fromEntries(Object.entries(a.cat).map(([k, [before, after]]) => [k, { beforeResponse: +ms(before), afterResponse: +ms(after) }])),
      responseOnProfileClock: onClock,
      // When the client had the headers, and when the isolate last ran anything, from the profile's start.
      responseAtMs: onClock ? +ms(cut - profile.startTime) : null,
      isolateBusyUntilMs: +ms(a.busyUntil - profile.startTime),
      heapUsedMiB: [heapBefore.usedSize / 2 ** 20, heapAfter.usedSize / 2 ** 20].map((x) => +x.toFixed(1)),
      networkEvents: network.events - net0.events,
      networkDataReceived: network.dataReceived - net0.dataReceived,
      profile: file,
    });
  }
  cdp.close();
  worker.stop();
  origin.close();

  if (args.json) {
    console.log(JSON.stringify({ path: args.path, network: args.network, runs, byScriptMs: Object.fromEntries([...byScript].map(([k, us]) => [k, +ms(us / runs.length)])), topSelfMs: [...totalSelf].sort((x, y) => y[1] - x[1]).slice(0, Number(args.top)).map(([k, us]) => [k, +ms(us / runs.length)]) }, null, 2));
    return;
  }
  console.log(`# ${args.path}  (${runs.length} requests, sampling ${args.interval} µs, Network domain ${args.network})`);
  console.log('client = ms to the headers at the client; total = Server-Timing total; resp/busy = ms from the profile start to the');
  console.log('client having the headers / to the isolate\'s last non-idle sample; categories = isolate ms before|after the headers');
  const cols = ['js', 'wasm', 'gc', 'program', 'idle', 'unsampled'];
  console.log(`req client total decode  resp  busy | ${cols.map((k) => k.padStart(11)).join(' ')} | heap MiB   net events`);
  runs.forEach((r, i) => {
    const c = r.categoriesMs;
    const pair = (k) => `${c[k].beforeResponse.toFixed(0).padStart(5)}|${c[k].afterResponse.toFixed(0).padEnd(5)}`;
    const n = (x, w) => (x === null || x === undefined ? '-' : Number(x).toFixed(0)).padStart(w);
    console.log(`${n(i + 1, 3)} ${n(r.clientMs, 6)} ${n(r.total, 5)} ${n(r.stages.decode, 6)} ${n(r.responseAtMs, 5)} ${n(r.isolateBusyUntilMs, 5)} | ${cols.map(pair).join(' ')} | ${r.heapUsedMiB.join('->').padEnd(10)} ${r.networkEvents} (${r.networkDataReceived} dataReceived)`);
  });
  if (runs.some((r) => !r.responseOnProfileClock)) console.log('(the response time was outside the profile window for some requests: their split is all "before")');
  console.log(`\nTop self time, ms per request (mean over ${runs.length}):`);
  for (const [k, us] of [...totalSelf].sort((x, y) => y[1] - x[1]).slice(0, Number(args.top))) {
    console.log(`${ms(us / runs.length).padStart(8)}  ${k}`);
  }
  console.log('\nSelf time by script or WASM module (native entries by name), ms per request:');
  for (const [k, us] of [...byScript].sort((x, y) => y[1] - x[1]).slice(0, 12)) console.log(`${ms(us / runs.length).padStart(8)}  ${k}`);
  console.log(`\nProfiles: ${outDir}/request-*.cpuprofile`);
}

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(() => {
    killAll();
    process.exit();
  });
