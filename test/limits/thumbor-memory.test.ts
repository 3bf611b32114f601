/**
 * Isolate memory for the pieces the Thumbor dialect added, measured as
 * test/limits/memory.test.ts does (DEBUG's X-Thumbflare-Peak-Bytes: live WASM
 * plus JS pixel buffers at the end of every stage): a watermark, max_bytes'
 * extra encodes, trim by colour and fill(blur), each on a 12 MP JPEG, beside the
 * same request without them.
 */
import { describe, expect, it } from 'vitest';
import { readImage } from '../support/images';
import { callWorker } from '../support/worker';

const MB = 1024 * 1024;
const ENV = { DEBUG: 'true', DIALECTS: 'cloudflare,thumbor' };

async function peakOf(path: string) {
  const res = await callWorker(path, { env: ENV });
  const img = await readImage(res);
  const peak = Number(res.headers.get('x-thumbflare-peak-bytes'));
  console.log(`${path}: ${img.width}x${img.height} ${img.format}, peak WASM + JS pixels ${(peak / MB).toFixed(1)} MiB`);
  expect(peak).toBeGreaterThan(0);
  return { img, peak };
}

describe('Thumbor filters stay under 128 MB on a 12 MP source', () => {
  const CASES: [string, string, number][] = [
    ['watermark', '/unsafe/1200x0/filters:watermark(gen/alpha-400.png,-10,-10,30):format(webp)/gen/12mp.jpg', 1200],
    ['max_bytes', '/unsafe/1200x0/filters:max_bytes(40000):format(webp)/gen/12mp.jpg', 1200],
    ['trim', '/unsafe/trim:30/800x0/gen/12mp.jpg', 800],
    ['fill(blur)', '/unsafe/fit-in/1200x1200/filters:fill(blur):format(webp)/gen/12mp.jpg', 1200],
  ];
  for (const [name, path, width] of CASES) {
    it(name, async () => {
      const { img, peak } = await peakOf(path);
      expect(img.width).toBe(width);
      expect(peak).toBeLessThan(128 * MB);
    });
  }
  // fill(blur) blurs the whole canvas in Photon (~6x the canvas in WASM): the memory rule must
  // count it, so a large canvas is refused or served within the budget, never admitted past it.
  it('a large fill(blur) canvas is either under 128 MB or the documented 413', async () => {
    const res = await callWorker('/unsafe/fit-in/3000x3000/filters:fill(blur):format(webp)/gen/12mp.jpg', { env: ENV });
    if (res.status === 200) {
      const peak = Number(res.headers.get('x-thumbflare-peak-bytes'));
      await res.arrayBuffer();
      expect(peak).toBeLessThan(128 * MB);
    } else {
      expect(res.status).toBe(413);
      expect(await res.json()).toMatchObject({ error: { status: 413, code: 'too_large' } });
    }
  });
  it('a watermark adds no more than its own pixels to the peak', async () => {
    const plain = await peakOf('/unsafe/1200x0/filters:format(webp)/gen/12mp.jpg');
    const marked = await peakOf('/unsafe/1200x0/filters:watermark(gen/alpha-400.png,0,0,0):format(webp)/gen/12mp.jpg');
    // The 400x300 mark decoded (0.5 MB) plus a copy of the 1200x900 output for compositing (4.3 MB).
    expect(marked.peak - plain.peak).toBeLessThan(6 * MB);
  });
});
