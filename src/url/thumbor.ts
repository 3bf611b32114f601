/**
 * @module url/thumbor
 * Thumbor's dialect (thumbor.readthedocs.io, "Usage" and "Filters"; thumbor/url.py):
 *
 *   /(unsafe|SIGNATURE)/[meta/][trim[:top-left|bottom-right][:tolerance]/][AxB:CxD/]
 *   [fit-in|full-fit-in|adaptive-fit-in|adaptive-full-fit-in/][-]WIDTHx[-]HEIGHT/
 *   [left|center|right/][top|middle|bottom/][smart/][filters:NAME(ARGS):NAME(ARGS)/]IMAGE
 *
 * parsed into the same TransformOptions as Cloudflare's grammar, with Thumbor's
 * semantics: without fit-in the image is cropped to fill the box and enlarged
 * when smaller (transformer.py auto_crop + resize); fit-in never enlarges unless
 * `upscale()`. Signatures are Thumbor's (docs/security.rst): HMAC-SHA1 with the
 * SECURITY_KEY over the path after the signature, URL-safe base64 (with `=`).
 * Unlike Thumbor, an unknown filter is a 400 naming it (Thumbor ignores it).
 */
import { checkAllowedWidths, splitOutsideParens } from '../options/parse';
import { badSignature, invalidParam, invalidUrl } from '../errors';
import { parseColor } from '../options/color';
import { DEFAULT_OPTIONS } from '../options/params';
import type { Overlay, Rgba, TransformOptions } from '../options/types';
import { resolveSource } from '../source';
import type { Dialect, DialectContext, DialectResult } from './dialect';

/** Thumbor's default QUALITY setting. */
export const THUMBOR_DEFAULT_QUALITY = 80;

/** A SHA-1 HMAC (20 bytes) in URL-safe base64: 27 characters and one `=`. */
const SIGNATURE = /^[A-Za-z0-9_-]{27}=$/;
/** Something that could be a mangled signature (wrong length, other scheme), for claiming a URL. */
const SIGNATURE_LIKE = /^[A-Za-z0-9_=-]{16,64}$/;
const TRIM = /^trim(?::(top-left|bottom-right))?(?::(\d+))?$/;
const CROP = /^(\d+)x(\d+):(\d+)x(\d+)$/;
const FIT_IN = /^(adaptive-)?(full-)?fit-in$/;
const SIZE = /^(-)?(\d+|orig)?x(-)?(\d+|orig)?$/;
const HALIGN: Record<string, number> = { left: 0, center: 0.5, right: 1 };
const VALIGN: Record<string, number> = { top: 0, middle: 0.5, bottom: 1 };

/** True for a path segment that is one of Thumbor's option segments. */
function isOptionSegment(seg: string): boolean {
  return seg === 'meta' || seg === 'smart' || TRIM.test(seg) || CROP.test(seg) || FIT_IN.test(seg) || SIZE.test(seg)
    || seg in HALIGN || seg in VALIGN || seg.startsWith('filters:');
}

export const thumborDialect: Dialect = {
  name: 'thumbor',
  claims(url, only) {
    if (only || url.pathname === '/healthcheck') return true;
    const [first = '', second = ''] = url.pathname.slice(1).split('/', 2);
    if (first === 'unsafe') return true;
    // A signed URL: a well-formed signature, or a signature-like segment before Thumbor options
    // (so a truncated or foreign signature gets Thumbor's 403, not a path-form 404).
    return SIGNATURE.test(first) || (SIGNATURE_LIKE.test(first) && isOptionSegment(second));
  },
  parse: parseThumborUrl,
};

/** Verifies and parses one Thumbor URL (path and query as received). */
export async function parseThumborUrl(url: URL, ctx: DialectContext): Promise<DialectResult> {
  if (url.pathname === '/healthcheck') return { kind: 'healthcheck' };
  const rest = url.pathname.slice(1);
  const slash = rest.indexOf('/');
  if (slash <= 0) throw invalidUrl('a Thumbor URL is /unsafe/<options>/<image> or /<signature>/<options>/<image>');
  const head = rest.slice(0, slash);
  const signed = rest.slice(slash + 1) + url.search;
  await checkThumborSignature(head, signed, ctx);
  return parseThumborPath(signed, ctx);
}

