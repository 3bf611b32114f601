/**
 * Every file of the shared corpus through the Worker end to end
 * (`width=64&height=64&fit=contain&format=png`), driven by its manifest row:
 *   decode                 -> 200, size of the libvips reference (+-1 px), pixels close to it
 *   decode-or-unsupported  -> as decode, or 415 with a JSON error
 *   no-server-error        -> a 4xx JSON error or a valid image; never 5xx
 * After every file a known-good request must still work (a decoder panic must
 * not poison the isolate). New files need only a manifest row.
 */
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../../src/codec/decode';
import type { Raster } from '../../src/codec/types';
import { callWorker, ORIGIN, sniffFormat } from '../support/worker';

interface Row {
  file: string;
  format: string;
  expect: 'decode' | 'decode-or-unsupported' | 'no-server-error';
  display: [number | null, number | null];
}

const manifest = (await (await fetch(`${ORIGIN}/corpus/manifest.json`)).json()) as Row[];

/**
 * Mean absolute error per channel (0..255) between two same-size RGBA rasters,
 * colour weighted by alpha (premultiplied), so the invisible colour of fully
 * transparent pixels does not count while a lost or wrong alpha does.
 *
 * Threshold: resampling differences between our Lanczos3 pipeline and libvips'
 * thumbnail (a different kernel and shrink-on-load) measure below ~4 on these
 * 64 px thumbnails; a wrong orientation, swapped channels, CMYK not inverted,
 * alpha dropped or a palette misread each measure 20 and more. 8 keeps a wide
 * margin on both sides.
 */
export const MAX_MEAN_ERROR = 8;

export function meanAbsoluteError(a: Raster, b: Raster): number {
  let sum = 0;
  const n = a.width * a.height;
  for (let i = 0; i < n * 4; i += 4) {
    const aa = a.data[i + 3]! / 255;
    const ba = b.data[i + 3]! / 255;
    for (let c = 0; c < 3; c++) sum += Math.abs(a.data[i + c]! * aa - b.data[i + c]! * ba);
    sum += Math.abs(a.data[i + 3]! - b.data[i + 3]!);
  }
  return sum / (n * 4);
}

const QUERY = 'width=64&height=64&fit=contain&format=png';
const refPath = (file: string) => `/corpus/ref/${file.replace('/', '_')}.png`;

async function expectGoodRequestStillWorks() {
  const res = await callWorker('/corpus/png/basn2c16.png?w=8');
  expect(res.status).toBe(200);
  expect(sniffFormat(new Uint8Array(await res.arrayBuffer()))).toBe('png');
}

export const results: Record<string, { status: number; error?: number }> = {};

describe('shared corpus, end to end', () => {
  for (const row of manifest) {
    it(`${row.file} (${row.expect})`, async () => {
      const res = await callWorker(`/corpus/${row.file}?${QUERY}`);
      const body = new Uint8Array(await res.arrayBuffer());
      expect(res.status, `${row.file}: ${new TextDecoder().decode(body.subarray(0, 200))}`).toBeLessThan(500);
      if (res.status !== 200) {
        expect(res.headers.get('content-type')).toMatch(/^application\/json/);
        const err = JSON.parse(new TextDecoder().decode(body)) as { error: { status: number; code: string } };
        expect(err.error.status).toBe(res.status);
        if (row.expect === 'decode') throw new Error(`${row.file} must decode, got ${res.status} ${err.error.code}`);
        if (row.expect === 'decode-or-unsupported') expect(res.status).toBe(415);
        results[row.file] = { status: res.status };
      } else {
        expect(sniffFormat(body)).toBe('png');
        const out = await decodeImage(body, 'png', {});
        if (row.expect !== 'no-server-error') {
          const refRes = await fetch(ORIGIN + refPath(row.file));
          expect(refRes.status, `reference for ${row.file}`).toBe(200);
          const ref = await decodeImage(new Uint8Array(await refRes.arrayBuffer()), 'png', {});
          expect(Math.abs(out.width - ref.width), `${row.file} width`).toBeLessThanOrEqual(1);
          expect(Math.abs(out.height - ref.height), `${row.file} height`).toBeLessThanOrEqual(1);
          if (out.width === ref.width && out.height === ref.height) {
            const error = meanAbsoluteError(out, ref);
            results[row.file] = { status: 200, error };
            console.log(`corpus ${row.file}: mean error ${error.toFixed(2)}`);
            expect(error, `${row.file} mean abs error`).toBeLessThan(MAX_MEAN_ERROR);
          }
        } else {
          results[row.file] = { status: 200 };
        }
      }
      await expectGoodRequestStillWorks();
    });
  }
});
