/**
 * @module pipeline/overlay
 * Composites `options.draw` overlays (decoded beforehand by overlays.ts) onto the
 * output, in order, "source over" with straight alpha. One step for every dialect:
 * Cloudflare's `draw`, Thumbor's `watermark()`, imgproxy's `watermark`.
 *
 * Size: `width`/`height` fit the overlay in that box (aspect kept); `widthRatio`/
 * `heightRatio` shrink it to at most that share of the output. Position: `left`/
 * `right` and `top`/`bottom` are margins from that edge, an axis with neither is
 * centred; `repeat` tiles along x, y or both starting from the placed copy.
 * `opacity` scales the overlay's alpha.
 */
import { resizeRaster } from '../codec/resize/resize';
import type { Raster } from '../codec/types';
import type { Overlay } from '../options/types';
import type { Step } from './step';

export const overlayStep: Step = async (r, { overlays }) => {
  if (!overlays?.length) return r;
  const out: Raster = { width: r.width, height: r.height, data: r.data.slice() };
  for (const { overlay, raster } of overlays) {
    const sized = await sizeOverlay(raster, overlay, r.width, r.height);
    composite(out, sized, overlay);
  }
  return out;
};

async function sizeOverlay(ov: Raster, o: Overlay, W: number, H: number): Promise<Raster> {
  let s = 1;
  if (o.width !== undefined || o.height !== undefined) {
    s = Math.min(o.width !== undefined ? o.width / ov.width : Infinity, o.height !== undefined ? o.height / ov.height : Infinity);
  }
  if (o.widthRatio) s = Math.min(s, (W * o.widthRatio) / ov.width);
  if (o.heightRatio) s = Math.min(s, (H * o.heightRatio) / ov.height);
  if (s === 1) return ov;
  const w = Math.max(1, Math.round(ov.width * s));
  const h = Math.max(1, Math.round(ov.height * s));
  return resizeRaster(ov, w, h, { hasAlpha: true });
}

function origins(size: number, total: number, near: number | undefined, far: number | undefined, repeat: boolean): number[] {
  const at = near !== undefined ? near : far !== undefined ? total - size - far : Math.floor((total - size) / 2);
  if (!repeat) return [at];
  const first = at - Math.ceil(at / size) * size;
  const list: number[] = [];
  for (let p = first; p < total; p += size) list.push(p);
  return list;
}

function composite(dst: Raster, ov: Raster, o: Overlay): void {
  const opacity = o.opacity ?? 1;
  if (opacity <= 0) return;
  const xs = origins(ov.width, dst.width, o.left, o.right, o.repeat === true || o.repeat === 'x');
  const ys = origins(ov.height, dst.height, o.top, o.bottom, o.repeat === true || o.repeat === 'y');
  const d = dst.data;
  const s = ov.data;
  for (const oy of ys) {
    for (const ox of xs) {
      const x0 = Math.max(0, ox);
      const x1 = Math.min(dst.width, ox + ov.width);
      const y0 = Math.max(0, oy);
      const y1 = Math.min(dst.height, oy + ov.height);
      for (let y = y0; y < y1; y++) {
        let si = ((y - oy) * ov.width + (x0 - ox)) * 4;
        let di = (y * dst.width + x0) * 4;
        for (let x = x0; x < x1; x++, si += 4, di += 4) {
          const a = (s[si + 3]! / 255) * opacity;
          if (a === 0) continue;
          const da = d[di + 3]! / 255;
          const outA = a + da * (1 - a);
          for (let c = 0; c < 3; c++) d[di + c] = Math.round((s[si + c]! * a + d[di + c]! * da * (1 - a)) / outA);
          d[di + 3] = Math.round(outA * 255);
        }
      }
    }
  }
}
