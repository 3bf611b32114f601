#!/usr/bin/env node
/**
 * Writes test/color/fixtures/: small images carrying each kind of colour
 * description the Worker must manage, and for each a colour-managed reference
 * made by sharp (libvips + LittleCMS, which converts embedded profiles to sRGB
 * by default, as imgproxy does).
 *
 * Run: `node scripts/make-colour-fixtures.mjs` (needs the sharp devDependency).
 *
 * Profiles, and where they come from:
 * - Display P3: sharp's built-in 'p3' profile; the image is converted from
 *   sRGB to P3 by sharp, so its sRGB red (255,0,0) is stored as P3
 *   (234,51,35): shown unmanaged it is desaturated, managed it must be red.
 * - Adobe RGB (1998) compatible, ProPhoto, Rec. 2020, "Generic RGB"-like,
 *   a LUT (A2B0) RGB profile, a CMYK LUT profile: written here by a small ICC
 *   writer (ICC.1:2022 v4.3 layout; primaries from Adobe RGB (1998) 4.3.2,
 *   ROMM RGB (ISO 22028-2), ITU-R BT.2020, Apple's Generic RGB: 1.8 gamma, its
 *   phosphors), so there is no third-party profile licence to carry.
 *   Their pixel numbers are the base image's sRGB numbers, re-tagged: any
 *   profile works for "convert what the numbers mean".
 * - PNG gAMA + cHRM (no iCCP), and the same numbers with the equivalent ICC.
 * - sRGB-tagged (our own writer's sRGB), which must cost nothing.
 * - A grey JPEG with a grey (kTRC gamma 1.8) profile.
 * The embedding (APP2, iCCP, VP8X/ICCP) is done here by hand so a profile is
 * attached without sharp converting the numbers.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const sharp = require('sharp');
const out = join(root, 'test/color/fixtures');
mkdirSync(out, { recursive: true });

// ---------------------------------------------------------------- base image
const W = 192, H = 128;
/** sRGB patches along the top (the first is the saturated red the P3 test checks). */
const PATCHES = [
  [255, 0, 0], [30, 170, 60], [30, 60, 200], [240, 220, 40],
  [40, 200, 220], [200, 40, 180], [230, 180, 150], [128, 128, 128],
];
function baseImage() {
  const px = Buffer.alloc(W * H * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = (y * W + x) * 3;
      if (y < 48) px.set(PATCHES[Math.floor(x / 24)], i);
      else {
        // Smooth gradients over the rest: photo-like, every channel varies.
        px[i] = Math.round((x / (W - 1)) * 255);
        px[i + 1] = Math.round(((y - 48) / (H - 49)) * 255);
        px[i + 2] = Math.round((1 - x / (W - 1)) * 200 + 30 * Math.sin(y / 9));
      }
    }
  }
  return px;
}

