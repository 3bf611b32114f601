/**
 * Thumbor's grammar as a table: public URL (as Thumbor clients write it) -> the
 * TransformOptions the engine gets, or the error. Plus Thumbor's signature scheme
 * checked against the worked examples of Thumbor's docs (docs/libraries.rst,
 * "Scenario 1" and the meta scenario; key `my-security-key`).
 */
import { describe, expect, it } from 'vitest';
import { readConfig } from '../../src/config';
import { ImageError } from '../../src/errors';
import { DEFAULT_OPTIONS } from '../../src/options/params';
import type { TransformOptions } from '../../src/options/types';
import { dispatchRequest } from '../../src/routes';
import { parseThumborPath, thumborSignature } from '../../src/url/thumbor';

const config = readConfig({ DIALECTS: 'cloudflare,thumbor', ORIGIN: 'https://img.example.com' });
// metadata 'none': Thumbor's PRESERVE_EXIF_INFO = False, not Cloudflare's copyright default (src/metadata/).
const BASE = { ...DEFAULT_OPTIONS, quality: 80, fit: 'cover', thumborBox: true, metadata: 'none' } as const;

function parse(path: string): TransformOptions {
  const r = parseThumborPath(path, { config, hasBucket: false });
  if (r.kind !== 'image') throw new Error('not an image request');
  return r.options;
}

