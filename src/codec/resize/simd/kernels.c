/*
 * SIMD (wasm simd128) kernels for the separable resamplers of codec/resize/resize
 * (the box pre-shrink) and codec/resize/resample-js (Lanczos3), driven row by row
 * from codec/resize/simd/resample-simd.ts. Freestanding C: no libc, no allocator;
 * the caller lays out every buffer in linear memory above __heap_base.
 *
 * Two paths. Premultiplied (rows with alpha): one RGBA pixel is one f32x4
 * vector, SIMD across the four channels and, where rows are contiguous
 * (convert, the vertical taps), across pixels too; float32 arithmetic. Opaque
 * rows: fixed point (hfilter_fixed, vfilter_fixed), two taps per multiply-add. The scalar JS kernels they replace are the
 * reference (test/codec/resize/simd.test.ts: within 1 LSB on random inputs).
 *
 * Build: scripts/build-simd.sh resize (clang 14, --target=wasm32 -msimd128 -O3).
 */
#include <stdint.h>
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(#name)))

/*
 * u32 lanes holding 0..65535 to f32, exactly: the integer as the mantissa of
 * 2^23 (bits 0x4B000000 | x), minus 2^23. Two vector ops; clang 14 turns
 * f32x4_convert_i32x4 of a zero-extended value into four scalar conversions.
 */
static inline v128_t small_u32_to_f32(v128_t v) {
  const v128_t magic = wasm_i32x4_splat(0x4B000000);
  return wasm_f32x4_sub(wasm_v128_or(v, magic), magic);
}

/* One RGBA8 pixel widened to f32x4. */
static inline v128_t load_px(const uint8_t *p) {
  v128_t v = wasm_v128_load32_zero(p);
  v = wasm_u16x8_extend_low_u8x16(v);
  v = wasm_u32x4_extend_low_u16x8(v);
  return small_u32_to_f32(v);
}

/*
 * A row of n RGBA8 pixels to f32 RGBA. Premultiplied: (r*a, g*a, b*a, a), so
 * a filter's colour sums are sum(w*a*c) and its alpha sum is sum(w*a); the
 * colour is recovered as their ratio in `emit_px`. (Scaling by a rather than
 * a/255 keeps every product an exact integer in f32.)
 */
EXPORT(convert_row)
void convert_row(const uint8_t *src, int n, int premultiply, float *dst) {
  if (premultiply) {
    const v128_t one_lane3 = wasm_f32x4_make(0, 0, 0, 1);
    const v128_t keep_rgb = wasm_i32x4_make(-1, -1, -1, 0);
    /* (r, g, b, 1) * a */
#define PREMUL(px) wasm_f32x4_mul(wasm_v128_or(wasm_v128_and(px, keep_rgb), one_lane3), wasm_i32x4_shuffle(px, px, 3, 3, 3, 3))
    int i = 0;
    for (; i + 4 <= n; i += 4) {
      /* 4 pixels (16 bytes) at a time, widened as the straight branch below */
      v128_t b = wasm_v128_load(src + 4 * i);
      v128_t lo = wasm_u16x8_extend_low_u8x16(b), hi = wasm_u16x8_extend_high_u8x16(b);
      v128_t p0 = small_u32_to_f32(wasm_u32x4_extend_low_u16x8(lo));
      v128_t p1 = small_u32_to_f32(wasm_u32x4_extend_high_u16x8(lo));
      v128_t p2 = small_u32_to_f32(wasm_u32x4_extend_low_u16x8(hi));
      v128_t p3 = small_u32_to_f32(wasm_u32x4_extend_high_u16x8(hi));
      wasm_v128_store(dst + 4 * i, PREMUL(p0));
      wasm_v128_store(dst + 4 * i + 4, PREMUL(p1));
      wasm_v128_store(dst + 4 * i + 8, PREMUL(p2));
      wasm_v128_store(dst + 4 * i + 12, PREMUL(p3));
    }
    for (; i < n; i++) {
      v128_t px = load_px(src + 4 * i);
      wasm_v128_store(dst + 4 * i, PREMUL(px));
    }
#undef PREMUL
  } else {
    int i = 0;
    for (; i + 4 <= n; i += 4) {
      /* 4 pixels (16 bytes) at a time: widen u8 -> u16 -> u32 -> f32 */
      v128_t b = wasm_v128_load(src + 4 * i);
      v128_t lo = wasm_u16x8_extend_low_u8x16(b), hi = wasm_u16x8_extend_high_u8x16(b);
      wasm_v128_store(dst + 4 * i, small_u32_to_f32(wasm_u32x4_extend_low_u16x8(lo)));
      wasm_v128_store(dst + 4 * i + 4, small_u32_to_f32(wasm_u32x4_extend_high_u16x8(lo)));
      wasm_v128_store(dst + 4 * i + 8, small_u32_to_f32(wasm_u32x4_extend_low_u16x8(hi)));
      wasm_v128_store(dst + 4 * i + 12, small_u32_to_f32(wasm_u32x4_extend_high_u16x8(hi)));
    }
    for (; i < n; i++) wasm_v128_store(dst + 4 * i, load_px(src + 4 * i));
  }
}

/*
 * Horizontal filter of one converted row: output pixel o sums count[o] taps
 * from source pixel start[o], with weights[o * stride + k].
 */
EXPORT(filter_row)
void filter_row(const float *row, int n_out, const int32_t *start, const int32_t *count,
                const float *weights, int stride, float *line) {
  for (int o = 0; o < n_out; o++) {
    const float *p = row + 4 * start[o];
    const float *w = weights + o * stride;
    v128_t acc0 = wasm_f32x4_splat(0), acc1 = wasm_f32x4_splat(0);
    int n = count[o], k = 0;
    /* two accumulators: the adds of consecutive taps do not wait on each other */
    for (; k + 2 <= n; k += 2) {
      acc0 = wasm_f32x4_add(acc0, wasm_f32x4_mul(wasm_v128_load(p + 4 * k), wasm_f32x4_splat(w[k])));
      acc1 = wasm_f32x4_add(acc1, wasm_f32x4_mul(wasm_v128_load(p + 4 * k + 4), wasm_f32x4_splat(w[k + 1])));
    }
    if (k < n) acc0 = wasm_f32x4_add(acc0, wasm_f32x4_mul(wasm_v128_load(p + 4 * k), wasm_f32x4_splat(w[k])));
    wasm_v128_store(line + 4 * o, wasm_f32x4_add(acc0, acc1));
  }
}

/* Round half up and clamp to 0..255, as the JS kernels' clampByte (Math.round). */
static inline v128_t to_byte_range(v128_t v) {
  v = wasm_f32x4_floor(wasm_f32x4_add(v, wasm_f32x4_splat(0.5f)));
  return wasm_f32x4_pmin(wasm_f32x4_splat(255.0f), wasm_f32x4_pmax(wasm_f32x4_splat(0.0f), v));
}

/*
 * One accumulated f32 RGBA pixel to RGBA8. Straight colour: every channel
 * times scale. Premultiplied: colour = sum(w*a*c) / sum(w*a) (0 where that
 * alpha sum is not positive: nothing visible there), alpha = sum(w*a) * scale.
 */
static inline v128_t emit_px(v128_t v, int premultiply, v128_t s, float scale) {
  if (premultiply) {
    float a = wasm_f32x4_extract_lane(v, 3);
    v128_t colour = a > 0 ? wasm_f32x4_div(v, wasm_f32x4_splat(a)) : wasm_f32x4_splat(0);
    v = wasm_f32x4_replace_lane(colour, 3, a * scale);
  } else {
    v = wasm_f32x4_mul(v, s);
  }
  v128_t b = wasm_i32x4_trunc_sat_f32x4(to_byte_range(v));
  b = wasm_u16x8_narrow_i32x4(b, b);
  return wasm_u8x16_narrow_i16x8(b, b);
}

/*
 * Vertical taps of the float path: output row = sum over taps t of w[t] *
 * rows[t] (filtered f32 RGBA lines), summed in registers four pixels at a time
 * (not read and written back per tap), then emitted to RGBA8 by emit_px.
 */
EXPORT(vfilter_float)
void vfilter_float(const int32_t *rows, const float *w, int taps, int n, int premultiply, float scale, uint8_t *out) {
  const v128_t s = wasm_f32x4_splat(scale);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    v128_t a0 = wasm_f32x4_splat(0), a1 = a0, a2 = a0, a3 = a0;
    for (int t = 0; t < taps; t++) {
      const float *r = (const float *)rows[t] + 4 * i;
      const v128_t wt = wasm_f32x4_splat(w[t]);
      a0 = wasm_f32x4_add(a0, wasm_f32x4_mul(wasm_v128_load(r), wt));
      a1 = wasm_f32x4_add(a1, wasm_f32x4_mul(wasm_v128_load(r + 4), wt));
      a2 = wasm_f32x4_add(a2, wasm_f32x4_mul(wasm_v128_load(r + 8), wt));
      a3 = wasm_f32x4_add(a3, wasm_f32x4_mul(wasm_v128_load(r + 12), wt));
    }
    wasm_v128_store32_lane(out + 4 * i, emit_px(a0, premultiply, s, scale), 0);
    wasm_v128_store32_lane(out + 4 * i + 4, emit_px(a1, premultiply, s, scale), 0);
    wasm_v128_store32_lane(out + 4 * i + 8, emit_px(a2, premultiply, s, scale), 0);
    wasm_v128_store32_lane(out + 4 * i + 12, emit_px(a3, premultiply, s, scale), 0);
  }
  for (; i < n; i++) {
    v128_t a = wasm_f32x4_splat(0);
    for (int t = 0; t < taps; t++) {
      a = wasm_f32x4_add(a, wasm_f32x4_mul(wasm_v128_load((const float *)rows[t] + 4 * i), wasm_f32x4_splat(w[t])));
    }
    wasm_v128_store32_lane(out + 4 * i, emit_px(a, premultiply, s, scale), 0);
  }
}

