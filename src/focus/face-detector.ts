/**
 * @module focus/face-detector
 * face-api.js's TinyFaceDetector, run in plain TypeScript (no TensorFlow.js in the
 * Worker). The network, as face-api.js builds it (src/tinyYolov2/TinyYolov2Base.ts,
 * `runMobilenet` with `isFirstLayerConv2d` and filter sizes 3..512):
 *
 *   conv0 3x3 (valid) 3->16, leaky           maxpool 2x2/2 (fused with conv0)
 *   sep conv 16->32, 32->64, 64->128, 128->256, each followed by maxpool 2x2/2
 *   sep conv 256->512                         maxpool 2x2/1
 *   conv8 1x1 512->25 (5 anchors x [tx, ty, tw, th, objectness])
 *
 * where a "sep conv" is zero-pad 1, 3x3 depthwise, 1x1 pointwise, + bias, leaky
 * (leaky relu with slope 0.1), and TF's 'same' max pooling pads only at the end.
 * The input is the image padded to a square with zeros at the right/bottom,
 * resized to inputSize x inputSize, minus the mean RGB, divided by 255. Boxes
 * decode YOLOv2-style against face-api.js's anchors, then greedy NMS at IoU 0.4.
 * Weights are face-api.js's own (MIT), bundled as uint8 (focus/tiny-face-weights.generated).
 * The convolutions run in a small WebAssembly SIMD module (focus/wasm/tiny-yolo.c,
 * 5.5 KB): in plain JS one 160 px pass took ~40 ms on this machine, 4x the budget
 * for the whole crop; input scaling, conv8 and box decoding stay in JS.
 */
import { LazyInstance } from '../codec/wasm/memory';
import type { Raster } from '../codec/types';
import tinyYoloModule from './wasm/tiny-yolo.wasm';
import { WEIGHT_TENSORS, WEIGHTS_BASE64 } from './tiny-face-weights.generated';

/** A detected face in [0,1] coordinates of the image given to {@link detectFaces}. */
export interface FaceBox {
  x: number;
  y: number;
  width: number;
  height: number;
  score: number;
}

// face-api.js src/tinyFaceDetector/const.ts
const ANCHORS: readonly (readonly [number, number])[] = [
  [1.603231, 2.094468], [6.041143, 7.080126], [2.882459, 3.518061], [4.266906, 5.178857], [9.041765, 10.66308],
];
const MEAN_RGB = [117.001, 114.697, 97.404] as const;
const IOU_THRESHOLD = 0.4;

interface Weights {
  /** Float32 tensors in TF's layouts, keyed by the manifest's names. */
  get(name: string): Float32Array;
}

let weights: Weights | undefined;