// ---------------------------------------------------------------- colour maths
const D50 = [0.9642, 1, 0.8249];
const BRADFORD = [0.8951, 0.2664, -0.1614, -0.7502, 1.7135, 0.0367, 0.0389, -0.0685, 1.0296];
const mul = (a, b) => [0, 1, 2].flatMap((i) => [0, 1, 2].map((j) => a[i * 3] * b[j] + a[i * 3 + 1] * b[3 + j] + a[i * 3 + 2] * b[6 + j]));
const mv = (m, v) => [0, 1, 2].map((i) => m[i * 3] * v[0] + m[i * 3 + 1] * v[1] + m[i * 3 + 2] * v[2]);
function inv(m) {
  const [a, b, c, d, e, f, g, h, i] = m;
  const A = e * i - f * h, B = -(d * i - f * g), C = d * h - e * g, k = 1 / (a * A + b * B + c * C);
  return [A * k, -(b * i - c * h) * k, (b * f - c * e) * k, B * k, (a * i - c * g) * k, -(a * f - c * d) * k, C * k, -(a * h - b * g) * k, (a * e - b * d) * k];
}
const xyz = ([x, y]) => [x / y, 1, (1 - x - y) / y];
function adapt(from, to) {
  const s = mv(BRADFORD, from), d = mv(BRADFORD, to);
  return mul(inv(BRADFORD), mul([d[0] / s[0], 0, 0, 0, d[1] / s[1], 0, 0, 0, d[2] / s[2]], BRADFORD));
}
/** Linear RGB -> XYZ D50 (columns: adapted colorants) and the chad matrix. */
function primaries({ r, g, b, w }) {
  const P = [xyz(r), xyz(g), xyz(b)];
  const p = [P[0][0], P[1][0], P[2][0], P[0][1], P[1][1], P[2][1], P[0][2], P[1][2], P[2][2]];
  const s = mv(inv(p), xyz(w));
  const toXyz = p.map((v, i) => v * s[i % 3]);
  const chad = adapt(xyz(w), D50);
  return { m: mul(chad, toXyz), chad };
}
const SRGB = { r: [0.64, 0.33], g: [0.3, 0.6], b: [0.15, 0.06], w: [0.3127, 0.329] };
const ADOBE = { r: [0.64, 0.33], g: [0.21, 0.71], b: [0.15, 0.06], w: [0.3127, 0.329] };
const PROPHOTO = { r: [0.7347, 0.2653], g: [0.1596, 0.8404], b: [0.0366, 0.0001], w: [0.3457, 0.3585] };
const REC2020 = { r: [0.708, 0.292], g: [0.17, 0.797], b: [0.131, 0.046], w: [0.3127, 0.329] };
const GENERIC = { r: [0.63, 0.34], g: [0.295, 0.605], b: [0.155, 0.077], w: [0.3127, 0.329] };
const srgbDecode = (v) => (v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);

// ---------------------------------------------------------------- ICC writer
const be32 = (v) => { const b = Buffer.alloc(4); b.writeUInt32BE(v >>> 0); return b; };
const be16 = (v) => { const b = Buffer.alloc(2); b.writeUInt16BE(v); return b; };
const s15 = (v) => { const b = Buffer.alloc(4); b.writeInt32BE(Math.round(v * 65536)); return b; };
const pad4 = (b) => (b.length % 4 ? Buffer.concat([b, Buffer.alloc(4 - (b.length % 4))]) : b);
const tXyz = (v) => Buffer.concat([Buffer.from('XYZ '), Buffer.alloc(4), ...v.map(s15)]);
function tMluc(text) {
  const s = Buffer.from(text, 'utf16le').swap16();
  return Buffer.concat([Buffer.from('mluc'), Buffer.alloc(4), be32(1), be32(12), Buffer.from('enUS'), be32(s.length), be32(28), s]);
}
const tCurvGamma = (g) => Buffer.concat([Buffer.from('curv'), Buffer.alloc(4), be32(1), be16(Math.round(g * 256))]);
const tCurvTable = (f, n) => Buffer.concat([Buffer.from('curv'), Buffer.alloc(4), be32(n), ...Array.from({ length: n }, (_, i) => be16(Math.round(f(i / (n - 1)) * 65535)))]);
const tPara = (type, params) => Buffer.concat([Buffer.from('para'), Buffer.alloc(4), be16(type), Buffer.alloc(2), ...params.map(s15)]);
const tSf32 = (m) => Buffer.concat([Buffer.from('sf32'), Buffer.alloc(4), ...m.map(s15)]);
/** lut16Type ('mft2', ICC.1 10.11): identity input/output tables, CLUT sampled from `fn` (inputs 0..1 -> outputs 0..1). */
function tMft2(inCh, outCh, grid, fn) {
  const parts = [Buffer.from('mft2'), Buffer.alloc(4), Buffer.from([inCh, outCh, grid, 0])];
  for (const v of [1, 0, 0, 0, 1, 0, 0, 0, 1]) parts.push(s15(v));
  parts.push(be16(2), be16(2));
  for (let c = 0; c < inCh; c++) parts.push(be16(0), be16(65535));
  const clut = Buffer.alloc(grid ** inCh * outCh * 2);
  let o = 0;
  const idx = new Array(inCh).fill(0);
  for (let n = 0; n < grid ** inCh; n++) {
    let r = n;
    for (let c = inCh - 1; c >= 0; c--) { idx[c] = r % grid; r = Math.floor(r / grid); }
    for (const v of fn(idx.map((i) => i / (grid - 1)))) { clut.writeUInt16BE(Math.max(0, Math.min(65535, Math.round(v * 65535))), o); o += 2; }
  }
  parts.push(clut);
  for (let c = 0; c < outCh; c++) parts.push(be16(0), be16(65535));
  return Buffer.concat(parts);
}