async function checkThumborSignature(head: string, signed: string, { config }: DialectContext): Promise<void> {
  const { securityKey, allowUnsafe } = config.thumbor;
  if (head === 'unsafe') {
    if (allowUnsafe) return;
    throw badSignature('unsafe Thumbor URLs are not allowed here; sign them with the security key');
  }
  if (!securityKey) throw badSignature('signed Thumbor URL, but no THUMBOR_SECURITY_KEY is configured');
  if (!SIGNATURE.test(head)) throw badSignature('invalid signature');
  // Libraries sign what they emit; some emit the image URL percent-encoded, others not: accept either form.
  let decoded: string | undefined;
  try {
    decoded = decodeURIComponent(signed);
  } catch {
    decoded = undefined;
  }
  for (const candidate of new Set([signed, decoded].filter((c): c is string => c !== undefined))) {
    if (constantTimeEqual(await thumborSignature(candidate, securityKey), head)) return;
  }
  throw badSignature('invalid signature');
}

/** Thumbor's signature of `path` (the URL after the signature segment): urlsafe_b64encode(HMAC-SHA1(key, path)). */
export async function thumborSignature(path: string, key: string): Promise<string> {
  const enc = new TextEncoder();
  const k = await crypto.subtle.importKey('raw', enc.encode(key), { name: 'HMAC', hash: 'SHA-1' }, false, ['sign']);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', k, enc.encode(path)));
  return btoa(String.fromCharCode(...mac)).replace(/\+/g, '-').replace(/\//g, '_');
}

function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** What the URL's segments said, before it becomes TransformOptions. */
interface ThumborRequest {
  meta: boolean;
  trim?: { corner: 'top-left' | 'bottom-right'; tolerance: number };
  crop?: { left: number; top: number; right: number; bottom: number };
  fitIn?: { adaptive: boolean; full: boolean };
  width: number | 'orig';
  height: number | 'orig';
  flipH: boolean;
  flipV: boolean;
  halign?: number;
  valign?: number;
  smart: boolean;
  filters: { name: string; args: string[] }[];
  image: string;
}

/** Splits the path after the signature into Thumbor's segments, in Thumbor's order. */
export function splitThumborPath(path: string): ThumborRequest {
  const req: ThumborRequest = { meta: false, width: 0, height: 0, flipH: false, flipV: false, smart: false, filters: [], image: '' };
  let rest = path;
  const peek = () => {
    const i = rest.indexOf('/');
    return i < 0 ? null : rest.slice(0, i);
  };
  const take = (seg: string) => {
    rest = rest.slice(seg.length + 1);
  };
  // Each optional segment in grammar order; the first that does not match starts the image.
  let seg = peek();
  if (seg === 'meta') { req.meta = true; take(seg); seg = peek(); }
  let m: RegExpExecArray | null;
  if (seg !== null && (m = TRIM.exec(seg))) {
    req.trim = { corner: (m[1] as 'top-left' | 'bottom-right' | undefined) ?? 'top-left', tolerance: m[2] ? Number(m[2]) : 0 };
    if (req.trim.tolerance > 442) throw invalidParam('trim', 'trim tolerance must be 0 to 442 (a distance in RGB space)');
    take(seg); seg = peek();
  }
  if (seg !== null && (m = CROP.exec(seg))) {
    req.crop = { left: Number(m[1]), top: Number(m[2]), right: Number(m[3]), bottom: Number(m[4]) };
    take(seg); seg = peek();
  }
  if (seg !== null && (m = FIT_IN.exec(seg))) {
    req.fitIn = { adaptive: !!m[1], full: !!m[2] };
    take(seg); seg = peek();
  }
  if (seg !== null && (m = SIZE.exec(seg))) {
    req.flipH = !!m[1];
    req.flipV = !!m[3];
    req.width = m[2] === 'orig' ? 'orig' : Number(m[2] ?? 0);
    req.height = m[4] === 'orig' ? 'orig' : Number(m[4] ?? 0);
    take(seg); seg = peek();
  }
  if (seg !== null && seg in HALIGN) { req.halign = HALIGN[seg]; take(seg); seg = peek(); }
  if (seg !== null && seg in VALIGN) { req.valign = VALIGN[seg]; take(seg); seg = peek(); }
  if (seg === 'smart') { req.smart = true; take(seg); }
  if (rest.startsWith('filters:')) {
    const end = filtersEnd(rest);
    if (end < 0) throw invalidParam('filters', 'filters must be written filters:name(args):name(args)/ before the image');
    req.filters = splitFilters(rest.slice('filters:'.length, end));
    rest = rest.slice(end + 1);
  }
  req.image = rest;
  return req;
}

/** Index of the `/` that ends the filters segment: the first one outside parentheses after a `)`. */
function filtersEnd(s: string): number {
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === '(') depth++;
    else if (ch === ')') depth = Math.max(0, depth - 1);
    else if (ch === '/' && depth === 0) return s[i - 1] === ')' ? i : -1;
  }
  return -1;
}

