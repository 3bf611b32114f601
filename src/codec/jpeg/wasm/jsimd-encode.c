/*
 * jsimd-encode.c (Thumbflare: wasm simd128 kernels for libjpeg-turbo's encoder)
 *
 * Copyright (C) 2020-2021, Arm Limited.  All Rights Reserved.
 * Copyright (C) 2009-2011, 2014-2016, 2018-2022, D. R. Commander.
 * Copyright (C) 1991-1996, 1998, 2009, 2011, 2014, Thomas G. Lane.
 * Copyright (C) 2015, 2018, Matthieu Darbois.
 * Copyright (C) 2023, Thumbflare contributors (the wasm simd128 port).
 *
 * Ported from libjpeg-turbo 2.1.5's Arm Neon intrinsics (simd/arm/jquanti-neon.c,
 * jccolext-neon.c, jcsample-neon.c, jfdctint-neon.c, aarch64/jchuff-neon.c) and
 * its C code (jcdctmgr.c, jccolor.c, jcsample.c, jfdctint.c, jchuff.c).
 * For conditions of distribution and use, see libjpeg-turbo's README.ijg and
 * LICENSE.md (IJG and BSD-style licences, the zlib licence for the Neon code).
 *
 * Every kernel here computes exactly what libjpeg-turbo's C code computes
 * (the same integer arithmetic, in lanes), so the encoder writes the same bytes
 * with or without them: tools' jpeghash and test/codec/jpeg/encode-simd.test.ts
 * (our encode vs sharp's, byte for byte) check that.
 *
 * jsimd.c answers 0 for every hook not defined here. Without -msimd128
 * (SIMD=0 builds) this file only supplies those hooks answering 0.
 *
 * Measured (Node, interleaved A/B against the C path, medians): a 3840x2880
 * q80 encode 230 -> 70 ms. Each kernel pays on its own (taking it out slows
 * the 1920x1440 encode by 5-80%). Tried and slower, so not here: the zig-zag
 * nonzero bitmap by swizzling the flag bytes (instead of gathering the
 * coefficients), the second quantiser multiply as i32x4.mul, and colour
 * conversion from shifts of the pixel instead of swizzles.
 */

#define JPEG_INTERNALS
#include "jinclude.h"
#include "jpeglib.h"
#include "jsimd.h"
#include "jdct.h"
#include "jsimddct.h"
#include <limits.h>

#ifdef __wasm_simd128__

#include <wasm_simd128.h>

#define ALIGN16  __attribute__((aligned(16)))

/* ---- Forward DCT support: sample conversion and quantisation (jcdctmgr.c) ---- */

GLOBAL(int)
jsimd_can_convsamp(void)
{
  return 1;
}

/* convsamp(): samples widened to 16 bits, minus CENTERJSAMPLE. */
GLOBAL(void)
jsimd_convsamp(JSAMPARRAY sample_data, JDIMENSION start_col,
               DCTELEM *workspace)
{
  const v128_t center = wasm_i16x8_splat(CENTERJSAMPLE);
  int r;

  for (r = 0; r < DCTSIZE; r++) {
    v128_t s = wasm_v128_load64_zero(sample_data[r] + start_col);
    wasm_v128_store(workspace + r * DCTSIZE,
                    wasm_i16x8_sub(wasm_u16x8_extend_low_u8x16(s), center));
  }
}

GLOBAL(int)
jsimd_can_quantize(void)
{
  return 1;
}

/* libjpeg-turbo's SIMD quantiser (jquanti-neon.c, and jcdctmgr.c's
 * compute_reciprocal for the table): |x| + correction, times the reciprocal
 * keeping the high 16 bits, times `scale` (2^(32-r)) keeping the high 16 bits,
 * which is the C quantize()'s ((|x| + corr) * recip) >> r; then the sign back.
 * jcdctmgr.c falls back to the C quantize() for a table where r <= 16 (scale
 * would not fit), as it does for every SIMD quantiser. wasm has no 16-bit
 * high-half multiply: extmul to 32 bits, shift, narrow. */
static inline v128_t mulhi_u16(v128_t a, v128_t b)
{
  v128_t lo = wasm_u32x4_shr(wasm_u32x4_extmul_low_u16x8(a, b), 16);
  v128_t hi = wasm_u32x4_shr(wasm_u32x4_extmul_high_u16x8(a, b), 16);
  return wasm_u16x8_narrow_i32x4(lo, hi);
}

