/**
 * @module test/support/scenes
 * Seeded synthetic photographs with a known subject box, for the content-aware crop
 * tests (served by the loopback origin) and the focus benchmark (bench/focus-eval.mjs).
 * A scene is a background (plain: a soft gradient; clutter: many desaturated shapes,
 * sharp or out of focus; texture: fine noise) with one subject (a saturated, detailed
 * object or a figure with a skin-toned head) at a given position and scale.
 * Raw RGB, no dependencies, so Node (sharp encodes it) and the bench share it.
 */
import { seededRandom as mulberry32 } from './random';

export type Background = 'plain' | 'clutter' | 'bokeh' | 'texture';
export type Subject = 'object' | 'figure';

export interface SceneSpec {
  width: number;
  height: number;
  background: Background;
  subject: Subject;
  /** Subject box, in pixels. */
  box: { left: number; top: number; width: number; height: number };
  seed: number;
}

export interface Scene {
  width: number;
  height: number;
  /** RGB, 3 bytes a pixel. */
  data: Uint8Array;
  box: SceneSpec['box'];
}

const clampByte = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : v | 0);

export function renderScene(spec: SceneSpec): Scene {
  const { width: w, height: h } = spec;
  const rnd = mulberry32(spec.seed);
  const img = new Float32Array(w * h * 3);
  paintBackground(img, w, h, spec.background, rnd);
  paintSubject(img, w, h, spec, rnd);
  // Sensor noise over everything, so no region is perfectly flat.
  const data = new Uint8Array(w * h * 3);
  for (let i = 0; i < data.length; i++) data[i] = clampByte(img[i]! + (rnd() - 0.5) * 6);
  return { width: w, height: h, data, box: spec.box };
}

function paintBackground(img: Float32Array, w: number, h: number, kind: Background, rnd: () => number): void {
  // A muted base colour and a gentle vertical gradient (sky/wall/floor light).
  const base = [90 + rnd() * 90, 90 + rnd() * 90, 90 + rnd() * 90];
  const grey = (base[0]! + base[1]! + base[2]!) / 3;
  for (let c = 0; c < 3; c++) base[c] = grey + (base[c]! - grey) * 0.4;
  for (let y = 0; y < h; y++) {
    const shade = 1.15 - (0.3 * y) / h;
    for (let x = 0; x < w; x++) for (let c = 0; c < 3; c++) img[(y * w + x) * 3 + c] = base[c]! * shade;
  }
  if (kind === 'plain') return;
  if (kind === 'texture') {
    const cell = Math.max(2, Math.round(Math.min(w, h) / 120));
    for (let y = 0; y < h; y += cell) {
      for (let x = 0; x < w; x += cell) {
        const d = (rnd() - 0.5) * 60;
        fillRect(img, w, h, x, y, cell, cell, (c, v) => v + d * (c === 2 ? 0.8 : 1));
      }
    }
    return;
  }
  // clutter / bokeh: many desaturated shapes (furniture, foliage, buildings).
  const shapes = 40 + Math.floor(rnd() * 40);
  const layer = new Float32Array(img);
  for (let k = 0; k < shapes; k++) {
    const sw = (0.03 + rnd() * 0.2) * w, sh = (0.03 + rnd() * 0.3) * h;
    const sx = rnd() * w - sw / 2, sy = rnd() * h - sh / 2;
    const g = 50 + rnd() * 160;
    const tint = [g + (rnd() - 0.5) * 50, g + (rnd() - 0.5) * 50, g + (rnd() - 0.5) * 50];
    if (rnd() < 0.5) fillRect(layer, w, h, sx, sy, sw, sh, (c) => tint[c]!);
    else fillEllipse(layer, w, h, sx + sw / 2, sy + sh / 2, sw / 2, sh / 2, (c) => tint[c]!);
  }
  if (kind === 'bokeh') blurInPlace(layer, w, h, Math.max(2, Math.round(Math.min(w, h) / 60)));
  img.set(layer);
}