describe('Thumbor URL -> options', () => {
  const CASES: [string, Partial<TransformOptions>][] = [
    ['300x200/a.jpg', { width: 300, height: 200 }],
    ['300x0/a.jpg', { width: 300 }],
    ['0x200/a.jpg', { height: 200 }],
    ['x200/a.jpg', { height: 200 }],
    ['a.jpg', {}],
    ['origx100/a.jpg', { height: 100, orig: 'width' }],
    ['origxorig/a.jpg', { orig: 'both' }],
    ['-300x200/a.jpg', { width: 300, height: 200, flip: 'h' }],
    ['300x-200/a.jpg', { width: 300, height: 200, flip: 'v' }],
    ['-300x-200/a.jpg', { width: 300, height: 200, flip: 'hv' }],
    ['-0x-0/a.jpg', { flip: 'hv' }],
    ['10x20:110x220/a.jpg', { region: { left: 10, top: 20, right: 110, bottom: 220 } }],
    ['fit-in/300x200/a.jpg', { width: 300, height: 200, fit: 'contain', enlarge: false }],
    ['full-fit-in/300x200/a.jpg', { width: 300, height: 200, fit: 'outside' }],
    ['adaptive-fit-in/300x200/a.jpg', { width: 300, height: 200, fit: 'contain', enlarge: false, adaptive: true }],
    ['adaptive-full-fit-in/300x200/a.jpg', { width: 300, height: 200, fit: 'outside', adaptive: true }],
    ['300x200/left/a.jpg', { width: 300, height: 200, gravity: { x: 0, y: 0.5 } }],
    ['300x200/right/bottom/a.jpg', { width: 300, height: 200, gravity: { x: 1, y: 1 } }],
    ['300x200/top/a.jpg', { width: 300, height: 200, gravity: { x: 0.5, y: 0 } }],
    ['300x200/smart/a.jpg', { width: 300, height: 200, gravity: 'auto' }],
    ['300x200/left/smart/a.jpg', { width: 300, height: 200, gravity: 'auto' }],
    ['trim/a.jpg', { trimBorder: { corner: 'top-left', tolerance: 0 } }],
    ['trim:bottom-right:40/a.jpg', { trimBorder: { corner: 'bottom-right', tolerance: 40 } }],
    ['trim:25/a.jpg', { trimBorder: { corner: 'top-left', tolerance: 25 } }],
    ['meta/300x200/a.jpg', { width: 300, height: 200, format: 'json' }],
    ['filters:quality(40)/a.jpg', { quality: 40 }],
    ['filters:format(webp)/a.jpg', { format: 'webp' }],
    ['filters:format(jpeg)/a.jpg', { format: 'jpeg' }],
    ['filters:format(gif)/a.jpg', { format: 'gif' }],
    ['filters:format(avif)/a.jpg', { format: 'avif' }],
    ['fit-in/300x200/filters:fill(red)/a.jpg', { width: 300, height: 200, fit: 'pad', enlarge: false, background: { r: 255, g: 0, b: 0, a: 255 } }],
    ['fit-in/300x200/filters:fill(00ff00)/a.jpg', { width: 300, height: 200, fit: 'pad', enlarge: false, background: { r: 0, g: 255, b: 0, a: 255 } }],
    ['fit-in/300x200/filters:fill(transparent)/a.jpg', { width: 300, height: 200, fit: 'pad', enlarge: false, background: { r: 0, g: 0, b: 0, a: 0 } }],
    ['fit-in/300x200/filters:fill(blur)/a.jpg', { width: 300, height: 200, fit: 'pad', enlarge: false, padFill: 'blur' }],
    ['fit-in/300x200/filters:fill(auto)/a.jpg', { width: 300, height: 200, fit: 'pad', enlarge: false, padFill: 'auto' }],
    ['filters:background_color(ff8000)/a.png', { background: { r: 255, g: 128, b: 0, a: 255 } }],
    ['filters:blur(7)/a.jpg', { blur: 7 }],
    ['filters:blur(5,2)/a.jpg', { blur: 5 }],
    ['filters:blur(0)/a.jpg', {}],
    // brightness/rgb add 255*amount/100 to each channel (ext/filters/_brightness.c, _rgb.c).
    ['filters:brightness(40)/a.jpg', { rgbOffset: { r: 102, g: 102, b: 102 } }],
    ['filters:brightness(-10)/a.jpg', { rgbOffset: { r: -25, g: -25, b: -25 } }],
    ['filters:rgb(20,-20,0)/a.jpg', { rgbOffset: { r: 51, g: -51, b: 0 } }],
    ['filters:brightness(10):rgb(10,0,0)/a.jpg', { rgbOffset: { r: 50, g: 25, b: 25 } }],
    // contrast: ((amount + 100) / 100)^2 around mid-grey (ext/filters/_contrast.c).
    ['filters:contrast(40)/a.jpg', { contrast: 1.96 }],
    ['filters:contrast(-100)/a.jpg', { contrast: 0 }],
    ['filters:saturation(-50)/a.jpg', { saturation: 0.5 }],
    ['filters:saturation(100)/a.jpg', { saturation: 2 }],
    ['filters:grayscale()/a.jpg', { saturation: 0 }],
    // Thumbor rotates counter-clockwise (PIL); ours is clockwise; its width/height are before the turn.
    ['300x200/filters:rotate(90)/a.jpg', { width: 200, height: 300, rotate: 270 }],
    ['filters:rotate(180)/a.jpg', { rotate: 180 }],
    ['filters:rotate(450)/a.jpg', { rotate: 270 }],
    ['filters:rotate(0)/a.jpg', {}],
    ['-300x200/filters:rotate(90)/a.jpg', { width: 200, height: 300, rotate: 270, flip: 'v' }],
    ['filters:sharpen(2,1.0,true)/a.jpg', { sharpen: 2 }],
    ['300x200/filters:focal(100x50:200x150)/a.jpg', { width: 300, height: 200, focalPixel: { x: 150, y: 100 } }],
    ['300x200/filters:no_upscale()/a.jpg', { width: 300, height: 200, enlarge: false }],
    ['fit-in/300x200/filters:upscale()/a.jpg', { width: 300, height: 200, fit: 'contain', enlarge: true }],
    ['300x200/filters:stretch()/a.jpg', { width: 300, height: 200, fit: 'squeeze' }],
    ['filters:proportion(0.5)/a.jpg', { proportion: 0.5 }],
    ['filters:strip_icc()/a.jpg', { colorProfile: 'srgb' }],
    ['filters:strip_exif()/a.jpg', {}],
    ['filters:max_bytes(20000)/a.jpg', { maxBytes: 20000 }],
    ['filters:round_corner(20,255,255,255)/a.jpg', { roundCorner: { rx: 20, ry: 20, color: { r: 255, g: 255, b: 255, a: 255 } } }],
    ['filters:round_corner(20|10,0,0,0,1)/a.jpg', { roundCorner: { rx: 20, ry: 10, color: { r: 0, g: 0, b: 0, a: 0 } } }],
    ['filters:max_age(60)/a.jpg', { maxAge: 60 }],
    ['filters:watermark(mark.png,10,-20,30)/a.jpg', { draw: [{ url: '/mark.png', left: 10, bottom: 20, opacity: 0.7 }] }],
    ['filters:watermark(https%3A%2F%2Fcdn.example.com%2Fm.png,center,repeat,0,50,none)/a.jpg',
      { draw: [{ url: 'https://cdn.example.com/m.png', opacity: 1, repeat: 'y', widthRatio: 0.5 }] }],
    ['filters:watermark(m.png,repeat,repeat,100)/a.jpg', { draw: [{ url: '/m.png', opacity: 0, repeat: true }] }],
    ['filters:quality(60):format(webp):blur(2)/a.jpg', { quality: 60, format: 'webp', blur: 2 }],
    ['meta/trim/10x10:90x90/fit-in/-50x-40/right/top/smart/filters:quality(50)/a.jpg', {
      format: 'json', trimBorder: { corner: 'top-left', tolerance: 0 }, region: { left: 10, top: 10, right: 90, bottom: 90 },
      fit: 'contain', enlarge: false, width: 50, height: 40, flip: 'hv', gravity: 'auto', quality: 50,
    }],
  ];
  for (const [path, expected] of CASES) {
    it(`/unsafe/${path}`, () => {
      expect(parse(path)).toEqual({ ...BASE, ...expected });
    });
  }

  const SOURCES: [string, string][] = [
    ['300x200/a.jpg', 'https://img.example.com/a.jpg'],
    ['300x200/photos/2024/a.jpg', 'https://img.example.com/photos/2024/a.jpg'],
    ['300x200/https://cdn.example.com/a.jpg', 'https://cdn.example.com/a.jpg'],
    ['300x200/http:/cdn.example.com/a.jpg', 'http://cdn.example.com/a.jpg'],
    ['300x200/https%3A%2F%2Fcdn.example.com%2Fa.jpg', 'https://cdn.example.com/a.jpg'],
    ['filters:watermark(http://x.test/m.png,0,0,0)/https://cdn.example.com/a.jpg', 'https://cdn.example.com/a.jpg'],
  ];
  for (const [path, href] of SOURCES) {
    it(`image of ${path} is ${href}`, () => {
      const r = parseThumborPath(path, { config, hasBucket: false });
      expect(r.kind === 'image' && r.source.kind === 'url' && r.source.url.href).toBe(href);
    });
  }
  it('THUMBOR_LOADER=https loads host/path the way Thumbor\'s HTTP loader does', () => {
    const https = readConfig({ DIALECTS: 'thumbor', THUMBOR_LOADER: 'https' });
    const r = parseThumborPath('300x200/my.server.com/a.jpg', { config: https, hasBucket: false });
    expect(r.kind === 'image' && r.source.kind === 'url' && r.source.url.href).toBe('https://my.server.com/a.jpg');
  });

  const ERRORS: [string, string, RegExp][] = [
    ['filters:sepia()/a.jpg', 'filters', /unknown Thumbor filter "sepia"/],
    ['filters:quality(101)/a.jpg', 'quality', /quality\(\) takes a number from 0 to 100/],
    ['filters:quality(x)/a.jpg', 'quality', /quality/],
    ['filters:format(bmp)/a.jpg', 'format', /format\(\) takes one of/],
    ['filters:rotate(45)/a.jpg', 'rotate', /multiple of 90/],
    ['filters:brightness(200)/a.jpg', 'brightness', /-100 to 100/],
    ['filters:rgb(1,2)/a.jpg', 'rgb', /three amounts/],
    ['filters:fill(notacolour)/a.jpg', 'fill', /colour/],
    ['filters:blur(151)/a.jpg', 'blur', /0 to 150/],
    ['filters:watermark(m.png,left,0,0)/a.jpg', 'watermark', /position/],
    ['filters:watermark(m.png,0,0)/a.jpg', 'watermark', /url,x,y,alpha/],
    ['filters:round_corner(a,1,2,3)/a.jpg', 'round_corner', /radius/],
    ['filters:quality(80/a.jpg', 'filters', /filters must be written/],
    ['trim:999/a.jpg', 'trim', /tolerance/],
    ['99999x10/a.jpg', 'width', /at most 8192/],
    ['300x200/', 'url', /no source image/],
  ];
  for (const [path, param, message] of ERRORS) {
    it(`/unsafe/${path} -> 400 (${param})`, () => {
      let err: unknown;
      try {
        parse(path);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ImageError);
      const e = err as ImageError;
      expect([e.status, e.param]).toEqual([400, param]);
      expect(e.message).toMatch(message);
    });
  }
});

