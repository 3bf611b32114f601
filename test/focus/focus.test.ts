/**
 * Content-aware cropping end to end (src/focus/ through the real Worker): Cloudflare's
 * gravity=auto and gravity=face with zoom, in the three URL forms, on scenes the
 * loopback origin generates with a known subject box (test/support/scenes.ts) and on
 * the corpus' real portrait with its hand-annotated face box.
 */
import { describe, expect, it } from 'vitest';
import { decodePixels, readError, readImage } from '../support/images';
import { FACE_SCENE_BOX, FOCUS_SCENES } from '../support/scenes';
import { callWorker, ORIGIN } from '../support/worker';

interface Box { left: number; top: number; width: number; height: number }
interface FocusJson {
  source: { width: number; height: number };
  output: { width: number; height: number };
  focus: { gravity: string; window: Box; focal: { x: number; y: number }; score: number; faces: (Box & { score: number })[] };
}

const contains = (w: Box, b: Box, slack = 1) =>
  b.left >= w.left - slack && b.top >= w.top - slack && b.left + b.width <= w.left + w.width + slack && b.top + b.height <= w.top + w.height + slack;

function iou(a: Box, b: Box): number {
  const ix = Math.max(0, Math.min(a.left + a.width, b.left + b.width) - Math.max(a.left, b.left));
  const iy = Math.max(0, Math.min(a.top + a.height, b.top + b.height) - Math.max(a.top, b.top));
  return (ix * iy) / (a.width * a.height + b.width * b.height - ix * iy);
}

async function focusJson(path: string): Promise<FocusJson> {
  const res = await callWorker(path);
  expect(res.status).toBe(200);
  return (await res.json()) as FocusJson;
}

function meanAbsDiff(a: { data: Uint8Array }, b: { data: Uint8Array }): number {
  expect(a.data.length).toBe(b.data.length);
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) sum += Math.abs(a.data[i]! - b.data[i]!);
  return sum / a.data.length;
}

