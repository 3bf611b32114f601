/**
 * @module test/support/origin-server
 * Vitest globalSetup (runs in Node): a real HTTP origin on 127.0.0.1 that the
 * Worker under test fetches its sources from. It serves
 *   /corpus/<path>        the shared corpus (../shared/corpus beside the repo)
 *   /samples/<name>       the repo's bundled samples (public/samples)
 *   /colour/<name>        colour-profile fixtures (test/color/fixtures)
 *   /svg/<name>           SVG fixtures (test/fixtures/svg)
 *   /formats/<path>       HEIC/TIFF fixtures and their references (test/fixtures/formats)
 *   /gen/<name>           large images generated once with sharp (see GENERATED)
 *   /fault/<kind>         misbehaving origins: slow, stall, short body, 5xx,
 *                         redirect chains, HTML/SVG, pixel and byte bombs
 *   /mut/<name>           a mutable source: whatever GET /__mut?name=<name>&file=
 *                         <root>/<path>[&cc=<Cache-Control>] last set it to, with a
 *                         new ETag on every set (a source that changes)
 *   POST /__anim         libvips' reading of an animation (test/support/animations.ts)
 *   POST /__libvips/decode  libvips' RGBA8 sRGB pixels of the PNG/JPEG posted (X-Width, X-Height)
 *   POST /__libvips/png-encode?width=&height=[&channels=3][&adaptive=1]  sharp's PNG of the RGBA8 pixels posted
 *   POST /__libvips/jpeg-encode?width=&height=&quality=[&progressive=1]  sharp's JPEG of the RGB8 pixels posted
 *                         (test/codec/jpeg/jsimd-encode.test.ts compares ours with it)
 *   GET /__png-simd-build like /__simd-build, for src/codec/png/simd (scripts/build-simd.sh png)
 *   GET /__color-simd-build like /__simd-build, for src/color/simd (scripts/build-simd.sh color)
 *   GET /__webp-wasm-build like /__jpeg-wasm-build, for src/codec/webp/wasm/libwebp-dec.wasm
 *                     (scripts/build-webp-wasm.sh)
 *   GET /__emscripten-memory-build  scripts/patch-emscripten-memory.mjs run on the installed jSquash
 *                     binaries, compared with the committed src/codec/wasm/jsquash copies
 *   POST /__record/<name> a test's measurements, written to test/limits/<name>.json
 *                         (workerd has no file system) for a script to render
 * and counts requests per path (GET /__hits?path=/x) so tests can prove a
 * second request was served from the edge cache; GET /__last-url answers the last
 * source request's path and query (what a cache buster sent). The port reaches the tests
 * through vitest's provide/inject as `originPort`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync, gzipSync } from 'node:zlib';
import sharp from 'sharp';
import type { TestProject } from 'vitest/node';
import { FACE_SCENE, FOCUS_SCENES, renderScene } from './scenes';
import { ANIMATIONS, inspectAnimation } from './animations';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const ROOTS: Record<string, string> = {
  corpus: resolve(process.env.THUMBFLARE_CORPUS ?? resolve(REPO, '../shared/corpus')),
  samples: resolve(REPO, 'public/samples'),
  // Colour-profile fixtures (scripts/make-colour-fixtures.mjs).
  colour: resolve(REPO, 'test/color/fixtures'),
  // SVG fixtures (scripts/make-svg-fixtures.mjs).
  svg: resolve(REPO, 'test/fixtures/svg'),
  // HEIC/TIFF fixtures (scripts/make-format-corpus.sh, test/fixtures/formats/README.md).
  formats: resolve(REPO, 'test/fixtures/formats'),
};

declare module 'vitest' {
  export interface ProvidedContext {
    originPort: number;
  }
}

/** Photo-like noise so encoders and resamplers see realistic content. */
function noisyRgb(width: number, height: number, channels: 3 | 4): Buffer {
  const px = Buffer.alloc(width * height * channels);
  let s = 12345;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      s = (s * 1103515245 + 12345) >>> 0;
      const n = (s >>> 24) / 8;
      const i = (y * width + x) * channels;
      px[i] = (x * 255) / width + n;
      px[i + 1] = (y * 255) / height + n;
      px[i + 2] = 128 + 100 * Math.sin(x / 37) * Math.cos(y / 23);
      if (channels === 4) px[i + 3] = x < width / 4 ? 0 : x < width / 2 ? 128 : 255;
    }
  }
  return px;
}

