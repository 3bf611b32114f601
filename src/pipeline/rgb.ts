/**
 * @module pipeline/rgb
 * `rgbOffset`: adds a constant to each colour channel, clamped to 0..255. This is
 * Thumbor's `rgb(r,g,b)` and its `brightness(amount)`, which both add
 * 255 * amount / 100 to the channels (thumbor/ext/filters/_rgb.c, _brightness.c)
 * rather than scaling them. Alpha is never touched.
 */
import type { Step } from './step';

export const rgbStep: Step = (r, { options }) => {
  const off = options.rgbOffset;
  if (!off || (off.r === 0 && off.g === 0 && off.b === 0)) return r;
  const luts = [off.r, off.g, off.b].map((delta) => {
    const lut = new Uint8ClampedArray(256);
    for (let v = 0; v < 256; v++) lut[v] = v + delta;
    return lut;
  }) as [Uint8ClampedArray, Uint8ClampedArray, Uint8ClampedArray];
  const d = r.data;
  const out = new Uint8Array(d.length);
  for (let i = 0; i < d.length; i += 4) {
    out[i] = luts[0][d[i]!]!;
    out[i + 1] = luts[1][d[i + 1]!]!;
    out[i + 2] = luts[2][d[i + 2]!]!;
    out[i + 3] = d[i + 3]!;
  }
  return { width: r.width, height: r.height, data: out };
};
