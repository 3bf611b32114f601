/**
 * @module color/icc
 * Reads what the colour pipeline needs from an ICC profile (ICC.1:2022, v4.4;
 * v2 profiles read the same way for these tags): the header's colour spaces,
 * the matrix/TRC model (rXYZ/gXYZ/bXYZ colorants and rTRC/gTRC/bTRC curves, or
 * kTRC for grey) and whether LUT tags (A2B0/A2B1) are present.
 *
 * A profile with A2B0/A2B1 is "lut": ICC.1 8.3 says a CMM uses the AToB tag
 * for the intent when present, before the matrix/TRC model, so only LittleCMS
 * (color/lcms) can convert it the way libvips/sharp do. Matrix/TRC profiles
 * (Display P3, Adobe RGB, ProPhoto, Rec. 2020, Generic RGB) are converted
 * exactly here in TS (color/matrix).
 *
 * Everything is bounds-checked: a broken profile parses as "unusable", it
 * never throws, so a bad APP2 segment does not fail an image that browsers show.
 */

export interface Xyz {
  x: number;
  y: number;
  z: number;
}

/** A tone curve from ICC 'curv' or 'para' (ICC.1 10.6 / 10.18), encoded value (0..1) -> linear. */
export type Curve =
  | { kind: 'gamma'; gamma: number }
  | { kind: 'table'; table: Float64Array }
  | { kind: 'para'; fn: number; g: number; a: number; b: number; c: number; d: number; e: number; f: number };

export interface MatrixModel {
  /** Colorants in the D50 PCS (already chromatically adapted, ICC.1 Annex D). */
  red: Xyz;
  green: Xyz;
  blue: Xyz;
  trc: [Curve, Curve, Curve];
}

export type ProfileKind = 'matrix' | 'gray' | 'lut' | 'cmyk' | 'unusable';

export interface ParsedProfile {
  kind: ProfileKind;
  /** Data colour space from the header ('RGB ', 'GRAY', 'CMYK', ...). */
  colorSpace: string;
  description: string;
  matrix?: MatrixModel;
  grayTrc?: Curve;
}

const u8 = (b: Uint8Array, o: number) => b[o] ?? 0;
const u16 = (b: Uint8Array, o: number) => (u8(b, o) << 8) | u8(b, o + 1);
const u32 = (b: Uint8Array, o: number) => ((u8(b, o) << 24) | (u8(b, o + 1) << 16) | (u8(b, o + 2) << 8) | u8(b, o + 3)) >>> 0;
/** s15Fixed16Number (ICC.1 4.6). */
const s15 = (b: Uint8Array, o: number) => (u32(b, o) | 0) / 65536;
const sig = (b: Uint8Array, o: number) => String.fromCharCode(u8(b, o), u8(b, o + 1), u8(b, o + 2), u8(b, o + 3));

interface Tag {
  offset: number;
  size: number;
}

/** The tag table (ICC.1 7.3): count at 128, then 12-byte entries. */
function readTags(b: Uint8Array): Map<string, Tag> {
  const tags = new Map<string, Tag>();
  if (b.length < 132) return tags;
  const count = Math.min(u32(b, 128), Math.floor((b.length - 132) / 12), 1024);
  for (let i = 0; i < count; i++) {
    const e = 132 + i * 12;
    const offset = u32(b, e + 4);
    const size = u32(b, e + 8);
    if (offset >= 128 && size >= 8 && offset + size <= b.length) tags.set(sig(b, e), { offset, size });
  }
  return tags;
}

function readXyz(b: Uint8Array, t: Tag | undefined): Xyz | undefined {
  if (!t || t.size < 20 || sig(b, t.offset) !== 'XYZ ') return undefined;
  return { x: s15(b, t.offset + 8), y: s15(b, t.offset + 12), z: s15(b, t.offset + 16) };
}

/** Parameter counts of the five 'para' function types (ICC.1 Table 68). */
const PARA_PARAMS = [1, 3, 4, 5, 7];

