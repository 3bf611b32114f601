/**
 * Server-Timing accounts for every millisecond (issue 10): for real requests
 * (the Worker in workerd, sources from the loopback origin, Miniflare's cache),
 * the stages sum to within 10% of `total`, never exceed it, and name every
 * stage the request passed; work left to waitUntil is named without a duration.
 */
import { describe, expect, it } from 'vitest';
import { readImage } from '../support/images';
import { callWorker } from '../support/worker';

let unique = 0;
const fresh = (path: string) => `/u/st-${Date.now()}-${unique++}${path}`;

function parseTiming(header: string | null): { stages: Map<string, number>; total: number; background: string[] } {
  const stages = new Map<string, number>();
  const background: string[] = [];
  let total = NaN;
  for (const part of (header ?? '').split(', ')) {
    const [name, ...params] = part.split(';');
    const dur = params.find((p) => p.startsWith('dur='));
    if (name === 'total') total = Number(dur!.slice(4));
    else if (dur) {
      expect(stages.has(name!), `${name} listed twice`).toBe(false);
      stages.set(name!, Number(dur.slice(4)));
    } else if (params.includes('desc="waitUntil"')) background.push(name!);
  }
  return { stages, total, background };
}

/** The stages' sum is total minus what runs after the last lap (the headers): within 10% plus 2 ms. */
function expectAccountedFor(t: ReturnType<typeof parseTiming>): void {
  const sum = [...t.stages.values()].reduce((a, v) => a + v, 0);
  // workerd's clock ticks in whole milliseconds: a cache hit can read 0.
  expect(Number.isFinite(t.total) && t.total >= 0).toBe(true);
  // Each duration is rounded to 0.1 ms: allow that much per stage on the upper side.
  expect(sum).toBeLessThanOrEqual(t.total + 0.05 * t.stages.size);
  expect(sum).toBeGreaterThanOrEqual(t.total * 0.9 - 2);
}

describe('Server-Timing', () => {
  const CASES: [string, string, string[]][] = [
    ['12 MP JPEG -> 300 w JPEG (1/8-scale decode, box + Lanczos)', '/gen/12mp.jpg?width=300&format=jpeg', ['decode', 'step-resize', 'encode']],
    ['640 px JPEG -> 100 w WebP', '/gen/photo-640.jpg?width=100&format=webp', ['decode', 'step-resize', 'encode']],
    ['EXIF orientation 6 -> rotated, cropped', '/gen/orient6.jpg?width=120&height=120&fit=cover', ['step-orient', 'step-crop', 'step-resize']],
    ['PNG with alpha -> blurred PNG', '/gen/alpha-400.png?width=200&blur=5&format=png', ['alpha-scan', 'step-resize', 'step-blur', 'encode']],
  ];
  for (const [name, url, expected] of CASES) {
    it(`${name}: stages sum to total`, async () => {
      const img = await readImage(await callWorker(fresh(url)));
      const t = parseTiming(img.headers.get('server-timing'));
      console.log(`MEASURE server-timing ${name}: ${img.headers.get('server-timing')}`);
      for (const stage of ['request', 'result-cache', 'hash', 'source-cache', 'origin-headers', 'origin-body', 'probe', 'plan', 'budget', ...expected]) {
        expect([...t.stages.keys()], stage).toContain(stage);
      }
      expect(t.background).toEqual(['source-put', 'cache-put']);
      expectAccountedFor(t);
    });
  }

  it('a second variant of a cached source times the source-cache read, not the origin', async () => {
    const path = fresh('/gen/photo-640.jpg');
    await readImage(await callWorker(`${path}?width=64`));
    const t = parseTiming((await readImage(await callWorker(`${path}?width=65`))).headers.get('server-timing'));
    expect(t.stages.has('source-cache')).toBe(true);
    expect(t.stages.has('origin-headers')).toBe(false);
    expect(t.background).toEqual(['cache-put']);
    expectAccountedFor(t);
  });

  it('a result-cache hit reports its lookup and total only', async () => {
    const url = fresh('/gen/photo-640.jpg') + '?width=66';
    await readImage(await callWorker(url));
    const t = parseTiming((await readImage(await callWorker(url))).headers.get('server-timing'));
    expect([...t.stages.keys()]).toEqual(['request', 'result-cache']);
    expectAccountedFor(t);
  });

  it('an origin that forbids storing gets no cache-put', async () => {
    const t = parseTiming((await readImage(await callWorker(fresh('/cc/no-store/corpus/jpeg/hopper.jpg') + '?width=20'))).headers.get('server-timing'));
    expect(t.background).toEqual([]);
    expectAccountedFor(t);
  });
});
