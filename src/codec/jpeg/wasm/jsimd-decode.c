/*
 * jsimd-decode.c (Thumbflare: wasm simd128 kernels for libjpeg-turbo's decoder)
 *
 * Derived from libjpeg-turbo 2.1.5's C code and its Arm Neon kernels:
 *   jidctint.c:  Copyright (C) 1991-1998, Thomas G. Lane.
 *                libjpeg-turbo Modifications: Copyright (C) 2015, 2020, D. R. Commander.
 *   jidctred.c:  Copyright (C) 1994-1998, Thomas G. Lane.
 *                libjpeg-turbo Modifications: Copyright (C) 2015, D. R. Commander.
 *   jdcolor.c, jdcolext.c:  Copyright (C) 1991-1997, Thomas G. Lane.
 *                Modified 2011 by Guido Vollbeding.
 *                libjpeg-turbo Modifications: Copyright 2009 Pierre Ossman
 *                <ossman@cendio.se> for Cendio AB; Copyright (C) 2009,
 *                2011-2012, 2014-2015, 2023, D. R. Commander; Copyright (C)
 *                2013, Linaro Limited.
 *   jdsample.c:  Copyright (C) 1991-1996, Thomas G. Lane.
 *                libjpeg-turbo Modifications: Copyright 2009 Pierre Ossman
 *                <ossman@cendio.se> for Cendio AB; Copyright (C) 2010,
 *                2015-2016, D. R. Commander; Copyright (C) 2014, MIPS
 *                Technologies, Inc., California; Copyright (C) 2015, Google,
 *                Inc.; Copyright (C) 2019-2020, Arm Limited.
 *   simd/arm/jidctint-neon.c, jidctred-neon.c, jdcolext-neon.c,
 *   jdsample-neon.c:  Copyright (C) 2020, Arm Limited.
 *                Copyright (C) 2020, D. R. Commander.
 * For conditions of distribution and use of the IJG-derived code, see
 * README.ijg and LICENSE.md in libjpeg-turbo's source (the package
 * scripts/build-jpeg-wasm.sh builds from). The Arm-derived code is under this
 * licence:
 *
 *   This software is provided 'as-is', without any express or implied
 *   warranty.  In no event will the authors be held liable for any damages
 *   arising from the use of this software.
 *
 *   Permission is granted to anyone to use this software for any purpose,
 *   including commercial applications, and to alter it and redistribute it
 *   freely, subject to the following restrictions:
 *
 *   1. The origin of this software must not be misrepresented; you must not
 *      claim that you wrote the original software. If you use this software
 *      in a product, an acknowledgment in the product documentation would be
 *      appreciated but is not required.
 *   2. Altered source versions must be plainly marked as such, and must not be
 *      misrepresented as being the original software.
 *   3. This notice may not be removed or altered from any source distribution.
 *
 * Altered for Thumbflare: rewritten for wasm simd128.
 *
 * The decoder-side SIMD hooks of jsimd.h: the accurate 8x8 IDCT, the 4x4 and
 * 2x2 scaled IDCTs, YCbCr -> RGB(A) colour conversion and h2v1/h2v2 "fancy"
 * (triangle-filter) chroma upsampling. Each computes exactly what the C
 * routine it replaces computes (same fixed-point constants and descaling;
 * products summed in 32 bits with i32x4.dot_i16x8_s), so the decoded pixels
 * are the same bytes as the C path's for any stream the C path decodes
 * without overflow; libjpeg-turbo's own x86/Arm SIMD makes the same 16-bit
 * assumptions for these routines (dequantised coefficients and first-pass
 * results fit in 16 bits, and out-of-range samples saturate).
 */

#define JPEG_INTERNALS
#include "jinclude.h"
#include "jpeglib.h"
#include "jsimd.h"
#include "jdct.h"
#include "jsimddct.h"

#include <wasm_simd128.h>

/* ---- Shuffle helpers (all lower to single x64/Arm unpack instructions) ---- */

#define UNPACKLO8(a, b) wasm_i8x16_shuffle(a, b, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23)
#define UNPACKHI8(a, b) wasm_i8x16_shuffle(a, b, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31)
#define UNPACKLO16(a, b) wasm_i16x8_shuffle(a, b, 0, 8, 1, 9, 2, 10, 3, 11)
#define UNPACKHI16(a, b) wasm_i16x8_shuffle(a, b, 4, 12, 5, 13, 6, 14, 7, 15)
#define UNPACKLO32(a, b) wasm_i32x4_shuffle(a, b, 0, 4, 1, 5)
#define UNPACKHI32(a, b) wasm_i32x4_shuffle(a, b, 2, 6, 3, 7)
#define UNPACKLO64(a, b) wasm_i64x2_shuffle(a, b, 0, 2)
#define UNPACKHI64(a, b) wasm_i64x2_shuffle(a, b, 1, 3)

/* A pair of i16 constants (c0, c1) repeated, for dot products with interleaved (x0, x1) pairs. */
#define PAIR(c0, c1) wasm_i16x8_const((c0), (c1), (c0), (c1), (c0), (c1), (c0), (c1))
#define DOT(x, k) wasm_i32x4_dot_i16x8(x, k)

/* ---- Accurate integer IDCT (jidctint.c, jpeg_idct_islow) ---- */

