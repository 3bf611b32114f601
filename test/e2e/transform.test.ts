/**
 * End to end through the Worker's fetch handler, sources from the loopback
 * origin: geometry of every fit mode, gravity, rotation, orientation, formats
 * by magic bytes, transparency, animation and metadata answers.
 */
import { describe, expect, it } from 'vitest';
import { decodePixels, meanColor, readImage } from '../support/images';
import { callWorker, ORIGIN } from '../support/worker';

const PHOTO = '/gen/photo-640.jpg'; // 640x480

describe('fit modes and sizes', () => {
  const CASES: [string, number, number][] = [
    ['w=200&h=200&fit=scale-down', 200, 150],
    ['w=200&h=200&fit=contain', 200, 150],
    ['w=200&h=200&fit=cover', 200, 200],
    ['w=200&h=200&fit=crop', 200, 200],
    ['w=200&h=200&fit=pad', 200, 200],
    ['w=200&h=200&fit=squeeze', 200, 200],
    ['w=1000&h=1000&fit=scale-down', 640, 480],
    ['w=1000&h=1000&fit=contain', 1000, 750],
    ['w=1000&h=1000&fit=cover', 1000, 1000],
    ['w=1000&h=1000&fit=crop', 640, 480],
    ['w=1000&h=300&fit=crop', 640, 300],
    ['w=1000&h=1000&fit=pad', 1000, 1000],
    ['w=1000&h=1000&fit=squeeze', 1000, 1000],
    ['w=320', 320, 240],
    ['h=120', 160, 120],
    ['w=1280', 640, 480],
    ['w=1280&fit=contain', 1280, 960],
    ['w=100&dpr=2', 200, 150],
    ['w=100&h=100&fit=cover&dpr=3', 300, 300],
    ['w=100&rotate=90', 100, 133],
    ['w=150&h=100&fit=cover&rotate=270', 150, 100],
    ['rotate=180', 640, 480],
    ['trim=10;20;30;40', 580, 440],
    ['trim=0;320;0;0&w=160', 160, 240],
    ['', 640, 480],
  ];
  for (const [query, w, h] of CASES) {
    it(`${query || '(no options)'} -> ${w}x${h}`, async () => {
      const img = await readImage(await callWorker(`${PHOTO}?${query}`));
      expect(img.format).toBe('jpeg');
      expect([img.width, img.height]).toEqual([w, h]);
    });
  }
  it('pad fills the bars with the background colour', async () => {
    const img = await readImage(await callWorker(`${PHOTO}?w=200&h=200&fit=pad&bg=%23ff0000&format=png`));
    const px = await decodePixels(img);
    expect(meanColor(px, 0, 0, 200, 20)).toEqual([255, 0, 0, 255]); // top bar (25 px high)
    expect(meanColor(px, 0, 180, 200, 20)).toEqual([255, 0, 0, 255]);
  });
});

