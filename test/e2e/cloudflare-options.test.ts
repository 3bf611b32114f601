/**
 * Cloudflare's remaining options (issue 13 part 1) end to end through the Worker, in the
 * query and /cdn-cgi/image/ forms: perceptual quality, baseline JPEG, compression=fast,
 * fit=scale-up and fit=aspect-crop, blur=0. Sources from the loopback origin.
 */
import { describe, expect, it } from 'vitest';
import { decodePixels, meanColor, readError, readImage, type ImageResult } from '../support/images';
import { callWorker } from '../support/worker';

const PHOTO = '/gen/photo-640.jpg'; // 640x480

/** Mean absolute difference per channel between two same-sized images. */
async function meanDiff(a: ImageResult, b: ImageResult): Promise<number> {
  const [pa, pb] = [await decodePixels(a), await decodePixels(b)];
  expect([pa.width, pa.height]).toEqual([pb.width, pb.height]);
  let sum = 0;
  for (let i = 0; i < pa.data.length; i += 4) {
    for (let c = 0; c < 3; c++) sum += Math.abs(pa.data[i + c]! - pb.data[i + c]!);
  }
  return sum / ((pa.data.length / 4) * 3);
}

const get = async (path: string, headers?: Record<string, string>) => {
  const res = await callWorker(path, headers ? { headers } : {});
  expect(res.status).toBe(200);
  return readImage(res);
};

/** A request that must be refused with 400; returns the parameter its JSON error names. */
const bad = async (path: string) => {
  const res = await callWorker(path);
  expect(res.status).toBe(400);
  return (await readError(res)).param;
};

describe('quality=high|medium-high|medium-low|low', () => {
  it('each name encodes like its number for the output format (JPEG and WebP)', async () => {
    for (const [name, jpeg, webp] of [['high', 90, 88], ['low', 55, 50]] as const) {
      const byName = await get(`${PHOTO}?w=320&format=jpeg&quality=${name}`);
      const byNumber = await get(`${PHOTO}?w=320&format=jpeg&quality=${jpeg}`);
      expect(byName.format).toBe('jpeg');
      expect(await meanDiff(byName, byNumber)).toBe(0);
      const webpByName = await get(`/cdn-cgi/image/w=320,format=webp,quality=${name}${PHOTO}`);
      const webpByNumber = await get(`/cdn-cgi/image/w=320,format=webp,quality=${webp}${PHOTO}`);
      expect(webpByName.format).toBe('webp');
      expect(await meanDiff(webpByName, webpByNumber)).toBe(0);
    }
  });
  it('low is visibly rougher than high, and both stay close to the source', async () => {
    const ref = await get(`${PHOTO}?w=320&format=png`);
    const high = await meanDiff(await get(`${PHOTO}?w=320&format=jpeg&quality=high`), ref);
    const low = await meanDiff(await get(`/cdn-cgi/image/w=320,format=jpeg,q=low${PHOTO}`), ref);
    expect(high).toBeLessThan(low);
    expect(low).toBeLessThan(12);
  });
  it('an unknown name is a 400 naming quality', async () => {
    expect(await bad(`${PHOTO}?quality=medium`)).toBe('quality');
    expect(await bad(`/cdn-cgi/image/quality=best${PHOTO}`)).toBe('quality');
  });
});

/** The JPEG start-of-frame markers present: C0 baseline, C1 extended, C2 progressive. */
function jpegFrames(bytes: Uint8Array): string[] {
  const found: string[] = [];
  for (let i = 2; i + 3 < bytes.length; ) {
    if (bytes[i] !== 0xff) break;
    const marker = bytes[i + 1]!;
    if (marker === 0xda) break; // start of scan: every frame header comes before it
    if (marker >= 0xc0 && marker <= 0xc2) found.push(marker.toString(16));
    i += 2 + ((bytes[i + 2]! << 8) | bytes[i + 3]!);
  }
  return found;
}

describe('format=baseline-jpeg', () => {
  it('answers a baseline (SOF0) JPEG in both forms, from a PNG source too', async () => {
    for (const path of [`${PHOTO}?w=200&format=baseline-jpeg`, `/cdn-cgi/image/w=200,f=baseline-jpeg/gen/halves.png`]) {
      const img = await get(path);
      expect(img.format).toBe('jpeg');
      expect(img.headers.get('content-type')).toBe('image/jpeg');
      expect(jpegFrames(img.bytes)).toEqual(['c0']);
      expect(img.width).toBe(200);
    }
  });
});

