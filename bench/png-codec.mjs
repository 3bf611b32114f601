/**
 * PNG decode and encode timings in workerd (Miniflare), this tree against a git
 * ref, interleaved (A B A B ...) in one isolate, medians; pixels and bytes
 * checked identical/lossless on the way. The numbers behind the PNG paragraph
 * of docs/performance.md.
 *
 *   node bench/png-codec.mjs [--ref main] [--rounds 7]
 *
 * Sources: the benchmark's cached zone plate and 2 MP alpha PNGs (bench/out/,
 * written by `npm run bench`; BENCH_OUT=dir to read them elsewhere) and a 12 MP
 * RGB PNG made here by sharp from the cached 12 MP JPEG, as sharp writes it
 * (no filtering) and with adaptive filtering (what most other encoders write).
 * Encode inputs: each decoded source, and the bench's 300 w zone plate output
 * when present (result-zone-300-png-thumbflare.png).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInWorkerd } from './lib/workerd-run.mjs';
import sharp from 'sharp';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const ref = arg('ref', 'main');
const rounds = Number(arg('rounds', 7));
const OUT = process.env.BENCH_OUT ?? path.join(ROOT, 'bench/out');

const sources = {};
const need = (name) => {
  const f = path.join(OUT, name);
  if (!existsSync(f)) throw new Error(`${f} missing: run npm run bench once (or set BENCH_OUT)`);
  return readFileSync(f);
};
sources.zone = need('v1-zoneplate-2000.png');
sources.alpha = need('v1-alpha-2mp.png');
const jpeg12 = need('v1-photo-12mp.jpg');
sources.rgb12 = await sharp(jpeg12).png().toBuffer();
sources.rgb12adaptive = await sharp(jpeg12).png({ adaptiveFiltering: true }).toBuffer();
const zone300 = path.join(OUT, 'result-zone-300-png-thumbflare.png');
if (existsSync(zone300)) sources.zone300 = readFileSync(zone300);

// The ref's codec sources, as they are in git.
const refDir = mkdtempSync(path.join(tmpdir(), 'png-codec-ref-'));
execFileSync('sh', ['-c', `git -C "${ROOT}" archive "${ref}" src | tar -x -C "${refDir}"`]);

const entry = `
import { decodePng as decA } from ${JSON.stringify(path.join(refDir, 'src/codec/png/decode.ts'))};
import { encodePng as encA } from ${JSON.stringify(path.join(refDir, 'src/codec/png/encode.ts'))};
import { decodePng as decB } from ${JSON.stringify(path.join(ROOT, 'src/codec/png/decode.ts'))};
import { encodePng as encB } from ${JSON.stringify(path.join(ROOT, 'src/codec/png/encode.ts'))};
${Object.keys(sources).map((k) => `import ${k} from '${k}.bin';`).join('\n')}
const SRC = { ${Object.keys(sources).map((k) => `${k}: new Uint8Array(${k})`).join(', ')} };
const med = (x) => [...x].sort((a, b) => a - b)[x.length >> 1];
const same = (a, b) => a.length === b.length && a.every((v, i) => v === b[i]);
async function ab(a, b) {
  const ta = [], tb = [];
  await a(); await b();
  for (let r = 0; r < ${rounds}; r++) {
    let s = performance.now(); await a(); ta.push(performance.now() - s);
    s = performance.now(); await b(); tb.push(performance.now() - s);
  }
  return [med(ta), med(tb)];
}
export default { async fetch() {
  const rows = [];
  for (const [name, bytes] of Object.entries(SRC)) {
    const ra = await decA(bytes), rb = await decB(bytes);
    const [da, db] = name === 'zone300' ? [NaN, NaN] : await ab(() => decA(bytes), () => decB(bytes));
    const ea = await encA(ra), eb = await encB(rb);
    const back = await decB(eb);
    const [ta, tb] = await ab(() => encA(ra), () => encB(rb));
    rows.push({ name, size: ra.width + 'x' + ra.height, decodeRef: da, decode: db, samePixels: same(ra.data, rb.data),
      encodeRef: ta, encode: tb, bytesRef: ea.length, bytes: eb.length, lossless: same(back.data, rb.data) });
  }
  return Response.json(rows);
} };`;

try {
  const rows = await runInWorkerd({
    entry, root: ROOT, loader: 'ts', compatibilityFlags: ['nodejs_compat'],
    data: Object.fromEntries(Object.entries(sources).map(([k, b]) => [`${k}.bin`, b])),
  });
  const f = (v) => (v === null || Number.isNaN(v) ? '-' : v.toFixed(0)); // NaN arrives as null (JSON)
  console.log(`PNG codec in workerd, ${ref} (A) vs this tree (B), ${rounds} interleaved rounds, medians (ms)\n`);
  console.log('| source | size | decode A | decode B | encode A | encode B | bytes A | bytes B | same pixels | lossless |');
  console.log('|---|---|---:|---:|---:|---:|---:|---:|---|---|');
  for (const r of rows) {
    console.log(`| ${r.name} | ${r.size} | ${f(r.decodeRef)} | ${f(r.decode)} | ${f(r.encodeRef)} | ${f(r.encode)} | ${r.bytesRef} | ${r.bytes} | ${r.samePixels} | ${r.lossless} |`);
  }
} finally {
  rmSync(refDir, { recursive: true, force: true });
}
