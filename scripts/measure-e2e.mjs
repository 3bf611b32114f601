#!/usr/bin/env node
/**
 * Short end-to-end measurement for issue 10 (not the benchmark): the Worker
 * under `wrangler dev` fetching a phone-sized JPEG from a loopback origin, with
 * the client's wall time, the Worker's `total` and the sum of its Server-Timing
 * stages per request. Compares prebuilt bundles in ONE run, alternating them
 * request by request, so a busy machine slows both alike.
 *
 *   node scripts/measure-e2e.mjs label=/path/to/bundle-dir [label2=dir2 ...]
 *     (a bundle dir is `wrangler deploy --dry-run --outdir DIR`; "current"
 *      builds one from the working tree)
 *
 * Knobs: MEASURE_N (10 requests per bundle and case), MEASURE_CASES
 * (comma list of ids below).
 * wrangler dev runs without its DevTools inspector, as in the bench (bench/lib/dev-worker.mjs);
 * MEASURE_INSPECTOR=1 runs the CLI with it.
 */
import { benchImages } from '../bench/lib/images.mjs';
import { buildBundle, killAll, snapshotConfig, startOrigin, startWorker } from '../bench/lib/servers.mjs';

const N = Number(process.env.MEASURE_N ?? 10);
const CASES = [
  { id: 'jpeg12-300-jpeg', src: 'photo-12mp.jpg', q: 'width=300&format=jpeg&quality=80' },
  { id: 'jpeg12-1200-webp', src: 'photo-12mp.jpg', q: 'width=1200&format=webp&quality=78' },
  { id: 'jpeg1080-640-jpeg', src: 'photo-1080p.jpg', q: 'width=640&format=jpeg&quality=80' },
];
const only = process.env.MEASURE_CASES?.split(',');
const cases = only ? CASES.filter((c) => only.includes(c.id)) : CASES.slice(0, 1);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
};

function parseTiming(h) {
  const out = {};
  for (const part of (h ?? '').split(',')) {
    const m = /^\s*([\w-]+);dur=([\d.]+)/.exec(part);
    if (m) out[m[1]] = (out[m[1]] ?? 0) + Number(m[2]);
  }
  return out;
}

const images = await benchImages();
const origin = await startOrigin(Object.fromEntries(Object.entries(images).map(([k, v]) => [k, { body: v.body, type: v.type }])));
const bundles = [];
for (const arg of process.argv.slice(2)) {
  const [label, dir0] = arg.split('=');
  const dir = dir0 === 'current' ? (await buildBundle()).outdir : dir0;
  const worker = await startWorker({ config: snapshotConfig(dir), vars: { ORIGIN: origin.url }, inspector: process.env.MEASURE_INSPECTOR === '1' });
  bundles.push({ label, worker });
}

let seq = 0;
for (const c of cases) {
  const rows = Object.fromEntries(bundles.map((b) => [b.label, []]));
  for (let i = -1; i < N; i++) {
    for (const b of i % 2 ? bundles : [...bundles].reverse()) {
      const url = `${b.worker.url}/m${Date.now()}-${seq++}/${c.src}?${c.q}`;
      const t = performance.now();
      const res = await fetch(url);
      await res.arrayBuffer();
      const ms = performance.now() - t;
      if (res.status !== 200) throw new Error(`${b.label} ${res.status} for ${url}`);
      if (i < 0) continue; // warm-up
      const st = parseTiming(res.headers.get('server-timing'));
      const total = st.total;
      delete st.total;
      const sum = Object.values(st).reduce((a, v) => a + v, 0);
      rows[b.label].push({ ms, total, sum, st });
    }
  }
  for (const [label, rs] of Object.entries(rows)) {
    const names = [...new Set(rs.flatMap((r) => Object.keys(r.st)))];
    const stages = names.map((n) => `${n} ${median(rs.map((r) => r.st[n] ?? 0)).toFixed(1)}`).join(', ');
    console.log(
      `MEASURE ${c.id} [${label}] n=${rs.length}: client ${median(rs.map((r) => r.ms)).toFixed(1)} ms, ` +
        `server total ${median(rs.map((r) => r.total ?? NaN)).toFixed(1)} ms, stage sum ${median(rs.map((r) => r.sum)).toFixed(1)} ms | ${stages}`,
    );
  }
}
killAll();
process.exit(0);
