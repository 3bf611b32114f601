/**
 * @module test/codec/jpeg/coefficients
 * Baseline JPEGs written from chosen quantised DCT coefficients (any sampling
 * factors, grey or YCbCr, optional restart interval; T.81 Annex B/F), and a
 * reference decode of those coefficients written from libjpeg's integer
 * algorithms (jidctint.c's accurate IDCT, jidctred.c's 4x4/2x2/1x1 scaled
 * IDCTs, jdsample.c's h2v1 upsampling, jdcolor.c's YCbCr->RGB and
 * jdmaster.c's choice of each component's IDCT size), so a scaled decode can
 * be checked exactly without another libjpeg. Coefficients come from a seeded
 * generator shaped like a photo's (energy falling with frequency, zero
 * blocks, DC-only blocks, blocks with only the first row).
 */
import { seededRandom } from '../../support/random';

/** jpeg_natural_order: the natural (row-major) index of the k-th zigzag coefficient. */
const NATURAL = [
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
  35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
];

export interface CoefComponent {
  h: number;
  v: number;
  /** Quantisation table, natural order, 1..255. */
  quant: Int32Array;
  blocksW: number;
  blocksH: number;
  /** blocksW * blocksH blocks of 64 quantised coefficients, natural order. */
  blocks: Int16Array[];
}

export interface CoefImage {
  width: number;
  height: number;
  components: CoefComponent[];
  /** Restart interval in MCUs (0: none). */
  restart: number;
}

/**
 * A seeded image of `sampling` = [[h, v], ...] (one entry: grey). Dequantised
 * AC terms stay within +-600 and DC within the 8-bit range, as a real encoder's
 * output does, so every product and first-pass sum fits 16 bits.
 */
export function randomCoefImage(width: number, height: number, sampling: [number, number][], seed: number, restart = 0): CoefImage {
  const rnd = seededRandom(seed);
  const hmax = Math.max(...sampling.map(([h]) => h));
  const vmax = Math.max(...sampling.map(([, v]) => v));
  const single = sampling.length === 1;
  const components = sampling.map(([h, v], ci): CoefComponent => {
    const quant = new Int32Array(64);
    for (let i = 0; i < 64; i++) quant[i] = i === 0 ? 2 + Math.floor(rnd() * 14) : 1 + Math.floor(rnd() * (8 + ((i >> 3) + (i & 7)) * 6));
    const blocksW = single ? Math.ceil(width / 8) : Math.ceil(width / (8 * hmax)) * h;
    const blocksH = single ? Math.ceil(height / 8) : Math.ceil(height / (8 * vmax)) * v;
    const blocks: Int16Array[] = [];
    let dc = (rnd() - 0.5) * 1200;
    for (let b = 0; b < blocksW * blocksH; b++) {
      const blk = new Int16Array(64);
      const kind = rnd();
      dc = Math.max(-1024, Math.min(1016, dc + (rnd() - 0.5) * 300));
      if (kind < 0.08) { blocks.push(blk); continue; } // all zero
      blk[0] = Math.trunc(dc / quant[0]!);
      if (kind < 0.2) { blocks.push(blk); continue; } // DC only
      const rowOnly = kind < 0.3; // only row 0 (horizontal frequencies)
      const dense = kind > 0.9; // every coefficient, small
      for (let k = 1; k < 64; k++) {
        const n = NATURAL[k]!;
        if (rowOnly && n >= 8) continue;
        if (!dense && rnd() > 0.75 * Math.exp(-k / (10 + 10 * ci))) continue;
        const limit = dense ? 60 : 600 / (1 + k / 4);
        const mag = Math.floor((rnd() * limit) / quant[n]!);
        blk[n] = rnd() < 0.5 ? -mag : mag;
      }
      blocks.push(blk);
    }
    return { h, v, quant, blocksW, blocksH, blocks };
  });
  return { width, height, components, restart };
}

// ---- Writer ----

class BitWriter {
  bytes: number[] = [];
  private acc = 0;
  private n = 0;
  put(code: number, len: number): void {
    for (let i = len - 1; i >= 0; i--) {
      this.acc = (this.acc << 1) | ((code >> i) & 1);
      if (++this.n === 8) this.byte();
    }
  }
  private byte(): void {
    this.bytes.push(this.acc);
    if (this.acc === 0xff) this.bytes.push(0); // byte stuffing (F.1.2.3)
    this.acc = 0;
    this.n = 0;
  }
  /** Pads the last byte with 1 bits (F.1.2.3). */
  flush(): void {
    while (this.n !== 0) this.put(1, 1);
  }
}

