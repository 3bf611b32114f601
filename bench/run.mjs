#!/usr/bin/env node
/**
 * Thumbflare vs sharp benchmark ("Fast: a benchmark against sharp").
 *
 *   npm run bench        (node bench/run.mjs)
 *
 * Generates photo-like inputs with sharp (cached in bench/out/), serves them from
 * a loopback origin, runs the Worker under `wrangler dev` (ORIGIN = that origin,
 * DEBUG=true), and times each case on both sides, alternating which goes first
 * every round, after warm-up. Thumbflare time = wall time of the HTTP request
 * (includes the loopback origin fetch and wrangler's local proxy); sharp time =
 * the same job from an in-memory buffer with sharp.concurrency(1), pinned to one
 * core in a child process (bench/lib/sharp-one-core.mjs: libvips' write-behind
 * thread otherwise encodes large outputs on the second core), and also timed
 * in-process, unpinned, as before 2026-12-02 ("sharp 2 threads" below).
 * Every Thumbflare request uses a fresh source path (/b<n>/<file>) so neither
 * the result cache nor the source cache can answer it.
 *
 * Writes bench/results.json and bench/RESULTS.md and prints the table.
 *
 * Environment knobs: BENCH_SETTLE_MS (250, pause before each timed Worker request), BENCH_ROUNDS (7), BENCH_WARMUP (1), BENCH_BUDGET_S (330,
 * stops adding rounds when the next would not fit), BENCH_CASES (comma list of
 * case ids; a partial run writes to bench/out/ instead of the committed results),
 * BENCH_SKIP_COLD=1, BENCH_TF_AVIF_QUALITY (52), BENCH_TIER_ROUNDS (7), BENCH_INSPECTOR=1 (run the
 * `wrangler dev` CLI with its DevTools inspector, as the bench did before 2026-12-02; see below).
 *
 * The Worker runs under wrangler's dev server with its DevTools inspector off
 * (bench/lib/dev-worker.mjs). With it on, wrangler dev enables the inspector's
 * Network domain and relays one event per 4 KB of every subrequest body through
 * its InspectorProxyWorker, in the same workerd process as the ProxyWorker that
 * serves the public port: for a 5-10 MB source that costs the dev tooling several
 * times the Worker's own CPU per request, holds the response in the proxy and
 * slows the Worker's stages on a 2-core box (docs/performance.md).
 *
 * The variant-tier section (case id tier-jpeg12-300) runs two more `wrangler dev`
 * Workers, "data centres" A and B, each with its own Cache API cache (CACHE_NAME)
 * and one shared local R2 bucket (VARIANT_BUCKET, one persist dir), and times a
 * miss in A, a Cache API hit in A, and B's first request for the same variant
 * (a tier hit), every round on a fresh source path.
 *
 * The Worker is bundled once (`wrangler deploy --dry-run`) and `wrangler dev`
 * runs that frozen bundle, so edits to src/ during a run do not reload it.
 */
import sharp from 'sharp';
import os from 'node:os';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { gzipSync } from 'node:zlib';
import { benchImages } from './lib/images.mjs';
import { decodeRgb, median, psnr, sniff, ssim, zonePlateAlias } from './lib/metrics.mjs';
import { REPO, buildBundle, killAll, snapshotConfig, startOrigin, startWorker } from './lib/servers.mjs';
import { SHARP_JPEG, timeSharp } from './lib/sharp-job.mjs';
import { startSharpOneCore } from './lib/sharp-one-core.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 1);
const BUDGET_MS = Number(process.env.BENCH_BUDGET_S ?? 330) * 1000;
const TF_AVIF_Q = Number(process.env.BENCH_TF_AVIF_QUALITY ?? 52); // the quality whose SSIM matches sharp's default q50 (swept: q50 0.910, q52 0.924, q55 0.933 vs sharp 0.922)
const REQUEST_TIMEOUT_MS = 120_000;
const MiB = 1024 * 1024;
/** The Worker's default limits (wrangler.toml + config.ts), plus DEBUG for the WASM-memory header. */
const WORKER_VARS = { DEBUG: 'true' };


