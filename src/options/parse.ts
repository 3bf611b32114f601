/**
 * @module options/parse
 * Turns the public parameter syntax into a typed TransformOptions, driven by
 * PARAM_SPECS. Pure: no Request, no env. All three URL forms end here: the query
 * string (path and remote forms) and the comma-separated `/cdn-cgi/image/<opts>/`
 * segment (Cloudflare form). Unknown, repeated and out-of-range parameters are
 * 400 errors that name the parameter; nothing is silently ignored or clamped.
 */
import { invalidParam } from '../errors';
import { DEFAULT_OPTIONS, PERCEPTUAL_QUALITY, SPEC_BY_NAME, TRANSPORT_PARAMS } from './params';
import type { OptionLimits, Rgba, TransformOptions } from './types';

export type RawPair = readonly [name: string, value: string];

/** Keeps error messages short and printable whatever the client sent. */
function quote(raw: string): string {
  const clean = raw.replace(/[^\x20-\x7e]/g, '?');
  return JSON.stringify(clean.length > 40 ? `${clean.slice(0, 40)}...` : clean);
}

/** Parses name/value pairs into options; transport parameters (url, sig, expires) are skipped. */
export function parseOptions(pairs: Iterable<RawPair>, limits: OptionLimits): TransformOptions {
  const options: Record<string, unknown> = { ...DEFAULT_OPTIONS };
  const seen = new Set<string>();
  for (const [name, raw] of pairs) {
    if (TRANSPORT_PARAMS.has(name)) continue;
    const spec = SPEC_BY_NAME.get(name);
    if (!spec) throw invalidParam(name.slice(0, 40), `unknown parameter ${quote(name)}`);
    if (seen.has(spec.key)) throw invalidParam(spec.key, `${spec.key} is given more than once`);
    seen.add(spec.key);
    const value = spec.read(raw.trim(), limits);
    if (value === undefined) throw invalidParam(spec.key, `${spec.key} must be ${spec.describe(limits)}`);
    options[spec.key] = value;
  }
  foldCloudflare(options);
  if (options.rotate === 0) delete options.rotate;
  if (options.blur === 0) delete options.blur;
  // Cloudflare (ImageTransform in its Workers types; "0 is ignored"): brightness, contrast and
  // gamma of 0 mean no adjustment, so they key like the URL without them.
  for (const k of ['brightness', 'contrast', 'gamma'] as const) if (options[k] === 0) delete options[k];
  foldTrim(options);
  const named = typeof options.quality === 'string';
  if (named) {
    // Cloudflare's perceptual names: a number per output format, chosen once the format is known.
    const q = PERCEPTUAL_QUALITY[options.quality as keyof typeof PERCEPTUAL_QUALITY];
    options.quality = q.jpeg;
    options.formatQuality = { ...q };
  }
  const parsed = options as unknown as TransformOptions;
  if (!seen.has('quality') && limits.allowedQualities) parsed.quality = nearestListed(limits.allowedQualities, parsed.quality);
  checkCombinations(parsed, limits, named);
  return parsed;
}

/**
 * Cloudflare's options that need more than one row's reading (issue 13):
 * `width=auto` becomes `widthAuto` (client-hints.ts picks the width per request);
 * `slow-connection-quality` with a perceptual name gets its per-format numbers;
 * `flip` is applied before `rotate` at Cloudflare ("flip=h,rotate=90: flipped, then
 * rotated"), while the engine rotates first (pipeline/rotate.ts, as imgproxy does), so
 * with a quarter turn h and v swap: rot90(flipH(x)) = flipV(rot90(x)).
 */
function foldCloudflare(o: Record<string, unknown>): void {
  if (o.width === 'auto') {
    delete o.width;
    o.widthAuto = true;
  }
  const scq = o.slowConnectionQuality;
  if (typeof scq === 'number') o.slowConnectionQuality = { quality: scq };
  else if (typeof scq === 'string') {
    const q = PERCEPTUAL_QUALITY[scq as keyof typeof PERCEPTUAL_QUALITY];
    o.slowConnectionQuality = { quality: q.jpeg, formatQuality: { ...q } };
  }
  if ((o.rotate === 90 || o.rotate === 270) && (o.flip === 'h' || o.flip === 'v')) o.flip = o.flip === 'h' ? 'v' : 'h';
}

/** Default `trim.tolerance` for trim=border: Euclidean RGB distance, enough to absorb JPEG noise in a flat border. */
export const TRIM_BORDER_TOLERANCE = 10;

/**
 * Cloudflare's trim forms onto the engine's options: `trim=border` (with trim.color,
 * trim.tolerance, trim.keep) becomes `trimBorder`; the trim.left/top/width/height rectangle
 * becomes `region` (right/bottom exclusive; a missing size runs to the edge, region is clamped).
 */
function foldTrim(o: Record<string, unknown>): void {
  const take = (k: string) => {
    const v = o[k];
    delete o[k];
    return v;
  };
  const color = take('trim.color') as Rgba | undefined;
  const tolerance = take('trim.tolerance') as number | undefined;
  const keep = take('trim.keep') as number | undefined;
  const rect = { left: take('trim.left'), top: take('trim.top'), width: take('trim.width'), height: take('trim.height') } as Record<string, number | undefined>;
  if (o.trim === 'border') {
    delete o.trim;
    o.trimBorder = { corner: 'top-left', tolerance: tolerance ?? TRIM_BORDER_TOLERANCE, ...(color ? { color } : {}), ...(keep ? { keep } : {}) };
  } else {
    const stray = color !== undefined ? 'trim.color' : tolerance !== undefined ? 'trim.tolerance' : keep !== undefined ? 'trim.keep' : undefined;
    if (stray) throw invalidParam(stray, `${stray} needs trim=border`);
  }
  const rectKeys = Object.keys(rect).filter((k) => rect[k] !== undefined);
  if (rectKeys.length) {
    if (o.trim !== undefined) throw invalidParam('trim', 'trim=top;right;bottom;left and trim.left/top/width/height cannot be combined');
    const left = rect.left ?? 0;
    const top = rect.top ?? 0;
    const far = Number.MAX_SAFE_INTEGER; // clamped to the source by plan.ts
    o.region = { left, top, right: rect.width !== undefined ? left + rect.width : far, bottom: rect.height !== undefined ? top + rect.height : far };
  }
}

