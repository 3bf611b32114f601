/**
 * @module passthrough
 * Decides when a transform that changed nothing serves the source's own bytes
 * (issue 13 §4): a re-encode of an image already at the asked size and format
 * can come out larger than the file it came from. Pure: facts in, yes/no out.
 */
import type { OutputFormat } from './codec/types';
import { DEFAULT_OPTIONS } from './options/params';
import type { TransformOptions } from './options/types';
import type { TransformPlan } from './plan';
import type { Probe } from './probe';

/**
 * Options that choose size, format or delivery but not pixels: with the output at
 * the source's own size and format they leave the image as it is. Any other option
 * (blur, rotate, trim, draw, imgproxy/Thumbor filters, and options added later)
 * with a value other than its default rules a passthrough out.
 */
const NEUTRAL_KEYS: ReadonlySet<string> = new Set([
  'width', 'height', 'dpr', 'fit', 'gravity', 'zoom', 'quality', 'formatQuality', 'format',
  'anim', 'onerror', 'filename', 'attachment', 'maxAge', 'maxBytes', 'colorProfile', 'autoRotate',
  // Cloudflare's metadata policy changes no pixel, and the rule below serves only sources with no
  // metadata at all, so no policy can be bypassed by the source's bytes (GPS is never handed out).
  // The client-hint decisions likewise only choose size and quality.
  'metadata', 'widthAuto', 'slowConnectionQuality', 'slowConnection',
]);

export interface PassthroughFacts {
  probe: Probe;
  options: TransformOptions;
  plan: TransformPlan;
  /** The format the encoder wrote. */
  format: OutputFormat;
  /** The source's metadata (probe.ts sourceMetadata): only false lets it be handed out. */
  metadata: boolean | undefined;
  /** True when the colour plan would change the pixels or embed a profile (ColourJob.active) or convert CMYK. */
  colourWork: boolean;
  sourceBytes: number;
  encodedBytes: number;
}

/**
 * True when the source's bytes are a smaller answer to the request than the
 * encoded result: same format, same displayed size with nothing cropped or padded,
 * orientation 1, no colour conversion, no pixel option, and no metadata at all in
 * the source (stricter than "none the request would strip": every re-encode drops
 * EXIF, XMP, IPTC and comments, so a source carrying any is never handed out).
 */
export function shouldServeSource(f: PassthroughFacts): boolean {
  const { probe, plan, options } = f;
  if (f.encodedBytes <= f.sourceBytes) return false;
  if (f.format !== probe.format || probe.animated || probe.orientation !== 1) return false;
  if (f.metadata !== false || f.colourWork) return false;
  if (options.maxBytes !== undefined && f.sourceBytes > options.maxBytes) return false;
  const w = probe.displayWidth;
  const h = probe.displayHeight;
  const sameSize = plan.output.width === w && plan.output.height === h && plan.resize.width === w && plan.resize.height === h;
  const uncropped = plan.crop.left === 0 && plan.crop.top === 0 && plan.crop.width === w && plan.crop.height === h;
  if (!sameSize || !uncropped || plan.pad || plan.canvas) return false;
  const defaults = DEFAULT_OPTIONS as Record<string, unknown>;
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined || NEUTRAL_KEYS.has(key)) continue;
    if (JSON.stringify(value) !== JSON.stringify(defaults[key])) return false;
  }
  return true;
}