describe('gravity=auto keeps the subject a centre crop cuts off', () => {
  // [scene, output size]: every subject sits where the centred window misses it.
  const CASES: [string, number, number][] = [
    ['focus-right-bokeh.jpg', 300, 300],
    ['focus-left-clutter.jpg', 300, 300],
    ['focus-left-clutter.jpg', 200, 320],
    ['focus-top-plain.jpg', 400, 300],
    ['focus-bottom-texture.jpg', 320, 180],
  ];
  for (const [name, w, h] of CASES) {
    it(`${name} at ${w}x${h}`, async () => {
      const { box } = FOCUS_SCENES[name]!;
      const centre = await focusJson(`/gen/${name}?w=${w}&h=${h}&fit=cover&format=json`);
      expect(centre.focus).toBeUndefined();
      const auto = await focusJson(`/gen/${name}?w=${w}&h=${h}&fit=cover&gravity=auto&format=json`);
      expect(auto.output).toMatchObject({ width: w, height: h });
      expect(auto.focus.gravity).toBe('auto');
      expect(auto.focus.faces).toEqual([]);
      expect(contains(auto.focus.window, box)).toBe(true);
      expect(auto.focus.window.width / auto.focus.window.height).toBeCloseTo(w / h, 2);
    });
  }

  it('the pixels follow the window: the image is the crop a focal point at the window centre gives', async () => {
    const path = '/gen/focus-right-bokeh.jpg?w=300&h=300&fit=cover';
    const json = await focusJson(`${path}&gravity=auto&format=json`);
    const { window: win } = json.focus;
    const g = `${((win.left + win.width / 2) / json.source.width).toFixed(4)}x${((win.top + win.height / 2) / json.source.height).toFixed(4)}`;
    const auto = await readImage(await callWorker(`${path}&gravity=auto`));
    const same = await readImage(await callWorker(`${path}&gravity=${g}`));
    const centre = await readImage(await callWorker(path));
    expect([auto.width, auto.height]).toEqual([300, 300]);
    const a = await decodePixels(auto);
    expect(meanAbsDiff(a, await decodePixels(same))).toBeLessThan(1.5);
    expect(meanAbsDiff(a, await decodePixels(centre))).toBeGreaterThan(10);
    expect(auto.headers.get('x-thumbflare-gravity')).toBe('auto');
    expect(auto.headers.get('server-timing')).toMatch(/(^|, )focus;dur=\d/);
    expect(centre.headers.get('x-thumbflare-gravity')).toBeNull();
  });

  it('is deterministic: the same request twice gives the same window', async () => {
    const a = await focusJson('/u/det1/gen/focus-left-clutter.jpg?w=300&h=300&fit=cover&g=auto&format=json');
    const b = await focusJson('/u/det2/gen/focus-left-clutter.jpg?w=300&h=300&fit=cover&g=auto&format=json');
    expect(b.focus).toEqual(a.focus);
  });

  // The same request in the three URL forms (path query, /cdn-cgi/image/, remote ?url=).
  const FORMS: [string, string, Record<string, string>][] = [
    ['path form', '/gen/focus-right-bokeh.jpg?width=300&height=300&fit=cover&gravity=auto&format=json', {}],
    ['cdn-cgi form', '/cdn-cgi/image/width=300,height=300,fit=cover,g=auto,f=json/gen/focus-right-bokeh.jpg', {}],
    ['remote form', `/?url=${encodeURIComponent(`${ORIGIN}/gen/focus-right-bokeh.jpg`)}&w=300&h=300&fit=cover&gravity=auto&format=json`, { ALLOWED_ORIGINS: ORIGIN }],
  ];
  for (const [form, path, env] of FORMS) {
    it(`works in the ${form}`, async () => {
      const res = await callWorker(path, { env });
      expect(res.status).toBe(200);
      const body = (await res.json()) as FocusJson;
      expect(contains(body.focus.window, FOCUS_SCENES['focus-right-bokeh.jpg']!.box)).toBe(true);
    });
  }

  it('looks at the image as displayed: an EXIF-rotated copy of a scene gets the same window', async () => {
    const upright = await focusJson('/gen/focus-right-bokeh.jpg?w=300&h=300&fit=cover&gravity=auto&format=json');
    const rotated = await focusJson('/gen/focus-right-bokeh-orient6.jpg?w=300&h=300&fit=cover&gravity=auto&format=json');
    expect(rotated.source).toMatchObject({ width: 1200, height: 600, orientation: 6 });
    expect(contains(rotated.focus.window, FOCUS_SCENES['focus-right-bokeh.jpg']!.box)).toBe(true);
    expect(Math.abs(rotated.focus.window.left - upright.focus.window.left)).toBeLessThan(30);
  });

  it('places the window inside the trimmed area', async () => {
    // Trimming 500 px off the right leaves 700x600; the subject (900..1120) is cut away, the window stays in 0..700.
    const body = await focusJson('/gen/focus-right-bokeh.jpg?w=300&h=300&fit=cover&gravity=auto&trim=0;500;0;0&format=json');
    expect(body.focus.window.left + body.focus.window.width).toBeLessThanOrEqual(700.5);
    expect(body.focus.window.width).toBe(600);
  });

  it('fit=crop (never enlarging) places its window by content too', async () => {
    const body = await focusJson('/gen/focus-right-bokeh.jpg?w=300&h=300&fit=crop&gravity=auto&format=json');
    expect(body.focus.window.width).toBe(600);
    expect(contains(body.focus.window, FOCUS_SCENES['focus-right-bokeh.jpg']!.box)).toBe(true);
  });

  it('with nothing to choose (contain, or one side given) there is no focus stage', async () => {
    for (const q of ['w=300&h=300&fit=contain', 'w=300&fit=cover', 'w=300&h=300&fit=pad']) {
      const res = await callWorker(`/gen/focus-right-bokeh.jpg?${q}&gravity=auto`);
      expect(res.status).toBe(200);
      expect(res.headers.get('x-thumbflare-gravity')).toBeNull();
      expect(res.headers.get('server-timing')).not.toMatch(/focus;/);
    }
  });
});

