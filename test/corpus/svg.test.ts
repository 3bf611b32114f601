/**
 * SVG sources (test/fixtures/svg, scripts/make-svg-fixtures.mjs) rasterised by the
 * Worker against libvips references (sharp's libvips, whose SVG loader is
 * librsvg, rendered at the output size), with the corpus test's metric and budget
 * (test/support/corpus-metric): the same size, and a mean error under
 * MAX_MEAN_ERROR after the low-pass, beside the mirrored control that shows the
 * metric would notice a wrong picture. text.svg has no reference: librsvg draws
 * it with the system's fonts, the Worker has none (codec/svg/decode).
 */
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../../src/codec/decode';
import { MAX_MEAN_ERROR, meanAbsoluteError, mirror } from '../support/corpus-metric';
import { callWorker, ORIGIN, sniffFormat } from '../support/worker';

/** File, output size (as in the fixture script's REFERENCES). */
const CASES: [string, number, number][] = [
  ['icon-viewbox.svg', 200, 200], // viewBox only, enlarged 10x
  ['size-only.svg', 120, 80], // width/height only, 1:1
  ['units-mm.svg', 192, 96], // absolute units
  ['transparent.svg', 150, 150], // partial alpha
  ['gradients.svg', 300, 150], // linear and radial paint servers
  ['many-paths.svg', 300, 250], // 3000 elements, reduced 2x
];

describe('SVG against libvips (librsvg) references', () => {
  for (const [file, w, h] of CASES) {
    it(`${file} at ${w}x${h}`, async () => {
      const res = await callWorker(`/svg/${file}?width=${w}&height=${h}&fit=contain&format=png`);
      const body = new Uint8Array(await res.arrayBuffer());
      expect(res.status, new TextDecoder().decode(body.subarray(0, 200))).toBe(200);
      expect(sniffFormat(body)).toBe('png');
      const out = await decodeImage(body, 'png', {});
      const ref = await decodeImage(new Uint8Array(await (await fetch(`${ORIGIN}/svg/ref/${file}.png`)).arrayBuffer()), 'png', {});
      expect([out.width, out.height]).toEqual([ref.width, ref.height]);
      const error = meanAbsoluteError(out, ref);
      console.log(`svg corpus ${file}: mean error ${error.toFixed(2)} (mirrored: ${meanAbsoluteError(mirror(out), ref).toFixed(2)})`);
      expect(error).toBeLessThan(MAX_MEAN_ERROR);
    });
  }
});
