/**
 * @module test/pipeline/thumbor-steps
 * The engine pieces the Thumbor dialect added, each on small synthetic rasters:
 * trim-border (corners, tolerance, all-border), overlay placement/opacity/tiling,
 * rgb offsets, round corners, pad-fill's median, max_bytes' quality search (with
 * the real encoders), and the plan's new geometry (orig, outside, enlarge=false,
 * region, proportion, adaptive, focalPixel).
 */
import { describe, expect, it } from 'vitest';
import { encodeImage } from '../../src/codec/encode';
import { encodeWithin } from '../../src/codec/max-bytes';
import type { Raster } from '../../src/codec/types';
import { DEFAULT_OPTIONS } from '../../src/options/params';
import type { Overlay, TransformOptions } from '../../src/options/types';
import { overlayStep } from '../../src/pipeline/overlay';
import { medianColor } from '../../src/pipeline/pad-fill';
import { rgbStep } from '../../src/pipeline/rgb';
import { roundCornerStep } from '../../src/pipeline/round-corner';
import type { StepContext } from '../../src/pipeline/step';
import { createRaster } from '../../src/pipeline/step';
import { findBorder } from '../../src/pipeline/trim-border';
import { planTransform } from '../../src/plan';
import { seededRandom } from '../support/random';

const px = (r: Raster, x: number, y: number) => [...r.data.subarray((y * r.width + x) * 4, (y * r.width + x) * 4 + 4)];
const ctx = (options: Partial<TransformOptions>, extra: Partial<StepContext> = {}): StepContext =>
  ({ options: { ...DEFAULT_OPTIONS, ...options }, hasAlpha: false, ...extra }) as StepContext;

/** w x h of `outer` with a `inner` rectangle at [x0,x1) x [y0,y1). */
function framed(w: number, h: number, x0: number, y0: number, x1: number, y1: number, outer = [255, 255, 255], inner = [0, 128, 0]): Raster {
  const r = createRaster(w, h, { r: outer[0]!, g: outer[1]!, b: outer[2]!, a: 255 });
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) r.data.set([...inner, 255], (y * w + x) * 4);
  return r;
}

describe('trim-border', () => {
  it('finds the margins around the content from the top-left colour', () => {
    expect(findBorder(framed(50, 40, 5, 7, 45, 30), { corner: 'top-left', tolerance: 0 })).toEqual({ top: 7, left: 5, bottom: 10, right: 5 });
  });
  it('bottom-right takes its colour from the other corner', () => {
    const r = framed(20, 20, 0, 0, 15, 15, [0, 0, 0], [200, 0, 0]); // content touches the top-left
    expect(findBorder(r, { corner: 'bottom-right', tolerance: 0 })).toEqual({ top: 0, left: 0, bottom: 5, right: 5 });
    expect(findBorder(r, { corner: 'top-left', tolerance: 0 })).toEqual({ top: 0, left: 0, bottom: 0, right: 0 });
  });
  it('tolerance is a Euclidean RGB distance', () => {
    const r = framed(20, 20, 4, 4, 16, 16, [250, 250, 250], [0, 0, 0]);
    r.data.set([240, 250, 250, 255], (2 * 20 + 2) * 4); // 10 away from the border colour
    expect(findBorder(r, { corner: 'top-left', tolerance: 9 })).toEqual({ top: 2, left: 2, bottom: 4, right: 4 });
    expect(findBorder(r, { corner: 'top-left', tolerance: 10 })).toEqual({ top: 4, left: 4, bottom: 4, right: 4 });
  });
  it('an image of one colour has no border to trim (Thumbor ignores the trim)', () => {
    expect(findBorder(createRaster(8, 8, { r: 1, g: 2, b: 3, a: 255 }), { corner: 'top-left', tolerance: 0 })).toBeNull();
  });
});