function writeIcc({ cls = 'mntr', space = 'RGB ', pcs = 'XYZ ', tags }) {
  const entries = Object.entries(tags);
  const table = 4 + entries.length * 12;
  let offset = 128 + table;
  const bodies = [];
  const dir = [be32(entries.length)];
  const seen = new Map();
  for (const [sig, data] of entries) {
    let at = seen.get(data);
    if (at === undefined) {
      at = offset;
      seen.set(data, at);
      const padded = pad4(data);
      bodies.push(padded);
      offset += padded.length;
    }
    dir.push(Buffer.from(sig), be32(at), be32(data.length));
  }
  const header = Buffer.alloc(128);
  header.writeUInt32BE(offset, 0);
  header.write('none', 4);
  header.writeUInt32BE(0x04300000, 8);
  header.write(cls, 12);
  header.write(space, 16);
  header.write(pcs, 20);
  header.writeUInt16BE(2026, 24); header.writeUInt16BE(12, 26); header.writeUInt16BE(1, 28);
  header.write('acsp', 36);
  s15(D50[0]).copy(header, 68); s15(D50[1]).copy(header, 72); s15(D50[2]).copy(header, 76);
  header.write('tflr', 80);
  return Buffer.concat([header, ...dir, ...bodies]);
}

function matrixProfile(name, prim, trc) {
  const { m, chad } = primaries(prim);
  return writeIcc({
    tags: {
      desc: tMluc(name), cprt: tMluc('No copyright, use freely (Thumbflare test fixture)'),
      wtpt: tXyz(D50), chad: tSf32(chad),
      rXYZ: tXyz([m[0], m[3], m[6]]), gXYZ: tXyz([m[1], m[4], m[7]]), bXYZ: tXyz([m[2], m[5], m[8]]),
      rTRC: trc, gTRC: trc, bTRC: trc,
    },
  });
}

// lut16 XYZ encoding (ICC.1 Table 11 legacy): 0..65535 <-> 0 .. 1 + 32767/32768.
const XYZ16 = 1 + 32767 / 32768;
const SRGB_M = primaries(SRGB).m;
/** A device RGB whose channels bleed into each other: only a real LUT interpreter gets it right. */
function lutRgbToXyz([r, g, b]) {
  const l = [srgbDecode(r), srgbDecode(g), srgbDecode(b)];
  const mixed = [0.8 * l[0] + 0.2 * l[1], 0.85 * l[1] + 0.15 * l[2] * l[2], 0.7 * l[2] + 0.3 * l[0] * l[1]];
  return mv(SRGB_M, mixed).map((v) => v / XYZ16);
}
/** lut16 Lab (v2) encoding: L 0..100 -> 0..0xFF00, a/b -128..(127+255/256) -> 0..0xFFFF. */
function labEncode([L, a, b]) {
  return [(L / 100) * (0xff00 / 0xffff), ((a + 128) * 256) / 0xffff, ((b + 128) * 256) / 0xffff];
}
function xyzToLab([X, Y, Z]) {
  const f = (t) => (t > (6 / 29) ** 3 ? Math.cbrt(t) : t / (3 * (6 / 29) ** 2) + 4 / 29);
  const fx = f(X / D50[0]), fy = f(Y / D50[1]), fz = f(Z / D50[2]);
  return [116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)];
}
/** A simple press: inks darken their complementary channel, K darkens all; a slightly warm paper. */
function cmykToLab([c, m, y, k]) {
  const paper = [0.97, 0.96, 0.9];
  const rgb = [(1 - 0.92 * c) * (1 - 0.08 * m) * (1 - 0.85 * k), (1 - 0.9 * m) * (1 - 0.12 * c) * (1 - 0.85 * k), (1 - 0.88 * y) * (1 - 0.1 * m) * (1 - 0.85 * k)];
  const lin = rgb.map((v, i) => Math.max(0, v * paper[i]) ** 1.1);
  return labEncode(xyzToLab(mv(SRGB_M, lin)));
}

