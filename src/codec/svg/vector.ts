/**
 * @module codec/svg/vector
 * What the request means for a vector source, and the sanitised pass-through.
 *
 * "Never enlarge" (Cloudflare's `fit=scale-down` and `crop`, Thumbor's fit-in
 * and `no_upscale()`, imgproxy without `enlarge:1`) protects raster sources
 * from blur; an SVG has no pixels to blur, and its intrinsic size is only a
 * default (imgproxy likewise scales SVGs up). So for an SVG those fits become
 * their enlarging twins (scale-down -> contain, crop -> cover) and the
 * no-enlarge flags are cleared; the rest of the request is unchanged.
 *
 * The pass-through (`format=svg`, or SVG_PASSTHROUGH for every SVG source) is
 * what Cloudflare does with SVG: delivered, never resized, sanitised
 * (developers.cloudflare.com/images/transform-images/ "SVG files"). Its
 * response carries a Content-Security-Policy that forbids scripts, plugins and
 * every fetch but inline styles and data: images, so even markup the
 * sanitiser missed runs nothing when the file is opened from our origin.
 */
import type { TransformOptions } from '../../options/types';
import { svgText } from './inspect';
import { sanitizeSvg } from './sanitize';

/** The options with never-enlarge semantics lifted, for a vector source. */
export function vectorOptions(o: TransformOptions): TransformOptions {
  const { enlarge, ...rest } = o;
  const fit = o.fit === 'scale-down' ? 'contain' : o.fit === 'crop' ? 'cover' : o.fit;
  return {
    ...rest,
    fit,
    ...(enlarge === true ? { enlarge } : {}),
    ...(o.resizing ? { resizing: { ...o.resizing, enlarge: true } } : {}),
  };
}

/** The Content-Security-Policy of every SVG response (CSP Level 3 directives). */
export const SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox";

/** The sanitised document's bytes. */
export function sanitizedSvgBytes(source: Uint8Array): Uint8Array {
  return new TextEncoder().encode(sanitizeSvg(svgText(source)));
}