GLOBAL(void)
jsimd_quantize(JCOEFPTR coef_block, DCTELEM *divisors, DCTELEM *workspace)
{
  const DCTELEM *recip = divisors;
  const DCTELEM *corr = divisors + DCTSIZE2;
  const DCTELEM *scale = divisors + DCTSIZE2 * 2;
  int i;

  for (i = 0; i < DCTSIZE2; i += 8) {
    v128_t x = wasm_v128_load(workspace + i);
    v128_t sign = wasm_i16x8_shr(x, 15);
    v128_t a = wasm_i16x8_add(wasm_i16x8_abs(x), wasm_v128_load(corr + i));
    a = mulhi_u16(a, wasm_v128_load(recip + i));
    a = mulhi_u16(a, wasm_v128_load(scale + i));
    wasm_v128_store(coef_block + i, wasm_i16x8_sub(wasm_v128_xor(a, sign), sign));
  }
}

/* ---- Colour conversion (jccolor.c) ---- */

GLOBAL(int)
jsimd_can_rgb_ycc(void)
{
  return 1;
}

/* jccolor.c's rgb_ycc_convert() with its table folded into arithmetic: the
 * table entries are FIX(c) * i (+ offsets), so the sums are the same. For
 * every input layout other than RGBX/RGBA (jsimd_can_rgb_ycc() cannot see
 * the colour space). */
static void rgb_ycc_scalar(j_compress_ptr cinfo, JSAMPARRAY input_buf,
                           JSAMPIMAGE output_buf, JDIMENSION output_row,
                           int num_rows)
{
  const int ro = rgb_red[cinfo->in_color_space];
  const int go = rgb_green[cinfo->in_color_space];
  const int bo = rgb_blue[cinfo->in_color_space];
  const int ps = rgb_pixelsize[cinfo->in_color_space];
  JDIMENSION col, num_cols = cinfo->image_width;

  while (--num_rows >= 0) {
    JSAMPROW inptr = *input_buf++;
    JSAMPROW y = output_buf[0][output_row];
    JSAMPROW cb = output_buf[1][output_row];
    JSAMPROW cr = output_buf[2][output_row];
    output_row++;
    for (col = 0; col < num_cols; col++, inptr += ps) {
      JLONG r = inptr[ro], g = inptr[go], b = inptr[bo];
      y[col] = (JSAMPLE)((19595 * r + 38470 * g + 7471 * b + 32768) >> 16);
      cb[col] = (JSAMPLE)((-11059 * r - 21709 * g + 32768 * b +
                           (128 << 16) + 32767) >> 16);
      cr[col] = (JSAMPLE)((32768 * r - 27439 * g - 5329 * b +
                           (128 << 16) + 32767) >> 16);
    }
  }
}

/* Four RGBX pixels (one per i32 lane) -> Y, Cb, Cr in i32 lanes. The 16-bit
 * dot product (pmaddwd) takes pairs of lanes: (R, B) with (G, G), (G, B) and
 * (G, R) re-arranged by swizzles, so that every constant fits in int16
 * (38470 G = 19235 G + 19235 G, 32768 B = 16384 B + 16384 B). */
#define Z 0x80
static inline void rgbx_ycc4(v128_t px, v128_t *y, v128_t *cb, v128_t *cr)
{
  const v128_t rb = wasm_v128_and(px, wasm_i32x4_splat(0x00FF00FF));
  const v128_t gg = wasm_i8x16_swizzle(px, wasm_i8x16_const(1, Z, 1, Z, 5, Z, 5, Z, 9, Z, 9, Z, 13, Z, 13, Z));
  const v128_t gb = wasm_i8x16_swizzle(px, wasm_i8x16_const(1, Z, 2, Z, 5, Z, 6, Z, 9, Z, 10, Z, 13, Z, 14, Z));
  const v128_t gr = wasm_i8x16_swizzle(px, wasm_i8x16_const(1, Z, 0, Z, 5, Z, 4, Z, 9, Z, 8, Z, 13, Z, 12, Z));
  const v128_t half = wasm_i32x4_splat(32768);
  const v128_t cbcr_off = wasm_i32x4_splat((128 << 16) + 32767);

  *y = wasm_i32x4_shr(wasm_i32x4_add(wasm_i32x4_add(
         wasm_i32x4_dot_i16x8(rb, wasm_i16x8_const(19595, 7471, 19595, 7471, 19595, 7471, 19595, 7471)),
         wasm_i32x4_dot_i16x8(gg, wasm_i16x8_splat(19235))), half), 16);
  *cb = wasm_i32x4_shr(wasm_i32x4_add(wasm_i32x4_add(
          wasm_i32x4_dot_i16x8(rb, wasm_i16x8_const(-11059, 16384, -11059, 16384, -11059, 16384, -11059, 16384)),
          wasm_i32x4_dot_i16x8(gb, wasm_i16x8_const(-21709, 16384, -21709, 16384, -21709, 16384, -21709, 16384))), cbcr_off), 16);
  *cr = wasm_i32x4_shr(wasm_i32x4_add(wasm_i32x4_add(
          wasm_i32x4_dot_i16x8(rb, wasm_i16x8_const(16384, -5329, 16384, -5329, 16384, -5329, 16384, -5329)),
          wasm_i32x4_dot_i16x8(gr, wasm_i16x8_const(-27439, 16384, -27439, 16384, -27439, 16384, -27439, 16384))), cbcr_off), 16);
}
#undef Z

