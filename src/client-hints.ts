/**
 * @module client-hints
 * Cloudflare's two options that read the request's client hints, decided once per
 * request before the cache key is made (so the key holds the decision, never the raw
 * headers; the Cache API ignores Vary, platform-facts.md):
 *
 * - `width=auto` (developers.cloudflare.com/images/optimization/make-responsive-images/
 *   #transform-with-width-parameter): one of four widths, 1200 (large desktop), 960
 *   (desktop), 768 (tablet), 320 (mobile). Cloudflare reads the user agent by default and
 *   the `Sec-CH-DPR` / `Sec-CH-Viewport-Width` hints when the page delegates them. Ours,
 *   first hint present wins: `Sec-CH-Width` or `Width` (the image slot in device pixels,
 *   WICG responsive-image client hints); else `Sec-CH-Viewport-Width` or `Viewport-Width`
 *   (CSS pixels) times `Sec-CH-DPR` or `DPR` (default 1); the wanted width is then rounded
 *   up to the next of the four (or of ALLOWED_WIDTHS when set), capped at the largest.
 *   Without any of them: the user agent's platform, mobile 320, tablet 768, else 1200.
 * - `slow-connection-quality` (.../images/optimization/features/#slow-connection-quality):
 *   its quality replaces `quality` when a hint says the connection is slow: `RTT` > 150 ms,
 *   `Save-Data: on`, `ECT` slow-2g/2g/3g, or `Downlink` < 5 Mbps.
 *
 * Pure: header values in, options and the response's Vary / Accept-CH lists out.
 */
import { checkAllowedWidths } from './options/parse';
import type { TransformOptions } from './options/types';

/** Cloudflare's four `width=auto` sizes. */
export const AUTO_WIDTHS: readonly number[] = [320, 768, 960, 1200];

const WIDTH_HINTS = ['Sec-CH-Width', 'Width', 'Sec-CH-Viewport-Width', 'Viewport-Width', 'Sec-CH-DPR', 'DPR', 'User-Agent'] as const;
const SLOW_HINTS = ['RTT', 'ECT', 'Downlink', 'Save-Data'] as const;

export interface HintedOptions {
  options: TransformOptions;
  /** Request headers the response depends on (RFC 9110 §12.5.5), for `Vary`. */
  vary: string[];
  /** Hints the response asks for (RFC 8942 `Accept-CH`). */
  acceptCh: string[];
}

type HeaderLookup = (name: string) => string | null | undefined;

/** Resolves `widthAuto` and `slowConnectionQuality` from the request's headers; options without them come back as they are. */
export function applyClientHints(options: TransformOptions, header: HeaderLookup, allowedWidths?: ReadonlySet<number>): HintedOptions {
  const vary: string[] = [];
  const acceptCh: string[] = [];
  if (!options.widthAuto && !options.slowConnectionQuality) return { options, vary, acceptCh };
  const out: TransformOptions = { ...options };
  if (out.widthAuto) {
    const buckets = allowedWidths?.size ? [...allowedWidths].sort((a, b) => a - b) : [...AUTO_WIDTHS];
    out.width = bucket(wantedWidth(header), buckets);
    // ALLOWED_WIDTHS bounds output pixels (width x dpr), as for a numeric width (options/parse.ts).
    if (allowedWidths?.size) checkAllowedWidths(out, allowedWidths);
    vary.push(...WIDTH_HINTS);
    acceptCh.push('Sec-CH-Width', 'Sec-CH-Viewport-Width', 'Sec-CH-DPR');
  }
  const scq = out.slowConnectionQuality;
  if (scq) {
    out.slowConnection = isSlowConnection(header);
    if (out.slowConnection) {
      out.quality = scq.quality;
      if (scq.formatQuality) out.formatQuality = { ...scq.formatQuality };
      else delete out.formatQuality;
    }
    vary.push(...SLOW_HINTS);
    acceptCh.push('RTT', 'ECT', 'Downlink', 'Save-Data');
  }
  return { options: out, vary, acceptCh };
}

/** A positive number from a structured-header integer/decimal (RFC 8941), or undefined. */
function hintNumber(header: HeaderLookup, ...names: string[]): number | undefined {
  for (const name of names) {
    const raw = header(name)?.trim();
    if (!raw) continue;
    const n = Number(raw);
    if (Number.isFinite(n) && n > 0) return n;
  }
  return undefined;
}

/** The device-pixel width the client wants, from its hints, else its user agent's platform. */
export function wantedWidth(header: HeaderLookup): number {
  const slot = hintNumber(header, 'Sec-CH-Width', 'Width');
  if (slot) return Math.ceil(slot);
  const viewport = hintNumber(header, 'Sec-CH-Viewport-Width', 'Viewport-Width');
  if (viewport) return Math.ceil(viewport * Math.min(hintNumber(header, 'Sec-CH-DPR', 'DPR') ?? 1, 4));
  const ua = header('User-Agent') ?? '';
  if (/iPad|Tablet|Android(?!.*Mobile)/i.test(ua)) return 768;
  if (/Mobi|iPhone|iPod|Android/i.test(ua)) return 320;
  return 1200;
}

/** The smallest bucket at least `want`, or the largest. */
function bucket(want: number, buckets: readonly number[]): number {
  return buckets.find((b) => b >= want) ?? buckets[buckets.length - 1]!;
}

/** Cloudflare's slow-connection rule: any hint present that says slow. */
export function isSlowConnection(header: HeaderLookup): boolean {
  const rtt = hintNumber(header, 'RTT');
  if (rtt !== undefined && rtt > 150) return true;
  if (header('Save-Data')?.trim().toLowerCase() === 'on') return true;
  const ect = header('ECT')?.trim().toLowerCase();
  if (ect === 'slow-2g' || ect === '2g' || ect === '3g') return true;
  const downlink = header('Downlink')?.trim();
  // Downlink 0 is a real (very slow) measurement, so it is read here rather than through hintNumber.
  return downlink !== undefined && downlink !== '' && Number.isFinite(Number(downlink)) && Number(downlink) < 5;
}