/** `a(1):b():c(x,y)` -> [{a,[1]}, {b,[]}, {c,[x,y]}], splitting only outside parentheses. */
function splitFilters(s: string): { name: string; args: string[] }[] {
  return splitOutsideParens(s, ':')
    .filter((call) => call !== '')
    .map((call) => {
      const m = /^([a-z_][a-z0-9_]*)\((.*)\)$/is.exec(call);
      if (!m) throw invalidParam('filters', `filter ${JSON.stringify(call.slice(0, 40))} must be written name(args)`);
      return { name: m[1]!, args: m[2] === '' ? [] : splitOutsideParens(m[2]!, ',').map((a) => a.trim()) };
    });
}

/** Parses the path after the signature (no signature check) into the engine's request. */
export function parseThumborPath(path: string, ctx: Pick<DialectContext, 'config' | 'hasBucket'>): DialectResult {
  const req = splitThumborPath(path);
  if (!req.image) throw invalidUrl('no source image was given');
  const o = thumborOptions(req, ctx.config.maxDimension, ctx.config.thumbor.loader);
  // ALLOWED_WIDTHS / ALLOWED_QUALITIES bound every dialect's variants: turning Thumbor on must not widen them.
  const { allowedWidths, allowedQualities } = ctx.config;
  if (allowedWidths) checkAllowedWidths(o, allowedWidths);
  if (allowedQualities && req.filters.some((f) => f.name === 'quality') && !allowedQualities.has(o.quality)) {
    throw invalidParam('quality', `quality() must be one of ${[...allowedQualities].join(', ')} (ALLOWED_QUALITIES)`);
  }
  const source = resolveSource(thumborImageUrl(req.image, ctx.config.thumbor.loader), { origin: ctx.config.origin, hasBucket: ctx.hasBucket });
  return { kind: 'image', source, options: o, ...(req.meta ? { jsonShape: 'thumbor' as const } : {}) };
}

/**
 * The image part: an absolute URL (often percent-encoded, as libthumbor emits it), or a
 * path. Thumbor's HTTP loader prepends `http://` to a bare `host/path`; THUMBOR_LOADER=http
 * or https does that here, `origin` (default) resolves it against ORIGIN / R2 / samples.
 */
export function thumborImageUrl(image: string, loader: 'origin' | 'http' | 'https'): string {
  let s = image;
  if (/^https?%3a/i.test(s)) {
    try {
      s = decodeURIComponent(s);
    } catch {
      throw invalidUrl('image URL is not valid percent-encoding');
    }
  }
  const m = /^(https?):\/+(.*)$/i.exec(s);
  if (m) return `${m[1]}://${m[2]}`;
  if (loader !== 'origin') return `${loader}://${s.replace(/^\/+/, '')}`;
  return `/${s.replace(/^\/+/, '')}`;
}

const num = (raw: string | undefined, name: string, lo: number, hi: number, what = `a number from ${lo} to ${hi}`): number => {
  const n = raw === undefined || raw === '' ? NaN : Number(raw);
  if (!Number.isFinite(n) || n < lo || n > hi) throw invalidParam(name, `${name}() takes ${what}${raw === undefined ? '' : `, not ${JSON.stringify(raw.slice(0, 20))}`}`);
  return n;
};