/*
 * Huffman tables: DC categories 0..11 all 4-bit codes, AC symbols (EOB, ZRL,
 * run/size 0..15 x 1..10) all 8-bit codes; canonical codes are then the
 * symbol's index in HUFFVAL order (C.2).
 */
const DC_SYMBOLS = Array.from({ length: 12 }, (_, i) => i);
const AC_SYMBOLS = [0x00, 0xf0];
for (let r = 0; r < 16; r++) for (let s = 1; s <= 10; s++) AC_SYMBOLS.push((r << 4) | s);
const AC_CODE = new Map(AC_SYMBOLS.map((s, i) => [s, i]));

const category = (v: number): number => (v === 0 ? 0 : 32 - Math.clz32(Math.abs(v)));
const extraBits = (v: number, s: number): number => (v >= 0 ? v : v + (1 << s) - 1);

function segment(marker: number, body: number[]): number[] {
  return [0xff, marker, (body.length + 2) >> 8, (body.length + 2) & 0xff, ...body];
}

export function writeJpeg(img: CoefImage): Uint8Array {
  const out: number[] = [0xff, 0xd8];
  img.components.forEach((c, i) => out.push(...segment(0xdb, [i, ...NATURAL.map((n) => c.quant[n]!)])));
  out.push(...segment(0xc0, [8, img.height >> 8, img.height & 0xff, img.width >> 8, img.width & 0xff, img.components.length,
    ...img.components.flatMap((c, i) => [i + 1, (c.h << 4) | c.v, i])]));
  const dcBits = new Array(16).fill(0);
  dcBits[3] = DC_SYMBOLS.length;
  const acBits = new Array(16).fill(0);
  acBits[7] = AC_SYMBOLS.length;
  out.push(...segment(0xc4, [0x00, ...dcBits, ...DC_SYMBOLS, 0x10, ...acBits, ...AC_SYMBOLS]));
  if (img.restart) out.push(...segment(0xdd, [img.restart >> 8, img.restart & 0xff]));
  out.push(...segment(0xda, [img.components.length, ...img.components.flatMap((_, i) => [i + 1, 0x00]), 0, 63, 0]));

  const bw = new BitWriter();
  const pred = img.components.map(() => 0);
  const encodeBlock = (blk: Int16Array, ci: number): void => {
    const diff = blk[0]! - pred[ci]!;
    pred[ci] = blk[0]!;
    const s = category(diff);
    bw.put(s, 4);
    if (s) bw.put(extraBits(diff, s), s);
    let run = 0;
    for (let k = 1; k < 64; k++) {
      const v = blk[NATURAL[k]!]!;
      if (v === 0) { run++; continue; }
      while (run > 15) { bw.put(AC_CODE.get(0xf0)!, 8); run -= 16; }
      const sz = category(v);
      bw.put(AC_CODE.get((run << 4) | sz)!, 8);
      bw.put(extraBits(v, sz), sz);
      run = 0;
    }
    if (run) bw.put(AC_CODE.get(0x00)!, 8);
  };
  const units: Array<() => void> = [];
  const cs = img.components;
  if (cs.length === 1) {
    const c = cs[0]!;
    for (let by = 0; by < c.blocksH; by++) for (let bx = 0; bx < c.blocksW; bx++) units.push(() => encodeBlock(c.blocks[by * c.blocksW + bx]!, 0));
  } else {
    const mcusX = cs[0]!.blocksW / cs[0]!.h;
    const mcusY = cs[0]!.blocksH / cs[0]!.v;
    for (let my = 0; my < mcusY; my++) {
      for (let mx = 0; mx < mcusX; mx++) {
        units.push(() => {
          cs.forEach((c, ci) => {
            for (let y = 0; y < c.v; y++) for (let x = 0; x < c.h; x++) encodeBlock(c.blocks[(my * c.v + y) * c.blocksW + mx * c.h + x]!, ci);
          });
        });
      }
    }
  }
  units.forEach((unit, i) => {
    if (img.restart && i > 0 && i % img.restart === 0) {
      bw.flush();
      bw.bytes.push(0xff, 0xd0 + (((i / img.restart) - 1) & 7));
      pred.fill(0);
    }
    unit();
  });
  bw.flush();
  out.push(...bw.bytes, 0xff, 0xd9);
  return new Uint8Array(out);
}

// ---- Reference decode (libjpeg's integer arithmetic) ----

/** IDCT_range_limit(cinfo)[x & RANGE_MASK] (jdmaster.c prepare_range_limit_table, jdct.h). */
function rangeLimit(x: number): number {
  const j = 128 + (x & 1023);
  return j <= 255 ? j : j <= 639 ? 255 : j <= 1023 ? 0 : j - 1024;
}
const descale = (x: number, n: number): number => (x + (1 << (n - 1))) >> n;

