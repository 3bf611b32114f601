/*
 * Thumbflare's glue around libwebp 1.2.4's decoder (Debian's source package,
 * 1.2.4-0.2+deb12u1, built for wasm32 by scripts/build-webp-wasm.sh). The JS
 * side is codec/webp/libwebp.ts.
 *
 * One job: a still WebP (lossy VP8 with or without an ALPH chunk, or lossless
 * VP8L) into non-premultiplied RGBA8 at full size, with libwebp's defaults
 * (fancy upsampling, no dithering): what WebPDecodeRGBA, and so jSquash's
 * decoder, does. No scaling or cropping: Thumbflare resizes afterwards.
 *
 * SIMD: libwebp's SSE2 code paths (dec_sse2.c, upsampling_sse2.c, yuv_sse2.c,
 * lossless_sse2.c, filters_sse2.c, alpha_processing_sse2.c, ...) are compiled
 * to wasm simd128 through Emscripten's SSE2-on-simd128 headers (emmintrin.h);
 * cpu.c's EMSCRIPTEN branch reports SSE2 from the compile flags, so every
 * VP8*DspInit installs the _SSE2 functions. libwebp keeps its SSE2 output
 * identical to its C output (its tests compare them), so the pixels do not
 * depend on the build. wasm32.patch gives the bit readers the 64-bit windows
 * libwebp uses on x86-64 and AArch64 (wasm has i64 and unaligned loads).
 *
 * Memory: wasi-libc's malloc (dlmalloc over memory.grow). libwebp never
 * longjmps: a refused file returns a status after freeing what it allocated,
 * so the next job starts from a clean heap. The source file is copied into a
 * malloc'd buffer (WebPDecode needs it whole); the RGBA output is libwebp's own
 * buffer, freed by webp_release once JS has copied it out. A trap leaves the
 * heap in an unknown state: the JS side drops the instance then.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include "src/webp/decode.h"

#define EXPORT(n) __attribute__((export_name(n)))

static WebPDecoderConfig config;
static uint8_t *input;
/* [0..3]: width, height, output pointer, output stride; [4]: has alpha. */
static int32_t info[5];

/* Frees the previous job's input and output. */
EXPORT("webp_release") void webp_release(void) {
  WebPFreeDecBuffer(&config.output);
  free(input);
  input = NULL;
}

/* A buffer of `size` bytes for the file (after releasing the last job); NULL when memory is short. */
EXPORT("webp_input") uint8_t *webp_input(size_t size) {
  webp_release();
  input = (uint8_t *)malloc(size ? size : 1);
  return input;
}

/*
 * Decodes the `size` bytes at webp_input's buffer. Returns libwebp's
 * VP8StatusCode (0: done; the image is described by webp_info).
 */
EXPORT("webp_decode") int webp_decode(size_t size) {
  if (!WebPInitDecoderConfig(&config)) return VP8_STATUS_INVALID_PARAM;
  VP8StatusCode status = WebPGetFeatures(input, size, &config.input);
  if (status != VP8_STATUS_OK) return status;
  config.output.colorspace = MODE_RGBA;
  status = WebPDecode(input, size, &config);
  if (status != VP8_STATUS_OK) {
    WebPFreeDecBuffer(&config.output);
    return status;
  }
  info[0] = config.output.width;
  info[1] = config.output.height;
  info[2] = (int32_t)(uintptr_t)config.output.u.RGBA.rgba;
  info[3] = config.output.u.RGBA.stride;
  info[4] = config.input.has_alpha;
  return VP8_STATUS_OK;
}

/* The last decode's [width, height, rgba pointer, stride, has alpha]. */
EXPORT("webp_info") int32_t *webp_info(void) { return info; }