describe('gravity', () => {
  // halves.png: 200x100, left half red, right half blue.
  const CASES: [string, 'red' | 'blue'][] = [
    ['gravity=left', 'red'],
    ['gravity=right', 'blue'],
    ['gravity=top-left', 'red'],
    ['gravity=bottom-right', 'blue'],
    ['gravity=0.1x0.5', 'red'],
    ['gravity=0.9x0.5', 'blue'],
  ];
  for (const [g, colour] of CASES) {
    it(`cover 50x100 with ${g} keeps the ${colour} side`, async () => {
      const img = await readImage(await callWorker(`/gen/halves.png?w=50&h=100&fit=cover&${g}`));
      expect([img.width, img.height]).toEqual([50, 100]);
      const [r, , b] = meanColor(await decodePixels(img));
      if (colour === 'red') expect(r - b).toBeGreaterThan(240);
      else expect(b - r).toBeGreaterThan(240);
    });
  }
  it('center gravity keeps both halves', async () => {
    const img = await readImage(await callWorker('/gen/halves.png?w=50&h=100&fit=cover'));
    const px = await decodePixels(img);
    expect(meanColor(px, 0, 0, 10, 100)[0]).toBeGreaterThan(240);
    expect(meanColor(px, 40, 0, 10, 100)[2]).toBeGreaterThan(240);
  });
  it('crop on a source smaller than the box cuts a window by gravity, never enlarging', async () => {
    const img = await readImage(await callWorker('/gen/halves.png?w=60&h=300&fit=crop&gravity=right'));
    expect([img.width, img.height]).toEqual([60, 100]);
    expect(meanColor(await decodePixels(img))[2]).toBeGreaterThan(240);
  });
  it('flip=h mirrors: the left edge becomes blue', async () => {
    const img = await readImage(await callWorker('/gen/halves.png?flip=h'));
    const px = await decodePixels(img);
    expect(meanColor(px, 0, 0, 20, 100)[2]).toBeGreaterThan(250);
    expect(meanColor(px, 180, 0, 20, 100)[0]).toBeGreaterThan(250);
  });
  it('rotate=90 turns clockwise: the red (left) half ends on top', async () => {
    const img = await readImage(await callWorker('/gen/halves.png?rotate=90'));
    expect([img.width, img.height]).toEqual([100, 200]);
    const px = await decodePixels(img);
    expect(meanColor(px, 0, 0, 100, 20)[0]).toBeGreaterThan(250);
    expect(meanColor(px, 0, 180, 100, 20)[2]).toBeGreaterThan(250);
  });
});

describe('output formats', () => {
  const CASES: [string, string, string][] = [
    [`${PHOTO}?w=100&format=jpeg`, 'jpeg', 'image/jpeg'],
    [`${PHOTO}?w=100&format=png`, 'png', 'image/png'],
    [`${PHOTO}?w=100&format=webp`, 'webp', 'image/webp'],
    [`${PHOTO}?w=100&format=avif`, 'avif', 'image/avif'],
    [`${PHOTO}?w=100`, 'jpeg', 'image/jpeg'],
    ['/corpus/png/basn6a08.png?w=16', 'png', 'image/png'],
    ['/corpus/webp/test.webp?w=16', 'webp', 'image/webp'],
    ['/corpus/gif/hopper.gif?w=16', 'png', 'image/png'],
  ];
  for (const [path, format, type] of CASES) {
    it(`${path} -> ${format}`, async () => {
      const img = await readImage(await callWorker(path));
      expect(img.format).toBe(format);
      expect(img.headers.get('content-type')).toBe(type);
      expect(img.headers.get('vary')).toBeNull();
    });
  }
  it('lossy WebP: q=50 is clearly smaller than q=95 on a photo', async () => {
    const lo = await readImage(await callWorker('/samples/landscape.jpg?w=800&format=webp&q=50'));
    const hi = await readImage(await callWorker('/samples/landscape.jpg?w=800&format=webp&q=95'));
    expect(lo.bytes.byteLength).toBeLessThan(hi.bytes.byteLength * 0.6);
  });
  it('quality changes JPEG output', async () => {
    const lo = await readImage(await callWorker(`${PHOTO}?format=jpeg&q=20`));
    const hi = await readImage(await callWorker(`${PHOTO}?format=jpeg&q=95`));
    expect(lo.bytes.byteLength).toBeLessThan(hi.bytes.byteLength * 0.5);
  });
});

describe('format=auto', () => {
  const CHROMIUM = 'image/jxl,image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8';
  const CASES: [string, string | null, string][] = [
    [PHOTO, CHROMIUM, 'avif'],
    [PHOTO, 'image/webp,image/*,*/*;q=0.8', 'webp'],
    [PHOTO, 'image/avif;q=0,image/webp', 'webp'],
    [PHOTO, 'image/jxl,image/*', 'jpeg'],
    [PHOTO, '*/*', 'jpeg'],
    [PHOTO, null, 'jpeg'],
    ['/gen/alpha-400.png', '*/*', 'png'],
    ['/gen/alpha-400.png', 'image/webp,*/*', 'webp'],
  ];
  for (const [path, accept, format] of CASES) {
    it(`${path} with Accept ${accept} -> ${format}`, async () => {
      const img = await readImage(await callWorker(`${path}?w=120&format=auto`, { headers: accept ? { Accept: accept } : {} }));
      expect(img.format).toBe(format);
      expect(img.headers.get('vary')).toBe('Accept');
    });
  }
});

