/**
 * Cloudflare's remaining options (issue 13 part 1) end to end through the Worker, in the
 * query and /cdn-cgi/image/ forms: perceptual quality, baseline JPEG, compression=fast,
 * fit=scale-up and fit=aspect-crop, blur=0 and brightness/contrast/gamma=0. Sources from the loopback origin.
 */
import { describe, expect, it } from 'vitest';
import { decodePixels, meanColor, readError, readImage, type ImageResult } from '../support/images';
import { callWorker, ORIGIN } from '../support/worker';
import { readExifSummary } from '../../src/metadata/exif';
import { extractMetadata } from '../../src/metadata/extract';
import { probeImage } from '../../src/probe';

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
  it.each(['brightness', 'contrast', 'gamma'])('%s=0 is ignored, as Cloudflare documents: the pixels of the URL without it; 0.5 differs', async (key) => {
    const plain = await get(`${PHOTO}?w=200&format=png`);
    expect(await meanDiff(await get(`/cdn-cgi/image/w=200,${key}=0,format=png${PHOTO}`), plain)).toBe(0);
    expect(await meanDiff(await get(`${PHOTO}?w=200&${key}=0&format=png`), plain)).toBe(0);
    expect(await meanDiff(await get(`${PHOTO}?w=200&${key}=0.5&format=png`), plain)).toBeGreaterThan(1);
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

// --- The rest of issue 13 part 1: metadata, slow-connection-quality, width=auto, border, flip, format=json, draw ---

const text = (b: Uint8Array) => new TextDecoder('latin1').decode(b);

describe('metadata=keep|copyright|none', () => {
  // meta-exif.*: 64x48 stored with EXIF orientation 6 (displays 48x64), Copyright, Artist, Make, GPS, and XMP.
  it('JPEG by default keeps only the copyright fields: no camera make, no GPS, no XMP, in both forms', async () => {
    for (const path of ['/gen/meta-exif.jpg?w=24', '/cdn-cgi/image/w=24/gen/meta-exif.jpg']) {
      const img = await get(path);
      expect([img.format, img.width, img.height]).toEqual(['jpeg', 24, 32]); // oriented before resizing
      const found = await extractMetadata(img.bytes, 'jpeg');
      expect(found.xmp).toBeUndefined();
      expect(readExifSummary(found.exif!)).toMatchObject({ copyright: 'Copyright 2026 Thumbflare test', artist: 'Jane Test', gps: false });
      expect(text(img.bytes)).not.toContain('TestCam');
      expect(text(img.bytes)).not.toContain('Jane XMP');
    }
  });
  it('metadata=keep keeps EXIF (GPS included) with orientation 1, and XMP with its orientation 1', async () => {
    for (const path of ['/gen/meta-exif.jpg?w=24&metadata=keep', '/cdn-cgi/image/w=24,metadata=keep/gen/meta-exif.jpg']) {
      const img = await get(path);
      expect([img.width, img.height]).toEqual([24, 32]);
      const found = await extractMetadata(img.bytes, 'jpeg');
      expect(readExifSummary(found.exif!)).toMatchObject({ orientation: 1, copyright: 'Copyright 2026 Thumbflare test', gps: true, thumbnail: false });
      expect(text(img.bytes)).toContain('TestCam');
      const xmp = text(found.xmp!);
      expect(xmp).toContain('Jane XMP');
      expect(xmp).toContain('tiff:Orientation="1"');
      // A browser reading the kept EXIF must not turn the already-oriented pixels again.
      expect(probeImage(img.bytes).orientation).toBe(1);
    }
  });
  it('metadata=none carries nothing', async () => {
    for (const path of ['/gen/meta-exif.jpg?metadata=none', '/cdn-cgi/image/metadata=none,w=24/gen/meta-exif.jpg']) {
      const img = await get(path);
      expect(await extractMetadata(img.bytes, 'jpeg')).toEqual({});
      expect(text(img.bytes)).not.toContain('Thumbflare test');
    }
  });
  it('WebP and PNG output carry nothing by default (as Cloudflare) and EXIF/XMP with an explicit keep (superset)', async () => {
    for (const [src, format] of [['/gen/meta-exif.png', 'png'], ['/gen/meta-exif.webp', 'webp'], ['/gen/meta-exif.jpg', 'webp'], ['/gen/meta-exif.jpg', 'png']] as const) {
      const plain = await get(`${src}?format=${format}`);
      expect(await extractMetadata(plain.bytes, format)).toEqual({});
      const kept = await get(`/cdn-cgi/image/format=${format},metadata=keep${src}`);
      expect(kept.format).toBe(format);
      const found = await extractMetadata(kept.bytes, format);
      expect(readExifSummary(found.exif!)).toMatchObject({ orientation: 1, gps: true });
      expect(text(found.xmp!)).toContain('Jane XMP');
      expect(probeImage(kept.bytes)).toMatchObject({ orientation: 1, width: 48, height: 64 });
      // The container stays valid: it decodes to the oriented pixels.
      expect((await decodePixels(kept)).width).toBe(48);
      const copyright = await get(`${src}?format=${format}&metadata=copyright`);
      expect(readExifSummary((await extractMetadata(copyright.bytes, format)).exif!)).toMatchObject({ copyright: 'Copyright 2026 Thumbflare test', gps: false });
    }
  });
  it('AVIF output carries none, whatever the policy', async () => {
    const img = await get('/gen/meta-exif.jpg?format=avif&metadata=keep');
    expect(img.format).toBe('avif');
    expect(text(img.bytes)).not.toContain('TestCam');
  });
  it('an unknown policy is a 400 naming metadata', async () => {
    expect(await bad('/cdn-cgi/image/metadata=all/gen/meta-exif.jpg')).toBe('metadata');
  });
});

describe('slow-connection-quality (scq) with client hints', () => {
  const SLOW: Record<string, string>[] = [{ ECT: '3g' }, { RTT: '200' }, { 'Save-Data': 'on' }, { Downlink: '1.5' }];
  const FAST: Record<string, string>[] = [{}, { ECT: '4g' }, { RTT: '100' }, { Downlink: '10' }, { 'Save-Data': 'off' }];
  it('a slow hint encodes at scq, otherwise at quality; the cache keeps the two apart', async () => {
    const atScq = await get(`${PHOTO}?w=320&format=jpeg&q=30`);
    const atQ = await get(`${PHOTO}?w=320&format=jpeg&q=85`);
    expect(await meanDiff(atScq, atQ)).toBeGreaterThan(0.5);
    // Alternate fast and slow on one URL: a cached fast answer must never reach a slow client, or back.
    for (let i = 0; i < SLOW.length; i++) {
      for (const path of [`${PHOTO}?w=320&format=jpeg&scq=30`, `/cdn-cgi/image/w=320,format=jpeg,slow-connection-quality=30${PHOTO}`]) {
        const fast = await get(path, FAST[i]);
        expect(await meanDiff(fast, atQ)).toBe(0);
        const slow = await get(path, SLOW[i]);
        expect(await meanDiff(slow, atScq)).toBe(0);
        expect(fast.headers.get('etag')).not.toBe(slow.headers.get('etag'));
        for (const h of ['RTT', 'ECT', 'Downlink', 'Save-Data']) expect(slow.headers.get('vary')).toContain(h);
        expect(slow.headers.get('accept-ch')).toContain('ECT');
      }
    }
  });
  it('a perceptual scq takes its number for the output format', async () => {
    const slow = await get(`${PHOTO}?w=320&format=webp&scq=low`, { RTT: '400' });
    expect(await meanDiff(slow, await get(`${PHOTO}?w=320&format=webp&q=50`))).toBe(0);
  });
  it('no Vary on client hints without scq or width=auto', async () => {
    const img = await get(`${PHOTO}?w=100`, { RTT: '400' });
    expect(img.headers.get('vary') ?? '').not.toContain('RTT');
    expect(img.headers.get('accept-ch')).toBeNull();
  });
});

describe('width=auto with client hints', () => {
  const SRC = '/gen/1080p.jpg'; // 1920x1080
  const CASES: [Record<string, string>, number][] = [
    [{ 'Sec-CH-Width': '900' }, 960],
    [{ Width: '300' }, 320],
    [{ 'Sec-CH-Viewport-Width': '390', 'Sec-CH-DPR': '3' }, 1200],
    [{ 'Viewport-Width': '700' }, 768],
    [{ 'Sec-CH-Viewport-Width': '400', DPR: '2' }, 960],
    [{ 'User-Agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Mobile/15E148' }, 320],
    [{ 'User-Agent': 'Mozilla/5.0 (iPad; CPU OS 18_0 like Mac OS X)' }, 768],
    [{ 'User-Agent': 'Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0' }, 1200],
    [{}, 1200],
  ];
  it('picks one of 320/768/960/1200 from the hints in both forms, keyed by the decision', async () => {
    // Every case after another on the same URL: a cached width must never answer other hints.
    for (const path of [`${SRC}?width=auto`, `/cdn-cgi/image/width=auto,fit=scale-down${SRC}`]) {
      for (const [headers, width] of CASES) {
        const img = await get(path, headers);
        expect([img.width, headers]).toEqual([width, headers]);
        expect(img.height).toBe(Math.round((1080 * width) / 1920));
        for (const h of ['Sec-CH-Width', 'Sec-CH-Viewport-Width', 'Sec-CH-DPR', 'User-Agent']) expect(img.headers.get('vary')).toContain(h);
        expect(img.headers.get('accept-ch')).toContain('Sec-CH-Width');
      }
    }
  });
  it('ALLOWED_WIDTHS replaces the four sizes, so width=auto stays inside the list', async () => {
    const res = await callWorker(`${SRC}?width=auto`, { headers: { 'Sec-CH-Width': '500' }, env: { ALLOWED_WIDTHS: '256,640,1080' } });
    expect((await readImage(res)).width).toBe(640);
    // width x dpr must still be listed: width=auto cannot mint unlisted sizes through dpr.
    const minted = await callWorker(`${SRC}?width=auto&dpr=1.5`, { headers: { 'Sec-CH-Width': '500' }, env: { ALLOWED_WIDTHS: '256,640,1080' } });
    expect(minted.status).toBe(400);
    expect((await readError(minted)).param).toBe('dpr');
  });
});

describe('border', () => {
  // halves.png: 200x100, left red, right blue.
  it('adds a border of the colour around the resized image, in both forms', async () => {
    for (const path of ['/gen/halves.png?w=100&format=png&border=color=%2300ff00;width=5', '/cdn-cgi/image/w=100,format=png,border=color=%2300ff00;width=5/gen/halves.png']) {
      const img = await get(path);
      expect([img.width, img.height]).toEqual([110, 60]);
      const px = await decodePixels(img);
      expect(meanColor(px, 0, 0, 110, 5)).toEqual([0, 255, 0, 255]); // top band
      expect(meanColor(px, 105, 0, 5, 60)).toEqual([0, 255, 0, 255]); // right band
      expect(meanColor(px, 8, 10, 40, 40)[0]).toBeGreaterThan(240); // red half inside
      expect(meanColor(px, 60, 10, 40, 40)[2]).toBeGreaterThan(240); // blue half inside
    }
  });
  it('per-side widths, times dpr; with fit=pad the border goes around the padded canvas', async () => {
    const sides = await get('/cdn-cgi/image/w=50,dpr=2,format=png,border=color=black;top=1;right=2;bottom=3;left=4/gen/halves.png');
    expect([sides.width, sides.height]).toEqual([100 + 12, 50 + 8]);
    const px = await decodePixels(sides);
    expect(meanColor(px, 0, 0, 8, 58)).toEqual([0, 0, 0, 255]);
    expect(meanColor(px, 10, 4, 40, 40)[0]).toBeGreaterThan(240);
    const padded = await get('/gen/halves.png?w=100&h=100&fit=pad&format=png&border=color=%2300ff00;width=5');
    expect([padded.width, padded.height]).toEqual([110, 110]);
    const pp = await decodePixels(padded);
    expect(meanColor(pp, 0, 0, 110, 5)).toEqual([0, 255, 0, 255]);
    expect(meanColor(pp, 10, 8, 90, 15)).toEqual([255, 255, 255, 255]); // the white pad bar above the image
  });
  it('the memory rule counts the border canvas: the estimate covers the measured peak (border canvas and flatten copy)', async () => {
    const q = 'width=2000&height=2000&fit=pad&format=jpeg';
    const peak = async (path: string) => {
      const res = await callWorker(path, { env: { DEBUG: 'true' } });
      expect(res.status).toBe(200);
      await res.arrayBuffer();
      return { measured: Number(res.headers.get('x-thumbflare-peak-bytes')), estimated: Number(res.headers.get('x-thumbflare-estimated-peak-bytes')) };
    };
    // A translucent border on an opaque JPEG: the border canvas, then JPEG's flatten copy of it.
    const bordered = await peak(`/gen/1080p.jpg?${q}&border=color=%23ff000080;width=100`);
    const plain = await peak(`/gen/1080p.jpg?${q}`);
    expect(bordered.measured).toBeGreaterThan(0);
    expect(bordered.estimated).toBeGreaterThanOrEqual(bordered.measured);
    // The bordered output is larger: its estimate is too (the encoder's working set grows with it).
    expect(bordered.estimated).toBeGreaterThan(plain.estimated);
  });
  it('format=json reports the bordered size', async () => {
    const res = await callWorker('/gen/halves.png?w=100&format=json&border=color=red;width=5');
    expect(await res.json()).toMatchObject({ width: 110, height: 60 });
  });
  it('a border without a colour is a 400 naming border', async () => {
    expect(await bad('/cdn-cgi/image/border=width=5/gen/halves.png')).toBe('border');
  });
});

describe('flip as Cloudflare spells it (h, v, hv; flip before rotate)', () => {
  it('flip=h mirrors, flip=v and hv as documented', async () => {
    const h = await decodePixels(await get('/gen/halves.png?flip=h&format=png'));
    expect(meanColor(h, 0, 0, 90, 100)[2]).toBeGreaterThan(240); // blue now on the left
    const hv = await decodePixels(await get('/cdn-cgi/image/flip=hv,format=png/gen/halves.png'));
    expect(meanColor(hv, 0, 0, 90, 100)[2]).toBeGreaterThan(240);
    const v = await decodePixels(await get('/gen/halves.png?flip=v&format=png'));
    expect(meanColor(v, 0, 0, 90, 100)[0]).toBeGreaterThan(240); // a vertical flip leaves left and right
  });
  it('flip=h,rotate=90 flips first, then rotates: the blue half ends on top', async () => {
    for (const path of ['/cdn-cgi/image/flip=h,rotate=90,format=png/gen/halves.png', '/gen/halves.png?rotate=90&flip=h&format=png']) {
      const img = await get(path);
      expect([img.width, img.height]).toEqual([100, 200]);
      const px = await decodePixels(img);
      expect(meanColor(px, 0, 0, 100, 90)[2]).toBeGreaterThan(240);
      expect(meanColor(px, 0, 110, 100, 90)[0]).toBeGreaterThan(240);
    }
  });
});

describe("format=json in Cloudflare's layout", () => {
  it('width/height after resizing and original {file_size, width, height, format}, beside our own fields', async () => {
    const sourceBytes = (await (await fetch(`${ORIGIN}${PHOTO}`)).arrayBuffer()).byteLength;
    for (const path of [`${PHOTO}?w=320&format=json`, `/cdn-cgi/image/w=320,format=json${PHOTO}`]) {
      const res = await callWorker(path);
      expect(res.headers.get('content-type')).toContain('application/json');
      const body = await res.json() as Record<string, unknown>;
      expect(body).toMatchObject({ width: 320, height: 240, original: { file_size: sourceBytes, width: 640, height: 480, format: 'image/jpeg' } });
      expect(body).toMatchObject({ source: { format: 'jpeg', width: 640 }, output: { width: 320, height: 240 } });
    }
  });
  it('original is the displayed size (EXIF orientation applied)', async () => {
    const body = await (await callWorker('/gen/meta-exif.webp?format=json')).json();
    expect(body).toMatchObject({ width: 48, height: 64, original: { width: 48, height: 64, format: 'image/webp' } });
  });
});

describe('draw in the URL (Cloudflare draw objects as JSON)', () => {
  // bordered.png: 260x160 white, a 200x100 green block at 30,30. The overlay halves.png (200x100, red|blue) fitted into 40x20.
  const drawn = (overlays: unknown[]) => encodeURIComponent(JSON.stringify(overlays));
  it('places the overlay by its edges and size, in both forms', async () => {
    const spec = drawn([{ url: '/gen/halves.png', width: 40, top: 5, left: 5 }, { url: '/gen/halves.png', width: 40, bottom: 0, right: 0 }]);
    for (const path of [`/gen/bordered.png?format=png&draw=${spec}`, `/cdn-cgi/image/format=png,draw=${spec}/gen/bordered.png`]) {
      const px = await decodePixels(await get(path));
      expect(meanColor(px, 6, 6, 18, 18)[0]).toBeGreaterThan(240); // red half of the top-left overlay
      expect(meanColor(px, 26, 6, 18, 18)[2]).toBeGreaterThan(240); // its blue half
      expect(meanColor(px, 221, 141, 18, 18)[0]).toBeGreaterThan(240); // bottom-right overlay's red half
      expect(meanColor(px, 241, 141, 18, 18)[2]).toBeGreaterThan(240);
      expect(meanColor(px, 100, 60, 40, 40)[1]).toBeGreaterThan(100); // the green block untouched in the middle
    }
  });
  it('opacity blends the overlay with what is under it', async () => {
    const px = await decodePixels(await get(`/gen/bordered.png?format=png&draw=${drawn([{ url: '/gen/halves.png', width: 40, top: 0, left: 0, opacity: 0.5 }])}`));
    const [r, g, b] = meanColor(px, 2, 2, 14, 14); // red at half over white: (255, ~128, ~128)
    expect(r).toBeGreaterThan(245);
    expect(Math.abs(g - 128)).toBeLessThan(6);
    expect(Math.abs(b - 128)).toBeLessThan(6);
  });
  it('an overlay URL the source policy refuses is a 403, in both forms', async () => {
    const spec = drawn([{ url: 'http://203.0.113.9/logo.png' }]);
    for (const path of [`/gen/bordered.png?draw=${spec}`, `/cdn-cgi/image/draw=${spec}/gen/bordered.png`]) {
      const res = await callWorker(path);
      expect(res.status).toBe(403);
      expect((await readError(res)).code).toBe('not_allowed');
    }
  });
  it('malformed draw JSON and unsupported keys are a 400 naming draw', async () => {
    expect(await bad(`/gen/bordered.png?draw=${encodeURIComponent('[{"url":')}`)).toBe('draw');
    expect(await bad(`/cdn-cgi/image/draw=${drawn([{ url: '/gen/halves.png', rotate: 90 }])}/gen/bordered.png`)).toBe('draw');
  });
});
