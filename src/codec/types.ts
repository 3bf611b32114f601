/**
 * @module codec/types
 * Plain data passed between the codec layer and the pipeline: a decoded image is
 * always 8-bit RGBA, row-major, no padding, held in JS (not in any WASM memory).
 */

/** Formats Thumbflare can read from a source. */
export type SourceFormat = 'jpeg' | 'png' | 'webp' | 'gif' | 'avif' | 'svg' | 'heic' | 'tiff';

/** Formats Thumbflare can write. */
export type OutputFormat = 'jpeg' | 'png' | 'webp' | 'avif' | 'gif' | 'jxl';

export interface Raster {
  width: number;
  height: number;
  /** RGBA8, length width * height * 4. */
  data: Uint8Array;
}

/**
 * What the decoder may shrink to on load: the decoded raster may be smaller than
 * the stored image but never smaller than minWidth x minHeight (stored orientation,
 * i.e. before EXIF orientation is applied). Absent: decode at full size.
 * A vector source (SVG) is rendered at the hinted size, larger than its intrinsic
 * size too (plan.ts decodeHintFor asks for enlargements only for vectors).
 */
export interface DecodeHint {
  minWidth?: number;
  minHeight?: number;
}
