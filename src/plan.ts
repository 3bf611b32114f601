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
import type { DecodeHint } from './codec/types';
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
        // Content-aware modes are resolved to a focal point before planning (src/focus/); centre until then.
        const g = typeof o.gravity === 'string' ? { x: 0.5, y: 0.5 } : o.gravity;
        crop = placeWindow(crop, outW / s, outH / s, g);
        resize = { width: outW, height: outH };
        break;
      }
    }
  }
  const rotated = quarter ? { width: resize.height, height: resize.width } : { ...resize };
  const output = pad ? (quarter ? { width: pad.height, height: pad.width } : { width: pad.width, height: pad.height }) : rotated;
  if (output.width > maxDimension || output.height > maxDimension) {
    throw tooLarge(`output ${output.width}x${output.height} exceeds MAX_DIMENSION ${maxDimension}`, 'width');
  }
  return { crop, resize, pad, output };
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

/**
 * The smallest stored-orientation size the decoder may shrink to on load and
 * still give the resize step at least as many pixels as it outputs.
 */
export function decodeHintFor(plan: TransformPlan, probe: { displayWidth: number; displayHeight: number; orientation: number }): DecodeHint {
  const scale = Math.max(plan.resize.width / plan.crop.width, plan.resize.height / plan.crop.height);
  if (scale >= 1) return {};
  const w = Math.ceil(probe.displayWidth * scale);
  const h = Math.ceil(probe.displayHeight * scale);
  return probe.orientation >= 5 ? { minWidth: h, minHeight: w } : { minWidth: w, minHeight: h };
}