/** Grey image whose leftmost 20 columns are red. */
function edgeMarked(width: number, height: number): Buffer {
  const px = Buffer.alloc(width * height * 3, 128);
  for (let y = 0; y < height; y++) for (let x = 0; x < 20; x++) px.set([255, 0, 0], (y * width + x) * 3);
  return px;
}

/** Replaces a JPEG's APP2 ICC segments with `icc` (ICC.1 B.4 chunks), without converting its numbers. */
async function jpegWithIcc(jpeg: Buffer, iccFile: string): Promise<Buffer> {
  const icc = await readFile(resolve(ROOTS.colour!, iccFile));
  const parts: Buffer[] = [jpeg.subarray(0, 2)];
  let p = 2;
  while (jpeg[p] === 0xff && jpeg[p + 1] !== 0xda) {
    const len = jpeg.readUInt16BE(p + 2);
    if (!(jpeg[p + 1] === 0xe2 && jpeg.subarray(p + 4, p + 15).toString('latin1') === 'ICC_PROFILE')) parts.push(jpeg.subarray(p, p + 2 + len));
    p += 2 + len;
  }
  const n = Math.ceil(icc.length / 65519);
  for (let i = 0; i < n; i++) {
    const part = icc.subarray(i * 65519, (i + 1) * 65519);
    const head = Buffer.from([0xff, 0xe2, (part.length + 16) >> 8, (part.length + 16) & 0xff]);
    parts.push(head, Buffer.from('ICC_PROFILE\0', 'latin1'), Buffer.from([i + 1, n]), part);
  }
  parts.push(jpeg.subarray(p));
  return Buffer.concat(parts);
}

let p3PhotoBytes: Promise<Buffer> | undefined;
const p3Photo = () =>
  (p3PhotoBytes ??= sharp(resolve(ROOTS.samples!, 'landscape.jpg')).resize(4000, 2667, { fit: 'fill' }).withIccProfile('p3').jpeg({ quality: 95 }).toBuffer());

const photo12mp = () => sharp(noisyRgb(4000, 3000, 3), { raw: { width: 4000, height: 3000, channels: 3 } });

/** A focus test scene (test/support/scenes.ts) as a JPEG. */
async function sceneJpeg(name: string): Promise<{ type: string; body: Buffer }> {
  const s = renderScene(FOCUS_SCENES[name]!);
  return { type: 'image/jpeg', body: await sharp(Buffer.from(s.data), { raw: { width: s.width, height: s.height, channels: 3 } }).jpeg({ quality: 90 }).toBuffer() };
}

/** Test images made on first request and kept in memory. */
/** A photo-like RGBA8 raster: the bundled landscape sample at `width` x `height`, alpha from `alpha(x, y)` (255: opaque). */
async function photoRgba(width: number, height: number, alpha: (x: number, y: number) => number): Promise<Buffer> {
  const px = await sharp(resolve(ROOTS.samples!, 'landscape.jpg')).resize(width, height, { fit: 'fill' }).ensureAlpha().raw().toBuffer();
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) px[(y * width + x) * 4 + 3] = alpha(x, y);
  return px;
}
const opaque = () => 255;
const ramp = (w: number) => (x: number, y: number) => Math.min(255, Math.round((x * 255) / w + 40 * Math.sin(y / 9)));
async function webpOf(width: number, height: number, alpha: (x: number, y: number) => number, options: import('sharp').WebpOptions): Promise<Buffer> {
  return sharp(await photoRgba(width, height, alpha), { raw: { width, height, channels: 4 } }).webp(options).toBuffer();
}
/** The first half of a file, and a copy with every 7th byte past the headers flipped. */
const halved = (b: Buffer) => b.subarray(0, b.length >> 1);
function garbled(b: Buffer): Buffer {
  const out = Buffer.from(b);
  for (let i = 64; i < out.length; i += 7) out[i] = out[i]! ^ 0xa5;
  return out;
}
const WEBP_SOURCES: Record<string, () => Promise<{ type: string; body: Buffer }>> = Object.fromEntries(
  Object.entries({
    'webp/photo-1200x800.webp': () => webpOf(1200, 800, opaque, { quality: 80 }),
    'webp/alpha-1733x1155.webp': () => webpOf(1733, 1155, ramp(1733), { quality: 80 }),
    'webp/lossless-1001x667.webp': () => webpOf(1001, 667, ramp(1001), { lossless: true }),
    'webp/odd-333x97.webp': () => webpOf(333, 97, opaque, { quality: 75 }),
    'webp/odd-alpha-75x33.webp': () => webpOf(75, 33, ramp(75), { quality: 90, alphaQuality: 50 }),
    'webp/odd-lossless-1x17.webp': () => webpOf(1, 17, ramp(1), { lossless: true }),
    'webp/truncated.webp': async () => halved(await webpOf(1200, 800, opaque, { quality: 80 })),
    'webp/truncated-lossless.webp': async () => halved(await webpOf(1001, 667, ramp(1001), { lossless: true })),
    'webp/garbled.webp': async () => garbled(await webpOf(640, 480, opaque, { quality: 80 })),
    'webp/garbled-lossless.webp': async () => garbled(await webpOf(640, 480, ramp(640), { lossless: true })),
  }).map(([name, make]) => [name, async () => ({ type: 'image/webp', body: await make() })]),
);

