/**
 * @module pipeline/step
 * The shape every pipeline step has: a raster in, a raster out, plain data
 * around it. A step whose option is absent returns its input untouched.
 */
import type { OutputFormat, Raster } from '../codec/types';
import type { OverlayImage } from '../overlays';
import type { TransformOptions } from '../options/types';
import type { TransformPlan } from '../plan';
import type { ColourJob } from '../color';

export interface StepContext {
  options: TransformOptions;
  plan: TransformPlan;
  /** Orientation of the decoded raster (EXIF 1..8). */
  orientation: number;
  /** Displayed (oriented) size of the source at full resolution; the plan's coordinates. */
  display: { width: number; height: number };
  /** Whether the decoded source has any non-opaque pixel. */
  hasAlpha: boolean;
  /**
   * False when the raster this step gets is known to be opaque: the source was, and every step
   * before that replaced it keeps opacity (pipeline/index KEEPS_OPAQUE). Kept up by runPipeline,
   * starting from `hasAlpha` unless the caller sets it.
   */
  mayHaveAlpha?: boolean;
  format: OutputFormat;
  /** `options.draw`, fetched and decoded before the pipeline runs (overlays.ts). */
  overlays?: readonly OverlayImage[];
  /** The source's colour work (color/index); absent: nothing to do. */
  colour?: ColourJob;
  /** Told the JS pixel bytes a step holds inside itself (e.g. resize's intermediate), for memory accounting. */
  observe?: (jsBytes: number) => void;
}

export type Step = (r: Raster, ctx: StepContext) => Raster | Promise<Raster>;

/** Allocates an RGBA raster, filled with a colour when given. */
export function createRaster(width: number, height: number, fill?: { r: number; g: number; b: number; a: number }): Raster {
  const data = new Uint8Array(width * height * 4);
  if (fill && (fill.r | fill.g | fill.b | fill.a) !== 0) {
    // One 32-bit store per pixel; RGBA bytes in memory order on a little-endian host.
    new Uint32Array(data.buffer).fill(((fill.a << 24) | (fill.b << 16) | (fill.g << 8) | fill.r) >>> 0);
  }
  return { width, height, data };
}
