/**
 * @module url/imgproxy
 * imgproxy's URL grammar (docs.imgproxy.net/usage/processing) onto the one typed
 * TransformOptions the engine takes. Pure: a URL, the config and the time in; a
 * parsed request out, or null when the URL is not imgproxy-shaped (so the next
 * dialect may try it).
 *
 *   /%signature/%option:%arg:%arg/.../plain/%percent_encoded_source[@%ext]
 *   /%signature/%option:%arg/.../%base64url_source[.%ext]   (the base64 may be split by `/`)
 *
 * imgproxy-shaped means: a signature segment, then option segments (`name:args`),
 * then a source that is either after a `plain` segment, or base64url that decodes to
 * an absolute URL or a printable relative path. Anything else is left to the other
 * dialects, so `/photos/cat.jpg` stays a Cloudflare path-form URL with both on.
 *
 * Sources: http(s) URLs go through the usual source policy (ORIGIN or
 * ALLOWED_ORIGINS); `local:///path` and relative sources (imgproxy's
 * IMGPROXY_BASE_URL / IMGPROXY_LOCAL_FILESYSTEM_ROOT setups) are paths under
 * ORIGIN or the R2 bucket; other schemes (s3://, gs://, abs://, swift://) are 400.
 *
 * Semantics are imgproxy's, not Cloudflare's: options apply left to right and a later
 * one overrides an earlier one (presets expand in place, the `default` preset first);
 * nothing is enlarged unless `enlarge:1`; geometry follows imgproxy's calcScale (see
 * `Resizing` and plan.ts). Unlike imgproxy, an unknown or malformed option is a 400
 * naming it rather than being logged and ignored.
 */
import type { Config } from '../config';
import { badSignature, invalidParam, invalidUrl, notFound } from '../errors';
import { parseColor } from '../options/color';
import { DEFAULT_OPTIONS } from '../options/params';
import { checkAllowedWidths } from '../options/parse';
import type { Gravity, GravityOffset, GravityOption, Overlay, Resizing, Rgba, TransformOptions, Trim } from '../options/types';
import { verifySignature } from '../security/sign';
import type { Dialect, ParsedRequest } from './dialect';
import { checkImgproxySignature } from '../security/imgproxy-sign';
import { resolveSource } from '../source';

/** imgproxy's IMGPROXY_QUALITY default (docs.imgproxy.net/configuration/options#compression). */
export const IMGPROXY_DEFAULT_QUALITY = 80;

/** imgproxy's processing options as they accumulate, before they become TransformOptions. */
interface State {
  type: Resizing['type'];
  width: number;
  height: number;
  enlarge: boolean;
  extend?: { gravity: Gravity; offset?: GravityOffset };
  extendAspectRatio?: { gravity: Gravity; offset?: GravityOffset };
  gravity: GravityOption;
  offset?: GravityOffset;
  /** `crop`; its gravity is the main one unless it names its own. */
  region?: { width: number; height: number; own?: { gravity: GravityOption; offset?: GravityOffset } };
  minWidth: number;
  minHeight: number;
  zoom: { x: number; y: number };
  dpr: number;
  padding?: Trim;
  autoRotate: boolean;
  rotate: number;
  flip: { h: boolean; v: boolean };
  background?: Rgba;
  blur: number;
  sharpen: number;
  pixelate: number;
  watermark?: Overlay;
  quality: number;
  formatQuality: NonNullable<TransformOptions['formatQuality']>;
  maxBytes: number;
  format?: TransformOptions['format'];
  keepColorProfile: boolean;
  cacheBuster?: string;
  expires?: number;
  filename?: string;
  attachment: boolean;
}

function initialState(): State {
  return {
    type: 'fit', width: 0, height: 0, enlarge: false, gravity: { x: 0.5, y: 0.5 }, minWidth: 0, minHeight: 0,
    zoom: { x: 1, y: 1 }, dpr: 1, autoRotate: true, rotate: 0, flip: { h: false, v: false }, blur: 0, sharpen: 0,
    pixelate: 0, quality: 0, formatQuality: {}, maxBytes: 0, keepColorProfile: false, attachment: false,
  };
}

interface Context {
  config: Config;
  /** Presets already applied: imgproxy applies each at most once per URL, which also ends loops. */
  used: Set<string>;
}

type Apply = (s: State, args: string[], name: string, ctx: Context) => void;