/* 16 RGBX pixels -> 16 Y, Cb, Cr bytes (values are 0..255: no saturation). */
static inline void rgbx_ycc16(const JSAMPLE *in, JSAMPLE *y, JSAMPLE *cb, JSAMPLE *cr)
{
  v128_t y0, y1, y2, y3, b0, b1, b2, b3, r0, r1, r2, r3;
  rgbx_ycc4(wasm_v128_load(in), &y0, &b0, &r0);
  rgbx_ycc4(wasm_v128_load(in + 16), &y1, &b1, &r1);
  rgbx_ycc4(wasm_v128_load(in + 32), &y2, &b2, &r2);
  rgbx_ycc4(wasm_v128_load(in + 48), &y3, &b3, &r3);
  wasm_v128_store(y, wasm_u8x16_narrow_i16x8(wasm_i16x8_narrow_i32x4(y0, y1), wasm_i16x8_narrow_i32x4(y2, y3)));
  wasm_v128_store(cb, wasm_u8x16_narrow_i16x8(wasm_i16x8_narrow_i32x4(b0, b1), wasm_i16x8_narrow_i32x4(b2, b3)));
  wasm_v128_store(cr, wasm_u8x16_narrow_i16x8(wasm_i16x8_narrow_i32x4(r0, r1), wasm_i16x8_narrow_i32x4(r2, r3)));
}

GLOBAL(void)
jsimd_rgb_ycc_convert(j_compress_ptr cinfo, JSAMPARRAY input_buf,
                      JSAMPIMAGE output_buf, JDIMENSION output_row,
                      int num_rows)
{
  JDIMENSION width = cinfo->image_width;
  ALIGN16 JSAMPLE tmp[64];

  if (cinfo->in_color_space != JCS_EXT_RGBX &&
      cinfo->in_color_space != JCS_EXT_RGBA) {
    rgb_ycc_scalar(cinfo, input_buf, output_buf, output_row, num_rows);
    return;
  }
  while (--num_rows >= 0) {
    const JSAMPLE *in = *input_buf++;
    JSAMPROW y = output_buf[0][output_row];
    JSAMPROW cb = output_buf[1][output_row];
    JSAMPROW cr = output_buf[2][output_row];
    JDIMENSION col = 0;
    output_row++;
    for (; col + 16 <= width; col += 16)
      rgbx_ycc16(in + col * 4, y + col, cb + col, cr + col);
    if (col < width) {
      /* The last (width % 16) pixels through a scratch copy, so the loads
       * stay inside the row; the stores may run up to 15 samples past the
       * image width, which jmemmgr's alloc_sarray leaves room for (rows are
       * rounded up to 2 * ALIGN_SIZE samples), as the Neon code relies on. */
      memcpy(tmp, in + col * 4, (width - col) * 4);
      rgbx_ycc16(tmp, y + col, cb + col, cr + col);
    }
  }
}

/* ---- Downsampling (jcsample.c) ---- */

GLOBAL(int)
jsimd_can_h2v2_downsample(void)
{
  return 1;
}

GLOBAL(int)
jsimd_can_h2v1_downsample(void)
{
  return 1;
}

/* Swizzle masks repeating the last real pixel over the padding of the last
 * input block (jcsample-neon.c's expand masks): row `pad` keeps pixels
 * 0..15-pad and repeats pixel 15-pad. jcsample.c's C code writes that
 * padding into the input rows instead (expand_right_edge); same samples. */
static v128_t expand_mask(int pad)
{
  ALIGN16 uint8_t m[16];
  int i;
  for (i = 0; i < 16; i++) m[i] = (uint8_t)(i < 16 - pad ? i : 15 - pad);
  return wasm_v128_load(m);
}

/* (a0 + a1 + b0 + b1 + bias) >> 2 per output, bias 1, 2, 1, 2, ... */
static inline v128_t h2v2_8(v128_t a, v128_t b)
{
  v128_t s = wasm_i16x8_add(wasm_u16x8_extadd_pairwise_u8x16(a),
                            wasm_u16x8_extadd_pairwise_u8x16(b));
  return wasm_u16x8_shr(wasm_i16x8_add(s, wasm_i32x4_splat(0x00020001)), 2);
}

