/**
 * @module options/params
 * PARAM_SPECS: the one declarative table of transform parameters. Each row names
 * the option, its aliases, how its raw string is read and checked, and what the
 * error says. Adding an option is one row here, one pipeline step, one test row.
 * Names and semantics follow Cloudflare Image Resizing so its URLs work unchanged.
 * Defaults live in DEFAULT_OPTIONS; parameters absent from the URL keep them.
 */
import { parseColor } from './color';
import { BORDER_DESCRIPTION, readBorder, readDraw } from './cloudflare-values';
import type { Fit, FormatOption, Gravity, GravityOption, OptionLimits, TransformOptions, Trim } from './types';

/** Reads one raw value; returns undefined when it is invalid (the parser then reports `describe`). */
type ReadValue = (raw: string, limits: OptionLimits) => unknown;

/**
 * Cloudflare's dotted trim sub-parameters (issue 13): read through the table like any row,
 * then folded by parse.ts into `trimBorder` (color, tolerance, keep) or `region` (the rectangle).
 */
export type TrimSubKey = 'trim.color' | 'trim.tolerance' | 'trim.keep' | 'trim.top' | 'trim.left' | 'trim.width' | 'trim.height';

export interface ParamSpec {
  key: keyof TransformOptions | TrimSubKey;
  aliases: readonly string[];
  /** Human text for the error message: "<key> must be <describe>". */
  describe: (limits: OptionLimits) => string;
  read: ReadValue;
  /**
   * Optional hint for generated UIs (the playground, pages/playground.ts): how a
   * value is entered. `enum` lists every accepted spelling worth offering as a
   * select; `text` with `choices` offers them as suggestions but takes any text.
   * A row without it still gets a plain text input, so a new option shows up anyway.
   */
  ui?: { kind: 'int' | 'number' | 'enum' | 'color' | 'text'; choices?: readonly string[] };
}

export const DEFAULT_OPTIONS: Readonly<TransformOptions> = Object.freeze({
  dpr: 1,
  fit: 'scale-down',
  gravity: Object.freeze({ x: 0.5, y: 0.5 }),
  quality: 85,
  background: Object.freeze({ r: 255, g: 255, b: 255, a: 255 }),
  anim: true,
});

const INT = /^\d+$/;
const NUM = /^(\d+(\.\d*)?|\.\d+)$/;

function readInt(min: number, max: (l: OptionLimits) => number): ReadValue {
  return (raw, limits) => {
    if (!INT.test(raw)) return undefined;
    const n = Number(raw);
    return n >= min && n <= max(limits) ? n : undefined;
  };
}

function readNumber(min: number, max: number, round = false): ReadValue {
  return (raw) => {
    if (!NUM.test(raw)) return undefined;
    const n = Number(raw);
    if (n < min || n > max) return undefined;
    return round ? Math.round(n) : n;
  };
}

/** A number (decimals allowed) from min to a limit-dependent max. */
function readBounded(min: number, max: (l: OptionLimits) => number): ReadValue {
  return (raw, limits) => {
    if (!NUM.test(raw)) return undefined;
    const n = Number(raw);
    return n >= min && n <= max(limits) ? n : undefined;
  };
}

function readEnum<T>(values: Record<string, T>): ReadValue {
  return (raw) => (Object.hasOwn(values, raw) ? values[raw] : undefined);
}

const NAMED_GRAVITY: Record<string, Gravity> = {
  center: { x: 0.5, y: 0.5 }, centre: { x: 0.5, y: 0.5 },
  top: { x: 0.5, y: 0 }, bottom: { x: 0.5, y: 1 }, left: { x: 0, y: 0.5 }, right: { x: 1, y: 0.5 },
  'top-left': { x: 0, y: 0 }, 'top-right': { x: 1, y: 0 },
  'bottom-left': { x: 0, y: 1 }, 'bottom-right': { x: 1, y: 1 },
};

