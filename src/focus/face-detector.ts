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
 */
import type { Raster } from '../codec/types';
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

interface SepConv {
  cin: number;
  cout: number;
  depthwise: Float32Array;
  pointwise: Float32Array;
  bias: Float32Array;
}

interface Net {
  conv0: { filters: Float32Array; bias: Float32Array };
  sep: SepConv[];
  conv8: { filters: Float32Array; bias: Float32Array };
}

let net: Net | undefined;

/** Dequantises the bundled weights once per isolate (~0.8 MB of Float32). */
function loadNet(): Net {
  if (net) return net;
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
  const get = (name: string) => {
    const v = t.get(name);
    if (!v) throw new Error(`face detector weights lack ${name}`);
    return v;
  };
  const sizes = [16, 32, 64, 128, 256, 512];
  // TF stores 1x1 and 3x3 filters as [..., in, out]; the loops want [out][...in] (one dot product per output).
  const transpose = (f: Float32Array, inner: number, outs: number) => {
    const t = new Float32Array(f.length);
    for (let i = 0; i < inner; i++) for (let o = 0; o < outs; o++) t[o * inner + i] = f[i * outs + o]!;
    return t;
  };
  net = {
    conv0: { filters: get('conv0/filters'), bias: get('conv0/bias') },
    sep: [1, 2, 3, 4, 5].map((i) => ({
      cin: sizes[i - 1]!, cout: sizes[i]!,
      depthwise: get(`conv${i}/depthwise_filter`), pointwise: transpose(get(`conv${i}/pointwise_filter`), sizes[i - 1]!, sizes[i]!), bias: get(`conv${i}/bias`),
    })),
    conv8: { filters: transpose(get('conv8/filters'), 512, 25), bias: get('conv8/bias') },
  };
  return net;
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

/**
 * conv0 and the max pool after it, fused: a full 3x3 convolution without padding
 * ('valid'), leaky, then 2x2/2 max pooling ('same': a last odd row/column pools
 * alone), written straight to the pooled output, so the full-resolution 16-channel
 * tensor (1.6 MB at 160 px) never exists. Leaky is monotonic, so max-then-leaky
 * equals leaky-then-max. `filters` is TF's [ky][kx][in][out]. The 16 outputs are
 * spelled out as locals: this layer does a third of the network's multiplies, and
 * V8 keeps locals in registers where a typed-array accumulator is a load and a
 * store per multiply (measured: 37 -> ~12 ms at 160 px).
 */
function conv0Pooled(x: Tensor, filters: Float32Array, bias: Float32Array): Tensor {
  if (bias.length !== 16) throw new Error('conv0 must have 16 outputs');
  const ch = x.h - 2, cw = x.w - 2;
  const oh = Math.ceil(ch / 2), ow = Math.ceil(cw / 2);
  const out = new Float32Array(oh * ow * 16);
  const src = x.data;
  const rowStride = x.w * 3;
  for (let py = 0; py < oh; py++) {
    for (let px = 0; px < ow; px++) {
      let m0 = -Infinity, m1 = -Infinity, m2 = -Infinity, m3 = -Infinity, m4 = -Infinity, m5 = -Infinity, m6 = -Infinity, m7 = -Infinity, m8 = -Infinity, m9 = -Infinity, m10 = -Infinity, m11 = -Infinity, m12 = -Infinity, m13 = -Infinity, m14 = -Infinity, m15 = -Infinity;
      for (let y = 2 * py; y < Math.min(ch, 2 * py + 2); y++) {
        for (let xx = 2 * px; xx < Math.min(cw, 2 * px + 2); xx++) {
          let s0 = bias[0]!, s1 = bias[1]!, s2 = bias[2]!, s3 = bias[3]!, s4 = bias[4]!, s5 = bias[5]!, s6 = bias[6]!, s7 = bias[7]!, s8 = bias[8]!, s9 = bias[9]!, s10 = bias[10]!, s11 = bias[11]!, s12 = bias[12]!, s13 = bias[13]!, s14 = bias[14]!, s15 = bias[15]!;
          for (let ky = 0; ky < 3; ky++) {
            const p = (y + ky) * rowStride + xx * 3;
            for (let j = 0; j < 9; j++) {
              const v = src[p + j]!;
              const f = (ky * 9 + j) * 16;
              s0 += v * filters[f + 0]!;
              s1 += v * filters[f + 1]!;
              s2 += v * filters[f + 2]!;
              s3 += v * filters[f + 3]!;
              s4 += v * filters[f + 4]!;
              s5 += v * filters[f + 5]!;
              s6 += v * filters[f + 6]!;
              s7 += v * filters[f + 7]!;
              s8 += v * filters[f + 8]!;
              s9 += v * filters[f + 9]!;
              s10 += v * filters[f + 10]!;
              s11 += v * filters[f + 11]!;
              s12 += v * filters[f + 12]!;
              s13 += v * filters[f + 13]!;
              s14 += v * filters[f + 14]!;
              s15 += v * filters[f + 15]!;
            }
          }
          if (s0 > m0) m0 = s0;
          if (s1 > m1) m1 = s1;
          if (s2 > m2) m2 = s2;
          if (s3 > m3) m3 = s3;
          if (s4 > m4) m4 = s4;
          if (s5 > m5) m5 = s5;
          if (s6 > m6) m6 = s6;
          if (s7 > m7) m7 = s7;
          if (s8 > m8) m8 = s8;
          if (s9 > m9) m9 = s9;
          if (s10 > m10) m10 = s10;
          if (s11 > m11) m11 = s11;
          if (s12 > m12) m12 = s12;
          if (s13 > m13) m13 = s13;
          if (s14 > m14) m14 = s14;
          if (s15 > m15) m15 = s15;
        }
      }
      const base = (py * ow + px) * 16;
      out[base + 0] = m0 > 0 ? m0 : 0.1 * m0;
      out[base + 1] = m1 > 0 ? m1 : 0.1 * m1;
      out[base + 2] = m2 > 0 ? m2 : 0.1 * m2;
      out[base + 3] = m3 > 0 ? m3 : 0.1 * m3;
      out[base + 4] = m4 > 0 ? m4 : 0.1 * m4;
      out[base + 5] = m5 > 0 ? m5 : 0.1 * m5;
      out[base + 6] = m6 > 0 ? m6 : 0.1 * m6;
      out[base + 7] = m7 > 0 ? m7 : 0.1 * m7;
      out[base + 8] = m8 > 0 ? m8 : 0.1 * m8;
      out[base + 9] = m9 > 0 ? m9 : 0.1 * m9;
      out[base + 10] = m10 > 0 ? m10 : 0.1 * m10;
      out[base + 11] = m11 > 0 ? m11 : 0.1 * m11;
      out[base + 12] = m12 > 0 ? m12 : 0.1 * m12;
      out[base + 13] = m13 > 0 ? m13 : 0.1 * m13;
      out[base + 14] = m14 > 0 ? m14 : 0.1 * m14;
      out[base + 15] = m15 > 0 ? m15 : 0.1 * m15;
    }
  }
  return { h: oh, w: ow, c: 16, data: out };
}

/** Zero-pad 1, depthwise 3x3, pointwise 1x1, + bias, leaky (face-api.js depthwiseSeparableConv). */
function separable(x: Tensor, p: SepConv): Tensor {
  const { h, w, c } = x;
  const co = p.cout;
  const out = new Float32Array(h * w * co);
  const dw = new Float32Array(c);
  const { depthwise, pointwise, bias } = p;
  const src = x.data;
  for (let y = 0; y < h; y++) {
    for (let xx = 0; xx < w; xx++) {
      dw.fill(0);
      for (let ky = 0; ky < 3; ky++) {
        const sy = y + ky - 1;
        if (sy < 0 || sy >= h) continue;
        for (let kx = 0; kx < 3; kx++) {
          const sx = xx + kx - 1;
          if (sx < 0 || sx >= w) continue;
          const sp = (sy * w + sx) * c;
          const f = (ky * 3 + kx) * c;
          for (let ci = 0; ci < c; ci++) dw[ci]! += src[sp + ci]! * depthwise[f + ci]!;
        }
      }
      // Pointwise with [out][in] weights: each output is one dot product held in registers.
      const base = (y * w + xx) * co;
      for (let o = 0; o < co; o++) {
        const f = o * c;
        let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (let ci = 0; ci < c; ci += 4) {
          s0 += dw[ci]! * pointwise[f + ci]!;
          s1 += dw[ci + 1]! * pointwise[f + ci + 1]!;
          s2 += dw[ci + 2]! * pointwise[f + ci + 2]!;
          s3 += dw[ci + 3]! * pointwise[f + ci + 3]!;
        }
        const v = bias[o]! + s0 + s1 + s2 + s3;
        out[base + o] = v > 0 ? v : 0.1 * v;
      }
    }
  }
  return { h, w, c: co, data: out };
}

/** 2x2 max pooling with TF's 'same' padding (extra row/column at the end only). */
function maxPool(x: Tensor, stride: 1 | 2): Tensor {
  const oh = stride === 2 ? Math.ceil(x.h / 2) : x.h;
  const ow = stride === 2 ? Math.ceil(x.w / 2) : x.w;
  const { c, w, h, data } = x;
  const out = new Float32Array(oh * ow * c);
  for (let y = 0; y < oh; y++) {
    const y0 = y * stride, y1 = Math.min(h - 1, y0 + 1);
    for (let xx = 0; xx < ow; xx++) {
      const x0 = xx * stride, x1 = Math.min(w - 1, x0 + 1);
      const a = (y0 * w + x0) * c, b = (y0 * w + x1) * c, d = (y1 * w + x0) * c, e = (y1 * w + x1) * c;
      const o = (y * ow + xx) * c;
      for (let ci = 0; ci < c; ci++) {
        out[o + ci] = Math.max(data[a + ci]!, data[b + ci]!, data[d + ci]!, data[e + ci]!);
      }
    }
  }
  return { h: oh, w: ow, c, data: out };
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
 * JS bytes one detection holds at its peak, for memory accounting: the weights
 * (kept per isolate after first use) plus the largest layer's input and output.
 */
export function detectorBytes(inputSize: number): number {
  const weights = 193_321 * 5; // the uint8 bytes plus their Float32 copy
  const input = inputSize * inputSize * 3 * 4;
  const conv0Out = Math.ceil((inputSize - 2) / 2) ** 2 * 16 * 4;
  return weights + input + conv0Out;
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
  const n = loadNet();
  let x = toInput(r, size);
  x = conv0Pooled(x, n.conv0.filters, n.conv0.bias);
  n.sep.forEach((layer, i) => {
    x = maxPool(separable(x, layer), i < 4 ? 2 : 1);
  });
  const out = conv1x1(x, n.conv8.filters, n.conv8.bias);

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
