#!/bin/sh
# Rebuilds one of our freestanding SIMD kernel modules from its C source with
# pinned, deterministic flags (Debian's clang-14 + lld-14: `apt-get install -y
# clang-14 lld-14`), and writes <name>.wasm.sha256 beside it, which the module's
# test checks the committed binary against (and, where clang-14 is installed,
# rebuilds it and compares byte for byte). CI needs no toolchain: the .wasm is
# committed. Exit status 3: no toolchain (nothing was built).
#   sh scripts/build-simd.sh resize [OUT_DIR]   src/codec/resize/simd/kernels.c (the resampler;
#                                               test/codec/resize/simd.test.ts)
#   sh scripts/build-simd.sh png [OUT_DIR]      src/codec/png/simd/filters.c (scanline filters;
#                                               test/codec/png/simd.test.ts)
#   sh scripts/build-simd.sh color [OUT_DIR]    src/color/simd/convert.c (matrix/TRC -> sRGB;
#                                               test/color/simd.test.ts)
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
case "${1:-}" in
  resize) DIR=src/codec/resize/simd NAME=kernels ;;
  png) DIR=src/codec/png/simd NAME=filters ;;
  color) DIR=src/color/simd NAME=convert ;;
  *) echo "usage: sh scripts/build-simd.sh resize|png|color [OUT_DIR]" >&2; exit 2 ;;
esac
OUT=${2:-"$ROOT/$DIR"}
CLANG=${CLANG:-clang-14}
command -v "$CLANG" >/dev/null 2>&1 || { echo "no $CLANG" >&2; exit 3; }
command -v wasm-ld-14 >/dev/null 2>&1 || command -v wasm-ld >/dev/null 2>&1 || { echo "no wasm-ld" >&2; exit 3; }
mkdir -p "$OUT"
# Run from the source folder with a relative path, so no absolute path can reach the output.
cd "$ROOT/$DIR"
"$CLANG" --target=wasm32 -nostdlib -msimd128 -O3 -ffreestanding -fno-builtin -g0 \
  -Wall -Werror \
  -Wl,--no-entry -Wl,--strip-all -Wl,--export=__heap_base \
  -Wl,--initial-memory=131072 -Wl,-z,stack-size=16384 \
  -o "$OUT/$NAME.wasm" "$NAME.c"
# sha256 of the binary, as `sha256sum` prints it, without the path.
(cd "$OUT" && sha256sum "$NAME.wasm" | cut -d' ' -f1 > "$NAME.wasm.sha256")
echo "built $OUT/$NAME.wasm ($(wc -c < "$OUT/$NAME.wasm") bytes, sha256 $(cat "$OUT/$NAME.wasm.sha256"))"
