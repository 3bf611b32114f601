/**
 * @module overlays
 * Overlay sources (Cloudflare's `draw`, Thumbor's `watermark()`, imgproxy's
 * `watermark`): fetched exactly like the main source — the same resolution rules,
 * source policy (`checkUrl`, so a forbidden URL is 403), byte limit, timeout and
 * edge cache (origin.ts fetchSource) — and probed and bounded before any pixel work.
 * transform.ts fetches them beside the main source, then decodes them with the
 * same decoders; pipeline/overlay.ts composites them.
 */
import { decodeImage } from './codec/decode';
import type { Raster } from './codec/types';
import { invalidParam, tooLarge } from './errors';
import { checkSourceLimits, type SourceLimits } from './limits';
import type { Overlay } from './options/types';
import { assertNotEmpty, fetchSource, type OriginDeps } from './origin';
import { orientRaster } from './pipeline/orient';
import { probeImage, type Probe } from './probe';
import { resolveSource, type SourceSettings } from './source';

/** At most this many overlays per request. */
export const MAX_OVERLAYS = 8;
/** An overlay's decoded pixels are bounded (4 MP = 16 MB of RGBA each). */
export const MAX_OVERLAY_PIXELS = 4_000_000;

export interface FetchedOverlay {
  overlay: Overlay;
  bytes: Uint8Array;
  probe: Probe;
}

export interface OverlayImage {
  overlay: Overlay;
  /** Decoded and oriented as displayed. */
  raster: Raster;
}

/** Fetches and probes every overlay; throws the same errors a main source would (403, 404, 413, 415...). */
export async function fetchOverlays(draw: readonly Overlay[] | undefined, deps: { origin: OriginDeps; settings: SourceSettings; limits: SourceLimits }): Promise<FetchedOverlay[]> {
  if (!draw?.length) return [];
  if (draw.length > MAX_OVERLAYS) throw invalidParam('draw', `at most ${MAX_OVERLAYS} overlays per image`);
  return Promise.all(draw.map(async (overlay) => {
    const source = await fetchSource(resolveSource(overlay.url, deps.settings), deps.origin);
    assertNotEmpty(source.bytes);
    const probe = probeImage(source.bytes);
    source.keep?.();
    checkSourceLimits(probe, deps.limits);
    if (probe.width * probe.height > MAX_OVERLAY_PIXELS) {
      throw tooLarge(`overlay ${probe.width}x${probe.height} has more than ${MAX_OVERLAY_PIXELS} pixels`, 'draw');
    }
    return { overlay, bytes: source.bytes, probe };
  }));
}

/** Decodes fetched overlays (first frame of an animation), oriented as displayed. */
export async function decodeOverlays(fetched: readonly FetchedOverlay[]): Promise<OverlayImage[]> {
  const out: OverlayImage[] = [];
  for (const { overlay, bytes, probe } of fetched) {
    const raster = orientRaster(await decodeImage(bytes, probe.format), probe.orientation);
    out.push({ overlay, raster });
  }
  return out;
}