describe('gravity=face frames the faces', () => {
  const path = '/gen/focus-face-left.jpg?w=300&h=300&fit=cover&gravity=face';

  it('finds the known face (IoU >= 0.5) and keeps it in the crop', async () => {
    const body = await focusJson(`${path}&format=json`);
    expect(body.focus.gravity).toBe('face');
    expect(body.focus.faces.length).toBe(1);
    const face = body.focus.faces[0]!;
    expect(iou(face, FACE_SCENE_BOX)).toBeGreaterThanOrEqual(0.5);
    expect(face.score).toBeGreaterThan(0.5);
    expect(contains(body.focus.window, FACE_SCENE_BOX)).toBe(true);
    // A centre crop of this scene (window 300..900) misses the face entirely.
    expect(FACE_SCENE_BOX.left + FACE_SCENE_BOX.width).toBeLessThan(300);
  });

  it('answers the image with X-Thumbflare-Gravity: face', async () => {
    const img = await readImage(await callWorker(path));
    expect([img.width, img.height]).toEqual([300, 300]);
    expect(img.headers.get('x-thumbflare-gravity')).toBe('face');
  });

  // zoom: 0 keeps as much background as possible, 1 crops as closely to the face as possible.
  it('zoom tightens the window around the face, monotonically, keeping the output size', async () => {
    const widths: number[] = [];
    for (const zoom of [0, 0.5, 1]) {
      const body = await focusJson(`${path}&zoom=${zoom}&format=json`);
      expect(body.output).toMatchObject({ width: 300, height: 300 });
      expect(contains(body.focus.window, FACE_SCENE_BOX)).toBe(true);
      widths.push(body.focus.window.width);
    }
    expect(widths[0]).toBe(600);
    expect(widths[1]).toBeLessThan(widths[0]!);
    expect(widths[2]).toBeLessThan(widths[1]!);
    // Tight, but a head-and-shoulders frame, not the face box itself.
    expect(widths[2]).toBeLessThan(FACE_SCENE_BOX.width * 3);
    expect(widths[2]).toBeGreaterThan(FACE_SCENE_BOX.width);
  });

  it('zoom=1 crops the image too: the face fills more of the output than at zoom=0', async () => {
    const loose = await decodePixels(await readImage(await callWorker(`${path}&zoom=0`)));
    const tight = await decodePixels(await readImage(await callWorker(`${path}&zoom=1`)));
    expect([tight.width, tight.height]).toEqual([300, 300]);
    // The background is a flat grey-blue; the face and uniform are not: more non-background pixels when tight.
    const busy = (r: { data: Uint8Array }) => {
      let n = 0;
      for (let i = 0; i < r.data.length; i += 4) if (Math.abs(r.data[i]! - 0x8a) + Math.abs(r.data[i + 1]! - 0x9a) + Math.abs(r.data[i + 2]! - 0xa6) > 40) n++;
      return n / (r.data.length / 4);
    };
    expect(busy(tight)).toBeGreaterThan(busy(loose) + 0.15);
  });

  it('with no face falls back to auto, says so, and crops as auto does', async () => {
    const scene = '/gen/focus-right-bokeh.jpg?w=300&h=300&fit=cover';
    const face = await focusJson(`${scene}&gravity=face&format=json`);
    const auto = await focusJson(`${scene}&gravity=auto&format=json`);
    expect(face.focus.gravity).toBe('auto (no face)');
    expect(face.focus.faces).toEqual([]);
    expect(face.focus.window).toEqual(auto.focus.window);
    const res = await callWorker(`${scene}&gravity=face`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-thumbflare-gravity')).toBe('auto (no face)');
  });
});

describe('any decodable source works with content-aware gravity', () => {
  // Tiny, grey, palette, alpha, 16-bit, animated, CMYK, EXIF-rotated: the focus stage must never be the thing that fails.
  const SOURCES = ['png/tiny.png', 'png/basn0g01.png', 'png/basn6a16.png', 'png/pil123rgba.png', 'gif/dispose_bgnd.gif', 'jpeg/pil_sample_cmyk.jpg', 'exif/Landscape_5.jpg', 'webp/test.webp', 'jpeg/hopper_gray.jpg'];
  for (const file of SOURCES) {
    for (const g of ['auto', 'face&zoom=1']) {
      it(`${file} with gravity=${g}`, async () => {
        const img = await readImage(await callWorker(`/corpus/${file}?w=120&h=40&fit=cover&gravity=${g}&format=png`));
        expect([img.width, img.height]).toEqual([120, 40]);
        expect(img.headers.get('x-thumbflare-gravity')).toMatch(/^(auto|face|auto \(no face\))$/);
      });
    }
  }
});

describe('invalid content-aware options are 400 naming the parameter', () => {
  const CASES: [string, string][] = [
    ['gravity=faces', 'gravity'],
    ['g=smart', 'gravity'],
    ['gravity=face&zoom=1.5', 'zoom'],
    ['gravity=face&zoom=-1', 'zoom'],
    ['gravity=face&zoom=close', 'zoom'],
  ];
  for (const [q, param] of CASES) {
    it(q, async () => {
      const res = await callWorker(`/gen/focus-face-left.jpg?w=300&h=300&fit=cover&${q}`);
      expect(res.status).toBe(400);
      expect((await readError(res)).param).toBe(param);
    });
  }
});