describe('orientation and transparency', () => {
  it('EXIF orientation 6 is applied: 300x200 stored shows as 200x300', async () => {
    const img = await readImage(await callWorker('/gen/orient6.jpg?w=100'));
    expect([img.width, img.height]).toEqual([100, 150]);
  });
  for (const format of ['png', 'webp']) {
    it(`EXIF orientation 6 in a ${format.toUpperCase()} is applied: the red left edge ends on top`, async () => {
      const img = await readImage(await callWorker(`/gen/orient6.${format}?format=png`));
      expect([img.width, img.height]).toEqual([200, 300]);
      const px = await decodePixels(img);
      const [r, g] = meanColor(px, 0, 0, 200, 15);
      expect(r - g).toBeGreaterThan(200);
    });
  }
  it('output carries no EXIF (orientation, GPS, camera) from the source', async () => {
    const img = await readImage(await callWorker('/gen/orient6.jpg?w=100&format=jpeg'));
    const text = new TextDecoder('latin1').decode(img.bytes);
    expect(text).not.toContain('Exif');
    const source = new TextDecoder('latin1').decode(new Uint8Array(await (await fetch(`${ORIGIN}/gen/orient6.jpg`)).arrayBuffer()));
    expect(source).toContain('Exif'); // the control: the source had it
  });
  it('JPEG output flattens transparency onto white by default, blending partial alpha', async () => {
    // alpha-400.png: x < 100 transparent, 100..199 half, 200.. opaque.
    const px = await decodePixels(await readImage(await callWorker('/gen/alpha-400.png?format=jpeg')));
    const clear = meanColor(px, 10, 10, 60, 200);
    expect(Math.min(clear[0], clear[1], clear[2])).toBeGreaterThan(245);
  });
  it('JPEG flattening uses background', async () => {
    const px = await decodePixels(await readImage(await callWorker('/gen/alpha-400.png?format=jpeg&bg=%230000ff')));
    const [r, g, b] = meanColor(px, 10, 10, 60, 200);
    expect(b).toBeGreaterThan(240);
    expect(r + g).toBeLessThan(20);
  });
  it('PNG and WebP keep alpha', async () => {
    for (const format of ['png', 'webp']) {
      const px = await decodePixels(await readImage(await callWorker(`/gen/alpha-400.png?format=${format}`)));
      expect(meanColor(px, 10, 10, 60, 200)[3]).toBeLessThan(5);
      expect(meanColor(px, 300, 10, 60, 200)[3]).toBeGreaterThan(250);
    }
  });
});

describe('adjustments', () => {
  it('brightness, contrast, gamma, saturation and blur change pixels in the documented direction', async () => {
    const base = meanColor(await decodePixels(await readImage(await callWorker(`${PHOTO}?w=100&format=png`))));
    const dark = meanColor(await decodePixels(await readImage(await callWorker(`${PHOTO}?w=100&format=png&brightness=0.5`))));
    const light = meanColor(await decodePixels(await readImage(await callWorker(`${PHOTO}?w=100&format=png&gamma=2`))));
    expect(dark[0]).toBeLessThan(base[0] * 0.6);
    const flat = await decodePixels(await readImage(await callWorker(`${PHOTO}?w=100&format=png&contrast=0.2`)));
    const spread = (px: { data: Uint8Array }) => {
      let lo = 255, hi = 0;
      for (let i = 0; i < px.data.length; i += 4) { lo = Math.min(lo, px.data[i + 1]!); hi = Math.max(hi, px.data[i + 1]!); }
      return hi - lo;
    };
    expect(spread(flat)).toBeLessThan(spread(await decodePixels(await readImage(await callWorker(`${PHOTO}?w=100&format=png`)))) * 0.4);
    expect(light[0]).toBeGreaterThan(base[0] * 1.1);
    const grey = await decodePixels(await readImage(await callWorker(`${PHOTO}?w=100&format=png&saturation=0`)));
    for (let i = 0; i < grey.data.length; i += 4) {
      expect(Math.abs(grey.data[i]! - grey.data[i + 2]!)).toBeLessThanOrEqual(1);
    }
  });
  it('blur smooths and sharpen adds contrast between neighbours', async () => {
    const energy = async (q: string) => {
      const px = await decodePixels(await readImage(await callWorker(`/samples/landscape.jpg?w=200&format=png${q}`)));
      let sum = 0;
      for (let i = 4; i < px.data.length; i += 4) sum += Math.abs(px.data[i]! - px.data[i - 4]!);
      return sum;
    };
    const plain = await energy('');
    expect(await energy('&blur=4')).toBeLessThan(plain * 0.7);
    expect(await energy('&sharpen=5')).toBeGreaterThan(plain * 1.2);
  });
});

