#!/usr/bin/env node
/**
 * Thumbflare load test ("Never falls over").
 *
 *   npm run loadtest     (node loadtest/run.mjs)
 *
 * Starts a loopback origin and the Worker under `wrangler dev` (DEBUG=true, a
 * small ORIGIN_TIMEOUT_MS and MAX_SOURCE_BYTES), then sends a fixed, seeded mix
 * of LOADTEST_REQUESTS (200) requests with LOADTEST_IN_FLIGHT (16) in flight:
 * small images, 12 MP and 24 MP photos, over-limit sources (a PNG header
 * claiming 20000x20000, bodies over MAX_SOURCE_BYTES with and without
 * Content-Length), a 12 MP progressive JPEG, corrupt
 * files (truncated JPEG, random bytes), a slow origin (headers late, body
 * stalled), a missing file, an origin 500, a bad parameter and a forbidden
 * remote URL. Every request gets a fresh source path, so nothing is served from
 * cache.
 *
 * Checks: every response has a documented status (200, 400, 403, 404, 413, 415,
 * 422, 502, 503, 504) and the one expected for its kind, except that 503 (busy)
 * and, where the origin is involved, 504 are accepted and counted as "degraded";
 * errors are the documented JSON, 200s are decodable images of the
 * announced type, no 500s, no failed/reset connections, no request over the
 * per-request timeout; afterwards a small request answers 200 with a valid image
 * and wrangler is still running. Exits 1 when a check fails, 2 on the hard time
 * limit (LOADTEST_LIMIT_S, 300 s). Writes loadtest/results.json.
 */
import sharp from 'sharp';
import os from 'node:os';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchImages, pngHeaderClaiming, randomBytes, rng } from '../bench/lib/images.mjs';
import { percentile, sniff } from '../bench/lib/metrics.mjs';
import { REPO, buildBundle, killAll, snapshotConfig, startOrigin, startWorker } from '../bench/lib/servers.mjs';

const TOTAL = Number(process.env.LOADTEST_REQUESTS ?? 200);
const IN_FLIGHT = Number(process.env.LOADTEST_IN_FLIGHT ?? 16);
const LIMIT_MS = Number(process.env.LOADTEST_LIMIT_S ?? 300) * 1000;
const REQUEST_TIMEOUT_MS = 60_000;
const ORIGIN_TIMEOUT_MS = 3000;
const SLOW_MS = 8000; // > ORIGIN_TIMEOUT_MS
const DOCUMENTED = new Set([200, 400, 403, 404, 413, 415, 422, 502, 503, 504]);
const MiB = 1024 * 1024;

const T0 = performance.now();
const log = (...a) => console.error(`[loadtest ${((performance.now() - T0) / 1000).toFixed(0).padStart(3)}s]`, ...a);

