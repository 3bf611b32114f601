/**
 * @module codec/wasm/peak-memory
 * The one estimate of a transform's peak memory, from the plan and the probe,
 * before any pixel is touched. Every path (implicit format, format=auto, an
 * explicit format and its fallbacks, the JSON form) asks this function; the
 * admission rule that acts on it is in `limits.ts`.
 *
 * The model walks the stages in the order `transform.ts` runs them and sums, at
 * each one, what is live in the isolate: the source bytes (held to the end), the
 * WASM instances still alive (linear memory only grows; between stages
 * `trimCodecs` drops instances past RECYCLE_WASM_BYTES and keeps at most
 * IDLE_WASM_BYTES), the stage's own WASM working set and the JS pixel buffers it
 * holds (its input and output, and any intermediate). The peak is the largest
 * stage. Coefficients are upper bounds of what `test/limits/output-memory.test.ts`
 * and `test/limits/memory.test.ts` measure in workerd (that table asserts the
 * estimate is never below the measured peak); the per-encoder ones are in
 * `codec/wasm/capacity.ts`.
 */
import type { Probe } from '../../probe';
import type { TransformPlan } from '../../plan';
import type { TransformOptions } from '../../options/types';
import { encoderWorkingSet } from './capacity';
import type { DecodeHint, OutputFormat } from '../types';
import { chooseBoxSize } from '../resize/resize';
import { svgRenderSize } from '../svg/decode';

const MiB = 1024 * 1024;
const RGBA = 4;

export interface PeakJob {
  probe: Probe;
  sourceBytes: number;
  plan: TransformPlan;
  hint: DecodeHint;
  options: Pick<TransformOptions, 'rotate' | 'flip' | 'blur' | 'sharpen' | 'brightness' | 'contrast' | 'gamma' | 'saturation' | 'padFill' | 'pixelate'>;
  format: OutputFormat;
  /** False only when the header says the source is opaque; JPEG output then needs no flatten copy. */
  mayHaveAlpha: boolean;
}

/** The isolate's WASM state the job starts from, and the trim policy between stages. */
export interface WasmState {
  /** Linear memory of the codec instances alive before the job starts. */
  residentBytes: number;
  recycleBytes: number;
  idleBytes: number;
  /** The job drops every codec instance between stages (`trimCodecs(0, 0)`), so nothing carries over. */
  dropBetweenStages?: boolean;
}

export interface PeakEstimate {
  /** Bytes live at the worst stage. */
  bytes: number;
  /** Which stage that is, for messages and debugging. */
  stage: string;
}

/**
 * Size the decoder will produce for this hint, in stored orientation:
 * libjpeg-turbo scales Huffman JPEGs, baseline and progressive, by eighths
 * (never below the hint; codec/jpeg/decode chooseJpegScale); the arithmetic build and
 * every other decoder produce the stored size.
 */
export function decodedSize(probe: Probe, hint: DecodeHint): { width: number; height: number } {
  // SVG renders at the hinted size, enlargements included (codec/svg/decode).
  if (probe.format === 'svg') return svgRenderSize(probe, hint);
  const scalable = probe.format === 'jpeg' && !!probe.jpeg && !probe.jpeg.arithmetic;
  if (!scalable || !hint.minWidth || !hint.minHeight) return { width: probe.width, height: probe.height };
  for (let m = 1; m < 8; m++) {
    const width = Math.ceil((probe.width * m) / 8);
    const height = Math.ceil((probe.height * m) / 8);
    if (width >= hint.minWidth && height >= hint.minHeight) return { width, height };
  }
  return { width: probe.width, height: probe.height };
}

