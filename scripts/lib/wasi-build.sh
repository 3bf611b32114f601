# Shared by scripts/build-jpeg-wasm.sh and scripts/build-webp-wasm.sh (sourced,
# after CLANG and ROOT are set): the toolchain check and the Debian source fetch
# that both C codec builds need. Both exit 3 (nothing built) when something is
# missing, which the rebuild tests read as "no toolchain here".
SYSROOT_INC=/usr/include/wasm32-wasi
SYSROOT_LIB=/usr/lib/wasm32-wasi

# clang-14 with the wasm32 target, lld's wasm-ld, wasi-libc and compiler-rt's
# wasm32 builtins (apt-get install -y clang-14 lld-14 wasi-libc
# libclang-rt-14-dev-wasm32). Sets RESOURCE, clang's resource dir.
require_wasi_toolchain() {
  command -v "$CLANG" >/dev/null 2>&1 || { echo "no $CLANG" >&2; exit 3; }
  command -v wasm-ld-14 >/dev/null 2>&1 || command -v wasm-ld >/dev/null 2>&1 || { echo "no wasm-ld" >&2; exit 3; }
  [ -f "$SYSROOT_LIB/libc.a" ] || { echo "no wasi-libc ($SYSROOT_LIB/libc.a)" >&2; exit 3; }
  RESOURCE=$("$CLANG" -print-resource-dir)
  [ -f "$RESOURCE/lib/wasi/libclang_rt.builtins-wasm32.a" ] || { echo "no libclang-rt-14-dev-wasm32" >&2; exit 3; }
}

# debian_source PACKAGE DEBVER DIRNAME SRC OVERRIDE PROBE: unless SRC/PROBE
# exists, `apt-get source PACKAGE=DEBVER` (apt checks the .dsc's checksums; deb-src
# must be enabled) into .cache/ and moves its DIRNAME folder to SRC. OVERRIDE is
# the name of the variable that may point SRC elsewhere; then nothing is fetched.
debian_source() {
  _pkg=$1 _debver=$2 _dirname=$3 _src=$4 _override=$5 _probe=$6
  [ -f "$_src/$_probe" ] && return 0
  eval "_given=\${$_override:-}"
  [ -z "$_given" ] || { echo "$_override=$_src has no $_pkg source" >&2; exit 3; }
  mkdir -p "$ROOT/.cache/apt-source"
  if ! (cd "$ROOT/.cache/apt-source" && apt-get source -qq "$_pkg=$_debver" >&2); then
    echo "apt-get source $_pkg=$_debver failed (deb-src not enabled?)" >&2
    exit 3
  fi
  rm -rf "$_src"
  mv "$ROOT/.cache/apt-source/$_dirname" "$_src"
  rm -rf "$ROOT/.cache/apt-source"
}