describe('overlay', () => {
  const base = () => createRaster(20, 10, { r: 255, g: 0, b: 0, a: 255 });
  const mark = (w = 4, h = 2) => createRaster(w, h, { r: 0, g: 0, b: 255, a: 255 });
  const run = (overlay: Overlay, raster = mark()) => overlayStep(base(), ctx({}, { overlays: [{ overlay, raster }] })) as Promise<Raster>;
  it('left/top margins', async () => {
    const out = await run({ url: 'x', left: 3, top: 2 });
    expect(px(out, 3, 2)).toEqual([0, 0, 255, 255]);
    expect(px(out, 6, 3)).toEqual([0, 0, 255, 255]);
    expect(px(out, 7, 2)).toEqual([255, 0, 0, 255]);
    expect(px(out, 2, 2)).toEqual([255, 0, 0, 255]);
  });
  it('right/bottom margins', async () => {
    const out = await run({ url: 'x', right: 1, bottom: 1 });
    expect(px(out, 15, 7)).toEqual([0, 0, 255, 255]);
    expect(px(out, 18, 8)).toEqual([0, 0, 255, 255]);
    expect(px(out, 19, 9)).toEqual([255, 0, 0, 255]);
  });
  it('no position centres it', async () => {
    const out = await run({ url: 'x' });
    expect(px(out, 8, 4)).toEqual([0, 0, 255, 255]);
    expect(px(out, 11, 5)).toEqual([0, 0, 255, 255]);
    expect(px(out, 7, 4)).toEqual([255, 0, 0, 255]);
  });
  it('opacity blends', async () => {
    const out = await run({ url: 'x', left: 0, top: 0, opacity: 0.25 });
    expect(px(out, 0, 0)).toEqual([191, 0, 64, 255]);
  });
  it('repeat x tiles the row through the placed copy', async () => {
    const out = await run({ url: 'x', left: 2, top: 0, repeat: 'x' });
    for (let x = 0; x < 20; x++) expect(px(out, x, 0)[2]).toBe(255);
    expect(px(out, 5, 2)).toEqual([255, 0, 0, 255]);
  });
  it('widthRatio shrinks it (aspect kept)', async () => {
    const out = await run({ url: 'x', left: 0, top: 0, widthRatio: 0.1 }, mark(8, 4)); // 8x4 -> 2x1
    expect(px(out, 1, 0)).toEqual([0, 0, 255, 255]);
    expect(px(out, 2, 0)).toEqual([255, 0, 0, 255]);
    expect(px(out, 0, 1)).toEqual([255, 0, 0, 255]);
  });
  it('without overlays it is a no-op (same raster)', async () => {
    const r = base();
    expect(await overlayStep(r, ctx({}))).toBe(r);
  });
});

describe('rgb and round corners', () => {
  it('adds per-channel offsets, clamped, alpha untouched', () => {
    const r = createRaster(1, 1, { r: 100, g: 250, b: 5, a: 77 });
    expect(px(rgbStep(r, ctx({ rgbOffset: { r: 51, g: 10, b: -10 } })) as Raster, 0, 0)).toEqual([151, 255, 0, 77]);
  });
  it('round corners paint the corner and keep the middle and edges\' centres', () => {
    const r = createRaster(40, 20, { r: 0, g: 0, b: 0, a: 255 });
    const out = roundCornerStep(r, ctx({ roundCorner: { rx: 8, ry: 8, color: { r: 255, g: 255, b: 255, a: 255 } } })) as Raster;
    for (const [x, y] of [[0, 0], [39, 0], [0, 19], [39, 19]] as const) expect(px(out, x, y)).toEqual([255, 255, 255, 255]);
    expect(px(out, 20, 0)).toEqual([0, 0, 0, 255]);
    expect(px(out, 0, 10)).toEqual([0, 0, 0, 255]);
  });
  it('transparent round corners clear alpha', () => {
    const out = roundCornerStep(createRaster(20, 20, { r: 9, g: 9, b: 9, a: 255 }), ctx({ roundCorner: { rx: 6, ry: 6, color: { r: 0, g: 0, b: 0, a: 0 } } })) as Raster;
    expect(px(out, 0, 0)[3]).toBe(0);
    expect(px(out, 10, 10)[3]).toBe(255);
  });
  it('median colour of the pixels', () => {
    const r = framed(10, 10, 0, 0, 10, 6, [10, 20, 30], [200, 100, 50]); // 60% inner
    expect(medianColor(r)).toEqual({ r: 200, g: 100, b: 50, a: 255 });
  });
});