describe('animation and metadata', () => {
  // Within the budget animations are resized frame by frame (test/e2e/animation.test.ts); beyond it they pass through.
  it('an animated GIF over ANIMATION_MAX_PIXELS passes through untouched', async () => {
    const res = await callWorker('/corpus/gif/dispose_bgnd.gif?w=50&q=70', { env: { ANIMATION_MAX_PIXELS: '40000' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/gif');
    expect(res.headers.get('x-thumbflare-passthrough')).toBe('animated');
    const original = new Uint8Array(await (await fetch(`${ORIGIN}/corpus/gif/dispose_bgnd.gif`)).arrayBuffer());
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(original);
  });
  for (const q of ['anim=false', 'format=png', 'anim=false&format=webp']) {
    it(`an animated GIF with ${q} gives its first frame as a still`, async () => {
      const img = await readImage(await callWorker(`/corpus/gif/dispose_bgnd.gif?w=50&${q}`));
      expect(img.format).toBe(q.endsWith('format=webp') ? 'webp' : 'png');
      expect([img.width, img.height]).toEqual([50, 50]);
    });
  }
  it('an animated WebP over ANIMATION_MAX_PIXELS passes through untouched', async () => {
    const res = await callWorker('/gen/animated.webp?w=50&q=70', { env: { ANIMATION_MAX_PIXELS: '40000' } });
    expect(res.headers.get('content-type')).toBe('image/webp');
    expect(res.headers.get('x-thumbflare-passthrough')).toBe('animated');
    const original = new Uint8Array(await (await fetch(`${ORIGIN}/gen/animated.webp`)).arrayBuffer());
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(original);
  });
  it('an animated WebP with anim=false gives its first frame, composited', async () => {
    const fromWebp = await decodePixels(await readImage(await callWorker('/gen/animated.webp?anim=false&format=png')));
    const fromGif = await decodePixels(await readImage(await callWorker('/corpus/gif/dispose_bgnd.gif?anim=false&format=png')));
    expect([fromWebp.width, fromWebp.height]).toEqual([fromGif.width, fromGif.height]);
    const a = meanColor(fromWebp);
    const b = meanColor(fromGif);
    for (let c = 0; c < 4; c++) expect(Math.abs(a[c]! - b[c]!)).toBeLessThan(8);
  });
  it('format=json describes source and planned output', async () => {
    const res = await callWorker('/gen/orient6.jpg?w=100&format=json');
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await res.json()) as { source: { bytes: number } };
    expect(body).toEqual({
      // Cloudflare's layout (issue 13): the output size and the source as displayed.
      width: 100,
      height: 150,
      original: { file_size: body.source.bytes, width: 200, height: 300, format: 'image/jpeg' },
      source: { format: 'jpeg', width: 200, height: 300, storedWidth: 300, storedHeight: 200, orientation: 6, frames: 1, bytes: expect.any(Number) },
      // estimatedPeakBytes: the memory rule's estimate (src/codec/wasm/peak-memory.ts) for this output.
      output: { format: 'jpeg', width: 100, height: 150, estimatedPeakBytes: expect.any(Number) },
    });
  });
});
