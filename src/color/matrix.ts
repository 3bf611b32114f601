/**
 * @module color/matrix
 * Exact conversion of matrix/TRC colour spaces to sRGB, in TS, on 8-bit RGBA in
 * place: per channel a 256-entry table from the encoded value to linear light
 * (the profile's TRC), one 3x3 matrix from the source's linear RGB through the
 * D50 PCS to linear sRGB, then a 14-bit table from linear light to the sRGB
 * encoding (IEC 61966-2-1). 14 bits keep the steepest part of the sRGB curve
 * (slope 12.92 near black) within 0.2 of a level; the table is 16 KiB.
 *
 * The colour spaces come from ICC colorants (color/icc) or from primaries and a
 * white point (PNG cHRM, AVIF nclx), adapted to D50 with Bradford as ICC.1
 * Annex E recommends and as LittleCMS does. Relative colorimetric: the source
 * white maps to sRGB white, which is what libvips/sharp do by default.
 */
import { evalCurve, type Curve, type MatrixModel, type Xyz } from './icc';

export type Mat3 = [number, number, number, number, number, number, number, number, number];

/** ICC.1 7.2.16: the PCS illuminant, D50. */
const D50: Xyz = { x: 0.9642, y: 1, z: 0.8249 };

const BRADFORD: Mat3 = [0.8951, 0.2664, -0.1614, -0.7502, 1.7135, 0.0367, 0.0389, -0.0685, 1.0296];

export function mul(a: Mat3, b: Mat3): Mat3 {
  const r: number[] = [];
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) r.push(a[i * 3]! * b[j]! + a[i * 3 + 1]! * b[3 + j]! + a[i * 3 + 2]! * b[6 + j]!);
  return r as Mat3;
}

export function invert(m: Mat3): Mat3 {
  const [a, b, c, d, e, f, g, h, i] = m;
  const A = e * i - f * h, B = -(d * i - f * g), C = d * h - e * g;
  const det = a * A + b * B + c * C;
  const k = 1 / det;
  return [A * k, -(b * i - c * h) * k, (b * f - c * e) * k, B * k, (a * i - c * g) * k, -(a * f - c * d) * k, C * k, -(a * h - b * g) * k, (a * e - b * d) * k];
}

const apply3 = (m: Mat3, v: [number, number, number]): [number, number, number] => [
  m[0] * v[0] + m[1] * v[1] + m[2] * v[2],
  m[3] * v[0] + m[4] * v[1] + m[5] * v[2],
  m[6] * v[0] + m[7] * v[1] + m[8] * v[2],
];

/** Bradford adaptation from white `from` to white `to` (XYZ). */
function adapt(from: Xyz, to: Xyz): Mat3 {
  const s = apply3(BRADFORD, [from.x, from.y, from.z]);
  const d = apply3(BRADFORD, [to.x, to.y, to.z]);
  const scale: Mat3 = [d[0] / s[0], 0, 0, 0, d[1] / s[1], 0, 0, 0, d[2] / s[2]];
  return mul(invert(BRADFORD), mul(scale, BRADFORD));
}

export interface Chromaticities {
  red: [number, number];
  green: [number, number];
  blue: [number, number];
  white: [number, number];
}

const xyToXyz = ([x, y]: [number, number]): Xyz => ({ x: x / y, y: 1, z: (1 - x - y) / y });

/** Linear RGB -> XYZ (D50) for primaries and white given as CIE xy. */
export function matrixFromPrimaries(c: Chromaticities): Mat3 {
  const r = xyToXyz(c.red), g = xyToXyz(c.green), b = xyToXyz(c.blue), w = xyToXyz(c.white);
  const p: Mat3 = [r.x, g.x, b.x, r.y, g.y, b.y, r.z, g.z, b.z];
  const s = apply3(invert(p), [w.x, w.y, w.z]);
  const toXyz: Mat3 = [p[0] * s[0], p[1] * s[1], p[2] * s[2], p[3] * s[0], p[4] * s[1], p[5] * s[2], p[6] * s[0], p[7] * s[1], p[8] * s[2]];
  return mul(adapt(w, D50), toXyz);
}

/** Columns are the colorants (ICC.1 Annex F.3). */
export function matrixFromColorants(m: MatrixModel): Mat3 {
  return [m.red.x, m.green.x, m.blue.x, m.red.y, m.green.y, m.blue.y, m.red.z, m.green.z, m.blue.z];
}

/** ITU-R BT.709 / sRGB primaries with D65 white (IEC 61966-2-1). */
export const SRGB_PRIMARIES: Chromaticities = { red: [0.64, 0.33], green: [0.3, 0.6], blue: [0.15, 0.06], white: [0.3127, 0.329] };
const SRGB_TO_XYZ_D50 = matrixFromPrimaries(SRGB_PRIMARIES);
const XYZ_D50_TO_SRGB = invert(SRGB_TO_XYZ_D50);

/** The sRGB EOTF as an ICC parametric curve (type 3, IEC 61966-2-1). */
export const SRGB_CURVE: Curve = { kind: 'para', fn: 3, g: 2.4, a: 1 / 1.055, b: 0.055 / 1.055, c: 1 / 12.92, d: 0.04045, e: 0, f: 0 };