describe('Thumbor signatures (docs/libraries.rst worked examples)', () => {
  const KEY = 'my-security-key';
  it('Scenario 1: 300x200 of my.server.com/some/path/to/image.jpg', async () => {
    expect(await thumborSignature('300x200/my.server.com/some/path/to/image.jpg', KEY)).toBe('8ammJH8D-7tXy6kU3lTvoXlhu4o=');
  });
  it('meta scenario', async () => {
    expect(await thumborSignature('meta/my.server.com/some/path/to/image.jpg', KEY)).toBe('Ps3ORJDqxlSQ8y00T29GdNAh2CY=');
  });
  it('manual crop scenario (libthumbor tests)', async () => {
    expect(await thumborSignature('10x10:200x200/300x200/my.server.com/some/path/to/image.jpg', KEY)).toBe('B35oBEIwztbc3jm7vsdqLez2C78=');
  });

  const signedConfig = readConfig({ DIALECTS: 'cloudflare,thumbor', THUMBOR_SECURITY_KEY: KEY, THUMBOR_LOADER: 'http', ALLOWED_ORIGINS: 'http://my.server.com' });
  const run = (path: string) => dispatchRequest(new URL(path, 'https://t'), { config: signedConfig, hasBucket: false, nowSeconds: 0 });
  it('the docs\' signed URL dispatches to Thumbor and parses', async () => {
    const r = await run('/8ammJH8D-7tXy6kU3lTvoXlhu4o=/300x200/my.server.com/some/path/to/image.jpg');
    expect(r.kind === 'image' && r.options.width).toBe(300);
    expect(r.kind === 'image' && r.source.kind === 'url' && r.source.url.href).toBe('http://my.server.com/some/path/to/image.jpg');
  });
  const REFUSED: [string, string, RegExp][] = [
    ['wrong signature', '/9ammJH8D-7tXy6kU3lTvoXlhu4o=/300x200/my.server.com/some/path/to/image.jpg', /invalid signature/],
    ['tampered size', '/8ammJH8D-7tXy6kU3lTvoXlhu4o=/301x200/my.server.com/some/path/to/image.jpg', /invalid signature/],
    ['truncated signature', '/8ammJH8D-7tXy6kU3lTvoXlhu4/300x200/my.server.com/some/path/to/image.jpg', /invalid signature/],
    ['unsafe while a key is set', '/unsafe/300x200/my.server.com/some/path/to/image.jpg', /unsafe/],
    ['an imgproxy-style (HMAC-SHA256) signature', '/oKfUtW34Dvo2BGQehJFR4Nr0_rIjOtdtzJ3QFsUcXH8/300x200/my.server.com/some/path/to/image.jpg', /invalid signature/],
  ];
  for (const [name, path, message] of REFUSED) {
    it(`${name} -> 403`, async () => {
      const err = await run(path).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(ImageError);
      expect((err as ImageError).status).toBe(403);
      expect((err as ImageError).message).toMatch(message);
    });
  }
  it('a Cloudflare path is still Cloudflare\'s with thumbor on', async () => {
    const r = await dispatchRequest(new URL('https://t/photos/a.jpg?w=10'), { config, hasBucket: false, nowSeconds: 0 });
    expect(r.kind === 'image' && r.options.width).toBe(10);
    expect(r.kind === 'image' && r.options.fit).toBe('scale-down');
  });
  it('with only cloudflare on, /unsafe/... is a path-form source', async () => {
    const cf = readConfig({ ORIGIN: 'https://img.example.com' });
    const r = await dispatchRequest(new URL('https://t/unsafe/300x200/a.jpg'), { config: cf, hasBucket: false, nowSeconds: 0 });
    expect(r.kind === 'image' && r.source.kind === 'url' && r.source.url.pathname).toBe('/unsafe/300x200/a.jpg');
  });
  it('ALLOWED_WIDTHS and ALLOWED_QUALITIES bound Thumbor URLs too (output pixels, not spellings)', async () => {
    const strict = readConfig({ DIALECTS: 'cloudflare,thumbor', ORIGIN: 'https://img.example.com', ALLOWED_WIDTHS: '100,200', ALLOWED_QUALITIES: '60' });
    const go = (path: string) => dispatchRequest(new URL(path, 'https://t'), { config: strict, hasBucket: false, nowSeconds: 0 });
    const ok = await go('/unsafe/200x100/a.jpg');
    expect(ok.kind === 'image' && ok.options).toMatchObject({ width: 200, height: 100 });
    for (const [path, param] of [['/unsafe/300x100/a.jpg', 'width'], ['/unsafe/200x150/a.jpg', 'height'], ['/unsafe/200x100/filters:quality(70)/a.jpg', 'quality']] as const) {
      const err = await go(path).then(() => null, (e: unknown) => e);
      expect(err, path).toBeInstanceOf(ImageError);
      expect((err as ImageError).param, path).toBe(param);
    }
  });
  it('/healthcheck is Thumbor\'s when thumbor is on', async () => {
    expect((await dispatchRequest(new URL('https://t/healthcheck'), { config, hasBucket: false, nowSeconds: 0 })).kind).toBe('healthcheck');
  });
});
