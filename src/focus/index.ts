/**
 * @module focus
 * Content-aware cropping: which part of an image to keep. One input (a small RGBA
 * preview of the oriented, trimmed source and the window the plan may place), one
 * output (the window in [0,1] units of that area, its focal point, scores, faces).
 * Cloudflare's `gravity=auto` and `gravity=face` (+ `zoom`) use it through src/refocus.ts;
 * Thumbor's `smart` and imgproxy's `g:sm` map onto `auto`.
 *
 * - auto: a saliency map (focus/saliency) and an exhaustive weighted window search
 *   (focus/window).
 * - face: face-api.js's TinyFaceDetector (focus/face-detector). Every face found is
 *   framed; `zoom` (Cloudflare: 0 keeps as much background as possible, 1 crops as
 *   closely to the faces as possible) moves the window's size from the largest the
 *   plan allows to the smallest that holds every face with its head and shoulders
 *   room. No face: the auto result, marked `fallback: 'no face'`.
 * Pure and deterministic: the same pixels and request give the same window.
 */
import type { Raster } from '../codec/types';
import { detectFaces, detectorBytes, mergeFaces, type FaceBox } from './face-detector';
import { shrinkRaster, type UnitRect } from './preview';
import { saliencyMap, skinPeaks } from './saliency';
import { placeWindow } from './window';

export type { FaceBox } from './face-detector';
export { makePreview, type UnitRect } from './preview';

/**
 * Longest side of the preview the caller should make, per mode: face needs the
 * detail for its close-up passes (a face a tenth of the image wide is 32 px here).
 */
export const PREVIEW_SIDE = { auto: 160, face: 320 } as const;
/** Longest side of the saliency map. */
const SALIENCY_SIDE = 96;
/**
 * The detector's square input; face-api.js recommends 128..608. Its smallest anchor
 * is 1.6 x 2.1 cells of 32 px, so one pass finds faces of about a third of the
 * image's side and up: the whole preview at 128 finds close-ups, and close-up passes
 * at 128 over the strongest skin-coloured spots find the smaller faces of half-length
 * shots and groups (a stand-in for an image pyramid, at a fraction of its cost).
 * A 160 px whole-image pass found the same faces on the benchmark's portraits, 3 ms slower.
 */
const FACE_INPUT = 128;
const CLOSEUP_INPUT = 128;
const CLOSEUP_PASSES = 2;
/** A close-up pass covers this share of the preview's shorter side. */
const CLOSEUP_SIDE = 0.45;

export interface FocusRequest {
  mode: 'auto' | 'face';
  /** The largest window the plan allows ([0,1] units of the preview), with the output's aspect ratio. */
  window: { width: number; height: number };
  /** The smallest window zoom may shrink to (same aspect); defaults to `window`. */
  minWindow?: { width: number; height: number };
  /** Cloudflare's zoom for faces, 0..1. */
  zoom?: number;
}

export interface FocusResult {
  /** The chosen window, [0,1] units of the preview (the plan's area). */
  window: UnitRect;
  /** What the window is about: the faces' centre (face), or the saliency's centroid inside the window (auto). */
  focal: { x: number; y: number };
  /** The strategy that chose the window. */
  mode: 'auto' | 'face';
  /** Set when gravity=face found no face and saliency chose instead. */
  fallback?: 'no face';
  /** Share of the saliency inside the window (auto), or the lowest face score (face). */
  score: number;
  faces: FaceBox[];
  /** JS bytes the decision held at its peak besides the preview (memory accounting). */
  scratchBytes: number;
}

export function findFocus(preview: Raster, req: FocusRequest): FocusResult {
  if (req.mode === 'face') {
    const faces = findFaces(preview);
    const scratchBytes = detectorBytes(FACE_INPUT);
    if (faces.length > 0) return { ...frameFaces(preview, faces, req), scratchBytes };
    return { ...findSalient(preview, req.window), fallback: 'no face', scratchBytes };
  }
  return findSalient(preview, req.window);
}

/** A whole-image pass, then close-up passes over skin-coloured spots no face found so far explains. */
function findFaces(preview: Raster): FaceBox[] {
  let faces = detectFaces(preview, { inputSize: FACE_INPUT });
  const short = Math.min(preview.width, preview.height);
  const side = Math.round(short * CLOSEUP_SIDE);
  if (side < 48) return faces;
  const inside = (f: FaceBox, p: { x: number; y: number }) => p.x >= f.x && p.x <= f.x + f.width && p.y >= f.y && p.y <= f.y + f.height;
  let passes = 0;
  for (const peak of skinPeaks(shrinkRaster(preview, SALIENCY_SIDE), 4)) {
    if (passes >= CLOSEUP_PASSES) break;
    if (faces.some((f) => inside(f, peak))) continue;
    passes++;
    const left = Math.round(Math.min(preview.width - side, Math.max(0, peak.x * preview.width - side / 2)));
    const top = Math.round(Math.min(preview.height - side, Math.max(0, peak.y * preview.height - side / 2)));
    const tile = cropRaster(preview, left, top, side, side);
    const found = detectFaces(tile, { inputSize: CLOSEUP_INPUT }).map((f) => ({
      ...f,
      x: (left + f.x * side) / preview.width, y: (top + f.y * side) / preview.height,
      width: (f.width * side) / preview.width, height: (f.height * side) / preview.height,
    }));
    faces = mergeFaces([...faces, ...found]);
  }
  return faces;
}

