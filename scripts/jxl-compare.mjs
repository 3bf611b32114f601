#!/usr/bin/env node
/**
 * JPEG XL against AVIF and WebP at equal SSIM (issue 15): should format=auto
 * pick JXL when Accept names it? For a few corpus photos resized with sharp
 * (lanczos3, the unencoded reference), each encoder Thumbflare ships (the same
 * jSquash WASM builds and settings as src/codec/: libwebp method 2, libaom
 * speed 8, libjxl single-threaded at several efforts) sweeps quality; bytes and
 * encode time are then interpolated at the SSIM WebP q80 and AVIF q52 reach
 * (bench/run.mjs's settings). SSIM is bench/lib/metrics.mjs's (luma, 11x11
 * Gaussian). Runs in Node on one core; workerd runs the same WASM at about the
 * same speed. Usage: node scripts/jxl-compare.mjs [--quick]; writes
 * docs/jxl-compare.json and prints a Markdown table.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { ssim } from '../bench/lib/metrics.mjs';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const pkg = (p) => require.resolve(p, { paths: [REPO] });
const quick = process.argv.includes('--quick');

async function emscripten(js, wasm) {
  const factory = (await import(pkg(js))).default;
  return factory({ noInitialRun: true, wasmBinary: readFileSync(pkg(wasm)), print() {}, printErr() {} });
}
globalThis.ImageData ??= class { constructor(data, width, height) { Object.assign(this, { data, width, height }); } };

const webp = await emscripten('@jsquash/webp/codec/enc/webp_enc_simd.js', '@jsquash/webp/codec/enc/webp_enc_simd.wasm');
const avif = await emscripten('@jsquash/avif/codec/enc/avif_enc.js', '@jsquash/avif/codec/enc/avif_enc.wasm');
const jxl = await emscripten('@jsquash/jxl/codec/enc/jxl_enc.js', '@jsquash/jxl/codec/enc/jxl_enc.wasm');
const jxlDec = await emscripten('@jsquash/jxl/codec/dec/jxl_dec.js', '@jsquash/jxl/codec/dec/jxl_dec.wasm');
const { defaultOptions: webpDefaults } = await import(pkg('@jsquash/webp/meta.js'));
const { defaultOptions: avifDefaults } = await import(pkg('@jsquash/avif/meta.js'));
const { defaultOptions: jxlDefaults } = await import(pkg('@jsquash/jxl/meta.js'));

const IMAGES = [
  { name: 'landscape.jpg → 1200 w', file: 'public/samples/landscape.jpg', width: 1200 },
  { name: 'landscape.jpg → 640 w', file: 'public/samples/landscape.jpg', width: 640 },
  { name: 'flower.jpg 480x360', file: '../shared/corpus/jpeg/flower.jpg', width: 480 },
  { name: 'icc_profile_big.jpg 425x250', file: '../shared/corpus/jpeg/icc_profile_big.jpg', width: 425 },
];

const ENCODERS = [
  { id: 'webp m2', qs: [60, 70, 80, 90], enc: (r, q) => webp.encode(r.data, r.width, r.height, { ...webpDefaults, quality: q, method: 2 }) },
  { id: 'avif s8', qs: [35, 45, 52, 60, 70], enc: (r, q) => avif.encode(r.data, r.width, r.height, { ...avifDefaults, quality: q, speed: 8 }) },
  ...[1, 3, 5, ...(quick ? [] : [7])].map((effort) => ({
    id: `jxl e${effort}`, qs: [50, 60, 70, 80, 90], jxl: true,
    enc: (r, q) => jxl.encode(r.data, r.width, r.height, { ...jxlDefaults, quality: q, effort }),
  })),
];

async function decodeToRgba(bytes, isJxl) {
  if (isJxl) {
    const img = jxlDec.decode(bytes);
    return Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength);
  }
  return (await sharp(Buffer.from(bytes)).ensureAlpha().raw().toBuffer());
}

function rgb(rgba) {
  const out = Buffer.alloc((rgba.length / 4) * 3);
  for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) { out[j] = rgba[i]; out[j + 1] = rgba[i + 1]; out[j + 2] = rgba[i + 2]; }
  return out;
}

/** Linear interpolation of `key` at ssim = target over points sorted by ssim; null when out of the sweep. */
function at(points, target, key) {
  const p = [...points].sort((a, b) => a.ssim - b.ssim);
  for (let i = 0; i + 1 < p.length; i++) {
    if (p[i].ssim <= target && target <= p[i + 1].ssim) {
      const t = (target - p[i].ssim) / (p[i + 1].ssim - p[i].ssim || 1);
      return p[i][key] + t * (p[i + 1][key] - p[i][key]);
    }
  }
  return null;
}

const results = [];
for (const im of IMAGES) {
  const { data, info } = await sharp(join(REPO, im.file)).rotate().resize({ width: im.width }).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const raster = { data: new Uint8Array(data), width: info.width, height: info.height };
  const ref = rgb(data);
  const sweeps = {};
  for (const e of ENCODERS) {
    sweeps[e.id] = [];
    for (const q of e.qs) {
      e.enc(raster, q); // warm
      const t = performance.now();
      const out = e.enc(raster, q);
      const ms = performance.now() - t;
      const back = rgb(await decodeToRgba(out, e.jxl));
      sweeps[e.id].push({ q, bytes: out.length, ms, ssim: ssim(back, ref, info.width, info.height) });
    }
    console.error(im.name, e.id, sweeps[e.id].map((s) => `q${s.q} ${s.bytes}B ${s.ssim.toFixed(4)} ${s.ms.toFixed(0)}ms`).join(' | '));
  }
  const targets = {
    'SSIM of WebP q80': sweeps['webp m2'].find((s) => s.q === 80).ssim,
    'SSIM of AVIF q52': sweeps['avif s8'].find((s) => s.q === 52).ssim,
  };
  for (const [label, target] of Object.entries(targets)) {
    const row = { image: im.name, size: `${info.width}x${info.height}`, target: label, ssim: target, formats: {} };
    for (const e of ENCODERS) row.formats[e.id] = { bytes: at(sweeps[e.id], target, 'bytes'), ms: at(sweeps[e.id], target, 'ms') };
    results.push(row);
  }
}

writeFileSync(join(REPO, 'docs/jxl-compare.json'), JSON.stringify({ generated: new Date().toISOString(), results }, null, 2) + '\n');
const ids = ENCODERS.map((e) => e.id);
console.log(`| Image | at SSIM | ${ids.map((i) => `${i} KiB / ms`).join(' | ')} | best |`);
console.log(`|---|---|${ids.map(() => '---').join('|')}|---|`);
for (const r of results) {
  const cells = ids.map((i) => r.formats[i].bytes === null ? 'n/a' : `${(r.formats[i].bytes / 1024).toFixed(1)} / ${r.formats[i].ms.toFixed(0)}`);
  const best = ids.filter((i) => r.formats[i].bytes !== null).sort((a, b) => r.formats[a].bytes - r.formats[b].bytes)[0];
  console.log(`| ${r.image} | ${r.target} (${r.ssim.toFixed(4)}) | ${cells.join(' | ')} | ${best} |`);
}
