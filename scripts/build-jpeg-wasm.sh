#!/bin/sh
# Rebuilds src/codec/jpeg/wasm/libjpeg.wasm: Debian's libjpeg-turbo 2.1.5 source
# package (1:2.1.5-2, Debian's patches applied) plus our glue.c, with Debian's
# clang-14, lld-14, wasi-libc (only its string functions are linked) and
# compiler-rt's wasm32 builtins:
#   apt-get install -y clang-14 lld-14 wasi-libc libclang-rt-14-dev-wasm32
# The source comes from `apt-get source libjpeg-turbo=1:2.1.5-2` (deb-src must be
# enabled; apt checks the .dsc's checksums), cached in .cache/ (git-ignored), or
# from LJT_SRC=/path/to/libjpeg-turbo-2.1.5.
# Writes libjpeg.wasm.sha256 beside it, which test/codec/jpeg/wasm-build.test.ts
# checks the committed binary against (and, where the toolchain and source are
# here, rebuilds it and compares byte for byte). CI needs no toolchain: the
# .wasm is committed.
#   sh scripts/build-jpeg-wasm.sh [OUT_DIR]       (default: src/codec/jpeg/wasm)
#   SIMD=0 sh scripts/build-jpeg-wasm.sh OUT_DIR  (scalar build, for comparison)
# Exit status 3: no toolchain or no source (nothing was built).
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
GLUE="$ROOT/src/codec/jpeg/wasm"
OUT=${1:-"$GLUE"}
CLANG=${CLANG:-clang-14}
SIMD=${SIMD:-1}
VERSION=2.1.5
DEBVER=1:2.1.5-2
. "$ROOT/scripts/lib/wasi-build.sh"
require_wasi_toolchain

SRC=${LJT_SRC:-"$ROOT/.cache/libjpeg-turbo-$VERSION"}
debian_source libjpeg-turbo "$DEBVER" "libjpeg-turbo-$VERSION" "$SRC" LJT_SRC jdapistd.c

# libjpeg's JPEG_SOURCES (CMakeLists.txt) without stdio (jdatasrc/jdatadst/jerror)
# and malloc (jmemnobs): glue.c supplies the source and destination managers,
# the error handlers and the memory arena. libjpeg-turbo has no SIMD code for
# wasm32 (its x86 SIMD is NASM, its Arm SIMD Neon intrinsics): jsimd.c is our
# dispatch in place of jsimd_none.c, with kernels written for wasm simd128
# (jsimd-*.c); everything else gets clang's autovectoriser with -msimd128.
# WITH_SIMD selects libjpeg-turbo's SIMD data layout (16-bit DCTELEM, the
# quantiser's scale table, 32-byte alignment), as its own SIMD builds do; its
# output is the same bytes either way. wasm32.patch gives the Huffman coders the
# 64-bit bit buffer and clz that libjpeg-turbo enables for x32 and Arm (wasm32
# has 64-bit integer registers and i32.clz, but 32-bit size_t).
LIB="jcapimin.c jcapistd.c jccoefct.c jccolor.c jcdctmgr.c jchuff.c jcicc.c jcinit.c
jcmainct.c jcmarker.c jcmaster.c jcomapi.c jcparam.c jcphuff.c jcprepct.c jcsample.c
jctrans.c jdapimin.c jdapistd.c jdcoefct.c jdcolor.c jddctmgr.c jdhuff.c jdicc.c
jdinput.c jdmainct.c jdmarker.c jdmaster.c jdmerge.c jdphuff.c jdpostct.c jdsample.c
jdtrans.c jfdctflt.c jfdctfst.c jfdctint.c jidctflt.c jidctfst.c jidctint.c jidctred.c
jquant1.c jquant2.c jutils.c jmemmgr.c"
OURS="glue.c $(cd "$GLUE" && ls jsimd*.c | LC_ALL=C sort | tr "\n" " ")"
if [ "$SIMD" = 1 ]; then VEC=-msimd128; else VEC=-mno-simd128; fi
BUILD=$(mktemp -d)
trap 'rm -rf "$BUILD"' EXIT
# Copy everything to one scratch folder and compile with relative paths from
# there, so no absolute path (source, temp dir) can reach the output.
cp "$SRC"/*.c "$SRC"/*.h "$BUILD"/
cp "$GLUE"/*.c "$GLUE"/*.h "$BUILD"/
cd "$BUILD"
patch -p1 --quiet --no-backup-if-mismatch < "$GLUE/wasm32.patch"
CFLAGS="--target=wasm32-wasi -O3 $VEC -mbulk-memory -mmutable-globals -nostdinc -isystem $RESOURCE/include -isystem $SYSROOT_INC
  -DWITH_SIMD -DNO_GETENV -DNO_PUTENV -g0 -ffile-prefix-map=$BUILD=. -Wno-shift-negative-value"
OBJS=""
for f in $LIB $OURS; do
  # shellcheck disable=SC2086
  "$CLANG" $CFLAGS -I. -c "$f" -o "${f%.c}.o"
  OBJS="$OBJS ${f%.c}.o"
done
mkdir -p "$OUT"
# shellcheck disable=SC2086
"$CLANG" --target=wasm32-wasi -nostdlib -O3 -Wl,--no-entry -Wl,--strip-all -Wl,--gc-sections \
  -Wl,--export=__stack_pointer -Wl,--export=__heap_base \
  -Wl,--initial-memory=1048576 -Wl,-z,stack-size=262144 \
  -o libjpeg.wasm $OBJS "$SYSROOT_LIB/libc.a" "$RESOURCE/lib/wasi/libclang_rt.builtins-wasm32.a"
cp libjpeg.wasm "$OUT/libjpeg.wasm"
# sha256 of the binary, as `sha256sum` prints it, without the path.
(cd "$OUT" && sha256sum libjpeg.wasm | cut -d' ' -f1 > libjpeg.wasm.sha256)
echo "built $OUT/libjpeg.wasm ($(wc -c < "$OUT/libjpeg.wasm") bytes, simd=$SIMD, sha256 $(cat "$OUT/libjpeg.wasm.sha256"))"
