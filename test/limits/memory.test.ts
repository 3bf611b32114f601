/**
 * The isolate's memory, measured, not assumed: local workerd does not enforce
 * the 128 MB limit, so each case reads every WASM instance's linear memory
 * (X-Thumbflare-Wasm-Bytes: the sum of memory.buffer.byteLength over all live
 * instances, taken before the post-request trim, i.e. the request's peak since
 * linear memory never shrinks) plus the pixel bytes held in JS at once
 * (X-Thumbflare-Js-Pixel-Bytes), and requires the sum below 128 MB.
 */
import { describe, expect, it } from 'vitest';
import { wasmMemoryBytes } from '../../src/codec/memory';
import { readImage } from '../support/images';
import { callWorker } from '../support/worker';

const MB = 1024 * 1024;
const ISOLATE_LIMIT = 128 * MB;
const DEBUG = { DEBUG: 'true' };

async function measure(path: string, headers: Record<string, string> = {}) {
  const res = await callWorker(path, { env: DEBUG, headers });
  const img = await readImage(res);
  const wasm = Number(res.headers.get('x-thumbflare-wasm-bytes'));
  const js = Number(res.headers.get('x-thumbflare-js-pixel-bytes'));
  console.log(`${path}: ${img.width}x${img.height} ${img.format}, WASM ${(wasm / MB).toFixed(1)} MiB + JS pixels ${(js / MB).toFixed(1)} MiB = ${((wasm + js) / MB).toFixed(1)} MiB`);
  expect(wasm).toBeGreaterThan(0);
  expect(js).toBeGreaterThan(0);
  return { img, wasm, js };
}

describe('isolate memory under 128 MB (WASM + JS pixel buffers)', () => {
  const CASES: [string, number][] = [
    ['/gen/12mp.jpg?width=300', 300],
    ['/gen/12mp.jpg?width=1200&format=webp&q=78', 1200],
    ['/gen/12mp.jpg?width=1200&format=avif', 1200],
    ['/gen/24mp.jpg?width=800', 800],
    ['/gen/24mp.jpg?width=1920&format=webp', 1920],
    ['/gen/12mp-progressive.jpg?width=800', 800],
    ['/gen/12mp.jpg?width=3840', 3840],
    ['/gen/12mp.jpg?width=3840&format=webp', 3840],
  ];
  for (const [path, width] of CASES) {
    it(path, async () => {
      const { img, wasm, js } = await measure(path);
      expect(img.width).toBe(width);
      expect(wasm + js).toBeLessThan(ISOLATE_LIMIT);
    });
  }

  it('after a large image the isolate does not keep growing with every further one', async () => {
    const totals: number[] = [];
    for (let i = 0; i < 4; i++) {
      await measure(`/gen/24mp.jpg?width=${1000 + i}&format=webp`);
      totals.push(wasmMemoryBytes().total);
    }
    console.log('WASM after each trim (MiB):', totals.map((t) => (t / MB).toFixed(1)).join(', '));
    expect(Math.max(...totals)).toBeLessThanOrEqual(48 * MB);
    expect(totals[3]).toBeLessThanOrEqual(totals[1]! + MB);
  });
});
