/**
 * Synthetic, license-clean test images for the benchmark and the load test.
 *
 * `photoRgb` draws a photo-like scene: smooth sky with soft clouds, a sun disk,
 * a mountain ridge with rock texture, buildings with window grids (hard edges and
 * regular patterns), thin cables (1-2 px lines), grass with pixel-scale texture,
 * and per-pixel sensor grain on luma and chroma. Flat gradients compress and
 * resample unrealistically well; this does not.
 *
 * `zonePlateRgb` is the classic aliasing target: cos(a r^2), whose local
 * frequency rises linearly from 0 at the centre to Nyquist (0.5 cycles/px) at
 * the middle of each edge.
 *
 * Everything is cached under bench/out/ (gitignored); bump GEN_VERSION when a
 * generator changes so stale files are rebuilt.
 */
import sharp from 'sharp';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const OUT_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'out');
const GEN_VERSION = 'v1';

/** A small deterministic PRNG (mulberry32). */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 2-D value noise with octaves; returns roughly 0..1. */
function makeNoise(seed) {
  const rand = rng(seed);
  const perm = new Uint8Array(512);
  const val = new Float32Array(256);
  for (let i = 0; i < 256; i++) {
    perm[i] = i;
    val[i] = rand();
  }
  for (let i = 255; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = perm[i];
    perm[i] = perm[j];
    perm[j] = t;
  }
  for (let i = 0; i < 256; i++) perm[256 + i] = perm[i];
  const at = (x, y) => val[perm[(perm[x & 255] + y) & 255]];
  const value = (x, y) => {
    const xi = Math.floor(x);
    const yi = Math.floor(y);
    let tx = x - xi;
    let ty = y - yi;
    tx = tx * tx * (3 - 2 * tx);
    ty = ty * ty * (3 - 2 * ty);
    const a = at(xi, yi);
    const b = at(xi + 1, yi);
    const c = at(xi, yi + 1);
    const d = at(xi + 1, yi + 1);
    return a + (b - a) * tx + (c - a) * ty + (a - b - c + d) * tx * ty;
  };
  return (x, y, octaves = 4) => {
    let sum = 0;
    let amp = 0.5;
    let f = 1;
    let norm = 0;
    for (let o = 0; o < octaves; o++) {
      sum += amp * value(x * f, y * f);
      norm += amp;
      amp *= 0.5;
      f *= 2.03;
    }
    return sum / norm;
  };
}

const clamp = (v) => (v < 0 ? 0 : v > 255 ? 255 : v);

/**
 * Photo-like RGB (or RGBA with a feathered cut-out alpha) pixels.
 * Scene geometry is resolution independent (the same scene at every size);
 * grass texture and grain are per pixel, like a real sensor.
 */