/* 1 when any of n RGBA8 pixels has alpha below 255, else 0. */
EXPORT(any_transparent)
int any_transparent(const uint8_t *px, int n) {
  const v128_t alpha = wasm_i32x4_splat((int32_t)0xff000000);
  int i = 0;
  for (; i + 16 <= n; i += 16) {
    v128_t a = wasm_v128_and(wasm_v128_load(px + 4 * i), alpha);
    v128_t b = wasm_v128_and(wasm_v128_load(px + 4 * i + 16), alpha);
    v128_t c = wasm_v128_and(wasm_v128_load(px + 4 * i + 32), alpha);
    v128_t d = wasm_v128_and(wasm_v128_load(px + 4 * i + 48), alpha);
    v128_t all = wasm_v128_and(wasm_v128_and(a, b), wasm_v128_and(c, d));
    if (!wasm_i32x4_all_true(wasm_i32x4_eq(all, alpha))) return 1;
  }
  for (; i < n; i++) if (px[4 * i + 3] != 255) return 1;
  return 0;
}

/*
 * Fixed-point path for opaque (straight-colour) rows, the approach of libvips'
 * reduceh/reducev "vector path" and Pillow-SIMD's resample: integer
 * coefficients (each output's taps sum to exactly 1 << bits, bits chosen per
 * axis by the caller: 14 to 20 horizontally, 14 or 15 vertically) and the
 * 16-bit multiply-add (i32x4.dot_i16x8_s) on two taps at once, four channels
 * per dot. The horizontal pass keeps FRAC_BITS of sub-LSB precision in i16
 * (values up to 512 with Lanczos3 over- and undershoot: 16 bits hold it), so
 * the result is rounded once, at the end of the vertical pass, like the float
 * kernels.
 */
