/**
 * @module negotiate
 * Chooses the output format. Pure: options + source facts + the Accept header in,
 * a format and whether it was negotiated (so `Vary: Accept` is needed) out.
 *
 * `format=auto` follows RFC 9110 §12.5.1 (Accept, with q-values): AVIF, then WebP,
 * when the client names them explicitly with q > 0. Wildcards (`image/*`, `*\/*`)
 * are not taken as AVIF/WebP support, because every browser that lacks them still
 * sends `image/*`; they only license JPEG/PNG.
 * JPEG XL (which Chromium lists first) is served when asked for (`format=jxl`)
 * but never picked by `format=auto`: measured at equal SSIM (docs/jxl.md,
 * scripts/jxl-compare.mjs) libjxl is larger than AVIF on every image, and every
 * client that sends image/jxl also sends image/avif; so the result cache's
 * format token ignores image/jxl too.
 */
import type { OutputFormat, SourceFormat } from './codec/types';
import type { FormatOption } from './options/types';

export interface FormatChoice {
  format: OutputFormat;
  /** True when the choice depended on Accept: the response needs `Vary: Accept`. */
  negotiated: boolean;
  /** The explicitly requested format this one replaces because that one does not fit. */
  fallbackFrom?: OutputFormat;
}

export interface NegotiateInput {
  requested: FormatOption | undefined;
  source: SourceFormat;
  hasAlpha: boolean;
  accept: string | null;
  /** Whether the whole job, encoded as this format, fits in the isolate's memory (limits.ts). */
  fits: (format: OutputFormat) => boolean;
}

/** Parses an Accept header into media type -> q (RFC 9110 §12.4.2 weights). */
export function parseAccept(accept: string | null): Map<string, number> {
  const out = new Map<string, number>();
  for (const part of (accept ?? '').split(',')) {
    const [type, ...params] = part.trim().toLowerCase().split(';');
    if (!type) continue;
    let q = 1;
    for (const p of params) {
      const [k, v] = p.trim().split('=');
      if (k === 'q' && v !== undefined) q = Number.isFinite(Number(v)) ? Math.min(1, Math.max(0, Number(v))) : 0;
    }
    // With repeated media ranges the most specific wins; keep the first seen.
    if (!out.has(type)) out.set(type, q);
  }
  return out;
}

/**
 * Which of AVIF and WebP the client names explicitly with q > 0: all of Accept
 * that format=auto depends on (wildcards never count, see the module comment).
 * The result cache keys on the same answer.
 */
export function acceptedModernFormats(accept: string | null): { avif: boolean; webp: boolean } {
  const types = parseAccept(accept);
  return { avif: (types.get('image/avif') ?? 0) > 0, webp: (types.get('image/webp') ?? 0) > 0 };
}

/** The default output when no format is asked for: the source's own, GIF becoming PNG. */
function defaultFormat(source: Exclude<SourceFormat, 'heic' | 'tiff'>): OutputFormat {
  // A rasterised SVG (logos, icons: flat colour, transparency) is lossless PNG, as GIF is.
  return source === 'gif' || source === 'svg' ? 'png' : source;
}

/**
 * The formats to try, best first. An explicit format that does not fit falls back
 * the way Cloudflare documents for `format=avif` ("if the image is too large for
 * AVIF, WebP is served instead"): AVIF -> WebP -> the universal format, i.e. PNG
 * when the image needs alpha (and PNG fits), else JPEG, which needs the least
 * memory of all. format=auto tries what Accept names, then the universal format.
 */
function candidates(input: NegotiateInput): OutputFormat[] {
  const { requested } = input;
  const universal: OutputFormat[] = input.hasAlpha ? ['png', 'jpeg'] : ['jpeg'];
  // JPEG XL that does not fit falls back like AVIF does, through the other modern formats.
  if (requested === 'jxl') return ['jxl', 'avif', 'webp', ...universal];
  if (requested === 'avif') return ['avif', 'webp', ...universal];
  if (requested === 'webp') return ['webp', ...universal];
  if (requested === 'png') return ['png', 'jpeg'];
  if (requested === 'jpeg') return ['jpeg'];
  // format=gif: a GIF (animations are written by src/animation.ts; this is the still path).
  if (requested === 'gif') return ['gif', ...universal];
  if (requested === 'auto') {
    const accepts = acceptedModernFormats(input.accept);
    return [...(accepts.avif ? ['avif' as const] : []), ...(accepts.webp ? ['webp' as const] : []), ...universal];
  }
  // Sources browsers mostly cannot show (HEIC, TIFF) default to the universal format.
  if (input.source === 'heic' || input.source === 'tiff') return universal;
  return [defaultFormat(input.source), ...universal];
}

/** The first candidate that fits, or null when none does (the caller answers 413). */
export function chooseFormat(input: NegotiateInput): FormatChoice | null {
  const format = candidates(input).find((f) => input.fits(f));
  if (!format) return null;
  const { requested } = input;
  const explicit = requested && requested !== 'auto' && requested !== 'json' && requested !== 'svg' ? requested : undefined;
  return { format, negotiated: requested === 'auto', ...(explicit && explicit !== format ? { fallbackFrom: explicit } : {}) };
}

export const MIME: Record<OutputFormat | SourceFormat, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  avif: 'image/avif',
  gif: 'image/gif',
  svg: 'image/svg+xml',
  jxl: 'image/jxl',
  heic: 'image/heic',
  tiff: 'image/tiff',
};

export const EXTENSION: Record<OutputFormat, string> = { jpeg: 'jpg', png: 'png', webp: 'webp', avif: 'avif', gif: 'gif', jxl: 'jxl' };