function cropRaster(r: Raster, left: number, top: number, width: number, height: number): Raster {
  const w = Math.min(width, r.width - left), h = Math.min(height, r.height - top);
  const data = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) data.set(r.data.subarray(((top + y) * r.width + left) * 4, ((top + y) * r.width + left + w) * 4), y * w * 4);
  return { width: w, height: h, data };
}

function findSalient(preview: Raster, size: { width: number; height: number }): FocusResult {
  const map = saliencyMap(shrinkRaster(preview, SALIENCY_SIDE));
  const p = placeWindow(map, size.width, size.height);
  const window = centredWindow({ x: p.x + p.width / 2, y: p.y + p.height / 2 }, size);
  const focal = centroid(map, window);
  // The saliency stage's float planes (luminance, colour, cues, blur) at most ~12 per map pixel.
  return { window, focal, mode: 'auto', score: p.score, faces: [], scratchBytes: map.width * map.height * 4 * 12 };
}

/**
 * The faces' union grown to a head-and-shoulders box: hair above, chin and neck
 * below, ears beside (the detector's box is the face only: brows to chin).
 */
function subjectOf(faces: FaceBox[]): UnitRect {
  let x0 = 1, y0 = 1, x1 = 0, y1 = 0;
  for (const f of faces) {
    x0 = Math.min(x0, f.x - 0.35 * f.width);
    x1 = Math.max(x1, f.x + 1.35 * f.width);
    y0 = Math.min(y0, f.y - 0.45 * f.height);
    y1 = Math.max(y1, f.y + 1.35 * f.height);
  }
  x0 = Math.max(0, x0); y0 = Math.max(0, y0); x1 = Math.min(1, x1); y1 = Math.min(1, y1);
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/**
 * Frames every face: the window's size goes from the largest the plan allows (zoom 0)
 * to the smallest holding every face's head (zoom 1); its place is the saliency search
 * over a map where the faces' heads outweigh everything else, so the window holds all
 * detected faces whenever it can, and the rest of it goes to what else is salient
 * (often a face the detector missed: skin is one of the saliency cues).
 */
function frameFaces(preview: Raster, faces: FaceBox[], req: FocusRequest): Omit<FocusResult, 'scratchBytes'> {
  const subject = subjectOf(faces);
  const max = req.window;
  const min = req.minWindow ?? max;
  // Window shape in [0,1] units: width/height of the window relative to the area.
  const k = max.width / max.height;
  const tight = Math.max(subject.width, subject.height * k);
  const zoom = req.zoom ?? 0;
  const width = Math.min(max.width, Math.max(min.width, max.width + (tight - max.width) * zoom));
  const size = { width, height: width / k };

  const map = saliencyMap(shrinkRaster(preview, SALIENCY_SIDE));
  let peak = 0;
  for (const v of map.data) peak = Math.max(peak, v);
  const heads = faces.map((f) => subjectOf([f]));
  for (let y = 0; y < map.height; y++) {
    for (let x = 0; x < map.width; x++) {
      const u = (x + 0.5) / map.width, v = (y + 0.5) / map.height;
      if (heads.some((h) => u >= h.x && u <= h.x + h.width && v >= h.y && v <= h.y + h.height)) map.data[y * map.width + x]! += 1 * (peak || 1);
    }
  }
  const p = placeWindow(map, size.width, size.height);
  return {
    window: centredWindow({ x: p.x + p.width / 2, y: p.y + p.height / 2 }, size),
    focal: { x: subject.x + subject.width / 2, y: subject.y + subject.height / 2 },
    mode: 'face',
    score: Math.min(...faces.map((f) => f.score)),
    faces,
  };
}

/** The saliency-weighted centre of `m` inside `w` ([0,1] units); the window's centre when it holds none. */
function centroid(m: { width: number; height: number; data: Float32Array }, w: UnitRect): { x: number; y: number } {
  let sx = 0, sy = 0, total = 0;
  for (let y = 0; y < m.height; y++) {
    const v = (y + 0.5) / m.height;
    if (v < w.y || v > w.y + w.height) continue;
    for (let x = 0; x < m.width; x++) {
      const u = (x + 0.5) / m.width;
      if (u < w.x || u > w.x + w.width) continue;
      const s = m.data[y * m.width + x]!;
      sx += s * u;
      sy += s * v;
      total += s;
    }
  }
  return total > 0 ? { x: sx / total, y: sy / total } : { x: w.x + w.width / 2, y: w.y + w.height / 2 };
}

/** A window of `size` centred on `focal`, moved (not shrunk) to lie inside [0,1]. */
function centredWindow(focal: { x: number; y: number }, size: { width: number; height: number }): UnitRect {
  const width = Math.min(1, size.width), height = Math.min(1, size.height);
  const x = Math.min(1 - width, Math.max(0, focal.x - width / 2));
  const y = Math.min(1 - height, Math.max(0, focal.y - height / 2));
  return { x, y, width, height };
}
