#!/usr/bin/env node
/**
 * Content-aware crop evaluation (`npm run bench:focus`): how often each method's
 * crop keeps the whole subject, and how close its window is to the best one.
 *
 * Methods, all on the same JPEG files:
 * - centre: the plain cover crop.
 * - thumbflare auto / face: the Worker's own code (src/plan.ts + src/refocus.ts +
 *   src/focus/, bundled for Node by esbuild), fed the raster the Worker's decoder
 *   would produce (the JPEG's DCT-scaled size for that output).
 * - libvips attention and entropy: sharp's `position: 'attention' | 'entropy'`
 *   (the window from sharp's cropOffsetLeft/Top).
 * - smartcrop.js with sharp as its image backend (as smartcrop-sharp does it).
 *
 * Evaluation set, with ground truth:
 * - scenes: seeded synthetic photos (test/support/scenes.ts): one subject (an
 *   object or a figure) on a plain, cluttered, out-of-focus or textured background,
 *   at random positions and scales, landscape, portrait and square.
 * - portraits: the corpus' Grace Hopper photo (public domain; Pillow test image)
 *   with its hand-annotated face box, 1-3 copies at random scales and places on
 *   seeded backgrounds; ground truth is every face box.
 * - corpus: a few shared-corpus photos with hand-annotated subject boxes.
 * For each image and each aspect (1:1, 16:9, 9:16): "contains" is the share of
 * crops holding the whole subject box (every face, for portraits), counted over
 * the cases where a window of that size can hold it; "IoU" is the mean IoU with
 * the best window (the same size, centred on the subject box, moved inside the image).
 *
 * Writes bench/results/focus.json, focus.md (the README table) and focus-grid.png.
 * Usage: node bench/focus-eval.mjs [--scenes N] [--portraits N]
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import smartcrop from 'smartcrop';
import { rng as seeded } from './lib/images.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const corpus = process.env.THUMBFLARE_CORPUS ?? join(root, '../shared/corpus');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const N_SCENES = arg('--scenes', 120);
const N_PORTRAITS = arg('--portraits', 40);

sharp.concurrency(1);
mkdirSync(join(root, 'bench/out'), { recursive: true });
mkdirSync(join(root, 'bench/results'), { recursive: true });
const bundle = join(root, 'bench/out/focus-bundle.mjs');
execFileSync(join(root, 'node_modules/.bin/esbuild'), [join(root, 'bench/lib/focus-entry.ts'), '--bundle', '--format=esm', '--platform=node', '--target=node20', '--loader:.wasm=binary', `--outfile=${bundle}`, '--log-level=warning']);
const tf = await import(bundle);

/** Hopper's face in the corpus photo (hand-annotated on a 512 px enlargement: brows to chin, cheek to cheek). */
const HOPPER_FACE = { x: 0.29, y: 0.25, width: 0.38, height: 0.37 };

/** Hand-annotated subjects in corpus photos, [0,1] of the displayed image. */
const CORPUS = [
  { file: 'jpeg/flower.jpg', box: { x: 0.36, y: 0.28, width: 0.30, height: 0.42 }, what: 'the plumeria blossom' },
  { file: 'jpeg/testorig.jpg', box: { x: 0.18, y: 0.10, width: 0.58, height: 0.85 }, what: 'the rose' },
  { file: 'exif/Landscape_1.jpg', box: { x: 0.55, y: 0.05, width: 0.30, height: 0.92 }, what: 'the waterfall' },
  { file: 'jpeg/hopper.jpg', box: HOPPER_FACE, what: 'the face', faces: [HOPPER_FACE] },
  { file: 'png/pil123rgba.png', box: { x: 0.03, y: 0.05, width: 0.92, height: 0.85 }, what: 'the toucan on its branch' },
  { file: 'exif/Landscape_6.jpg', box: null, what: 'grid only' },
];

const ASPECTS = [['1:1', 300, 300], ['16:9', 480, 270], ['9:16', 270, 480]];

// ---- evaluation set -------------------------------------------------------

async function jpegOf(rgb, width, height, channels = 3) {
  return sharp(Buffer.from(rgb.buffer, rgb.byteOffset, rgb.byteLength), { raw: { width, height, channels } }).jpeg({ quality: 88 }).toBuffer();
}

