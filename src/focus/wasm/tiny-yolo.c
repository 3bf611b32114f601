/*
 * Kernels of face-api.js's TinyFaceDetector (see ../face-detector.ts for the
 * network), in C with WebAssembly SIMD (128-bit, 4 floats a lane group).
 * Build: node scripts/build-focus-wasm.mjs (clang --target=wasm32 -msimd128 -O3).
 * No libc: the caller (JS) places every tensor in linear memory and passes offsets.
 * Tensors are HWC float32; channel counts are multiples of 4 except conv0's input.
 */
#include <wasm_simd128.h>

#define EXPORT __attribute__((visibility("default")))

static inline v128_t leaky4(v128_t v) {
  /* max(v, 0.1 v) is leaky relu with slope 0.1 */
  return wasm_f32x4_max(v, wasm_f32x4_mul(v, wasm_f32x4_splat(0.1f)));
}

/* conv0 (3x3 valid, 3 -> 16, leaky) fused with a 2x2/2 'same' max pool. w: [ky][kx][ci][16]. */
EXPORT void conv0_pool(const float *in, int ih, int iw, const float *w, const float *b, float *out) {
  const int ch = ih - 2, cw = iw - 2;
  const int oh = (ch + 1) / 2, ow = (cw + 1) / 2;
  const v128_t b0 = wasm_v128_load(b), b1 = wasm_v128_load(b + 4), b2 = wasm_v128_load(b + 8), b3 = wasm_v128_load(b + 12);
  for (int py = 0; py < oh; py++) {
    for (int px = 0; px < ow; px++) {
      const v128_t ninf = wasm_f32x4_splat(-3.0e38f);
      v128_t m0 = ninf, m1 = ninf, m2 = ninf, m3 = ninf;
      const int y1 = 2 * py + 2 < ch ? 2 * py + 2 : ch;
      const int x1 = 2 * px + 2 < cw ? 2 * px + 2 : cw;
      for (int y = 2 * py; y < y1; y++) {
        for (int x = 2 * px; x < x1; x++) {
          v128_t s0 = b0, s1 = b1, s2 = b2, s3 = b3;
          for (int ky = 0; ky < 3; ky++) {
            const float *p = in + ((y + ky) * iw + x) * 3;
            const float *f = w + ky * 9 * 16;
            for (int j = 0; j < 9; j++) {
              const v128_t v = wasm_f32x4_splat(p[j]);
              s0 = wasm_f32x4_add(s0, wasm_f32x4_mul(v, wasm_v128_load(f + j * 16)));
              s1 = wasm_f32x4_add(s1, wasm_f32x4_mul(v, wasm_v128_load(f + j * 16 + 4)));
              s2 = wasm_f32x4_add(s2, wasm_f32x4_mul(v, wasm_v128_load(f + j * 16 + 8)));
              s3 = wasm_f32x4_add(s3, wasm_f32x4_mul(v, wasm_v128_load(f + j * 16 + 12)));
            }
          }
          m0 = wasm_f32x4_max(m0, s0); m1 = wasm_f32x4_max(m1, s1);
          m2 = wasm_f32x4_max(m2, s2); m3 = wasm_f32x4_max(m3, s3);
        }
      }
      float *o = out + (py * ow + px) * 16;
      wasm_v128_store(o, leaky4(m0)); wasm_v128_store(o + 4, leaky4(m1));
      wasm_v128_store(o + 8, leaky4(m2)); wasm_v128_store(o + 12, leaky4(m3));
    }
  }
}

/* One pixel's 3x3 depthwise sums (zero padding) into acc[c]. */
static void depthwise_at(const float *in, int h, int w, int c, const float *dw, int y, int x, float *acc) {
  for (int ci = 0; ci < c; ci += 4) wasm_v128_store(acc + ci, wasm_f32x4_splat(0.0f));
  for (int ky = 0; ky < 3; ky++) {
    const int sy = y + ky - 1;
    if (sy < 0 || sy >= h) continue;
    for (int kx = 0; kx < 3; kx++) {
      const int sx = x + kx - 1;
      if (sx < 0 || sx >= w) continue;
      const float *p = in + (sy * w + sx) * c;
      const float *f = dw + (ky * 3 + kx) * c;
      for (int ci = 0; ci < c; ci += 4) {
        wasm_v128_store(acc + ci, wasm_f32x4_add(wasm_v128_load(acc + ci), wasm_f32x4_mul(wasm_v128_load(p + ci), wasm_v128_load(f + ci))));
      }
    }
  }
}

