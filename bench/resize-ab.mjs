/**
 * A/B timing of the resize step (codec/resize/resize resizeRaster) inside
 * workerd: this worktree's src against a base git ref's (default: the merge
 * base with main), interleaved ABAB per case, medians, on raw rasters decoded
 * from the benchmark sources. Quality: PSNR of each side against the scalar JS
 * reference chain (shrinkByAreaJs + resampleLanczos3Js) and against sharp's
 * lanczos3 of the same raster.
 *   node bench/resize-ab.mjs [ROUNDS=7] [BASE_REF]
 * CASES=a,b picks cases; B_WASM=path swaps B's kernels.wasm (to time a variant).
 */
import { execSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { runInWorkerd } from './lib/workerd-run.mjs';
import { benchImages } from './lib/images.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const ROUNDS = Number(process.argv[2] ?? 7);
const base = process.argv[3] ?? execSync('git merge-base HEAD main', { cwd: ROOT }).toString().trim();
// The benchmark's own sources (bench/lib/images.mjs generates them into bench/out once).
const images = await benchImages();
const srcFile = (n) => images[n].body;

const tmp = mkdtempSync(join(tmpdir(), 'resize-ab-'));
execSync(`git archive ${base} src | tar -x -C ${tmp}`, { cwd: ROOT });

async function rasterOf(file, { width, alpha } = {}) {
  let img = sharp(srcFile(file)).ensureAlpha();
  if (width) img = img.resize(width, null, { kernel: 'lanczos3' });
  const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length), alpha: !!alpha };
}
const photo = await rasterOf('photo-12mp.jpg');
const CASES = [
  ['12mp-3840', photo, 3840, 2880],
  ['12mp-1920', photo, 1920, 1440],
  ['12mp-300', photo, 300, 225],
  ['1500-800', await rasterOf('photo-24mp.jpg', { width: 1500 }), 800, 533],
  ['png2a-400', await rasterOf('alpha-2mp.png', { alpha: true }), 400, 267],
  ['zone-300', await rasterOf('zoneplate-2000.png'), 300, 300],
].filter(([id]) => !process.env.CASES || process.env.CASES.split(',').includes(id));

const sources = new Map();
for (const [, r] of CASES) if (!sources.has(r)) sources.set(r, `s${sources.size}.bin`);
const refs = [];
for (const [id, r, w, h] of CASES) {
  const { data } = await sharp(r.data, { raw: { width: r.width, height: r.height, channels: 4 } })
    .resize(w, h, { kernel: 'lanczos3', fit: 'fill' }).raw().toBuffer({ resolveWithObject: true });
  refs.push([`ref-${id}.bin`, data]);
}