const MIME_OF = { jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp', avif: 'image/avif', gif: 'image/gif' };

async function main() {
  const images = await benchImages(log);
  const legitMax = Math.max(...['photo-12mp.jpg', 'photo-24mp.jpg', 'photo-12mp-progressive.jpg', 'alpha-2mp.png'].map((n) => images[n].body.length));
  const maxSourceBytes = Math.ceil((legitMax + 1_000_000) / 1e6) * 1e6;

  const files = {
    'small.jpg': images['photo-1080p.jpg'],
    'small.webp': images['photo-1200x800.webp'],
    'alpha.png': images['alpha-2mp.png'],
    'photo12.jpg': images['photo-12mp.jpg'],
    'photo24.jpg': images['photo-24mp.jpg'],
    'progressive12.jpg': images['photo-12mp-progressive.jpg'],
    'bomb-20000.png': { body: pngHeaderClaiming(20000, 20000), type: 'image/png' },
    'oversize.jpg': { body: Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(maxSourceBytes + 2_000_000 - 4, 3)]), type: 'image/jpeg' },
    'truncated-half.jpg': { body: images['photo-1080p.jpg'].body.subarray(0, images['photo-1080p.jpg'].body.length >> 1), type: 'image/jpeg' },
    'truncated-header.jpg': { body: images['photo-1080p.jpg'].body.subarray(0, 300), type: 'image/jpeg' },
    'random.jpg': { body: randomBytes(200_000, 9), type: 'image/jpeg' },
    'random.bin': { body: randomBytes(50_000, 10), type: 'application/octet-stream' },
  };
  const timers = new Set();
  const later = (res, ms, fn) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
    res.on('close', () => {
      clearTimeout(t);
      timers.delete(t);
    });
  };
  const faults = {
    // Headers only after SLOW_MS.
    'slow-headers.jpg': (req, res) => later(res, SLOW_MS, () => {
      res.writeHead(200, { 'Content-Type': 'image/jpeg', 'Content-Length': files['small.jpg'].body.length });
      res.end(files['small.jpg'].body);
    }),
    // Headers at once, 4 KB of body, then a stall past the timeout.
    'slow-body.jpg': (req, res) => {
      const body = files['small.jpg'].body;
      res.writeHead(200, { 'Content-Type': 'image/jpeg', 'Content-Length': body.length });
      res.write(body.subarray(0, 4096));
      later(res, SLOW_MS, () => res.end(body.subarray(4096)));
    },
    'origin-500.jpg': (req, res) => {
      res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end('origin exploded');
    },
    // Over MAX_SOURCE_BYTES without a Content-Length: the Worker must stop reading by itself.
    'oversize-chunked.jpg': (req, res) => {
      res.writeHead(200, { 'Content-Type': 'image/jpeg' });
      const chunk = randomBytes(1 << 20, 4);
      chunk[0] = 0xff; chunk[1] = 0xd8; chunk[2] = 0xff;
      let sent = 0;
      const pump = () => {
        while (sent < maxSourceBytes + 3_000_000) {
          sent += chunk.length;
          if (!res.write(chunk)) return res.once('drain', pump);
        }
        res.end();
      };
      pump();
    },
  };
  const origin = await startOrigin(files, faults);
  const vars = {
    ORIGIN: origin.url,
    DEBUG: 'true',
    ORIGIN_TIMEOUT_MS: String(ORIGIN_TIMEOUT_MS),
    MAX_SOURCE_BYTES: String(maxSourceBytes),
  };
  // A frozen bundle: concurrent edits of src/ cannot rebuild or reload the Worker mid-run.
  const { outdir } = await buildBundle({ log });
  const worker = await startWorker({ config: snapshotConfig(outdir), vars, log });

  // Request kinds: weight, URL maker (unique path each time), accepted statuses.
  let seq = 0;
  const p = (name, query) => `/l${++seq}/${name}${query ? '?' + query : ''}`;
  const pick = (r, xs) => xs[Math.floor(r() * xs.length)];
  const KINDS = [
    { kind: 'small', weight: 30, expect: [200], url: (r) => pick(r, [
      () => p('small.jpg', 'width=320&format=jpeg&quality=80'),
      () => p('small.jpg', 'width=480&format=webp'),
      () => p('small.webp', 'width=300&format=avif&quality=60'),
      () => p('alpha.png', 'width=200&format=webp'),
      () => p('small.jpg', 'width=256&height=256&fit=cover&format=png'),
      () => p('small.jpg', 'width=400&format=auto'),
    ])() },
    { kind: 'photo12mp', weight: 14, expect: [200], url: (r) => p('photo12.jpg', pick(r, ['width=400&format=jpeg', 'width=800&format=webp&quality=75', 'width=1200&format=jpeg'])) },
    { kind: 'photo24mp', weight: 10, expect: [200], url: (r) => p('photo24.jpg', pick(r, ['width=600&format=jpeg', 'width=1000&format=webp'])) },
    // 12 MP progressive: decoded under MAX_PROGRESSIVE_PIXELS (16 MP by default) or refused, depending on config.
    { kind: 'photo12mp-progressive', weight: 4, expect: [200, 413], url: () => p('progressive12.jpg', 'width=800&format=jpeg') },
    { kind: 'over-pixels-png-20000', weight: 6, expect: [413], url: () => p('bomb-20000.png', 'width=300') },
    { kind: 'over-bytes', weight: 5, expect: [413], url: () => p('oversize.jpg', 'width=300') },
    { kind: 'over-bytes-chunked', weight: 3, expect: [413], url: () => p('oversize-chunked.jpg', 'width=300') },
    { kind: 'truncated-jpeg', weight: 6, expect: [200, 422], url: (r) => p(pick(r, ['truncated-half.jpg', 'truncated-header.jpg']), 'width=300&format=jpeg') },
    { kind: 'random-bytes', weight: 5, expect: [415, 422], url: (r) => p(pick(r, ['random.jpg', 'random.bin']), 'width=300') },
    { kind: 'slow-origin', weight: 7, expect: [504], url: (r) => p(pick(r, ['slow-headers.jpg', 'slow-body.jpg']), 'width=300') },
    { kind: 'missing', weight: 3, expect: [404], url: () => p('does-not-exist.jpg', 'width=300') },
    { kind: 'origin-500', weight: 3, expect: [502], url: () => p('origin-500.jpg', 'width=300') },
    { kind: 'bad-param', weight: 2, fetches: false, expect: [400], url: () => p('small.jpg', 'width=abc') },
    // ALLOWED_ORIGINS is empty: any remote URL but the operator's own ORIGIN is refused before fetching.
    { kind: 'remote-forbidden', weight: 2, fetches: false, expect: [403], url: (r) => `/?url=${encodeURIComponent(pick(r, ['https://example.com/a.jpg', 'http://10.0.0.1/a.jpg', 'http://169.254.169.254/latest/meta-data']))}&width=300` },
  ];
  // A seeded, shuffled plan of exactly TOTAL requests in the weights' proportions.
  const r = rng(20261126);
  const weightSum = KINDS.reduce((s, k) => s + k.weight, 0);
  const plan = [];
  for (const k of KINDS) for (let i = 0; i < Math.max(1, Math.round((k.weight / weightSum) * TOTAL)); i++) plan.push(k);
  while (plan.length > TOTAL) plan.splice(plan.findIndex((k) => k.kind === 'small'), 1);
  while (plan.length < TOTAL) plan.push(KINDS[0]);
  for (let i = plan.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [plan[i], plan[j]] = [plan[j], plan[i]];
  }

  const records = [];
  let started = 0;
  const failures = [];
  let peakWasm = 0;
  const accept = 'image/avif,image/webp,image/*,*/*;q=0.8';

  async function one(k) {
    const path = k.url(r);
    const t = performance.now();
    const rec = { kind: k.kind, path, status: null, ms: null, startMs: Math.round(t - started) };
    try {
      const res = await fetch(worker.url + path, { headers: { accept }, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      const body = Buffer.from(await res.arrayBuffer());
      rec.ms = performance.now() - t;
      rec.status = res.status;
      rec.bytes = body.length;
      rec.serverTiming = res.headers.get('server-timing') ?? undefined;
      const wasm = Number(res.headers.get('x-thumbflare-wasm-bytes'));
      if (Number.isFinite(wasm) && res.headers.has('x-thumbflare-wasm-bytes')) {
        rec.wasm = wasm;
        peakWasm = Math.max(peakWasm, wasm);
      }
      const ctype = res.headers.get('content-type') ?? '';
      const fail = (why) => failures.push({ kind: k.kind, request: `GET ${path}`, status: res.status, why, contentType: ctype, body: res.status === 200 ? `${body.length} bytes, magic ${sniff(body)}` : body.toString('utf8').slice(0, 300) });
      if (!DOCUMENTED.has(res.status)) fail(`undocumented status ${res.status}`);
      else if (!k.expect.includes(res.status)) {
        // 503 (pixel budget full) and, for kinds that reach the origin, 504 (deadline
        // spent while the isolate was busy) are documented answers under load: counted, not failed.
        if (res.status === 503 || (res.status === 504 && k.fetches !== false)) rec.degraded = true;
        else fail(`status ${res.status}, expected ${k.expect.join('/')}`);
      }
      if (res.status === 200) {
        const fmt = sniff(body);
        if (fmt === 'unknown') fail('200 body is not an image');
        else if (!ctype.startsWith(MIME_OF[fmt])) fail(`200 body is ${fmt} but Content-Type is ${ctype}`);
        else {
          try {
            const m = await sharp(body).metadata();
            if (!m.width || !m.height) fail('200 image has no dimensions');
            rec.size = `${m.width}x${m.height}`;
            rec.format = fmt;
          } catch (e) {
            fail(`200 image does not parse: ${e.message}`);
          }
        }
      } else {
        let json = null;
        try {
          json = JSON.parse(body.toString('utf8'));
        } catch {}
        if (!ctype.startsWith('application/json')) fail(`error with Content-Type ${ctype}`);
        if (!json?.error || json.error.status !== res.status || typeof json.error.code !== 'string' || typeof json.error.message !== 'string') fail('error body is not the documented JSON');
        rec.code = json?.error?.code;
      }
    } catch (e) {
      rec.ms = performance.now() - t;
      rec.error = `${e.name}: ${e.message}${e.cause ? ` (${e.cause.code ?? e.cause.message ?? e.cause})` : ''}`;
      failures.push({ kind: k.kind, request: `GET ${path}`, status: null, why: `fetch failed: ${rec.error}` });
    }
    records.push(rec);
  }

  log(`${TOTAL} requests, ${IN_FLIGHT} in flight; MAX_SOURCE_BYTES=${maxSourceBytes}, ORIGIN_TIMEOUT_MS=${ORIGIN_TIMEOUT_MS}`);
  started = performance.now();
  let next = 0;
  let done = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < plan.length) {
        await one(plan[next++]);
        if (++done % 25 === 0) log(`${done}/${TOTAL} done, ${failures.length} failures`);
      }
    }),
  );
  const wallMs = performance.now() - started;

  // After the storm: the Worker still serves a small image.
  const health = { ok: false };
  try {
    const t = performance.now();
    const res = await fetch(`${worker.url}/health${++seq}/small.jpg?width=200&format=jpeg`, { signal: AbortSignal.timeout(30_000) });
    const body = Buffer.from(await res.arrayBuffer());
    health.ms = performance.now() - t;
    health.status = res.status;
    if (res.status === 200) {
      const { info } = await sharp(body).raw().toBuffer({ resolveWithObject: true });
      health.size = `${info.width}x${info.height}`;
      health.ok = sniff(body) === 'jpeg' && info.width === 200;
    } else health.body = body.toString('utf8').slice(0, 300);
  } catch (e) {
    health.error = String(e.message ?? e);
  }
  if (!health.ok) failures.push({ kind: 'health', request: 'GET /health/small.jpg?width=200&format=jpeg', status: health.status ?? null, why: `health check failed: ${JSON.stringify(health)}` });
  const memory = await fetch(`${worker.url}/__thumbflare/memory`).then((x) => x.json()).catch((e) => ({ error: String(e) }));
  const workerOutput = worker.output();
  writeFileSync(join(REPO, 'bench', 'out', 'loadtest-wrangler.log'), workerOutput);
  const workerErrors = workerOutput.split('\n').filter((l) => /unexpected error|Uncaught|exceeded|RangeError|out of memory|✘ \[ERROR\]/i.test(l)).slice(0, 40);
  worker.stop();
  origin.close();
  for (const t of timers) clearTimeout(t);

  const ms = records.filter((x) => x.ms !== null).map((x) => x.ms);
  const statusCounts = {};
  for (const x of records) statusCounts[x.status ?? 'failed'] = (statusCounts[x.status ?? 'failed'] ?? 0) + 1;
  const perKind = {};
  for (const k of KINDS) {
    const xs = records.filter((x) => x.kind === k.kind);
    if (!xs.length) continue;
    const st = {};
    for (const x of xs) st[x.status ?? 'failed'] = (st[x.status ?? 'failed'] ?? 0) + 1;
    perKind[k.kind] = { n: xs.length, expect: k.expect, statuses: st, degraded: xs.filter((x) => x.degraded).length, p50Ms: round(percentile(xs.map((x) => x.ms), 50)), p95Ms: round(percentile(xs.map((x) => x.ms), 95)), maxMs: round(Math.max(...xs.map((x) => x.ms))) };
  }
  const result = {
    date: new Date().toISOString(),
    machine: { cpu: os.cpus()[0]?.model, cores: os.cpus().length, node: process.version, loadavg: os.loadavg() },
    config: { requests: TOTAL, inFlight: IN_FLIGHT, requestTimeoutMs: REQUEST_TIMEOUT_MS, workerVars: { ...vars, ORIGIN: '(loopback)' } },
    passed: failures.length === 0,
    wallMs: round(wallMs),
    requestsPerSec: +((records.length * 1000) / wallMs).toFixed(2),
    latency: { p50Ms: round(percentile(ms, 50)), p95Ms: round(percentile(ms, 95)), maxMs: round(Math.max(...ms)) },
    statusCounts,
    degraded: records.filter((x) => x.degraded).length,
    perKind,
    peakWasmBytes: peakWasm,
    peakWasmMiB: +(peakWasm / MiB).toFixed(1),
    memoryAtEnd: memory,
    health,
    failures,
    workerErrorLines: workerErrors,
    requests: records,
  };
  writeFileSync(join(REPO, 'loadtest', 'results.json'), JSON.stringify(result, null, 2) + '\n');
  printSummary(result);
  return result.passed ? 0 : 1;
}