describe('max_bytes quality search (real encoders)', () => {
  const rand = seededRandom(7);
  const noisy: Raster = { width: 160, height: 120, data: Uint8Array.from({ length: 160 * 120 * 4 }, (_, i) => (i % 4 === 3 ? 255 : Math.floor(rand() * 256))) };
  for (const format of ['jpeg', 'webp'] as const) {
    it(`${format}: the highest quality found that fits`, async () => {
      const full = await encodeImage(noisy, format, 90);
      const limit = Math.round(full.byteLength / 2);
      const got = await encodeWithin(noisy, format, 90, limit, encodeImage);
      expect(got.fits).toBe(true);
      expect(got.bytes.byteLength).toBeLessThanOrEqual(limit);
      expect(got.quality).toBeLessThan(90);
      // One quality step higher would not have fitted (or the search's resolution ended there).
      const above = await encodeImage(noisy, format, got.quality + 4);
      expect(above.byteLength).toBeGreaterThan(limit * 0.9);
    });
  }
  it('PNG cannot lower quality: answered as is, marked not fitting', async () => {
    const got = await encodeWithin(noisy, 'png', 90, 100, encodeImage);
    expect(got.fits).toBe(false);
  });
  it('an impossible limit gives the smallest encode (quality 1)', async () => {
    const got = await encodeWithin(noisy, 'jpeg', 90, 10, encodeImage);
    expect([got.fits, got.quality]).toEqual([false, 1]);
  });
});

describe('plan: the geometry Thumbor needs', () => {
  const src = { width: 640, height: 480 };
  const plan = (o: Partial<TransformOptions>) => planTransform(src, { ...DEFAULT_OPTIONS, ...o }, 8192);
  const CASES: [string, Partial<TransformOptions>, [number, number]][] = [
    ['orig width', { height: 100, orig: 'width', fit: 'cover' }, [640, 100]],
    ['orig both', { orig: 'both', fit: 'cover' }, [640, 480]],
    ['outside covers without cropping', { width: 300, height: 300, fit: 'outside' }, [400, 300]],
    ['outside, no enlarge', { width: 1000, height: 1000, fit: 'outside', enlarge: false }, [640, 480]],
    ['contain, no enlarge', { width: 1000, height: 1000, fit: 'contain', enlarge: false }, [640, 480]],
    ['cover, no enlarge clamps each side to the source (Thumbor no_upscale)', { width: 1000, height: 500, fit: 'cover', enlarge: false }, [640, 480]],
    ['cover, no enlarge, one side larger', { width: 1000, height: 300, fit: 'cover', enlarge: false }, [640, 300]],
    ['pad, no enlarge: canvas is the box', { width: 1000, height: 1000, fit: 'pad', enlarge: false }, [1000, 1000]],
    ['region then cover', { region: { left: 100, top: 100, right: 300, bottom: 200 }, width: 100, fit: 'cover' }, [100, 50]],
    ['empty region is ignored', { region: { left: 300, top: 0, right: 100, bottom: 10 } }, [640, 480]],
    ['proportion halves the result', { width: 300, height: 200, fit: 'cover', proportion: 0.5 }, [150, 100]],
    ['adaptive swaps a portrait box', { width: 150, height: 300, fit: 'contain', adaptive: true }, [200, 150]],
  ];
  for (const [name, o, size] of CASES) {
    it(name, () => {
      const p = plan(o);
      expect([p.output.width, p.output.height]).toEqual(size);
    });
  }
  it('pad without enlarging keeps the image at 1:1 in the middle', () => {
    expect(plan({ width: 1000, height: 1000, fit: 'pad', enlarge: false }).resize).toEqual({ width: 640, height: 480 });
  });
  it('focalPixel places the cover window around it', () => {
    const p = plan({ width: 100, height: 100, fit: 'cover', focalPixel: { x: 600, y: 240 } });
    expect(p.crop.left + p.crop.width).toBeCloseTo(640);
  });
  it('region crop is the window', () => {
    expect(plan({ region: { left: 100, top: 50, right: 300, bottom: 250 } }).crop).toEqual({ left: 100, top: 50, width: 200, height: 200 });
  });
});