/** Thumbor colour arguments: a name, or hex without `#` (`fill(ff0000)`), as Thumbor's engines take them. */
function thumborColor(raw: string | undefined, name: string): Rgba {
  const c = raw === undefined ? null : (parseColor(raw) ?? parseColor(`#${raw}`));
  if (!c) throw invalidParam(name, `${name}() takes a colour name or hex such as ff0000, not ${JSON.stringify((raw ?? '').slice(0, 20))}`);
  return c;
}

const bool = (raw: string | undefined) => raw !== undefined && /^(1|true|yes)$/i.test(raw);

type Filter = (o: TransformOptions, args: string[], state: { fitIn: boolean; loader: Loader }) => void;
type Loader = 'origin' | 'http' | 'https';

/**
 * The filters, one row each (Thumbor registers one small class per filter; this is the
 * same list as data). Arguments and ranges follow each filter's page in Thumbor's docs.
 */
const FILTERS: Record<string, Filter> = {
  quality: (o, [q]) => { o.quality = Math.max(1, Math.round(num(q, 'quality', 0, 100))); },
  format: (o, [f]) => {
    const formats: Record<string, TransformOptions['format']> = { webp: 'webp', jpeg: 'jpeg', jpg: 'jpeg', png: 'png', avif: 'avif', gif: 'gif' };
    const v = formats[(f ?? '').toLowerCase()];
    // gif: an animated GIF from an animation (src/animation.ts, as Thumbor does through gifsicle), a still GIF otherwise.
    if (!v) throw invalidParam('format', 'format() takes one of webp, jpeg, png, gif, avif');
    o.format = v;
  },
  fill: (o, [color, transparent], { fitIn }) => {
    if (fitIn) o.fit = 'pad';
    const c = (color ?? '').toLowerCase();
    if (c === 'blur' || c === 'auto') o.padFill = c;
    else o.background = c === 'transparent' ? { r: 0, g: 0, b: 0, a: 0 } : thumborColor(color, 'fill');
    // fill_transparent (paste with merge) is accepted but not applied: transparent areas of the image stay
    // transparent in PNG/WebP/AVIF (Thumbor's default); JPEG flattens them onto the fill colour either way.
    void transparent;
  },
  background_color: (o, [color]) => { o.background = thumborColor(color, 'background_color'); },
  blur: (o, [radius, sigma]) => {
    const r = num(radius, 'blur', 0, 150);
    if (sigma !== undefined) num(sigma, 'blur', 0, 150);
    if (r > 0) o.blur = r;
  },
  // Thumbor adds 255 * amount / 100 to every channel (ext/filters/_brightness.c): an offset, not a factor.
  brightness: (o, [a]) => addOffset(o, Math.trunc((255 * Math.trunc(num(a, 'brightness', -100, 100))) / 100), 'all'),
  // Thumbor scales around mid-grey by ((amount + 100) / 100)^2 (ext/filters/_contrast.c).
  contrast: (o, [a]) => { o.contrast = (num(a, 'contrast', -100, 100) + 100) ** 2 / 10_000; },
  // saturation(amount): -100..100 %, i.e. a factor 1 + amount/100 (0 = grey, 2 = twice).
  saturation: (o, [a]) => { o.saturation = (o.saturation ?? 1) * (1 + num(a, 'saturation', -100, 100) / 100); },
  rgb: (o, args) => {
    if (args.length !== 3) throw invalidParam('rgb', 'rgb() takes three amounts r,g,b from -100 to 100');
    const [r, g, b] = args.map((v) => Math.trunc((255 * Math.trunc(num(v, 'rgb', -100, 100))) / 100)) as [number, number, number];
    addOffset(o, r, 'r'); addOffset(o, g, 'g'); addOffset(o, b, 'b');
  },
  grayscale: (o) => { o.saturation = 0; },
  rotate: (o, [a]) => {
    const angle = ((Math.trunc(num(a, 'rotate', -100000, 100000)) % 360) + 360) % 360;
    if (angle % 90 !== 0) throw invalidParam('rotate', 'rotate() takes a multiple of 90 here (arbitrary angles are not supported)');
    // Thumbor (PIL) turns counter-clockwise; Thumbflare's rotate is clockwise.
    const cw = (360 - angle) % 360;
    if (cw) o.rotate = cw as 90 | 180 | 270;
  },
  sharpen: (o, [amount, radius, luminanceOnly]) => {
    o.sharpen = num(amount, 'sharpen', 0, 10);
    if (radius !== undefined) num(radius, 'sharpen', 0, 100);
    void luminanceOnly;
    if (o.sharpen === 0) delete o.sharpen;
  },
  focal: (o, [rect]) => {
    const m = /^(\d+)x(\d+):(\d+)x(\d+)$/.exec(rect ?? '');
    if (!m) throw invalidParam('focal', 'focal() takes a region LEFTxTOP:RIGHTxBOTTOM');
    const [l, t, r, b] = m.slice(1).map(Number) as [number, number, number, number];
    if (r > l && b > t) o.focalPixel = { x: (l + r) / 2, y: (t + b) / 2 };
  },
  no_upscale: (o) => { o.enlarge = false; },
  upscale: (o) => { o.enlarge = true; },
  stretch: (o) => { o.fit = 'squeeze'; },
  proportion: (o, [p]) => { o.proportion = num(p, 'proportion', 0.01, 1, 'a factor above 0 and at most 1'); },
  // Thumbflare converts to sRGB and writes no ICC profile or EXIF by default: both are already done.
  strip_icc: (o) => { o.colorProfile = 'srgb'; },
  strip_exif: () => {},
  max_bytes: (o, [n]) => { o.maxBytes = Math.round(num(n, 'max_bytes', 1, 100_000_000, 'a byte count from 1')); },
  round_corner: (o, [radius, r, g, b, transparent]) => {
    const m = /^(\d+)(?:\|(\d+))?$/.exec(radius ?? '');
    if (!m) throw invalidParam('round_corner', 'round_corner() takes a radius (or a|b) and a colour r,g,b');
    const rx = Number(m[1]);
    const ry = m[2] === undefined ? rx : Number(m[2]);
    const channel = (v: string | undefined) => Math.round(num(v, 'round_corner', 0, 255));
    const color = { r: channel(r), g: channel(g), b: channel(b), a: bool(transparent) ? 0 : 255 };
    if (rx > 0 && ry > 0) o.roundCorner = { rx, ry, color };
  },
  watermark: (o, args, { loader }) => { (o.draw ??= []).push(watermarkOverlay(args, loader)); },
  max_age: (o, [s]) => { o.maxAge = Math.round(num(s, 'max_age', 0, 31_536_000, 'seconds from 0 to 31536000')); },
};