const GENERATED: Record<string, () => Promise<{ type: string; body: Buffer }>> = {
  // Animated sources for the frame-by-frame path (test/support/animations.ts).
  ...ANIMATIONS,
  ...Object.fromEntries(Object.keys(FOCUS_SCENES).map((name) => [name, () => sceneJpeg(name)])),
  // The same scene stored turned a quarter left with EXIF orientation 6 (turn right to display): it displays as focus-right-bokeh.jpg.
  'focus-right-bokeh-orient6.jpg': async () => {
    const s = renderScene(FOCUS_SCENES['focus-right-bokeh.jpg']!);
    const stored = await sharp(Buffer.from(s.data), { raw: { width: s.width, height: s.height, channels: 3 } }).rotate(270).png().toBuffer();
    return { type: 'image/jpeg', body: await sharp(stored).jpeg({ quality: 90 }).withMetadata({ orientation: 6 }).toBuffer() };
  },
  // The corpus portrait on the left of a wide, plain background: a centre crop misses the face.
  'focus-face-left.jpg': async () => {
    const { width, height, side, left, top } = FACE_SCENE;
    const face = await sharp(resolve(ROOTS.corpus!, 'jpeg/hopper.jpg')).resize(side, side).toBuffer();
    const body = await sharp({ create: { width, height, channels: 3, background: '#8a9aa6' } }).composite([{ input: face, left, top }]).jpeg({ quality: 90 }).toBuffer();
    return { type: 'image/jpeg', body };
  },
  // TIFF for the memory test (issue 15): 4.9 MP (MAX_SOURCE_PIXELS is 5), Deflate and LZW with the predictor.
  '5mp-deflate.tif': async () => ({ type: 'image/tiff', body: await sharp(noisyRgb(2560, 1920, 3), { raw: { width: 2560, height: 1920, channels: 3 } }).tiff({ compression: 'deflate' }).toBuffer() }),
  '5mp-16bit-lzw.tif': async () => ({ type: 'image/tiff', body: await sharp(resolve(ROOTS.samples!, 'landscape.jpg')).resize(2560, 1920, { fit: 'fill' }).toColourspace('rgb16').tiff({ compression: 'lzw', predictor: 'horizontal' }).toBuffer() }),
  '12mp.jpg': async () => ({ type: 'image/jpeg', body: await sharp(noisyRgb(4000, 3000, 3), { raw: { width: 4000, height: 3000, channels: 3 } }).jpeg({ quality: 85 }).toBuffer() }),
  '24mp.jpg': async () => ({ type: 'image/jpeg', body: await sharp(noisyRgb(6000, 4000, 3), { raw: { width: 6000, height: 4000, channels: 3 } }).jpeg({ quality: 85 }).toBuffer() }),
  '12mp-progressive.jpg': async () => ({ type: 'image/jpeg', body: await sharp(noisyRgb(4000, 3000, 3), { raw: { width: 4000, height: 3000, channels: 3 } }).jpeg({ quality: 85, progressive: true }).toBuffer() }),
  // A screenshot-like 12 MP RGBA PNG (the sample photo enlarged): compressible, unlike noise.
  '12mp.png': async () => ({ type: 'image/png', body: await sharp(resolve(ROOTS.samples!, 'landscape.jpg')).resize(4000, 3000, { fit: 'fill' }).ensureAlpha(0.9).png().toBuffer() }),
  // Colour: a 12 MP Display P3 photo (sharp converts to P3 and tags it), the same numbers with a
  // LUT (A2B0) profile, and a CMYK JPEG with an embedded CMYK profile (test/color/fixtures).
  'p3-12mp.jpg': async () => ({ type: 'image/jpeg', body: await photo12mp().withIccProfile('p3').jpeg({ quality: 85 }).toBuffer() }),
  'lut-12mp.jpg': async () => ({ type: 'image/jpeg', body: await jpegWithIcc(await photo12mp().jpeg({ quality: 85 }).toBuffer(), 'lut.icc') }),
  // 3 MP, not 12: libvips' own sRGB -> CMYK conversion takes over 10 s at 12 MP on a loaded machine.
  'cmyk-3mp.jpg': async () => ({
    type: 'image/jpeg',
    body: await jpegWithIcc(await sharp(noisyRgb(2000, 1500, 3), { raw: { width: 2000, height: 1500, channels: 3 } }).toColourspace('cmyk').jpeg({ quality: 85 }).toBuffer(), 'cmyk.icc'),
  }),
  // The bundled photo enlarged to 10 MP and converted to Display P3 by sharp, and sharp's
  // colour-managed sRGB of that file (both JPEG q95, so both decode through the same DCT scaling).
  'p3-photo.jpg': async () => ({ type: 'image/jpeg', body: await p3Photo() }),
  'p3-photo-ref.jpg': async () => ({ type: 'image/jpeg', body: await sharp(await p3Photo()).toColourspace('srgb').jpeg({ quality: 95 }).toBuffer() }),
  // The bundled landscape.jpg with an EXIF APP1 (camera make, GPS position) spliced in after
  // SOI: the same image data, so only its metadata keeps it from being passed through.
  'landscape-gps.jpg': async () => {
    const carrier = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#888' } }).jpeg().withExif({
      IFD0: { Make: 'Thumbflare test' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1', GPSLongitudeRef: 'W', GPSLongitude: '0/1 7/1 0/1' },
    }).toBuffer();
    if (carrier[2] !== 0xff || carrier[3] !== 0xe1) throw new Error('expected sharp to write APP1 first');
    const app1 = carrier.subarray(2, 4 + carrier.readUInt16BE(4));
    const photo = await readFile(resolve(ROOTS.samples!, 'landscape.jpg'));
    return { type: 'image/jpeg', body: Buffer.concat([photo.subarray(0, 2), app1, photo.subarray(2)]) };
  },
  // Cloudflare's metadata option (test/e2e/cloudflare-options.test.ts): a 64x48 image stored with EXIF orientation 6
  // (displays 48x64), EXIF Copyright, Artist, Make and a GPS position, and an XMP packet, in each format that carries them.
  ...Object.fromEntries((['jpeg', 'png', 'webp'] as const).map((f) => [`meta-exif.${f === 'jpeg' ? 'jpg' : f}`, async () => ({
    type: `image/${f}`,
    body: await sharp({ create: { width: 64, height: 48, channels: 3, background: '#3366cc' } })[f]()
      .withExif({
        IFD0: { Copyright: 'Copyright 2026 Thumbflare test', Artist: 'Jane Test', Make: 'TestCam' },
        IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1', GPSLongitudeRef: 'W', GPSLongitude: '0/1 7/1 0/1' },
      })
      .withMetadata({ orientation: 6 })
      .withXmp('<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:tiff="http://ns.adobe.com/tiff/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/" tiff:Orientation="6"><dc:creator>Jane XMP</dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>')
      .toBuffer(),
  })])),
  'photo-640.jpg': async () => ({ type: 'image/jpeg', body: await sharp(noisyRgb(640, 480, 3), { raw: { width: 640, height: 480, channels: 3 } }).jpeg({ quality: 90 }).toBuffer() }),
  // The output-memory table's sources (test/limits/output-memory.test.ts): a Full HD photo and a small alpha PNG.
  '1080p.jpg': async () => ({ type: 'image/jpeg', body: await sharp(noisyRgb(1920, 1080, 3), { raw: { width: 1920, height: 1080, channels: 3 } }).jpeg({ quality: 85 }).toBuffer() }),
  'alpha-600.png': async () => ({ type: 'image/png', body: await sharp(noisyRgb(600, 400, 4), { raw: { width: 600, height: 400, channels: 4 } }).png().toBuffer() }),
  'alpha-400.png': async () => ({ type: 'image/png', body: await sharp(noisyRgb(400, 300, 4), { raw: { width: 400, height: 300, channels: 4 } }).png().toBuffer() }),
  // A palette PNG at sharp's strongest compression: a plain re-encode comes out larger (src/passthrough.ts).
  'palette-300.png': async () => ({ type: 'image/png', body: await sharp(resolve(ROOTS.samples!, 'landscape.jpg')).resize(300, 200).png({ palette: true, colours: 16, compressionLevel: 9, effort: 10 }).toBuffer() }),
  'halves.png': async () => {
    // Left half red, right half blue: shows which side a crop kept.
    const w = 200, h = 100, px = Buffer.alloc(w * h * 3);
    for (let i = 0; i < w * h; i++) {
      const left = i % w < w / 2;
      px[i * 3] = left ? 255 : 0;
      px[i * 3 + 2] = left ? 0 : 255;
    }
    return { type: 'image/png', body: await sharp(px, { raw: { width: w, height: h, channels: 3 } }).png().toBuffer() };
  },
  // Thumbor dialect: a 200x100 green image inside a 30 px white border (trim), and a 40x20 opaque blue mark (watermark).
  'bordered.png': async () => {
    const w = 260, h = 160, px = Buffer.alloc(w * h * 3, 255);
    for (let y = 30; y < 130; y++) for (let x = 30; x < 230; x++) px.set([0, 160, 0], (y * w + x) * 3);
    return { type: 'image/png', body: await sharp(px, { raw: { width: w, height: h, channels: 3 } }).png().toBuffer() };
  },
  'mark.png': async () => ({ type: 'image/png', body: await sharp({ create: { width: 40, height: 20, channels: 4, background: { r: 0, g: 0, b: 255, alpha: 1 } } }).png().toBuffer() }),
  // Orientation 6 in a PNG eXIf chunk and a WebP EXIF chunk (300x200 stored, 200x300 displayed),
  // with a red left edge so the rotation's direction shows.
  'orient6.png': async () => ({ type: 'image/png', body: await sharp(edgeMarked(300, 200), { raw: { width: 300, height: 200, channels: 3 } }).png().withMetadata({ orientation: 6 }).toBuffer() }),
  'orient6.webp': async () => ({ type: 'image/webp', body: await sharp(edgeMarked(300, 200), { raw: { width: 300, height: 200, channels: 3 } }).webp({ lossless: true }).withMetadata({ orientation: 6 }).toBuffer() }),
  // The corpus has no animated WebP: the 5-frame corpus GIF converted.
  'animated.webp': async () => ({ type: 'image/webp', body: await sharp(resolve(ROOTS.corpus!, 'gif/dispose_bgnd.gif'), { animated: true }).webp({ quality: 80 }).toBuffer() }),
  // WebP decoder tests (test/codec/webp/libwebp.test.ts): sharp's libwebp encodes of a photo at the
  // bench's size, lossy with an alpha ramp (2 MP), lossless, odd sizes, and damaged copies.
  ...WEBP_SOURCES,
  'orient6.jpg': async () => ({
    type: 'image/jpeg',
    body: await sharp(noisyRgb(300, 200, 3), { raw: { width: 300, height: 200, channels: 3 } }).jpeg().withMetadata({ orientation: 6 }).toBuffer(),
  }),
};
const generatedCache = new Map<string, Promise<{ type: string; body: Buffer }>>();