function readCurve(b: Uint8Array, t: Tag | undefined): Curve | undefined {
  if (!t) return undefined;
  const type = sig(b, t.offset);
  if (type === 'curv') {
    const n = u32(b, t.offset + 8);
    if (12 + 2 * n > t.size) return undefined;
    if (n === 0) return { kind: 'gamma', gamma: 1 };
    if (n === 1) return { kind: 'gamma', gamma: u16(b, t.offset + 12) / 256 }; // u8Fixed8Number
    const table = new Float64Array(n);
    for (let i = 0; i < n; i++) table[i] = u16(b, t.offset + 12 + 2 * i) / 65535;
    return { kind: 'table', table };
  }
  if (type === 'para') {
    const fn = u16(b, t.offset + 8);
    const count = PARA_PARAMS[fn];
    if (count === undefined || 12 + 4 * count > t.size) return undefined;
    const p = Array.from({ length: 7 }, (_, i) => (i < count ? s15(b, t.offset + 12 + 4 * i) : 0));
    const [g, a, bb, c, d, e, f] = p as [number, number, number, number, number, number, number];
    return { kind: 'para', fn, g, a: count > 1 ? a : 1, b: bb, c, d, e, f };
  }
  return undefined;
}

/** 'desc' (v2 textDescriptionType, ICC.1:2001 6.5.17) or 'mluc' (v4, 10.15): the first record, as ASCII. */
function readDescription(b: Uint8Array, t: Tag | undefined): string {
  if (!t) return '';
  const type = sig(b, t.offset);
  let s = '';
  if (type === 'desc') {
    const n = Math.min(u32(b, t.offset + 8), t.size - 12, 256);
    for (let i = 0; i < n; i++) {
      const c = u8(b, t.offset + 12 + i);
      if (c === 0) break;
      s += String.fromCharCode(c);
    }
  } else if (type === 'mluc' && t.size >= 28) {
    const len = u32(b, t.offset + 20);
    const off = u32(b, t.offset + 24);
    const start = t.offset + off;
    const n = Math.min(len, t.offset + t.size - start, 512);
    for (let i = 0; i + 1 < n; i += 2) s += String.fromCharCode(u16(b, start + i));
  }
  return s.trim();
}

/** Parses an ICC profile's header and tags; never throws. */
export function parseIcc(b: Uint8Array): ParsedProfile {
  const unusable: ParsedProfile = { kind: 'unusable', colorSpace: '', description: '' };
  // ICC.1 7.2: the header is 128 bytes; 'acsp' at 36 identifies a profile.
  if (b.length < 132 || sig(b, 36) !== 'acsp') return unusable;
  const colorSpace = sig(b, 16);
  const pcs = sig(b, 20);
  const tags = readTags(b);
  const description = readDescription(b, tags.get('desc'));
  if (colorSpace === 'CMYK') return { kind: 'cmyk', colorSpace, description };
  const hasLut = tags.has('A2B0') || tags.has('A2B1');
  if (colorSpace === 'RGB ') {
    const red = readXyz(b, tags.get('rXYZ'));
    const green = readXyz(b, tags.get('gXYZ'));
    const blue = readXyz(b, tags.get('bXYZ'));
    const r = readCurve(b, tags.get('rTRC'));
    const g = readCurve(b, tags.get('gTRC'));
    const bl = readCurve(b, tags.get('bTRC'));
    if (!hasLut && pcs === 'XYZ ' && red && green && blue && r && g && bl) {
      return { kind: 'matrix', colorSpace, description, matrix: { red, green, blue, trc: [r, g, bl] } };
    }
    return { kind: hasLut ? 'lut' : 'unusable', colorSpace, description };
  }
  if (colorSpace === 'GRAY') {
    const k = readCurve(b, tags.get('kTRC'));
    if (!hasLut && k) return { kind: 'gray', colorSpace, description, grayTrc: k };
    return { kind: hasLut ? 'lut' : 'unusable', colorSpace, description };
  }
  return { ...unusable, colorSpace, description };
}

/** Evaluates a curve at encoded value v (0..1), giving linear light (ICC.1 10.18 Table 68). */
export function evalCurve(c: Curve, v: number): number {
  if (c.kind === 'gamma') return Math.pow(v, c.gamma);
  if (c.kind === 'table') {
    const t = c.table;
    const pos = v * (t.length - 1);
    const i = Math.min(t.length - 2, Math.max(0, Math.floor(pos)));
    const f = pos - i;
    return t[i]! * (1 - f) + t[i + 1]! * f;
  }
  const { fn, g, a, b, c: cc, d, e, f } = c;
  const pow = (x: number) => (x > 0 ? Math.pow(x, g) : 0);
  switch (fn) {
    case 0:
      return pow(v);
    case 1:
      return v >= -b / a ? pow(a * v + b) : 0;
    case 2:
      return v >= -b / a ? pow(a * v + b) + cc : cc;
    case 3:
      return v >= d ? pow(a * v + b) : cc * v;
    default:
      return v >= d ? pow(a * v + b) + e : cc * v + f;
  }
}