#include "jsimd-islow.h"

/*
 * The odd part of jpeg_idct_islow() (its figure 8: z1..z5, then tmp0..tmp3)
 * is a linear map of (t0, t1, t2, t3) = (in7, in5, in3, in1); multiplied out,
 * each output is a sum of four products with the 16-bit coefficients below,
 * the same integers the C code's products and sums make:
 *   tmp0 = t0 (F298 - F899 - F1961 + F1175) + t1 F1175
 *        + t2 (F1175 - F1961) + t3 (F1175 - F899), and so on.
 */
#define O00 (F_0_298 - F_0_899 - F_1_961 + F_1_175)
#define O01 (F_1_175)
#define O02 (F_1_175 - F_1_961)
#define O03 (F_1_175 - F_0_899)
#define O10 (F_1_175)
#define O11 (F_2_053 - F_2_562 - F_0_390 + F_1_175)
#define O12 (F_1_175 - F_2_562)
#define O13 (F_1_175 - F_0_390)
#define O20 (F_1_175 - F_1_961)
#define O21 (F_1_175 - F_2_562)
#define O22 (F_3_072 - F_2_562 - F_1_961 + F_1_175)
#define O23 (F_1_175)
#define O30 (F_1_175 - F_0_899)
#define O31 (F_1_175 - F_0_390)
#define O32 (F_1_175)
#define O33 (F_1_501 - F_0_899 - F_0_390 + F_1_175)

/*
 * One 1-D 8-point IDCT over 8 lanes: in[k] holds input k of eight independent
 * transforms (C's inptr[DCTSIZE * k] or wsptr[k]). Returns the outputs before
 * descaling as 32-bit halves: lo[k] (lanes 0-3), hi[k] (lanes 4-7), with
 * `round` (the descale's 1 << (n - 1)) already added.
 */
static inline void idct8_1d(const v128_t in[8], int32_t round, v128_t lo[8], v128_t hi[8])
{
  const v128_t k_e0 = PAIR(1 << CONST_BITS, 1 << CONST_BITS);   /* (z0 + z4) << 13 */
  const v128_t k_e1 = PAIR(1 << CONST_BITS, -(1 << CONST_BITS)); /* (z0 - z4) << 13 */
  const v128_t k_e3 = PAIR(F_0_541 + F_0_765, F_0_541);          /* tmp3 */
  const v128_t k_e2 = PAIR(F_0_541, F_0_541 - F_1_847);          /* tmp2 */
  const v128_t k_o0a = PAIR(O00, O01), k_o0b = PAIR(O02, O03);
  const v128_t k_o1a = PAIR(O10, O11), k_o1b = PAIR(O12, O13);
  const v128_t k_o2a = PAIR(O20, O21), k_o2b = PAIR(O22, O23);
  const v128_t k_o3a = PAIR(O30, O31), k_o3b = PAIR(O32, O33);
  const v128_t r = wasm_i32x4_splat(round);

  v128_t il04[2] = { UNPACKLO16(in[0], in[4]), UNPACKHI16(in[0], in[4]) };
  v128_t il26[2] = { UNPACKLO16(in[2], in[6]), UNPACKHI16(in[2], in[6]) };
  v128_t il75[2] = { UNPACKLO16(in[7], in[5]), UNPACKHI16(in[7], in[5]) };
  v128_t il31[2] = { UNPACKLO16(in[3], in[1]), UNPACKHI16(in[3], in[1]) };

  for (int h = 0; h < 2; h++) {
    v128_t *out = h ? hi : lo;
    v128_t e0 = wasm_i32x4_add(DOT(il04[h], k_e0), r);
    v128_t e1 = wasm_i32x4_add(DOT(il04[h], k_e1), r);
    v128_t e3 = DOT(il26[h], k_e3);
    v128_t e2 = DOT(il26[h], k_e2);
    v128_t tmp10 = wasm_i32x4_add(e0, e3);
    v128_t tmp13 = wasm_i32x4_sub(e0, e3);
    v128_t tmp11 = wasm_i32x4_add(e1, e2);
    v128_t tmp12 = wasm_i32x4_sub(e1, e2);
    v128_t tmp0 = wasm_i32x4_add(DOT(il75[h], k_o0a), DOT(il31[h], k_o0b));
    v128_t tmp1 = wasm_i32x4_add(DOT(il75[h], k_o1a), DOT(il31[h], k_o1b));
    v128_t tmp2 = wasm_i32x4_add(DOT(il75[h], k_o2a), DOT(il31[h], k_o2b));
    v128_t tmp3 = wasm_i32x4_add(DOT(il75[h], k_o3a), DOT(il31[h], k_o3b));
    out[0] = wasm_i32x4_add(tmp10, tmp3);
    out[7] = wasm_i32x4_sub(tmp10, tmp3);
    out[1] = wasm_i32x4_add(tmp11, tmp2);
    out[6] = wasm_i32x4_sub(tmp11, tmp2);
    out[2] = wasm_i32x4_add(tmp12, tmp1);
    out[5] = wasm_i32x4_sub(tmp12, tmp1);
    out[3] = wasm_i32x4_add(tmp13, tmp0);
    out[4] = wasm_i32x4_sub(tmp13, tmp0);
  }
}

