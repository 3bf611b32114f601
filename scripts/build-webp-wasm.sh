#!/bin/sh
# Rebuilds src/codec/webp/wasm/libwebp-dec.wasm: the decoder half of Debian's
# libwebp 1.2.4 source package (1.2.4-0.2+deb12u1, Debian's patches applied:
# CVE-2023-4863's Huffman table fix among them) plus our glue.c, with Debian's
# clang-14, lld-14, wasi-libc (its malloc and string functions are linked) and
# compiler-rt's wasm32 builtins, and Emscripten's SSE-on-simd128 headers
# (xmmintrin.h, emmintrin.h; vendored in src/codec/webp/wasm/compat: no emcc,
# no Emscripten JS glue):
#   apt-get install -y clang-14 lld-14 wasi-libc libclang-rt-14-dev-wasm32
# The source comes from `apt-get source libwebp=1.2.4-0.2+deb12u1` (deb-src must
# be enabled; apt checks the .dsc's checksums), cached in .cache/ (git-ignored),
# or from WEBP_SRC=/path/to/libwebp-1.2.4.
# Writes libwebp-dec.wasm.sha256 beside it, which
# test/codec/webp/wasm-build.test.ts checks the committed binary against (and,
# where the toolchain and source are here, rebuilds it and compares byte for
# byte). CI needs no toolchain: the .wasm is committed.
#   sh scripts/build-webp-wasm.sh [OUT_DIR]       (default: src/codec/webp/wasm)
#   SIMD=0 sh scripts/build-webp-wasm.sh OUT_DIR  (scalar C build, for comparison)
#   PATCH=0 sh scripts/build-webp-wasm.sh OUT_DIR (without wasm32.patch, for comparison)
# Exit status 3: no toolchain or no source (nothing was built).
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
GLUE="$ROOT/src/codec/webp/wasm"
OUT=${1:-"$GLUE"}
CLANG=${CLANG:-clang-14}
SIMD=${SIMD:-1}
VERSION=1.2.4
DEBVER=1.2.4-0.2+deb12u1
. "$ROOT/scripts/lib/wasi-build.sh"
require_wasi_toolchain

SRC=${WEBP_SRC:-"$ROOT/.cache/libwebp-$VERSION"}
debian_source libwebp "$DEBVER" "libwebp-$VERSION" "$SRC" WEBP_SRC src/dec/vp8_dec.c

