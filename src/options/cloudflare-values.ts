/**
 * @module options/cloudflare-values
 * Readers for Cloudflare's structured option values that the parameter table
 * (params.ts) takes as one string: `border` and `draw`. The same readers serve the
 * URL forms and the Workers-API object (url/cf-image-object.ts), so both spell an
 * option one way and fail with the same 400.
 *
 * - `border` (developers.cloudflare.com/images/transform-images/transform-via-url/#border):
 *   Cloudflare documents it for Workers only, as `{color, width}` or
 *   `{color, top, right, bottom, left}`. In a URL we spell the same keys
 *   `border=color=<css colour>;width=<n>` or `border=color=...;top=..;right=..;bottom=..;left=..`.
 * - `draw` (.../draw-overlays/): Workers only at Cloudflare. Here also in a URL as
 *   `draw=<URL-encoded JSON array of Cloudflare's draw objects>`, mapped onto `Overlay`.
 */
import { invalidParam } from '../errors';
import { parseColor } from './color';
import type { OptionLimits, Overlay, TransformOptions } from './types';

const NUM = /^(\d+(\.\d*)?|\.\d+)$/;
/** Border sides are CSS pixels; a generous bound so a typo cannot ask for a gigapixel canvas. */
const MAX_BORDER = 1000;

/** `color=<css>;width=<n>` or `color=<css>;top=..;right=..;bottom=..;left=..`; undefined when malformed. */
export function readBorder(raw: string): TransformOptions['border'] | undefined {
  const fields = new Map<string, string>();
  for (const part of raw.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) return undefined;
    const k = part.slice(0, eq).trim();
    if (fields.has(k)) return undefined;
    fields.set(k, part.slice(eq + 1).trim());
  }
  return borderFromFields(Object.fromEntries(fields));
}

/** The same check for the string fields of a URL and the values of a Workers `border` object. */
export function borderFromFields(f: Record<string, unknown>): TransformOptions['border'] | undefined {
  const color = typeof f.color === 'string' ? parseColor(f.color) : null;
  if (!color) return undefined;
  const num = (v: unknown) => {
    const s = typeof v === 'number' ? String(v) : v;
    if (typeof s !== 'string' || !NUM.test(s)) return undefined;
    const n = Number(s);
    return n <= MAX_BORDER ? n : undefined;
  };
  const keys = Object.keys(f).filter((k) => k !== 'color').sort().join(',');
  if (keys === 'width') {
    const w = num(f.width);
    return w === undefined ? undefined : { color, top: w, right: w, bottom: w, left: w };
  }
  if (keys !== 'bottom,left,right,top') return undefined;
  const [top, right, bottom, left] = [f.top, f.right, f.bottom, f.left].map(num);
  if (top === undefined || right === undefined || bottom === undefined || left === undefined) return undefined;
  return { color, top, right, bottom, left };
}

export const BORDER_DESCRIPTION = `color=COLOUR;width=N, or color=COLOUR;top=N;right=N;bottom=N;left=N (a CSS colour; N from 0 to ${MAX_BORDER})`;

/**
 * Keys of Cloudflare's draw object that the overlay step (pipeline/overlay.ts) honours. Any other
 * (`fit`, `gravity`, `background`, `rotate`: the overlay's own transform) is a 400 naming it, never ignored:
 * the overlay is drawn at its size, or fitted inside width x height with its aspect kept.
 */
const DRAW_KEYS: ReadonlySet<string> = new Set(['url', 'width', 'height', 'opacity', 'repeat', 'top', 'left', 'bottom', 'right']);

/** `draw` as a JSON string (URL forms). */
export function readDraw(raw: string, limits: OptionLimits): Overlay[] {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw invalidParam('draw', 'draw must be a JSON array of overlays (URL-encoded), e.g. [{"url":"/logo.png","bottom":10,"right":10}]');
  }
  return overlaysFromDraw(value, limits);
}

/**
 * Cloudflare's `draw` array onto `Overlay[]`. The checks Cloudflare documents are kept:
 * `url` is required, `opacity` is 0..1, `repeat` is true/"x"/"y", and setting both
 * left and right (or top and bottom) is an error.
 */
export function overlaysFromDraw(value: unknown, limits: OptionLimits): Overlay[] {
  const fail = (i: number, why: string) => invalidParam('draw', `draw[${i}]: ${why}`);
  if (!Array.isArray(value)) throw invalidParam('draw', 'draw must be an array of overlay objects');
  if (value.length === 0) throw invalidParam('draw', 'draw must list at least one overlay');
  return value.map((entry, i) => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw fail(i, 'each overlay must be an object');
    const e = entry as Record<string, unknown>;
    for (const k of Object.keys(e)) if (!DRAW_KEYS.has(k)) throw fail(i, `${JSON.stringify(k.slice(0, 30))} is not supported (supported: ${[...DRAW_KEYS].join(', ')})`);
    if (typeof e.url !== 'string' || e.url === '') throw fail(i, 'url is required (a path or an absolute URL)');
    const o: Overlay = { url: e.url };
    for (const k of ['width', 'height'] as const) {
      if (e[k] === undefined) continue;
      const n = e[k];
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > limits.maxDimension) throw fail(i, `${k} must be an integer from 1 to ${limits.maxDimension}`);
      o[k] = n;
    }
    for (const k of ['top', 'left', 'bottom', 'right'] as const) {
      if (e[k] === undefined) continue;
      const n = e[k];
      if (typeof n !== 'number' || !Number.isFinite(n) || Math.abs(n) > limits.maxDimension) throw fail(i, `${k} must be a number of pixels within ${limits.maxDimension}`);
      o[k] = Math.round(n);
    }
    if (o.left !== undefined && o.right !== undefined) throw fail(i, 'left and right cannot both be set');
    if (o.top !== undefined && o.bottom !== undefined) throw fail(i, 'top and bottom cannot both be set');
    if (e.opacity !== undefined) {
      if (typeof e.opacity !== 'number' || !(e.opacity >= 0 && e.opacity <= 1)) throw fail(i, 'opacity must be a number from 0 to 1');
      o.opacity = e.opacity;
    }
    if (e.repeat !== undefined) {
      if (e.repeat !== true && e.repeat !== 'x' && e.repeat !== 'y') throw fail(i, 'repeat must be true, "x" or "y"');
      o.repeat = e.repeat;
    }
    return o;
  });
}