// ---- argument readers: each throws a 400 naming the option -----------------------------

const MAX_INT = 1_000_000;

function fail(name: string, what: string): never {
  throw invalidParam(name, `imgproxy option ${name}: ${what}`);
}

function int(name: string, raw: string, max = MAX_INT): number {
  if (!/^\d+$/.test(raw) || Number(raw) > max) fail(name, `expected an integer from 0 to ${max}, got ${quote(raw)}`);
  return Number(raw);
}

function float(name: string, raw: string, { min = 0, max = MAX_INT, signed = false } = {}): number {
  const re = signed ? /^-?(\d+(\.\d*)?|\.\d+)$/ : /^(\d+(\.\d*)?|\.\d+)$/;
  if (!re.test(raw)) fail(name, `expected a number, got ${quote(raw)}`);
  const n = Number(raw);
  if (n < min || n > max) fail(name, `expected a number from ${min} to ${max}, got ${raw}`);
  return n;
}

/** imgproxy's booleans are Go's strconv.ParseBool spellings. */
function bool(name: string, raw: string): boolean {
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(raw)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(raw)) return false;
  fail(name, `expected 1/t/true or 0/f/false, got ${quote(raw)}`);
}

function quote(raw: string): string {
  const clean = raw.replace(/[^\x20-\x7e]/g, '?');
  return JSON.stringify(clean.length > 40 ? `${clean.slice(0, 40)}...` : clean);
}

function arity(name: string, args: string[], min: number, max: number): void {
  if (args.length < min || args.length > max) fail(name, `takes ${min === max ? min : `${min} to ${max}`} argument(s), got ${args.length}`);
}

/** True when an argument is present and non-empty (imgproxy: an empty argument keeps the current value). */
const given = (raw: string | undefined): raw is string => raw !== undefined && raw !== '';

const NAMED_GRAVITY: Record<string, Gravity> = {
  ce: { x: 0.5, y: 0.5 }, no: { x: 0.5, y: 0 }, so: { x: 0.5, y: 1 }, ea: { x: 1, y: 0.5 }, we: { x: 0, y: 0.5 },
  noea: { x: 1, y: 0 }, nowe: { x: 0, y: 0 }, soea: { x: 1, y: 1 }, sowe: { x: 0, y: 1 },
};

/** `type:x_offset:y_offset`, `sm` (when allowed) or `fp:x:y`. */
function gravity(name: string, args: string[], allowSmart: boolean): { gravity: GravityOption; offset?: GravityOffset } {
  const [type, ...rest] = args;
  if (type === 'sm' && allowSmart) {
    if (rest.length) fail(name, 'smart gravity takes no offsets');
    return { gravity: 'auto' };
  }
  if (type === 'fp') {
    arity(name, rest, 2, 2);
    return { gravity: { x: float(name, rest[0]!, { max: 1 }), y: float(name, rest[1]!, { max: 1 }) } };
  }
  const named = type !== undefined ? NAMED_GRAVITY[type] : undefined;
  if (!named) fail(name, `gravity must be one of ${Object.keys(NAMED_GRAVITY).join(', ')}${allowSmart ? ', sm' : ''} or fp:x:y, got ${quote(type ?? '')}`);
  arity(name, rest, 0, 2);
  const x = given(rest[0]) ? float(name, rest[0], { signed: true, min: -MAX_INT }) : 0;
  const y = given(rest[1]) ? float(name, rest[1], { signed: true, min: -MAX_INT }) : 0;
  return { gravity: named, offset: x || y ? { x, y } : undefined };
}

const RESIZING_TYPES: ReadonlySet<string> = new Set(['fit', 'fill', 'fill-down', 'force', 'auto']);

function resizingType(s: State, name: string, raw: string): void {
  if (!RESIZING_TYPES.has(raw)) fail(name, `resizing type must be one of ${[...RESIZING_TYPES].join(', ')}, got ${quote(raw)}`);
  s.type = raw as State['type'];
}

function extend(s: State, name: string, args: string[], key: 'extend' | 'extendAspectRatio' = 'extend'): void {
  if (given(args[0])) {
    if (!bool(name, args[0])) {
      s[key] = undefined;
      return;
    }
  } else if (!s[key]) return;
  const g = args.length > 1 ? gravity(name, args.slice(1), false) : { gravity: NAMED_GRAVITY.ce! };
  s[key] = { gravity: g.gravity as Gravity, offset: g.offset };
}