GLOBAL(void)
jsimd_h2v2_downsample(j_compress_ptr cinfo, jpeg_component_info *compptr,
                      JSAMPARRAY input_data, JSAMPARRAY output_data)
{
  const JDIMENSION blocks = compptr->width_in_blocks;
  const v128_t mask = expand_mask((int)(blocks * 2 * DCTSIZE - cinfo->image_width));
  int outrow;

  for (outrow = 0; outrow < compptr->v_samp_factor; outrow++) {
    const JSAMPLE *in0 = input_data[outrow * 2];
    const JSAMPLE *in1 = input_data[outrow * 2 + 1];
    JSAMPROW out = output_data[outrow];
    JDIMENSION i = 0;
    for (; i + 2 < blocks; i += 2) {
      v128_t lo = h2v2_8(wasm_v128_load(in0 + i * 16), wasm_v128_load(in1 + i * 16));
      v128_t hi = h2v2_8(wasm_v128_load(in0 + i * 16 + 16), wasm_v128_load(in1 + i * 16 + 16));
      wasm_v128_store(out + i * 8, wasm_u8x16_narrow_i16x8(lo, hi));
    }
    for (; i + 1 < blocks; i++) {
      v128_t s = h2v2_8(wasm_v128_load(in0 + i * 16), wasm_v128_load(in1 + i * 16));
      wasm_v128_store64_lane(out + i * 8, wasm_u8x16_narrow_i16x8(s, s), 0);
    }
    {
      v128_t s = h2v2_8(wasm_i8x16_swizzle(wasm_v128_load(in0 + i * 16), mask),
                        wasm_i8x16_swizzle(wasm_v128_load(in1 + i * 16), mask));
      wasm_v128_store64_lane(out + i * 8, wasm_u8x16_narrow_i16x8(s, s), 0);
    }
  }
}

/* (a0 + a1 + bias) >> 1 per output, bias 0, 1, 0, 1, ... */
static inline v128_t h2v1_8(v128_t a)
{
  return wasm_u16x8_shr(wasm_i16x8_add(wasm_u16x8_extadd_pairwise_u8x16(a),
                                       wasm_i32x4_splat(0x00010000)), 1);
}

GLOBAL(void)
jsimd_h2v1_downsample(j_compress_ptr cinfo, jpeg_component_info *compptr,
                      JSAMPARRAY input_data, JSAMPARRAY output_data)
{
  const JDIMENSION blocks = compptr->width_in_blocks;
  const v128_t mask = expand_mask((int)(blocks * 2 * DCTSIZE - cinfo->image_width));
  int outrow;

  for (outrow = 0; outrow < compptr->v_samp_factor; outrow++) {
    const JSAMPLE *in = input_data[outrow];
    JSAMPROW out = output_data[outrow];
    JDIMENSION i = 0;
    for (; i + 2 < blocks; i += 2) {
      v128_t lo = h2v1_8(wasm_v128_load(in + i * 16));
      v128_t hi = h2v1_8(wasm_v128_load(in + i * 16 + 16));
      wasm_v128_store(out + i * 8, wasm_u8x16_narrow_i16x8(lo, hi));
    }
    for (; i + 1 < blocks; i++) {
      v128_t s = h2v1_8(wasm_v128_load(in + i * 16));
      wasm_v128_store64_lane(out + i * 8, wasm_u8x16_narrow_i16x8(s, s), 0);
    }
    {
      v128_t s = h2v1_8(wasm_i8x16_swizzle(wasm_v128_load(in + i * 16), mask));
      wasm_v128_store64_lane(out + i * 8, wasm_u8x16_narrow_i16x8(s, s), 0);
    }
  }
}

/* ---- Forward DCT, accurate integer (jfdctint.c, jfdctint-neon.c) ---- */

GLOBAL(int)
jsimd_can_fdct_islow(void)
{
  return 1;
}

#include "jsimd-islow.h"
#define DESCALE_P1  (CONST_BITS - PASS1_BITS)
#define DESCALE_P2  (CONST_BITS + PASS1_BITS)

/* 32-bit results for the low and high four lanes of an i16x8. */
typedef struct { v128_t l, h; } w32;

/* The lanes of a and b interleaved (a0 b0 a1 b1 ...), for dot products. */
typedef struct { v128_t l, h; } pair16;

static inline pair16 interleave(v128_t a, v128_t b)
{
  pair16 r = { wasm_i16x8_shuffle(a, b, 0, 8, 1, 9, 2, 10, 3, 11),
               wasm_i16x8_shuffle(a, b, 4, 12, 5, 13, 6, 14, 7, 15) };
  return r;
}

/* ca * a + cb * b in 32 bits per lane (one pmaddwd per half). */
static inline w32 dot2(pair16 p, int16_t ca, int16_t cb)
{
  const v128_t c = wasm_i16x8_make(ca, cb, ca, cb, ca, cb, ca, cb);
  w32 r = { wasm_i32x4_dot_i16x8(p.l, c), wasm_i32x4_dot_i16x8(p.h, c) };
  return r;
}

static inline w32 add_w(w32 a, w32 b)
{
  w32 r = { wasm_i32x4_add(a.l, b.l), wasm_i32x4_add(a.h, b.h) };
  return r;
}

