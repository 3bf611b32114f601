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
  gravity: Gravity;
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
}

/** Limits that bound option values; they come from the typed config. */
export interface OptionLimits {
  maxDimension: number;
  allowedWidths?: ReadonlySet<number>;
  allowedQualities?: ReadonlySet<number>;
}