const CASES = [
  // Issue 10's targets: end to end <= 2x sharp everywhere; compute <= 1.3x for this case, 1.5x for the others.
  { id: 'jpeg12-300-jpeg', label: '12 MP JPEG → 300 w JPEG q80', src: 'photo-12mp.jpg', width: 300, format: 'jpeg', quality: 80, computeTarget: 1.3, photo: true },
  { id: 'jpeg12-1200-webp', label: '12 MP JPEG → 1200 w WebP q78', src: 'photo-12mp.jpg', width: 1200, format: 'webp', quality: 78, photo: true },
  { id: 'png2a-400-webp', label: '2 MP PNG+alpha → 400 w WebP q80', src: 'alpha-2mp.png', width: 400, format: 'webp', quality: 80, photo: true },
  { id: 'jpeg1080-640-avif', label: `1080p JPEG → 640 w AVIF (TF q${TF_AVIF_Q} / sharp default q50)`, src: 'photo-1080p.jpg', width: 640, format: 'avif', quality: TF_AVIF_Q, sharpQuality: null, photo: true, avif: true },
  { id: 'jpeg1080-640-jpeg', label: '1080p JPEG → 640 w JPEG q80', src: 'photo-1080p.jpg', width: 640, format: 'jpeg', quality: 80, photo: true },
  { id: 'jpeg24-800-jpeg', label: '24 MP JPEG → 800 w JPEG q80', src: 'photo-24mp.jpg', width: 800, format: 'jpeg', quality: 80, photo: true },
  { id: 'pjpeg12-800-jpeg', label: '12 MP progressive JPEG → 800 w JPEG q80', src: 'photo-12mp-progressive.jpg', width: 800, format: 'jpeg', quality: 80, photo: true },
  // A progressive source wanted as a thumbnail: 1/8 scale needs only the DC scan (issue 10 item 5).
  { id: 'pjpeg12-300-jpeg', label: '12 MP progressive JPEG → 300 w JPEG q80', src: 'photo-12mp-progressive.jpg', width: 300, format: 'jpeg', quality: 80, photo: true },
  { id: 'webp-600-webp', label: '1200x800 WebP → 600 w WebP q80', src: 'photo-1200x800.webp', width: 600, format: 'webp', quality: 80, photo: true },
  { id: 'zone-300-png', label: 'Zone plate 2000² PNG → 300 w PNG (aliasing)', src: 'zoneplate-2000.png', width: 300, format: 'png', zone: true, zoneSize: 2000 },
  // Next.js hero images: deviceSizes 1920 and 3840 at next/image's default quality 75 (issue 10).
  // (12 MP -> 3840 w WebP is not a case: the memory rule serves it as JPEG, see README "Limits".)
  { id: 'jpeg12-1920-jpeg', label: '12 MP JPEG → 1920 w JPEG q75', src: 'photo-12mp.jpg', width: 1920, format: 'jpeg', quality: 75, photo: true },
  { id: 'jpeg12-1920-webp', label: '12 MP JPEG → 1920 w WebP q75', src: 'photo-12mp.jpg', width: 1920, format: 'webp', quality: 75, photo: true },
  { id: 'jpeg12-3840-jpeg', label: '12 MP JPEG → 3840 w JPEG q75', src: 'photo-12mp.jpg', width: 3840, format: 'jpeg', quality: 75, photo: true },
  // JPEG XL (issue 15): sharp's prebuilt libvips has no JXL encoder, so the row compares with sharp's AVIF
  // at its default q50; TF's JXL q75 is the quality whose SSIM matches it (scripts/jxl-compare.mjs, docs/jxl.md).
  { id: 'jpeg1080-640-jxl', label: '1080p JPEG → 640 w JPEG XL q75 (vs sharp AVIF default q50: sharp has no JXL encoder)', src: 'photo-1080p.jpg', width: 640, format: 'jxl', quality: 75, sharpFormat: 'avif', sharpQuality: null },
];
/** Output formats whose first request on a fresh isolate the cold-start section times (1080p JPEG -> 640 w). */
const FIRST_FORMATS = ['webp', 'avif', 'png', 'jxl', 'gif'];
const CONCURRENCY = { id: 'conc4-jpeg12-300', label: '12 MP JPEG → 300 w JPEG q80, 4 in flight', src: 'photo-12mp.jpg', width: 300, format: 'jpeg', quality: 80, inFlight: 4, perRound: 8 };

const TIER = { id: 'tier-jpeg12-300', label: '12 MP JPEG → 300 w JPEG q80', src: 'photo-12mp.jpg', width: 300, format: 'jpeg', quality: 80 };
const TIER_ROUNDS = Number(process.env.BENCH_TIER_ROUNDS ?? 7);
/** wrangler dev's DevTools inspector: off unless asked (see the header). */
const INSPECTOR = process.env.BENCH_INSPECTOR === '1';

const only = process.env.BENCH_CASES?.split(',').map((s) => s.trim()).filter(Boolean);
const cases = only ? CASES.filter((c) => only.includes(c.id)) : CASES;
const runConcurrency = !only || only.includes(CONCURRENCY.id);
const runTier = !only || only.includes(TIER.id);
/** A partial run must not overwrite the committed full results. */
const OUT_DIR = only ? join(REPO, 'bench', 'out') : join(REPO, 'bench');

const log = (...a) => console.error(`[bench ${((performance.now() - T0) / 1000).toFixed(0).padStart(3)}s]`, ...a);
const T0 = performance.now();

let seq = 0;
function tfUrl(worker, c) {
  const q = new URLSearchParams({ width: String(c.width), format: c.format });
  if (c.quality) q.set('quality', String(c.quality));
  return `${worker.url}/b${++seq}/${c.src}?${q}`;
}

/**
 * Every stage the Worker names (src/timing.ts), plus the four aggregates this
 * report has always shown: origin = source cache + origin headers + body;
 * transform = alpha scan + every pixel step (step-*).
 */
function parseServerTiming(h) {
  const out = {};
  for (const part of (h ?? '').split(',')) {
    const m = /^\s*([\w-]+);dur=([\d.]+)/.exec(part);
    if (m) out[m[1]] = Number(m[2]);
  }
  const sum = (keys) => keys.reduce((a, k) => a + (out[k] ?? 0), 0);
  // Issue 10 item 1: the named stages should account for `total` (within 10 %).
  if (out.total) out.stagesSum = sum(Object.keys(out).filter((k) => k !== 'total'));
  if (out.origin === undefined) out.origin = sum(['source-cache', 'origin-headers', 'origin-body']);
  if (out.transform === undefined) out.transform = sum(['alpha-scan', ...Object.keys(out).filter((k) => k.startsWith('step-'))]);
  return out;
}

const SETTLE_MS = Number(process.env.BENCH_SETTLE_MS ?? 250);
const settle = () => new Promise((r) => setTimeout(r, SETTLE_MS));

