/**
 * @module pipeline/trim-border
 * Finds a uniform border by colour: the bounding box of the pixels farther than
 * `tolerance` (Euclidean distance in RGB, 0..442) from the reference pixel in a
 * corner (Thumbor's `trim[:top-left|bottom-right][:tolerance]`, docs/usage.rst
 * "Trim"; Cloudflare's `trim=border` can use it too). It runs on the decoded,
 * oriented raster before planning: transform.ts turns the margins it returns into
 * `trim`, so the plan's crop and resize apply to the trimmed image, as in Thumbor.
 */
import type { Raster } from '../codec/types';
import type { Rgba, Trim } from '../options/types';

export function findBorder(r: Raster, opts: { corner: 'top-left' | 'bottom-right'; tolerance: number; color?: Rgba }): Trim | null {
  const { width: w, height: h, data: d } = r;
  const ref = opts.corner === 'top-left' ? 0 : (w * h - 1) * 4;
  // An explicit colour (Cloudflare's trim.color) replaces the corner pixel as the reference.
  const [R, G, B] = opts.color ? [opts.color.r, opts.color.g, opts.color.b] : [d[ref]!, d[ref + 1]!, d[ref + 2]!];
  const tol2 = opts.tolerance * opts.tolerance;
  const differs = (x: number, y: number) => {
    const i = (y * w + x) * 4;
    const dr = d[i]! - R, dg = d[i + 1]! - G, db = d[i + 2]! - B;
    return dr * dr + dg * dg + db * db > tol2;
  };
  const rowDiffers = (y: number) => { for (let x = 0; x < w; x++) if (differs(x, y)) return true; return false; };
  const colDiffers = (x: number, y0: number, y1: number) => { for (let y = y0; y <= y1; y++) if (differs(x, y)) return true; return false; };
  let top = 0;
  while (top < h && !rowDiffers(top)) top++;
  // Everything is the border colour: Thumbor ignores the trim then.
  if (top === h) return null;
  let bottom = h - 1;
  while (bottom > top && !rowDiffers(bottom)) bottom--;
  let left = 0;
  while (left < w - 1 && !colDiffers(left, top, bottom)) left++;
  let right = w - 1;
  while (right > left && !colDiffers(right, top, bottom)) right--;
  return { top, left, bottom: h - 1 - bottom, right: w - 1 - right };
}
