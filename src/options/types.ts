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
}

/** Limits that bound option values; they come from the typed config. */
export interface OptionLimits {
  maxDimension: number;
  allowedWidths?: ReadonlySet<number>;
  allowedQualities?: ReadonlySet<number>;
}