const entry = `
import { resizeRaster as resizeA } from '${tmp}/src/codec/resize/resize.ts';
import { resizeRaster as resizeB, shrinkByAreaJs, chooseBoxSize } from '${ROOT}/src/codec/resize/resize.ts';
import { resampleLanczos3Js } from '${ROOT}/src/codec/resize/resample-js.ts';
${[...sources.values()].map((p, i) => `import S${i} from '${p}';`).join('\n')}
${CASES.map(([id], i) => `import R${i} from 'ref-${id}.bin';`).join('\n')}
const SRCS = [${[...sources.values()].map((_, i) => `S${i}`).join(', ')}];
const CASES = ${JSON.stringify(CASES.map(([id, r, w, h]) => ({ id, w, h, sw: r.width, sh: r.height, alpha: r.alpha, src: [...sources.values()].indexOf(sources.get(r)) })))};
const REFS = [${CASES.map((_, i) => `R${i}`).join(', ')}];
// Colour over black (c * a / 255) and alpha: what a viewer sees, so the colour
// under a transparent pixel (arbitrary) does not count.
function psnr(a, b) {
  let se = 0;
  for (let i = 0; i < a.length; i += 4) {
    for (let c = 0; c < 3; c++) { const d = (a[i + c] * a[i + 3] - b[i + c] * b[i + 3]) / 255; se += d * d; }
    const d = a[i + 3] - b[i + 3]; se += d * d;
  }
  const mse = se / a.length;
  return mse === 0 ? Infinity : 10 * Math.log10(255 * 255 / mse);
}
function jsReference(r, w, h, alpha) {
  const bw = chooseBoxSize(r.width, w), bh = chooseBoxSize(r.height, h);
  let s = r;
  if (bw < r.width || bh < r.height) s = shrinkByAreaJs(r, bw, bh, alpha);
  return s.width === w && s.height === h ? s : resampleLanczos3Js(s, w, h, alpha);
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
export default { async fetch(req) {
  const rounds = Number(new URL(req.url).searchParams.get('rounds'));
  const out = [];
  for (const c of CASES) {
    const r = { width: c.sw, height: c.sh, data: new Uint8Array(SRCS[c.src]) };
    const opts = { hasAlpha: c.alpha };
    const ta = [], tb = [];
    let oa, ob;
    for (let i = 0; i <= rounds; i++) {
      for (const [fn, ts, side] of (i & 1 ? [[resizeB, tb, 'b'], [resizeA, ta, 'a']] : [[resizeA, ta, 'a'], [resizeB, tb, 'b']])) {
        const t = performance.now();
        const o = await fn(r, c.w, c.h, opts);
        const ms = performance.now() - t;
        if (i > 0) ts.push(ms); // round 0 warms up
        if (side === 'a') oa = o; else ob = o;
      }
    }
    const js = jsReference(r, c.w, c.h, c.alpha);
    const ref = new Uint8Array(REFS[CASES.indexOf(c)]);
    let maxDiff = 0, differing = 0;
    for (let i = 0; i < js.data.length; i++) { const d = Math.abs(js.data[i] - ob.data[i]); if (d) differing++; if (d > maxDiff) maxDiff = d; }
    out.push({ id: c.id, size: c.sw + 'x' + c.sh + ' -> ' + c.w + 'x' + c.h, alpha: c.alpha, aMs: median(ta), bMs: median(tb), aMin: Math.min(...ta), bMin: Math.min(...tb), aAll: ta.map(Math.round), bAll: tb.map(Math.round),
      aVsJs: psnr(oa.data, js.data), bVsJs: psnr(ob.data, js.data), bMaxDiffVsJs: maxDiff, bDifferingVsJs: differing / js.data.length,
      aVsSharp: psnr(oa.data, ref), bVsSharp: psnr(ob.data, ref), jsVsSharp: psnr(js.data, ref) });
  }
  return Response.json(out);
} };`;
// B_WASM: time another build of the worktree's kernels as side B.
const B_KERNELS = join(ROOT, 'src/codec/resize/simd/kernels.wasm');
const rows = await runInWorkerd({
  entry, root: ROOT, url: `http://x/?rounds=${ROUNDS}`,
  data: Object.fromEntries([...[...sources].map(([r, path]) => [path, r.data]), ...refs]),
  wasmFile: (path) => (process.env.B_WASM && path === B_KERNELS ? process.env.B_WASM : path),
});
rmSync(tmp, { recursive: true, force: true });
if (!Array.isArray(rows)) { console.log(rows); process.exit(1); }
const f = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : String(x));
console.log(`resize A/B in workerd, base ${base.slice(0, 8)} (A) vs worktree (B), ${ROUNDS} interleaved rounds, medians (min)`);
console.log('| case | A ms (min) | B ms (min) | B/A | PSNR vs JS ref A / B (dB) | B max diff vs JS | B channels differing | PSNR vs sharp A / B / JS ref |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of rows) {
  console.log(`| ${r.size}${r.alpha ? ' RGBA' : ''} | ${f(r.aMs, 0)} (${f(r.aMin, 0)}) | ${f(r.bMs, 0)} (${f(r.bMin, 0)}) | ${f(r.bMs / r.aMs, 2)} | ${f(r.aVsJs)} / ${f(r.bVsJs)} | ${r.bMaxDiffVsJs} | ${f(100 * r.bDifferingVsJs, 2)}% | ${f(r.aVsSharp)} / ${f(r.bVsSharp)} / ${f(r.jsVsSharp)} |`);
}
if (process.env.VERBOSE) console.log(JSON.stringify(rows));