/* Transposes an 8x8 matrix of i16 held as 8 row vectors. */
static inline void transpose8x8_i16(const v128_t w[8], v128_t c[8])
{
  v128_t a0 = UNPACKLO16(w[0], w[1]), a1 = UNPACKHI16(w[0], w[1]);
  v128_t a2 = UNPACKLO16(w[2], w[3]), a3 = UNPACKHI16(w[2], w[3]);
  v128_t a4 = UNPACKLO16(w[4], w[5]), a5 = UNPACKHI16(w[4], w[5]);
  v128_t a6 = UNPACKLO16(w[6], w[7]), a7 = UNPACKHI16(w[6], w[7]);
  v128_t b0 = UNPACKLO32(a0, a2), b1 = UNPACKHI32(a0, a2);
  v128_t b2 = UNPACKLO32(a1, a3), b3 = UNPACKHI32(a1, a3);
  v128_t b4 = UNPACKLO32(a4, a6), b5 = UNPACKHI32(a4, a6);
  v128_t b6 = UNPACKLO32(a5, a7), b7 = UNPACKHI32(a5, a7);
  c[0] = UNPACKLO64(b0, b4); c[1] = UNPACKHI64(b0, b4);
  c[2] = UNPACKLO64(b1, b5); c[3] = UNPACKHI64(b1, b5);
  c[4] = UNPACKLO64(b2, b6); c[5] = UNPACKHI64(b2, b6);
  c[6] = UNPACKLO64(b3, b7); c[7] = UNPACKHI64(b3, b7);
}

/* range_limit[x & RANGE_MASK] for |x| within the table's clamping range: saturate to [-128, 127], add CENTERJSAMPLE. */
#define CENTER8 wasm_i8x16_splat((int8_t)0x80)

static inline void store_row8(JSAMPARRAY output_buf, int row, JDIMENSION output_col, v128_t v, int lane)
{
  if (lane == 0) wasm_v128_store64_lane(output_buf[row] + output_col, v, 0);
  else wasm_v128_store64_lane(output_buf[row] + output_col, v, 1);
}

GLOBAL(int)
jsimd_can_idct_islow(void)
{
  return 1;
}

GLOBAL(void)
jsimd_idct_islow(j_decompress_ptr cinfo, jpeg_component_info *compptr,
                 JCOEFPTR coef_block, JSAMPARRAY output_buf,
                 JDIMENSION output_col)
{
  (void)cinfo;
  const ISLOW_MULT_TYPE *quantptr = (const ISLOW_MULT_TYPE *)compptr->dct_table;
  v128_t in[8];
  for (int k = 0; k < 8; k++)
    in[k] = wasm_i16x8_mul(wasm_v128_load(coef_block + 8 * k), wasm_v128_load(quantptr + 8 * k));

  v128_t ac = wasm_v128_or(wasm_v128_or(wasm_v128_or(in[1], in[2]), wasm_v128_or(in[3], in[4])),
                           wasm_v128_or(wasm_v128_or(in[5], in[6]), in[7]));
  if (!wasm_v128_any_true(ac)) {
    /* Only row 0 (the columns' DC terms) is non-zero: pass 1 gives
     * dc << PASS1_BITS in every row (C's shortcut), so all output rows are the
     * 1-D IDCT of row 0; when that row is DC-only too, one constant. */
    v128_t row0 = wasm_i16x8_shl(in[0], PASS1_BITS);
    if (!wasm_v128_any_true(wasm_i16x8_replace_lane(row0, 0, 0))) {
      /* DESCALE(dc << PASS1_BITS, PASS1_BITS + 3), C's zero-row shortcut. */
      int dc = wasm_i16x8_extract_lane(row0, 0);
      dc = (dc + (1 << (PASS1_BITS + 2))) >> (PASS1_BITS + 3);
      if (dc < -128) dc = -128;
      if (dc > 127) dc = 127;
      v128_t v = wasm_i8x16_splat((int8_t)(dc + 128));
      for (int r = 0; r < 8; r++) wasm_v128_store64_lane(output_buf[r] + output_col, v, 0);
      return;
    }
  }

  /* Pass 1: columns; in[k] is row k of the block, so the lanes are the columns. */
  v128_t lo[8], hi[8], ws[8], col[8];
  idct8_1d(in, 1 << (CONST_BITS - PASS1_BITS - 1), lo, hi);
  for (int k = 0; k < 8; k++)
    ws[k] = wasm_i16x8_narrow_i32x4(wasm_i32x4_shr(lo[k], CONST_BITS - PASS1_BITS),
                                    wasm_i32x4_shr(hi[k], CONST_BITS - PASS1_BITS));

  /* Pass 2: rows; after the transpose col[j] holds workspace column j, lanes = rows. */
  transpose8x8_i16(ws, col);
  idct8_1d(col, 1 << (CONST_BITS + PASS1_BITS + 3 - 1), lo, hi);
  v128_t o[8];
  for (int k = 0; k < 8; k++)
    o[k] = wasm_i16x8_narrow_i32x4(wasm_i32x4_shr(lo[k], CONST_BITS + PASS1_BITS + 3),
                                   wasm_i32x4_shr(hi[k], CONST_BITS + PASS1_BITS + 3));
  /* o[j] lane r = output row r, column j. Narrow to bytes two columns per
   * vector, then transpose the 8x8 bytes. */
  v128_t b01 = wasm_i8x16_narrow_i16x8(o[0], o[1]);
  v128_t b23 = wasm_i8x16_narrow_i16x8(o[2], o[3]);
  v128_t b45 = wasm_i8x16_narrow_i16x8(o[4], o[5]);
  v128_t b67 = wasm_i8x16_narrow_i16x8(o[6], o[7]);
  v128_t t0 = UNPACKLO8(b01, b23), t1 = UNPACKHI8(b01, b23);
  v128_t t2 = UNPACKLO8(b45, b67), t3 = UNPACKHI8(b45, b67);
  v128_t u0 = UNPACKLO8(t0, t1), u1 = UNPACKHI8(t0, t1);
  v128_t u2 = UNPACKLO8(t2, t3), u3 = UNPACKHI8(t2, t3);
  v128_t v01 = wasm_v128_xor(UNPACKLO32(u0, u2), CENTER8);
  v128_t v23 = wasm_v128_xor(UNPACKHI32(u0, u2), CENTER8);
  v128_t v45 = wasm_v128_xor(UNPACKLO32(u1, u3), CENTER8);
  v128_t v67 = wasm_v128_xor(UNPACKHI32(u1, u3), CENTER8);
  store_row8(output_buf, 0, output_col, v01, 0);
  store_row8(output_buf, 1, output_col, v01, 1);
  store_row8(output_buf, 2, output_col, v23, 0);
  store_row8(output_buf, 3, output_col, v23, 1);
  store_row8(output_buf, 4, output_col, v45, 0);
  store_row8(output_buf, 5, output_col, v45, 1);
  store_row8(output_buf, 6, output_col, v67, 0);
  store_row8(output_buf, 7, output_col, v67, 1);
}