/** width, height, enlarge, extend...: the tail `rs` and `s` share. */
function size(s: State, name: string, args: string[]): void {
  if (given(args[0])) s.width = int(name, args[0]);
  if (given(args[1])) s.height = int(name, args[1]);
  if (given(args[2])) s.enlarge = bool(name, args[2]);
  if (args.length > 3) extend(s, name, args.slice(3));
}

/** The formats the engine encodes, by every spelling imgproxy's extension uses. */
// jxl and svg (issue 15): imgproxy writes JPEG XL, and answers an SVG source as SVG (sanitised here, codec/svg/vector).
const FORMATS: Record<string, TransformOptions['format']> = { jpg: 'jpeg', jpeg: 'jpeg', png: 'png', webp: 'webp', avif: 'avif', gif: 'gif', jxl: 'jxl', svg: 'svg' };

function format(name: string, raw: string): TransformOptions['format'] {
  const f = FORMATS[raw.toLowerCase()];
  if (!f) fail(name, `cannot produce ${quote(raw)}; supported: jpg, png, webp, avif, jxl, svg`);
  return f;
}

function decodeBase64Url(text: string): string | null {
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(text) || text.replace(/=+$/, '').length % 4 === 1) return null;
  try {
    const bin = atob(text.replace(/=+$/, '').replace(/-/g, '+').replace(/_/g, '/'));
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
  } catch {
    return null;
  }
}

// ---- the option table: one row per option, imgproxy's names and aliases ------------------

