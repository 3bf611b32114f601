/**
 * @module options/color
 * Parses the CSS colour forms `background` accepts: `#rgb`, `#rgba`, `#rrggbb`,
 * `#rrggbbaa`, `rgb(r,g,b)`, `rgba(r,g,b,a)` (CSS Color 4 also allows spaces and
 * `/ a`) and the common named colours. Returns null for anything else, so the
 * caller can name the parameter in its error.
 */
import type { Rgba } from './types';

const NAMED: Record<string, string> = {
  black: '000000', white: 'ffffff', red: 'ff0000', green: '008000', blue: '0000ff',
  yellow: 'ffff00', cyan: '00ffff', aqua: '00ffff', magenta: 'ff00ff', fuchsia: 'ff00ff',
  gray: '808080', grey: '808080', silver: 'c0c0c0', maroon: '800000', olive: '808000',
  lime: '00ff00', teal: '008080', navy: '000080', purple: '800080', orange: 'ffa500',
  pink: 'ffc0cb', brown: 'a52a2a', transparent: '00000000',
};

/** Parses a CSS colour string; null when it is not one of the supported forms. */
export function parseColor(input: string): Rgba | null {
  const s = input.trim().toLowerCase();
  const named = NAMED[s];
  if (named) return parseHex(named);
  if (s.startsWith('#')) return parseHex(s.slice(1));
  const fn = /^rgba?\((.*)\)$/.exec(s);
  return fn ? parseRgbFunction(fn[1]!) : null;
}

function parseHex(hex: string): Rgba | null {
  if (!/^[0-9a-f]+$/.test(hex)) return null;
  const expand = hex.length === 3 || hex.length === 4 ? [...hex].map((c) => c + c).join('') : hex;
  if (expand.length !== 6 && expand.length !== 8) return null;
  const byte = (i: number) => parseInt(expand.slice(i, i + 2), 16);
  return { r: byte(0), g: byte(2), b: byte(4), a: expand.length === 8 ? byte(6) : 255 };
}

function parseRgbFunction(body: string): Rgba | null {
  const parts = body.split(/\s*[,/]\s*|\s+/).filter((p) => p !== '');
  if (parts.length !== 3 && parts.length !== 4) return null;
  const channel = (p: string): number | null => {
    const pct = p.endsWith('%');
    const n = Number(pct ? p.slice(0, -1) : p);
    if (!Number.isFinite(n) || n < 0 || n > (pct ? 100 : 255)) return null;
    return Math.round(pct ? (n * 255) / 100 : n);
  };
  const alpha = (p: string): number | null => {
    const pct = p.endsWith('%');
    const n = Number(pct ? p.slice(0, -1) : p);
    if (!Number.isFinite(n) || n < 0 || n > (pct ? 100 : 1)) return null;
    return Math.round((pct ? n / 100 : n) * 255);
  };
  const [r, g, b] = parts.slice(0, 3).map(channel);
  const a = parts[3] === undefined ? 255 : alpha(parts[3]);
  if (r == null || g == null || b == null || a == null) return null;
  return { r, g, b, a };
}