# libwebpdecoder's sources (src/Makefile.am: libwebpdecoder_la = dec + dsp_dec
# + utils_dec) without the MIPS/MSA/NEON files (nothing for wasm32); the
# rescaler stays (WebPDecode's io links it, though we never ask for scaling).
# The SSE4.1 files are left out: for RGBA output they add one intra predictor
# and VP8L's colour transform, and reporting SSE4.1 also reports "slow SSSE3",
# which switches VP8 to GetCoeffsAlt: measured in workerd, the SSE4.1 build was
# 12% slower on a lossy photo and no faster on lossless (bench/webp-decode-ab.mjs).
DEC="src/dec/alpha_dec.c src/dec/buffer_dec.c src/dec/frame_dec.c src/dec/idec_dec.c
src/dec/io_dec.c src/dec/quant_dec.c src/dec/tree_dec.c src/dec/vp8_dec.c src/dec/vp8l_dec.c
src/dec/webp_dec.c"
DSP="src/dsp/alpha_processing.c src/dsp/cpu.c src/dsp/dec.c src/dsp/dec_clip_tables.c
src/dsp/filters.c src/dsp/lossless.c src/dsp/rescaler.c src/dsp/upsampling.c src/dsp/yuv.c"
DSP_SSE2="src/dsp/alpha_processing_sse2.c src/dsp/dec_sse2.c src/dsp/filters_sse2.c
src/dsp/lossless_sse2.c src/dsp/rescaler_sse2.c src/dsp/upsampling_sse2.c src/dsp/yuv_sse2.c"
UTILS="src/utils/bit_reader_utils.c src/utils/color_cache_utils.c src/utils/filters_utils.c
src/utils/huffman_utils.c src/utils/quant_levels_dec_utils.c src/utils/random_utils.c
src/utils/rescaler_utils.c src/utils/thread_utils.c src/utils/utils.c"
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd) # the build runs in a scratch folder: a relative OUT_DIR must not land there
BUILD=$(mktemp -d)
trap 'rm -rf "$BUILD"' EXIT
# Copy everything to one scratch folder and compile with relative paths from
# there, so no absolute path (source, temp dir) can reach the output.
mkdir -p "$BUILD/src" "$BUILD/compat"
cp -R "$SRC/src/dec" "$SRC/src/dsp" "$SRC/src/utils" "$SRC/src/webp" "$BUILD/src/"
# lossless.h includes an encoder header (histogram_enc.h) for its types.
mkdir -p "$BUILD/src/enc" && cp "$SRC"/src/enc/*.h "$BUILD/src/enc/"
cp "$GLUE/glue.c" "$BUILD/"
cd "$BUILD"
# wasm32.patch: the VP8 bit reader's 56-bit window and VP8L's unaligned 32-bit
# loads, as libwebp picks for x86-64 and AArch64 (wasm has 64-bit integer ops
# and unaligned loads; its "reasonable default" is 24 bits). Same output.
[ "${PATCH:-1}" = 0 ] || patch -p1 --quiet --no-backup-if-mismatch < "$GLUE/wasm32.patch"
if [ "$SIMD" = 1 ]; then
  cp "$GLUE/compat/xmmintrin.h" "$GLUE/compat/emmintrin.h" compat/
  # __SSE__/__SSE2__ make cpu.h define WEBP_USE_SSE2 (the _SSE2 files compile)
  # and WEBP_HAVE_SSE2; EMSCRIPTEN selects cpu.c's wasmCPUInfo, which answers
  # kSSE2 from WEBP_HAVE_SSE2, so the dsp inits install the SSE2 functions.
  # (compat comes first on the include path: clang has its own x86-only emmintrin.h.)
  VEC="-msimd128 -D__SSE__ -D__SSE2__ -DEMSCRIPTEN -isystem compat"
  FILES="$DEC $DSP $DSP_SSE2 $UTILS glue.c"
else
  VEC="-mno-simd128"
  FILES="$DEC $DSP $UTILS glue.c"
fi
CFLAGS="--target=wasm32-wasi -O3 -mbulk-memory -mmutable-globals -nostdinc -isystem $RESOURCE/include -isystem $SYSROOT_INC
  -DNDEBUG -g0 -ffile-prefix-map=$BUILD=. -Wno-unused-function"
OBJS=""
for f in $FILES; do
  o=$(echo "${f%.c}.o" | tr / _)
  # shellcheck disable=SC2086
  "$CLANG" $VEC $CFLAGS -I. -c "$f" -o "$o"
  OBJS="$OBJS $o"
done
# No -O on the link: clang's wasm32 driver would then run binaryen's wasm-opt
# when one is on PATH, and the bytes would depend on that.
# shellcheck disable=SC2086
"$CLANG" --target=wasm32-wasi -nostdlib -Wl,--no-entry -Wl,--strip-all -Wl,--gc-sections \
  -Wl,--export=__stack_pointer \
  -Wl,-z,stack-size=131072 \
  -o libwebp-dec.wasm $OBJS "$SYSROOT_LIB/libc.a" "$RESOURCE/lib/wasi/libclang_rt.builtins-wasm32.a"
cp libwebp-dec.wasm "$OUT/libwebp-dec.wasm"
# sha256 of the binary, as `sha256sum` prints it, without the path.
(cd "$OUT" && sha256sum libwebp-dec.wasm | cut -d' ' -f1 > libwebp-dec.wasm.sha256)
echo "built $OUT/libwebp-dec.wasm ($(wc -c < "$OUT/libwebp-dec.wasm") bytes, simd=$SIMD, sha256 $(cat "$OUT/libwebp-dec.wasm.sha256"))"