export function photoRgb(width, height, { seed = 1, alpha = false } = {}) {
  const ch = alpha ? 4 : 3;
  const px = Buffer.alloc(width * height * ch);
  const n1 = makeNoise(seed);
  const n2 = makeNoise(seed + 101);
  const n3 = makeNoise(seed + 202);
  const grain = rng(seed + 303);
  const aspect = width / height;

  // Per-column geometry: the ridge line and the building skyline.
  const ridge = new Float32Array(width);
  const roof = new Float32Array(width);
  const bldgId = new Int32Array(width);
  const nb = 9;
  for (let x = 0; x < width; x++) {
    const u = x / width;
    ridge[x] = 0.42 + 0.16 * (n1(u * 3.1, 0.7, 6) - 0.5) * 2 - 0.06 * Math.sin(u * 5.3);
    const b = Math.floor(u * nb * 1.7);
    const inB = b % 2 === 0 && u > 0.05 && u < 0.62;
    bldgId[x] = inB ? b : -1;
    roof[x] = inB ? 0.5 + 0.12 * ((b * 7919) % 13) / 13 : 2;
  }
  const horizon = 0.68;
  const sunX = 0.78 * aspect;
  const sunY = 0.2;
  for (let y = 0; y < height; y++) {
    const v = y / height;
    // Two cables: gentle catenaries, ~1.2 px thick at any resolution.
    const rowOff = y * width;
    for (let x = 0; x < width; x++) {
      const u = x / width;
      const s = u * aspect;
      let r, g, b;
      if (v < ridge[x] && !(v >= roof[x] && v < horizon)) {
        // Sky: smooth gradient, soft clouds, sun.
        const cloud = Math.max(0, n2(s * 2.2, v * 5, 5) - 0.48) * 2.2;
        r = 95 + 110 * v + 120 * cloud;
        g = 140 + 80 * v + 110 * cloud;
        b = 225 - 25 * v + 30 * cloud;
        const d = Math.hypot(s - sunX, v - sunY);
        if (d < 0.045) {
          r = 255; g = 244; b = 205;
        } else if (d < 0.14) {
          const k = (0.14 - d) / 0.095;
          r += 80 * k * k; g += 60 * k * k; b += 15 * k * k;
        }
      } else if (v >= roof[x] && v < horizon) {
        // Buildings: flat facades with a window grid (hard edges, regular pattern).
        const id = bldgId[x];
        const base = 70 + ((id * 37) % 60);
        const wx = (u * 160) % 1;
        const wy = (v * 90) % 1;
        const win = wx > 0.3 && wx < 0.75 && wy > 0.25 && wy < 0.7;
        const lit = win && n3(Math.floor(u * 160), Math.floor(v * 90), 1) > 0.55;
        r = win ? (lit ? 235 : 40) : base + 20;
        g = win ? (lit ? 210 : 50) : base + 10;
        b = win ? (lit ? 140 : 70) : base;
      } else if (v < horizon) {
        // Mountain: rock texture, snow near the ridge.
        const t = n3(s * 30, v * 30, 5);
        r = 85 + 70 * t; g = 88 + 60 * t; b = 110 + 50 * t;
        if (v < ridge[x] + 0.025 + 0.02 * n1(s * 12, 3.3, 3) && t > 0.45) {
          r = g = b = 225 + 20 * t;
        }
      } else {
        // Grass: pixel-scale texture (blades ~2-4 px), a path, depth shading.
        const t = n1(x / 2.7, y / 3.9, 3);
        const m = n2(s * 8, v * 8, 3);
        const stripes = 0.5 + 0.5 * Math.sin((s * 40 + v * 13) * Math.PI);
        const depth = (v - horizon) / (1 - horizon);
        r = 30 + 80 * t + 25 * m + 15 * stripes;
        g = 80 + 110 * t + 30 * m;
        b = 20 + 40 * t;
        const path = Math.abs(s - (0.35 * aspect + 0.25 * (v - horizon) * aspect)) < 0.02 + 0.12 * depth;
        if (path) {
          r = 150 + 50 * t; g = 130 + 40 * t; b = 100 + 30 * t;
        }
        r *= 0.75 + 0.35 * depth; g *= 0.75 + 0.35 * depth; b *= 0.75 + 0.35 * depth;
      }
      // Cables.
      const c1 = 0.3 + 0.08 * (2 * u - 1) * (2 * u - 1);
      const c2 = 0.36 + 0.06 * (2 * u - 1) * (2 * u - 1);
      const thick = 1.2 / height;
      if (Math.abs(v - c1) < thick || Math.abs(v - c2) < thick * 0.7) {
        r = 25; g = 25; b = 30;
      }
      // Sensor grain: luma and a little chroma.
      const gl = (grain() + grain() + grain() - 1.5) * 9;
      const gc = (grain() - 0.5) * 4;
      const i = (rowOff + x) * ch;
      px[i] = clamp(r + gl + gc);
      px[i + 1] = clamp(g + gl);
      px[i + 2] = clamp(b + gl - gc);
      if (alpha) {
        // Superellipse cut-out with a feathered edge and a half-transparent band.
        const dx = (u - 0.5) / 0.42;
        const dy = (v - 0.5) / 0.4;
        const d = Math.pow(Math.abs(dx), 3) + Math.pow(Math.abs(dy), 3);
        const feather = 8 / Math.min(width, height);
        let a = Math.max(0, Math.min(1, (1 - d) / (feather * 3)));
        if (v > 0.78 && v < 0.86) a *= 0.5;
        px[i + 3] = Math.round(a * 255);
      }
    }
  }
  return px;
}