/** A PNG whose IHDR claims 20000x20000 with a tiny IDAT: refused from the header alone. */
function pngBomb(): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: Buffer) => {
    let c = 0xffffffff;
    for (const v of b) c = crcTable[(c ^ v) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(20000, 0);
  ihdr.writeUInt32BE(20000, 4);
  ihdr[8] = 8;
  ihdr[9] = 6;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.alloc(1000))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const hits = new Map<string, number>();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function serveFault(kind: string, url: URL, res: ServerResponse): Promise<void> {
  const sample = await readFile(resolve(ROOTS.samples!, 'landscape.jpg'));
  switch (kind) {
    case 'slow': // answers after ?ms=
      await sleep(Number(url.searchParams.get('ms') ?? 3000));
      res.writeHead(200, { 'Content-Type': 'image/jpeg' }).end(sample);
      return;
    case 'stall': // headers and half the body, then silence
      res.writeHead(200, { 'Content-Type': 'image/jpeg', 'Content-Length': String(sample.length) });
      res.write(sample.subarray(0, sample.length >> 1));
      await sleep(Number(url.searchParams.get('ms') ?? 5000));
      res.destroy();
      return;
    case 'short': // promises more bytes than it sends, then closes
      res.writeHead(200, { 'Content-Type': 'image/jpeg', 'Content-Length': String(sample.length + 5000) });
      res.write(sample);
      res.destroy();
      return;
    case 'error':
      res.writeHead(Number(url.searchParams.get('status') ?? 500), { 'Content-Type': 'text/plain' }).end('origin error');
      return;
    case 'reset':
      res.socket?.destroy();
      return;
    case 'redirect': { // /fault/redirect?n=K: K hops, then the sample
      const n = Number(url.searchParams.get('n') ?? 1);
      const to = url.searchParams.get('to');
      res.writeHead(302, { Location: to ?? (n > 1 ? `/fault/redirect?n=${n - 1}` : '/samples/landscape.jpg') }).end();
      return;
    }
    case 'loop':
      res.writeHead(302, { Location: '/fault/loop' }).end();
      return;
    case 'html':
      res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><html><body>not an image</body></html>');
      return;
    case 'svg':
      res.writeHead(200, { 'Content-Type': 'image/svg+xml' }).end('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>');
      return;
    case 'pngbomb':
      res.writeHead(200, { 'Content-Type': 'image/png' }).end(pngBomb());
      return;
    case 'bytebomb': { // endless chunked body, no Content-Length
      res.writeHead(200, { 'Content-Type': 'image/jpeg' });
      const block = Buffer.alloc(1 << 20, 0xff);
      for (let i = 0; i < 64 && !res.destroyed; i++) {
        if (!res.write(block)) await new Promise((r) => res.once('drain', r));
      }
      res.end();
      return;
    }
    case 'chunked': // the sample with no Content-Length, in 1000-byte writes: the body read grows its buffer
      res.writeHead(200, { 'Content-Type': 'image/jpeg' });
      for (let i = 0; i < sample.length; i += 1000) res.write(sample.subarray(i, i + 1000));
      res.end();
      return;
    case 'gzip': { // Content-Length counts the compressed bytes; fetch hands the Worker the larger decoded body
      const body = gzipSync(sample);
      res.writeHead(200, { 'Content-Type': 'image/jpeg', 'Content-Encoding': 'gzip', 'Content-Length': String(body.length) });
      res.end(body);
      return;
    }
    case 'gzipbomb': { // 64 MB of zeros in ~64 KB of gzip, with an honest (compressed) Content-Length
      const body = gzipSync(Buffer.alloc(64 << 20));
      res.writeHead(200, { 'Content-Type': 'image/jpeg', 'Content-Encoding': 'gzip', 'Content-Length': String(body.length) });
      res.end(body);
      return;
    }
    case 'bigdeclared':
      res.writeHead(200, { 'Content-Type': 'image/jpeg', 'Content-Length': String(500_000_000) });
      res.write(sample.subarray(0, 100));
      await sleep(200);
      res.destroy();
      return;
  }
  res.writeHead(404).end();
}

let reqHeaders: Record<string, unknown> = {};
let lastUrl = '';

/** Mutable sources: name -> current body, ETag and Cache-Control. */
const mutable = new Map<string, { body: Buffer; etag: string; cacheControl?: string }>();
let mutations = 0;

async function setMutable(url: URL, res: ServerResponse): Promise<void> {
  const name = url.searchParams.get('name') ?? '';
  const [root, ...rest] = (url.searchParams.get('file') ?? '').split('/');
  const dir = ROOTS[root ?? ''];
  const file = dir && resolve(dir, rest.join('/'));
  if (!name || !dir || !file || !file.startsWith(dir + sep)) return void res.writeHead(400).end();
  const body = await readFile(file);
  const etag = `"mut-${++mutations}"`;
  mutable.set(name, { body, etag, cacheControl: url.searchParams.get('cc') ?? undefined });
  res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ etag }));
}