function paintSubject(img: Float32Array, w: number, h: number, spec: SceneSpec, rnd: () => number): void {
  const { left, top, width: bw, height: bh } = spec.box;
  const hue = rnd() * 6;
  const rgb = hueToRgb(hue);
  if (spec.subject === 'object') {
    // A saturated object with stripes and a dark outline: detail, colour, a clear edge.
    const cx = left + bw / 2, cy = top + bh / 2;
    fillEllipse(img, w, h, cx, cy, bw / 2, bh / 2, () => 25);
    const stripe = Math.max(2, bw / 10);
    fillEllipse(img, w, h, cx, cy, bw / 2 - Math.max(1, bw / 40), bh / 2 - Math.max(1, bh / 40), (c, _v, x, y) => {
      const band = Math.floor((x + y) / stripe) % 2;
      return rgb[c]! * (band ? 1 : 0.7);
    });
    fillEllipse(img, w, h, cx - bw * 0.15, cy - bh * 0.15, bw * 0.1, bh * 0.1, () => 245);
    return;
  }
  // A figure: skin-toned head over a coloured body.
  const headH = bh * 0.28, headW = Math.min(bw * 0.5, headH * 0.8);
  const cx = left + bw / 2;
  fillRect(img, w, h, left, top + headH * 0.95, bw, bh - headH * 0.95, (c, _v, x) => rgb[c]! * (0.8 + 0.2 * Math.sin(x / 3)));
  fillEllipse(img, w, h, cx, top + headH / 2, headW / 2, headH / 2, (c) => [224, 172, 140][c]!);
  fillEllipse(img, w, h, cx, top + headH * 0.2, headW / 2, headH * 0.22, (c) => [60, 40, 25][c]!);
  for (const dx of [-0.18, 0.18]) fillEllipse(img, w, h, cx + dx * headW, top + headH * 0.5, headW * 0.06, headH * 0.05, () => 30);
}

function hueToRgb(h: number): [number, number, number] {
  const x = 1 - Math.abs((h % 2) - 1);
  const [r, g, b] = h < 1 ? [1, x, 0] : h < 2 ? [x, 1, 0] : h < 3 ? [0, 1, x] : h < 4 ? [0, x, 1] : h < 5 ? [x, 0, 1] : [1, 0, x];
  return [40 + r * 200, 40 + g * 200, 40 + b * 200];
}

type Paint = (channel: number, current: number, x: number, y: number) => number;

function fillRect(img: Float32Array, w: number, h: number, x0: number, y0: number, rw: number, rh: number, paint: Paint): void {
  const xa = Math.max(0, Math.round(x0)), xb = Math.min(w, Math.round(x0 + rw));
  const ya = Math.max(0, Math.round(y0)), yb = Math.min(h, Math.round(y0 + rh));
  for (let y = ya; y < yb; y++) {
    for (let x = xa; x < xb; x++) for (let c = 0; c < 3; c++) { const i = (y * w + x) * 3 + c; img[i] = paint(c, img[i]!, x, y); }
  }
}

function fillEllipse(img: Float32Array, w: number, h: number, cx: number, cy: number, rx: number, ry: number, paint: Paint): void {
  const ya = Math.max(0, Math.floor(cy - ry)), yb = Math.min(h, Math.ceil(cy + ry));
  const xa = Math.max(0, Math.floor(cx - rx)), xb = Math.min(w, Math.ceil(cx + rx));
  for (let y = ya; y < yb; y++) {
    for (let x = xa; x < xb; x++) {
      const dx = (x + 0.5 - cx) / rx, dy = (y + 0.5 - cy) / ry;
      if (dx * dx + dy * dy > 1) continue;
      for (let c = 0; c < 3; c++) { const i = (y * w + x) * 3 + c; img[i] = paint(c, img[i]!, x, y); }
    }
  }
}

