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
import type { Gravity, GravityOffset, GravityOption, Resizing, TransformOptions, Trim } from './options/types';

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
   * A canvas in the output frame (after rotate/flip) with the image at left/top: imgproxy's
   * extend and padding. Filled with `background` when asked, else transparent.
   */
  canvas?: Rect & { fill: 'background' | 'transparent' };
  /** Cloudflare's `border` in output pixels (dpr applied): `output` includes it; pipeline/border.ts draws it. */
  border?: { top: number; right: number; bottom: number; left: number };
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
  if (o.resizing) return planResizing(source, o, o.resizing, maxDimension);
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
  let focus: FocusFreedom | undefined;

  if (reqW === undefined && reqH === undefined) {
    // Whole pixels: Cloudflare's trim values may be fractional, so the trimmed size may be too.
    resize = { width: clampInt(availW), height: clampInt(availH) };
  } else if (reqW === undefined || reqH === undefined) {
    // One side given: keep the aspect ratio; only scale-down forbids enlarging.
    const scale = reqW !== undefined ? reqW / availW : reqH! / availH;
    // scale-up is scale-down's mirror: it only ever enlarges (a larger source keeps its size).
    const s = o.fit === 'scale-down' || o.fit === 'crop' || o.fit === 'aspect-crop' ? Math.min(1, scale) : o.fit === 'scale-up' ? Math.max(1, scale) : cap(scale);
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
      case 'scale-up':
        // Cloudflare's scale-up (2026 changelog: "always enlarge images"): contain, but a source
        // already larger than the box is never shrunk, scale-down's mirror image.
        resize = sized(availW, availH, Math.max(1, contain), half);
        break;
      case 'aspect-crop': {
        // Cloudflare's aspect-crop ("always preserve the target aspect ratio"): the largest window of
        // the box's aspect ratio, cut by gravity, shrunk to the box but never enlarged. Where crop
        // would hand back a window of another shape (a source smaller than the box), this one
        // keeps the box's shape at 1:1.
        const k = reqW / reqH;
        const winW = Math.min(availW, availH * k);
        const winH = winW / k;
        const s = Math.min(1, reqW / winW);
        const area = crop;
        crop = placeWindow(area, winW, winH, typeof o.gravity === 'string' ? { x: 0.5, y: 0.5 } : o.gravity);
        resize = { width: clampInt(winW * s), height: clampInt(winH * s) };
        if (typeof o.gravity === 'string') focus = focusFreedom(o.gravity, o.zoom ?? 0, area, crop, resize);
        break;
      }
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
        // Content-aware modes start centred; src/focus/ then moves the window (refocusPlan).
        const g = o.focalPixel
          ? { x: clamp((o.focalPixel.x - crop.left) / availW, 0, 1), y: clamp((o.focalPixel.y - crop.top) / availH, 0, 1) }
          : typeof o.gravity === 'string' ? { x: 0.5, y: 0.5 } : o.gravity;
        // Thumbor skips its crop when the aspect ratios agree to two decimals (and resizes, slightly stretching).
        const sameAspect = o.thumborBox && round2(availW / availH) === round2(reqW / reqH);
        const area = crop;
        if (!sameAspect) crop = placeWindow(area, outW / s, outH / s, g);
        resize = { width: outW, height: outH };
        if (typeof o.gravity === 'string' && !o.focalPixel && !sameAspect) focus = focusFreedom(o.gravity, o.zoom ?? 0, area, crop, resize);
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
  // Cloudflare's border: added after resizing (and padding), its widths times dpr; the output grows by it.
  const border = o.border && {
    top: Math.round(o.border.top * o.dpr), right: Math.round(o.border.right * o.dpr),
    bottom: Math.round(o.border.bottom * o.dpr), left: Math.round(o.border.left * o.dpr),
  };
  if (border) {
    output.width += border.left + border.right;
    output.height += border.top + border.bottom;
  }
  if (output.width > maxDimension || output.height > maxDimension) {
    throw tooLarge(`output ${output.width}x${output.height} exceeds MAX_DIMENSION ${maxDimension}`, 'width');
  }
  const plan: TransformPlan = focus ? { crop, resize, pad, output, focus } : { crop, resize, pad, output };
  if (border) plan.border = border;
  return plan;
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

// --- imgproxy geometry (issue 12) ---
// Follows imgproxy's own order (processing/prepare.go, crop.go, extend.go, padding.go):
// crop region -> scale (calcScale) -> rotate/flip -> crop to the requested box by
// gravity -> extend onto the box -> padding. It works in the rotated+flipped frame, as
// imgproxy does, and maps the cut back to the displayed source for our pipeline.

const round = (n: number) => Math.round(n);

/** imgproxy's calcScale: x and y scale factors for a srcW x srcH region. */
export function imgproxyScale(srcW: number, srcH: number, o: TransformOptions, r: Resizing): { x: number; y: number } {
  const dstW = o.width ? o.width : srcW;
  const dstH = o.height ? o.height : srcH;
  let ws = dstW === srcW ? 1 : srcW / dstW;
  let hs = dstH === srcH ? 1 : srcH / dstH;
  ws /= o.dpr;
  hs /= o.dpr;
  if (ws !== 1 || hs !== 1) {
    let type = r.type;
    if (type === 'auto') {
      // Same orientation (both landscape or both portrait): fill; otherwise fit.
      type = (srcW - srcH >= 0) === (dstW - dstH >= 0) ? 'fill' : 'fit';
    }
    if (!o.width && type !== 'force') ws = hs;
    else if (!o.height && type !== 'force') hs = ws;
    else if (type === 'fit') ws = hs = Math.max(ws, hs);
    else if (type === 'fill' || type === 'fill-down') ws = hs = Math.min(ws, hs);
  }
  ws /= r.zoom.x;
  hs /= r.zoom.y;
  if (!r.enlarge) {
    if (ws < 1) {
      hs /= ws;
      ws = 1;
    }
    if (hs < 1) {
      ws /= hs;
      hs = 1;
    }
  }
  if (r.minWidth > 0 && srcW / r.minWidth < ws) {
    const min = srcW / r.minWidth;
    hs /= ws / min;
    ws = min;
  }
  if (r.minHeight > 0 && srcH / r.minHeight < hs) {
    const min = srcH / r.minHeight;
    ws /= hs / min;
    hs = min;
  }
  ws = Math.min(ws, srcW);
  hs = Math.min(hs, srcH);
  return { x: 1 / ws, y: 1 / hs };
}

/** imgproxy's calcPosition: where an inner box sits in an outer one, by gravity and offsets, clamped inside. */
function position(outer: number, inner: number, g: number, offset: number | undefined, offsetScale: number): number {
  let pos: number;
  if (offset === undefined) {
    pos = g * outer - inner / 2; // focus point (and named gravities without offsets: same after clamping)
  } else {
    const off = offset >= 1 || offset <= -1 ? offset * offsetScale : offset * outer;
    // Offsets push inward from the anchored edge: away from the right/bottom edge for east/south.
    pos = g * (outer - inner) + (g === 1 ? -off : off);
  }
  return Math.round(Math.min(Math.max(0, outer - inner), Math.max(0, pos)));
}

function point(g: GravityOption): Gravity {
  // Content-aware modes are resolved to a focal point before planning (src/focus/); centre until then.
  return typeof g === 'string' ? { x: 0.5, y: 0.5 } : g;
}

function place(outerW: number, outerH: number, w: number, h: number, g: GravityOption, off: GravityOffset | undefined, scale: number): Rect {
  const p = point(g);
  return { left: position(outerW, w, p.x, off?.x, scale), top: position(outerH, h, p.y, off?.y, scale), width: w, height: h };
}

/** imgproxy's calcCropSize: 0 is the whole side, < 1 a fraction, >= 1 pixels. */
function regionSize(full: number, v: number): number {
  if (v === 0) return full;
  return Math.min(full, v >= 1 ? Math.floor(v) : Math.max(1, round(full * v)));
}

function planResizing(display: { width: number; height: number }, o: TransformOptions, r: Resizing, maxDimension: number): TransformPlan {
  const quarter = o.rotate === 90 || o.rotate === 270;
  // The rotated frame, where imgproxy measures every size and gravity.
  const W = quarter ? display.height : display.width;
  const H = quarter ? display.width : display.height;

  let region: Rect = { left: 0, top: 0, width: W, height: H };
  if (r.region) {
    const w = regionSize(W, r.region.width);
    const h = regionSize(H, r.region.height);
    region = place(W, H, w, h, r.region.gravity, r.region.offset, 1);
  }

  const scale = imgproxyScale(region.width, region.height, o, r);
  const rw = clampInt(region.width * scale.x);
  const rh = clampInt(region.height * scale.y);

  // cropToResult: the requested box (0 = that side as resized), in output pixels.
  const reqW = o.width ? round(o.width * o.dpr * r.zoom.x) : 0;
  const reqH = o.height ? round(o.height * o.dpr * r.zoom.y) : 0;
  let [boxW, boxH] = [reqW, reqH];
  if (r.type === 'fill-down' && boxW && boxH) {
    // The resized image is smaller than the box: keep the box's aspect ratio instead of its size.
    const dw = boxW / rw;
    const dh = boxH / rh;
    if (dw > dh && dw > 1) {
      boxH = round((rw * boxH) / boxW);
      boxW = rw;
    } else if (dh > dw && dh > 1) {
      boxW = round((rh * boxW) / boxH);
      boxH = rh;
    }
  }
  const cw = boxW ? Math.min(boxW, rw) : rw;
  const ch = boxH ? Math.min(boxH, rh) : rh;
  const win = place(rw, rh, cw, ch, o.gravity, r.offset, o.dpr);
  const fx = region.width / rw;
  const fy = region.height / rh;
  const cut: Rect = { left: region.left + win.left * fx, top: region.top + win.top * fy, width: cw * fx, height: ch * fy };

  let canvas: TransformPlan['canvas'];
  let outW = cw;
  let outH = ch;
  let left = 0;
  let top = 0;
  // extend: onto the box as requested (not as fill-down narrowed it); a side given as 0 is the image's.
  const extW = Math.max(reqW || cw, cw);
  const extH = Math.max(reqH || ch, ch);
  if (r.extend && (extW > cw || extH > ch)) {
    const at = place(extW, extH, cw, ch, r.extend.gravity, r.extend.offset, o.dpr);
    [outW, outH, left, top] = [extW, extH, at.left, at.top];
  }
  // extend_aspect_ratio: the smallest canvas of the box's aspect ratio around what we have.
  if (r.extendAspectRatio && reqW && reqH) {
    const ar = reqW / reqH;
    const [w, h] = outW / outH > ar ? [outW, round(outW / ar)] : [round(outH * ar), outH];
    if (w > outW || h > outH) {
      const at = place(w, h, outW, outH, r.extendAspectRatio.gravity, r.extendAspectRatio.offset, o.dpr);
      [outW, outH, left, top] = [w, h, left + at.left, top + at.top];
    }
  }
  if (o.padding) {
    const p = o.padding;
    const [pt, pr, pb, pl] = [p.top, p.right, p.bottom, p.left].map((v) => round(v * o.dpr)) as [number, number, number, number];
    [outW, outH, left, top] = [outW + pl + pr, outH + pt + pb, left + pl, top + pt];
  }
  if (outW !== cw || outH !== ch) {
    canvas = { left, top, width: outW, height: outH, fill: o.flatten ? 'background' : 'transparent' };
  }
  if (outW > maxDimension || outH > maxDimension) {
    throw tooLarge(`output ${outW}x${outH} exceeds MAX_DIMENSION ${maxDimension}`, 'width');
  }
  const crop = toDisplayFrame(cut, W, H, o);
  const plan: TransformPlan = {
    crop,
    resize: quarter ? { width: ch, height: cw } : { width: cw, height: ch },
    output: { width: outW, height: outH },
    canvas,
  };
  // g:sm: the cut may move inside the region, chosen by src/focus/ as for Cloudflare's gravity=auto
  // (imgproxy's smart gravity is libvips' attention strategy: docs.imgproxy.net "gravity").
  if (o.gravity === 'auto' && (cw < rw || ch < rh)) {
    const area = toDisplayFrame(region, W, H, o);
    plan.focus = { mode: 'auto', area, zoom: 0, window: { width: crop.width, height: crop.height }, minWindow: { width: crop.width, height: crop.height } };
  }
  return plan;
}

/** Maps a rect of the rotated+flipped frame (W x H) back to the displayed source: undo flip, then rotate. */
function toDisplayFrame(rect: Rect, W: number, H: number, o: TransformOptions): Rect {
  let { left, top } = rect;
  const { width, height } = rect;
  if (o.flip === 'h' || o.flip === 'hv') left = W - left - width;
  if (o.flip === 'v' || o.flip === 'hv') top = H - top - height;
  // W x H is the rotated frame, so the display frame is H x W for quarter turns.
  switch (o.rotate) {
    case 90: // clockwise: display x = rotated y, display y = (display height - 1) - rotated x
      return { left: top, top: W - left - width, width: height, height: width };
    case 270:
      return { left: H - top - height, top: left, width: height, height: width };
    case 180:
      return { left: W - left - width, top: H - top - height, width, height };
    default:
      return { left, top, width, height };
  }
}
// --- end imgproxy geometry ---

/**
 * The smallest stored-orientation size the decoder may shrink to on load and
 * still give the resize step at least as many pixels as it outputs.
 */
export function decodeHintFor(plan: TransformPlan, probe: { displayWidth: number; displayHeight: number; orientation: number; format?: string }): DecodeHint {
  // Face zoom may shrink the window after decode: decode for the smallest it may become.
  const crop = plan.focus?.minWindow ?? plan.crop;
  const scale = Math.max(plan.resize.width / crop.width, plan.resize.height / crop.height);
  // A vector source renders at any size: it is asked for enlargements too, so it is never upscaled as pixels.
  if (scale >= 1 && probe.format !== 'svg') return {};
  const w = Math.ceil(probe.displayWidth * scale);
  const h = Math.ceil(probe.displayHeight * scale);
  return probe.orientation >= 5 ? { minWidth: h, minHeight: w } : { minWidth: w, minHeight: h };
}