const round = (x) => (x === null || x === undefined || !Number.isFinite(x) ? null : Math.round(x));

function printSummary(o) {
  const L = [];
  L.push(`# Thumbflare load test: ${o.passed ? 'PASSED' : 'FAILED'}`);
  L.push('');
  L.push(`${o.config.requests} requests, ${o.config.inFlight} in flight, ${(o.wallMs / 1000).toFixed(1)} s (${o.requestsPerSec} req/s) · p50 ${o.latency.p50Ms} ms · p95 ${o.latency.p95Ms} ms · max ${o.latency.maxMs} ms`);
  L.push(`statuses: ${Object.entries(o.statusCounts).map(([k, v]) => `${k}×${v}`).join(', ')} · degraded (503/504 where another answer was expected): ${o.degraded}`);
  L.push(`peak X-Thumbflare-Wasm-Bytes: ${o.peakWasmMiB} MiB · /__thumbflare/memory at end: ${o.memoryAtEnd.total !== undefined ? (o.memoryAtEnd.total / MiB).toFixed(1) + ' MiB ' + JSON.stringify(Object.fromEntries(Object.entries(o.memoryAtEnd.modules).filter(([, v]) => v).map(([k, v]) => [k, +(v / MiB).toFixed(1)]))) : JSON.stringify(o.memoryAtEnd)}`);
  L.push(`health check after the run: ${o.health.ok ? `200 ${o.health.size} in ${round(o.health.ms)} ms` : 'FAILED ' + JSON.stringify(o.health)}`);
  L.push('');
  L.push('| kind | n | expected | statuses | degraded | p50 ms | p95 ms | max ms |');
  L.push('|---|---:|---|---|---:|---:|---:|---:|');
  for (const [k, v] of Object.entries(o.perKind)) L.push(`| ${k} | ${v.n} | ${v.expect.join('/')} | ${Object.entries(v.statuses).map(([s, n]) => `${s}×${n}`).join(' ')} | ${v.degraded} | ${v.p50Ms} | ${v.p95Ms} | ${v.maxMs} |`);
  if (o.failures.length) {
    L.push('');
    L.push(`## ${o.failures.length} failures`);
    for (const f of o.failures.slice(0, 30)) L.push(`- [${f.kind}] ${f.request} → ${f.status ?? '-'}: ${f.why}${f.body ? ` — ${f.body.replace(/\s+/g, ' ').slice(0, 200)}` : ''}`);
  }
  if (o.workerErrorLines.length) {
    L.push('');
    L.push('Worker log lines that look like errors:');
    for (const l of o.workerErrorLines) L.push(`    ${l.slice(0, 300)}`);
  }
  console.log(L.join('\n'));
}

let code = 1;
const hardStop = setTimeout(() => {
  console.error(`[loadtest] hard time limit (${LIMIT_MS / 1000} s) reached; killing children`);
  try {
    writeFileSync(join(REPO, 'loadtest', 'results.json'), JSON.stringify({ date: new Date().toISOString(), passed: false, error: 'hard time limit reached' }, null, 2) + '\n');
  } catch {}
  killAll();
  process.exit(2);
}, LIMIT_MS);
hardStop.unref();
try {
  code = await main();
} catch (e) {
  console.error('[loadtest] failed:', e);
  code = 1;
} finally {
  killAll();
}
process.exit(code);
