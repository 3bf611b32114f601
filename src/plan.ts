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
import type { TransformOptions, Trim } from './options/types';

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
}

const clampInt = (n: number) => Math.max(1, Math.round(n));

/** Computes the geometry for a displayed source of width x height. */
export function planTransform(source: { width: number; height: number }, o: TransformOptions, maxDimension: number): TransformPlan {
  const trim = withRegion(o.trim ?? { top: 0, right: 0, bottom: 0, left: 0 }, o.region, source);
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
  // Thumbor's `orig`: that side of the box is the source's own (after crop), pre-rotation.
  if (o.orig === 'width' || o.orig === 'both') reqW = availW;
  if (o.orig === 'height' || o.orig === 'both') reqH = availH;
  if (o.thumborBox && (reqW === undefined) !== (reqH === undefined)) {
    if (reqW === undefined) reqW = Math.max(1, roundHalfEven((reqH! * availW) / availH));
    else reqH = Math.max(1, roundHalfEven((reqW * availH) / availW));
  }
  // Thumbor's adaptive fit-in: swap the box when it is portrait and the source landscape (or the reverse).
  if (o.adaptive && reqW !== undefined && reqH !== undefined && (availW - availH) * (reqW - reqH) < 0) [reqW, reqH] = [reqH, reqW];
  const noEnlarge = o.enlarge === false;
  const cap = (s: number) => (noEnlarge ? Math.min(1, s) : s);
  // Thumbor rounds with Python's round(): half to even.
  const half = o.thumborBox ? roundHalfEven : Math.round;

  let crop: Rect = { left: trim.left, top: trim.top, width: availW, height: availH };
  let resize: { width: number; height: number };
  let pad: Rect | undefined;

  if (reqW === undefined && reqH === undefined) {
    resize = { width: availW, height: availH };
  } else if (reqW === undefined || reqH === undefined) {
    // One side given: keep the aspect ratio; only scale-down forbids enlarging.
    const scale = reqW !== undefined ? reqW / availW : reqH! / availH;
    const s = o.fit === 'scale-down' || o.fit === 'crop' ? Math.min(1, scale) : cap(scale);
    resize = { width: clampInt(availW * s), height: clampInt(availH * s) };
  } else {
    const contain = Math.min(reqW / availW, reqH / availH);
    const cover = Math.max(reqW / availW, reqH / availH);
    switch (o.fit) {
      case 'scale-down':
        resize = sized(availW, availH, Math.min(1, contain), half);
        break;
      case 'contain':
        resize = sized(availW, availH, cap(contain), half);
        break;
      case 'outside':
        resize = sized(availW, availH, cap(cover), half);
        break;
      case 'pad': {
        resize = sized(availW, availH, cap(contain), half);
        const W = clampInt(reqW);
        const H = clampInt(reqH);
        pad = { left: Math.floor((W - resize.width) / 2), top: Math.floor((H - resize.height) / 2), width: W, height: H };
        break;
      }
      case 'squeeze':
        resize = noEnlarge
          ? { width: clampInt(Math.min(reqW, availW)), height: clampInt(Math.min(reqH, availH)) }
          : { width: clampInt(reqW), height: clampInt(reqH) };
        break;
      case 'cover':
      case 'crop': {
        // crop never enlarges: past 1:1 it cuts a window of the requested size instead. That is
        // also Thumbor's no_upscale(), which clamps each requested side to the source's
        // (thumbor/filters/no_upscale.py) before its crop-to-fill.
        const s = o.fit === 'crop' || noEnlarge ? Math.min(1, cover) : cover;
        const outW = clampInt(Math.min(reqW, availW * s));
        const outH = clampInt(Math.min(reqH, availH * s));
        // Content-aware modes are resolved to a focal point before planning (src/focus/); centre until then.
        const g = o.focalPixel
          ? { x: clamp((o.focalPixel.x - crop.left) / availW, 0, 1), y: clamp((o.focalPixel.y - crop.top) / availH, 0, 1) }
          : typeof o.gravity === 'string' ? { x: 0.5, y: 0.5 } : o.gravity;
        // Thumbor skips its crop when the aspect ratios agree to two decimals (and resizes, slightly stretching).
        const sameAspect = o.thumborBox && round2(availW / availH) === round2(reqW / reqH);
        if (!sameAspect) crop = placeWindow(crop, outW / s, outH / s, g);
        resize = { width: outW, height: outH };
        break;
      }
    }
  }
  if (o.proportion !== undefined && o.proportion !== 1) {
    // Thumbor's proportion(): the finished size, scaled once more.
    const p = o.proportion;
    resize = { width: clampInt(resize.width * p), height: clampInt(resize.height * p) };
    if (pad) pad = { left: Math.round(pad.left * p), top: Math.round(pad.top * p), width: clampInt(pad.width * p), height: clampInt(pad.height * p) };
  }
  const rotated = quarter ? { width: resize.height, height: resize.width } : { ...resize };
  const output = pad ? (quarter ? { width: pad.height, height: pad.width } : { width: pad.width, height: pad.height }) : rotated;
  if (output.width > maxDimension || output.height > maxDimension) {
    throw tooLarge(`output ${output.width}x${output.height} exceeds MAX_DIMENSION ${maxDimension}`, 'width');
  }
  return { crop, resize, pad, output };
}

/** Thumbor's manual crop as margins, combined with trim (the larger margin wins); an empty region is ignored, as Thumbor does. */
function withRegion(trim: Trim, region: TransformOptions['region'], source: { width: number; height: number }): Trim {
  if (!region) return trim;
  const left = clamp(region.left, 0, source.width);
  const right = clamp(region.right, 0, source.width);
  const top = clamp(region.top, 0, source.height);
  const bottom = clamp(region.bottom, 0, source.height);
  if (left >= right || top >= bottom) return trim;
  return {
    left: Math.max(trim.left, left),
    top: Math.max(trim.top, top),
    right: Math.max(trim.right, source.width - right),
    bottom: Math.max(trim.bottom, source.height - bottom),
  };
}

/** Python's round(): half to even (what Thumbor's arithmetic uses). */
function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  return d > 0.5 ? f + 1 : d < 0.5 ? f : f % 2 === 0 ? f : f + 1;
}

/** Python's round(x, 2): decimal rounding of the double's exact value (toFixed's), ties to even. */
function round2(x: number): number {
  const tie = Number.isInteger(x * 200) && !Number.isInteger(x * 100);
  return tie ? roundHalfEven(x * 100) / 100 : Number(x.toFixed(2));
}

function sized(w: number, h: number, s: number, half = Math.round) {
  return { width: Math.max(1, half(w * s)), height: Math.max(1, half(h * s)) };
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
