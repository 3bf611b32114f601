#!/bin/sh
# Rebuilds src/codec/resize/simd/kernels.wasm from kernels.c with pinned, deterministic
# flags (Debian's clang-14 + lld-14: `apt-get install -y clang-14 lld-14`), and
# writes kernels.wasm.sha256 beside it, which test/codec/resize/simd.test.ts checks the
# committed binary against (and, where clang-14 is installed, rebuilds it and
# compares byte for byte). CI needs no toolchain: the .wasm is committed.
#   sh scripts/build-simd.sh [OUT_DIR]   (default: src/codec/resize/simd)
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SRC="$ROOT/src/codec/resize/simd/kernels.c"
OUT=${1:-"$ROOT/src/codec/resize/simd"}
CLANG=${CLANG:-clang-14}
mkdir -p "$OUT"
# Run from the source folder with a relative path, so no absolute path can reach the output.
cd "$ROOT/src/codec/resize/simd"
"$CLANG" --target=wasm32 -nostdlib -msimd128 -O3 -ffreestanding -fno-builtin -g0 \
  -Wall -Werror \
  -Wl,--no-entry -Wl,--strip-all -Wl,--export=__heap_base \
  -Wl,--initial-memory=131072 -Wl,-z,stack-size=16384 \
  -o "$OUT/kernels.wasm" kernels.c
# sha256 of the binary, as `sha256sum` prints it, without the path.
(cd "$OUT" && sha256sum kernels.wasm | cut -d' ' -f1 > kernels.wasm.sha256)
echo "built $OUT/kernels.wasm ($(wc -c < "$OUT/kernels.wasm") bytes, sha256 $(cat "$OUT/kernels.wasm.sha256"))"
