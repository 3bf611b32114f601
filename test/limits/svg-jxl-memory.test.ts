/**
 * Peak isolate memory of the SVG and JPEG XL paths (issue 15), measured in
 * workerd as test/limits/memory.test.ts does: every live WASM instance's linear
 * memory (resvg's pixmap and parse tree, libjxl's working set) plus the JS pixel
 * buffers, at the end of every stage, reported by DEBUG mode. Each case must stay
 * under the isolate's 128 MB and under the estimate the memory rule admitted it
 * with (codec/wasm/peak-memory, capacity), so the estimate is an upper bound.
 */
import { describe, expect, it } from 'vitest';
import { trimCodecs } from '../../src/codec/wasm/memory';
import { decodeJxl } from '../support/jxl';
import { readImage } from '../support/images';
import { callWorker } from '../support/worker';

const MB = 1024 * 1024;
const ISOLATE_LIMIT = 128 * MB;

async function measure(path: string) {
  // Each case starts from an empty registry, as the first request of an isolate does.
  trimCodecs(0, 0);
  const res = await callWorker(path, { env: { DEBUG: 'true' } });
  expect(res.status, path).toBe(200);
  const wasm = Number(res.headers.get('x-thumbflare-wasm-bytes'));
  const peak = Number(res.headers.get('x-thumbflare-peak-bytes'));
  const estimate = Number(res.headers.get('x-thumbflare-estimated-peak-bytes'));
  const type = res.headers.get('content-type');
  const bytes = new Uint8Array(await res.arrayBuffer());
  const size = type === 'image/jxl' ? await decodeJxl(bytes) : await readImage(new Response(bytes));
  console.log(`MEASURE ${path}: ${size.width}x${size.height} ${type}, peak WASM ${(wasm / MB).toFixed(1)} MiB, peak WASM + JS ${(peak / MB).toFixed(1)} MiB, estimated ${(estimate / MB).toFixed(1)} MiB`);
  return { wasm, peak, estimate, type, width: size.width, height: size.height };
}

describe('SVG and JPEG XL peak memory, under 128 MB and under the admitted estimate', () => {
  const CASES: [string, string, number, number][] = [
    ['/svg/icon-viewbox.svg?width=2200&format=png', 'image/png', 2200, 2200],
    ['/svg/gradients.svg?width=2000&format=webp', 'image/webp', 2000, 1000],
    // 4.5 MP: too large for libwebp's memory here, so the universal format (PNG: an SVG may be transparent).
    ['/svg/gradients.svg?width=3000&format=webp', 'image/png', 3000, 1500],
    ['/svg/many-paths.svg?width=2400&format=png', 'image/png', 2400, 2000],
    ['/svg/many-paths.svg?width=600&format=avif', 'image/avif', 600, 500],
    ['/gen/photo-640.jpg?format=jxl', 'image/jxl', 640, 480],
    ['/gen/12mp.jpg?width=900&format=jxl', 'image/jxl', 900, 675],
    ['/svg/many-paths.svg?width=800&format=jxl', 'image/jxl', 800, 667],
  ];
  for (const [path, type, w, h] of CASES) {
    it(path, async () => {
      const m = await measure(path);
      expect([m.type, m.width, m.height]).toEqual([type, w, h]);
      expect(m.wasm).toBeGreaterThan(0);
      expect(m.peak).toBeGreaterThan(m.wasm);
      expect(m.peak).toBeLessThan(ISOLATE_LIMIT);
      expect(m.estimate).toBeGreaterThanOrEqual(m.peak);
    });
  }
});
