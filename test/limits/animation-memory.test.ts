/**
 * The frame-by-frame path's memory, measured as test/limits/memory.test.ts measures
 * every path: the Worker (DEBUG) samples every live WASM instance plus the JS pixel
 * buffers it holds (the source, the compositing canvas and its disposal state, the
 * frame in flight and each step's buffers, the encoded frames so far) after every
 * step of every frame, and reports the largest sum as X-Thumbflare-Peak-Bytes.
 * The done-when case of issue 15: a 200-frame 500x500 GIF (50 MP in all, made at
 * test time by test/support/animations.ts) resized to 200 px, under 128 MiB, and
 * never above the memory rule's estimate (limits.ts admitAnimation).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { callWorker, ORIGIN } from '../support/worker';

const MiB = 1024 * 1024;
const ISOLATE_LIMIT = 128 * MiB;

const measured: { path: string; frames: number; wasmBytes: number; peakBytes: number; estimatedBytes: number; ms: number }[] = [];
afterAll(async () => {
  // Timings stay in the log, not the file: the file changes only when a figure does.
  await fetch(`${ORIGIN}/__record/animation-memory`, { method: 'POST', body: JSON.stringify({ date: new Date().toISOString(), rows: measured.map(({ ms: _ms, ...row }) => row) }) });
});

describe('animation memory under 128 MiB (WASM + JS pixel buffers)', () => {
  const CASES: [string, 'webp' | 'gif'][] = [
    ['/gen/anim-200f-500.gif?width=200&format=webp', 'webp'],
    ['/gen/anim-200f-500.gif?width=200&format=gif', 'gif'],
  ];
  for (const [path, format] of CASES) {
    it(`${path}: 200 frames out, peak measured under 128 MiB and under the estimate`, async () => {
      const t0 = performance.now();
      const res = await callWorker(path, { env: { DEBUG: 'true' } });
      const bytes = new Uint8Array(await res.arrayBuffer());
      const ms = performance.now() - t0;
      expect(res.status, new TextDecoder().decode(bytes.subarray(0, 200))).toBe(200);
      expect(res.headers.get('content-type')).toBe(`image/${format}`);
      const info = (await (await fetch(`${ORIGIN}/__anim`, { method: 'POST', body: bytes })).json()) as { pages: number; width: number; pageHeight: number; delay: number[] };
      expect([info.pages, info.width, info.pageHeight]).toEqual([200, 200, 200]);
      expect(info.delay.every((d) => d === 40)).toBe(true);
      const wasm = Number(res.headers.get('x-thumbflare-wasm-bytes'));
      const peak = Number(res.headers.get('x-thumbflare-peak-bytes'));
      const estimate = Number(res.headers.get('x-thumbflare-estimated-peak-bytes'));
      console.log(`${path}: ${bytes.length} bytes in ${ms.toFixed(0)} ms, peak WASM ${(wasm / MiB).toFixed(1)} MiB, peak WASM + JS ${(peak / MiB).toFixed(1)} MiB, estimated ${(estimate / MiB).toFixed(1)} MiB`);
      measured.push({ path, frames: info.pages, wasmBytes: wasm, peakBytes: peak, estimatedBytes: estimate, ms: Math.round(ms) });
      expect(peak).toBeGreaterThan(wasm);
      // The source (0.5 MB) and 200 canvases' worth of pixels (200 MB) were never all held: one frame at a time.
      expect(peak).toBeLessThan(ISOLATE_LIMIT);
      expect(estimate).toBeGreaterThanOrEqual(peak);
    }, 120_000);
  }
});