const OPTIONS: [names: string[], apply: Apply][] = [
  [['resize', 'rs'], (s, a, n) => {
    arity(n, a, 0, 8);
    if (given(a[0])) resizingType(s, n, a[0]);
    size(s, n, a.slice(1));
  }],
  [['size', 's'], (s, a, n) => {
    arity(n, a, 0, 7);
    size(s, n, a);
  }],
  [['resizing_type', 'rt'], (s, a, n) => {
    arity(n, a, 1, 1);
    resizingType(s, n, a[0]!);
  }],
  [['width', 'w'], (s, a, n) => {
    arity(n, a, 1, 1);
    s.width = int(n, a[0]!);
  }],
  [['height', 'h'], (s, a, n) => {
    arity(n, a, 1, 1);
    s.height = int(n, a[0]!);
  }],
  [['min-width', 'min_width', 'mw'], (s, a, n) => {
    arity(n, a, 1, 1);
    s.minWidth = int(n, a[0]!);
  }],
  [['min-height', 'min_height', 'mh'], (s, a, n) => {
    arity(n, a, 1, 1);
    s.minHeight = int(n, a[0]!);
  }],
  [['zoom', 'z'], (s, a, n) => {
    arity(n, a, 1, 2);
    const x = float(n, a[0]!, { max: 100 });
    const y = a.length > 1 ? float(n, a[1]!, { max: 100 }) : x;
    if (x <= 0 || y <= 0) fail(n, 'zoom must be greater than 0');
    s.zoom = { x, y };
  }],
  [['dpr'], (s, a, n) => {
    arity(n, a, 1, 1);
    const d = float(n, a[0]!, { max: 8 });
    if (d <= 0) fail(n, 'dpr must be greater than 0');
    s.dpr = d;
  }],
  [['enlarge', 'el'], (s, a, n) => {
    arity(n, a, 1, 1);
    s.enlarge = bool(n, a[0]!);
  }],
  [['extend', 'ex'], (s, a, n) => {
    arity(n, a, 1, 4);
    extend(s, n, a);
  }],
  [['extend_aspect_ratio', 'extend_ar', 'exar'], (s, a, n) => {
    arity(n, a, 1, 4);
    extend(s, n, a, 'extendAspectRatio');
  }],
  [['gravity', 'g'], (s, a, n) => {
    arity(n, a, 1, 3);
    const g = gravity(n, a, true);
    s.gravity = g.gravity;
    s.offset = g.offset;
  }],
  [['crop', 'c'], (s, a, n) => {
    arity(n, a, 2, 5);
    const width = float(n, a[0]!);
    const height = float(n, a[1]!);
    // No gravity of its own: the main gravity, as it stands once every option is read.
    s.region = { width, height, own: a.length > 2 ? gravity(n, a.slice(2), true) : undefined };
  }],
  [['trim', 't'], (_s, _a, n) => {
    fail(n, 'trim (removing a uniform background) is not supported yet');
  }],
  [['padding', 'pd'], (s, a, n) => {
    arity(n, a, 1, 4);
    const v = a.map((x) => (given(x) ? int(n, x) : undefined));
    if (v.every((x) => x === undefined)) fail(n, 'at least one side must be set');
    // CSS shorthand: top (and every unset side), right (and left when unset), bottom, left.
    const top = v[0] ?? 0;
    const right = v[1] ?? top;
    s.padding = { top, right, bottom: v[2] ?? top, left: v[3] ?? right };
  }],
  [['auto_rotate', 'ar'], (s, a, n) => {
    arity(n, a, 1, 1);
    s.autoRotate = bool(n, a[0]!);
  }],
  [['rotate', 'rot'], (s, a, n) => {
    arity(n, a, 1, 1);
    if (!/^-?\d+$/.test(a[0]!) || Number(a[0]) % 90 !== 0) fail(n, `angle must be a multiple of 90, got ${quote(a[0]!)}`);
    s.rotate = ((Number(a[0]) % 360) + 360) % 360;
  }],
  [['flip', 'fl'], (s, a, n) => {
    arity(n, a, 1, 2);
    s.flip = { h: given(a[0]) ? bool(n, a[0]) : false, v: given(a[1]) ? bool(n, a[1]) : false };
  }],
  [['background', 'bg'], (s, a, n) => {
    arity(n, a, 0, 3);
    if (a.length === 0 || (a.length === 1 && a[0] === '')) {
      s.background = undefined; // no arguments: background handling off again
    } else if (a.length === 3) {
      const [r, g, b] = a.map((x) => int(n, x, 255)) as [number, number, number];
      s.background = { r, g, b, a: 255 };
    } else {
      if (!/^([0-9a-f]{3}|[0-9a-f]{6})$/i.test(a[0]!)) fail(n, `expected R:G:B or a hex colour, got ${quote(a[0]!)}`);
      s.background = parseColor(`#${a[0]}`)!;
    }
  }],
  [['blur', 'bl'], (s, a, n) => {
    arity(n, a, 1, 1);
    s.blur = float(n, a[0]!, { max: 250 });
  }],
  [['sharpen', 'sh'], (s, a, n) => {
    arity(n, a, 1, 1);
    s.sharpen = float(n, a[0]!, { max: 10 });
  }],
  [['pixelate', 'pix'], (s, a, n) => {
    arity(n, a, 1, 1);
    s.pixelate = int(n, a[0]!, 1000);
  }],
  [['watermark', 'wm'], (s, a, n, ctx) => {
    arity(n, a, 1, 5);
    const opacity = float(n, a[0]!, { max: 1 });
    if (opacity === 0) {
      s.watermark = undefined;
      return;
    }
    const url = ctx.config.imgproxy.watermarkUrl;
    if (!url) fail(n, 'no watermark image is configured (IMGPROXY_WATERMARK_URL)');
    s.watermark = watermark(n, url, opacity, a.slice(1));
  }],
  [['quality', 'q'], (s, a, n) => {
    arity(n, a, 1, 1);
    s.quality = int(n, a[0]!, 100);
  }],
  [['format_quality', 'fq'], (s, a, n) => {
    if (a.length === 0 || a.length % 2) fail(n, 'expected format:quality pairs');
    for (let i = 0; i < a.length; i += 2) {
      const f = format(n, a[i]!) as keyof State['formatQuality'];
      s.formatQuality[f] = int(n, a[i + 1]!, 100) || undefined;
    }
  }],
  [['max_bytes', 'mb'], (s, a, n) => {
    arity(n, a, 1, 1);
    s.maxBytes = int(n, a[0]!, 1_000_000_000);
  }],
  [['format', 'f', 'ext'], (s, a, n) => {
    arity(n, a, 1, 1);
    s.format = given(a[0]) ? format(n, a[0]) : undefined;
  }],
  [['strip_metadata', 'sm'], (_s, a, n) => {
    // Output never carries EXIF/XMP/IPTC here (the encoders write none): both values give the same bytes.
    arity(n, a, 1, 1);
    bool(n, a[0]!);
  }],
  [['strip_color_profile', 'scp'], (s, a, n) => {
    arity(n, a, 1, 1);
    s.keepColorProfile = !bool(n, a[0]!);
  }],
  [['cachebuster', 'cb'], (s, a, n) => {
    arity(n, a, 1, 1);
    s.cacheBuster = a[0] || undefined;
  }],
  [['expires', 'exp'], (s, a, n) => {
    arity(n, a, 1, 1);
    s.expires = int(n, a[0]!, Number.MAX_SAFE_INTEGER);
  }],
  [['filename', 'fn'], (s, a, n) => {
    arity(n, a, 1, 2);
    const encoded = given(a[1]) && bool(n, a[1]);
    let name: string | null;
    if (encoded) name = decodeBase64Url(a[0]!);
    else {
      try {
        name = decodeURIComponent(a[0]!);
      } catch {
        name = null;
      }
    }
    if (name === null) fail(n, `filename ${quote(a[0]!)} is not valid ${encoded ? 'URL-safe base64' : 'percent-encoding'}`);
    // Header-safe, like the source-derived name (source.ts baseNameOf); the format's extension is added later.
    const clean = name.replace(/\.[a-z0-9]{1,5}$/i, '').replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 100);
    s.filename = clean || undefined;
  }],
  [['return_attachment', 'att'], (s, a, n) => {
    arity(n, a, 1, 1);
    s.attachment = bool(n, a[0]!);
  }],
  [['preset', 'pr'], (s, a, n, ctx) => {
    if (a.length === 0) fail(n, 'expected preset names');
    for (const preset of a) applyPreset(s, preset, n, ctx);
  }],
];

