/*
 * Matrix/TRC colour conversion to sRGB for RGBA8 pixels in place, in wasm
 * simd128: the hot loop of color/matrix applyMatrixTransform, same integer
 * arithmetic, same results bit for bit (test/color/simd.test.ts).
 *
 * Per pixel: each of R, G, B through its 256-entry table to linear light in
 * 14-bit fixed point (the profile's TRC), one 3x3 matrix in 13-bit fixed point
 * (source linear RGB -> linear sRGB), a clamp to 0..16383, and the 16384-entry
 * table back to the sRGB encoding. Alpha is untouched.
 *
 * Four pixels per step: the table lookups are scalar loads (wasm has no gather),
 * the matrix, rounding shift and clamp are i32x4 (three lanes of products per
 * channel, four pixels wide). Built by scripts/build-simd.sh color.
 */
#include <stdint.h>
#include <wasm_simd128.h>

#define COEF_BITS 13
#define ENCODE_MAX 16383

/*
 * px: n RGBA pixels. lin: 3 x 256 int32 (R, G, B tables). coef: 9 int32, row
 * major. enc: ENCODE_MAX + 1 bytes.
 */
__attribute__((export_name("convert")))
void convert(uint8_t *px, uint32_t n, const int32_t *lin, const int32_t *coef, const uint8_t *enc) {
  const int32_t *lr = lin, *lg = lin + 256, *lb = lin + 512;
  const v128_t m0 = wasm_i32x4_splat(coef[0]), m1 = wasm_i32x4_splat(coef[1]), m2 = wasm_i32x4_splat(coef[2]);
  const v128_t m3 = wasm_i32x4_splat(coef[3]), m4 = wasm_i32x4_splat(coef[4]), m5 = wasm_i32x4_splat(coef[5]);
  const v128_t m6 = wasm_i32x4_splat(coef[6]), m7 = wasm_i32x4_splat(coef[7]), m8 = wasm_i32x4_splat(coef[8]);
  const v128_t half = wasm_i32x4_splat(1 << (COEF_BITS - 1));
  const v128_t zero = wasm_i32x4_splat(0), top = wasm_i32x4_splat(ENCODE_MAX);
  uint32_t i = 0;
  for (; i + 4 <= n; i += 4) {
    uint8_t *p = px + 4 * i;
    const v128_t r = wasm_i32x4_make(lr[p[0]], lr[p[4]], lr[p[8]], lr[p[12]]);
    const v128_t g = wasm_i32x4_make(lg[p[1]], lg[p[5]], lg[p[9]], lg[p[13]]);
    const v128_t b = wasm_i32x4_make(lb[p[2]], lb[p[6]], lb[p[10]], lb[p[14]]);
    v128_t x = wasm_i32x4_add(wasm_i32x4_add(wasm_i32x4_mul(m0, r), wasm_i32x4_mul(m1, g)), wasm_i32x4_add(wasm_i32x4_mul(m2, b), half));
    v128_t y = wasm_i32x4_add(wasm_i32x4_add(wasm_i32x4_mul(m3, r), wasm_i32x4_mul(m4, g)), wasm_i32x4_add(wasm_i32x4_mul(m5, b), half));
    v128_t z = wasm_i32x4_add(wasm_i32x4_add(wasm_i32x4_mul(m6, r), wasm_i32x4_mul(m7, g)), wasm_i32x4_add(wasm_i32x4_mul(m8, b), half));
    /* Arithmetic shift by a constant (clang-14 keeps constant-count shifts vectorised). */
    x = wasm_i32x4_min(wasm_i32x4_max(wasm_i32x4_shr(x, COEF_BITS), zero), top);
    y = wasm_i32x4_min(wasm_i32x4_max(wasm_i32x4_shr(y, COEF_BITS), zero), top);
    z = wasm_i32x4_min(wasm_i32x4_max(wasm_i32x4_shr(z, COEF_BITS), zero), top);
    p[0] = enc[wasm_i32x4_extract_lane(x, 0)];
    p[1] = enc[wasm_i32x4_extract_lane(y, 0)];
    p[2] = enc[wasm_i32x4_extract_lane(z, 0)];
    p[4] = enc[wasm_i32x4_extract_lane(x, 1)];
    p[5] = enc[wasm_i32x4_extract_lane(y, 1)];
    p[6] = enc[wasm_i32x4_extract_lane(z, 1)];
    p[8] = enc[wasm_i32x4_extract_lane(x, 2)];
    p[9] = enc[wasm_i32x4_extract_lane(y, 2)];
    p[10] = enc[wasm_i32x4_extract_lane(z, 2)];
    p[12] = enc[wasm_i32x4_extract_lane(x, 3)];
    p[13] = enc[wasm_i32x4_extract_lane(y, 3)];
    p[14] = enc[wasm_i32x4_extract_lane(z, 3)];
  }
  for (; i < n; i++) {
    uint8_t *p = px + 4 * i;
    const int32_t r = lr[p[0]], g = lg[p[1]], b = lb[p[2]];
    int32_t x = (coef[0] * r + coef[1] * g + coef[2] * b + (1 << (COEF_BITS - 1))) >> COEF_BITS;
    int32_t y = (coef[3] * r + coef[4] * g + coef[5] * b + (1 << (COEF_BITS - 1))) >> COEF_BITS;
    int32_t z = (coef[6] * r + coef[7] * g + coef[8] * b + (1 << (COEF_BITS - 1))) >> COEF_BITS;
    x = x < 0 ? 0 : x > ENCODE_MAX ? ENCODE_MAX : x;
    y = y < 0 ? 0 : y > ENCODE_MAX ? ENCODE_MAX : y;
    z = z < 0 ? 0 : z > ENCODE_MAX ? ENCODE_MAX : z;
    p[0] = enc[x];
    p[1] = enc[y];
    p[2] = enc[z];
  }
}
