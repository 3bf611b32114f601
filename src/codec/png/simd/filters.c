/*
 * SIMD (wasm simd128) PNG scanline filters (PNG spec §9, ISO 15948) for 8-bit
 * samples, driven row by row from codec/png/simd/filters-simd.ts:
 *
 *   unfilter_row  the decoder's reconstruction, in place: Sub, Up, Average and
 *                 Paeth for 3- and 4-byte pixels (RGB8, RGBA8).
 *   expand_rgb    the decoder's RGB8 -> RGBA8 of a reconstructed row.
 *   filter_row    the encoder's choice, for 1- to 4-byte pixels: all five
 *                 filters of one row and their costs (libpng's sum of absolute
 *                 signed residuals), the cheapest written out with its type byte.
 *
 * Reconstruction is sequential along a row (each pixel needs its left
 * neighbour's result), so unfilter_row is SIMD across one pixel's channels
 * (as libpng's SSE2 filters are), with Up across 16 bytes. Filtering needs only
 * the original rows, so filter_row is SIMD across 16 bytes at a time.
 * Integer arithmetic only: results are exact, identical to the JS filters in
 * codec/png/decode and codec/png/encode (test/codec/png/simd.test.ts).
 *
 * Freestanding C: no libc, no allocator; the caller lays out every buffer in
 * linear memory above __heap_base. filter_row needs `bpp` zero bytes before
 * `row` and `prev` (the "left of the first pixel" of PNG spec §9.2), and all
 * buffers may be read up to 15 bytes past their end.
 *
 * Build: scripts/build-simd.sh png (clang 14, --target=wasm32 -msimd128 -O3).
 */