/** Dequantises the bundled weights once per isolate (~0.8 MB of Float32). */
function loadWeights(): Weights {
  if (weights) return weights;
  const bin = atob(WEIGHTS_BASE64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  const t = new Map<string, Float32Array>();
  for (const w of WEIGHT_TENSORS) {
    const n = w.shape.reduce((a, b) => a * b, 1);
    const f = new Float32Array(n);
    for (let i = 0; i < n; i++) f[i] = bytes[w.offset + i]! * w.scale + w.min;
    t.set(w.name, f);
  }
  weights = {
    get(name) {
      const v = t.get(name);
      if (!v) throw new Error(`face detector weights lack ${name}`);
      return v;
    },
  };
  return weights;
}

const CHANNELS = [16, 32, 64, 128, 256, 512];

interface Kernels {
  memory: WebAssembly.Memory;
  __heap_base: WebAssembly.Global;
  conv0_pool(inp: number, ih: number, iw: number, w: number, b: number, out: number): void;
  separable(inp: number, h: number, w: number, c: number, dw: number, pw: number, b: number, co: number, out: number, tmp: number): void;
  maxpool(inp: number, h: number, w: number, c: number, stride: number, out: number): void;
}

interface Binding {
  k: Kernels;
  /** Byte offsets of each tensor copied into linear memory. */
  at: Map<string, number>;
  /** First free byte after the weights. */
  free: number;
}

/**
 * The kernels' instance, registered with the codec layer's memory registry
 * ([face-detector]: ~0.9 MB of weights plus ~1 MB of activations at 160 px), so
 * it is counted in the isolate's WASM total and dropped like the codecs.
 */
const kernels = new LazyInstance<Binding>('face-detector', () => {
  // Wrangler hands the .wasm import over compiled; esbuild (the Node benchmark) as bytes.
  const compile = WebAssembly.Module as unknown as new (bytes: Uint8Array) => WebAssembly.Module;
  const mod = tinyYoloModule instanceof WebAssembly.Module ? tinyYoloModule : new compile(tinyYoloModule as unknown as Uint8Array);
  const k = new WebAssembly.Instance(mod, {}).exports as unknown as Kernels;
  const w = loadWeights();
  const at = new Map<string, number>();
  let free = align(Number(k.__heap_base.value));
  const names = ['conv0/filters', 'conv0/bias', ...[1, 2, 3, 4, 5].flatMap((i) => [`conv${i}/depthwise_filter`, `conv${i}/pointwise_filter`, `conv${i}/bias`])];
  const total = names.reduce((n, name) => n + align(w.get(name).byteLength), 0);
  ensure(k.memory, free + total);
  for (const name of names) {
    const t = w.get(name);
    new Float32Array(k.memory.buffer, free, t.length).set(t);
    at.set(name, free);
    free += align(t.byteLength);
  }
  // The Float32 copies now live in linear memory; keep only conv8's (it runs in JS).
  conv8Weights();
  weights = undefined;
  return { binding: { k, at, free }, memory: k.memory };
});

const align = (n: number) => (n + 15) & ~15;

function ensure(memory: WebAssembly.Memory, bytes: number): void {
  const have = memory.buffer.byteLength;
  if (bytes > have) memory.grow(Math.ceil((bytes - have) / 65536));
}

/**
 * The network up to conv8's input: input tensor in, the 512-channel feature map out.
 * Activations ping-pong between two regions after the weights.
 */
function features(x: Tensor): Tensor {
  const { k, at, free } = kernels.get();
  const c0h = Math.ceil((x.h - 2) / 2), c0w = Math.ceil((x.w - 2) / 2);
  // The largest activation is conv1's output (before its pool) or the input itself.
  const largest = Math.max(x.h * x.w * 3, c0h * c0w * 16, c0h * c0w * 32) * 4;
  const a = free, b = align(a + largest), tmp = align(b + largest);
  ensure(k.memory, tmp + 2 * 512 * 4);
  new Float32Array(k.memory.buffer, a, x.data.length).set(x.data);
  k.conv0_pool(a, x.h, x.w, at.get('conv0/filters')!, at.get('conv0/bias')!, b);
  let h = c0h, w = c0w, c = 16;
  let src = b, dst = a;
  for (let i = 1; i <= 5; i++) {
    const co = CHANNELS[i]!;
    k.separable(src, h, w, c, at.get(`conv${i}/depthwise_filter`)!, at.get(`conv${i}/pointwise_filter`)!, at.get(`conv${i}/bias`)!, co, dst, tmp);
    const stride = i < 5 ? 2 : 1;
    k.maxpool(dst, h, w, co, stride, src);
    if (stride === 2) {
      h = Math.ceil(h / 2);
      w = Math.ceil(w / 2);
    }
    c = co;
  }
  return { h, w, c, data: new Float32Array(k.memory.buffer, src, h * w * c).slice() };
}

let conv8: { filters: Float32Array; bias: Float32Array } | undefined;

/** conv8's weights as [out][in], for one dot product per output in JS. */
function conv8Weights() {
  if (conv8) return conv8;
  const f = loadWeights().get('conv8/filters');
  const bias = loadWeights().get('conv8/bias');
  const filters = new Float32Array(f.length);
  for (let i = 0; i < 512; i++) for (let o = 0; o < 25; o++) filters[o * 512 + i] = f[i * 25 + o]!;
  conv8 = { filters, bias };
  return conv8;
}

/** An HWC float tensor. */
interface Tensor {
  h: number;
  w: number;
  c: number;
  data: Float32Array;
}

/**
 * The network input: the image scaled (bilinear, as tf.image.resizeBilinear) so its
 * longer side is `size`, the rest zero (before normalisation, as face-api.js pads).
 */
function toInput(r: Raster, size: number): Tensor {
  const long = Math.max(r.width, r.height);
  const scale = long / size;
  const data = new Float32Array(size * size * 3);
  const { width: w, height: h, data: px } = r;
  const norm = [-MEAN_RGB[0] / 255, -MEAN_RGB[1] / 255, -MEAN_RGB[2] / 255];
  for (let y = 0; y < size; y++) {
    const sy = Math.max(0, (y + 0.5) * scale - 0.5);
    const y0 = Math.floor(sy);
    const fy = sy - y0;
    for (let x = 0; x < size; x++) {
      const o = (y * size + x) * 3;
      const sx = Math.max(0, (x + 0.5) * scale - 0.5);
      const x0 = Math.floor(sx);
      if (x0 >= w || y0 >= h) {
        data[o] = norm[0]!;
        data[o + 1] = norm[1]!;
        data[o + 2] = norm[2]!;
        continue;
      }
      const fx = sx - x0;
      const x1 = Math.min(w - 1, x0 + 1);
      const y1 = Math.min(h - 1, y0 + 1);
      const i00 = (y0 * w + x0) * 4, i01 = (y0 * w + x1) * 4, i10 = (y1 * w + x0) * 4, i11 = (y1 * w + x1) * 4;
      for (let c = 0; c < 3; c++) {
        const top = px[i00 + c]! + (px[i01 + c]! - px[i00 + c]!) * fx;
        const bottom = px[i10 + c]! + (px[i11 + c]! - px[i10 + c]!) * fx;
        data[o + c] = (top + (bottom - top) * fy - MEAN_RGB[c]!) / 255;
      }
    }
  }
  return { h: size, w: size, c: 3, data };
}

/** conv8: 1x1 convolution to the 25 box channels, no activation; `filters` is [out][in]. */
function conv1x1(x: Tensor, filters: Float32Array, bias: Float32Array): Tensor {
  const co = bias.length;
  const out = new Float32Array(x.h * x.w * co);
  for (let i = 0; i < x.h * x.w; i++) {
    const o = i * co;
    for (let k = 0; k < co; k++) {
      let s = bias[k]!;
      for (let ci = 0; ci < x.c; ci++) s += x.data[i * x.c + ci]! * filters[k * x.c + ci]!;
      out[o + k] = s;
    }
  }
  return { h: x.h, w: x.w, c: co, data: out };
}

/**
 * JS bytes one detection holds at its peak, for memory accounting.
 */
export function detectorBytes(inputSize: number): number {
  // conv8's weights and the input tensor; the rest is in the kernels' linear memory (the WASM total).
  return 512 * 25 * 4 + inputSize * inputSize * 3 * 4;
}

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

/**
 * Finds faces in `r`. `inputSize` (a multiple of 32) is the network's square input;
 * face-api.js suggests 128..608, smaller being faster and finding only larger faces.
 */
export function detectFaces(r: Raster, opts: { inputSize?: number; scoreThreshold?: number } = {}): FaceBox[] {
  const size = opts.inputSize ?? 224;
  const threshold = opts.scoreThreshold ?? 0.5;
  if (size % 32 !== 0 || size < 64) throw new RangeError(`inputSize must be a multiple of 32, got ${size}`);
  const c8 = conv8Weights();
  const out = conv1x1(features(toInput(r, size)), c8.filters, c8.bias);

  // The padded square's side in image units: boxes come out relative to it.
  const long = Math.max(r.width, r.height);
  const fx = long / r.width, fy = long / r.height;
  const cells = out.h;
  const found: FaceBox[] = [];
  for (let row = 0; row < cells; row++) {
    for (let col = 0; col < out.w; col++) {
      const base = (row * out.w + col) * out.c;
      for (let a = 0; a < ANCHORS.length; a++) {
        const e = base + a * 5;
        const score = sigmoid(out.data[e + 4]!);
        if (score <= threshold) continue;
        const cx = ((col + sigmoid(out.data[e]!)) / cells) * fx;
        const cy = ((row + sigmoid(out.data[e + 1]!)) / cells) * fy;
        const bw = ((Math.exp(out.data[e + 2]!) * ANCHORS[a]![0]) / cells) * fx;
        const bh = ((Math.exp(out.data[e + 3]!) * ANCHORS[a]![1]) / cells) * fy;
        found.push({ x: cx - bw / 2, y: cy - bh / 2, width: bw, height: bh, score });
      }
    }
  }
  return nonMaxSuppression(found, IOU_THRESHOLD).map(clipToImage).filter((b) => b.width > 0 && b.height > 0);
}

/** Merges detections from several passes (overlapping crops) the way one pass does: greedy NMS. */
export function mergeFaces(boxes: FaceBox[]): FaceBox[] {
  return nonMaxSuppression(boxes, IOU_THRESHOLD);
}

function clipToImage(b: FaceBox): FaceBox {
  const x0 = Math.max(0, b.x), y0 = Math.max(0, b.y);
  const x1 = Math.min(1, b.x + b.width), y1 = Math.min(1, b.y + b.height);
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0, score: b.score };
}

/** Intersection over union of two boxes. */
export function iou(a: { x: number; y: number; width: number; height: number }, b: typeof a): number {
  const ix = Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x));
  const iy = Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));
  const inter = ix * iy;
  const union = a.width * a.height + b.width * b.height - inter;
  return union > 0 ? inter / union : 0;
}

/** Greedy NMS: highest score first, dropping boxes that overlap a kept one by more than `threshold`. */
function nonMaxSuppression(boxes: FaceBox[], threshold: number): FaceBox[] {
  const sorted = [...boxes].sort((a, b) => b.score - a.score || a.x - b.x || a.y - b.y);
  const kept: FaceBox[] = [];
  for (const b of sorted) if (kept.every((k) => iou(k, b) <= threshold)) kept.push(b);
  return kept;
}
