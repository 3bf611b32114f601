/**
 * @module plan
 * All geometry, computed once before any pixel is touched (imgproxy's CalcParams).
 * Pure numbers in, pure numbers out. Coordinates are in the *displayed* image:
 * EXIF orientation already applied, before trim, at full stored resolution.
 *
 * The pipeline then: crops `crop` (trim and the cover/crop overflow in one rect),
 * resizes it to `resize`, rotates/flips, pads onto `canvas`. `width`/`height`
 * refer to the final image, i.e. to the axes after `rotate`, as in Cloudflare's API.
 */
import { invalidParam, tooLarge } from './errors';
import type { TransformOptions } from './options/types';

export interface Rect {
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface TransformPlan {
  /** Region of the displayed source to keep (float, in source pixels). */
  crop: Rect;
  /** Size the crop is resized to (integers >= 1), before rotate. */
  resize: { width: number; height: number };
  /** Final canvas for fit=pad: the resized image is placed at left/top. */
  pad?: Rect;
  /** Final output size, after rotate and pad. */
  output: { width: number; height: number };
  /**
   * Set when gravity is auto/face and the window has room to move: `crop` is then
   * the centred placeholder until {@link refocusPlan} places the window src/focus/ chose.
   */
  focus?: FocusFreedom;
}

/** What src/focus/ may choose, in displayed source pixels. */
export interface FocusFreedom {
  mode: 'auto' | 'face';
  /** Where the window may go: the trimmed source. */
  area: Rect;
  /** The window's size (the cover window); face zoom may shrink it down to `minWindow`. */
  window: { width: number; height: number };
  minWindow: { width: number; height: number };
  zoom: number;
}

const clampInt = (n: number) => Math.max(1, Math.round(n));

/** Computes the geometry for a displayed source of width x height. */
export function planTransform(source: { width: number; height: number }, o: TransformOptions, maxDimension: number): TransformPlan {
  const trim = o.trim ?? { top: 0, right: 0, bottom: 0, left: 0 };
  const availW = source.width - trim.left - trim.right;
  const availH = source.height - trim.top - trim.bottom;
  if (availW < 1 || availH < 1) {
    throw invalidParam('trim', `trim removes the whole image (source is ${source.width}x${source.height})`);
  }
  const quarter = o.rotate === 90 || o.rotate === 270;
  // Requested size in the pre-rotation frame, with dpr applied.
  let reqW = o.width !== undefined ? o.width * o.dpr : undefined;
  let reqH = o.height !== undefined ? o.height * o.dpr : undefined;
  if (quarter) [reqW, reqH] = [reqH, reqW];

  let crop: Rect = { left: trim.left, top: trim.top, width: availW, height: availH };
  let resize: { width: number; height: number };
  let pad: Rect | undefined;
  let focus: FocusFreedom | undefined;

  if (reqW === undefined && reqH === undefined) {
    resize = { width: availW, height: availH };
  } else if (reqW === undefined || reqH === undefined) {
    // One side given: keep the aspect ratio; only scale-down forbids enlarging.
    const scale = reqW !== undefined ? reqW / availW : reqH! / availH;
    const s = o.fit === 'scale-down' || o.fit === 'crop' ? Math.min(1, scale) : scale;
    resize = { width: clampInt(availW * s), height: clampInt(availH * s) };
  } else {
    const contain = Math.min(reqW / availW, reqH / availH);
    const cover = Math.max(reqW / availW, reqH / availH);
    switch (o.fit) {
      case 'scale-down':
        resize = sized(availW, availH, Math.min(1, contain));
        break;
      case 'contain':
        resize = sized(availW, availH, contain);
        break;
      case 'pad': {
        resize = sized(availW, availH, contain);
        const W = clampInt(reqW);
        const H = clampInt(reqH);
        pad = { left: Math.floor((W - resize.width) / 2), top: Math.floor((H - resize.height) / 2), width: W, height: H };
        break;
      }
      case 'squeeze':
        resize = { width: clampInt(reqW), height: clampInt(reqH) };
        break;
      case 'cover':
      case 'crop': {
        // crop never enlarges: past 1:1 it cuts a window of the requested size instead.
        const s = o.fit === 'crop' ? Math.min(1, cover) : cover;
        const outW = clampInt(Math.min(reqW, availW * s));
        const outH = clampInt(Math.min(reqH, availH * s));
        // Content-aware modes start centred; src/focus/ then moves the window (refocusPlan).
        const g = typeof o.gravity === 'string' ? { x: 0.5, y: 0.5 } : o.gravity;
        const area = crop;
        crop = placeWindow(area, outW / s, outH / s, g);
        resize = { width: outW, height: outH };
        if (typeof o.gravity === 'string') focus = focusFreedom(o.gravity, o.zoom ?? 0, area, crop, resize);
        break;
      }
    }
  }
  const rotated = quarter ? { width: resize.height, height: resize.width } : { ...resize };
  const output = pad ? (quarter ? { width: pad.height, height: pad.width } : { width: pad.width, height: pad.height }) : rotated;
  if (output.width > maxDimension || output.height > maxDimension) {
    throw tooLarge(`output ${output.width}x${output.height} exceeds MAX_DIMENSION ${maxDimension}`, 'width');
  }
  return focus ? { crop, resize, pad, output, focus } : { crop, resize, pad, output };
}

/**
 * How far focus may move and shrink the window. Face zoom shrinks it at most to a
 * quarter of its side (and, like zoom 0..1 linearly, to 1 - zoom of it), never below
 * the output size: a tighter window would be enlarged, which adds no detail.
 */
function focusFreedom(mode: 'auto' | 'face', zoom: number, area: Rect, window: Rect, resize: { width: number; height: number }): FocusFreedom | undefined {
  const z = mode === 'face' ? zoom : 0;
  const shrink = Math.max(1 - z, 0.25, resize.width / window.width, resize.height / window.height);
  const fits = window.width >= area.width - 0.5 && window.height >= area.height - 0.5;
  if (fits && shrink >= 1) return undefined; // nothing to choose: the window is the whole area
  return {
    mode, area, zoom: z,
    window: { width: window.width, height: window.height },
    minWindow: { width: window.width * Math.min(1, shrink), height: window.height * Math.min(1, shrink) },
  };
}

/**
 * The plan with the crop window src/focus/ chose, given in [0,1] units of
 * `plan.focus.area`. The output size stays; only the source rectangle moves (and,
 * for face zoom, shrinks), clamped to the freedom the plan gave.
 */
export function refocusPlan(plan: TransformPlan, w: { x: number; y: number; width: number; height: number }): TransformPlan {
  const f = plan.focus;
  if (!f) return plan;
  const k = f.window.width / f.window.height;
  const width = clamp(w.width * f.area.width, f.minWindow.width, f.window.width);
  const size = { width: Math.min(width, f.area.width), height: Math.min(width / k, f.area.height) };
  const focal = {
    x: (w.x + w.width / 2) * f.area.width,
    y: (w.y + w.height / 2) * f.area.height,
  };
  const left = f.area.left + clamp(focal.x - size.width / 2, 0, f.area.width - size.width);
  const top = f.area.top + clamp(focal.y - size.height / 2, 0, f.area.height - size.height);
  return { ...plan, crop: { left, top, width: size.width, height: size.height } };
}

function sized(w: number, h: number, s: number) {
  return { width: clampInt(w * s), height: clampInt(h * s) };
}

/** Places a w x h window inside `area` so the focal point sits where gravity says, clamped to the area. */
function placeWindow(area: Rect, w: number, h: number, g: { x: number; y: number }): Rect {
  const width = Math.min(w, area.width);
  const height = Math.min(h, area.height);
  const left = area.left + clamp(g.x * area.width - width / 2, 0, area.width - width);
  const top = area.top + clamp(g.y * area.height - height / 2, 0, area.height - height);
  return { left, top, width, height };
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
