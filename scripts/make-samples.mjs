/**
 * Generates the bundled sample images in public/samples/ (license-clean: drawn
 * by this script). Run `node scripts/make-samples.mjs`; the outputs are committed.
 */
import sharp from 'sharp';
import { mkdirSync } from 'node:fs';

const out = new URL('../public/samples/', import.meta.url).pathname;
mkdirSync(out, { recursive: true });

/** Deterministic value noise with a few octaves: texture that resizes like a photo. */
function makeNoise(seed) {
  const perm = new Uint8Array(512);
  let s = seed;
  for (let i = 0; i < 256; i++) perm[i] = i;
  for (let i = 255; i > 0; i--) {
    s = (s * 1103515245 + 12345) >>> 0;
    const j = s % (i + 1);
    [perm[i], perm[j]] = [perm[j], perm[i]];
  }
  for (let i = 0; i < 256; i++) perm[256 + i] = perm[i];
  const lerp = (a, b, t) => a + (b - a) * t;
  const fade = (t) => t * t * (3 - 2 * t);
  const at = (x, y) => perm[(perm[x & 255] + y) & 255] / 255;
  const value = (x, y) => {
    const xi = Math.floor(x), yi = Math.floor(y);
    const tx = fade(x - xi), ty = fade(y - yi);
    return lerp(lerp(at(xi, yi), at(xi + 1, yi), tx), lerp(at(xi, yi + 1), at(xi + 1, yi + 1), tx), ty);
  };
  return (x, y, octaves = 5) => {
    let sum = 0, amp = 0.5, f = 1;
    for (let o = 0; o < octaves; o++) { sum += amp * value(x * f, y * f); amp /= 2; f *= 2; }
    return sum;
  };
}

async function makeLandscape(w, h, file) {
  const noise = makeNoise(7);
  const px = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const u = x / w, v = y / h;
      let r, g, b;
      const ridge = 0.45 + 0.15 * noise(u * 4, 1.3, 6) - 0.1 * Math.sin(u * 6);
      const hill = 0.68 + 0.08 * noise(u * 3 + 9, 4.1, 5);
      const sun = Math.hypot(u - 0.75, v - 0.22);
      if (v < ridge) {
        const cloud = Math.max(0, noise(u * 6, v * 12, 6) - 0.5) * 2;
        r = 110 + 120 * v + 80 * cloud; g = 150 + 90 * v + 80 * cloud; b = 230 - 20 * v + 25 * cloud;
        if (sun < 0.06) { r = 255; g = 245; b = 200; } else if (sun < 0.12) { const k = (0.12 - sun) / 0.06; r += 90 * k; g += 70 * k; b += 20 * k; }
      } else if (v < hill) {
        const n = noise(u * 40, v * 40, 4);
        r = 90 + 60 * n; g = 95 + 50 * n; b = 120 + 40 * n;
        if (v < ridge + 0.03 && n > 0.5) { r = g = b = 235; }
      } else {
        const n = noise(u * 80, v * 60, 5);
        const stripes = Math.sin((u * 30 + v * 8) * Math.PI) * 0.5 + 0.5;
        r = 40 + 70 * n + 20 * stripes; g = 110 + 80 * n; b = 30 + 30 * n;
      }
      const i = (y * w + x) * 3;
      px[i] = Math.max(0, Math.min(255, r)); px[i + 1] = Math.max(0, Math.min(255, g)); px[i + 2] = Math.max(0, Math.min(255, b));
    }
  }
  await sharp(px, { raw: { width: w, height: h, channels: 3 } }).jpeg({ quality: 85, mozjpeg: true }).toFile(out + file);
}

async function makeBadge(size, file) {
  const px = Buffer.alloc(size * size * 4);
  const c = size / 2;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const d = Math.hypot(x + 0.5 - c, y + 0.5 - c) / c;
      const a = Math.max(0, Math.min(1, (0.92 - d) * size / 4));
      const ang = Math.atan2(y - c, x - c);
      const i = (y * size + x) * 4;
      const star = d < 0.55 + 0.15 * Math.cos(5 * ang);
      px[i] = star ? 255 : 240; px[i + 1] = star ? 200 : 90; px[i + 2] = star ? 40 : 50; px[i + 3] = Math.round(a * 255);
    }
  }
  await sharp(px, { raw: { width: size, height: size, channels: 4 } }).png().toFile(out + file);
}

await makeLandscape(1600, 1067, 'landscape.jpg');
await makeBadge(512, 'badge.png');
await sharp(out + 'landscape.jpg').resize(800).webp({ quality: 80 }).toFile(out + 'landscape.webp');
console.log('samples written to', out);