async function timeThumbflare(worker, c) {
  const url = tfUrl(worker, c);
  const t = performance.now();
  const res = await fetch(url, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  const body = Buffer.from(await res.arrayBuffer());
  const ms = performance.now() - t;
  if (res.status !== 200) {
    const err = new Error(`Thumbflare ${res.status} for GET ${url.replace(worker.url, '')}: ${body.toString('utf8').slice(0, 400)}`);
    err.status = res.status;
    err.request = `GET ${url.replace(worker.url, '')}`;
    err.response = body.toString('utf8').slice(0, 400);
    throw err;
  }
  const wasm = Number(res.headers.get('x-thumbflare-wasm-bytes') ?? NaN);
  return { ms, body, wasm, stages: parseServerTiming(res.headers.get('server-timing')), type: res.headers.get('content-type') };
}

/** n requests, at most k in flight; returns images/s and per-request data. */
async function burst(k, n, one) {
  let next = 0;
  const results = [];
  const t = performance.now();
  await Promise.all(
    Array.from({ length: k }, async () => {
      while (next < n) {
        next++;
        results.push(await one());
      }
    }),
  );
  const ms = performance.now() - t;
  return { ms, ips: (n * 1000) / ms, results };
}

function fmt(n, d = 1) {
  return n === null || n === undefined || Number.isNaN(n) ? '—' : Number(n).toFixed(d);
}
const kb = (b) => (b === null || b === undefined ? '—' : (b / 1024).toFixed(1));

async function main() {
  log(`node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model}, sharp ${sharp.versions.sharp} (libvips ${sharp.versions.vips}, mozjpeg ${sharp.versions.mozjpeg}, webp ${sharp.versions.webp}, aom ${sharp.versions.aom})`);
  const images = await benchImages(log);

  // One build, used twice: its gzip size is the bundle size, and `wrangler dev` runs
  // it as a frozen snapshot so concurrent edits of src/ cannot reload the Worker mid-run.
  const t = performance.now();
  const { outdir } = await buildBundle({ log });
  const files = readdirSync(outdir, { recursive: true })
    .map(String)
    .filter((f) => statSync(join(outdir, f)).isFile() && !f.endsWith('.map') && !f.endsWith('README.md'));
  const perFile = files.map((f) => {
    const raw = readFileSync(join(outdir, f));
    return { file: f, bytes: raw.length, gzipBytes: gzipSync(raw).length };
  });
  const bundle = { files: perFile, bytes: perFile.reduce((s, f) => s + f.bytes, 0), gzipBytes: perFile.reduce((s, f) => s + f.gzipBytes, 0) };
  log(`bundle: ${(bundle.bytes / 1024).toFixed(0)} KiB raw, ${(bundle.gzipBytes / 1024).toFixed(0)} KiB gzip (${files.length} files) in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  const config = snapshotConfig(outdir);

  const origin = await startOrigin(images);
  const oneCore = await startSharpOneCore(images);
  log(oneCore ? `sharp: one core (taskset -c ${oneCore.core}) in a child process, and in-process unpinned` : 'sharp: in-process only (no taskset or one core)');
  let worker = await startWorker({ config, vars: { ...WORKER_VARS, ORIGIN: origin.url }, log, inspector: INSPECTOR });

  // Lossless references: sharp's own resize (lanczos3), not encoded.
  const refs = {};
  for (const c of cases) {
    const { data, info } = await sharp(images[c.src].body).rotate().resize({ width: c.width }).flatten({ background: { r: 128, g: 128, b: 128 } }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    refs[c.id] = { data, width: info.width, height: info.height };
  }

  const state = Object.fromEntries(
    cases.map((c) => [c.id, { tf: [], direct: [], sharp: [], sharpInProcess: [], wasm: [], stages: [], tfBody: null, sharpBody: null, error: null }]),
  );
  const conc = { tf: [], sharp: [], wasm: [], error: null };

  /** Runs both sides, Thumbflare first on even rounds, sharp first on odd ones; returns the failure, or null. */
  async function alternate(round, doTf, doSharp) {
    try {
      for (const run of round % 2 === 0 ? [doTf, doSharp] : [doSharp, doTf]) await run();
      return null;
    } catch (e) {
      return { message: String(e.message ?? e), request: e.request, status: e.status, response: e.response };
    }
  }

  async function runCase(c, round, warm) {
    const s = state[c.id];
    if (s.error) return;
    const doTf = async () => {
      // Each timed request starts on a settled isolate: the previous request's waitUntil work
      // (a 5 MB source put into the local Cache API) otherwise lands on the next one's clock.
      await settle();
      const r = await timeThumbflare(worker, c);
      if (!warm) {
        s.tf.push(r.ms);
        s.stages.push(r.stages);
      }
      s.wasm.push(r.wasm);
      s.tfBody = r.body;
      s.tfType = r.type;
      // The same request on the Worker's own workerd socket, past wrangler dev's ProxyWorker (dev-only).
      if (worker.directUrl) {
        await settle();
        const d = await timeThumbflare({ ...worker, url: worker.directUrl }, c);
        if (!warm) s.direct.push(d.ms);
      }
    };
    const doSharp = async () => {
      // The one-core run is the ratio basis (the issue's "1 thread"); the unpinned one is reported beside it.
      const r = await timeSharp(c, images[c.src].body);
      if (!warm) s.sharpInProcess.push(r.ms);
      s.sharpBody = r.body;
      if (oneCore) {
        const p = await oneCore.run(c);
        if (!warm) s.sharp.push(p.ms);
      } else if (!warm) s.sharp.push(r.ms);
    };
    s.error = await alternate(round, doTf, doSharp);
    if (s.error) log(`case ${c.id} FAILED: ${s.error.message}`);
  }

  async function runConc(round, warm) {
    if (!runConcurrency || conc.error) return;
    const c = CONCURRENCY;
    const doTf = async () => {
      const b = await burst(c.inFlight, c.perRound, () => timeThumbflare(worker, c));
      if (!warm) conc.tf.push(b.ips);
      for (const r of b.results) conc.wasm.push(r.wasm);
    };
    const doSharp = async () => {
      const b = await burst(c.inFlight, c.perRound, () => timeSharp(c, images[c.src].body));
      if (!warm) conc.sharp.push(b.ips);
    };
    conc.error = await alternate(round, doTf, doSharp);
    if (conc.error) log(`concurrency case FAILED: ${conc.error.message}`);
  }

  for (let w = 0; w < WARMUP; w++) {
    log(`warm-up round ${w + 1}/${WARMUP}`);
    for (const c of cases) await runCase(c, w, true);
    await runConc(w, true);
  }
  const timedStart = performance.now();
  let rounds = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const roundStart = performance.now();
    for (const c of cases) await runCase(c, r, false);
    await runConc(r, false);
    rounds++;
    const perRound = (performance.now() - timedStart) / rounds;
    log(`round ${r + 1}/${ROUNDS} took ${((performance.now() - roundStart) / 1000).toFixed(1)} s`);
    if (performance.now() - T0 + perRound > BUDGET_MS && r + 1 < ROUNDS) {
      log(`time budget: stopping after ${rounds} rounds`);
      break;
    }
  }

  const memoryAfter = await fetch(`${worker.url}/__thumbflare/memory`).then((r) => r.json()).catch((e) => ({ error: String(e) }));
  const tier = runTier ? await runTierSection(outdir, origin).catch((e) => ({ error: String(e.message ?? e) })) : null;

  // Quality of the last outputs (encoders are deterministic, so any round's would do).
  const results = [];
  for (const c of cases) {
    const s = state[c.id];
    const row = { id: c.id, label: c.label, source: c.src, width: c.width, format: c.format, quality: c.quality ?? null, rounds: s.tf.length };
    if (c.avif) row.sharpQuality = c.sharpQuality ?? 50;
    if (s.error) row.error = s.error;
    if (s.tfBody && s.sharpBody) {
      row.tfMs = median(s.tf);
      row.sharpMs = median(s.sharp);
      row.sharpInProcessMs = median(s.sharpInProcess);
      row.ratioInProcess = row.tfMs / row.sharpInProcessMs;
      row.ratio = row.tfMs && row.sharpMs ? row.tfMs / row.sharpMs : null;
      if (s.direct.length) {
        row.tfDirectMs = median(s.direct);
        row.directRatio = row.tfDirectMs / row.sharpMs;
        row.tfDirectSamplesMs = s.direct.map((x) => +x.toFixed(1));
      }
      row.tfSamplesMs = s.tf.map((x) => +x.toFixed(1));
      row.sharpSamplesMs = s.sharp.map((x) => +x.toFixed(1));
      row.sharpInProcessSamplesMs = s.sharpInProcess.map((x) => +x.toFixed(1));
      const stageNames = [...new Set(['origin', 'decode', 'transform', 'encode', ...s.stages.flatMap((st) => Object.keys(st))])].filter((k) => k !== 'stagesSum');
      row.tfStagesMedianMs = Object.fromEntries(stageNames.map((k) => [k, median(s.stages.map((st) => st[k]).filter((v) => v !== undefined))]));
      // The Worker's own compute (decode + transform + encode, from Server-Timing): what the CPU bill
      // counts, without the loopback origin fetch and wrangler dev's local proxy. sharp's time is all compute.
      row.tfComputeMs = median(s.stages.map((st) => (st.decode ?? 0) + (st.transform ?? 0) + (st.encode ?? 0)));
      row.computeRatio = row.tfComputeMs && row.sharpMs ? row.tfComputeMs / row.sharpMs : null;
      row.computeRatioInProcess = row.tfComputeMs / row.sharpInProcessMs;
      // Share of the Worker's `total` its named stages account for (median over rounds; item 1 asks >= 0.9).
      row.stagesOverTotal = median(s.stages.filter((st) => st.total).map((st) => st.stagesSum / st.total));
      row.tfBytes = s.tfBody.length;
      row.sharpBytes = s.sharpBody.length;
      row.bytesRatio = row.tfBytes / row.sharpBytes;
      row.tfFormat = sniff(s.tfBody);
      row.sharpFormat = sniff(s.sharpBody);
      row.peakWasmBytes = Math.max(...s.wasm.filter(Number.isFinite), 0);
      const ref = refs[c.id];
      const a = await decodeRgb(s.tfBody);
      const b = await decodeRgb(s.sharpBody);
      row.tfSize = `${a.width}x${a.height}`;
      row.sharpSize = `${b.width}x${b.height}`;
      row.sizesMatch = a.width === b.width && a.height === b.height;
      const A = row.sizesMatch && a.width === ref.width && a.height === ref.height ? a : await decodeRgb(s.tfBody, ref);
      const B = b.width === ref.width && b.height === ref.height ? b : await decodeRgb(s.sharpBody, ref);
      row.psnr = psnr(A.data, B.data);
      row.ssim = ssim(A.data, B.data, ref.width, ref.height);
      row.tfVsRef = { psnr: psnr(A.data, ref.data), ssim: ssim(A.data, ref.data, ref.width, ref.height) };
      row.sharpVsRef = { psnr: psnr(B.data, ref.data), ssim: ssim(B.data, ref.data, ref.width, ref.height) };
      if (c.zone) {
        row.aliasRms = { tf: zonePlateAlias(A.data, ref.width, ref.height, c.zoneSize), sharp: zonePlateAlias(B.data, ref.width, ref.height, c.zoneSize) };
      }
      writeFileSync(join(REPO, 'bench', 'out', `result-${c.id}-thumbflare.${c.format === 'jpeg' ? 'jpg' : c.format}`), s.tfBody);
      writeFileSync(join(REPO, 'bench', 'out', `result-${c.id}-sharp.${row.sharpFormat === 'jpeg' ? 'jpg' : row.sharpFormat}`), s.sharpBody);
    }
    row.targets = targetsFor(c, row);
    results.push(row);
  }
  let concRow = null;
  if (runConcurrency) {
    concRow = { id: CONCURRENCY.id, label: CONCURRENCY.label, inFlight: CONCURRENCY.inFlight, requestsPerRound: CONCURRENCY.perRound, rounds: conc.tf.length };
    if (conc.error) concRow.error = conc.error;
    concRow.tfImagesPerSec = median(conc.tf);
    concRow.sharpImagesPerSec = median(conc.sharp);
    concRow.ratio = concRow.tfImagesPerSec && concRow.sharpImagesPerSec ? concRow.sharpImagesPerSec / concRow.tfImagesPerSec : null;
    concRow.peakWasmBytes = Math.max(...conc.wasm.filter(Number.isFinite), 0);
    const seqMs = results.find((r) => r.id === CASES[0].id)?.tfMs;
    concRow.tfSequentialImagesPerSec = seqMs ? 1000 / seqMs : null;
    concRow.note = 'ratio = sharp images/s ÷ Thumbflare images/s. sharp runs its 4 concurrent pipelines on libuv worker threads (both cores) even with concurrency(1); the Worker is one isolate on one thread.';
    concRow.targets = [{ name: 'peak WASM < 128 MiB', met: concRow.peakWasmBytes < 128 * MiB }];
  }

  // Cold start: a fresh wrangler dev, first image request vs the warm median.
  let coldStart = null;
  if (process.env.BENCH_SKIP_COLD !== '1') {
    worker.stop();
    worker = null;
    try {
      const fresh = await startWorker({ config, vars: { ...WORKER_VARS, ORIGIN: origin.url }, probe: false, log, inspector: INSPECTOR });
      worker = fresh;
      const c = CASES[0];
      const first = await timeThumbflare(fresh, c);
      const second = await timeThumbflare(fresh, c);
      const warm = results.find((r) => r.id === c.id)?.tfMs ?? null;
      // Then the first request for each other output format on the same fresh isolate
      // (its encoder is instantiated on it), and a second one of that format (warm).
      const perFormat = [];
      for (const format of FIRST_FORMATS) {
        const fc = { src: 'photo-1080p.jpg', width: 640, format, quality: format === 'avif' ? TF_AVIF_Q : format === 'png' ? undefined : 80 };
        const a = await timeThumbflare(fresh, fc);
        const b = await timeThumbflare(fresh, fc);
        perFormat.push({ format, firstMs: a.ms, firstEncodeMs: a.stages.encode ?? null, warmMs: b.ms, warmEncodeMs: b.stages.encode ?? null });
        log(`first ${format}: ${a.ms.toFixed(0)} ms (encode ${fmt(a.stages.encode, 0)}), then ${b.ms.toFixed(0)} ms (encode ${fmt(b.stages.encode, 0)})`);
      }
      coldStart = { case: c.label, workerStartMs: fresh.startMs, firstRequestMs: first.ms, secondRequestMs: second.ms, warmMedianMs: warm, firstOverWarm: warm ? first.ms / warm : null, firstStages: first.stages, perFormat };
      log(`cold start: first ${first.ms.toFixed(0)} ms, second ${second.ms.toFixed(0)} ms, warm median ${fmt(warm, 0)} ms`);
    } catch (e) {
      coldStart = { error: String(e.message ?? e) };
    }
  }
  worker?.stop();
  origin.close();
  oneCore?.close();

  const out = {
    date: new Date().toISOString(),
    machine: { cpu: os.cpus()[0]?.model, cores: os.cpus().length, memGiB: +(os.totalmem() / 2 ** 30).toFixed(1), node: process.version, platform: `${os.platform()} ${os.release()}`, loadavg: os.loadavg() },
    versions: { sharp: sharp.versions.sharp, vips: sharp.versions.vips, mozjpeg: sharp.versions.mozjpeg, webp: sharp.versions.webp, aom: sharp.versions.aom, wrangler: JSON.parse(readFileSync(join(REPO, 'node_modules/wrangler/package.json'), 'utf8')).version },
    git: gitHead(),
    method: {
      rounds,
      warmup: WARMUP,
      statistic: 'median over rounds',
      thumbflare: 'wall time of one HTTP GET to wrangler dev on 127.0.0.1 (includes the loopback origin fetch, the local proxy and the edge-cache writes); unique source path per request so every request misses both caches',
      inspector: INSPECTOR ? 'wrangler dev CLI, DevTools inspector on (its Network domain relays every subrequest body chunk)' : "wrangler's dev server (unstable_startWorker) with dev.inspector false: same ProxyWorker and workerd, no DevTools inspector",
      sharp: oneCore
        ? `sharp.concurrency(1), sharp.cache(false), from an in-memory buffer, in a child process pinned to one core (taskset -c ${oneCore.core}): the ratio basis. sharpInProcessMs: the same job in the bench process, unpinned, where libvips' write-behind thread encodes on the second core`
        : 'in-process, from an in-memory buffer, sharp.concurrency(1), sharp.cache(false)',
      sharpJpeg: SHARP_JPEG,
      sharpWebp: 'quality as requested, effort 4 (default)',
      sharpAvif: 'sharp default: quality 50, effort 4, 4:4:4 chroma (Thumbflare: speed 8, 4:2:0)',
      quality: 'both outputs decoded with sharp to sRGB, alpha flattened on #808080; PSNR over RGB, SSIM (11x11 Gaussian, luma) of Thumbflare vs sharp; *VsRef = vs sharp lanczos3 resize without encoding',
      workerVars: WORKER_VARS,
    },
    cases: results,
    concurrency: concRow,
    bundle,
    coldStart,
    memoryAfter,
    tier,
  };
  mkdirSync(OUT_DIR, { recursive: true });
  writeFileSync(join(OUT_DIR, 'results.json'), JSON.stringify(out, null, 2) + '\n');
  const md = renderMarkdown(out);
  writeFileSync(join(OUT_DIR, 'RESULTS.md'), md);
  console.log(md);
  log(`done in ${((performance.now() - T0) / 1000).toFixed(0)} s; wrote ${OUT_DIR}/results.json and RESULTS.md`);
  const failed = results.filter((r) => r.error).length + (concRow?.error ? 1 : 0) + (tier?.error ? 1 : 0);
  return failed ? 1 : 0;
}