#define FRAC_BITS 6

/*
 * i32x4 arithmetic shift right by a run-time count. Plain wasm_i32x4_shr in a
 * loop gets scalarised by clang 14 (four extract_lane/shr_s/replace_lane) once
 * the count's splat is hoisted out of the loop; the empty asm makes the count a
 * fresh value in the loop body, so the shift stays one i32x4.shr_s.
 */
static inline v128_t shr_var(v128_t v, int count) {
  __asm__ volatile("" : "+r"(count));
  return wasm_i32x4_shr(v, count);
}

/*
 * Horizontal taps of one RGBA8 row into RGBA i16 (value << FRAC_BITS). Output
 * o reads 4 * groups source pixels from pixel start[o] (the row carries that
 * much zero slack at its end) with coefficient pairs pairs[o * 2 * groups + j],
 * each pair (c[2j] low 16 bits, c[2j+1] high); zero pairs pad short footprints.
 * n_out is even (the caller pads); bits is the coefficients' scale.
 */
/* One output pixel's horizontal taps (inlined with a constant group count where it can be). */
static inline __attribute__((always_inline)) v128_t htaps(const uint8_t *p, const int32_t *c, int groups, v128_t round) {
  /* pixel pair (p0, p1) of a 16-byte load as i16 (r0, r1, g0, g1, b0, b1, a0, a1) */
  const v128_t lo = wasm_i8x16_make(0, -1, 4, -1, 1, -1, 5, -1, 2, -1, 6, -1, 3, -1, 7, -1);
  const v128_t hi = wasm_i8x16_make(8, -1, 12, -1, 9, -1, 13, -1, 10, -1, 14, -1, 11, -1, 15, -1);
  v128_t a0 = round, a1 = wasm_i32x4_splat(0);
  for (int g = 0; g < groups; g++) {
    v128_t px = wasm_v128_load(p + 16 * g);
    a0 = wasm_i32x4_add(a0, wasm_i32x4_dot_i16x8(wasm_i8x16_swizzle(px, lo), wasm_v128_load32_splat(c + 2 * g)));
    a1 = wasm_i32x4_add(a1, wasm_i32x4_dot_i16x8(wasm_i8x16_swizzle(px, hi), wasm_v128_load32_splat(c + 2 * g + 1)));
  }
  return wasm_i32x4_add(a0, a1);
}