function addOffset(o: TransformOptions, delta: number, which: 'r' | 'g' | 'b' | 'all'): void {
  const off = (o.rgbOffset ??= { r: 0, g: 0, b: 0 });
  for (const ch of which === 'all' ? (['r', 'g', 'b'] as const) : [which]) off[ch] = Math.max(-255, Math.min(255, off[ch] + delta));
}

/**
 * watermark(url, x, y, alpha[, w_ratio[, h_ratio]]) (docs/watermark.rst): x/y are pixels from
 * the left/top, negative from the right/bottom, `center`, or `repeat`; alpha is the
 * watermark's transparency in % (0 opaque); w_ratio/h_ratio cap its size to that % of the image.
 */
function watermarkOverlay(args: string[], loader: Loader): Overlay {
  if (args.length < 4 || args.length > 6) throw invalidParam('watermark', 'watermark() takes url,x,y,alpha[,w_ratio[,h_ratio]]');
  const [rawUrl, x, y, alpha, wRatio, hRatio] = args as [string, string, string, string, string?, string?];
  let url: string;
  try {
    url = decodeURIComponent(rawUrl);
  } catch {
    throw invalidParam('watermark', 'watermark() URL is not valid percent-encoding');
  }
  if (!url) throw invalidParam('watermark', 'watermark() needs an image URL');
  // "the same image loader that Thumbor uses will be used here" (docs/watermark.rst).
  url = thumborImageUrl(url, loader);
  const overlay: Overlay = { url, opacity: 1 - num(alpha, 'watermark', 0, 100, 'an alpha (transparency %) from 0 to 100') / 100 };
  const place = (v: string, near: 'left' | 'top', far: 'right' | 'bottom') => {
    if (v === 'center') return false;
    if (v === 'repeat') return true;
    if (!/^-?\d+$/.test(v)) throw invalidParam('watermark', `watermark() position must be pixels, -pixels, center or repeat, not ${JSON.stringify(v.slice(0, 12))}`);
    if (v.startsWith('-')) overlay[far] = -Number(v);
    else overlay[near] = Number(v);
    return false;
  };
  const rx = place(x, 'left', 'right');
  const ry = place(y, 'top', 'bottom');
  if (rx || ry) overlay.repeat = rx && ry ? true : rx ? 'x' : 'y';
  const ratio = (v: string | undefined) => (v === undefined || v === 'none' ? undefined : num(v, 'watermark', 0, 100, 'a ratio (%) from 0 to 100, or none') / 100);
  const wr = ratio(wRatio);
  const hr = ratio(hRatio);
  if (wr) overlay.widthRatio = wr;
  if (hr) overlay.heightRatio = hr;
  return overlay;
}