/**
 * Two data centres, one variant tier: Workers A and B with their own Cache API
 * caches (CACHE_NAME) and one local R2 bucket (a shared persist dir). Per round,
 * on a fresh source path: A miss, A Cache API hit, B tier hit, B Cache API hit.
 * Outcomes are read from Server-Timing; any other outcome is counted, not hidden.
 */
async function runTierSection(outdir, origin) {
  const c = TIER;
  const tierConfig = snapshotConfig(outdir, {
    name: 'wrangler.tier.toml',
    extraToml: '\n[[r2_buckets]]\nbinding = "VARIANT_BUCKET"\nbucket_name = "thumbflare-bench-variants"\n',
  });
  const persistDir = mkdtempSync(join(tmpdir(), 'thumbflare-bench-tier-'));
  const workers = [];
  try {
    for (const dc of ['a', 'b']) {
      workers.push(await startWorker({ config: tierConfig, vars: { ...WORKER_VARS, ORIGIN: origin.url, CACHE_NAME: `dc-${dc}` }, persistDir, log, inspector: INSPECTOR }));
    }
    const [a, b] = workers;
    const q = new URLSearchParams({ width: String(c.width), format: c.format, quality: String(c.quality) });
    const get = async (w, path) => {
      const t = performance.now();
      const res = await fetch(w.url + path, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      await res.arrayBuffer();
      const ms = performance.now() - t;
      const timing = res.headers.get('server-timing') ?? '';
      const outcome = /(^|,\s*)decode;dur=/.test(timing) ? 'transform' : (/cache;desc=(\w+)/.exec(timing)?.[1] ?? `status ${res.status}`);
      return { ms, outcome, stages: parseServerTiming(timing) };
    };
    const settle = () => new Promise((r) => setTimeout(r, 300)); // the waitUntil puts (Cache API, R2) land
    const sample = { miss: [], cacheHit: [], tierHit: [], tierReadMs: [], secondCacheHit: [] };
    const unexpected = [];
    let transforms = 0;
    let requests = 0;
    for (let r = 0; r < WARMUP + TIER_ROUNDS; r++) {
      const path = `/t${++seq}/${c.src}?${q}`;
      const steps = [
        ['miss', a, 'transform'],
        ['cacheHit', a, 'hit'],
        ['tierHit', b, 'tier'],
        ['secondCacheHit', b, 'hit'],
      ];
      for (const [name, w, expected] of steps) {
        const got = await get(w, path);
        requests++;
        if (got.outcome === 'transform') transforms++;
        if (got.outcome !== expected) unexpected.push({ round: r, step: name, expected, got: got.outcome });
        else if (r >= WARMUP) {
          sample[name].push(got.ms);
          if (name === 'tierHit') sample.tierReadMs.push(got.stages.tier);
        }
        await settle();
      }
    }
    const variants = WARMUP + TIER_ROUNDS;
    const row = {
      id: c.id,
      label: c.label,
      rounds: TIER_ROUNDS,
      missMs: median(sample.miss),
      cacheHitMs: median(sample.cacheHit),
      tierHitMs: median(sample.tierHit),
      tierReadMs: median(sample.tierReadMs),
      secondCacheHitMs: median(sample.secondCacheHit),
      samplesMs: Object.fromEntries(Object.entries(sample).map(([k, v]) => [k, v.map((x) => +Number(x).toFixed(1))])),
      variants,
      requests,
      transforms,
      transformsPerVariant: transforms / variants,
      unexpected,
      note: 'end to end = HTTP wall time against wrangler dev on 127.0.0.1; local R2 (Miniflare, on disk) is far faster than R2 from a distant data centre',
    };
    log(`tier: miss ${fmt(row.missMs, 0)} ms, Cache API hit ${fmt(row.cacheHitMs, 1)} ms, tier hit ${fmt(row.tierHitMs, 1)} ms; ${transforms} transforms for ${variants} variants over ${requests} requests${unexpected.length ? `; ${unexpected.length} unexpected outcomes` : ''}`);
    return row;
  } finally {
    for (const w of workers) w.stop();
    rmSync(persistDir, { recursive: true, force: true });
  }
}

function targetsFor(c, row) {
  const t = [];
  if (row.error || row.tfMs === undefined) return t;
  const computeLimit = c.computeTarget ?? 1.5;
  t.push({ name: `compute ≤ ${computeLimit}× sharp`, met: row.computeRatio <= computeLimit });
  t.push({ name: 'end to end ≤ 2× sharp', met: row.ratio <= 2 });
  t.push({ name: 'stages ≥ 90 % of total', met: row.stagesOverTotal >= 0.9 });
  if (c.photo) t.push({ name: 'PSNR ≥ 40 dB', met: row.psnr >= 40 });
  if (c.zone) t.push({ name: 'SSIM ≥ 0.95', met: row.ssim >= 0.95 });
  if (c.format === 'jpeg' || c.format === 'webp') t.push({ name: 'bytes ≤ 1.1× sharp', met: row.bytesRatio <= 1.1 });
  if (c.sharpFormat) t.push({ name: `SSIM(ref) within 0.005 of sharp's ${c.sharpFormat}`, met: row.tfVsRef.ssim >= row.sharpVsRef.ssim - 0.005 });
  if (c.avif) {
    t.push({ name: 'AVIF bytes ≤ sharp', met: row.tfBytes <= row.sharpBytes });
    t.push({ name: 'AVIF SSIM(ref) ≥ sharp', met: row.tfVsRef.ssim >= row.sharpVsRef.ssim });
    t.push({ name: 'AVIF faster', met: row.tfMs < row.sharpMs });
  }
  t.push({ name: 'peak WASM < 128 MiB', met: row.peakWasmBytes < 128 * MiB });
  return t;
}

function gitHead() {
  try {
    const head = readFileSync(join(REPO, '.git', 'HEAD'), 'utf8').trim();
    if (!head.startsWith('ref: ')) return head;
    const ref = head.slice(5);
    try {
      return { ref, commit: readFileSync(join(REPO, '.git', ref), 'utf8').trim() };
    } catch {
      return { ref };
    }
  } catch {
    return null;
  }
}

function renderMarkdown(o) {
  const L = [];
  L.push('# Thumbflare vs sharp');
  L.push('');
  L.push(`${o.date} · ${o.machine.cores} × ${o.machine.cpu} · Node ${o.machine.node} · sharp ${o.versions.sharp} (libvips ${o.versions.vips}) · wrangler ${o.versions.wrangler} · ${o.method.rounds} rounds after ${o.method.warmup} warm-up · load avg at end ${o.machine.loadavg.map((x) => x.toFixed(1)).join(' ')}`);
  L.push('');
  L.push('TF compute = the Worker\'s decode + transform + encode from its `Server-Timing` (what Workers bill as CPU); TF end-to-end = HTTP wall time against `wrangler dev` (' + (o.method.inspector?.startsWith('wrangler dev CLI') ? 'the CLI, DevTools inspector on' : 'DevTools inspector off') + '; adds the loopback origin fetch, the edge-cache lookups and wrangler\'s local proxy); TF direct = the same request on the Worker\'s own workerd socket, past wrangler dev\'s dev-only ProxyWorker hop (the production-like path); sharp = from a buffer, `concurrency(1)`, on one core (a child process pinned with taskset: the ratio basis); sharp 2 threads = the same job in-process and unpinned, where libvips\' write-behind thread encodes large outputs on the second core (end-to-end ratio against it in brackets). Medians. PSNR/SSIM: Thumbflare output vs sharp output (SSIM ref: each vs an unencoded lanczos3 resize).');
  L.push('');
  L.push('| Case | TF compute ms | TF end-to-end ms | sharp ms | sharp 2 threads ms | compute ratio | end-to-end ratio | TF direct ms | direct ratio | TF KiB | sharp KiB | bytes ratio | PSNR dB | SSIM | SSIM ref TF / sharp | peak WASM MiB | targets |');
  L.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---|');
  for (const r of o.cases) {
    if (r.error && r.tfMs === undefined) {
      L.push(`| ${r.label} | **failed** | | | | | | | | | | | | ${r.error.request ?? ''} → ${r.error.status ?? ''} ${(r.error.response ?? r.error.message).replace(/\|/g, '\\|').slice(0, 160)} |`);
      continue;
    }
    const tg = r.targets.map((t) => `${t.met ? '✅' : '❌'} ${t.name}`).join('<br>');
    const extra = r.aliasRms ? `<br>alias RMS TF ${fmt(r.aliasRms.tf, 2)} / sharp ${fmt(r.aliasRms.sharp, 2)}` : '';
    L.push(
      `| ${r.label}${r.error ? ' (partial: ' + r.error.status + ')' : ''} | ${fmt(r.tfComputeMs, 0)} | ${fmt(r.tfMs, 0)} | ${fmt(r.sharpMs, 0)} | ${fmt(r.sharpInProcessMs, 0)} | ${fmt(r.computeRatio, 2)} | ${fmt(r.ratio, 2)} (${fmt(r.ratioInProcess, 2)}) | ${fmt(r.tfDirectMs, 0)} | ${fmt(r.directRatio, 2)} | ${kb(r.tfBytes)} | ${kb(r.sharpBytes)} | ${fmt(r.bytesRatio, 2)} | ${fmt(r.psnr, 1)} | ${fmt(r.ssim, 4)} | ${fmt(r.tfVsRef.ssim, 4)} / ${fmt(r.sharpVsRef.ssim, 4)}${extra} | ${fmt(r.peakWasmBytes / MiB, 1)} | ${tg} |`,
    );
  }
  const c = o.concurrency;
  if (c) {
    if (c.error && !c.tfImagesPerSec) L.push(`| ${c.label} | **failed** | | | | | | | | | | | | ${c.error.message.replace(/\|/g, '\\|').slice(0, 200)} |`);
    else
      L.push(
        `| ${c.label} | | ${fmt(c.tfImagesPerSec, 2)} img/s | | ${fmt(c.sharpImagesPerSec, 2)} img/s | | ${fmt(c.ratio, 2)} | | | | | | | | | ${fmt(c.peakWasmBytes / MiB, 1)} | ${c.targets.map((t) => `${t.met ? '✅' : '❌'} ${t.name}`).join('<br>')} |`,
      );
  }
  L.push('');
  if (c) L.push(`Concurrency row: ${c.note} Thumbflare one-at-a-time for the same case: ${fmt(c.tfSequentialImagesPerSec, 2)} img/s.`);
  L.push('');
  const stages = o.cases.filter((r) => r.tfStagesMedianMs);
  if (stages.length) {
    L.push('Thumbflare stage medians from `Server-Timing` (ms): ' + stages.map((r) => `${r.id} origin ${fmt(r.tfStagesMedianMs.origin, 0)} / decode ${fmt(r.tfStagesMedianMs.decode, 0)} / transform ${fmt(r.tfStagesMedianMs.transform, 0)} / encode ${fmt(r.tfStagesMedianMs.encode, 0)} / total ${fmt(r.tfStagesMedianMs.total, 0)} (stages sum to ${fmt(r.stagesOverTotal * 100, 0)} % of total)`).join('; ') + '.');
    L.push('');
  }
  if (o.bundle) L.push(o.bundle.error ? `Bundle: build failed (${o.bundle.error.slice(0, 200)})` : `Bundle (\`wrangler deploy --dry-run\`): ${(o.bundle.bytes / 1024).toFixed(0)} KiB raw, **${(o.bundle.gzipBytes / 1024).toFixed(0)} KiB gzip** (${o.bundle.files.map((f) => `${f.file} ${(f.gzipBytes / 1024).toFixed(0)} KiB`).join(', ')}).`);
  L.push('');
  if (o.coldStart) L.push(o.coldStart.error ? `Cold start: failed (${o.coldStart.error.slice(0, 200)})` : `Cold start (fresh \`wrangler dev\`, first request, ${o.coldStart.case}): **${fmt(o.coldStart.firstRequestMs, 0)} ms** vs warm median ${fmt(o.coldStart.warmMedianMs, 0)} ms (×${fmt(o.coldStart.firstOverWarm, 2)}); second request ${fmt(o.coldStart.secondRequestMs, 0)} ms.`);
  if (o.coldStart?.perFormat?.length) {
    L.push('', 'First request per output format on that fresh isolate (1080p JPEG → 640 w), then a second one:', '', '| format | first (encode) ms | second (encode) ms |', '| --- | ---: | ---: |');
    for (const f of o.coldStart.perFormat) L.push(`| ${f.format} | ${fmt(f.firstMs, 0)} (${fmt(f.firstEncodeMs, 0)}) | ${fmt(f.warmMs, 0)} (${fmt(f.warmEncodeMs, 0)}) |`);
  }
  L.push('');
  const t = o.tier;
  if (t) {
    if (t.error) L.push(`Variant tier: failed (${t.error.slice(0, 200)})`);
    else {
      L.push(`Variant tier (${t.label}; two \`wrangler dev\` "data centres" with their own Cache API cache and one shared local R2 bucket; ${t.rounds} rounds, medians, end to end):`);
      L.push('');
      L.push('| miss (transform) ms | Cache API hit ms | tier hit, other data centre ms | of which R2 reads ms | transforms per variant |');
      L.push('|---:|---:|---:|---:|---:|');
      L.push(`| ${fmt(t.missMs, 0)} | ${fmt(t.cacheHitMs, 1)} | ${fmt(t.tierHitMs, 1)} | ${fmt(t.tierReadMs, 1)} | ${fmt(t.transformsPerVariant, 2)} (${t.transforms} for ${t.variants} variants, ${t.requests} requests) |`);
      if (t.unexpected.length) L.push(`\nUnexpected outcomes: ${JSON.stringify(t.unexpected).slice(0, 400)}`);
    }
    L.push('');
  }
  L.push(`WASM memory after the run (\`/__thumbflare/memory\`): ${o.memoryAfter?.total !== undefined ? (o.memoryAfter.total / MiB).toFixed(1) + ' MiB' : JSON.stringify(o.memoryAfter)}.`);
  L.push('');
  return L.join('\n');
}

let code = 1;
const hardStop = setTimeout(() => {
  console.error('[bench] hard time limit (15 min) reached; killing children');
  killAll();
  process.exit(2);
}, 15 * 60_000);
hardStop.unref();
try {
  code = await main();
} catch (e) {
  console.error('[bench] failed:', e);
  code = 1;
} finally {
  killAll();
}
process.exit(code);
