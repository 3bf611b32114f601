/**
 * @module options/types
 * The typed result of parsing a request's transform parameters. Plain data: every
 * later stage (negotiation, planning, pipeline, cache key) reads only this.
 */

export type Fit = 'scale-down' | 'contain' | 'cover' | 'crop' | 'pad' | 'squeeze';

/** Requested output format; `auto` is resolved by `negotiate.ts`, `json` answers metadata. */
export type FormatOption = 'jpeg' | 'png' | 'webp' | 'avif' | 'auto' | 'json';

/** A focal point in [0,1] x [0,1] of the (oriented, trimmed) source; 0.5x0.5 is the centre. */
export interface Gravity {
  x: number;
  y: number;
}

/**
 * Gravity as requested: a focal point, or a content-aware mode that `src/focus/`
 * resolves to a focal point/window before planning (Cloudflare's `gravity=auto`
 * saliency and `gravity=face`; Thumbor's `smart` and imgproxy's `g:sm` map here).
 */
export type GravityOption = Gravity | 'auto' | 'face';

/**
 * One overlay composited onto the output (Cloudflare's `draw` entry; Thumbor's
 * `watermark()` and imgproxy's `watermark` map onto it). Positions are in output
 * pixels; `opacity` 0..1; `repeat` tiles it. Fetched through the same source policy.
 */
export interface Overlay {
  url: string;
  width?: number;
  height?: number;
  fit?: Fit;
  gravity?: Gravity;
  opacity?: number;
  repeat?: boolean | 'x' | 'y';
  top?: number;
  left?: number;
  bottom?: number;
  right?: number;
}

/** Straight (not premultiplied) RGBA, each 0..255. */
export interface Rgba {
  r: number;
  g: number;
  b: number;
  a: number;
}

export interface Trim {
  top: number;
  right: number;
  bottom: number;
  left: number;
}

export interface TransformOptions {
  width?: number;
  height?: number;
  dpr: number;
  fit: Fit;
  gravity: GravityOption;
  /** Cloudflare's `zoom` for gravity=face: 0 (loose) .. 1 (tight on the faces). */
  zoom?: number;
  quality: number;
  format?: FormatOption;
  background: Rgba;
  rotate?: 90 | 180 | 270;
  flip?: 'h' | 'v' | 'hv';
  blur?: number;
  sharpen?: number;
  brightness?: number;
  contrast?: number;
  saturation?: number;
  gamma?: number;
  trim?: Trim;
  anim: boolean;
  onerror?: 'redirect';
  /** Overlays, in drawing order. */
  draw?: Overlay[];
  /** `keep`: leave the source's ICC profile embedded and the pixels untouched (no conversion to sRGB). */
  colorProfile?: 'srgb' | 'keep';
  /** Upper bound on the encoded size: lossy quality is lowered until it fits (Thumbor/imgproxy `max_bytes`). */
  maxBytes?: number;
  // --- imgproxy semantics (issue 12): set by src/url/imgproxy.ts, honoured by plan.ts and the pipeline ---
  /** imgproxy's geometry; when set, plan.ts follows it instead of `fit` (docs.imgproxy.net/usage/processing). */
  resizing?: Resizing;
  /** Extra canvas around the result, in CSS pixels (times dpr), filled with `background` or transparent. */
  padding?: Trim;
  /** Block size of the pixelate filter, in CSS pixels (times dpr). */
  pixelate?: number;
  /** Composite transparency onto `background` whatever the output format (imgproxy's `background` does). */
  flatten?: boolean;
  /** false: ignore the EXIF orientation (imgproxy `auto_rotate:0`); the stored pixels are used as they are. */
  autoRotate?: boolean;
  /** Per-output-format quality, chosen once the format is known (imgproxy `format_quality`). */
  formatQuality?: Partial<Record<'jpeg' | 'png' | 'webp' | 'avif', number>>;
  /** Content-Disposition basename (without extension) and disposition. */
  filename?: string;
  attachment?: boolean;
  /** Changes the cache key and nothing else (imgproxy `cachebuster`). */
  cacheBuster?: string;
  // --- end imgproxy semantics ---
}

// --- imgproxy semantics (issue 12) ---
/** Gravity offsets: >= 1 is pixels (times dpr), < 1 a fraction of the outer size; inward from the anchored edge. */
export interface GravityOffset {
  x: number;
  y: number;
}

/**
 * imgproxy's resizing model (its processing/prepare.go calcScale, crop.go cropToResult,
 * extend.go): independent x/y scales from the resizing type, no enlarging unless asked,
 * then a crop to the requested box, then an optional extend onto the box.
 */
export interface Resizing {
  type: 'fit' | 'fill' | 'fill-down' | 'force' | 'auto';
  enlarge: boolean;
  zoom: { x: number; y: number };
  minWidth: number;
  minHeight: number;
  /** Offsets of the main `gravity` (named gravities only). */
  offset?: GravityOffset;
  /** imgproxy `crop`: a region cut before resizing; sizes >= 1 are pixels, < 1 fractions, 0 the full side. */
  region?: { width: number; height: number; gravity: GravityOption; offset?: GravityOffset };
  /** imgproxy `extend`: grow the canvas to the requested box, placing the image by gravity. */
  extend?: { gravity: Gravity; offset?: GravityOffset };
  /** imgproxy `extend_aspect_ratio`: grow the canvas to the box's aspect ratio, placing the image by gravity. */
  extendAspectRatio?: { gravity: Gravity; offset?: GravityOffset };
}
// --- end imgproxy semantics ---

/** Limits that bound option values; they come from the typed config. */
export interface OptionLimits {
  maxDimension: number;
  allowedWidths?: ReadonlySet<number>;
  allowedQualities?: ReadonlySet<number>;
}