/** Two passes of a separable box blur: a cheap out-of-focus background. */
function blurInPlace(img: Float32Array, w: number, h: number, r: number): void {
  const tmp = new Float32Array(img.length);
  for (let pass = 0; pass < 2; pass++) {
    for (let y = 0; y < h; y++) {
      for (let c = 0; c < 3; c++) {
        let acc = 0, n = 0;
        for (let x = -r; x <= r; x++) if (x >= 0 && x < w) { acc += img[(y * w + x) * 3 + c]!; n++; }
        for (let x = 0; x < w; x++) {
          tmp[(y * w + x) * 3 + c] = acc / n;
          const add = x + r + 1, drop = x - r;
          if (add < w) { acc += img[(y * w + add) * 3 + c]!; n++; }
          if (drop >= 0) { acc -= img[(y * w + drop) * 3 + c]!; n--; }
        }
      }
    }
    for (let x = 0; x < w; x++) {
      for (let c = 0; c < 3; c++) {
        let acc = 0, n = 0;
        for (let y = -r; y <= r; y++) if (y >= 0 && y < h) { acc += tmp[(y * w + x) * 3 + c]!; n++; }
        for (let y = 0; y < h; y++) {
          img[(y * w + x) * 3 + c] = acc / n;
          const add = y + r + 1, drop = y - r;
          if (add < h) { acc += tmp[(add * w + x) * 3 + c]!; n++; }
          if (drop >= 0) { acc -= tmp[(drop * w + x) * 3 + c]!; n--; }
        }
      }
    }
  }
}

/** A random scene spec: subject box at a random place and scale (10..45% of the shorter side, at most). */
export function randomSceneSpec(seed: number, width: number, height: number): SceneSpec {
  const rnd = mulberry32(seed * 7919 + 17);
  const backgrounds: Background[] = ['plain', 'clutter', 'bokeh', 'texture'];
  const background = backgrounds[Math.floor(rnd() * backgrounds.length)]!;
  const subject: Subject = rnd() < 0.6 ? 'object' : 'figure';
  const short = Math.min(width, height);
  const scale = 0.12 + rnd() * 0.33;
  const bh = Math.round(short * scale * (subject === 'figure' ? 1.6 : 1));
  const bw = Math.round(short * scale * (subject === 'figure' ? 0.55 : 0.7 + rnd() * 0.6));
  const left = Math.round(rnd() * (width - bw));
  const top = Math.round(rnd() * (height - bh));
  return { width, height, background, subject, box: { left, top, width: bw, height: bh }, seed };
}

/**
 * Scenes the loopback origin serves as /gen/<name> for the focus tests: a subject
 * placed where a centre crop would cut it off, on each kind of background.
 */
export const FOCUS_SCENES: Record<string, SceneSpec> = {
  'focus-right-bokeh.jpg': { width: 1200, height: 600, background: 'bokeh', subject: 'object', box: { left: 900, top: 210, width: 220, height: 190 }, seed: 11 },
  'focus-left-clutter.jpg': { width: 1200, height: 600, background: 'clutter', subject: 'figure', box: { left: 70, top: 90, width: 150, height: 420 }, seed: 12 },
  'focus-top-plain.jpg': { width: 600, height: 1200, background: 'plain', subject: 'object', box: { left: 180, top: 60, width: 260, height: 220 }, seed: 13 },
  'focus-bottom-texture.jpg': { width: 700, height: 1000, background: 'texture', subject: 'object', box: { left: 380, top: 730, width: 240, height: 200 }, seed: 14 },
};

/**
 * The corpus' Grace Hopper portrait (jpeg/hopper.jpg, 128 px, public domain) has her
 * face (brows to chin, cheek to cheek) here, hand-annotated on a 512 px enlargement.
 */
export const HOPPER_FACE = { x: 0.29, y: 0.25, width: 0.38, height: 0.37 };

/** /gen/focus-face-left.jpg: the portrait enlarged to `side` at `left`,`top` on a wide plain background. */
export const FACE_SCENE = { width: 1200, height: 600, side: 384, left: 40, top: 110 };

/** The face box in FACE_SCENE, in pixels. */
export const FACE_SCENE_BOX = {
  left: FACE_SCENE.left + HOPPER_FACE.x * FACE_SCENE.side,
  top: FACE_SCENE.top + HOPPER_FACE.y * FACE_SCENE.side,
  width: HOPPER_FACE.width * FACE_SCENE.side,
  height: HOPPER_FACE.height * FACE_SCENE.side,
};
