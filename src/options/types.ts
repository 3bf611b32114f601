/**
 * @module options/types
 * The typed result of parsing a request's transform parameters. Plain data: every
 * later stage (negotiation, planning, pipeline, cache key) reads only this.
 */

/**
 * `outside` (not in Cloudflare's grammar): keep the aspect ratio and cover the box
 * without cropping, one side equal to the box and the other larger (Thumbor's
 * full-fit-in; sharp's fit `outside`).
 */
export type Fit = 'scale-down' | 'contain' | 'cover' | 'crop' | 'pad' | 'squeeze' | 'outside'
  // Cloudflare's 2026 fit modes (issue 13): see src/plan.ts and docs/api.md.
  | 'scale-up' | 'aspect-crop';

/** Requested output format; `auto` is resolved by `negotiate.ts`, `json` answers metadata, `svg` passes an SVG source through sanitised. */
export type FormatOption = 'jpeg' | 'png' | 'webp' | 'avif' | 'gif' | 'jxl' | 'auto' | 'json' | 'svg';

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
  /** Largest share (0..1] of the output's width / height the overlay may take, aspect kept (Thumbor's w_ratio/h_ratio). */
  widthRatio?: number;
  heightRatio?: number;
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
  /** Cloudflare's `compression=fast`: the encoders' fastest effort (WebP method 0, AVIF speed 10), larger files. */
  compression?: 'fast';
  /** Upper bound on the encoded size: lossy quality is lowered until it fits (Thumbor/imgproxy `max_bytes`). */
  maxBytes?: number;

  // --- Cloudflare options (issue 13, the rest of part 1): see docs/api.md "Cloudflare options: status" ---
  /**
   * Cloudflare's `metadata`: which EXIF/XMP of the source the output carries (src/metadata/).
   * Absent: `copyright` for JPEG output, nothing for other formats (Cloudflare's default).
   */
  metadata?: 'keep' | 'copyright' | 'none';
  /** Cloudflare's `width=auto`: src/client-hints.ts sets `width` from the request's hints; kept so the cache key says so. */
  widthAuto?: boolean;
  /** Cloudflare's `slow-connection-quality`/`scq`: the quality when the client hints a slow connection. */
  slowConnectionQuality?: { quality: number; formatQuality?: Partial<Record<'jpeg' | 'png' | 'webp' | 'avif', number>> };
  /** The slow-connection decision src/client-hints.ts made (in the cache key instead of the raw headers). */
  slowConnection?: boolean;
  /** Cloudflare's `border`: added around the image after resizing, widths in CSS pixels (times dpr in the plan). */
  border?: { color: Rgba; top: number; right: number; bottom: number; left: number };
  // --- end Cloudflare options ---

  // --- Added for the Thumbor dialect (usable by any dialect; none is in Cloudflare's grammar) ---
  /** `false`: no fit ever enlarges (Thumbor's fit-in and `no_upscale()`). */
  enlarge?: boolean;
  /** Thumbor's `orig`: this side of the box is the (cropped) source's own size. */
  orig?: 'width' | 'height' | 'both';
  /**
   * Thumbor's box rounding (transformer.py): a missing side is first computed from the source's
   * aspect and rounded half-to-even, and crop-to-fill does not crop when both aspect ratios agree
   * to two decimals. Keeps output sizes and crops equal to Thumbor's, pixel for pixel.
   */
  thumborBox?: boolean;
  /** Thumbor's adaptive fit-in: swap the box's sides when the source's orientation differs. */
  adaptive?: boolean;
  /** Manual crop in displayed source pixels, right/bottom exclusive (Thumbor's `AxB:CxD`); clamped, ignored when empty. */
  region?: { left: number; top: number; right: number; bottom: number };
  /** A focal point in displayed source pixels (Thumbor's `focal()`); wins over `gravity`. */
  focalPixel?: { x: number; y: number };
  /** Scales the final size by this factor (Thumbor's `proportion()`). */
  proportion?: number;
  /** Trim a uniform border by colour (Thumbor's `trim`), taking the colour from a corner. */
  trimBorder?: {
    corner: 'top-left' | 'bottom-right';
    tolerance: number;
    /** Cloudflare's `trim.color`: the border colour to trim, instead of the corner pixel's. */
    color?: Rgba;
    /** Cloudflare's `trim.keep`: pixels of the found border left on each side. */
    keep?: number;
  };
  /** Added to each channel, -255..255 (Thumbor's `rgb()` and `brightness()`). */
  rgbOffset?: { r: number; g: number; b: number };
  /** Rounded corners with radii in output pixels, outside filled with `color` (Thumbor's `round_corner()`). */
  roundCorner?: { rx: number; ry: number; color: Rgba };
  /** What fills fit=pad's bars instead of `background`: the image blurred, or its median colour (Thumbor's `fill(blur)`, `fill(auto)`). */
  padFill?: 'blur' | 'auto';
  /** Cache-Control max-age of the response, seconds (Thumbor's `max_age()`). */
  maxAge?: number;

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
  formatQuality?: Partial<Record<'jpeg' | 'png' | 'webp' | 'avif' | 'gif' | 'jxl', number>>;
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
