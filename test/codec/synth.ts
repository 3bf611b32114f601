/**
 * @module test/codec/synth
 * Deterministic synthetic test images, generated in the test (no fixtures).
 */
import type { Raster } from '../../src/codec/types';
import { seededRandom as random } from '../support/random';


/**
 * Photo-like content: smooth colour gradients, soft blobs, hard-edged shapes
 * and mild sensor-like noise, so encoders see texture as well as flat areas.
 */
export function photoLike(width: number, height: number, seed = 1): Raster {
  const rnd = random(seed);
  const data = new Uint8Array(width * height * 4);
  const blobs = Array.from({ length: 12 }, () => ({
    x: rnd() * width, y: rnd() * height, r: (0.05 + rnd() * 0.2) * width,
    c: [rnd() * 255, rnd() * 255, rnd() * 255],
  }));
  const boxes = Array.from({ length: 8 }, () => ({
    x0: rnd() * width, y0: rnd() * height, w: rnd() * width * 0.3, h: rnd() * height * 0.3,
    c: [rnd() * 255, rnd() * 255, rnd() * 255],
  }));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let r = (x / width) * 180 + 40, g = (y / height) * 160 + 50, b = 120 + 60 * Math.sin((x + y) / (width / 6));
      for (const bl of blobs) {
        const d2 = ((x - bl.x) ** 2 + (y - bl.y) ** 2) / (bl.r * bl.r);
        if (d2 < 4) {
          const w = Math.exp(-d2 * 2);
          r += (bl.c[0]! - r) * w; g += (bl.c[1]! - g) * w; b += (bl.c[2]! - b) * w;
        }
      }
      for (const bx of boxes) {
        if (x >= bx.x0 && x < bx.x0 + bx.w && y >= bx.y0 && y < bx.y0 + bx.h) {
          [r, g, b] = bx.c as [number, number, number];
        }
      }
      const n = (rnd() - 0.5) * 12;
      const i = (y * width + x) * 4;
      data[i] = clamp(r + n); data[i + 1] = clamp(g + n); data[i + 2] = clamp(b + n); data[i + 3] = 255;
    }
  }
  return { width, height, data };
}

/**
 * Smooth pattern (sum of low-frequency sinusoids, periods >= `minPeriod` of the
 * image width) sampled at any resolution: an exact ground truth for resizing.
 */
export function smoothPattern(width: number, height: number, minPeriodFraction = 1 / 20): Raster {
  const data = new Uint8Array(width * height * 4);
  const k = (2 * Math.PI) / minPeriodFraction;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      // Pixel centres in normalised coordinates, so every resolution samples one function.
      const u = (x + 0.5) / width, v = (y + 0.5) / height;
      const i = (y * width + x) * 4;
      data[i] = clamp(128 + 100 * Math.sin(k * u * 0.9 + 1));
      data[i + 1] = clamp(128 + 100 * Math.sin(k * v * 0.7 + 2));
      data[i + 2] = clamp(128 + 60 * Math.sin(k * (u + v) * 0.5) + 40 * Math.cos(k * u * 0.3));
      data[i + 3] = 255;
    }
  }
  return { width, height, data };
}

/** Zone plate: grey level cos(k r^2), frequency rising with radius. */
export function zonePlate(size: number): Raster {
  const data = new Uint8Array(size * size * 4);
  const k = Math.PI / size; // local frequency reaches 0.5 cycles/pixel (Nyquist) at the edge.
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const dx = x - size / 2, dy = y - size / 2;
      const v = clamp(127.5 + 127.5 * Math.cos(k * (dx * dx + dy * dy)));
      const i = (y * size + x) * 4;
      data[i] = data[i + 1] = data[i + 2] = v;
      data[i + 3] = 255;
    }
  }
  return { width: size, height: size, data };
}

function clamp(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
}
