#!/bin/sh
# Writes test/fixtures/formats/: HEIC and TIFF sources for the corpus test
# (test/corpus/formats.test.ts) and, for each decodable one, a libvips
# reference thumbnail that fits 64x64 (ref/<name>.png, orientation applied,
# alpha kept, converted to sRGB), as ../shared/corpus/ref was made.
#
# Needs Debian's libheif-examples (heif-enc), libvips-tools (vips), libtiff-tools
# (tiffcp, tiffset), imagemagick (convert) and libavif-bin (avifenc):
#   apt-get install -y libheif-examples libvips-tools libtiff-tools imagemagick libavif-bin
# HEIC layouts heif-enc 1.15 cannot write (grids, irot/imir, an EXIF item) are
# muxed from heif-enc's HEVC output by scripts/heif-mux.mjs.
# Sources: images of ../shared/corpus (see its SOURCES.md for licences) and
# test/color/fixtures/p3.jpg (scripts/make-colour-fixtures.mjs); the list is
# in test/fixtures/formats/README.md. Output is deterministic for given tool versions.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CORPUS=${THUMBFLARE_CORPUS:-$ROOT/../shared/corpus}
OUT=$ROOT/test/fixtures/formats
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mkdir -p "$OUT/heic" "$OUT/tiff" "$OUT/bad" "$OUT/ref"
MUX="node $ROOT/scripts/heif-mux.mjs"

# --- bases (8-bit sRGB PNGs) -------------------------------------------------
vips thumbnail "$CORPUS/jpeg/flower.jpg" "$T/flower.png" 240            # 240x180 photo
vips thumbnail "$CORPUS/exif/Landscape_1.jpg" "$T/land.png" 768 --height 512 --crop centre  # 768x512
cp "$CORPUS/png/pil123rgba.png" "$T/alpha.png"                           # 162x150, alpha
vips copy "$CORPUS/jpeg/hopper_gray.jpg" "$T/gray.png"
# Display P3: the colour fixture's pixels and profile (sRGB red stored as P3 234,51,35).
vips copy "$ROOT/test/color/fixtures/p3.jpg" "$T/p3.png"

# --- HEIC --------------------------------------------------------------------
heif-enc -q 70 "$T/flower.png" -o "$OUT/heic/photo.heic"
heif-enc -q 70 "$T/alpha.png" -o "$OUT/heic/alpha.heic"
heif-enc -q 90 "$T/p3.png" -o "$OUT/heic/p3-icc.heic"
# 10-bit HEVC (Main 10) from a 16-bit PNG.
vips colourspace "$T/flower.png" "$T/flower16.png" rgb16
heif-enc -q 70 -b 10 "$T/flower16.png" -o "$OUT/heic/10bit.heic"
# iPhone-style grid: 3x2 tiles of 256x256, output 700x420 (last column and row cropped).
for r in 0 1; do for c in 0 1 2; do
  vips crop "$T/land.png" "$T/tile-$r-$c.png" $((c * 256)) $((r * 256)) 256 256
  heif-enc -q 70 "$T/tile-$r-$c.png" -o "$T/tile-$r-$c.heic"
done; done
$MUX "$OUT/heic/grid.heic" --grid 3x2 --size 700x420 \
  "$T/tile-0-0.heic" "$T/tile-0-1.heic" "$T/tile-0-2.heic" "$T/tile-1-0.heic" "$T/tile-1-1.heic" "$T/tile-1-2.heic"