/** WASM bytes the decoder instance grows to (its input copy, its own buffers and its output). */
function decoderWasm(probe: Probe, decodedPixels: number, sourceBytes: number): number {
  const stored = probe.width * probe.height;
  switch (probe.format) {
    case 'jpeg':
      // Arithmetic (codec/jpeg/arith, another build): input copy, every coefficient, full-size output.
      if (probe.jpeg?.arithmetic) {
        const perPixel = probe.jpeg.components === 3 ? 3.5 : 2 * probe.jpeg.components;
        return 2 * MiB + sourceBytes + perPixel * stored + RGBA * decodedPixels;
      }
      // Ours (codec/jpeg/turbo): the file streams in and 16-row strips stream out to
      // the JS raster, so baseline holds only libjpeg's state (measured 1.0 MiB for a
      // 12 MP photo at every scale, full size included). Progressive: every
      // coefficient, 2 bytes per sample at full size (3 bytes/pixel at 4:2:0, the
      // 3.5 measured for colour photos kept as the bound; grey 2, CMYK 8).
      if (probe.jpeg?.progressive) {
        const perPixel = probe.jpeg.components === 3 ? 3.5 : 2 * probe.jpeg.components;
        return 2 * MiB + perPixel * stored;
      }
      return 2 * MiB;
    case 'png':
      return 0; // our decoder over native inflate; its SIMD row kernels (~130 KB) fit pngInflate's 2 MiB below
    case 'gif':
      return 4 * MiB + sourceBytes + 12 * stored; // Photon: frame buffers plus the RGBA copy
    case 'webp':
      return probe.animated ? 4 * MiB + sourceBytes + 12 * stored : 16 * MiB + sourceBytes + 2 * RGBA * stored;
    case 'avif':
      return 16 * MiB + sourceBytes + 3 * RGBA * stored; // dav1d's YUV planes and libavif's RGBA
    case 'svg':
      // resvg: its pixmap at the render size and a second raster-sized buffer (measured ~8 bytes per
      // rendered pixel: 38.5 MiB at 2200x2200), plus the parsed tree (test/limits/svg-jxl-memory.test.ts).
      return SVG_BASE_WASM + SVG_TREE_PER_SOURCE_BYTE * sourceBytes + 2 * RGBA * decodedPixels;
    case 'heic':
      return heicDecoderWasm(probe, sourceBytes);
    case 'tiff':
      return 0; // UTIF: JS only (tiffDecodeJs)
  }
}

/** resvg's idle linear memory and the parsed tree's bytes per source byte (upper bounds of the measured). */
const SVG_BASE_WASM = 4 * MiB;
const SVG_TREE_PER_SOURCE_BYTE = 40;

/**
 * libheif + libde265 (codec/heic): the input copy, libde265's decoded picture
 * buffer (YUV planes of the coded image, or of each grid tile, 2 bytes per
 * sample above 8 bits), the assembled YUV image for a grid, and the RGBA
 * conversion, all in WASM. Coefficients from test/limits/memory.test.ts.
 */
function heicDecoderWasm(probe: Probe, sourceBytes: number): number {
  const h = probe.heic;
  // Tile by tile: one tile's YUV and RGBA (iPhone tiles are 512x512) and libde265's state.
  if (h?.byTile) return 16 * MiB + 2 * sourceBytes + HEIC_TILE_BYTES;
  const coded = h ? h.codedWidth * h.codedHeight : probe.width * probe.height;
  const sampleBytes = h && h.bitDepth > 8 ? 2 : 1;
  return 16 * MiB + 2 * sourceBytes + coded * (HEIC_BYTES_PER_PIXEL + 3 * sampleBytes);
}
const HEIC_BYTES_PER_PIXEL = 8;
const HEIC_TILE_BYTES = 8 * MiB;

/**
 * JS bytes a TIFF decode holds beside its RGBA raster (codec/tiff/decode): a
 * copy of the source when it is a view, UTIF's decompressed samples for the
 * page, and for Deflate our inflated strips and their concatenation (codec/tiff/decode).
 */
function tiffDecodeJs(probe: Probe, sourceBytes: number): number {
  if (probe.format !== 'tiff') return 0;
  const t = probe.tiff;
  const bytesPerSample = t && t.bitsPerSample > 8 ? 2 : 1;
  const samples = probe.width * probe.height * (t?.samples ?? 4) * bytesPerSample;
  const deflate = t?.compression === 8 || t?.compression === 32946;
  return sourceBytes + (deflate ? 3 : 2) * samples + 2 * MiB;
}

/** What survives a `trimCodecs(recycle, idle)`: instances past recycle go, then the total is capped. */
function afterTrim(live: number[], w: WasmState): number {
  if (w.dropBetweenStages) return 0;
  return Math.min(w.idleBytes, live.filter((b) => b <= w.recycleBytes).reduce((a, b) => a + b, 0));
}