async function buildScenes() {
  const sizes = [[1200, 800], [800, 1200], [1000, 1000], [1600, 900]];
  const out = [];
  for (let i = 0; i < N_SCENES; i++) {
    const [w, h] = sizes[i % sizes.length];
    const spec = tf.randomSceneSpec(1000 + i, w, h);
    const scene = tf.renderScene(spec);
    const b = spec.box;
    out.push({ set: 'scenes', name: `scene-${i}-${spec.background}-${spec.subject}`, bytes: await jpegOf(scene.data, w, h), width: w, height: h, boxes: [{ x: b.left / w, y: b.top / h, width: b.width / w, height: b.height / h }] });
  }
  return out;
}

async function buildPortraits() {
  const hopper = readFileSync(join(corpus, 'jpeg/hopper.jpg'));
  const out = [];
  for (let i = 0; i < N_PORTRAITS; i++) {
    const rnd = seeded(5000 + i);
    const w = i % 2 ? 1200 : 900, h = i % 2 ? 800 : 1200;
    // A background with no subject: the scene generator with the subject painted off-canvas.
    const spec = { ...tf.randomSceneSpec(5000 + i, w, h), box: { left: -9999, top: -9999, width: 1, height: 1 } };
    const bg = tf.renderScene(spec);
    const count = 1 + Math.floor(rnd() * 3);
    const side = Math.round(Math.min(w, h) * (count === 1 ? 0.3 + rnd() * 0.35 : 0.22 + rnd() * 0.15));
    const layers = [];
    const boxes = [];
    for (let k = 0; k < count; k++) {
      // Copies side by side in a random row position, like a group photo.
      const left = Math.round(count === 1 ? rnd() * (w - side) : (k * (w - side)) / Math.max(1, count - 1) * (0.2 + 0.8 * rnd()));
      const top = Math.round(rnd() * (h - side));
      const flip = rnd() < 0.5;
      let img = sharp(hopper).resize(side, side);
      if (flip) img = img.flop();
      layers.push({ input: await img.toBuffer(), left, top });
      const fx = flip ? 1 - HOPPER_FACE.x - HOPPER_FACE.width : HOPPER_FACE.x;
      boxes.push({ x: (left + fx * side) / w, y: (top + HOPPER_FACE.y * side) / h, width: (HOPPER_FACE.width * side) / w, height: (HOPPER_FACE.height * side) / h });
    }
    const base = sharp(Buffer.from(bg.data.buffer), { raw: { width: w, height: h, channels: 3 } });
    const bytes = await sharp(await base.composite(layers).png().toBuffer()).jpeg({ quality: 88 }).toBuffer();
    out.push({ set: 'portraits', name: `portrait-${i}-${count}`, bytes, width: w, height: h, boxes, faces: boxes });
  }
  return out;
}

async function buildCorpus() {
  const out = [];
  for (const c of CORPUS) {
    if (!c.box) continue;
    const bytes = await sharp(join(corpus, c.file)).rotate().flatten({ background: '#ffffff' }).jpeg({ quality: 92 }).toBuffer();
    const m = await sharp(bytes).metadata();
    out.push({ set: 'corpus', name: c.file, bytes, width: m.width, height: m.height, boxes: [c.box], faces: c.faces });
  }
  return out;
}


// ---- methods: each returns a window in [0,1] units of the image ------------

function coverWindow(w, h, ow, oh) {
  const s = Math.max(ow / w, oh / h);
  return { width: Math.min(1, ow / s / w), height: Math.min(1, oh / s / h) };
}

function centre(img, ow, oh) {
  const c = coverWindow(img.width, img.height, ow, oh);
  return { x: (1 - c.width) / 2, y: (1 - c.height) / 2, ...c };
}

