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
import { planColour } from '../../src/color';
import { callWorker, ORIGIN, sniffFormat } from '../support/worker';
import { MAX_MEAN_ERROR, meanAbsoluteError, mirror } from '../support/corpus-metric';

interface Row {
  file: string;
  format: string;
  expect: 'decode' | 'decode-or-unsupported' | 'no-server-error';
  display: [number | null, number | null];
}

const manifest = (await (await fetch(`${ORIGIN}/corpus/manifest.json`)).json()) as Row[];

// The metric (mean absolute error after a low-pass, premultiplied) and its budget live in
// test/support/corpus-metric.ts, shared with test/corpus/svg.test.ts and formats.test.ts; the figures behind
// MAX_MEAN_ERROR are documented there.
export { MAX_MEAN_ERROR, meanAbsoluteError } from '../support/corpus-metric';

/*
 * REFERENCE_PROFILES. The Worker converts embedded ICC profiles to sRGB
 * (issue 14). `vips thumbnail`, which made ref/, does not: it keeps the
 * source's profile in the reference PNG with the numbers unconverted (true of
 * ref/jpeg_icc_profile_big.jpg.png and ref/png_icc_profile.png.png, the two
 * corpus files with a profile). Comparing our sRGB numbers with those raw
 * numbers would measure the profile, not our decode (icc_profile_big.jpg: 7.3),
 * so such a reference is itself converted to sRGB through its embedded profile
 * (LittleCMS / the matrix path) first: icc_profile_big.jpg then measures 0.98,
 * icc_profile.png 0.35.
 * PNG gAMA/cHRM: libvips ignores them, the Worker follows Chromium (gAMA and
 * cHRM together are honoured, gAMA alone is not). The one corpus file with
 * both, png/hopper.png (gamma 1/2.2, sRGB-like primaries), differs from its
 * reference by its pure 2.2 power curve against the sRGB curve libvips assumes:
 * it measures 2.50, well inside the budget, and is not special-cased.
 */

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
        console.log(`corpus ${row.file}: ${res.status} ${err.error.code}`);
      } else {
        expect(sniffFormat(body)).toBe('png');
        const out = await decodeImage(body, 'png', {});
        if (row.expect !== 'no-server-error') {
          const refRes = await fetch(ORIGIN + refPath(row.file));
          expect(refRes.status, `reference for ${row.file}`).toBe(200);
          const refBytes = new Uint8Array(await refRes.arrayBuffer());
          const ref = await decodeImage(refBytes, 'png', {});
          // See REFERENCE_PROFILES: a reference that kept its source's profile is compared in sRGB.
          const refColour = await planColour(refBytes, 'png', 'srgb');
          if (refColour.icc) await refColour.apply(ref, 'png');
          expect(Math.abs(out.width - ref.width), `${row.file} width`).toBeLessThanOrEqual(1);
          expect(Math.abs(out.height - ref.height), `${row.file} height`).toBeLessThanOrEqual(1);
          if (out.width === ref.width && out.height === ref.height) {
            const error = meanAbsoluteError(out, ref);
            results[row.file] = { status: 200, error };
            console.log(`corpus ${row.file}: mean error ${error.toFixed(2)} (mirrored: ${meanAbsoluteError(mirror(out), ref).toFixed(2)})`);
            expect(error, `${row.file} mean abs error`).toBeLessThan(MAX_MEAN_ERROR);
          }
        } else {
          results[row.file] = { status: 200 };
          console.log(`corpus ${row.file}: 200 (decoded)`);
        }
      }
      await expectGoodRequestStillWorks();
    });
  }
});