/* DESCALE(x, n) (round half up, arithmetic shift), narrowed to 16 bits. */
static inline v128_t descale(w32 a, int n)
{
  const v128_t round = wasm_i32x4_splat(1 << (n - 1));
  return wasm_i16x8_narrow_i32x4(wasm_i32x4_shr(wasm_i32x4_add(a.l, round), n),
                                 wasm_i32x4_shr(wasm_i32x4_add(a.h, round), n));
}

static inline void transpose8(v128_t *v)
{
  v128_t a0 = wasm_i16x8_shuffle(v[0], v[1], 0, 8, 1, 9, 2, 10, 3, 11);
  v128_t a1 = wasm_i16x8_shuffle(v[0], v[1], 4, 12, 5, 13, 6, 14, 7, 15);
  v128_t a2 = wasm_i16x8_shuffle(v[2], v[3], 0, 8, 1, 9, 2, 10, 3, 11);
  v128_t a3 = wasm_i16x8_shuffle(v[2], v[3], 4, 12, 5, 13, 6, 14, 7, 15);
  v128_t a4 = wasm_i16x8_shuffle(v[4], v[5], 0, 8, 1, 9, 2, 10, 3, 11);
  v128_t a5 = wasm_i16x8_shuffle(v[4], v[5], 4, 12, 5, 13, 6, 14, 7, 15);
  v128_t a6 = wasm_i16x8_shuffle(v[6], v[7], 0, 8, 1, 9, 2, 10, 3, 11);
  v128_t a7 = wasm_i16x8_shuffle(v[6], v[7], 4, 12, 5, 13, 6, 14, 7, 15);
  v128_t b0 = wasm_i32x4_shuffle(a0, a2, 0, 4, 1, 5);
  v128_t b1 = wasm_i32x4_shuffle(a0, a2, 2, 6, 3, 7);
  v128_t b2 = wasm_i32x4_shuffle(a1, a3, 0, 4, 1, 5);
  v128_t b3 = wasm_i32x4_shuffle(a1, a3, 2, 6, 3, 7);
  v128_t b4 = wasm_i32x4_shuffle(a4, a6, 0, 4, 1, 5);
  v128_t b5 = wasm_i32x4_shuffle(a4, a6, 2, 6, 3, 7);
  v128_t b6 = wasm_i32x4_shuffle(a5, a7, 0, 4, 1, 5);
  v128_t b7 = wasm_i32x4_shuffle(a5, a7, 2, 6, 3, 7);
  v[0] = wasm_i64x2_shuffle(b0, b4, 0, 2);
  v[1] = wasm_i64x2_shuffle(b0, b4, 1, 3);
  v[2] = wasm_i64x2_shuffle(b1, b5, 0, 2);
  v[3] = wasm_i64x2_shuffle(b1, b5, 1, 3);
  v[4] = wasm_i64x2_shuffle(b2, b6, 0, 2);
  v[5] = wasm_i64x2_shuffle(b2, b6, 1, 3);
  v[6] = wasm_i64x2_shuffle(b3, b7, 0, 2);
  v[7] = wasm_i64x2_shuffle(b3, b7, 1, 3);
}

/* One pass of jpeg_fdct_islow() over eight lines at once (lane j of v[k] is
 * element k of line j). Pass 1 scales the even outputs up by PASS1_BITS,
 * pass 2 rounds them down; the rotations descale by DESCALE_P1 or _P2.
 * Each rotation is one 16-bit dot product of two interleaved inputs, with
 * jfdctint.c's products regrouped (as libjpeg-turbo's SSE2 FDCT does): e.g.
 * z1 + tmp13 * FIX(0.765) = tmp12 * FIX(0.541) + tmp13 * (FIX(0.541) +
 * FIX(0.765)); the same integer sums, so the same output. */
