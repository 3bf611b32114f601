#!/usr/bin/env node
/**
 * Issue 10 item 3, measuring only: a fresh `wrangler dev` isolate's first
 * request, then the first request for each further output format, against the
 * warm figure (median of MEASURE_N more), from the client's wall time and the
 * Worker's Server-Timing (total, decode, encode).
 *
 *   node scripts/measure-cold.mjs /path/to/bundle-dir   (or "current")
 * wrangler dev runs without its DevTools inspector, as in the bench (bench/lib/dev-worker.mjs);
 * MEASURE_INSPECTOR=1 runs the CLI with it.
 */
import { benchImages } from '../bench/lib/images.mjs';
import { buildBundle, killAll, snapshotConfig, startOrigin, startWorker } from '../bench/lib/servers.mjs';

const N = Number(process.env.MEASURE_N ?? 5);
const STEPS = [
  { id: '12 MP JPEG -> 300 w JPEG', src: 'photo-12mp.jpg', q: 'width=300&format=jpeg&quality=80' },
  { id: '12 MP JPEG -> 1200 w WebP', src: 'photo-12mp.jpg', q: 'width=1200&format=webp&quality=78' },
  { id: '1080p JPEG -> 640 w AVIF', src: 'photo-1080p.jpg', q: 'width=640&format=avif&quality=52' },
  { id: '1080p JPEG -> 640 w PNG', src: 'photo-1080p.jpg', q: 'width=640&format=png' },
];
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const stage = (h, name) => Number(new RegExp(`(?:^|, )${name};dur=([\\d.]+)`).exec(h ?? '')?.[1] ?? NaN);

const images = await benchImages();
const origin = await startOrigin(Object.fromEntries(Object.entries(images).map(([k, v]) => [k, { body: v.body, type: v.type }])));
const dir = process.argv[2] === 'current' ? (await buildBundle()).outdir : process.argv[2];
// No probe request: the isolate has served nothing before the first measured request.
const worker = await startWorker({ config: snapshotConfig(dir), vars: { ORIGIN: origin.url }, probe: false, inspector: process.env.MEASURE_INSPECTOR === '1' });
let seq = 0;
const get = async (s) => {
  const t = performance.now();
  const res = await fetch(`${worker.url}/c${Date.now()}-${seq++}/${s.src}?${s.q}`);
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`${res.status} for ${s.id}`);
  const h = res.headers.get('server-timing');
  return { client: performance.now() - t, total: stage(h, 'total'), decode: stage(h, 'decode'), encode: stage(h, 'encode') };
};
const fmt = (r) => `client ${r.client.toFixed(0)} ms, total ${r.total.toFixed(0)}, decode ${r.decode.toFixed(0)}, encode ${r.encode.toFixed(0)}`;
for (const [i, s] of STEPS.entries()) {
  const first = await get(s);
  const warm = [];
  for (let k = 0; k < N; k++) warm.push(await get(s));
  const w = { client: median(warm.map((r) => r.client)), total: median(warm.map((r) => r.total)), decode: median(warm.map((r) => r.decode)), encode: median(warm.map((r) => r.encode)) };
  console.log(`MEASURE ${i === 0 ? 'cold isolate, first request' : 'first request for this format'} ${s.id}: ${fmt(first)} | warm median of ${N}: ${fmt(w)} | first/warm total ${(first.total / w.total).toFixed(2)}x`);
}
killAll();
process.exit(0);