/*
 * Zero-pad 1, 3x3 depthwise (dw: [ky][kx][c]), 1x1 pointwise (pw: [c][co]), + bias, leaky.
 * tmp: 2c floats of scratch. Two pixels share each load of the pointwise weights
 * (the layer's bulk), 16 outputs at a time in registers.
 */
EXPORT void separable(const float *in, int h, int w, int c, const float *dw, const float *pw, const float *b, int co, float *out, float *tmp) {
  float *t0 = tmp, *t1 = tmp + c;
  for (int y = 0; y < h; y++) {
    for (int x = 0; x < w; x += 2) {
      const int pair = x + 1 < w;
      depthwise_at(in, h, w, c, dw, y, x, t0);
      if (pair) depthwise_at(in, h, w, c, dw, y, x + 1, t1);
      else for (int ci = 0; ci < c; ci += 4) wasm_v128_store(t1 + ci, wasm_f32x4_splat(0.0f));
      float *o0 = out + (y * w + x) * co, *o1 = o0 + co;
      for (int oc = 0; oc < co; oc += 16) {
        v128_t a0 = wasm_v128_load(b + oc), a1 = wasm_v128_load(b + oc + 4), a2 = wasm_v128_load(b + oc + 8), a3 = wasm_v128_load(b + oc + 12);
        v128_t c0 = a0, c1 = a1, c2 = a2, c3 = a3;
        const float *f = pw + oc;
        for (int ci = 0; ci < c; ci++) {
          const v128_t u = wasm_f32x4_splat(t0[ci]), v = wasm_f32x4_splat(t1[ci]);
          const float *fc = f + ci * co;
          const v128_t w0 = wasm_v128_load(fc), w1 = wasm_v128_load(fc + 4), w2 = wasm_v128_load(fc + 8), w3 = wasm_v128_load(fc + 12);
          a0 = wasm_f32x4_add(a0, wasm_f32x4_mul(u, w0)); c0 = wasm_f32x4_add(c0, wasm_f32x4_mul(v, w0));
          a1 = wasm_f32x4_add(a1, wasm_f32x4_mul(u, w1)); c1 = wasm_f32x4_add(c1, wasm_f32x4_mul(v, w1));
          a2 = wasm_f32x4_add(a2, wasm_f32x4_mul(u, w2)); c2 = wasm_f32x4_add(c2, wasm_f32x4_mul(v, w2));
          a3 = wasm_f32x4_add(a3, wasm_f32x4_mul(u, w3)); c3 = wasm_f32x4_add(c3, wasm_f32x4_mul(v, w3));
        }
        wasm_v128_store(o0 + oc, leaky4(a0)); wasm_v128_store(o0 + oc + 4, leaky4(a1));
        wasm_v128_store(o0 + oc + 8, leaky4(a2)); wasm_v128_store(o0 + oc + 12, leaky4(a3));
        if (pair) {
          wasm_v128_store(o1 + oc, leaky4(c0)); wasm_v128_store(o1 + oc + 4, leaky4(c1));
          wasm_v128_store(o1 + oc + 8, leaky4(c2)); wasm_v128_store(o1 + oc + 12, leaky4(c3));
        }
      }
    }
  }
}

/* 2x2 max pool, TF 'same' padding (extra row/column at the end only), stride 1 or 2. */
EXPORT void maxpool(const float *in, int h, int w, int c, int stride, float *out) {
  const int oh = stride == 2 ? (h + 1) / 2 : h, ow = stride == 2 ? (w + 1) / 2 : w;
  for (int y = 0; y < oh; y++) {
    const int y0 = y * stride, y1 = y0 + 1 < h ? y0 + 1 : h - 1;
    for (int x = 0; x < ow; x++) {
      const int x0 = x * stride, x1 = x0 + 1 < w ? x0 + 1 : w - 1;
      const float *a = in + (y0 * w + x0) * c, *bb = in + (y0 * w + x1) * c, *d = in + (y1 * w + x0) * c, *e = in + (y1 * w + x1) * c;
      float *o = out + (y * ow + x) * c;
      for (int ci = 0; ci < c; ci += 4) {
        v128_t m = wasm_f32x4_max(wasm_f32x4_max(wasm_v128_load(a + ci), wasm_v128_load(bb + ci)), wasm_f32x4_max(wasm_v128_load(d + ci), wasm_v128_load(e + ci)));
        wasm_v128_store(o + ci, m);
      }
    }
  }
}