static inline void fdct_pass(v128_t *v, int pass)
{
  const int shift = pass == 1 ? DESCALE_P1 : DESCALE_P2;
  v128_t tmp0 = wasm_i16x8_add(v[0], v[7]);
  v128_t tmp7 = wasm_i16x8_sub(v[0], v[7]);
  v128_t tmp1 = wasm_i16x8_add(v[1], v[6]);
  v128_t tmp6 = wasm_i16x8_sub(v[1], v[6]);
  v128_t tmp2 = wasm_i16x8_add(v[2], v[5]);
  v128_t tmp5 = wasm_i16x8_sub(v[2], v[5]);
  v128_t tmp3 = wasm_i16x8_add(v[3], v[4]);
  v128_t tmp4 = wasm_i16x8_sub(v[3], v[4]);

  /* Even part */
  v128_t tmp10 = wasm_i16x8_add(tmp0, tmp3);
  v128_t tmp13 = wasm_i16x8_sub(tmp0, tmp3);
  v128_t tmp11 = wasm_i16x8_add(tmp1, tmp2);
  v128_t tmp12 = wasm_i16x8_sub(tmp1, tmp2);
  if (pass == 1) {
    v[0] = wasm_i16x8_shl(wasm_i16x8_add(tmp10, tmp11), PASS1_BITS);
    v[4] = wasm_i16x8_shl(wasm_i16x8_sub(tmp10, tmp11), PASS1_BITS);
  } else {
    const v128_t round = wasm_i16x8_splat(1 << (PASS1_BITS - 1));
    v[0] = wasm_i16x8_shr(wasm_i16x8_add(wasm_i16x8_add(tmp10, tmp11), round), PASS1_BITS);
    v[4] = wasm_i16x8_shr(wasm_i16x8_add(wasm_i16x8_sub(tmp10, tmp11), round), PASS1_BITS);
  }
  /* z1 = (tmp12 + tmp13) * FIX(0.541); out2 = z1 + tmp13 * FIX(0.765);
   * out6 = z1 - tmp12 * FIX(1.847) */
  pair16 t1213 = interleave(tmp12, tmp13);
  v[2] = descale(dot2(t1213, F_0_541, F_0_541 + F_0_765), shift);
  v[6] = descale(dot2(t1213, F_0_541 - F_1_847, F_0_541), shift);

  /* Odd part: z1 = tmp4 + tmp7, z2 = tmp5 + tmp6, z3 = tmp4 + tmp6,
   * z4 = tmp5 + tmp7, z5 = (z3 + z4) * FIX(1.175);
   * z3' = z5 - z3 * FIX(1.961), z4' = z5 - z4 * FIX(0.390);
   * out7 = tmp4 * FIX(0.298) - z1 * FIX(0.899) + z3'
   * out5 = tmp5 * FIX(2.053) - z2 * FIX(2.562) + z4'
   * out3 = tmp6 * FIX(3.072) - z2 * FIX(2.562) + z3'
   * out1 = tmp7 * FIX(1.501) - z1 * FIX(0.899) + z4' */
  pair16 z34 = interleave(wasm_i16x8_add(tmp4, tmp6), wasm_i16x8_add(tmp5, tmp7));
  w32 z3 = dot2(z34, F_1_175 - F_1_961, F_1_175);
  w32 z4 = dot2(z34, F_1_175, F_1_175 - F_0_390);
  pair16 t47 = interleave(tmp4, tmp7);
  pair16 t56 = interleave(tmp5, tmp6);
  v[7] = descale(add_w(dot2(t47, F_0_298 - F_0_899, -F_0_899), z3), shift);
  v[1] = descale(add_w(dot2(t47, -F_0_899, F_1_501 - F_0_899), z4), shift);
  v[5] = descale(add_w(dot2(t56, F_2_053 - F_2_562, -F_2_562), z4), shift);
  v[3] = descale(add_w(dot2(t56, -F_2_562, F_3_072 - F_2_562), z3), shift);
}

GLOBAL(void)
jsimd_fdct_islow(DCTELEM *data)
{
  v128_t v[8];
  int i;

  for (i = 0; i < 8; i++) v[i] = wasm_v128_load(data + i * DCTSIZE);
  transpose8(v);          /* v[k] = column k of every row */
  fdct_pass(v, 1);        /* rows */
  transpose8(v);          /* v[k] = row k of every column */
  fdct_pass(v, 2);        /* columns */
  for (i = 0; i < 8; i++) wasm_v128_store(data + i * DCTSIZE, v[i]);
}

/* ---- Huffman coding (jchuff.c, aarch64/jchuff-neon.c) ---- */

/* jchuff.c's working state, as wasm32.patch configures it (64-bit bit buffer
 * for both the C and the SIMD paths, free_bits counting free bits). */
typedef struct {
  union {
    unsigned long long c;
    unsigned long long simd;
  } put_buffer;
  int free_bits;
  int last_dc_val[MAX_COMPS_IN_SCAN];
} savable_state;

typedef struct {
  JOCTET *next_output_byte;
  size_t free_in_buffer;
  savable_state cur;
  j_compress_ptr cinfo;
  int simd;
} working_state;

/* jchuff.c's bit output macros for a 64-bit buffer. */
#define BIT_BUF_SIZE  64

#define EMIT_BYTE(b) { \
  buffer[0] = (JOCTET)(b); \
  buffer[1] = 0; \
  buffer -= -2 + ((JOCTET)(b) < 0xFF); \
}