/** The raster the Worker would decode: libjpeg-turbo's M/8 size for this output. */
async function decodedLikeWorker(img, ow, oh) {
  const c = coverWindow(img.width, img.height, ow, oh);
  const scale = Math.min(1, Math.max(ow / (c.width * img.width), oh / (c.height * img.height)));
  let m = 8;
  for (let k = 1; k < 8; k++) if (Math.ceil((img.width * k) / 8) >= img.width * scale && Math.ceil((img.height * k) / 8) >= img.height * scale) { m = k; break; }
  const dw = Math.ceil((img.width * m) / 8), dh = Math.ceil((img.height * m) / 8);
  const { data } = await sharp(img.bytes).resize(dw, dh, { fit: 'fill', kernel: 'cubic' }).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: dw, height: dh, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

const timings = { auto: [], face: [] };

async function thumbflare(img, ow, oh, gravity) {
  const decoded = await decodedLikeWorker(img, ow, oh);
  const display = { width: img.width, height: img.height };
  const options = { width: ow, height: oh, dpr: 1, fit: 'cover', gravity, quality: 85, background: { r: 255, g: 255, b: 255, a: 255 }, anim: true };
  const plan = tf.planTransform(display, options, 8192);
  const t = performance.now();
  const r = tf.refocus(decoded, 1, display, plan);
  timings[gravity].push(performance.now() - t);
  const crop = (r ? r.plan : plan).crop;
  const area = (r ? r.plan : plan).focus?.area;
  const faces = area ? r.focus.faces.map((f) => [(area.left + f.x * area.width) / img.width, (area.top + f.y * area.height) / img.height, (f.width * area.width) / img.width, (f.height * area.height) / img.height].map((v) => +v.toFixed(3))) : undefined;
  return { x: crop.left / img.width, y: crop.top / img.height, width: crop.width / img.width, height: crop.height / img.height, fallback: r?.focus.fallback, faces };
}

async function libvips(img, ow, oh, strategy) {
  const s = Math.max(ow / img.width, oh / img.height);
  const { info } = await sharp(img.bytes).resize(ow, oh, { fit: 'cover', position: strategy }).toBuffer({ resolveWithObject: true });
  const c = coverWindow(img.width, img.height, ow, oh);
  return { x: -(info.cropOffsetLeft ?? 0) / s / img.width, y: -(info.cropOffsetTop ?? 0) / s / img.height, ...c };
}

/** smartcrop.js's image operations over sharp (what smartcrop-sharp does). */
const sharpOps = {
  open: async (bytes) => {
    const m = await sharp(bytes).metadata();
    return { width: m.width, height: m.height, bytes };
  },
  resample: async (image, width, height) => ({ width: ~~width, height: ~~height, bytes: image.bytes, resize: [~~width, ~~height] }),
  getData: async (image) => {
    let p = sharp(image.bytes);
    if (image.resize) p = p.resize(image.resize[0], image.resize[1], { fit: 'fill' });
    const { data, info } = await p.ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    return new smartcrop.ImgData(info.width, info.height, data);
  },
};

async function smartcropJs(img, ow, oh) {
  const { topCrop: c } = await smartcrop.crop(img.bytes, { width: ow, height: oh, imageOperations: sharpOps });
  return { x: c.x / img.width, y: c.y / img.height, width: c.width / img.width, height: c.height / img.height };
}

// ---- metrics ---------------------------------------------------------------

const EPS = 0.004; // half a percent: rounding in every method's pixel grid

function contains(win, box) {
  return box.x >= win.x - EPS && box.y >= win.y - EPS && box.x + box.width <= win.x + win.width + EPS && box.y + box.height <= win.y + win.height + EPS;
}

function union(boxes) {
  const x0 = Math.min(...boxes.map((b) => b.x)), y0 = Math.min(...boxes.map((b) => b.y));
  const x1 = Math.max(...boxes.map((b) => b.x + b.width)), y1 = Math.max(...boxes.map((b) => b.y + b.height));
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

function bestWindow(size, box) {
  const cx = box.x + box.width / 2, cy = box.y + box.height / 2;
  return {
    x: Math.min(1 - size.width, Math.max(0, cx - size.width / 2)),
    y: Math.min(1 - size.height, Math.max(0, cy - size.height / 2)),
    ...size,
  };
}

// ---- run -------------------------------------------------------------------

const METHODS = ['centre', 'attention', 'entropy', 'smartcrop', 'auto', 'face'];
const LABEL = { centre: 'centre crop', attention: 'libvips attention (sharp)', entropy: 'libvips entropy (sharp)', smartcrop: 'smartcrop.js', auto: 'thumbflare gravity=auto', face: 'thumbflare gravity=face' };

async function runMethod(m, img, ow, oh) {
  switch (m) {
    case 'centre': return centre(img, ow, oh);
    case 'attention': return libvips(img, ow, oh, 'attention');
    case 'entropy': return libvips(img, ow, oh, 'entropy');
    case 'smartcrop': return smartcropJs(img, ow, oh);
    case 'auto': return thumbflare(img, ow, oh, 'auto');
    case 'face': return thumbflare(img, ow, oh, 'face');
  }
}

const started = Date.now();
const images = [...(await buildScenes()), ...(await buildPortraits()), ...(await buildCorpus())];
console.log(`evaluation set: ${images.length} images built in ${((Date.now() - started) / 1000).toFixed(1)} s`);

const stats = {}; // set -> method -> { fit, contained, iouSum, n, fallbacks }
const perImage = [];
for (const img of images) {
  const subject = union(img.boxes);
  for (const [aspect, ow, oh] of ASPECTS) {
    const size = coverWindow(img.width, img.height, ow, oh);
    const best = bestWindow(size, subject);
    const possible = subject.width <= size.width + EPS && subject.height <= size.height + EPS;
    const row = { image: img.name, aspect, truth: img.boxes.map((b) => [b.x, b.y, b.width, b.height].map((v) => +v.toFixed(3))) };
    for (const m of METHODS) {
      if (m === 'face' && img.set === 'scenes') continue; // no faces in the scenes: face is auto plus a detector pass
      const win = await runMethod(m, img, ow, oh);
      const s = ((stats[img.set] ??= {})[m] ??= { fit: 0, contained: 0, iouSum: 0, n: 0, fallbacks: 0, faceCases: 0, allFaces: 0 });
      s.n++;
      s.iouSum += tf.iou(win, best);
      if (possible) {
        s.fit++;
        if (contains(win, subject)) s.contained++;
      }
      if (img.faces) {
        const fits = contains({ x: 0, y: 0, ...size }, { x: 0, y: 0, width: union(img.faces).width, height: union(img.faces).height });
        if (fits) {
          s.faceCases++;
          if (img.faces.every((f) => contains(win, f))) s.allFaces++;
        }
      }
      if (win.fallback) s.fallbacks++;
      row[m] = [win.x, win.y, win.width, win.height].map((v) => +v.toFixed(3));
      if (m === 'face' && win.faces) row.detected = win.faces;
    }
    perImage.push(row);
  }
}

// Time for the README's budget: a 12 MP JPEG to a 300x300 cover crop, refocus only (decode excluded).
const twelve = tf.renderScene(tf.randomSceneSpec(77, 4000, 3000));
const twelveImg = { bytes: await jpegOf(twelve.data, 4000, 3000), width: 4000, height: 3000 };
const budget = {};
for (const g of ['auto', 'face']) {
  timings[g] = [];
  for (let i = 0; i < 12; i++) await thumbflare(twelveImg, 300, 300, g);
  const t = timings[g].slice(2).sort((a, b) => a - b);
  budget[g] = { medianMs: +t[Math.floor(t.length / 2)].toFixed(2), maxMs: +t[t.length - 1].toFixed(2) };
}

const pct = (a, b) => (b ? `${((100 * a) / b).toFixed(1)}%` : 'n/a');
const lines = [];
lines.push(`| set (images x 3 aspects) | method | contains subject | mean IoU with best window |${Object.keys(stats).some((k) => k !== 'scenes') ? ' contains every face |' : ''}`);
lines.push('| --- | --- | ---: | ---: | ---: |');
for (const [set, byMethod] of Object.entries(stats)) {
  const count = images.filter((i) => i.set === set).length;
  for (const m of METHODS) {
    const s = byMethod[m];
    if (!s) continue;
    const faces = s.faceCases ? pct(s.allFaces, s.faceCases) : '';
    const fb = m === 'face' && s.fallbacks ? ` (${s.fallbacks} fell back to auto)` : '';
    lines.push(`| ${set} (${count}) | ${LABEL[m]}${fb} | ${pct(s.contained, s.fit)} | ${(s.iouSum / s.n).toFixed(3)} | ${faces} |`);
  }
}
const table = lines.join('\n');
console.log(table);
console.log(`\nfocus stage for a 12 MP JPEG -> 300x300 cover (refocus on the DCT-scaled raster, decode excluded): auto median ${budget.auto.medianMs} ms, face median ${budget.face.medianMs} ms`);

writeFileSync(join(root, 'bench/results/focus.json'), JSON.stringify({ date: new Date().toISOString(), node: process.version, images: images.length, stats, budget, perImage }, null, 1));
writeFileSync(join(root, 'bench/results/focus.md'), `${table}\n\nFocus stage, 12 MP JPEG -> 300x300 cover (on the DCT-scaled raster): gravity=auto median ${budget.auto.medianMs} ms, gravity=face median ${budget.face.medianMs} ms (Node ${process.version}, this machine).\n`);

// ---- image grid: centre vs auto vs face on corpus photos -------------------

const TILE = 200;
const tiles = [];
// Corpus photos (mostly centred already, so every method agrees), then cases a centre crop gets wrong:
// two test scenes, the portrait off to one side, and a seeded group portrait from the evaluation set.
const gridSources = [];
for (const file of ['jpeg/flower.jpg', 'exif/Landscape_1.jpg', 'jpeg/hopper.jpg', 'png/pil123rgba.png']) {
  gridSources.push(await sharp(join(corpus, file)).rotate().flatten({ background: '#ffffff' }).jpeg({ quality: 92 }).toBuffer());
}
for (const name of ['focus-right-bokeh.jpg', 'focus-left-clutter.jpg']) {
  const sc = tf.renderScene(tf.FOCUS_SCENES[name]);
  gridSources.push(await jpegOf(sc.data, sc.width, sc.height));
}
{
  const { width, height, side, left, top } = tf.FACE_SCENE;
  const face = await sharp(join(corpus, 'jpeg/hopper.jpg')).resize(side, side).toBuffer();
  gridSources.push(await sharp({ create: { width, height, channels: 3, background: '#8a9aa6' } }).composite([{ input: face, left, top }]).jpeg({ quality: 90 }).toBuffer());
}
const group = images.find((i) => i.set === 'portraits' && i.faces.length >= 2 && i.width > i.height && union(i.faces).width < 0.55 && union(i.faces).height < 0.9);
if (group) gridSources.push(group.bytes);
const header = ['source', 'centre', 'gravity=auto', 'gravity=face'];
for (const [r, bytes] of gridSources.entries()) {
  const m = await sharp(bytes).metadata();
  const img = { bytes, width: m.width, height: m.height };
  tiles.push({ input: await sharp(bytes).resize(TILE, TILE, { fit: 'contain', background: '#ffffff' }).toBuffer(), left: 0, top: 30 + r * TILE });
  for (const [k, method] of ['centre', 'auto', 'face'].entries()) {
    const w = await runMethod(method, img, TILE, TILE);
    const rect = { left: Math.round(w.x * img.width), top: Math.round(w.y * img.height), width: Math.round(w.width * img.width), height: Math.round(w.height * img.height) };
    rect.width = Math.min(rect.width, img.width - rect.left);
    rect.height = Math.min(rect.height, img.height - rect.top);
    tiles.push({ input: await sharp(bytes).extract(rect).resize(TILE, TILE, { fit: 'fill' }).toBuffer(), left: (k + 1) * (TILE + 8), top: 30 + r * TILE });
  }
}
const gridFiles = gridSources;
const labels = header.map((t, i) => `<text x="${i * (TILE + 8) + 8}" y="21" font-family="sans-serif" font-size="16">${t}</text>`).join('');
tiles.push({ input: Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${4 * (TILE + 8)}" height="30">${labels}</svg>`), left: 0, top: 0 });
await sharp({ create: { width: 4 * (TILE + 8), height: 30 + gridFiles.length * TILE, channels: 3, background: '#ffffff' } })
  .composite(tiles).png().toFile(join(root, 'bench/results/focus-grid.png'));
console.log('wrote bench/results/focus.json, focus.md, focus-grid.png');
