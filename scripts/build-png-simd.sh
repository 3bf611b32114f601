#!/bin/sh
# Rebuilds src/codec/png/simd/filters.wasm from filters.c with pinned, deterministic
# flags (Debian's clang-14 + lld-14: `apt-get install -y clang-14 lld-14`), and
# writes filters.wasm.sha256 beside it, which test/codec/png/simd.test.ts checks the
# committed binary against (and, where clang-14 is installed, rebuilds it and
# compares byte for byte). CI needs no toolchain: the .wasm is committed.
# Same flags as scripts/build-simd.sh (the resampler's kernels).
#   sh scripts/build-png-simd.sh [OUT_DIR]   (default: src/codec/png/simd)
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${1:-"$ROOT/src/codec/png/simd"}
CLANG=${CLANG:-clang-14}
mkdir -p "$OUT"
# Run from the source folder with a relative path, so no absolute path can reach the output.
cd "$ROOT/src/codec/png/simd"
"$CLANG" --target=wasm32 -nostdlib -msimd128 -O3 -ffreestanding -fno-builtin -g0 \
  -Wall -Werror \
  -Wl,--no-entry -Wl,--strip-all -Wl,--export=__heap_base \
  -Wl,--initial-memory=131072 -Wl,-z,stack-size=16384 \
  -o "$OUT/filters.wasm" filters.c
# sha256 of the binary, as `sha256sum` prints it, without the path.
(cd "$OUT" && sha256sum filters.wasm | cut -d' ' -f1 > filters.wasm.sha256)
echo "built $OUT/filters.wasm ($(wc -c < "$OUT/filters.wasm") bytes, sha256 $(cat "$OUT/filters.wasm.sha256"))"
