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
  it('a watermark adds no more than its own pixels to the peak', async () => {
    const plain = await peakOf('/unsafe/1200x0/filters:format(webp)/gen/12mp.jpg');
    const marked = await peakOf('/unsafe/1200x0/filters:watermark(gen/alpha-400.png,0,0,0):format(webp)/gen/12mp.jpg');
    // The 400x300 mark decoded (0.5 MB) plus a copy of the 1200x900 output for compositing (4.3 MB).
    expect(marked.peak - plain.peak).toBeLessThan(6 * MB);
  });
});