const PROFILES = {
  adobe: matrixProfile('Adobe RGB (1998) compatible', ADOBE, tCurvGamma(563 / 256)),
  prophoto: matrixProfile('ProPhoto RGB (ROMM) compatible', PROPHOTO, tPara(3, [1.8, 1, 0, 1 / 16, 1 / 32])),
  rec2020: matrixProfile('Rec. ITU-R BT.2020 compatible', REC2020, tPara(3, [1 / 0.45, 1 / 1.0993, 0.0993 / 1.0993, 1 / 4.5, 0.081])),
  generic: matrixProfile('Generic RGB compatible', GENERIC, tCurvTable((v) => v ** 1.8, 1024)),
  srgb: matrixProfile('sRGB IEC61966-2.1 compatible', SRGB, tPara(3, [2.4, 1 / 1.055, 0.055 / 1.055, 1 / 12.92, 0.04045])),
  gray: writeIcc({ space: 'GRAY', tags: { desc: tMluc('Grey, gamma 1.8'), cprt: tMluc('No copyright, use freely'), wtpt: tXyz(D50), kTRC: tCurvGamma(1.8) } }),
  lut: writeIcc({ cls: 'scnr', tags: { desc: tMluc('Thumbflare LUT RGB test profile'), cprt: tMluc('No copyright, use freely'), wtpt: tXyz(D50), A2B0: tMft2(3, 3, 33, lutRgbToXyz) } }),
  cmyk: writeIcc({ cls: 'prtr', space: 'CMYK', pcs: 'Lab ', tags: { desc: tMluc('Thumbflare CMYK test press'), cprt: tMluc('No copyright, use freely'), wtpt: tXyz(D50), A2B0: tMft2(4, 3, 9, cmykToLab) } }),
};

// ---------------------------------------------------------------- embedding
function jpegWithIcc(jpeg, icc) {
  // Drop any APP2 ICC segments sharp wrote, then insert ours after SOI (+ APP0).
  const segs = [];
  let p = 2;
  while (p < jpeg.length && jpeg[p] === 0xff && jpeg[p + 1] !== 0xda) {
    const len = jpeg.readUInt16BE(p + 2);
    segs.push(jpeg.subarray(p, p + 2 + len));
    p += 2 + len;
  }
  const keep = segs.filter((s) => !(s[1] === 0xe2 && s.subarray(4, 16).toString('latin1') === 'ICC_PROFILE\0'));
  const max = 65519;
  const n = Math.ceil(icc.length / max);
  const app2 = Array.from({ length: n }, (_, i) => {
    const part = icc.subarray(i * max, (i + 1) * max);
    return Buffer.concat([Buffer.from([0xff, 0xe2]), be16(2 + 14 + part.length), Buffer.from('ICC_PROFILE\0', 'latin1'), Buffer.from([i + 1, n]), part]);
  });
  // Written in reverse order on purpose: readers must reassemble by sequence number.
  const app0 = keep[0] && keep[0][1] === 0xe0 ? [keep.shift()] : [];
  return Buffer.concat([jpeg.subarray(0, 2), ...app0, ...app2.reverse(), ...keep, jpeg.subarray(p)]);
}
function pngChunk(type, data) {
  const t = Buffer.from(type, 'latin1');
  return Buffer.concat([be32(data.length), t, data, be32(crc32(Buffer.concat([t, data])))]);
}
function crc32(b) {
  let c = -1;
  for (const v of b) { c ^= v; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; }
  return (c ^ -1) >>> 0;
}
/** Inserts chunks after IHDR, dropping any colour chunks sharp wrote. */
function pngWith(png, chunks) {
  const parts = [png.subarray(0, 33), ...chunks];
  for (let p = 33; p < png.length; ) {
    const len = png.readUInt32BE(p);
    const type = png.subarray(p + 4, p + 8).toString('latin1');
    if (!['iCCP', 'sRGB', 'gAMA', 'cHRM'].includes(type)) parts.push(png.subarray(p, p + 12 + len));
    p += 12 + len;
  }
  return Buffer.concat(parts);
}
const iccp = (icc) => pngChunk('iCCP', Buffer.concat([Buffer.from('ICC profile\0\0', 'latin1'), deflateSync(icc)]));
function webpWithIcc(webp, icc, w, h) {
  const first = webp.subarray(12, 16).toString('latin1');
  if (first === 'VP8X') throw new Error('expected a simple WebP');
  const riff = (type, data) => Buffer.concat([Buffer.from(type), (() => { const b = Buffer.alloc(4); b.writeUInt32LE(data.length); return b; })(), data, Buffer.alloc(data.length & 1)]);
  const x = Buffer.alloc(10);
  x[0] = 0x20;
  x.writeUIntLE(w - 1, 4, 3);
  x.writeUIntLE(h - 1, 7, 3);
  const body = Buffer.concat([Buffer.from('WEBP'), riff('VP8X', x), riff('ICCP', icc), webp.subarray(12)]);
  const size = Buffer.alloc(4);
  size.writeUInt32LE(body.length);
  return Buffer.concat([Buffer.from('RIFF'), size, body]);
}