#include <stdint.h>
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(#name)))

/* ------------------------------------------------------------ unfiltering */

static inline v128_t load_px(const uint8_t *p, int bpp) {
  if (bpp == 4) return wasm_v128_load32_zero(p);
  /* 3 bytes: 16 + 8 bits, never reading past the pixel (its right neighbour may not be reconstructed yet). */
  v128_t v = wasm_v128_load16_lane(p, wasm_i8x16_splat(0), 0);
  return wasm_v128_load8_lane(p + 2, v, 2);
}

static inline void store_px(uint8_t *p, v128_t v, int bpp) {
  if (bpp == 4) {
    wasm_v128_store32_lane(p, v, 0);
  } else {
    wasm_v128_store16_lane(p, v, 0);
    wasm_v128_store8_lane(p + 2, v, 2);
  }
}

static void unfilter_up(uint8_t *cur, const uint8_t *prev, int n) {
  int i = 0;
  for (; i + 16 <= n; i += 16) {
    wasm_v128_store(cur + i, wasm_i8x16_add(wasm_v128_load(cur + i), wasm_v128_load(prev + i)));
  }
  for (; i < n; i++) cur[i] = (uint8_t)(cur[i] + prev[i]);
}

static void unfilter_sub(uint8_t *cur, int n, int bpp) {
  v128_t a = wasm_i8x16_splat(0);
  for (int i = 0; i < n; i += bpp) {
    a = wasm_i8x16_add(load_px(cur + i, bpp), a);
    store_px(cur + i, a, bpp);
  }
}

/* floor((a + b) / 2) per byte: avgr_u rounds up, so subtract the lost odd bit. */
static inline v128_t avg_floor(v128_t a, v128_t b) {
  return wasm_i8x16_sub(wasm_u8x16_avgr(a, b), wasm_v128_and(wasm_v128_xor(a, b), wasm_i8x16_splat(1)));
}

static void unfilter_average(uint8_t *cur, const uint8_t *prev, int n, int bpp) {
  v128_t a = wasm_i8x16_splat(0);
  for (int i = 0; i < n; i += bpp) {
    a = wasm_i8x16_add(load_px(cur + i, bpp), avg_floor(a, load_px(prev + i, bpp)));
    store_px(cur + i, a, bpp);
  }
}

/*
 * The Paeth predictor on 16-bit lanes: p = a + b - c, pa = |b - c|,
 * pb = |a - c|, pc = |(b - c) + (a - c)|; a if pa <= pb and pa <= pc, else b if
 * pb <= pc, else c (PNG spec §9.4, in that order of ties).
 */
static inline v128_t paeth16(v128_t a, v128_t b, v128_t c) {
  v128_t pas = wasm_i16x8_sub(b, c);
  v128_t pbs = wasm_i16x8_sub(a, c);
  v128_t pa = wasm_i16x8_abs(pas);
  v128_t pb = wasm_i16x8_abs(pbs);
  v128_t pc = wasm_i16x8_abs(wasm_i16x8_add(pas, pbs));
  v128_t use_a = wasm_v128_and(wasm_i16x8_le(pa, pb), wasm_i16x8_le(pa, pc));
  v128_t use_b = wasm_i16x8_le(pb, pc);
  return wasm_v128_bitselect(a, wasm_v128_bitselect(b, c, use_b), use_a);
}

static void unfilter_paeth(uint8_t *cur, const uint8_t *prev, int n, int bpp) {
  v128_t a = wasm_i16x8_splat(0); /* reconstructed left pixel, 16-bit lanes */
  v128_t c = wasm_i16x8_splat(0); /* the pixel above it */
  for (int i = 0; i < n; i += bpp) {
    v128_t b = wasm_u16x8_extend_low_u8x16(load_px(prev + i, bpp));
    v128_t x = wasm_u16x8_extend_low_u8x16(load_px(cur + i, bpp));
    v128_t r = wasm_v128_and(wasm_i16x8_add(x, paeth16(a, b, c)), wasm_i16x8_splat(0xff));
    store_px(cur + i, wasm_u8x16_narrow_i16x8(r, r), bpp);
    a = r;
    c = b;
  }
}

/*
 * Reverses filter `type` (1-4) on cur[0, n) in place against the previous
 * reconstructed row (zeros for the first). bpp is 3 or 4; n a multiple of it.
 */
EXPORT(unfilter_row)
void unfilter_row(int type, uint8_t *cur, const uint8_t *prev, int n, int bpp) {
  switch (type) {
    case 1: unfilter_sub(cur, n, bpp); break;
    case 2: unfilter_up(cur, prev, n); break;
    case 3: unfilter_average(cur, prev, n, bpp); break;
    case 4: unfilter_paeth(cur, prev, n, bpp); break;
    default: break;
  }
}

/*
 * n RGB8 pixels to opaque RGBA8 (the decoder's expansion of an unfiltered RGB
 * row): four pixels per 16-byte load and swizzle. Reads up to 4 bytes past the
 * last pixel.
 */
EXPORT(expand_rgb)
void expand_rgb(const uint8_t *src, int n, uint8_t *dst) {
  const v128_t spread = wasm_i8x16_make(0, 1, 2, -1, 3, 4, 5, -1, 6, 7, 8, -1, 9, 10, 11, -1);
  const v128_t opaque = wasm_i32x4_splat((int32_t)0xff000000);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    v128_t v = wasm_i8x16_swizzle(wasm_v128_load(src + 3 * i), spread); /* index -1: lane 0 */
    wasm_v128_store(dst + 4 * i, wasm_v128_or(v, opaque));
  }
  for (; i < n; i++) {
    dst[4 * i] = src[3 * i];
    dst[4 * i + 1] = src[3 * i + 1];
    dst[4 * i + 2] = src[3 * i + 2];
    dst[4 * i + 3] = 0xff;
  }
}

/* -------------------------------------------------------------- filtering */

/* The cost of 16 residual bytes, as signed bytes: sum |r| (|-128| = 128), into 4 u32 lanes. */
static inline v128_t cost16(v128_t r) {
  v128_t abs8 = wasm_i8x16_abs(r); /* -128 stays 0x80, which is 128 read unsigned */
  return wasm_u32x4_extadd_pairwise_u16x8(wasm_u16x8_extadd_pairwise_u8x16(abs8));
}

static inline uint32_t hsum(v128_t v) {
  return wasm_u32x4_extract_lane(v, 0) + wasm_u32x4_extract_lane(v, 1) + wasm_u32x4_extract_lane(v, 2) +
         wasm_u32x4_extract_lane(v, 3);
}

static inline uint32_t cost1(uint8_t r) {
  return r < 128 ? r : 256 - r;
}