const OPTION_BY_NAME: ReadonlyMap<string, Apply> = new Map(OPTIONS.flatMap(([names, apply]) => names.map((nm) => [nm, apply] as const)));

/** Every option name and alias this dialect understands (docs/api.md lists them). */
export const IMGPROXY_OPTION_NAMES: readonly string[] = OPTIONS.flatMap(([names]) => names);

function applyPreset(s: State, preset: string, option: string, ctx: Context): void {
  const body = ctx.config.imgproxy.presets.get(preset);
  if (body === undefined) fail(option, `unknown preset ${quote(preset)} (IMGPROXY_PRESETS)`);
  // imgproxy skips a preset it has already applied (its "recursive preset usage" warning).
  if (ctx.used.has(preset)) return;
  ctx.used.add(preset);
  for (const segment of body.split('/').filter(Boolean)) applySegment(s, segment, ctx);
}

function applySegment(s: State, segment: string, ctx: Context): void {
  const [name, ...args] = segment.split(':');
  const apply = OPTION_BY_NAME.get(name!);
  if (!apply) throw invalidParam(name!.slice(0, 40), `unknown or unsupported imgproxy option ${quote(name!)}`);
  apply(s, args, name!, ctx);
}

/** wm:%opacity:%position:%x_offset:%y_offset:%scale onto one overlay. */
function watermark(name: string, url: string, opacity: number, a: string[]): Overlay {
  const position = given(a[0]) ? a[0] : 'ce';
  const x = given(a[1]) ? float(name, a[1], { signed: true, min: -MAX_INT }) : 0;
  const y = given(a[2]) ? float(name, a[2], { signed: true, min: -MAX_INT }) : 0;
  if (given(a[3]) && float(name, a[3]) !== 0) fail(name, 'the scale argument (watermark size relative to the image) is not supported yet');
  if (x !== Math.trunc(x) || y !== Math.trunc(y)) fail(name, 'relative (fractional) watermark offsets are not supported yet');
  const overlay: Overlay = { url, opacity };
  if (position === 're') return { ...overlay, repeat: true };
  const g = NAMED_GRAVITY[position];
  if (!g) fail(name, `position must be one of ${Object.keys(NAMED_GRAVITY).join(', ')}, re; got ${quote(position)}`);
  if (position === 'ce' && (x || y)) fail(name, 'offsets from the centre are not supported yet');
  // Offsets push inward from the anchored edge, as in imgproxy.
  if (g.x === 0) overlay.left = x;
  if (g.x === 1) overlay.right = x;
  if (g.y === 0) overlay.top = y;
  if (g.y === 1) overlay.bottom = y;
  return overlay;
}

// ---- the URL shape ----------------------------------------------------------------------

interface Shape {
  signature: string;
  /** The signed part: the path after the signature segment, `/` included, as sent. */
  signedPath: string;
  options: string[];
  /** The source as imgproxy names it: an absolute URL, `local:///...`, or a relative path. */
  source: string;
  extension?: string;
}