// ---------------------------------------------------------------- files
const raw = baseImage();
const img = () => sharp(raw, { raw: { width: W, height: H, channels: 3 } });
const files = {};

files['p3.jpg'] = await img().withIccProfile('p3').jpeg({ quality: 95 }).toBuffer();
files['p3.avif'] = await img().withIccProfile('p3').avif({ quality: 90, effort: 2 }).toBuffer();
const plainJpeg = await img().jpeg({ quality: 95 }).toBuffer();
files['generic-rgb.jpg'] = jpegWithIcc(plainJpeg, PROFILES.generic);
files['lut-rgb.jpg'] = jpegWithIcc(plainJpeg, PROFILES.lut); // ~216 KB profile: 4 APP2 chunks
files['srgb-tagged.jpg'] = jpegWithIcc(plainJpeg, PROFILES.srgb);
files['gray-gamma18.jpg'] = jpegWithIcc(await img().toColourspace('b-w').jpeg({ quality: 95 }).toBuffer(), PROFILES.gray);
const plainPng = await img().png().toBuffer();
files['adobe-rgb.png'] = pngWith(plainPng, [iccp(PROFILES.adobe)]);
files['prophoto.png'] = pngWith(plainPng, [iccp(PROFILES.prophoto)]);
const gama = be32(Math.round(100000 / 1.8));
const chrm = Buffer.concat([GENERIC.w, GENERIC.r, GENERIC.g, GENERIC.b].flat().map((v) => be32(Math.round(v * 100000))));
files['gama-chrm.png'] = pngWith(plainPng, [pngChunk('gAMA', gama), pngChunk('cHRM', chrm)]);
files['gama-only.png'] = pngWith(plainPng, [pngChunk('gAMA', gama)]);
// The ICC equivalent of gama-chrm.png, for the gAMA/cHRM test's reference.
files['gama-chrm-as-icc.png'] = pngWith(plainPng, [iccp(matrixProfile('gAMA 1/1.8 + cHRM', GENERIC, tCurvGamma(1.8)))]);
files['rec2020.webp'] = webpWithIcc(await img().webp({ lossless: true }).toBuffer(), PROFILES.rec2020, W, H);
// CMYK numbers from sharp (sRGB -> libvips' CMYK), re-tagged with our press profile.
const cmykJpeg = await img().toColourspace('cmyk').jpeg({ quality: 95 }).toBuffer();
files['cmyk-profile.jpg'] = jpegWithIcc(cmykJpeg, PROFILES.cmyk);

for (const [name, bytes] of Object.entries(files)) {
  writeFileSync(join(out, name), bytes);
  // References: sharp's colour-managed sRGB, at full size and at the e2e size (width 96).
  const full = await sharp(bytes).toColourspace('srgb').png().toBuffer();
  const small = await sharp(bytes).resize(96).toColourspace('srgb').png().toBuffer();
  writeFileSync(join(out, `${name}.ref.png`), full);
  writeFileSync(join(out, `${name}.ref96.png`), small);
  console.log(name, bytes.length, 'bytes');
}
for (const [name, icc] of Object.entries(PROFILES)) writeFileSync(join(out, `${name}.icc`), icc);