/* Paeth prediction of 16 bytes at once (two halves widened to 16 bits). */
static inline v128_t paeth8x16(v128_t a, v128_t b, v128_t c) {
  v128_t lo = paeth16(wasm_u16x8_extend_low_u8x16(a), wasm_u16x8_extend_low_u8x16(b), wasm_u16x8_extend_low_u8x16(c));
  v128_t hi = paeth16(wasm_u16x8_extend_high_u8x16(a), wasm_u16x8_extend_high_u8x16(b), wasm_u16x8_extend_high_u8x16(c));
  return wasm_u8x16_narrow_i16x8(lo, hi);
}

static inline uint8_t paeth1(int a, int b, int c) {
  int pa = b - c, pb = a - c, pc = pa + pb;
  pa = pa < 0 ? -pa : pa;
  pb = pb < 0 ? -pb : pb;
  pc = pc < 0 ? -pc : pc;
  return (uint8_t)(pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
}

/* The residual of filter f for byte i (scalar, for the tail of a row). */
static inline uint8_t residual1(int f, const uint8_t *row, const uint8_t *prev, int i, int bpp) {
  int x = row[i], a = row[i - bpp], b = prev[i], c = prev[i - bpp];
  switch (f) {
    case 1: return (uint8_t)(x - a);
    case 2: return (uint8_t)(x - b);
    case 3: return (uint8_t)(x - ((a + b) >> 1));
    case 4: return (uint8_t)(x - paeth1(a, b, c));
    default: return (uint8_t)x;
  }
}

/*
 * Filters row[0, n) against prev with each of the five filters and writes the
 * cheapest to out: its type byte, then n residuals (ties keep the lower type).
 * row[-bpp, 0) and prev[-bpp, 0) must be zero. Returns the type.
 */
EXPORT(filter_row)
int filter_row(const uint8_t *row, const uint8_t *prev, int n, int bpp, uint8_t *out) {
  v128_t s0 = wasm_i32x4_splat(0), s1 = s0, s2 = s0, s3 = s0, s4 = s0;
  int i = 0;
  for (; i + 16 <= n; i += 16) {
    v128_t x = wasm_v128_load(row + i);
    v128_t a = wasm_v128_load(row + i - bpp);
    v128_t b = wasm_v128_load(prev + i);
    v128_t c = wasm_v128_load(prev + i - bpp);
    s0 = wasm_i32x4_add(s0, cost16(x));
    s1 = wasm_i32x4_add(s1, cost16(wasm_i8x16_sub(x, a)));
    s2 = wasm_i32x4_add(s2, cost16(wasm_i8x16_sub(x, b)));
    s3 = wasm_i32x4_add(s3, cost16(wasm_i8x16_sub(x, avg_floor(a, b))));
    s4 = wasm_i32x4_add(s4, cost16(wasm_i8x16_sub(x, paeth8x16(a, b, c))));
  }
  uint32_t cost[5] = {hsum(s0), hsum(s1), hsum(s2), hsum(s3), hsum(s4)};
  for (int t = i; t < n; t++) {
    for (int f = 0; f < 5; f++) cost[f] += cost1(residual1(f, row, prev, t, bpp));
  }
  int best = 0;
  for (int f = 1; f < 5; f++) {
    if (cost[f] < cost[best]) best = f;
  }
  out[0] = (uint8_t)best;
  uint8_t *o = out + 1;
  for (i = 0; i + 16 <= n; i += 16) {
    v128_t x = wasm_v128_load(row + i);
    v128_t a = wasm_v128_load(row + i - bpp);
    v128_t b = wasm_v128_load(prev + i);
    v128_t r;
    switch (best) {
      case 1: r = wasm_i8x16_sub(x, a); break;
      case 2: r = wasm_i8x16_sub(x, b); break;
      case 3: r = wasm_i8x16_sub(x, avg_floor(a, b)); break;
      case 4: r = wasm_i8x16_sub(x, paeth8x16(a, b, wasm_v128_load(prev + i - bpp))); break;
      default: r = x; break;
    }
    wasm_v128_store(o + i, r);
  }
  for (; i < n; i++) o[i] = residual1(best, row, prev, i, bpp);
  return best;
}
