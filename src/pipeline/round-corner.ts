/**
 * @module pipeline/round-corner
 * `roundCorner`: Thumbor's round_corner(a|b, r, g, b[, transparent]) — each corner
 * cut to an ellipse quarter with radii a (horizontal) and b (vertical) in output
 * pixels; outside it the colour (or transparency) shows. Edge pixels are blended by
 * their covered area (4x4 supersampling) so the curve is not jagged.
 */
import type { Step } from './step';

export const roundCornerStep: Step = (r, { options }) => {
  const rc = options.roundCorner;
  if (!rc) return r;
  const rx = Math.min(rc.rx, r.width / 2);
  const ry = Math.min(rc.ry, r.height / 2);
  if (rx < 1 || ry < 1) return r;
  const out = r.data.slice();
  const { color } = rc;
  const cornerW = Math.ceil(rx);
  const cornerH = Math.ceil(ry);
  for (let y = 0; y < cornerH; y++) {
    for (let x = 0; x < cornerW; x++) {
      // Share of this pixel inside the ellipse centred at (rx, ry) in corner coordinates.
      let inside = 0;
      for (let sy = 0; sy < 4; sy++) {
        for (let sx = 0; sx < 4; sx++) {
          const dx = (x + (sx + 0.5) / 4 - rx) / rx;
          const dy = (y + (sy + 0.5) / 4 - ry) / ry;
          if (x + (sx + 0.5) / 4 >= rx || y + (sy + 0.5) / 4 >= ry || dx * dx + dy * dy <= 1) inside++;
        }
      }
      if (inside === 16) continue;
      const k = inside / 16;
      // The same offset in each of the four corners, mirrored.
      for (const [px, py] of [[x, y], [r.width - 1 - x, y], [x, r.height - 1 - y], [r.width - 1 - x, r.height - 1 - y]] as const) {
        const i = (py * r.width + px) * 4;
        if (color.a === 0) {
          out[i + 3] = Math.round(r.data[i + 3]! * k);
        } else {
          out[i] = Math.round(r.data[i]! * k + color.r * (1 - k));
          out[i + 1] = Math.round(r.data[i + 1]! * k + color.g * (1 - k));
          out[i + 2] = Math.round(r.data[i + 2]! * k + color.b * (1 - k));
          out[i + 3] = Math.round(r.data[i + 3]! * k + 255 * (1 - k));
        }
      }
    }
  }
  return { width: r.width, height: r.height, data: out };
};