/** Rules that involve more than one parameter, or the deployment's variant allowlists. */
function checkCombinations(o: TransformOptions, limits: OptionLimits, namedQuality = false): void {
  for (const key of ['width', 'height'] as const) {
    const v = o[key];
    if (v !== undefined && Math.round(v * o.dpr) > limits.maxDimension) {
      throw invalidParam('dpr', `${key} x dpr must be at most ${limits.maxDimension} (got ${Math.round(v * o.dpr)})`);
    }
  }
  if (limits.allowedWidths) checkAllowedWidths(o, limits.allowedWidths);
  const scq = o.slowConnectionQuality;
  if (limits.allowedQualities && scq && !scq.formatQuality && !limits.allowedQualities.has(scq.quality)) {
    throw invalidParam('slowConnectionQuality', `slow-connection-quality must be one of ${[...limits.allowedQualities].join(', ')}`);
  }
  // A perceptual name is one of four fixed variants, so ALLOWED_QUALITIES (a bound on variants) lets it through.
  if (limits.allowedQualities && !namedQuality && o.format !== 'json' && !limits.allowedQualities.has(o.quality)) {
    throw invalidParam('quality', `quality must be one of ${[...limits.allowedQualities].join(', ')}`);
  }
}

/**
 * ALLOWED_WIDTHS bounds the variants a deployment can be made to compute, so it
 * bounds the output pixels, not the spelling: width x dpr, and height x dpr too
 * (otherwise `w=640&dpr=1.111` gives 711 px and `h=1..8192` 8192 variants).
 * Every dialect's parser calls this on the options it produced.
 */
export function checkAllowedWidths(o: Pick<TransformOptions, 'width' | 'height' | 'dpr'>, allowed: ReadonlySet<number>): void {
  const listed = [...allowed].join(', ');
  for (const key of ['width', 'height'] as const) {
    const v = o[key];
    if (v === undefined || allowed.has(Math.round(v * o.dpr))) continue;
    const param = allowed.has(v) ? 'dpr' : key;
    throw invalidParam(param, `${key}${o.dpr !== 1 ? ' x dpr' : ''} must be one of ${listed} (got ${Math.round(v * o.dpr)}; ALLOWED_WIDTHS)`);
  }
}

/** The listed value nearest `want` (ties go to the higher): the default quality when ALLOWED_QUALITIES lacks it. */
function nearestListed(list: ReadonlySet<number>, want: number): number {
  let best = want;
  let dist = Infinity;
  for (const v of list) {
    const d = Math.abs(v - want);
    if (d < dist || (d === dist && v > best)) [best, dist] = [v, d];
  }
  return best;
}

/**
 * Splits `s` at each `sep` that is not inside parentheses, so `rgb(1,2,3)` or a
 * nested filter call stays one part. Every part is returned, empty ones included.
 */
export function splitOutsideParens(s: string, sep: string, json = false): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    // `json`: brackets, braces and double-quoted strings nest too (Cloudflare's draw=[{...},{...}]).
    if (json && quoted) {
      if (ch === '\\') i++;
      else if (ch === '"') quoted = false;
    } else if (json && ch === '"') quoted = true;
    else if (ch === '(' || (json && (ch === '[' || ch === '{'))) depth++;
    else if (ch === ')' || (json && (ch === ']' || ch === '}'))) depth = Math.max(0, depth - 1);
    else if (ch === sep && depth === 0) {
      parts.push(s.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(s.slice(start));
  return parts;
}

/** Splits a `/cdn-cgi/image/` options segment (`w=80,fit=cover,bg=rgb(1,2,3)`) into pairs. */
export function splitCdnCgiOptions(segment: string): RawPair[] {
  return splitOutsideParens(segment, ',', true)
    .filter((part) => part !== '')
    .map((part) => {
      const eq = part.indexOf('=');
      if (eq <= 0) throw invalidParam(part.slice(0, 40), `option ${quote(part)} must be written name=value`);
      return [part.slice(0, eq).trim(), part.slice(eq + 1)] as const;
    });
}

/** A stable text form of the options (defaults omitted, keys sorted) for cache keys and ETags. */
export function canonicalizeOptions(o: TransformOptions): string {
  const entries = Object.entries(o)
    .filter(([k, v]) => JSON.stringify(v) !== JSON.stringify((DEFAULT_OPTIONS as Record<string, unknown>)[k]))
    .sort(([a], [b]) => (a < b ? -1 : 1));
  // Flat objects (gravity, colours, trim) as their values; nested ones (imgproxy's resizing,
  // overlays) as JSON, keys included, so two optional sub-fields can never collide.
  const flat = (v: object) => Object.values(v).every((x) => typeof x !== 'object' || x === null);
  const text = (v: unknown) => (typeof v !== 'object' || v === null ? String(v) : flat(v) ? Object.values(v).join(':') : JSON.stringify(v));
  return entries.map(([k, v]) => `${k}=${text(v)}`).join('&');
}
