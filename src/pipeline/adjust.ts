/**
 * @module pipeline/adjust
 * `brightness`, `contrast`, `gamma` (1 = unchanged) through one 256-entry lookup
 * table, and `saturation` (0 = grey, 1 = unchanged) by mixing with Rec. 601 luma.
 * Plain JS over the RGBA bytes: cheaper than a round trip through WASM memory.
 * Alpha is never touched.
 */
import type { Step } from './step';

export const adjustStep: Step = (r, { options: o }) => {
  const b = o.brightness ?? 1;
  const c = o.contrast ?? 1;
  const g = o.gamma ?? 1;
  const s = o.saturation ?? 1;
  if (b === 1 && c === 1 && g === 1 && s === 1) return r;
  const lut = new Uint8ClampedArray(256);
  for (let v = 0; v < 256; v++) {
    let x = v * b;
    x = (x - 127.5) * c + 127.5;
    // Cloudflare: gamma 2 lightens, 0.5 darkens.
    x = 255 * Math.pow(Math.min(1, Math.max(0, x / 255)), 1 / g);
    lut[v] = x;
  }
  const out = new Uint8ClampedArray(r.data.length);
  const d = r.data;
  for (let i = 0; i < d.length; i += 4) {
    let R = lut[d[i]!]!;
    let G = lut[d[i + 1]!]!;
    let B = lut[d[i + 2]!]!;
    if (s !== 1) {
      const y = 0.299 * R + 0.587 * G + 0.114 * B;
      R = y + (R - y) * s;
      G = y + (G - y) * s;
      B = y + (B - y) * s;
    }
    out[i] = R;
    out[i + 1] = G;
    out[i + 2] = B;
    out[i + 3] = d[i + 3]!;
  }
  return { width: r.width, height: r.height, data: new Uint8Array(out.buffer) };
};
