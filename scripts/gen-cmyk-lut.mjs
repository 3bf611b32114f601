#!/usr/bin/env node
/**
 * Regenerates src/codec/jpeg/cmyk-lut.generated.ts: a 4D lookup table from CMYK ink
 * amounts to sRGB, sampled from libvips' own CMYK -> sRGB conversion (through
 * sharp), so our CMYK JPEG decode matches what libvips (`vips thumbnail`,
 * vips_colourspace) produces for CMYK files without an embedded profile.
 *
 * Run: `node scripts/gen-cmyk-lut.mjs` (needs the sharp devDependency).
 *
 * How the samples are converted: the grid is written as an uncompressed CMYK
 * TIFF (Photometric=Separated; 0 = no ink), loaded by sharp with
 * `pipelineColourspace('cmyk')` (so sharp does not run its own perceptual
 * icc_transform) and written with `toColourspace('srgb')`, i.e.
 * vips_colourspace: CMYK2XYZ (lcms, libvips' fallback CMYK profile, relative
 * colorimetric, D65) then XYZ -> sRGB. That is the path `vips thumbnail` takes
 * for a profile-less CMYK JPEG (checked: pil_sample_cmyk.jpg converted this
 * way and shrunk to 64 px is within 0.6 of the libvips reference).
 *
 * The fallback profile is "Chemical proof" by Graeme W. Gill (ArgyllCMS),
 * whose copyright tag reads "Released into the public domain". The script
 * checks that this is still the profile libvips attaches before writing.
 */
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const sharp = require('sharp');

/** Grid points per channel (N^4 entries of 3 bytes). 11: mean error 0.4, max 16 (saturated cyans) vs libvips. */
const N = 11;

/** Minimal little-endian baseline TIFF: uncompressed, chunky, 8-bit CMYK. */
function cmykTiff(width, height, data) {
  const entries = [
    [256, 4, 1, width], // ImageWidth
    [257, 4, 1, height], // ImageLength
    [258, 3, 4, 'bps'], // BitsPerSample 8,8,8,8 (stored out of line)
    [259, 3, 1, 1], // Compression: none
    [262, 3, 1, 5], // PhotometricInterpretation: separated
    [273, 4, 1, 'data'], // StripOffsets
    [277, 3, 1, 4], // SamplesPerPixel
    [278, 4, 1, height], // RowsPerStrip
    [279, 4, 1, data.length], // StripByteCounts
    [284, 3, 1, 1], // PlanarConfiguration: chunky
    [332, 3, 1, 1], // InkSet: CMYK
  ];
  const ifdOffset = 8;
  const bpsOffset = ifdOffset + 2 + entries.length * 12 + 4;
  const dataOffset = bpsOffset + 8;
  const buf = Buffer.alloc(dataOffset + data.length);
  buf.write('II', 0);
  buf.writeUInt16LE(42, 2);
  buf.writeUInt32LE(ifdOffset, 4);
  buf.writeUInt16LE(entries.length, ifdOffset);
  entries.forEach(([tag, type, count, value], i) => {
    const o = ifdOffset + 2 + i * 12;
    const v = value === 'bps' ? bpsOffset : value === 'data' ? dataOffset : value;
    buf.writeUInt16LE(tag, o);
    buf.writeUInt16LE(type, o + 2);
    buf.writeUInt32LE(count, o + 4);
    if (type === 3 && count === 1) buf.writeUInt16LE(v, o + 8);
    else buf.writeUInt32LE(v, o + 8);
  });
  for (let i = 0; i < 4; i++) buf.writeUInt16LE(8, bpsOffset + i * 2);
  Buffer.from(data.buffer, data.byteOffset, data.length).copy(buf, dataOffset);
  return buf;
}

/** Converts n CMYK samples (ink, 0..255) to sRGB with libvips. */
export async function libvipsCmykToSrgb(cmyk, n) {
  const width = 256;
  const height = Math.ceil(n / width);
  const data = new Uint8Array(width * height * 4);
  data.set(cmyk.subarray(0, n * 4));
  const { data: rgb, info } = await sharp(cmykTiff(width, height, data))
    .pipelineColourspace('cmyk')
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`expected 3 channels, got ${info.channels}`);
  return new Uint8Array(rgb.buffer, rgb.byteOffset, n * 3);
}

/** The profile libvips attaches to CMYK images that have none (read back from an export). */
async function fallbackProfileCopyright() {
  const cmyk = await sharp({ create: { width: 2, height: 2, channels: 3, background: '#808080' } })
    .toColourspace('cmyk')
    .withIccProfile('cmyk')
    .tiff()
    .toBuffer();
  const { icc } = await sharp(cmyk).metadata();
  const text = icc.toString('latin1');
  const desc = /Chemical proof/.test(text) ? 'Chemical proof' : undefined;
  const cprt = /Created by Graeme W\. Gill\. Released into the public domain\.[^\0]*/.exec(text)?.[0];
  if (!desc || !cprt) throw new Error('libvips fallback CMYK profile changed: check its licence before regenerating');
  return { desc, cprt };
}

async function main() {
  const { desc, cprt } = await fallbackProfileCopyright();
  const grid = new Uint8Array(N ** 4 * 4);
  let p = 0;
  for (let c = 0; c < N; c++)
    for (let m = 0; m < N; m++)
      for (let y = 0; y < N; y++)
        for (let k = 0; k < N; k++) {
          for (const v of [c, m, y, k]) grid[p++] = Math.round((v * 255) / (N - 1));
        }
  const rgb = await libvipsCmykToSrgb(grid, N ** 4);
  const base64 = Buffer.from(rgb).toString('base64');
  const lines = base64.match(/.{1,120}/g).map((l) => `  '${l}'`).join(' +\n');
  const vipsVersion = sharp.versions.vips;
  const out = `// GENERATED by scripts/gen-cmyk-lut.mjs; do not edit, regenerate.
//
// CMYK (ink amounts 0..255, 0 = no ink) -> sRGB, sampled on a ${N}^4 grid from
// libvips ${vipsVersion} (sharp ${sharp.versions.sharp}) vips_colourspace CMYK -> sRGB: lcms
// through libvips' fallback CMYK profile "${desc}", relative colorimetric.
// Profile origin and licence (its ICC copyright tag): "${cprt.trim()}"
// (ArgyllCMS). libvips embeds it as its built-in "cmyk" profile.
//
// Layout: index ((c * N + m) * N + y) * N + k, 3 bytes (R, G, B) per entry.

/** Grid points per channel. */
export const CMYK_LUT_STEPS = ${N};

/** ${N ** 4} RGB triples, base64. */
export const CMYK_LUT_BASE64 =
${lines};
`;
  const target = join(root, 'src/codec/jpeg/cmyk-lut.generated.ts');
  writeFileSync(target, out);
  console.log(`wrote ${target} (${N}^4 grid, ${rgb.length} bytes, libvips ${vipsVersion})`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