/** jpeg_idct_islow (jidctint.c), CONST_BITS 13, PASS1_BITS 2. */
function idct8(coef: Int16Array, q: Int32Array, out: Uint8Array, stride: number): void {
  const ws = new Int32Array(64);
  const pass = (inp: (k: number) => number, shift: number, put: (k: number, v: number) => void): void => {
    let z2 = inp(2), z3 = inp(6);
    let z1 = (z2 + z3) * 4433;
    const tmp2e = z1 + z3 * -15137;
    const tmp3e = z1 + z2 * 6270;
    z2 = inp(0);
    z3 = inp(4);
    const tmp0e = (z2 + z3) * 8192;
    const tmp1e = (z2 - z3) * 8192;
    const tmp10 = tmp0e + tmp3e, tmp13 = tmp0e - tmp3e, tmp11 = tmp1e + tmp2e, tmp12 = tmp1e - tmp2e;
    let tmp0 = inp(7), tmp1 = inp(5), tmp2 = inp(3), tmp3 = inp(1);
    z1 = tmp0 + tmp3;
    z2 = tmp1 + tmp2;
    z3 = tmp0 + tmp2;
    let z4 = tmp1 + tmp3;
    const z5 = (z3 + z4) * 9633;
    tmp0 *= 2446; tmp1 *= 16819; tmp2 *= 25172; tmp3 *= 12299;
    z1 *= -7373; z2 *= -20995; z3 *= -16069; z4 *= -3196;
    z3 += z5; z4 += z5;
    tmp0 += z1 + z3; tmp1 += z2 + z4; tmp2 += z2 + z3; tmp3 += z1 + z4;
    put(0, descale(tmp10 + tmp3, shift)); put(7, descale(tmp10 - tmp3, shift));
    put(1, descale(tmp11 + tmp2, shift)); put(6, descale(tmp11 - tmp2, shift));
    put(2, descale(tmp12 + tmp1, shift)); put(5, descale(tmp12 - tmp1, shift));
    put(3, descale(tmp13 + tmp0, shift)); put(4, descale(tmp13 - tmp0, shift));
  };
  for (let c = 0; c < 8; c++) pass((k) => coef[k * 8 + c]! * q[k * 8 + c]!, 11, (k, v) => { ws[k * 8 + c] = v; });
  for (let r = 0; r < 8; r++) pass((k) => ws[r * 8 + k]!, 18, (k, v) => { out[r * stride + k] = rangeLimit(v); });
}

/** jpeg_idct_4x4 (jidctred.c). */
function idct4(coef: Int16Array, q: Int32Array, out: Uint8Array, stride: number): void {
  const ws = new Int32Array(32);
  const pass = (inp: (k: number) => number, shift: number, put: (k: number, v: number) => void): void => {
    const t0 = inp(0) * (1 << 14);
    const t2 = inp(2) * 15137 + inp(6) * -6270;
    const tmp10 = t0 + t2, tmp12 = t0 - t2;
    const z1 = inp(7), z2 = inp(5), z3 = inp(3), z4 = inp(1);
    const tmp0 = z1 * -1730 + z2 * 11893 + z3 * -17799 + z4 * 8697;
    const tmp2 = z1 * -4176 + z2 * -4926 + z3 * 7373 + z4 * 20995;
    put(0, descale(tmp10 + tmp2, shift)); put(3, descale(tmp10 - tmp2, shift));
    put(1, descale(tmp12 + tmp0, shift)); put(2, descale(tmp12 - tmp0, shift));
  };
  for (let c = 0; c < 8; c++) {
    if (c === 4) continue;
    pass((k) => coef[k * 8 + c]! * q[k * 8 + c]!, 12, (k, v) => { ws[k * 8 + c] = v; });
  }
  for (let r = 0; r < 4; r++) pass((k) => ws[r * 8 + k]!, 19, (k, v) => { out[r * stride + k] = rangeLimit(v); });
}

/** jpeg_idct_2x2 (jidctred.c). */
function idct2(coef: Int16Array, q: Int32Array, out: Uint8Array, stride: number): void {
  const ws = new Int32Array(16);
  const pass = (inp: (k: number) => number, shift: number, put: (k: number, v: number) => void): void => {
    const tmp10 = inp(0) * (1 << 15);
    const tmp0 = inp(7) * -5906 + inp(5) * 6967 + inp(3) * -10426 + inp(1) * 29692;
    put(0, descale(tmp10 + tmp0, shift)); put(1, descale(tmp10 - tmp0, shift));
  };
  for (const c of [0, 1, 3, 5, 7]) pass((k) => coef[k * 8 + c]! * q[k * 8 + c]!, 13, (k, v) => { ws[k * 8 + c] = v; });
  for (let r = 0; r < 2; r++) pass((k) => ws[r * 8 + k]!, 20, (k, v) => { out[r * stride + k] = rangeLimit(v); });
}