/**
 * For the tests of our committed WASM builds (workerd cannot run a compiler):
 * the committed binary's sha256, its manifest's (`<file>.sha256` beside it),
 * and, unless the build script exits 3 (no toolchain or no source here), a fresh
 * build's sha256 and whether it is byte-identical. `script` is run with `args`
 * and then the output folder: scripts/build-simd.sh resize|png|color,
 * scripts/build-jpeg-wasm.sh, scripts/build-webp-wasm.sh.
 */
async function wasmBuildReport(script: string, args: string[], folder: string, file: string) {
  const dir = resolve(REPO, folder);
  const committed = await readFile(resolve(dir, file));
  const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
  const manifestSha256 = (await readFile(resolve(dir, `${file}.sha256`), 'utf8')).trim();
  const out = mkdtempSync(resolve(tmpdir(), 'tf-wasm-build-'));
  try {
    const build = spawnSync('sh', [resolve(REPO, script), ...args, out], { encoding: 'utf8' });
    if (build.status === 3) return { toolchain: null, reason: build.stderr.trim(), committedSha256: sha(committed), manifestSha256, rebuiltSha256: null, identical: null };
    if (build.status !== 0) throw new Error(`${script} ${args.join(' ')} failed: ${build.stderr}`);
    const rebuilt = await readFile(resolve(out, file));
    const version = spawnSync('clang-14', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0];
    return { toolchain: version, committedSha256: sha(committed), manifestSha256, rebuiltSha256: sha(rebuilt), identical: rebuilt.equals(committed) };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/**
 * libvips as the codec reference for test/codec/png and test/codec/jpeg: its
 * decode of a posted PNG or JPEG as RGBA8 (greys and palettes to sRGB, alpha
 * added opaque; JPEGs with libjpeg's defaults, accurate integer IDCT and fancy
 * upsampling, an independent reading of the same pixels), sharp's PNG of posted
 * RGBA8 pixels (its defaults: compression level 6, no adaptive filtering,
 * unless adaptive=1), or sharp's JPEG of posted RGB8 pixels.
 */
async function libvipsReference(path: string, url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const body = Buffer.concat(chunks);
  if (path === '/__libvips/decode') {
    const { data, info } = await sharp(body).toColourspace('srgb').ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'X-Width': String(info.width), 'X-Height': String(info.height) }).end(data);
    return;
  }
  const width = Number(url.searchParams.get('width')), height = Number(url.searchParams.get('height'));
  if (path === '/__libvips/jpeg-encode') {
    const jpeg = await sharp(body, { raw: { width, height, channels: 3 } })
      .jpeg({ quality: Number(url.searchParams.get('quality')), progressive: url.searchParams.get('progressive') === '1' })
      .toBuffer();
    res.writeHead(200, { 'Content-Type': 'image/jpeg' }).end(jpeg);
    return;
  }
  // channels=3: the pixels are opaque, hand libvips RGB (what it would hold for an opaque source).
  const rgba = sharp(body, { raw: { width, height, channels: 4 } });
  // adaptive=1: libpng's per-row filter choice (sharp's adaptiveFiltering), for decoder tests.
  const adaptiveFiltering = url.searchParams.get('adaptive') === '1';
  const png = await (url.searchParams.get('channels') === '3' ? rgba.removeAlpha() : rgba).png({ adaptiveFiltering }).toBuffer();
  res.writeHead(200, { 'Content-Type': 'image/png' }).end(png);
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const path = decodeURIComponent(url.pathname);
  if (path === '/__hits') {
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(hits.get(url.searchParams.get('path') ?? '') ?? 0));
    return;
  }
  if (path === '/__mut') return setMutable(url, res);
  if (path === '/__simd-build') {
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(await wasmBuildReport('scripts/build-simd.sh', ['resize'], 'src/codec/resize/simd', 'kernels.wasm')));
    return;
  }
  if (path === '/__emscripten-memory-build') {
    const { emscriptenMemoryReport } = (await import('../../scripts/patch-emscripten-memory.mjs')) as { emscriptenMemoryReport: () => unknown };
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(emscriptenMemoryReport()));
    return;
  }
  if (path === '/__color-simd-build') {
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(await wasmBuildReport('scripts/build-simd.sh', ['color'], 'src/color/simd', 'convert.wasm')));
    return;
  }
  if (path === '/__png-simd-build') {
    const report = await wasmBuildReport('scripts/build-simd.sh', ['png'], 'src/codec/png/simd', 'filters.wasm');
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(report));
    return;
  }
  if (path.startsWith('/__libvips/') && req.method === 'POST') return libvipsReference(path, url, req, res);
  if (path === '/__jpeg-wasm-build') {
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(await wasmBuildReport('scripts/build-jpeg-wasm.sh', [], 'src/codec/jpeg/wasm', 'libjpeg.wasm')));
    return;
  }
  if (path === '/__webp-wasm-build') {
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(await wasmBuildReport('scripts/build-webp-wasm.sh', [], 'src/codec/webp/wasm', 'libwebp-dec.wasm')));
    return;
  }
  if (path === '/__last-headers') {
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(reqHeaders));
    return;
  }
  if (path === '/__last-url') {
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(lastUrl));
    return;
  }
  if (path === '/__anim' && req.method === 'POST') {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(await inspectAnimation(Buffer.concat(chunks), url)));
    return;
  }
  const record = /^\/__record\/([a-z0-9-]+)$/.exec(path);
  if (record && req.method === 'POST') {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { date?: string };
    const file = resolve(REPO, 'test/limits', `${record[1]}.json`);
    // Rewritten only when a measurement changed: a run that measures the same figures leaves the tree clean.
    const previous = await readFile(file, 'utf8').then((t) => JSON.parse(t) as { date?: string }, () => undefined);
    const same = previous !== undefined && JSON.stringify({ ...previous, date: undefined }) === JSON.stringify({ ...body, date: undefined });
    if (!same) await writeFile(file, JSON.stringify(body, null, 1) + '\n');
    res.writeHead(204).end();
    return;
  }
  hits.set(path, (hits.get(path) ?? 0) + 1);
  reqHeaders = req.headers;
  lastUrl = req.url ?? '';
  // /u/<token>/<path> serves <path>: a fresh source URL for tests that need a cold cache.
  // /cc/<Cache-Control>/<path> serves <path> with that Cache-Control ("-" for none).
  let cacheControl: string | undefined;
  const stripped = path.replace(/^\/u\/[^/]+/, '').replace(/^\/cc\/([^/]+)/, (_, cc: string) => {
    cacheControl = cc === '-' ? undefined : cc;
    return '';
  });
  const [, root, ...rest] = stripped.split('/');
  if (root === 'fault') return serveFault(rest[0] ?? '', url, res);
  if (root === 'mut') {
    const m = mutable.get(rest.join('/'));
    if (!m) return void res.writeHead(404).end();
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', ETag: m.etag, ...(m.cacheControl ? { 'Cache-Control': m.cacheControl } : {}) }).end(m.body);
    return;
  }
  if (root === 'gen') {
    const make = GENERATED[rest.join('/')];
    if (!make) return void res.writeHead(404).end();
    if (!generatedCache.has(rest.join('/'))) generatedCache.set(rest.join('/'), make());
    const { type, body } = await generatedCache.get(rest.join('/'))!;
    res.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'max-age=600' }).end(body);
    return;
  }
  const dir = ROOTS[root ?? ''];
  const file = dir && resolve(dir, rest.join('/'));
  // Refuse anything that resolves outside the served folders (e.g. /corpus/../x).
  if (!dir || !file || !file.startsWith(dir + sep)) return void res.writeHead(404).end();
  try {
    const body = await readFile(file);
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', ETag: `"${body.length}-${rest.join('/')}"`, ...(cacheControl ? { 'Cache-Control': cacheControl } : {}) }).end(body);
  } catch {
    res.writeHead(404).end();
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  // workerd keeps connections to the origin open across tests, idle for minutes while
  // sources come from the edge cache; Node's 5 s default closes them under it, and
  // the next fetch on a closed one fails ("Network connection lost", a 502). 0: no idle timeout.
  server.keepAliveTimeout = 0;
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('origin server has no port');
  project.provide('originPort', address.port);
  return () =>
    new Promise<void>((ok) => {
      server.closeAllConnections();
      server.close(() => ok());
    });
}
