/**
 * @module focus/window
 * Where a window of a given size goes over a saliency map: the position whose
 * weighted sum of saliency is largest, as smartcrop.js scores candidate crops,
 * but searched exhaustively (every position on the map, not a sparse set of
 * candidates) and with one weight that falls off gently from the window's centre
 * to its edges, so among windows that keep the same mass, the one that centres
 * it wins (the photographer's framing) and a subject is never cut by a hair.
 * The sum is a correlation with a separable kernel: rows first, then columns.
 */
import type { SaliencyMap } from './saliency';

/** How much less a pixel at the window's edge counts than one at its centre. */
const EDGE_FALLOFF = 0.3;

export interface Placement {
  /** Window, in [0,1] units of the map. */
  x: number;
  y: number;
  width: number;
  height: number;
  /** Share of the map's saliency inside the window (0..1). */
  score: number;
}

/** Places a window of width x height ([0,1] units, each <= 1) over `m`. */
export function placeWindow(m: SaliencyMap, width: number, height: number): Placement {
  const ww = Math.max(1, Math.min(m.width, Math.round(width * m.width)));
  const wh = Math.max(1, Math.min(m.height, Math.round(height * m.height)));
  const kx = kernel(ww), ky = kernel(wh);
  const nx = m.width - ww + 1, ny = m.height - wh + 1;
  // rows[y * nx + sx] = sum over the window's columns of row y, weighted by kx.
  const rows = new Float32Array(m.height * nx);
  for (let y = 0; y < m.height; y++) {
    const base = y * m.width;
    for (let sx = 0; sx < nx; sx++) {
      let s = 0;
      for (let k = 0; k < ww; k++) s += m.data[base + sx + k]! * kx[k]!;
      rows[y * nx + sx] = s;
    }
  }
  let best = -1, bx = 0, by = 0;
  for (let sy = 0; sy < ny; sy++) {
    for (let sx = 0; sx < nx; sx++) {
      let s = 0;
      for (let k = 0; k < wh; k++) s += rows[(sy + k) * nx + sx]! * ky[k]!;
      // Ties (a flat map) go to the position nearest the centre, deterministically.
      const d = Math.abs(sx - (nx - 1) / 2) + Math.abs(sy - (ny - 1) / 2);
      if (s > best + 1e-9 || (Math.abs(s - best) <= 1e-9 && d < Math.abs(bx - (nx - 1) / 2) + Math.abs(by - (ny - 1) / 2))) {
        best = s;
        bx = sx;
        by = sy;
      }
    }
  }
  let total = 0, inside = 0;
  for (let y = 0; y < m.height; y++) {
    for (let x = 0; x < m.width; x++) {
      const v = m.data[y * m.width + x]!;
      total += v;
      if (x >= bx && x < bx + ww && y >= by && y < by + wh) inside += v;
    }
  }
  return {
    x: bx / m.width, y: by / m.height, width: ww / m.width, height: wh / m.height,
    score: total > 0 ? inside / total : 1,
  };
}

/** 1 at the centre, 1 - EDGE_FALLOFF at the edges, quadratic between. */
function kernel(n: number): Float32Array {
  const k = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const u = n === 1 ? 0 : (2 * (i + 0.5)) / n - 1;
    k[i] = 1 - EDGE_FALLOFF * u * u;
  }
  return k;
}