/* ---- Reduced-size IDCTs (jidctred.c, jpeg_idct_4x4 and jpeg_idct_2x2) ---- */

#define FIX_0_211164243  1730
#define FIX_0_509795579  4176
#define FIX_0_601344887  4926
#define FIX_0_720959822  5906
#define FIX_0_765366865  6270
#define FIX_0_850430095  6967
#define FIX_0_899976223  7373
#define FIX_1_061594337  8697
#define FIX_1_272758580  10426
#define FIX_1_451774981  11893
#define FIX_1_847759065  15137
#define FIX_2_172734803  17799
#define FIX_2_562915447  20995
#define FIX_3_624509785  29692

GLOBAL(int)
jsimd_can_idct_4x4(void)
{
  return 1;
}

/*
 * The 1-D 4-point reduced IDCT of jpeg_idct_4x4() on interleaved pairs
 * (il0x = (in0, 0), il26 = (in2, in6), il75 = (in7, in5), il31 = (in3, in1)),
 * four transforms per i32x4; out[0..3] before the descale shift.
 */
static inline void idct4_1d(v128_t il0x, v128_t il26, v128_t il75, v128_t il31, int32_t round, v128_t out[4])
{
  const v128_t k_t0 = PAIR(1 << (CONST_BITS + 1), 0);
  const v128_t k_e = PAIR(FIX_1_847759065, -FIX_0_765366865);
  const v128_t k_o0a = PAIR(-FIX_0_211164243, FIX_1_451774981);
  const v128_t k_o0b = PAIR(-FIX_2_172734803, FIX_1_061594337);
  const v128_t k_o2a = PAIR(-FIX_0_509795579, -FIX_0_601344887);
  const v128_t k_o2b = PAIR(FIX_0_899976223, FIX_2_562915447);
  v128_t t0 = wasm_i32x4_add(DOT(il0x, k_t0), wasm_i32x4_splat(round));
  v128_t t2 = DOT(il26, k_e);
  v128_t tmp10 = wasm_i32x4_add(t0, t2);
  v128_t tmp12 = wasm_i32x4_sub(t0, t2);
  v128_t o0 = wasm_i32x4_add(DOT(il75, k_o0a), DOT(il31, k_o0b));
  v128_t o2 = wasm_i32x4_add(DOT(il75, k_o2a), DOT(il31, k_o2b));
  out[0] = wasm_i32x4_add(tmp10, o2);
  out[3] = wasm_i32x4_sub(tmp10, o2);
  out[1] = wasm_i32x4_add(tmp12, o0);
  out[2] = wasm_i32x4_sub(tmp12, o0);
}