# Transforms: irot 3 (270 degrees anti-clockwise = 90 clockwise) with an EXIF item saying
# Orientation 6 (the same turn), as iPhones write both; imir 1 (top-bottom) with irot 1.
heif-enc -q 70 "$T/flower.png" -o "$T/flower.heic"
$MUX "$OUT/heic/irot-exif6.heic" --irot 3 --exif-orientation 6 "$T/flower.heic"
$MUX "$OUT/heic/irot1-imir1.heic" --irot 1 --imir 1 "$T/flower.heic"
# A grid with a transform on the grid item.
$MUX "$OUT/heic/grid-irot1.heic" --grid 3x2 --size 700x420 --irot 1 \
  "$T/tile-0-0.heic" "$T/tile-0-1.heic" "$T/tile-0-2.heic" "$T/tile-1-0.heic" "$T/tile-1-1.heic" "$T/tile-1-2.heic"

# 12 MP iPhone-style grid for the memory test: 4032x3024 from 8x6 tiles of 512x512.
vips resize "$CORPUS/exif/Landscape_1.jpg" "$T/big.png" 2.2755 --vscale 2.56
for r in 0 1 2 3 4 5; do for c in 0 1 2 3 4 5 6 7; do
  vips crop "$T/big.png" "$T/b-$r-$c.png" $((c * 512)) $((r * 512)) 512 512
  heif-enc -q 50 "$T/b-$r-$c.png" -o "$T/b-$r-$c.heic"
  set -- "$@" "$T/b-$r-$c.heic"
done; done
$MUX "$OUT/heic/12mp-grid.heic" --grid 8x6 --size 4032x3024 --irot 3 "$@"

# --- AVIF sequence (still AVIF decodes already; this keeps a sequence's first frame working) ---
# Needs libavif-bin (avifenc). Two frames: the flower, then mirrored; the first is decoded.
mkdir -p "$OUT/avif"
vips flip "$T/flower.png" "$T/flower-flipped.png" horizontal
avifenc -s 8 "$T/flower.png" "$T/flower-flipped.png" "$OUT/avif/sequence.avif" > /dev/null

# --- TIFF --------------------------------------------------------------------
vips copy "$T/flower.png" "$T/flower.tif"
tiffcp -c none "$T/flower.tif" "$OUT/tiff/rgb-none.tif"
tiffcp -c lzw:2 "$T/flower.tif" "$OUT/tiff/rgb-lzw-predictor.tif"
tiffcp -c zip "$T/flower.tif" "$OUT/tiff/rgb-deflate.tif"
tiffcp -c packbits "$T/flower.tif" "$OUT/tiff/rgb-packbits.tif"
tiffcp -c lzw -r 16 "$T/flower.tif" "$OUT/tiff/rgb-lzw-strips.tif"
vips copy "$T/flower16.png" "$T/rgb16.tif"
tiffcp -c zip "$T/rgb16.tif" "$OUT/tiff/rgb16-deflate.tif"
# Big-endian ("MM") 16-bit.
tiffcp -B -c none "$T/rgb16.tif" "$OUT/tiff/rgb16-bigendian.tif"
vips copy "$T/alpha.png" "$OUT/tiff/rgba-lzw.tif[compression=lzw]"
vips copy "$T/gray.png" "$OUT/tiff/gray-packbits.tif[compression=none]"
tiffcp -c packbits "$OUT/tiff/gray-packbits.tif" "$T/g.tif" && mv "$T/g.tif" "$OUT/tiff/gray-packbits.tif"
# CMYK without a profile (ImageMagick's naive split; libvips converts with its fallback press profile).
convert "$T/flower.png" -colorspace CMYK -compress LZW "$OUT/tiff/cmyk-lzw.tif"
vips copy "$T/p3.png" "$OUT/tiff/p3-icc.tif[compression=deflate]"
# Orientation tag 274 = 6 (rotate 90 clockwise to display) and 3.
cp "$OUT/tiff/rgb-lzw-predictor.tif" "$OUT/tiff/orientation-6.tif" && tiffset -s 274 6 "$OUT/tiff/orientation-6.tif"
cp "$OUT/tiff/rgb-deflate.tif" "$OUT/tiff/orientation-3.tif" && tiffset -s 274 3 "$OUT/tiff/orientation-3.tif"
# Two pages: the flower, then the grey hopper (the first page is the one decoded).
tiffcp -c lzw "$T/flower.tif" "$OUT/tiff/gray-packbits.tif" "$OUT/tiff/multipage.tif"
# Palette (colour map).
convert "$T/flower.png" -colors 64 -type Palette -compress LZW "$OUT/tiff/palette-lzw.tif"