/** Thumbor's segments and filters as TransformOptions (filters in URL order; the pipeline's order is fixed). */
export function thumborOptions(req: ThumborRequest, maxDimension: number, loader: Loader = 'origin'): TransformOptions {
  // metadata 'none': Thumbor's PRESERVE_EXIF_INFO defaults to False (strip everything), unlike Cloudflare's copyright default.
  const o: TransformOptions = { ...DEFAULT_OPTIONS, quality: THUMBOR_DEFAULT_QUALITY, fit: 'cover', thumborBox: true, metadata: 'none' };
  const fitIn = !!req.fitIn;
  if (req.fitIn) {
    // fit-in only shrinks (transformer.py fit_in_resize returns early when the box is larger) unless
    // upscale(); full-fit-in has no such early return, so it enlarges like the default crop-to-fill.
    o.fit = req.fitIn.full ? 'outside' : 'contain';
    if (!req.fitIn.full) o.enlarge = false;
    if (req.fitIn.adaptive) o.adaptive = true;
  }
  for (const [side, v] of [['width', req.width], ['height', req.height]] as const) {
    if (v === 'orig') continue;
    if (v > maxDimension) throw invalidParam(side, `${side} must be at most ${maxDimension}`);
    if (v > 0) o[side] = v;
  }
  if (req.width === 'orig' || req.height === 'orig') o.orig = req.width === 'orig' && req.height === 'orig' ? 'both' : req.width === 'orig' ? 'width' : 'height';
  if (req.crop) o.region = req.crop;
  if (req.trim) o.trimBorder = req.trim;
  if (req.halign !== undefined || req.valign !== undefined) o.gravity = { x: req.halign ?? 0.5, y: req.valign ?? 0.5 };
  if (req.smart) o.gravity = 'auto';
  if (req.meta) o.format = 'json';
  for (const { name, args } of req.filters) {
    const apply = Object.hasOwn(FILTERS, name) ? FILTERS[name] : undefined;
    if (!apply) throw invalidParam('filters', `unknown Thumbor filter ${JSON.stringify(name.slice(0, 40))}`);
    apply(o, args, { fitIn, loader });
  }
  if (o.format === 'json' && req.meta === false) delete o.format;
  // Thumbor flips after resizing and rotates in a filter after that: its width/height are
  // before the rotation, ours after, and a flip then a quarter turn is our turn then the other flip.
  const quarter = o.rotate === 90 || o.rotate === 270;
  if (quarter) [o.width, o.height] = [o.height, o.width];
  if (o.width === undefined) delete o.width;
  if (o.height === undefined) delete o.height;
  const h = quarter ? req.flipV : req.flipH;
  const v = quarter ? req.flipH : req.flipV;
  if (h || v) o.flip = h && v ? 'hv' : h ? 'h' : 'v';
  return o;
}
