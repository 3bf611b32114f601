/**
 * @module url/cf-image-object
 * The Workers-API dialect: the options object Cloudflare's `fetch(url, { cf: { image } })`
 * takes (workers-types `RequestInitCfPropertiesImage`;
 * developers.cloudflare.com/images/transform-images/transform-via-workers/), turned into the
 * same name/value pairs a URL gives and read by the same parameter table (options/parse.ts).
 * No option has a second reading here: a value a URL refuses is refused the same way (400).
 *
 * Where the object's shape differs from the URL's, it is spelled as the URL spells it:
 * `gravity: {x, y}` -> `0.5x0.2`; `trim: {top, right, bottom, left}` -> `trim=t;r;b;l`;
 * `trim: {left, top, width, height}` -> the `trim.left/top/width/height` rectangle;
 * `trim: {border: {color, tolerance, keep}}` or `trim: "border"` -> `trim=border` and its
 * sub-options; `border: {...}` -> `border=color=..;width=..`; `draw: [...]` -> `draw=<JSON>`.
 */
import { invalidParam } from '../errors';
import { parseOptions, type RawPair } from '../options/parse';
import type { OptionLimits, TransformOptions } from '../options/types';

const scalar = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v) ?? '');

/** `cf.image` (a plain object) -> TransformOptions, through the one parameter table. */
export function optionsFromCfImage(image: unknown, limits: OptionLimits): TransformOptions {
  if (typeof image !== 'object' || image === null || Array.isArray(image)) throw invalidParam('image', 'cf.image must be an object of image options');
  return parseOptions(cfImagePairs(image as Record<string, unknown>), limits);
}

export function cfImagePairs(image: Record<string, unknown>): RawPair[] {
  const pairs: RawPair[] = [];
  for (const [key, value] of Object.entries(image)) {
    if (value === undefined || value === null) continue;
    switch (key) {
      case 'gravity':
        pairs.push(['gravity', gravityText(value)]);
        break;
      case 'trim':
        pairs.push(...trimPairs(value));
        break;
      case 'border':
        pairs.push(['border', borderText(value)]);
        break;
      case 'draw':
        pairs.push(['draw', JSON.stringify(value)]);
        break;
      default:
        pairs.push([key, scalar(value)]);
    }
  }
  return pairs;
}

function gravityText(g: unknown): string {
  if (typeof g !== 'object' || g === null) return scalar(g);
  const { x, y, ...rest } = g as Record<string, unknown>;
  if (Object.keys(rest).length) throw invalidParam('gravity', `gravity.${Object.keys(rest)[0]} is not supported (only x and y)`);
  return `${scalar(x ?? 0.5)}x${scalar(y ?? 0.5)}`;
}

function borderText(b: unknown): string {
  if (typeof b !== 'object' || b === null) return scalar(b);
  return Object.entries(b as Record<string, unknown>).map(([k, v]) => `${k}=${scalar(v)}`).join(';');
}

/** Cloudflare's trim object: margins to cut, a kept rectangle, or a border to find. */
function trimPairs(t: unknown): RawPair[] {
  if (typeof t !== 'object' || t === null) return [['trim', scalar(t)]];
  const { top, right, bottom, left, width, height, border, ...rest } = t as Record<string, unknown>;
  if (Object.keys(rest).length) throw invalidParam('trim', `trim.${Object.keys(rest)[0]} is not supported`);
  const pairs: RawPair[] = [];
  if (border !== undefined && border !== false) {
    pairs.push(['trim', 'border']);
    if (typeof border === 'object' && border !== null) {
      for (const [k, v] of Object.entries(border)) pairs.push([`trim.${k}`, scalar(v)]);
    }
  }
  if (width !== undefined || height !== undefined) {
    // The kept rectangle; `right`/`bottom` would say it twice.
    if (right !== undefined || bottom !== undefined) throw invalidParam('trim', 'trim.width/height cannot be combined with trim.right/bottom');
    for (const [k, v] of Object.entries({ left, top, width, height })) if (v !== undefined) pairs.push([`trim.${k}`, scalar(v)]);
  } else if ([top, right, bottom, left].some((v) => v !== undefined)) {
    pairs.push(['trim', [top, right, bottom, left].map((v) => scalar(v ?? 0)).join(';')]);
  }
  return pairs;
}