# --- bad ---------------------------------------------------------------------
head -c 3000 "$OUT/heic/photo.heic" > "$OUT/bad/truncated.heic"
head -c 400 "$OUT/heic/photo.heic" > "$OUT/bad/truncated-meta.heic"
head -c 20000 "$OUT/tiff/rgb-none.tif" > "$OUT/bad/truncated.tif"
# First IFD's next-IFD offset pointing back at itself (a naive IFD walker loops for ever).
node -e '
const fs = require("fs"); const b = fs.readFileSync(process.argv[1]);
const le = b[0] === 0x49; const r32 = (o) => le ? b.readUInt32LE(o) : b.readUInt32BE(o); const r16 = (o) => le ? b.readUInt16LE(o) : b.readUInt16BE(o);
const ifd = r32(4); const next = ifd + 2 + r16(ifd) * 12; le ? b.writeUInt32LE(ifd, next) : b.writeUInt32BE(ifd, next);
fs.writeFileSync(process.argv[2], b);' "$OUT/tiff/rgb-packbits.tif" "$OUT/bad/ifd-cycle.tif"
# A deflate bomb: a 64x64 RGB page whose one Deflate strip inflates to 64 MiB of zeros.
node -e '
const fs = require("fs"); const z = require("zlib").deflateSync(Buffer.alloc(64 * 1024 * 1024), { level: 9 });
const e = (tag, type, count, value) => { const b = Buffer.alloc(12); b.writeUInt16LE(tag); b.writeUInt16LE(type, 2); b.writeUInt32LE(count, 4); type === 3 && count === 1 ? b.writeUInt16LE(value, 8) : b.writeUInt32LE(value, 8); return b; };
const entries = [e(256, 3, 1, 64), e(257, 3, 1, 64), e(258, 3, 1, 8), e(259, 3, 1, 8), e(262, 3, 1, 2), e(273, 4, 1, 8 + 2 + 9 * 12 + 4), e(277, 3, 1, 3), e(278, 3, 1, 64), e(279, 4, 1, z.length)];
const head = Buffer.from([0x49, 0x49, 42, 0, 8, 0, 0, 0]); const count = Buffer.alloc(2); count.writeUInt16LE(entries.length);
fs.writeFileSync(process.argv[1], Buffer.concat([head, count, ...entries, Buffer.alloc(4), z]));' "$OUT/bad/deflate-bomb.tif"
# Compression 34712 (JPEG 2000): a clear 415.
cp "$OUT/tiff/rgb-none.tif" "$OUT/bad/jpeg2000.tif" && tiffset -s 259 34712 "$OUT/bad/jpeg2000.tif"
# Image data replaced by junk after a valid header.
node -e '
const fs = require("fs"); const b = fs.readFileSync(process.argv[1]);
for (let i = b.length - 1500; i < b.length; i++) b[i] = (i * 7919) & 255;
fs.writeFileSync(process.argv[2], b);' "$OUT/heic/photo.heic" "$OUT/bad/junk-data.heic"

# --- references --------------------------------------------------------------
for f in "$OUT"/heic/*.heic "$OUT"/tiff/*.tif; do
  name=$(basename "$(dirname "$f")")_$(basename "$f")
  vips thumbnail "$f" "$OUT/ref/$name.png" 64 --height 64 --export-profile srgb
done
# libheif 1.15 does not read AVIF sequences: the reference is the first frame's source.
vips thumbnail "$T/flower.png" "$OUT/ref/avif_sequence.avif.png" 64 --height 64 --export-profile srgb
ls -la "$OUT"/*/