describe('compression=fast', () => {
  it('WebP and AVIF come from the faster encoder setting, pixels still close to the slow encode', async () => {
    for (const format of ['webp', 'avif'] as const) {
      const slow = await get(`${PHOTO}?w=320&format=${format}&q=80`);
      const fast = await get(`/cdn-cgi/image/w=320,format=${format},q=80,compression=fast${PHOTO}`);
      expect(fast.format).toBe(format);
      expect([fast.width, fast.height]).toEqual([320, 240]);
      // Another encoder effort gives other bytes (the option reaches the encoder) ...
      expect(Buffer.from(fast.bytes).equals(Buffer.from(slow.bytes))).toBe(false);
      // ... but the same picture, within lossy tolerance.
      expect(await meanDiff(fast, slow)).toBeLessThan(4);
    }
  });
  it('JPEG is unchanged by it (no slower JPEG mode to leave)', async () => {
    const plain = await get(`${PHOTO}?w=320&format=jpeg`);
    const fast = await get(`${PHOTO}?w=320&format=jpeg&compression=fast`);
    expect(await meanDiff(plain, fast)).toBe(0);
  });
  it('another value is a 400 naming compression', async () => {
    expect(await bad(`/cdn-cgi/image/compression=lossless${PHOTO}`)).toBe('compression');
  });
});

describe('fit=scale-up and fit=aspect-crop', () => {
  // photo-640.jpg is 640x480.
  const CASES: [string, number, number][] = [
    // scale-up: contain that never shrinks.
    ['w=1000&h=1000&fit=scale-up', 1000, 750],
    ['w=200&h=200&fit=scale-up', 640, 480],
    ['w=1280&fit=scale-up', 1280, 960],
    ['h=120&fit=scale-up', 640, 480],
    // aspect-crop: the box's aspect ratio always, never enlarged.
    ['w=200&h=200&fit=aspect-crop', 200, 200],
    ['w=1000&h=300&fit=aspect-crop', 640, 192],
    ['w=1000&h=1000&fit=aspect-crop', 480, 480],
    ['w=320&h=120&fit=aspect-crop', 320, 120],
    ['w=320&fit=aspect-crop', 320, 240],
    ['w=1280&fit=aspect-crop', 640, 480],
  ];
  for (const [query, w, h] of CASES) {
    it(`${query} -> ${w}x${h}`, async () => {
      const img = await get(`${PHOTO}?${query}`);
      expect([img.width, img.height]).toEqual([w, h]);
    });
    it(`cdn-cgi ${query} -> ${w}x${h}`, async () => {
      const img = await get(`/cdn-cgi/image/${query.replaceAll('&', ',')}${PHOTO}`);
      expect([img.width, img.height]).toEqual([w, h]);
    });
  }
  it('scale-up enlarges the whole picture (no crop): the enlarged image matches the source', async () => {
    const up = await get(`/gen/halves.png?w=400&h=400&fit=scale-up&format=png`); // 200x100 -> 400x200
    expect([up.width, up.height]).toEqual([400, 200]);
    const px = await decodePixels(up);
    expect(meanColor(px, 0, 0, 180, 200)[0]).toBeGreaterThan(240); // left half red
    expect(meanColor(px, 220, 0, 180, 200)[2]).toBeGreaterThan(240); // right half blue
  });
  // halves.png: 200x100, left red, right blue. A 100x200 box is larger than the source and portrait:
  // crop would answer 100x100; aspect-crop cuts a 50x100 window of the box's shape, by gravity, at 1:1.
  for (const [g, colour] of [['left', 'red'], ['right', 'blue']] as const) {
    it(`aspect-crop of a smaller source keeps the box's shape by gravity=${g} (${colour})`, async () => {
      const img = await get(`/gen/halves.png?w=100&h=200&fit=aspect-crop&g=${g}&format=png`);
      expect([img.width, img.height]).toEqual([50, 100]);
      const [r, , b] = meanColor(await decodePixels(img));
      if (colour === 'red') expect(r - b).toBeGreaterThan(240);
      else expect(b - r).toBeGreaterThan(240);
    });
  }
  it('an unknown fit is a 400 naming fit', async () => {
    expect(await bad(`/cdn-cgi/image/fit=scale-upward${PHOTO}`)).toBe('fit');
  });
});

