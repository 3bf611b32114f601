/**
 * @module negotiate
 * Chooses the output format. Pure: options + source facts + the Accept header in,
 * a format and whether it was negotiated (so `Vary: Accept` is needed) out.
 *
 * `format=auto` follows RFC 9110 §12.5.1 (Accept, with q-values): AVIF, then WebP,
 * when the client names them explicitly with q > 0. Wildcards (`image/*`, `*\/*`)
 * are not taken as AVIF/WebP support, because every browser that lacks them still
 * sends `image/*`; they only license JPEG/PNG. Formats Thumbflare cannot encode
 * (JPEG XL, which Chromium lists first) are never picked.
 */
import { fitsEncoder } from './codec/capacity';
import type { OutputFormat, SourceFormat } from './codec/types';
import type { FormatOption } from './options/types';

export interface FormatChoice {
  format: OutputFormat;
  /** True when the choice depended on Accept: the response needs `Vary: Accept`. */
  negotiated: boolean;
}

export interface NegotiateInput {
  requested: FormatOption | undefined;
  source: SourceFormat;
  hasAlpha: boolean;
  accept: string | null;
  output: { width: number; height: number };
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
function defaultFormat(source: SourceFormat): OutputFormat {
  return source === 'gif' ? 'png' : source;
}

export function chooseFormat(input: NegotiateInput): FormatChoice {
  const { requested, output } = input;
  const fits = (f: OutputFormat) => fitsEncoder(f, output.width, output.height);
  // JPEG fits whatever the other encoders cannot (codec/capacity.ts).
  const universal = (): OutputFormat => (input.hasAlpha && fits('png') ? 'png' : 'jpeg');
  if (requested && requested !== 'auto' && requested !== 'json') return { format: requested, negotiated: false };
  if (requested !== 'auto') {
    const format = defaultFormat(input.source);
    return { format: fits(format) ? format : universal(), negotiated: false };
  }
  const accepts = acceptedModernFormats(input.accept);
  if (accepts.avif && fits('avif')) return { format: 'avif', negotiated: true };
  if (accepts.webp && fits('webp')) return { format: 'webp', negotiated: true };
  return { format: universal(), negotiated: true };
}

export const MIME: Record<OutputFormat | SourceFormat, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  avif: 'image/avif',
  gif: 'image/gif',
};

export const EXTENSION: Record<OutputFormat, string> = { jpeg: 'jpg', png: 'png', webp: 'webp', avif: 'avif' };