GLOBAL(void)
jsimd_idct_4x4(j_decompress_ptr cinfo, jpeg_component_info *compptr,
               JCOEFPTR coef_block, JSAMPARRAY output_buf,
               JDIMENSION output_col)
{
  (void)cinfo;
  const ISLOW_MULT_TYPE *quantptr = (const ISLOW_MULT_TYPE *)compptr->dct_table;
  const v128_t zero = wasm_i32x4_splat(0);
  v128_t in[8];
  for (int k = 0; k < 8; k++) {
    if (k == 4) { in[k] = zero; continue; } /* row 4 does not reach a 4x4 output */
    in[k] = wasm_i16x8_mul(wasm_v128_load(coef_block + 8 * k), wasm_v128_load(quantptr + 8 * k));
  }

  /* Pass 1: columns (lanes), 4 output rows of the workspace. Column 4 is
   * computed too although pass 2 ignores it (C skips it). */
  const int sh1 = CONST_BITS - PASS1_BITS + 1;
  v128_t olo[4], ohi[4];
  idct4_1d(UNPACKLO16(in[0], zero), UNPACKLO16(in[2], in[6]), UNPACKLO16(in[7], in[5]),
           UNPACKLO16(in[3], in[1]), 1 << (sh1 - 1), olo);
  idct4_1d(UNPACKHI16(in[0], zero), UNPACKHI16(in[2], in[6]), UNPACKHI16(in[7], in[5]),
           UNPACKHI16(in[3], in[1]), 1 << (sh1 - 1), ohi);
  v128_t ws[4];
  for (int k = 0; k < 4; k++)
    ws[k] = wasm_i16x8_narrow_i32x4(wasm_i32x4_shr(olo[k], sh1), wasm_i32x4_shr(ohi[k], sh1));

  /* Pass 2: the 4 workspace rows, transposed into column pairs p01 = (c0 r0-3, c1 r0-3), ... */
  v128_t a0 = UNPACKLO16(ws[0], ws[1]), a1 = UNPACKHI16(ws[0], ws[1]);
  v128_t a2 = UNPACKLO16(ws[2], ws[3]), a3 = UNPACKHI16(ws[2], ws[3]);
  v128_t p01 = UNPACKLO32(a0, a2), p23 = UNPACKHI32(a0, a2);
  v128_t p45 = UNPACKLO32(a1, a3), p67 = UNPACKHI32(a1, a3);
  const int sh2 = CONST_BITS + PASS1_BITS + 3 + 1;
  v128_t o[4];
  idct4_1d(UNPACKLO16(p01, zero), UNPACKLO16(p23, p67), UNPACKHI16(p67, p45),
           UNPACKHI16(p23, p01), 1 << (sh2 - 1), o);
  /* o[j] lane r = row r, column j. */
  v128_t s01 = wasm_i16x8_narrow_i32x4(wasm_i32x4_shr(o[0], sh2), wasm_i32x4_shr(o[1], sh2));
  v128_t s23 = wasm_i16x8_narrow_i32x4(wasm_i32x4_shr(o[2], sh2), wasm_i32x4_shr(o[3], sh2));
  v128_t b = wasm_i8x16_narrow_i16x8(s01, s23); /* c0 r0-3, c1 r0-3, c2 r0-3, c3 r0-3 */
  b = wasm_v128_xor(wasm_i8x16_shuffle(b, b, 0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15), CENTER8);
  wasm_v128_store32_lane(output_buf[0] + output_col, b, 0);
  wasm_v128_store32_lane(output_buf[1] + output_col, b, 1);
  wasm_v128_store32_lane(output_buf[2] + output_col, b, 2);
  wasm_v128_store32_lane(output_buf[3] + output_col, b, 3);
}

GLOBAL(int)
jsimd_can_idct_2x2(void)
{
  return 1;
}

