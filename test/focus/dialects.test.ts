/**
 * One crop engine for every dialect: Thumbor's `smart` and imgproxy's `g:sm`, written
 * by their real URL builders, choose the same window as Cloudflare's `gravity=auto`
 * (src/focus/), and that window is not the centre one. Scenes come from the loopback
 * origin with a known subject off-centre (test/support/scenes.ts).
 */
import { generateImageUrl } from '@imgproxy/imgproxy-node';
import ThumborUrlBuilder from 'thumbor-url-builder';
import { describe, expect, it } from 'vitest';
import type { Raster } from '../../src/codec/types';
import { decodePixels, readImage } from '../support/images';
import { callWorker, ORIGIN } from '../support/worker';

const ENV = { DIALECTS: 'cloudflare,thumbor,imgproxy' };

/** Mean absolute difference per channel of two same-sized RGBA rasters. */
function meanDiff(a: Raster, b: Raster): number {
  expect([a.width, a.height]).toEqual([b.width, b.height]);
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) if (i % 4 !== 3) sum += Math.abs(a.data[i]! - b.data[i]!);
  return sum / ((a.data.length / 4) * 3);
}

async function pixels(url: string) {
  const img = await readImage(await callWorker(url, { env: ENV }));
  return { img, px: await decodePixels(img) };
}

// [scene on the origin, output box]: each subject sits where the centred window misses it.
const CASES: [string, number, number][] = [
  ['gen/focus-right-bokeh.jpg', 300, 300],
  ['gen/focus-left-clutter.jpg', 300, 300],
  ['gen/focus-top-plain.jpg', 300, 300],
];

describe('smart crops of other dialects are gravity=auto', () => {
  for (const [scene, w, h] of CASES) {
    it(`${scene} ${w}x${h}: Thumbor smart and imgproxy g:sm crop where Cloudflare's gravity=auto does`, async () => {
      const auto = await pixels(`/${scene}?w=${w}&h=${h}&fit=cover&gravity=auto&q=80`);
      const centre = await pixels(`/${scene}?w=${w}&h=${h}&fit=cover&q=80`);
      expect(auto.img.headers.get('x-thumbflare-gravity')).toBe('auto');
      // The scene is built so the choice matters: the centre crop shows something else.
      expect(meanDiff(auto.px, centre.px)).toBeGreaterThan(10);

      const thumbor = await pixels(new ThumborUrlBuilder(null, '').setImagePath(scene).resize(w, h).smartCrop(true).buildUrl());
      const imgproxy = await pixels(generateImageUrl({ endpoint: '', url: `${ORIGIN}/${scene}`, options: { resize: { resizing_type: 'fill', width: w, height: h }, gravity: { type: 'sm' } } }));
      for (const [name, got] of [['thumbor', thumbor], ['imgproxy', imgproxy]] as const) {
        expect(got.img.headers.get('x-thumbflare-gravity'), name).toBe('auto');
        // Same window, same resampler; only the encoders' rounding (both q80 JPEG) differs.
        expect(meanDiff(got.px, auto.px), name).toBeLessThan(3);
      }
    });
  }
});