static inline __attribute__((always_inline)) void hrow(const uint8_t *row, int n_out, const int32_t *start,
                                                        const int32_t *pairs, int groups, int sh, int16_t *line) {
  const v128_t round = wasm_i32x4_splat(1 << (sh - 1));
  const int per_out = 2 * groups;
  for (int o = 0; o < n_out; o += 2) {
    v128_t x = htaps(row + 4 * start[o], pairs + o * per_out, groups, round);
    v128_t y = htaps(row + 4 * start[o + 1], pairs + (o + 1) * per_out, groups, round);
    wasm_v128_store(line + 4 * o, wasm_i16x8_narrow_i32x4(shr_var(x, sh), shr_var(y, sh)));
  }
}

/*
 * Horizontal taps of one RGBA8 row into RGBA i16 (value << FRAC_BITS). Output
 * o reads 4 * groups source pixels from pixel start[o] (the row carries that
 * much zero slack at its end) with coefficient pairs pairs[o * 2 * groups + j],
 * each pair (c[2j] low 16 bits, c[2j+1] high); zero pairs pad short footprints.
 * n_out is even (the caller pads); bits is the coefficients' scale. The common
 * footprints (up to 16 taps: Lanczos3 down to a factor of about 2.5) get loops
 * unrolled for their group count.
 */
EXPORT(hfilter_fixed)
void hfilter_fixed(const uint8_t *row, int n_out, const int32_t *start, const int32_t *pairs,
                   int groups, int bits, int16_t *line) {
  const int sh = bits - FRAC_BITS;
  switch (groups) {
    case 1: hrow(row, n_out, start, pairs, 1, sh, line); break;
    case 2: hrow(row, n_out, start, pairs, 2, sh, line); break;
    case 3: hrow(row, n_out, start, pairs, 3, sh, line); break;
    case 4: hrow(row, n_out, start, pairs, 4, sh, line); break;
    default: hrow(row, n_out, start, pairs, groups, sh, line); break;
  }
}

/*
 * Vertical taps: output row = sum over tap pairs j of rows[2j] * c_lo +
 * rows[2j+1] * c_hi (pairs[j] packed as in hfilter_fixed), over n i16 values
 * (a multiple of 16), rounded and clamped to u8. An odd tap count pads with a
 * zero coefficient. bits <= 15, so no i32 sum can overflow.
 */
EXPORT(vfilter_fixed)
void vfilter_fixed(const int32_t *rows, const int32_t *pairs, int npairs, int n, int bits, uint8_t *out) {
  const int sh = bits + FRAC_BITS;
  const v128_t round = wasm_i32x4_splat(1 << (sh - 1));
  for (int i = 0; i < n; i += 16) {
    v128_t a0 = round, a1 = round, a2 = round, a3 = round;
    for (int j = 0; j < npairs; j++) {
      const int16_t *ra = (const int16_t *)rows[2 * j] + i;
      const int16_t *rb = (const int16_t *)rows[2 * j + 1] + i;
      const v128_t c = wasm_v128_load32_splat(pairs + j);
      v128_t x = wasm_v128_load(ra), y = wasm_v128_load(rb);
      a0 = wasm_i32x4_add(a0, wasm_i32x4_dot_i16x8(wasm_i16x8_shuffle(x, y, 0, 8, 1, 9, 2, 10, 3, 11), c));
      a1 = wasm_i32x4_add(a1, wasm_i32x4_dot_i16x8(wasm_i16x8_shuffle(x, y, 4, 12, 5, 13, 6, 14, 7, 15), c));
      x = wasm_v128_load(ra + 8), y = wasm_v128_load(rb + 8);
      a2 = wasm_i32x4_add(a2, wasm_i32x4_dot_i16x8(wasm_i16x8_shuffle(x, y, 0, 8, 1, 9, 2, 10, 3, 11), c));
      a3 = wasm_i32x4_add(a3, wasm_i32x4_dot_i16x8(wasm_i16x8_shuffle(x, y, 4, 12, 5, 13, 6, 14, 7, 15), c));
    }
    v128_t w0 = wasm_i16x8_narrow_i32x4(shr_var(a0, sh), shr_var(a1, sh));
    v128_t w1 = wasm_i16x8_narrow_i32x4(shr_var(a2, sh), shr_var(a3, sh));
    wasm_v128_store(out + i, wasm_u8x16_narrow_i16x8(w0, w1));
  }
}