/**
 * The peak bytes the transform will hold, stage by stage. `plan`'s geometry is
 * in displayed, full-resolution pixels; the decoder may shrink on load, so the
 * crop and the steps before resize are scaled to the decoded raster.
 */
export function estimatePeakBytes(job: PeakJob, w: WasmState): PeakEstimate {
  const { probe, plan, options } = job;
  const S = job.sourceBytes;
  const dec = decodedSize(probe, job.hint);
  const D = dec.width * dec.height;
  const stages: [string, number][] = [];

  // Decode: the decoder's WASM (JS inflate buffers for PNG: the compressed data and two rows) plus the JS raster.
  const decWasm = decoderWasm(probe, D, S);
  const pngInflate = probe.format === 'png' ? S + 2 * MiB : 0;
  stages.push(['decode', w.residentBytes + decWasm + pngInflate + tiffDecodeJs(probe, S) + RGBA * D]);
  const resident = [w.residentBytes, decWasm];
  let carry = afterTrim(resident, w);

  // Pipeline: each step's JS pixel buffers (its input and its output), plus the
  // WASM instances steps grew (resampler, Photon), which stay live until the
  // trim after the last step.
  const pipeline: number[] = [];
  let pipelineWasm = 0;
  let cur = D * RGBA;
  if (probe.orientation !== 1) pipeline.push(cur * 2);
  const fx = dec.width / (probe.orientation >= 5 ? probe.displayHeight : probe.displayWidth);
  const fy = dec.height / (probe.orientation >= 5 ? probe.displayWidth : probe.displayHeight);
  const cropW = Math.min(dec.width, Math.ceil(plan.crop.width * fx) + 1);
  const cropH = Math.min(dec.height, Math.ceil(plan.crop.height * fy) + 1);
  if (cropW * cropH < D) {
    pipeline.push(cur + cropW * cropH * RGBA);
    cur = cropW * cropH * RGBA;
  }
  const { width: rw, height: rh } = plan.resize;
  const R = rw * rh * RGBA;
  pipeline.push(resizeJsBytes(cur, cropW, cropH, rw, rh));
  const resizeWasm = resizeWasmBytes(cropW, cropH, rw, rh);
  resident.push(resizeWasm);
  pipelineWasm += resizeWasm;
  cur = R;
  const rotations = (options.rotate ? 1 : 0) + (options.flip ? 1 : 0);
  if (rotations) pipeline.push(cur * (1 + rotations));
  if (options.brightness !== undefined || options.contrast !== undefined || options.gamma !== undefined || options.saturation !== undefined) pipeline.push(cur * 2);
  // Photon filters: a WASM copy in, the image, its working buffers and a copy out
  // (measured: ~6x the raster for blur then sharpen, one instance), beside the JS input and output.
  if (options.blur || options.sharpen) {
    const photon = 6 * cur + 4 * MiB;
    pipeline.push(cur * 2);
    resident.push(photon);
    pipelineWasm += photon;
  }
  // Pixelate writes a new raster beside its input.
  if (options.pixelate) pipeline.push(cur * 2);
  const O = plan.output.width * plan.output.height * RGBA;
  // The pad canvas (fit=pad, or imgproxy's extend/padding canvas) beside the image placed on it.
  if (plan.pad || plan.canvas) {
    pipeline.push(cur + O);
  }
  // Thumbor's fill(blur): the image stretched over the whole canvas and blurred by Photon there.
  if (plan.pad && options.padFill === 'blur') {
    const photon = 6 * O + 4 * MiB;
    pipeline.push(cur + 2 * O);
    resident.push(photon);
    pipelineWasm += photon;
  }
  // Cloudflare's border: a canvas of the output's size beside the image placed on it (pipeline/border.ts).
  if (plan.border) pipeline.push(cur + O);
  cur = O;
  // A translucent border colour makes an opaque source need the flatten copy too.
  if (job.format === 'jpeg' && (job.mayHaveAlpha || plan.border)) pipeline.push(cur * 2);
  stages.push(['pipeline', carry + pipelineWasm + Math.max(0, ...pipeline)]);
  carry = afterTrim(resident, w);

  // Encode: the output raster plus the encoder's working set (WASM or JS) and the encoded bytes.
  stages.push([`encode ${job.format}`, carry + O + encoderWorkingSet(job.format, plan.output.width, plan.output.height, job.mayHaveAlpha)]);

  let worst = stages[0]!;
  for (const s of stages) if (s[1] > worst[1]) worst = s;
  return { bytes: S + worst[1], stage: worst[0] };
}

