/**
 * @module test/pipeline/flatten
 * Flatten (JPEG output) skips its scan when the raster is known opaque: an opaque
 * source and only steps that keep opacity since (pipeline/index KEEPS_OPAQUE). It
 * still composites whatever a later step may have made transparent.
 *
 * Observed through runPipeline with the real steps, on a source that *claims* to
 * be opaque (hasAlpha false) but has one transparent pixel: where flatten trusts
 * the record that pixel keeps alpha 0; where it scans, the pixel is composited
 * onto the background. (Server-Timing's step names cannot show a skip: workerd's
 * clock can tick during any step.) Then, through the Worker, the user-visible
 * half: an opaque JPEG with Thumbor's transparent round_corner still gets white
 * corners (URL from thumbor-url-builder).
 */
import ThumborUrlBuilder from 'thumbor-url-builder';
import { describe, expect, it } from 'vitest';
import type { Raster } from '../../src/codec/types';
import { DEFAULT_OPTIONS } from '../../src/options/params';
import type { TransformOptions } from '../../src/options/types';
import { runPipeline } from '../../src/pipeline';
import { createRaster } from '../../src/pipeline/step';
import { planTransform } from '../../src/plan';
import { decodePixels, readImage } from '../support/images';
import { callWorker } from '../support/worker';

const W = 64;
const H = 48;
/** A flat orange image with one fully transparent pixel at (20, 20). */
function lyingSource(): Raster {
  const r = createRaster(W, H, { r: 200, g: 100, b: 50, a: 255 });
  r.data[(20 * W + 20) * 4 + 3] = 0;
  return r;
}

async function run(o: Partial<TransformOptions>, hasAlpha: boolean): Promise<Raster> {
  const options: TransformOptions = { ...DEFAULT_OPTIONS, format: 'jpeg', background: { r: 255, g: 255, b: 255, a: 255 }, ...o };
  const plan = planTransform({ width: W, height: H }, options, 8192);
  return runPipeline(lyingSource(), { options, plan, orientation: 1, display: { width: W, height: H }, hasAlpha, format: 'jpeg' });
}

const alphaAt = (r: Raster, x: number, y: number) => r.data[(y * r.width + x) * 4 + 3];

describe('flatten trusts the opacity record, and only it', () => {
  // [what, options, source says it has alpha, flatten scans (and composites the pixel)]
  const CASES: [string, Partial<TransformOptions>, boolean, boolean][] = [
    ['no steps, opaque source', {}, false, false],
    ['rotate 180 and flip (orientation moves)', { rotate: 180, flip: 'h' }, false, false],
    ['rgb offsets (Thumbor rgb())', { rgbOffset: { r: 10, g: -10, b: 5 } }, false, false],
    ['brightness and contrast', { brightness: 1.2, contrast: 1.1 }, false, false],
    ['round corners (may add transparency)', { roundCorner: { rx: 8, ry: 8, color: { r: 0, g: 0, b: 0, a: 0 } } }, false, true],
    ['the source says it may have alpha', {}, true, true],
  ];
  for (const [what, options, hasAlpha, scans] of CASES) {
    it(`${what}: flatten ${scans ? 'scans and composites' : 'does not scan'}`, async () => {
      const out = await run(options, hasAlpha);
      // rotate 180 + flip h moves (20, 20) to (20, H - 1 - 20).
      const y = options.rotate === 180 ? H - 1 - 20 : 20;
      expect(alphaAt(out, 20, y)).toBe(scans ? 255 : 0);
      if (scans) expect([...out.data.subarray((y * W + 20) * 4, (y * W + 20) * 4 + 3)]).toEqual([255, 255, 255]);
    });
  }
});

describe('through the Worker', () => {
  it("an opaque JPEG with Thumbor's transparent round_corner gets its corners composited onto white", async () => {
    const url = new ThumborUrlBuilder(null, '').setImagePath('gen/photo-640.jpg').resize(300, 200).filter('round_corner(40,0,0,0,1)').filter('format(jpeg)').buildUrl();
    const img = await readImage(await callWorker(url, { env: { DIALECTS: 'cloudflare,thumbor' } }));
    expect([img.format, img.width, img.height]).toEqual(['jpeg', 300, 200]);
    const px = await decodePixels(img);
    expect(Math.min(px.data[0]!, px.data[1]!, px.data[2]!)).toBeGreaterThan(240);
    // The middle is the photo, not white: the composite is only where the corners are.
    const mid = (100 * 300 + 150) * 4;
    expect(Math.min(px.data[mid]!, px.data[mid + 1]!, px.data[mid + 2]!)).toBeLessThan(240);
  });
});