/** jpeg_idct_1x1 (jidctred.c). */
function idct1(coef: Int16Array, q: Int32Array, out: Uint8Array): void {
  out[0] = rangeLimit(descale(coef[0]! * q[0]!, 3));
}

export interface Rgba { width: number; height: number; data: Uint8Array }

/**
 * libjpeg's decode of `img` at `m`/8 (m = 1, 2, 4 or 8) to RGBA, for the
 * cases where every component is either at the output size or half of it
 * horizontally only (jdsample.c's h2v1 methods); other layouts throw.
 */
export function referenceDecode(img: CoefImage, m: 1 | 2 | 4 | 8): Rgba {
  const { width, height, components: cs } = img;
  const hmax = Math.max(...cs.map((c) => c.h));
  const vmax = Math.max(...cs.map((c) => c.v));
  const outW = Math.ceil((width * m) / 8);
  const outH = Math.ceil((height * m) / 8);
  const planes = cs.map((c) => {
    // jdmaster.c: a component's IDCT size doubles while that still divides evenly.
    let s: number = m;
    while (s < 8 && (hmax * m) % (c.h * s * 2) === 0 && (vmax * m) % (c.v * s * 2) === 0) s *= 2;
    const pw = c.blocksW * s;
    const plane = new Uint8Array(pw * c.blocksH * s);
    const tmp = new Uint8Array(64);
    for (let by = 0; by < c.blocksH; by++) {
      for (let bx = 0; bx < c.blocksW; bx++) {
        const blk = c.blocks[by * c.blocksW + bx]!;
        if (s === 8) idct8(blk, c.quant, tmp, 8);
        else if (s === 4) idct4(blk, c.quant, tmp, 8);
        else if (s === 2) idct2(blk, c.quant, tmp, 8);
        else idct1(blk, c.quant, tmp);
        for (let y = 0; y < s; y++) for (let x = 0; x < s; x++) plane[(by * s + y) * pw + bx * s + x] = tmp[y * 8 + x]!;
      }
    }
    const dw = Math.ceil((width * c.h * s) / (hmax * 8));
    const hx = (hmax * m) / (c.h * s);
    const vx = (vmax * m) / (c.v * s);
    if (vx !== 1 || (hx !== 1 && hx !== 2)) throw new Error(`reference decode: no ${hx}x${vx} upsampling`);
    const full = new Uint8Array(outW * outH);
    for (let y = 0; y < outH; y++) {
      const row = plane.subarray(y * pw, y * pw + dw);
      for (let x = 0; x < outW; x++) {
        if (hx === 1) { full[y * outW + x] = row[x]!; continue; }
        const i = x >> 1;
        // h2v1_fancy_upsample when min_DCT_scaled_size > 1 and downsampled_width > 2, else h2v1_upsample.
        if (m === 1 || dw <= 2) { full[y * outW + x] = row[i]!; continue; }
        const v3 = row[i]! * 3;
        if (x & 1) full[y * outW + x] = i === dw - 1 ? row[i]! : (v3 + row[i + 1]! + 2) >> 2;
        else full[y * outW + x] = i === 0 ? row[0]! : (v3 + row[i - 1]! + 1) >> 2;
      }
    }
    return full;
  });
  const data = new Uint8Array(outW * outH * 4);
  const clamp = (v: number): number => (v < 0 ? 0 : v > 255 ? 255 : v);
  for (let i = 0; i < outW * outH; i++) {
    const y = planes[0]![i]!;
    if (cs.length === 1) {
      data.set([y, y, y, 255], i * 4);
      continue;
    }
    // jdcolor.c build_ycc_rgb_table / ycc_rgb_convert (SCALEBITS 16).
    const cb = planes[1]![i]! - 128, cr = planes[2]![i]! - 128;
    data[i * 4] = clamp(y + ((91881 * cr + 32768) >> 16));
    data[i * 4 + 1] = clamp(y + ((-22554 * cb - 46802 * cr + 32768) >> 16));
    data[i * 4 + 2] = clamp(y + ((116130 * cb + 32768) >> 16));
    data[i * 4 + 3] = 255;
  }
  return { width: outW, height: outH, data };
}