function readGravity(raw: string): GravityOption | undefined {
  // Content-aware modes (src/focus/): Cloudflare's saliency and face gravity.
  if (raw === 'auto' || raw === 'face') return raw;
  const named = NAMED_GRAVITY[raw];
  if (named) return named;
  const m = /^([\d.]+)x([\d.]+)$/.exec(raw);
  if (!m || !NUM.test(m[1]!) || !NUM.test(m[2]!)) return undefined;
  const x = Number(m[1]);
  const y = Number(m[2]);
  return x <= 1 && y <= 1 ? { x, y } : undefined;
}

function readTrim(raw: string): Trim | 'border' | undefined {
  // Cloudflare's trim=border: trim a uniform border by colour (parse.ts makes it `trimBorder`).
  if (raw === 'border') return 'border';
  const parts = raw.split(';');
  // Fractional values are accepted (Cloudflare's are not restricted to whole pixels): they are
  // source pixels, and the crop step rounds the cut to whole pixels.
  if (parts.length !== 4 || !parts.every((p) => NUM.test(p))) return undefined;
  const [top, right, bottom, left] = parts.map(Number) as [number, number, number, number];
  const max = 100_000;
  return [top, right, bottom, left].every((n) => n <= max) ? { top, right, bottom, left } : undefined;
}

// --- Cloudflare options (issue 13 part 1) ---
/**
 * Cloudflare's perceptual quality names (developers.cloudflare.com/images/transform-images/
 * transform-via-url/#quality) give no numbers; these are ours, per output format, because the
 * scales differ: libavif's q50 looks like MozJPEG's ~q80 (sharp's defaults are 50 and 80), and
 * libwebp sits a little below JPEG. PNG is lossless and ignores quality.
 */
export const PERCEPTUAL_QUALITY = {
  high: { jpeg: 90, webp: 88, avif: 70 },
  'medium-high': { jpeg: 82, webp: 80, avif: 58 },
  'medium-low': { jpeg: 70, webp: 68, avif: 48 },
  low: { jpeg: 55, webp: 50, avif: 38 },
} as const satisfies Record<string, { jpeg: number; webp: number; avif: number }>;

/** A number 1..100 (rounded), or a perceptual name, kept as its name until parse.ts expands it. */
function readQuality(raw: string, limits: OptionLimits): unknown {
  if (Object.hasOwn(PERCEPTUAL_QUALITY, raw)) return raw;
  return readNumber(1, 100, true)(raw, limits);
}
// --- end Cloudflare options ---

const maxDimension = (l: OptionLimits) => l.maxDimension;
const range = (lo: number, hi: number) => () => `a number from ${lo} to ${hi}`;

