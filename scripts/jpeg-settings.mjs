#!/usr/bin/env node
/**
 * Issue 10 item 5: MozJPEG settings vs sharp's, on the benchmark's 12 MP photo
 * shrunk (by sharp, lanczos3) to 300 w and 1200 w. For each encoder setting:
 * median encode time, bytes, and SSIM against the unencoded resized pixels
 * (bench/lib/metrics.mjs). Runs in Node: the same jSquash MozJPEG WASM the
 * Worker uses (its encoder instance reused across calls, as the Worker does),
 * and sharp with one thread.
 *
 *   node scripts/jpeg-settings.mjs      (MEASURE_N=9 runs per setting)
 *
 * jSquash's MozJPEG glue calls jpeg_set_defaults() under MozJPEG's default
 * JCP_MAX_COMPRESSION profile and exposes no switch for trellis quantisation
 * itself (only trellis_multipass / opt_zero / opt_table / loops): trellis is
 * always on there. The settings below are what it can vary.
 */
import sharp from 'sharp';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import mozjpegFactory from '@jsquash/jpeg/codec/enc/mozjpeg_enc.js';
import { defaultOptions } from '@jsquash/jpeg/meta.js';
import { benchImages } from '../bench/lib/images.mjs';
import { decodeRgb, median, ssim } from '../bench/lib/metrics.mjs';

sharp.concurrency(1);
sharp.cache(false);
const N = Number(process.env.MEASURE_N ?? 9);
const Q = 80;
const wasm = readFileSync(join(import.meta.dirname, '../node_modules/@jsquash/jpeg/codec/enc/mozjpeg_enc.wasm'));
const moz = await mozjpegFactory({ noInitialRun: true, wasmBinary: wasm });

const BASE = { ...defaultOptions, quality: Q, progressive: false, auto_subsample: false, chroma_subsample: 2 };
const OURS = {
  'mozjpeg today (trellis, table 3, optimised Huffman)': BASE,
  'mozjpeg table 0 (Annex K, as libjpeg-turbo)': { ...BASE, quant_table: 0 },
  'mozjpeg table 3, Huffman not optimised': { ...BASE, optimize_coding: false },
  'mozjpeg table 0, Huffman not optimised': { ...BASE, quant_table: 0, optimize_coding: false },
};
const SHARP = {
  'sharp default (libjpeg-turbo-compatible: no trellis, table 0, optimised Huffman)': { chromaSubsampling: '4:2:0', optimiseCoding: true },
  'sharp matched to ours (trellis, table 3, overshoot, optimised Huffman)': { chromaSubsampling: '4:2:0', trellisQuantisation: true, overshootDeringing: true, quantisationTable: 3, optimiseCoding: true },
};

const images = await benchImages();
const src = images['photo-12mp.jpg'].body;
for (const width of [300, 1200]) {
  const { data: rgba, info } = await sharp(src).resize({ width, kernel: 'lanczos3' }).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const { width: w, height: h } = info;
  const ref = await decodeRgb(await sharp(rgba, { raw: { width: w, height: h, channels: 4 } }).png().toBuffer());
  const rows = [];
  const measure = async (label, encode) => {
    let out;
    const ms = [];
    for (let i = -1; i < N; i++) {
      const t = performance.now();
      out = await encode();
      if (i >= 0) ms.push(performance.now() - t);
    }
    const dec = await decodeRgb(Buffer.from(out));
    rows.push({ label, ms: median(ms), bytes: out.length, ssim: ssim(ref.data, dec.data, w, h) });
  };
  for (const [label, opts] of Object.entries(OURS)) await measure(label, () => moz.encode(rgba, w, h, opts).slice());
  for (const [label, opts] of Object.entries(SHARP)) {
    await measure(label, () => sharp(rgba, { raw: { width: w, height: h, channels: 4 } }).jpeg({ quality: Q, ...opts }).toBuffer());
  }
  for (const r of rows) console.log(`MEASURE jpeg ${w}x${h} q${Q} ${r.label}: ${r.ms.toFixed(1)} ms, ${r.bytes} bytes, SSIM ${r.ssim.toFixed(4)}`);
}
