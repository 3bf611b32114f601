/**
 * @module test/pipeline/flatten
 * Flatten (JPEG output) skips its scan when the raster is known opaque (an opaque
 * source and only steps that keep opacity: pipeline/index KEEPS_OPAQUE), and still
 * composites whatever a later step made transparent. Through the Worker, with the
 * public URL syntax (Thumbor's from thumbor-url-builder): Server-Timing names
 * `step-flatten` only when the step did something or spent time scanning.
 */
import ThumborUrlBuilder from 'thumbor-url-builder';
import { describe, expect, it } from 'vitest';
import { decodePixels, readImage } from '../support/images';
import { callWorker } from '../support/worker';

const THUMBOR = { DIALECTS: 'cloudflare,thumbor' };
const PHOTO = 'gen/photo-640.jpg'; // 640x480, opaque
const thumbor = (image: string) => new ThumborUrlBuilder(null, '').setImagePath(image);
let unique = 0;
/** A fresh source path per request, so no cache answers and every step runs. */
const fresh = (url: string) => url.replace(`/${PHOTO}`, `/u/flatten-${Date.now()}-${unique++}/${PHOTO}`);

function steps(header: string | null): string[] {
  return (header ?? '').split(', ').map((p) => p.split(';')[0]!).filter((n) => n.startsWith('step-'));
}

describe('flatten on an opaque source', () => {
  // [what, URL, env, does flatten composite anything]
  const CASES: [string, string, Record<string, string>, boolean][] = [
    ['resize only', `/${PHOTO}?width=300&format=jpeg`, {}, false],
    ['enlarge', `/${PHOTO}?width=1000&height=1000&fit=contain&format=jpeg`, {}, false],
    ['cover crop, rotate, flip, blur, sharpen, adjustments', `/${PHOTO}?width=200&height=200&fit=cover&rotate=90&flip=h&blur=3&sharpen=2&brightness=1.2&contrast=1.1&gamma=1.1&saturation=0.8&format=jpeg`, {}, false],
    ['Thumbor: resize, rgb offsets, brightness', thumbor(PHOTO).resize(300, 200).filter('rgb(10,-10,5)').filter('brightness(10)').filter('format(jpeg)').buildUrl(), THUMBOR, false],
    // Thumbor's round_corner(a|b,r,g,b,transparent): the corners become transparent, and JPEG must composite them.
    ['Thumbor: transparent round corners', thumbor(PHOTO).resize(300, 200).filter('round_corner(40,0,0,0,1)').filter('format(jpeg)').buildUrl(), THUMBOR, true],
  ];
  for (const [what, url, env, composites] of CASES) {
    it(`${what}: flatten ${composites ? 'composites the transparent pixels' : 'knows the raster is opaque and does not scan it'}`, async () => {
      const img = await readImage(await callWorker(fresh(url), { env }));
      expect(img.format).toBe('jpeg');
      const named = steps(img.headers.get('server-timing'));
      expect(named).toContain('step-resize');
      expect(named.includes('step-flatten'), named.join(',')).toBe(composites);
      if (composites) {
        // The corner pixel was made fully transparent: flattened onto the default white, not the photo's colour.
        const px = await decodePixels(img);
        expect(Math.min(px.data[0]!, px.data[1]!, px.data[2]!)).toBeGreaterThan(240);
      }
    });
  }
});