describe('blur=0 and dpr as Cloudflare spells them', () => {
  it('blur=0 is no blur: the same pixels as without it; blur=5 differs', async () => {
    const plain = await get(`${PHOTO}?w=200&format=png`);
    const zero = await get(`/cdn-cgi/image/w=200,blur=0,format=png${PHOTO}`);
    expect(await meanDiff(zero, plain)).toBe(0);
    const blurred = await get(`${PHOTO}?w=200&blur=5&format=png`);
    expect(await meanDiff(blurred, plain)).toBeGreaterThan(1);
  });
  it('dpr=2 and dpr=3 (Cloudflare range) multiply the size', async () => {
    expect((await get(`/cdn-cgi/image/w=100,dpr=2${PHOTO}`)).width).toBe(200);
    expect((await get(`${PHOTO}?w=100&dpr=3`)).width).toBe(300);
  });
});

describe('trim=border and the trim rectangle', () => {
  // bordered.png: 260x160, a 200x100 green block inside a 30 px white border.
  const BORDERED = '/gen/bordered.png';
  it('trim=border cuts the uniform border, in both forms', async () => {
    for (const path of [`${BORDERED}?trim=border`, `/cdn-cgi/image/trim=border${BORDERED}`]) {
      const img = await get(path);
      expect([img.width, img.height]).toEqual([200, 100]);
      const [r, g, b] = meanColor(await decodePixels(img));
      expect(g).toBeGreaterThan(150);
      expect(r + b).toBeLessThan(10);
    }
  });
  it('trim.keep leaves that much border; trim.color names the colour; then the resize applies', async () => {
    const kept = await get(`/cdn-cgi/image/trim=border,trim.keep=10,trim.color=%23fff${BORDERED}`);
    expect([kept.width, kept.height]).toEqual([220, 120]);
    const px = await decodePixels(kept);
    expect(meanColor(px, 0, 0, 220, 8)).toEqual([255, 255, 255, 255]); // the kept white band
    expect(meanColor(px, 20, 20, 180, 80)[1]).toBeGreaterThan(150); // green inside
    const resized = await get(`${BORDERED}?trim=border&w=100`);
    expect([resized.width, resized.height]).toEqual([100, 50]);
  });
  it('a trim.color that is not the border trims nothing', async () => {
    const img = await get(`${BORDERED}?trim=border&trim.color=black&trim.tolerance=0`);
    expect([img.width, img.height]).toEqual([260, 160]);
  });
  it('trim.left/top/width/height keep that rectangle', async () => {
    const img = await get(`/cdn-cgi/image/trim.left=30,trim.top=30,trim.width=100,trim.height=50${BORDERED}`);
    expect([img.width, img.height]).toEqual([100, 50]);
    const [r, g, b] = meanColor(await decodePixels(img));
    expect(g).toBeGreaterThan(150);
    expect(r + b).toBeLessThan(10);
    const wide = await get(`${PHOTO}?trim.left=40&trim.width=200`);
    expect([wide.width, wide.height]).toEqual([200, 480]);
  });
  it('fractional trim values are source pixels, the cut rounded to whole pixels', async () => {
    const img = await get(`/cdn-cgi/image/trim=29.6;30.4;30.4;29.6${BORDERED}`); // ~30 px each side
    expect([img.width, img.height]).toEqual([200, 100]);
    const [r, g, b] = meanColor(await decodePixels(img));
    expect(g).toBeGreaterThan(150);
    expect(r + b).toBeLessThan(12);
    const rect = await get(`${BORDERED}?trim.left=29.7&trim.top=30.2&trim.width=199.8&trim.height=100.1`);
    expect([rect.width, rect.height]).toEqual([200, 100]);
  });
  it('trim.keep without trim=border is a 400 naming it', async () => {
    expect(await bad(`${BORDERED}?trim.keep=2`)).toBe('trim.keep');
  });
});