GLOBAL(void)
jsimd_idct_2x2(j_decompress_ptr cinfo, jpeg_component_info *compptr,
               JCOEFPTR coef_block, JSAMPARRAY output_buf,
               JDIMENSION output_col)
{
  (void)cinfo;
  const ISLOW_MULT_TYPE *quantptr = (const ISLOW_MULT_TYPE *)compptr->dct_table;
  const v128_t k_oa = PAIR(-FIX_0_720959822, FIX_0_850430095);
  const v128_t k_ob = PAIR(-FIX_1_272758580, FIX_3_624509785);
#define DQ(k) wasm_i16x8_mul(wasm_v128_load(coef_block + 8 * (k)), wasm_v128_load(quantptr + 8 * (k)))
  v128_t in0 = DQ(0), in1 = DQ(1), in3 = DQ(3), in5 = DQ(5), in7 = DQ(7);
#undef DQ

  /* Pass 1: columns (lanes); workspace rows 0 and 1. */
  const int sh1 = CONST_BITS - PASS1_BITS + 2;
  const v128_t r1 = wasm_i32x4_splat(1 << (sh1 - 1));
  v128_t w[2];
  {
    /* tmp10 = z0 << 15 (32768 is no i16 constant, so a shift, not a dot). */
    v128_t e_lo = wasm_i32x4_add(wasm_i32x4_shl(wasm_i32x4_extend_low_i16x8(in0), CONST_BITS + 2), r1);
    v128_t e_hi = wasm_i32x4_add(wasm_i32x4_shl(wasm_i32x4_extend_high_i16x8(in0), CONST_BITS + 2), r1);
    v128_t o_lo = wasm_i32x4_add(DOT(UNPACKLO16(in7, in5), k_oa), DOT(UNPACKLO16(in3, in1), k_ob));
    v128_t o_hi = wasm_i32x4_add(DOT(UNPACKHI16(in7, in5), k_oa), DOT(UNPACKHI16(in3, in1), k_ob));
    w[0] = wasm_i16x8_narrow_i32x4(wasm_i32x4_shr(wasm_i32x4_add(e_lo, o_lo), sh1),
                                   wasm_i32x4_shr(wasm_i32x4_add(e_hi, o_hi), sh1));
    w[1] = wasm_i16x8_narrow_i32x4(wasm_i32x4_shr(wasm_i32x4_sub(e_lo, o_lo), sh1),
                                   wasm_i32x4_shr(wasm_i32x4_sub(e_hi, o_hi), sh1));
  }

  /* Pass 2: rows 0 and 1, as i32 lanes (row 0, row 1, row 0, row 1); the
   * pairs (w7, w5) and (w3, w1) of both rows in one vector each. */
  v128_t w0 = wasm_i32x4_extend_low_i16x8(wasm_i16x8_shuffle(w[0], w[1], 0, 8, 0, 8, 0, 8, 0, 8));
  v128_t il75 = wasm_i16x8_shuffle(w[0], w[1], 7, 5, 15, 13, 7, 5, 15, 13);
  v128_t il31 = wasm_i16x8_shuffle(w[0], w[1], 3, 1, 11, 9, 3, 1, 11, 9);
  const int sh2 = CONST_BITS + PASS1_BITS + 3 + 2;
  v128_t e = wasm_i32x4_add(wasm_i32x4_shl(w0, CONST_BITS + 2), wasm_i32x4_splat(1 << (sh2 - 1)));
  v128_t od = wasm_i32x4_add(DOT(il75, k_oa), DOT(il31, k_ob));
  /* lanes: (row0, row1, row0, row1); column 0 = e + od, column 1 = e - od. */
  v128_t c0 = wasm_i32x4_shr(wasm_i32x4_add(e, od), sh2);
  v128_t c1 = wasm_i32x4_shr(wasm_i32x4_sub(e, od), sh2);
  v128_t s = wasm_i16x8_narrow_i32x4(c0, c1);     /* r0c0 r1c0 .. .. r0c1 r1c1 .. .. */
  v128_t b = wasm_i8x16_narrow_i16x8(s, s);
  b = wasm_v128_xor(b, CENTER8);
  /* bytes: 0 = r0c0, 1 = r1c0, 4 = r0c1, 5 = r1c1 */
  b = wasm_i8x16_shuffle(b, b, 0, 4, 1, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
  wasm_v128_store16_lane(output_buf[0] + output_col, b, 0);
  wasm_v128_store16_lane(output_buf[1] + output_col, b, 1);
}

/* ---- YCbCr -> RGB (jdcolor.c, jdcolext.c) ---- */

/*
 * C's tables (build_ycc_rgb_table, SCALEBITS 16):
 *   R = y + ((91881 cr' + 32768) >> 16), B = y + ((116130 cb' + 32768) >> 16),
 *   G = y + ((-22554 cb' - 46802 cr' + 32768) >> 16), cb' = cb - 128, cr' = cr - 128,
 * then clamped to [0, 255]. G is the same integer at 2^15 scale
 * (-11277 cb' - 23401 cr' + 16384) >> 15, one dot product; R and B are
 * q15mulr(2 x, c) = (2 x c + 16384) >> 15 with the Neon kernel's 2^14-scale
 * constants 22971 (1.402) and 29033 (1.772), which equal C's tables for all
 * 256 values of x (checked exhaustively).
 */
#define Y_SCALEBITS 16
#define Y_ONE_HALF ((JLONG)1 << (Y_SCALEBITS - 1))

/* Scalar conversion for any layout: the same arithmetic as C's tables. */
static void ycc_rgb_scalar(JSAMPROW inptr0, JSAMPROW inptr1, JSAMPROW inptr2, JSAMPROW outptr,
                           JDIMENSION num_cols, int r_i, int g_i, int b_i, int a_i, int pixelsize)
{
  for (JDIMENSION col = 0; col < num_cols; col++) {
    int y = inptr0[col];
    JLONG cb = (JLONG)inptr1[col] - CENTERJSAMPLE;
    JLONG cr = (JLONG)inptr2[col] - CENTERJSAMPLE;
    int r = y + (int)((91881 * cr + Y_ONE_HALF) >> Y_SCALEBITS);
    int g = y + (int)((-22554 * cb - 46802 * cr + Y_ONE_HALF) >> Y_SCALEBITS);
    int b = y + (int)((116130 * cb + Y_ONE_HALF) >> Y_SCALEBITS);
    outptr[r_i] = (JSAMPLE)(r < 0 ? 0 : r > MAXJSAMPLE ? MAXJSAMPLE : r);
    outptr[g_i] = (JSAMPLE)(g < 0 ? 0 : g > MAXJSAMPLE ? MAXJSAMPLE : g);
    outptr[b_i] = (JSAMPLE)(b < 0 ? 0 : b > MAXJSAMPLE ? MAXJSAMPLE : b);
    if (a_i >= 0) outptr[a_i] = MAXJSAMPLE;
    outptr += pixelsize;
  }
}

/* 16 pixels of RGBA from 16 bytes each of Y, Cb, Cr. */
static inline void ycc_rgba16(v128_t y, v128_t cb, v128_t cr, JSAMPROW out)
{
  const v128_t c128 = wasm_i16x8_splat(128);
  const v128_t k_g = PAIR(-11277, -23401);
  const v128_t k_r = wasm_i16x8_splat(22971);
  const v128_t k_b = wasm_i16x8_splat(29033);
  const v128_t g_round = wasm_i32x4_splat(1 << 14);
  v128_t R[2], G[2], B[2];
  for (int h = 0; h < 2; h++) {
    v128_t yy = h ? wasm_u16x8_extend_high_u8x16(y) : wasm_u16x8_extend_low_u8x16(y);
    v128_t b_ = wasm_i16x8_sub(h ? wasm_u16x8_extend_high_u8x16(cb) : wasm_u16x8_extend_low_u8x16(cb), c128);
    v128_t r_ = wasm_i16x8_sub(h ? wasm_u16x8_extend_high_u8x16(cr) : wasm_u16x8_extend_low_u8x16(cr), c128);
    R[h] = wasm_i16x8_add(yy, wasm_i16x8_q15mulr_sat(wasm_i16x8_shl(r_, 1), k_r));
    B[h] = wasm_i16x8_add(yy, wasm_i16x8_q15mulr_sat(wasm_i16x8_shl(b_, 1), k_b));
    v128_t g_lo = wasm_i32x4_shr(wasm_i32x4_add(DOT(UNPACKLO16(b_, r_), k_g), g_round), 15);
    v128_t g_hi = wasm_i32x4_shr(wasm_i32x4_add(DOT(UNPACKHI16(b_, r_), k_g), g_round), 15);
    G[h] = wasm_i16x8_add(yy, wasm_i16x8_narrow_i32x4(g_lo, g_hi));
  }
  v128_t r8 = wasm_u8x16_narrow_i16x8(R[0], R[1]);
  v128_t g8 = wasm_u8x16_narrow_i16x8(G[0], G[1]);
  v128_t b8 = wasm_u8x16_narrow_i16x8(B[0], B[1]);
  const v128_t a8 = wasm_i8x16_splat(-1);
  v128_t rg_lo = UNPACKLO8(r8, g8), rg_hi = UNPACKHI8(r8, g8);
  v128_t ba_lo = UNPACKLO8(b8, a8), ba_hi = UNPACKHI8(b8, a8);
  wasm_v128_store(out, UNPACKLO16(rg_lo, ba_lo));
  wasm_v128_store(out + 16, UNPACKHI16(rg_lo, ba_lo));
  wasm_v128_store(out + 32, UNPACKLO16(rg_hi, ba_hi));
  wasm_v128_store(out + 48, UNPACKHI16(rg_hi, ba_hi));
}

GLOBAL(int)
jsimd_can_ycc_rgb(void)
{
  return 1;
}

GLOBAL(void)
jsimd_ycc_rgb_convert(j_decompress_ptr cinfo, JSAMPIMAGE input_buf,
                      JDIMENSION input_row, JSAMPARRAY output_buf,
                      int num_rows)
{
  JDIMENSION num_cols = cinfo->output_width;
  J_COLOR_SPACE cs = cinfo->out_color_space;
  /* RGBX and RGBA share a layout (C writes 0xFF to the 4th byte of both). */
  int simd = cs == JCS_EXT_RGBA || cs == JCS_EXT_RGBX;
  int pixelsize = rgb_pixelsize[cs];
  int r_i = rgb_red[cs], g_i = rgb_green[cs], b_i = rgb_blue[cs];
  int a_i = pixelsize == 4 ? 6 - r_i - g_i - b_i : -1;

  while (--num_rows >= 0) {
    JSAMPROW inptr0 = input_buf[0][input_row];
    JSAMPROW inptr1 = input_buf[1][input_row];
    JSAMPROW inptr2 = input_buf[2][input_row];
    input_row++;
    JSAMPROW outptr = *output_buf++;
    JDIMENSION col = 0;
    if (simd) {
      for (; col + 16 <= num_cols; col += 16)
        ycc_rgba16(wasm_v128_load(inptr0 + col), wasm_v128_load(inptr1 + col),
                   wasm_v128_load(inptr2 + col), outptr + 4 * col);
      if (col < num_cols) {
        /* The input rows (alloc_sarray) are padded to a multiple of 64
         * samples; the output row is the caller's, exactly num_cols wide. */
        JSAMPLE tmp[64];
        ycc_rgba16(wasm_v128_load(inptr0 + col), wasm_v128_load(inptr1 + col),
                   wasm_v128_load(inptr2 + col), tmp);
        memcpy(outptr + 4 * col, tmp, 4 * (size_t)(num_cols - col));
      }
    } else {
      ycc_rgb_scalar(inptr0, inptr1, inptr2, outptr, num_cols, r_i, g_i, b_i, a_i, pixelsize);
    }
  }
}

/* ---- Fancy upsampling (jdsample.c) ---- */

GLOBAL(int)
jsimd_can_h2v1_fancy_upsample(void)
{
  return 1;
}

GLOBAL(int)
jsimd_can_h2v2_fancy_upsample(void)
{
  return 1;
}

/*
 * Both upsamplers, per output row: out[2i] = (3 a[i] + a[i-1] + r0) >> n and
 * out[2i+1] = (3 a[i] + a[i+1] + r1) >> n, where a is the input row (h2v1:
 * n = 2, r0 = 1, r1 = 2) or the column sums 3 nearer + farther row (h2v2:
 * n = 4, r0 = 8, r1 = 7). C's first and last columns are this formula with
 * a[-1] = a[0] and a[w] = a[w-1] ((4 x + 1) >> 2 = x, (4 s + 8) >> 4, ...), so
 * the vectors start at column 0 with a[0] as the left neighbour. Eight
 * columns per step; a[i-1] and a[i+1] come from the previous and next
 * vectors by a one-lane shuffle. The vectors stop where the next vector would
 * pass column w-1; the rest is scalar. Output pairs are formed in 16-bit lanes
 * as even | odd << 8, which is the interleaved byte order.
 */
#define SHIFT_IN_LEFT(prev, cur) wasm_i16x8_shuffle(prev, cur, 7, 8, 9, 10, 11, 12, 13, 14)
#define SHIFT_IN_RIGHT(cur, next) wasm_i16x8_shuffle(cur, next, 1, 2, 3, 4, 5, 6, 7, 8)

static inline JDIMENSION fancy_row_simd(const v128_t *first, v128_t (*load)(JSAMPROW, JSAMPROW, JDIMENSION),
                                        JSAMPROW p0, JSAMPROW p1, JDIMENSION w, JSAMPROW outptr,
                                        int n, int r0, int r1)
{
  const v128_t k0 = wasm_i16x8_splat((int16_t)r0), k1 = wasm_i16x8_splat((int16_t)r1);
  v128_t cur = *first;
  v128_t prev = wasm_i16x8_shuffle(cur, cur, 0, 0, 0, 0, 0, 0, 0, 0);
  JDIMENSION b = 0;
  for (; b + 16 <= w; b += 8) {
    v128_t next = load(p0, p1, b + 8);
    v128_t c3 = wasm_i16x8_add(cur, wasm_i16x8_shl(cur, 1));
    v128_t ev = wasm_u16x8_shr(wasm_i16x8_add(wasm_i16x8_add(c3, SHIFT_IN_LEFT(prev, cur)), k0), n);
    v128_t od = wasm_u16x8_shr(wasm_i16x8_add(wasm_i16x8_add(c3, SHIFT_IN_RIGHT(cur, next)), k1), n);
    wasm_v128_store(outptr + 2 * b, wasm_v128_or(ev, wasm_i16x8_shl(od, 8)));
    prev = cur;
    cur = next;
  }
  return b;
}

static inline v128_t load_row(JSAMPROW p0, JSAMPROW p1, JDIMENSION i)
{
  (void)p1;
  return wasm_u16x8_load8x8(p0 + i);
}

static inline v128_t load_colsum(JSAMPROW p0, JSAMPROW p1, JDIMENSION i)
{
  v128_t a = wasm_u16x8_load8x8(p0 + i);
  return wasm_i16x8_add(wasm_i16x8_add(a, wasm_i16x8_shl(a, 1)), wasm_u16x8_load8x8(p1 + i));
}

GLOBAL(void)
jsimd_h2v1_fancy_upsample(j_decompress_ptr cinfo, jpeg_component_info *compptr,
                          JSAMPARRAY input_data, JSAMPARRAY *output_data_ptr)
{
  JSAMPARRAY output_data = *output_data_ptr;
  JDIMENSION w = compptr->downsampled_width;

  for (int inrow = 0; inrow < cinfo->max_v_samp_factor; inrow++) {
    JSAMPROW inptr = input_data[inrow];
    JSAMPROW outptr = output_data[inrow];
    JDIMENSION i = 0;
    if (w >= 16) {
      v128_t first = load_row(inptr, NULL, 0);
      i = fancy_row_simd(&first, load_row, inptr, NULL, w, outptr, 2, 1, 2);
    }
    for (; i < w; i++) {
      int v = inptr[i] * 3;
      int l = inptr[i == 0 ? 0 : i - 1], r = inptr[i == w - 1 ? i : i + 1];
      outptr[2 * i] = (JSAMPLE)((v + l + 1) >> 2);
      outptr[2 * i + 1] = (JSAMPLE)((v + r + 2) >> 2);
    }
  }
}

GLOBAL(void)
jsimd_h2v2_fancy_upsample(j_decompress_ptr cinfo, jpeg_component_info *compptr,
                          JSAMPARRAY input_data, JSAMPARRAY *output_data_ptr)
{
  JSAMPARRAY output_data = *output_data_ptr;
  JDIMENSION w = compptr->downsampled_width;
  int inrow = 0, outrow = 0;

  while (outrow < cinfo->max_v_samp_factor) {
    for (int v = 0; v < 2; v++) {
      /* in0: nearest input row; in1: the next nearest (above for the first output row, below for the second) */
      JSAMPROW in0 = input_data[inrow];
      JSAMPROW in1 = input_data[v == 0 ? inrow - 1 : inrow + 1];
      JSAMPROW outptr = output_data[outrow++];
      JDIMENSION i = 0;
      if (w >= 16) {
        v128_t first = load_colsum(in0, in1, 0);
        i = fancy_row_simd(&first, load_colsum, in0, in1, w, outptr, 4, 8, 7);
      }
      for (; i < w; i++) {
        int sc = in0[i] * 3 + in1[i];
        JDIMENSION li = i == 0 ? 0 : i - 1, ri = i == w - 1 ? i : i + 1;
        int sl = in0[li] * 3 + in1[li], sr = in0[ri] * 3 + in1[ri];
        outptr[2 * i] = (JSAMPLE)((sc * 3 + sl + 8) >> 4);
        outptr[2 * i + 1] = (JSAMPLE)((sc * 3 + sr + 7) >> 4);
      }
    }
    inrow++;
  }
}
