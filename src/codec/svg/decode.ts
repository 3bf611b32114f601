/**
 * @module codec/svg/decode
 * SVG sources, rasterised by resvg (codec/svg/resvg) directly at the size the
 * plan needs: the plan works in the SVG's intrinsic size (codec/svg/inspect),
 * and the decode hint (plan.ts decodeHintFor, which for a vector source also
 * asks for enlargements) names the smallest raster the crop and resize need.
 * The whole document is rendered at the one zoom that meets it, so a 20x20 icon
 * asked for at 800 px is drawn at 800 px, never drawn at 20 and enlarged.
 *
 * The document rendered is the sanitised one (codec/svg/sanitize) with the
 * root's width and height set to the intrinsic size, so resvg and the plan agree
 * on geometry; no external reference survives to it, and resvg's own image
 * loading is never given anything to resolve.
 *
 * Fonts: none are bundled and WASM cannot load system fonts, so `<text>` renders
 * nothing (as with a browser that has no font at all). Outline text as paths for
 * logos; a font would add megabytes to the bundle for a rare case.
 */
import { corrupt, tooLarge } from '../../errors';
import type { DecodeHint, Raster } from '../types';
import { inspectSvg, svgText } from './inspect';
import { renderSvg } from './resvg';
import { sanitizeSvg } from './sanitize';

/** Hard stop for one render whatever the limits said (64 MP = 256 MiB of RGBA): a bug guard, not a policy. */
const MAX_RENDER_PIXELS = 64_000_000;

/** The zoom and raster size the hint asks for (1x when it asks for nothing). */
export function svgRenderSize(intrinsic: { width: number; height: number }, hint: DecodeHint): { zoom: number; width: number; height: number } {
  const zoom = Math.max(hint.minWidth ? hint.minWidth / intrinsic.width : 1, hint.minHeight ? hint.minHeight / intrinsic.height : 1, 1e-6);
  // resvg scales the size by the zoom and rounds up (tiny-skia IntSize::from_wh of ceil).
  return { zoom, width: Math.max(1, Math.ceil(intrinsic.width * zoom)), height: Math.max(1, Math.ceil(intrinsic.height * zoom)) };
}

/** Rasterises an SVG to straight (not premultiplied) RGBA8 at the hinted size. */
export function decodeSvg(bytes: Uint8Array, hint: DecodeHint): Raster {
  const info = inspectSvg(bytes);
  const size = svgRenderSize(info, hint);
  if (size.width * size.height > MAX_RENDER_PIXELS) throw tooLarge(`the SVG would render at ${size.width}x${size.height}`);
  const doc = sanitizeSvg(svgText(bytes), { rootSize: info });
  let rendered;
  try {
    rendered = renderSvg(new TextEncoder().encode(doc), {
      fitTo: { mode: 'zoom', value: size.zoom },
      font: { loadSystemFonts: false },
      shapeRendering: 2, // geometricPrecision: anti-aliased edges
      textRendering: 2,
      imageRendering: 0,
    });
  } catch (err) {
    throw corrupt(`the SVG source could not be rendered (${err instanceof Error ? err.message.slice(0, 160) : 'error'})`);
  }
  if (rendered.data.byteLength !== rendered.width * rendered.height * 4) throw corrupt('the SVG source rendered no image');
  return { width: rendered.width, height: rendered.height, data: unpremultiply(rendered.data) };
}

/** tiny-skia's premultiplied RGBA to straight RGBA, in place. */
function unpremultiply(px: Uint8Array): Uint8Array {
  for (let i = 0; i < px.length; i += 4) {
    const a = px[i + 3]!;
    if (a === 255 || a === 0) continue;
    const k = 255 / a;
    px[i] = Math.min(255, Math.round(px[i]! * k));
    px[i + 1] = Math.min(255, Math.round(px[i + 1]! * k));
    px[i + 2] = Math.min(255, Math.round(px[i + 2]! * k));
  }
  return px;
}
