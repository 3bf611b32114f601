/**
 * A/B timing of the still-WebP decoder inside workerd (issue 10 item 4):
 * jSquash's Emscripten libwebp decoder (A: the package's webp_dec.js + .wasm,
 * what codec/webp/decode used before) against our libwebp build
 * (B: codec/webp/libwebp, src/codec/webp/wasm/libwebp-dec.wasm), interleaved
 * ABAB per case, medians, on the bench's 1200x800 WebP (bench/lib/images.mjs),
 * a 2 MP lossy + alpha WebP and a 1200x800 lossless one made from the same
 * generator. Also checks the two decodes are the same pixels.
 *   node bench/webp-decode-ab.mjs [ROUNDS=9]       (REPS=4 decodes per timed sample)
 * C_WASM=path adds a third side C: our binding on another build of the module
 * (e.g. SIMD=0 sh scripts/build-webp-wasm.sh /tmp/scalar, for the scalar figure).
 */
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { runInWorkerd } from './lib/workerd-run.mjs';
import { benchImages, photoRgb } from './lib/images.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const ROUNDS = Number(process.argv[2] ?? 9);
const images = await benchImages();
const raw = (px, w, h, c) => sharp(px, { raw: { width: w, height: h, channels: c } });
const SOURCES = [
  ['bench 1200x800 lossy q90', images['photo-1200x800.webp'].body],
  ['1732x1155 lossy q80 + alpha', await raw(photoRgb(1732, 1155, { seed: 13, alpha: true }), 1732, 1155, 4).webp({ quality: 80 }).toBuffer()],
  ['1200x800 lossless', await raw(photoRgb(1200, 800, { seed: 15 }), 1200, 800, 3).webp({ lossless: true }).toBuffer()],
];
const C = process.env.C_WASM;
const entry = `
import jsquashFactory from '@jsquash/webp/codec/dec/webp_dec.js';
import jsquashModule from 'jsquash.wasm';
import { instantiateEmscripten } from '${ROOT}/src/codec/wasm/emscripten-instance.ts';
import { decodeWebpStill } from '${ROOT}/src/codec/webp/libwebp.ts';
${C ? "import cModule from 'c.wasm';" : ''}
${SOURCES.map((_, i) => `import S${i} from 's${i}.bin';`).join('\n')}
const SRCS = [${SOURCES.map((_, i) => `S${i}`).join(', ')}];
const NAMES = ${JSON.stringify(SOURCES.map(([n]) => n))};
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
globalThis.ImageData ??= class { constructor(data, width, height) { this.data = data; this.width = width; this.height = height; } };
function ours(module) {
  const x = new WebAssembly.Instance(module, {}).exports;
  return (bytes) => {
    const at = x.webp_input(bytes.length);
    new Uint8Array(x.memory.buffer, at, bytes.length).set(bytes);
    if (x.webp_decode(bytes.length) !== 0) throw new Error('C refused');
    const [w, h, p] = new Int32Array(x.memory.buffer, x.webp_info(), 4);
    const data = new Uint8Array(x.memory.buffer, p, w * h * 4).slice();
    x.webp_release();
    return { width: w, height: h, data };
  };
}
export default { async fetch(req) {
  const rounds = Number(new URL(req.url).searchParams.get('rounds'));
  const REPS = Number(new URL(req.url).searchParams.get('reps'));
  const jsq = (await instantiateEmscripten(jsquashFactory, jsquashModule, { noInitialRun: true })).binding;
  const sides = [['A', (b) => jsq.decode(b)], ['B', (b) => decodeWebpStill(b)]];
  ${C ? "sides.push(['C', ours(cModule)]);" : ''}
  const out = [];
  for (const [si, src] of SRCS.entries()) {
    const bytes = new Uint8Array(src);
    const times = Object.fromEntries(sides.map(([s]) => [s, []]));
    const last = {};
    for (let i = 0; i <= rounds; i++) {
      const order = i & 1 ? [...sides].reverse() : sides;
      for (const [s, fn] of order) {
        // workerd's clock has 1 ms steps: time REPS decodes per sample.
        let r;
        const t = performance.now();
        for (let k = 0; k < REPS; k++) r = fn(bytes);
        const ms = (performance.now() - t) / REPS;
        if (i > 0) times[s].push(ms); // round 0 warms up
        last[s] = r;
      }
    }
    const a = new Uint8Array(last.A.data.buffer, last.A.data.byteOffset, last.A.data.byteLength);
    const same = Object.fromEntries(sides.map(([s]) => [s, last[s].data.length === a.length && last[s].data.every((v, j) => v === a[j])]));
    out.push({ name: NAMES[si], size: last.A.width + 'x' + last.A.height, kb: bytes.length / 1024, medians: Object.fromEntries(Object.entries(times).map(([s, t]) => [s, median(t)])), mins: Object.fromEntries(Object.entries(times).map(([s, t]) => [s, Math.min(...t)])), same });
  }
  return Response.json(out);
} };`;
const wasm = { 'jsquash.wasm': join(ROOT, 'node_modules/@jsquash/webp/codec/dec/webp_dec.wasm'), ...(C ? { 'c.wasm': C } : {}) };
const REPS = Number(process.env.REPS ?? 4);
const rows = await runInWorkerd({
  entry, root: ROOT, wasm, url: `http://x/?rounds=${ROUNDS}&reps=${REPS}`,
  data: Object.fromEntries(SOURCES.map(([, body], i) => [`s${i}.bin`, body])),
});
const f = (x, d = 1) => x.toFixed(d);
const sides = Object.keys(rows[0].medians);
console.log(`WebP decode in workerd: A jSquash webp_dec.wasm, B ours (src/codec/webp/wasm)${C ? `, C ${C}` : ''}; ${ROUNDS} interleaved rounds of ${REPS} decodes, median ms per decode (min)`);
console.log(`| source | size | ${sides.map((s) => `${s} ms`).join(' | ')} | B/A |${C ? ' C/A |' : ''} same pixels as A |`);
console.log(`| --- | --- | ${sides.map(() => '---:').join(' | ')} | ---: |${C ? ' ---: |' : ''} --- |`);
for (const r of rows) {
  console.log(`| ${r.name} | ${r.size}, ${f(r.kb, 0)} KB | ${sides.map((s) => `${f(r.medians[s])} (${f(r.mins[s])})`).join(' | ')} | ${f(r.medians.B / r.medians.A, 2)} |${C ? ` ${f(r.medians.C / r.medians.A, 2)} |` : ''} ${sides.filter((s) => s !== 'A').map((s) => `${s}: ${r.same[s]}`).join(', ')} |`);
}