#define FLUSH() { \
  if (put_buffer & 0x8080808080808080 & ~(put_buffer + 0x0101010101010101)) { \
    EMIT_BYTE(put_buffer >> 56) \
    EMIT_BYTE(put_buffer >> 48) \
    EMIT_BYTE(put_buffer >> 40) \
    EMIT_BYTE(put_buffer >> 32) \
    EMIT_BYTE(put_buffer >> 24) \
    EMIT_BYTE(put_buffer >> 16) \
    EMIT_BYTE(put_buffer >>  8) \
    EMIT_BYTE(put_buffer      ) \
  } else { \
    unsigned long long be = __builtin_bswap64(put_buffer); \
    memcpy(buffer, &be, 8); \
    buffer += 8; \
  } \
}

#define PUT_AND_FLUSH(code, size) { \
  put_buffer = (put_buffer << (size + free_bits)) | (code >> -free_bits); \
  FLUSH() \
  free_bits += BIT_BUF_SIZE; \
  put_buffer = code; \
}

#define PUT_BITS(code, size) { \
  free_bits -= size; \
  if (free_bits < 0) \
    PUT_AND_FLUSH(code, size) \
  else \
    put_buffer = (put_buffer << size) | code; \
}

#define PUT_CODE(code, size) { \
  temp &= (((JLONG)1) << nbits) - 1; \
  temp |= code << nbits; \
  nbits += size; \
  PUT_BITS(temp, nbits) \
}

/* The block in zig-zag order (zz[k] = block[jpeg_natural_order[k]]) and a
 * bitmap of its nonzero coefficients (bit k set when zz[k] != 0), so the
 * coders visit only the nonzero coefficients (ctz) instead of testing all 63
 * AC positions. The gather itself is scalar (lane inserts): wasm has no
 * 4-register table lookup like the Neon code's vqtbl4q. */
static inline unsigned long long zigzag_bitmap(const JCOEF *block, JCOEF *zz)
{
#define ROW(a, b, c, d, e, f, g, h) \
  wasm_i16x8_make(block[a], block[b], block[c], block[d], block[e], block[f], block[g], block[h])
  const v128_t r0 = ROW(0, 1, 8, 16, 9, 2, 3, 10);
  const v128_t r1 = ROW(17, 24, 32, 25, 18, 11, 4, 5);
  const v128_t r2 = ROW(12, 19, 26, 33, 40, 48, 41, 34);
  const v128_t r3 = ROW(27, 20, 13, 6, 7, 14, 21, 28);
  const v128_t r4 = ROW(35, 42, 49, 56, 57, 50, 43, 36);
  const v128_t r5 = ROW(29, 22, 15, 23, 30, 37, 44, 51);
  const v128_t r6 = ROW(58, 59, 52, 45, 38, 31, 39, 46);
  const v128_t r7 = ROW(53, 60, 61, 54, 47, 55, 62, 63);
#undef ROW
  const v128_t zero = wasm_i16x8_splat(0);
  wasm_v128_store(zz + 0, r0);
  wasm_v128_store(zz + 8, r1);
  wasm_v128_store(zz + 16, r2);
  wasm_v128_store(zz + 24, r3);
  wasm_v128_store(zz + 32, r4);
  wasm_v128_store(zz + 40, r5);
  wasm_v128_store(zz + 48, r6);
  wasm_v128_store(zz + 56, r7);
  unsigned long long m01 = wasm_i8x16_bitmask(wasm_i8x16_narrow_i16x8(wasm_i16x8_ne(r0, zero), wasm_i16x8_ne(r1, zero)));
  unsigned long long m23 = wasm_i8x16_bitmask(wasm_i8x16_narrow_i16x8(wasm_i16x8_ne(r2, zero), wasm_i16x8_ne(r3, zero)));
  unsigned long long m45 = wasm_i8x16_bitmask(wasm_i8x16_narrow_i16x8(wasm_i16x8_ne(r4, zero), wasm_i16x8_ne(r5, zero)));
  unsigned long long m67 = wasm_i8x16_bitmask(wasm_i8x16_narrow_i16x8(wasm_i16x8_ne(r6, zero), wasm_i16x8_ne(r7, zero)));
  return m01 | (m23 << 16) | (m45 << 32) | (m67 << 48);
}

GLOBAL(int)
jsimd_can_huff_encode_one_block(void)
{
  return 1;
}