/** Splits a path into imgproxy's parts, or null when it is not imgproxy-shaped. */
export function imgproxyShape(pathname: string): Shape | null {
  const parts = pathname.split('/').slice(1);
  const signature = parts[0];
  if (!signature || parts.length < 2) return null;
  let i = 1;
  while (i < parts.length && parts[i] !== 'plain' && parts[i]!.includes(':')) i++;
  if (i >= parts.length) return null;
  const options = parts.slice(1, i);
  const signedPath = pathname.slice(1 + signature.length);
  if (parts[i] === 'plain') {
    let raw = parts.slice(i + 1).join('/');
    let extension: string | undefined;
    const at = raw.lastIndexOf('@');
    if (at >= 0 && /^[a-z0-9]+$/i.test(raw.slice(at + 1))) {
      extension = raw.slice(at + 1);
      raw = raw.slice(0, at);
    }
    let source: string;
    try {
      source = decodeURIComponent(raw);
    } catch {
      return null;
    }
    return source ? { signature, signedPath, options, source, extension } : null;
  }
  let encoded = parts.slice(i).join('');
  let extension: string | undefined;
  const dot = encoded.lastIndexOf('.');
  if (dot >= 0) {
    extension = encoded.slice(dot + 1);
    encoded = encoded.slice(0, dot);
  }
  const source = decodeBase64Url(encoded);
  // Base64 that decodes to an absolute URL, or to a printable relative path: anything else
  // (most ordinary paths decode to binary noise) is not imgproxy's.
  const absolute = !!source && /^[a-z][a-z0-9+.-]*:\/\//i.test(source);
  const relative = !!source && /^[A-Za-z0-9._~!$&'()*+,;=:@%/-]+$/.test(source) && /[./]/.test(source);
  if (!source || !(absolute || relative)) return null;
  return { signature, signedPath, options, source, extension };
}

function resolveImgproxySource(source: string, config: Config, hasBucket: boolean) {
  const settings = { origin: config.origin, hasBucket };
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(source)?.[1]?.toLowerCase();
  if (scheme === 'http' || scheme === 'https') return resolveSource(source, settings);
  if (scheme === 'local') {
    // local:///path (imgproxy's IMGPROXY_LOCAL_FILESYSTEM_ROOT): a path under ORIGIN or the bucket.
    const path = source.replace(/^local:\/\//i, '');
    if (!path.startsWith('/')) throw invalidUrl('local:// sources must be written local:///path');
    return resolveSource(path, settings);
  }
  if (scheme) throw invalidUrl(`imgproxy ${scheme}:// sources are not served here; use http(s):// (ORIGIN or ALLOWED_ORIGINS) or local:/// (ORIGIN or the R2 bucket)`);
  // Relative: imgproxy prefixes IMGPROXY_BASE_URL; here ORIGIN (or the bucket) plays that part.
  return resolveSource(`/${source.replace(/^\/+/, '')}`, settings);
}

/**
 * Parses an imgproxy URL into the engine's request. Returns null when the URL is not
 * imgproxy-shaped. Throws 403 for a bad signature (when keys are configured), 404 for
 * an expired URL (as imgproxy does), 400 for a malformed option or unsupported source.
 */
export function parseImgproxyUrl(url: URL, config: Config, hasBucket: boolean, nowSeconds = Math.floor(Date.now() / 1000)): ParsedRequest | null {
  const shape = imgproxyShape(url.pathname);
  if (!shape) return null;
  const { keys, signatureSize } = config.imgproxy;
  // With no key, imgproxy accepts anything as the signature (`insecure`, `_`, ...); with keys, only a match.
  if (keys.length && !checkImgproxySignature(shape.signature, shape.signedPath, keys, signatureSize)) {
    throw badSignature('invalid imgproxy signature');
  }

  const s = initialState();
  const ctx: Context = { config, used: new Set() };
  if (config.imgproxy.presets.has('default')) applyPreset(s, 'default', 'preset', ctx);
  for (const segment of shape.options) applySegment(s, segment, ctx);
  if (shape.extension) s.format = format('extension', shape.extension);

  if (s.expires !== undefined && s.expires <= nowSeconds) throw notFound('this imgproxy URL has expired');
  const options = toTransformOptions(s);
  checkAllowlists(options, config);
  return { kind: 'image', source: resolveImgproxySource(shape.source, config, hasBucket), options };
}

/**
 * The imgproxy dialect for the dispatcher (src/routes.ts): claims imgproxy-shaped
 * paths. An imgproxy URL checked against IMGPROXY_KEY carries its own signature;
 * with no imgproxy key, a deployment that signs its URLs (SIGNING_KEYS) still
 * requires Thumbflare's `sig`, so turning the dialect on opens no unsigned route.
 */
export const imgproxyDialect: Dialect = {
  name: 'imgproxy',
  claims: (url) => imgproxyShape(url.pathname) !== null,
  async parse(url, { config, hasBucket, nowSeconds }) {
    if (config.signingKeys.length && !config.imgproxy.keys.length) await verifySignature(url, config.signingKeys, nowSeconds);
    const parsed = parseImgproxyUrl(url, config, hasBucket, nowSeconds);
    if (!parsed) throw invalidUrl('not an imgproxy URL');
    return parsed;
  },
};

/** ALLOWED_WIDTHS / ALLOWED_QUALITIES bound the variants of every dialect, this one included. */
function checkAllowlists(o: TransformOptions, config: Config): void {
  if (config.allowedWidths) checkAllowedWidths(o, config.allowedWidths);
  const qualities = [o.quality, ...Object.values(o.formatQuality ?? {})];
  if (config.allowedQualities && qualities.some((q) => q !== undefined && !config.allowedQualities!.has(q))) {
    throw invalidParam('quality', `quality must be one of ${[...config.allowedQualities].join(', ')} (ALLOWED_QUALITIES)`);
  }
}

function toTransformOptions(s: State): TransformOptions {
  // metadata 'none': imgproxy URLs keep their documented "never carries EXIF/XMP" (docs/api.md), not Cloudflare's copyright default.
  const o: TransformOptions = { ...DEFAULT_OPTIONS, quality: s.quality || IMGPROXY_DEFAULT_QUALITY, dpr: s.dpr, gravity: s.gravity, metadata: 'none' };
  // A crop without its own gravity takes the main one (and its offsets), as it stands after every option.
  const cropGravity = s.region && (s.region.own ?? { gravity: s.gravity, offset: s.offset });
  const region: Resizing['region'] = s.region && cropGravity && {
    width: s.region.width, height: s.region.height, gravity: cropGravity.gravity, ...(cropGravity.offset && { offset: cropGravity.offset }),
  };
  o.resizing = {
    type: s.type, enlarge: s.enlarge, zoom: s.zoom, minWidth: s.minWidth, minHeight: s.minHeight,
    ...(s.offset && { offset: s.offset }),
    ...(region && { region }),
    ...(s.extend && { extend: s.extend }),
    ...(s.extendAspectRatio && { extendAspectRatio: s.extendAspectRatio }),
  };
  if (s.width) o.width = s.width;
  if (s.height) o.height = s.height;
  if (s.rotate) o.rotate = s.rotate as 90 | 180 | 270;
  if (s.flip.h || s.flip.v) o.flip = s.flip.h && s.flip.v ? 'hv' : s.flip.h ? 'h' : 'v';
  if (s.background) {
    o.background = s.background;
    o.flatten = true;
  }
  if (s.padding) o.padding = s.padding;
  // Photon's Gaussian blur takes its radius as the sigma of its box approximation.
  if (s.blur) o.blur = Math.max(1, s.blur);
  if (s.sharpen) o.sharpen = s.sharpen;
  if (s.pixelate > 1) o.pixelate = s.pixelate;
  if (s.watermark) o.draw = [scaleOverlay(s.watermark, s.dpr)];
  if (Object.values(s.formatQuality).some((q) => q)) o.formatQuality = { ...s.formatQuality };
  if (s.maxBytes) o.maxBytes = s.maxBytes;
  if (s.format) o.format = s.format;
  if (s.keepColorProfile) o.colorProfile = 'keep';
  if (!s.autoRotate) o.autoRotate = false;
  if (s.filename) o.filename = s.filename;
  if (s.attachment) o.attachment = true;
  if (s.cacheBuster) o.cacheBuster = s.cacheBuster;
  return o;
}

/** Watermark offsets follow dpr in imgproxy ("dpr affects watermark offsets"). */
function scaleOverlay(o: Overlay, dpr: number): Overlay {
  const out = { ...o };
  for (const k of ['top', 'left', 'bottom', 'right'] as const) if (out[k] !== undefined) out[k] = Math.round(out[k]! * dpr);
  return out;
}