export const PARAM_SPECS: readonly ParamSpec[] = [
  // Cloudflare's width=auto: parse.ts turns it into `widthAuto`, client-hints.ts into a width.
  { key: 'width', aliases: ['w'], describe: (l) => `auto or an integer from 1 to ${l.maxDimension}`, read: (raw, l) => (raw === 'auto' ? 'auto' : readInt(1, maxDimension)(raw, l)), ui: { kind: 'int' } },
  { key: 'height', aliases: ['h'], describe: (l) => `an integer from 1 to ${l.maxDimension}`, read: readInt(1, maxDimension), ui: { kind: 'int' } },
  { key: 'dpr', aliases: [], describe: range(1, 4), read: readNumber(1, 4), ui: { kind: 'number' } },
  {
    key: 'fit', aliases: [],
    describe: () => 'one of scale-down, contain, cover, crop, pad, squeeze, scale-up, aspect-crop',
    read: readEnum<Fit>({ 'scale-down': 'scale-down', contain: 'contain', cover: 'cover', crop: 'crop', pad: 'pad', squeeze: 'squeeze', 'scale-up': 'scale-up', 'aspect-crop': 'aspect-crop' }),
    ui: { kind: 'enum', choices: ['scale-down', 'contain', 'cover', 'crop', 'pad', 'squeeze', 'scale-up', 'aspect-crop'] },
  },
  {
    key: 'gravity', aliases: ['g'],
    describe: () => 'auto, face, center, top, bottom, left, right, a corner such as top-left, or a focal point like 0.3x0.7',
    read: readGravity,
    ui: { kind: 'text', choices: ['center', 'top', 'bottom', 'left', 'right', 'top-left', 'top-right', 'bottom-left', 'bottom-right', '0.5x0.33'] },
  },
  // Cloudflare's zoom: how tightly gravity=face frames the faces (0 loose .. 1 tight).
  { key: 'zoom', aliases: [], describe: range(0, 1), read: readNumber(0, 1), ui: { kind: 'number' } },
  {
    key: 'quality', aliases: ['q'],
    describe: () => 'a number from 1 to 100, or one of high, medium-high, medium-low, low',
    read: readQuality,
    ui: { kind: 'text', choices: ['85', 'high', 'medium-high', 'medium-low', 'low'] },
  },
  {
    key: 'format', aliases: ['f'],
    describe: () => 'one of jpeg, baseline-jpeg, png, webp, avif, gif, jxl, svg, auto, json',
    // Cloudflare's baseline-jpeg: our JPEGs are always baseline (codec/encode.ts), so it is jpeg.
    // gif: an animated GIF from an animation (src/animation.ts), else a still GIF.
    // jxl: JPEG XL output (codec/jxl); svg: an SVG source passed through sanitised (codec/svg/passthrough).
    read: readEnum<FormatOption>({ jpeg: 'jpeg', jpg: 'jpeg', 'baseline-jpeg': 'jpeg', png: 'png', webp: 'webp', avif: 'avif', gif: 'gif', jxl: 'jxl', svg: 'svg', auto: 'auto', json: 'json' }),
    ui: { kind: 'enum', choices: ['auto', 'avif', 'webp', 'jpeg', 'baseline-jpeg', 'png', 'gif', 'jxl', 'svg', 'json'] },
  },
  // Cloudflare's compression=fast: the fastest WebP/AVIF encoder effort (codec/encode.ts).
  { key: 'compression', aliases: [], describe: () => 'fast', read: readEnum({ fast: 'fast' }), ui: { kind: 'enum', choices: ['fast'] } },
  {
    key: 'background', aliases: ['bg'],
    describe: () => 'a CSS colour: #rgb, #rrggbb, #rrggbbaa, rgb(), rgba() or a common name',
    read: (raw) => parseColor(raw) ?? undefined,
    ui: { kind: 'color' },
  },
  { key: 'rotate', aliases: [], describe: () => 'one of 0, 90, 180, 270', read: readEnum({ '0': 0, '90': 90, '180': 180, '270': 270 }), ui: { kind: 'enum', choices: ['90', '180', '270'] } },
  { key: 'flip', aliases: [], describe: () => 'one of h, v, hv', read: readEnum({ h: 'h', v: 'v', hv: 'hv', vh: 'hv' }), ui: { kind: 'enum', choices: ['h', 'v', 'hv'] } },
  // Cloudflare accepts blur=0 (no blur); parse.ts drops it so it keys like no blur at all.
  { key: 'blur', aliases: [], describe: () => '0 (no blur) or a number from 1 to 250', read: (raw, l) => (/^0+(\.0*)?$/.test(raw) ? 0 : readNumber(1, 250)(raw, l)), ui: { kind: 'number' } },
  { key: 'sharpen', aliases: [], describe: range(0, 10), read: readNumber(0, 10), ui: { kind: 'number' } },
  { key: 'brightness', aliases: [], describe: range(0, 10), read: readNumber(0, 10), ui: { kind: 'number' } },
  { key: 'contrast', aliases: [], describe: range(0, 10), read: readNumber(0, 10), ui: { kind: 'number' } },
  { key: 'saturation', aliases: [], describe: range(0, 10), read: readNumber(0, 10), ui: { kind: 'number' } },
  { key: 'gamma', aliases: [], describe: () => '0 (no change, as Cloudflare ignores it) or a number from 0.1 to 10', read: (raw, l) => (/^0+(\.0*)?$/.test(raw) ? 0 : readNumber(0.1, 10)(raw, l)), ui: { kind: 'number' } },
  { key: 'trim', aliases: [], describe: () => 'four numbers top;right;bottom;left, or border', read: readTrim, ui: { kind: 'text', choices: ['10;10;10;10', 'border'] } },
  // Cloudflare's trim=border options; the trim.border.* spellings are accepted too.
  { key: 'trim.color', aliases: ['trim.border.color'], describe: () => 'a CSS colour (the border colour to trim)', read: (raw) => parseColor(raw) ?? undefined, ui: { kind: 'color' } },
  { key: 'trim.tolerance', aliases: ['trim.border.tolerance'], describe: range(0, 442), read: readNumber(0, 442), ui: { kind: 'number' } },
  { key: 'trim.keep', aliases: ['trim.border.keep'], describe: (l) => `an integer from 0 to ${l.maxDimension}`, read: readInt(0, maxDimension), ui: { kind: 'int' } },
  // Cloudflare's trim rectangle: the kept region's offset and size in source pixels.
  { key: 'trim.left', aliases: [], describe: (l) => `a number from 0 to ${l.maxDimension * 4}`, read: readBounded(0, (l) => l.maxDimension * 4), ui: { kind: 'number' } },
  { key: 'trim.top', aliases: [], describe: (l) => `a number from 0 to ${l.maxDimension * 4}`, read: readBounded(0, (l) => l.maxDimension * 4), ui: { kind: 'number' } },
  { key: 'trim.width', aliases: [], describe: (l) => `a number from 1 to ${l.maxDimension * 4}`, read: readBounded(1, (l) => l.maxDimension * 4), ui: { kind: 'number' } },
  { key: 'trim.height', aliases: [], describe: (l) => `a number from 1 to ${l.maxDimension * 4}`, read: readBounded(1, (l) => l.maxDimension * 4), ui: { kind: 'number' } },
  { key: 'anim', aliases: [], describe: () => 'true or false', read: readEnum({ true: true, false: false, '1': true, '0': false }), ui: { kind: 'enum', choices: ['true', 'false'] } },
  { key: 'onerror', aliases: [], describe: () => 'redirect', read: readEnum({ redirect: 'redirect' }), ui: { kind: 'enum', choices: ['redirect'] } },
  // --- Cloudflare options (issue 13, the rest of part 1): docs/api.md "Cloudflare options: status" ---
  { key: 'metadata', aliases: [], describe: () => 'one of keep, copyright, none', read: readEnum({ keep: 'keep', copyright: 'copyright', none: 'none' }), ui: { kind: 'enum', choices: ['copyright', 'keep', 'none'] } },
  // The quality used when the client hints a slow connection (client-hints.ts); parse.ts expands a perceptual name.
  {
    key: 'slowConnectionQuality', aliases: ['slow-connection-quality', 'scq'],
    describe: () => 'a number from 1 to 100, or one of high, medium-high, medium-low, low',
    read: readQuality,
    ui: { kind: 'text', choices: ['50', 'low', 'medium-low'] },
  },
  { key: 'border', aliases: [], describe: () => BORDER_DESCRIPTION, read: (raw) => readBorder(raw), ui: { kind: 'text', choices: ['color=#000;width=10', 'color=white;top=0;right=0;bottom=40;left=0'] } },
  // Cloudflare's draw (Workers-only there) in a URL: a URL-encoded JSON array of its draw objects.
  { key: 'draw', aliases: [], describe: () => 'a JSON array of overlays', read: (raw, l) => readDraw(raw, l), ui: { kind: 'text', choices: ['[{"url":"/samples/badge.png","bottom":10,"right":10,"opacity":0.8}]'] } },
  // --- end Cloudflare options ---
  // Colour (issue 14): srgb converts embedded profiles to sRGB (default); keep embeds the source profile, pixels untouched.
  { key: 'colorProfile', aliases: ['color-profile'], describe: () => 'one of srgb, keep', read: readEnum({ srgb: 'srgb', keep: 'keep' }), ui: { kind: 'enum', choices: ['srgb', 'keep'] } },
];

/** Transport parameters: they choose or authenticate the source, not the pixels. */
export const TRANSPORT_PARAMS: ReadonlySet<string> = new Set(['url', 'sig', 'expires']);

/** Lookup from every accepted spelling (name or alias) to its row. */
export const SPEC_BY_NAME: ReadonlyMap<string, ParamSpec> = new Map(
  PARAM_SPECS.flatMap((spec) => [spec.key, ...spec.aliases].map((name) => [name, spec] as const)),
);
