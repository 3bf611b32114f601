/**
 * @module pipeline/pixelate
 * imgproxy's `pixelate:%size` (docs.imgproxy.net/usage/processing#pixelate): the
 * resized image in blocks of size x size output pixels (times dpr, as imgproxy
 * scales it), each the mean of its pixels. Blocks start at the top-left corner;
 * the last row and column of blocks may be narrower. No-op when absent or 1.
 */
import type { Step } from './step';

export const pixelateStep: Step = (r, { options }) => {
  const size = Math.round((options.pixelate ?? 0) * options.dpr);
  if (size <= 1) return r;
  const { width, height, data } = r;
  const out = new Uint8Array(data.length);
  for (let by = 0; by < height; by += size) {
    const bh = Math.min(size, height - by);
    for (let bx = 0; bx < width; bx += size) {
      const bw = Math.min(size, width - bx);
      // Mean in premultiplied terms so transparent pixels do not darken the block's colour.
      let sr = 0, sg = 0, sb = 0, sa = 0;
      for (let y = by; y < by + bh; y++) {
        for (let i = (y * width + bx) * 4, end = i + bw * 4; i < end; i += 4) {
          const a = data[i + 3]!;
          sr += data[i]! * a;
          sg += data[i + 1]! * a;
          sb += data[i + 2]! * a;
          sa += a;
        }
      }
      const n = bw * bh;
      const px = sa ? [Math.round(sr / sa), Math.round(sg / sa), Math.round(sb / sa), Math.round(sa / n)] : [0, 0, 0, 0];
      for (let y = by; y < by + bh; y++) {
        for (let i = (y * width + bx) * 4, end = i + bw * 4; i < end; i += 4) out.set(px, i);
      }
    }
  }
  return { width, height, data: out };
};