/** Zone plate cos(a r^2): local frequency reaches 0.5 cycles/px at the edge midpoints. */
export function zonePlateRgb(size) {
  const px = Buffer.alloc(size * size * 3);
  const c = size / 2;
  const a = Math.PI * 0.5 / c; // f(r) = a r / pi cycles/px = 0.5 at r = c
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const dx = x + 0.5 - c;
      const dy = y + 0.5 - c;
      const v = Math.round(127.5 + 127.5 * Math.cos(a * (dx * dx + dy * dy)));
      const i = (y * size + x) * 3;
      px[i] = px[i + 1] = px[i + 2] = v;
    }
  }
  return px;
}

function cached(name, make) {
  mkdirSync(OUT_DIR, { recursive: true });
  const file = join(OUT_DIR, `${GEN_VERSION}-${name}`);
  if (existsSync(file)) return Promise.resolve(readFileSync(file));
  return make().then((buf) => {
    writeFileSync(file + '.tmp', buf);
    renameSync(file + '.tmp', file);
    return buf;
  });
}

const raw = (px, width, height, channels) => sharp(px, { raw: { width, height, channels } });

/**
 * The benchmark/load-test inputs, generated once and cached. Returns
 * { name: { body, type, width, height } }.
 */
export async function benchImages(log = () => {}) {
  const specs = {
    'photo-12mp.jpg': { type: 'image/jpeg', w: 4000, h: 3000, make: (px) => raw(px, 4000, 3000, 3).jpeg({ quality: 90, chromaSubsampling: '4:2:0' }), seed: 11 },
    'photo-12mp-progressive.jpg': { type: 'image/jpeg', w: 4000, h: 3000, make: (px) => raw(px, 4000, 3000, 3).jpeg({ quality: 90, chromaSubsampling: '4:2:0', progressive: true }), seed: 11 },
    'photo-24mp.jpg': { type: 'image/jpeg', w: 6000, h: 4000, make: (px) => raw(px, 6000, 4000, 3).jpeg({ quality: 90, chromaSubsampling: '4:2:0' }), seed: 12 },
    'alpha-2mp.png': { type: 'image/png', w: 1732, h: 1155, alpha: true, make: (px) => raw(px, 1732, 1155, 4).png({ compressionLevel: 6 }), seed: 13 },
    'photo-1080p.jpg': { type: 'image/jpeg', w: 1920, h: 1080, make: (px) => raw(px, 1920, 1080, 3).jpeg({ quality: 90, chromaSubsampling: '4:2:0' }), seed: 14 },
    'photo-1200x800.webp': { type: 'image/webp', w: 1200, h: 800, make: (px) => raw(px, 1200, 800, 3).webp({ quality: 90 }), seed: 15 },
    'zoneplate-2000.png': { type: 'image/png', w: 2000, h: 2000, zone: true, make: (px) => raw(px, 2000, 2000, 3).png({ compressionLevel: 6 }) },
  };
  const out = {};
  const pixelCache = new Map();
  for (const [name, s] of Object.entries(specs)) {
    const body = await cached(name, async () => {
      const t = performance.now();
      const key = `${s.w}x${s.h}:${s.seed}:${!!s.alpha}:${!!s.zone}`;
      let px = pixelCache.get(key);
      if (!px) {
        px = s.zone ? zonePlateRgb(s.w) : photoRgb(s.w, s.h, { seed: s.seed, alpha: s.alpha });
        pixelCache.set(key, px);
      }
      const buf = await s.make(px).toBuffer();
      log(`generated ${name} (${(buf.length / 1e6).toFixed(2)} MB) in ${((performance.now() - t) / 1000).toFixed(1)} s`);
      return buf;
    });
    out[name] = { body, type: s.type, width: s.w, height: s.h };
  }
  return out;
}

/** A PNG whose header claims width x height, followed by a tiny (bogus) IDAT and IEND. */
export function pngHeaderClaiming(width, height) {
  const crcTable = new Uint32Array(256).map((_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', Buffer.from([0x78, 0x9c, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01])),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Deterministic pseudo-random bytes. */
export function randomBytes(n, seed = 7) {
  const r = rng(seed);
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (r() * 256) | 0;
  return b;
}