/* jchuff.c's encode_one_block(), visiting only the nonzero AC coefficients. */
GLOBAL(JOCTET *)
jsimd_huff_encode_one_block(void *state, JOCTET *buffer, JCOEFPTR block,
                            int last_dc_val, c_derived_tbl *dctbl,
                            c_derived_tbl *actbl)
{
  working_state *st = (working_state *)state;
  ALIGN16 JCOEF zz[DCTSIZE2];
  unsigned long long bitmap = zigzag_bitmap(block, zz) & ~1ULL;
  int free_bits = st->cur.free_bits;
  unsigned long long put_buffer = st->cur.put_buffer.simd;
  int temp, nbits, last = 0;

  /* DC difference (F.1.2.1) */
  temp = block[0] - last_dc_val;
  nbits = temp >> (CHAR_BIT * sizeof(int) - 1);
  temp += nbits;
  nbits ^= temp;
  nbits = nbits ? 32 - __builtin_clz(nbits) : 0;
  PUT_CODE(dctbl->ehufco[nbits], dctbl->ehufsi[nbits])

  /* AC coefficients (F.1.2.2) */
  while (bitmap) {
    int k = __builtin_ctzll(bitmap);
    int r = k - last - 1;
    bitmap &= bitmap - 1;
    last = k;
    temp = zz[k];
    nbits = temp >> (CHAR_BIT * sizeof(int) - 1);
    temp += nbits;
    nbits ^= temp;
    nbits = 32 - __builtin_clz(nbits);
    while (r > 15) {
      PUT_BITS(actbl->ehufco[0xf0], actbl->ehufsi[0xf0])
      r -= 16;
    }
    r = (r << 4) + nbits;
    PUT_CODE(actbl->ehufco[r], actbl->ehufsi[r])
  }
  if (last != DCTSIZE2 - 1)
    PUT_BITS(actbl->ehufco[0], actbl->ehufsi[0])

  st->cur.put_buffer.simd = put_buffer;
  st->cur.free_bits = free_bits;
  return buffer;
}

/* jchuff.c's htest_one_block() (the optimised-table statistics pass), the
 * same counts from the nonzero coefficients only. wasm32.patch calls this
 * first; it answers 0 on an out-of-range coefficient, and the C code then runs
 * and raises JERR_BAD_DCT_COEF (the counts no longer matter: that is fatal). */
GLOBAL(int)
jsimd_huff_htest_one_block(JCOEFPTR block, int last_dc_val, long dc_counts[],
                           long ac_counts[])
{
  ALIGN16 JCOEF zz[DCTSIZE2];
  unsigned long long bitmap = zigzag_bitmap(block, zz) & ~1ULL;
  int temp, nbits, last = 0;

  temp = block[0] - last_dc_val;
  if (temp < 0) temp = -temp;
  nbits = temp ? 32 - __builtin_clz(temp) : 0;
  if (nbits > MAX_COEF_BITS + 1) return 0;
  dc_counts[nbits]++;

  while (bitmap) {
    int k = __builtin_ctzll(bitmap);
    int r = k - last - 1;
    bitmap &= bitmap - 1;
    last = k;
    temp = zz[k];
    if (temp < 0) temp = -temp;
    nbits = 32 - __builtin_clz(temp);
    if (nbits > MAX_COEF_BITS) return 0;
    while (r > 15) {
      ac_counts[0xF0]++;
      r -= 16;
    }
    ac_counts[(r << 4) + nbits]++;
  }
  if (last != DCTSIZE2 - 1)
    ac_counts[0]++;
  return 1;
}

#else /* !__wasm_simd128__: the hooks answer 0, libjpeg-turbo takes its C path */

GLOBAL(int) jsimd_can_convsamp(void) { return 0; }
GLOBAL(void) jsimd_convsamp(JSAMPARRAY sample_data, JDIMENSION start_col, DCTELEM *workspace) {}
GLOBAL(int) jsimd_can_quantize(void) { return 0; }
GLOBAL(void) jsimd_quantize(JCOEFPTR coef_block, DCTELEM *divisors, DCTELEM *workspace) {}
GLOBAL(int) jsimd_can_rgb_ycc(void) { return 0; }
GLOBAL(void) jsimd_rgb_ycc_convert(j_compress_ptr cinfo, JSAMPARRAY input_buf, JSAMPIMAGE output_buf,
                                   JDIMENSION output_row, int num_rows) {}
GLOBAL(int) jsimd_can_h2v2_downsample(void) { return 0; }
GLOBAL(int) jsimd_can_h2v1_downsample(void) { return 0; }
GLOBAL(void) jsimd_h2v2_downsample(j_compress_ptr cinfo, jpeg_component_info *compptr,
                                   JSAMPARRAY input_data, JSAMPARRAY output_data) {}
GLOBAL(void) jsimd_h2v1_downsample(j_compress_ptr cinfo, jpeg_component_info *compptr,
                                   JSAMPARRAY input_data, JSAMPARRAY output_data) {}
GLOBAL(int) jsimd_can_fdct_islow(void) { return 0; }
GLOBAL(void) jsimd_fdct_islow(DCTELEM *data) {}
GLOBAL(int) jsimd_can_huff_encode_one_block(void) { return 0; }
GLOBAL(JOCTET *) jsimd_huff_encode_one_block(void *state, JOCTET *buffer, JCOEFPTR block, int last_dc_val,
                                             c_derived_tbl *dctbl, c_derived_tbl *actbl) { return NULL; }
GLOBAL(int) jsimd_huff_htest_one_block(JCOEFPTR block, int last_dc_val, long dc_counts[], long ac_counts[]) { return 0; }

#endif