/**
 * JS bytes the resize step holds at once (codec/resize/resize): its input, the box
 * pre-shrink's intermediate when the factor is 2 or more, and its output.
 */
function resizeJsBytes(input: number, w: number, h: number, rw: number, rh: number): number {
  const bw = chooseBoxSize(w, rw);
  const bh = chooseBoxSize(h, rh);
  const box = bw < w || bh < h ? bw * bh * RGBA : 0;
  return input + box + rw * rh * RGBA;
}

/**
 * WASM bytes of the resize stages: the SIMD kernels (codec/resize/simd/resample-simd)
 * stream rows through one small linear memory (a source row in two layouts, a
 * ring of filtered rows as tall as the vertical taps, the accumulator, the
 * horizontal taps), never the image. The instance lives for one call. 0 when
 * enlarging (the JS interpolator) or when nothing is resized.
 */
function resizeWasmBytes(w: number, h: number, rw: number, rh: number): number {
  const bw = chooseBoxSize(w, rw);
  const bh = chooseBoxSize(h, rh);
  if (rw >= bw && rh >= bh) return 0; // enlarging: libvips-style JS interpolator
  if (rw === bw && rh === bh && bw === w && bh === h) return 0;
  // The larger of the box stage (footprints of w/bw source pixels) and Lanczos3 (6 lobes per output pixel).
  const stage = (inW: number, outW: number, scaleX: number, scaleY: number) => {
    const tapsX = Math.ceil(6 * Math.max(1, scaleX)) + 2;
    const tapsY = Math.ceil(6 * Math.max(1, scaleY)) + 2;
    return inW * 20 + outW * (28 + 4 * tapsX) + (tapsY + 1) * outW * 16;
  };
  const box = bw < w || bh < h ? stage(w, bw, w / bw, h / bh) : 0;
  const lanczos = stage(bw, rw, bw / rw, bh / rh);
  return Math.max(box, lanczos) + MiB;
}

/**
 * The frame-by-frame path (src/animation.ts): the peak while one frame is in
 * flight, which is the same for every frame. Beside the source bytes it holds:
 *  - the reader's compositing state: the canvas, and a copy of a frame's
 *    rectangle (GIF disposal 3) or one decoded frame (WebP, whose libwebp
 *    decoder instance stays alive through the loop);
 *  - one frame's still job on a copy of the canvas: `estimatePeakBytes` for an
 *    already-decoded canvas-sized raster, with no instance trimmed between
 *    stages (the loop keeps its resampler and encoder warm), plus the encoder's
 *    working set carried into the next frame;
 *  - the encoded frames so far, up to all of them, and their copy into the file
 *    at the end: bounded at 1.5 bytes per output pixel (LZW's 12-bit codes at
 *    worst; lossy WebP of photos stays well under), GIF's growing stream 2x more.
 */
export function estimateAnimationPeakBytes(job: PeakJob & { frames: number }, w: WasmState): PeakEstimate {
  const { probe, plan } = job;
  const canvas = probe.width * probe.height;
  const decoder = probe.format === 'webp' ? 16 * MiB + job.sourceBytes + 2 * RGBA * canvas : 0;
  const reader = 2 * RGBA * canvas + (probe.format === 'gif' ? canvas : 0);
  const frame = estimatePeakBytes(
    { ...job, probe: { ...probe, format: 'png', animated: false, frames: 1 }, sourceBytes: 0, hint: {} },
    { residentBytes: 0, recycleBytes: Infinity, idleBytes: Infinity },
  );
  const carriedEncoder = job.format === 'webp' ? encoderWorkingSet('webp', plan.output.width, plan.output.height) : 0;
  const outputPixels = plan.output.width * plan.output.height * job.frames;
  const output = 1.5 * outputPixels * (job.format === 'gif' ? 3 : 2);
  return { bytes: job.sourceBytes + w.residentBytes + decoder + reader + frame.bytes + carriedEncoder + output, stage: `animation ${job.format} (${frame.stage})` };
}