const srgbEncode = (l: number) => (l <= 0.0031308 ? 12.92 * l : 1.055 * Math.pow(l, 1 / 2.4) - 0.055);

const ENCODE_BITS = 14;
const ENCODE_MAX = (1 << ENCODE_BITS) - 1;
let encodeTable: Uint8Array | undefined;

/** Linear light (index / ENCODE_MAX) -> sRGB 8-bit; built once per isolate. */
function encodeLut(): Uint8Array {
  if (!encodeTable) {
    encodeTable = new Uint8Array(ENCODE_MAX + 1);
    for (let i = 0; i <= ENCODE_MAX; i++) encodeTable[i] = Math.round(srgbEncode(i / ENCODE_MAX) * 255);
  }
  return encodeTable;
}

/** A built conversion: applies to RGBA bytes in place, alpha untouched. */
export interface MatrixTransform {
  /** Source linear RGB -> linear sRGB. */
  matrix: Mat3;
  toLinear: [Float32Array, Float32Array, Float32Array];
}

/** Builds the conversion from a source described by its RGB -> XYZ(D50) matrix and curves. */
export function buildMatrixTransform(rgbToXyzD50: Mat3, trc: [Curve, Curve, Curve]): MatrixTransform {
  const toLinear = trc.map((c) => {
    const t = new Float32Array(256);
    for (let i = 0; i < 256; i++) t[i] = evalCurve(c, i / 255);
    return t;
  }) as [Float32Array, Float32Array, Float32Array];
  return { matrix: mul(XYZ_D50_TO_SRGB, rgbToXyzD50), toLinear };
}

/**
 * True when the transform changes no pixel by more than half a level: the
 * matrix is the identity within 1e-3 and each curve round-trips through the
 * sRGB encoding to its input. sRGB-tagged images then cost nothing more.
 */
export function isIdentity(t: MatrixTransform): boolean {
  const id: Mat3 = [1, 0, 0, 0, 1, 0, 0, 0, 1];
  if (t.matrix.some((v, i) => Math.abs(v - id[i]!) > 1e-3)) return false;
  for (const lin of t.toLinear) {
    for (let i = 0; i < 256; i++) if (Math.abs(srgbEncode(Math.max(0, lin[i]!)) * 255 - i) > 0.5) return false;
  }
  return true;
}

/** Fixed-point scale of the matrix coefficients (bits). */
const COEF_BITS = 13;

/** Integer tables for the hot loop, built once per transform. */
export interface FixedTables {
  lin: [Int32Array, Int32Array, Int32Array];
  coef: Int32Array;
}
const fixedCache = new WeakMap<MatrixTransform, FixedTables>();

function fixedTables(t: MatrixTransform): FixedTables {
  let f = fixedCache.get(t);
  if (!f) {
    // Linear light in ENCODE_BITS fixed point (out-of-range TRC values clamp to 0..1 first).
    const lin = t.toLinear.map((l) => Int32Array.from(l, (v) => Math.round(Math.min(1, Math.max(0, v)) * ENCODE_MAX))) as FixedTables['lin'];
    f = { lin, coef: Int32Array.from(t.matrix, (v) => Math.round(v * (1 << COEF_BITS))) };
    fixedCache.set(t, f);
  }
  return f;
}

/** The hot loop's tables (integer linear-light tables, 13-bit coefficients, the encode table), for color/simd. */
export function conversionTables(t: MatrixTransform): FixedTables & { enc: Uint8Array } {
  return { ...fixedTables(t), enc: encodeLut() };
}

/**
 * Converts RGBA8 pixels in data[start, end) to sRGB in place. Integer
 * arithmetic throughout (14-bit linear values times 13-bit coefficients stay
 * well inside int32), which V8 runs several times faster than the same in
 * doubles; the rounding it adds is below a tenth of a level.
 */
export function applyMatrixTransform(t: MatrixTransform, data: Uint8Array, start = 0, end = data.length): void {
  const enc = encodeLut();
  const { lin, coef } = fixedTables(t);
  const [lr, lg, lb] = lin;
  const m0 = coef[0]!, m1 = coef[1]!, m2 = coef[2]!, m3 = coef[3]!, m4 = coef[4]!, m5 = coef[5]!, m6 = coef[6]!, m7 = coef[7]!, m8 = coef[8]!;
  const half = 1 << (COEF_BITS - 1);
  const max = ENCODE_MAX;
  for (let i = start; i < end; i += 4) {
    const r = lr[data[i]!]!, g = lg[data[i + 1]!]!, b = lb[data[i + 2]!]!;
    // Out-of-gamut values clip per channel (relative colorimetric, as lcms does for matrix shapers).
    let x = (m0 * r + m1 * g + m2 * b + half) >> COEF_BITS;
    let y = (m3 * r + m4 * g + m5 * b + half) >> COEF_BITS;
    let z = (m6 * r + m7 * g + m8 * b + half) >> COEF_BITS;
    x = x < 0 ? 0 : x > max ? max : x;
    y = y < 0 ? 0 : y > max ? max : y;
    z = z < 0 ? 0 : z > max ? max : z;
    data[i] = enc[x]!;
    data[i + 1] = enc[y]!;
    data[i + 2] = enc[z]!;
  }
}
