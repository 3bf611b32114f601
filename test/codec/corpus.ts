/**
 * @module test/codec/corpus
 * Access to the shared test corpus from inside workerd. The tests run in the
 * Workers runtime (no fs), so the files are pulled in at transform time by
 * Vite's `import.meta.glob` as inlined data URLs: no server, no globalSetup, no
 * config change. '/' in a glob is the project root (the repo); the corpus sits
 * next to it at /work/shared/corpus.
 */
/// <reference types="vite/client" />
import type { Raster } from '../../src/codec/types';

const inlined = import.meta.glob('/../shared/corpus/**/*.{jpg,png,gif,webp}', {
  query: '?inline',
  import: 'default',
  eager: true,
}) as Record<string, string>;

const manifestFiles = import.meta.glob('/../shared/corpus/manifest.json', { import: 'default', eager: true }) as Record<
  string,
  ManifestEntry[]
>;

export interface ManifestEntry {
  file: string;
  format: 'jpeg' | 'png' | 'webp' | 'gif' | 'avif';
  expect: 'decode' | 'decode-or-unsupported' | 'no-server-error';
  stored: [number | null, number | null];
  orientation: number;
  display: [number | null, number | null];
  frames: number;
}

export const manifest: ManifestEntry[] = Object.values(manifestFiles)[0] ?? [];

/** Bytes of corpus file `name` (path relative to the corpus root, e.g. 'png/tiny.png'). */
export function corpusBytes(name: string): Uint8Array {
  const key = Object.keys(inlined).find((k) => k.endsWith(`/corpus/${name}`));
  if (!key) throw new Error(`corpus file ${name} not found (is /work/shared/corpus there?)`);
  const base64 = inlined[key]!.slice(inlined[key]!.indexOf(',') + 1);
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}

/** Name of the libvips reference thumbnail of a corpus file. */
export function refName(file: string): string {
  return `ref/${file.replace('/', '_')}.png`;
}

/** Applies EXIF orientation 1..8 (the refs are oriented; decodeImage is not). */
export function orient(r: Raster, orientation: number): Raster {
  if (orientation <= 1) return r;
  const transpose = orientation >= 5;
  const w = transpose ? r.height : r.width;
  const h = transpose ? r.width : r.height;
  const out = new Uint8Array(r.data.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      // Source coordinates for display pixel (x, y), per the EXIF definitions.
      let sx: number, sy: number;
      switch (orientation) {
        case 2: sx = r.width - 1 - x; sy = y; break;
        case 3: sx = r.width - 1 - x; sy = r.height - 1 - y; break;
        case 4: sx = x; sy = r.height - 1 - y; break;
        case 5: sx = y; sy = x; break;
        case 6: sx = y; sy = r.height - 1 - x; break;
        case 7: sx = r.width - 1 - y; sy = r.height - 1 - x; break;
        case 8: sx = r.width - 1 - y; sy = x; break;
        default: sx = x; sy = y;
      }
      out.set(r.data.subarray((sy * r.width + sx) * 4, (sy * r.width + sx) * 4 + 4), (y * w + x) * 4);
    }
  }
  return { width: w, height: h, data: out };
}

/**
 * Mean absolute error per channel (0..255) between two same-size rasters, with
 * colour weighted by alpha (premultiplied), so the undefined colour of fully
 * transparent pixels does not count but their alpha does.
 */
export function meanAbsoluteError(a: Raster, b: Raster): number {
  if (a.width !== b.width || a.height !== b.height) throw new Error(`size ${a.width}x${a.height} vs ${b.width}x${b.height}`);
  let sum = 0;
  for (let i = 0; i < a.data.length; i += 4) {
    const aa = a.data[i + 3]!, ba = b.data[i + 3]!;
    for (let c = 0; c < 3; c++) sum += Math.abs((a.data[i + c]! * aa - b.data[i + c]! * ba) / 255);
    sum += Math.abs(aa - ba);
  }
  return sum / a.data.length;
}

/** PSNR in dB of `b` against `a` over RGB (alpha assumed opaque). */
export function psnr(a: Raster, b: Raster): number {
  let se = 0, n = 0;
  for (let i = 0; i < a.data.length; i += 4) {
    for (let c = 0; c < 3; c++) {
      const d = a.data[i + c]! - b.data[i + c]!;
      se += d * d;
      n++;
    }
  }
  return se === 0 ? Infinity : 10 * Math.log10((255 * 255) / (se / n));
}
