/**
 * imgproxy's public URL syntax -> the engine's request, through the dialect dispatcher
 * (what the Worker runs, with DIALECTS=cloudflare,imgproxy), plus the signature
 * scheme against the worked examples of imgproxy's own documentation.
 */
import { describe, expect, it } from 'vitest';
import { readConfig, type Env } from '../../src/config';
import { ImageError } from '../../src/errors';
import { canonicalizeOptions } from '../../src/options/parse';
import { imgproxyScale } from '../../src/plan';
import { dispatchRequest } from '../../src/routes';
import { describeSource } from '../../src/source';
import { imgproxySignature } from '../../src/security/imgproxy-sign';

const BASE: Env = {
  ORIGIN: 'https://origin.example',
  DIALECTS: 'cloudflare,imgproxy',
  IMGPROXY_PRESETS: 'thumb=rs:fill:100:100/q:70,sharp=sh:0.7,loop1=rt:fill/pr:loop2,loop2=bl:2/pr:loop1',
  IMGPROXY_WATERMARK_URL: 'https://origin.example/logo.png',
};
const config = readConfig(BASE);
/** Through the dialect dispatcher, as the Worker runs it. */
const parse = async (path: string, cfg = config, hasBucket = false) => {
  const r = await dispatchRequest(new URL(path, 'https://thumbs.test'), { config: cfg, hasBucket, nowSeconds: Math.floor(Date.now() / 1000) });
  if (r.kind !== 'image') throw new Error(`${path} is not an image request`);
  return r;
};
const b64 = (s: string) => btoa(String.fromCharCode(...new TextEncoder().encode(s))).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
const SRC = 'https://origin.example/photos/cat.jpg';

/** Public URL -> a subset of the options it must give. */
const VALID: [string, Record<string, unknown>][] = [
  [`/insecure/plain/${SRC}`, { width: undefined, height: undefined, quality: 80, dpr: 1, resizing: { type: 'fit', enlarge: false, zoom: { x: 1, y: 1 }, minWidth: 0, minHeight: 0 } }],
  [`/insecure/rs:fill:300:200/plain/${SRC}`, { width: 300, height: 200, resizing: { type: 'fill', enlarge: false, zoom: { x: 1, y: 1 }, minWidth: 0, minHeight: 0 } }],
  [`/insecure/resize:fill-down:300:200:1/plain/${SRC}`, { resizing: { type: 'fill-down', enlarge: true, zoom: { x: 1, y: 1 }, minWidth: 0, minHeight: 0 } }],
  [`/_/rs:force:10:20:t:t:so:5:6/plain/${SRC}`, { width: 10, height: 20, resizing: { type: 'force', enlarge: true, zoom: { x: 1, y: 1 }, minWidth: 0, minHeight: 0, extend: { gravity: { x: 0.5, y: 1 }, offset: { x: 5, y: 6 } } } }],
  [`/x/rs:auto/plain/${SRC}`, { resizing: { type: 'auto', enlarge: false, zoom: { x: 1, y: 1 }, minWidth: 0, minHeight: 0 } }],
  [`/x/s:300:0/plain/${SRC}`, { width: 300, height: undefined }],
  [`/x/size:0:150:true:1/plain/${SRC}`, { height: 150, resizing: { type: 'fit', enlarge: true, zoom: { x: 1, y: 1 }, minWidth: 0, minHeight: 0, extend: { gravity: { x: 0.5, y: 0.5 } } } }],
  [`/x/rt:fill/w:300/h:200/plain/${SRC}`, { width: 300, height: 200 }],
  [`/x/resizing_type:force/width:3/height:4/plain/${SRC}`, { width: 3, height: 4 }],
  [`/x/mw:500/mh:400/plain/${SRC}`, { resizing: { type: 'fit', enlarge: false, zoom: { x: 1, y: 1 }, minWidth: 500, minHeight: 400 } }],
  [`/x/min-width:5/min-height:6/plain/${SRC}`, { resizing: { type: 'fit', enlarge: false, zoom: { x: 1, y: 1 }, minWidth: 5, minHeight: 6 } }],
  [`/x/z:1.5/plain/${SRC}`, { resizing: { type: 'fit', enlarge: false, zoom: { x: 1.5, y: 1.5 }, minWidth: 0, minHeight: 0 } }],
  [`/x/zoom:2:0.5/plain/${SRC}`, { resizing: { type: 'fit', enlarge: false, zoom: { x: 2, y: 0.5 }, minWidth: 0, minHeight: 0 } }],
  [`/x/dpr:2/plain/${SRC}`, { dpr: 2 }],
  [`/x/dpr:0.5/plain/${SRC}`, { dpr: 0.5 }],
  [`/x/el:1/plain/${SRC}`, { resizing: { type: 'fit', enlarge: true, zoom: { x: 1, y: 1 }, minWidth: 0, minHeight: 0 } }],
  [`/x/ex:1:nowe/plain/${SRC}`, { resizing: { type: 'fit', enlarge: false, zoom: { x: 1, y: 1 }, minWidth: 0, minHeight: 0, extend: { gravity: { x: 0, y: 0 } } } }],
  [`/x/exar:1:so/plain/${SRC}`, { resizing: { type: 'fit', enlarge: false, zoom: { x: 1, y: 1 }, minWidth: 0, minHeight: 0, extendAspectRatio: { gravity: { x: 0.5, y: 1 } } } }],
  [`/x/extend_aspect_ratio:1/extend_ar:0/plain/${SRC}`, { resizing: { type: 'fit', enlarge: false, zoom: { x: 1, y: 1 }, minWidth: 0, minHeight: 0 } }],
  [`/x/g:no/plain/${SRC}`, { gravity: { x: 0.5, y: 0 } }],
  [`/x/g:so/plain/${SRC}`, { gravity: { x: 0.5, y: 1 } }],
  [`/x/g:ea/plain/${SRC}`, { gravity: { x: 1, y: 0.5 } }],
  [`/x/g:we/plain/${SRC}`, { gravity: { x: 0, y: 0.5 } }],
  [`/x/g:noea/plain/${SRC}`, { gravity: { x: 1, y: 0 } }],
  [`/x/g:nowe/plain/${SRC}`, { gravity: { x: 0, y: 0 } }],
  [`/x/g:soea/plain/${SRC}`, { gravity: { x: 1, y: 1 } }],
  [`/x/gravity:sowe/plain/${SRC}`, { gravity: { x: 0, y: 1 } }],
  [`/x/g:ce/plain/${SRC}`, { gravity: { x: 0.5, y: 0.5 } }],
  [`/x/g:sm/plain/${SRC}`, { gravity: 'auto' }],
  [`/x/g:fp:0.25:0.75/plain/${SRC}`, { gravity: { x: 0.25, y: 0.75 } }],
  [`/x/g:we:10:5/plain/${SRC}`, { gravity: { x: 0, y: 0.5 }, resizing: { type: 'fit', enlarge: false, zoom: { x: 1, y: 1 }, minWidth: 0, minHeight: 0, offset: { x: 10, y: 5 } } }],
  [`/x/c:100:50/plain/${SRC}`, { resizing: { type: 'fit', enlarge: false, zoom: { x: 1, y: 1 }, minWidth: 0, minHeight: 0, region: { width: 100, height: 50, gravity: { x: 0.5, y: 0.5 } } } }],
  [`/x/g:so/crop:0.5:0/plain/${SRC}`, { resizing: { type: 'fit', enlarge: false, zoom: { x: 1, y: 1 }, minWidth: 0, minHeight: 0, region: { width: 0.5, height: 0, gravity: { x: 0.5, y: 1 } } } }],
  [`/x/c:10:20:fp:0.1:0.2/plain/${SRC}`, { resizing: { type: 'fit', enlarge: false, zoom: { x: 1, y: 1 }, minWidth: 0, minHeight: 0, region: { width: 10, height: 20, gravity: { x: 0.1, y: 0.2 } } } }],
  [`/x/pd:10/plain/${SRC}`, { padding: { top: 10, right: 10, bottom: 10, left: 10 } }],
  [`/x/padding:10:20/plain/${SRC}`, { padding: { top: 10, right: 20, bottom: 10, left: 20 } }],
  [`/x/pd:1:2:3/plain/${SRC}`, { padding: { top: 1, right: 2, bottom: 3, left: 2 } }],
  [`/x/pd:1:2:3:4/plain/${SRC}`, { padding: { top: 1, right: 2, bottom: 3, left: 4 } }],
  [`/x/ar:0/plain/${SRC}`, { autoRotate: false }],
  [`/x/auto_rotate:1/plain/${SRC}`, { autoRotate: undefined }],
  [`/x/rot:90/plain/${SRC}`, { rotate: 90 }],
  [`/x/rotate:-90/plain/${SRC}`, { rotate: 270 }],
  [`/x/rot:360/plain/${SRC}`, { rotate: undefined }],
  [`/x/fl:1:0/plain/${SRC}`, { flip: 'h' }],
  [`/x/flip:f:t/plain/${SRC}`, { flip: 'v' }],
  [`/x/fl:t:t/plain/${SRC}`, { flip: 'hv' }],
  [`/x/bg:255:0:0/plain/${SRC}`, { background: { r: 255, g: 0, b: 0, a: 255 }, flatten: true }],
  [`/x/background:00ff00/plain/${SRC}`, { background: { r: 0, g: 255, b: 0, a: 255 }, flatten: true }],
  [`/x/bg:00f/bg:/plain/${SRC}`, { background: { r: 255, g: 255, b: 255, a: 255 }, flatten: undefined }],
  [`/x/bl:2.5/plain/${SRC}`, { blur: 2.5 }],
  [`/x/blur:0/plain/${SRC}`, { blur: undefined }],
  [`/x/sh:0.7/plain/${SRC}`, { sharpen: 0.7 }],
  [`/x/pix:8/plain/${SRC}`, { pixelate: 8 }],
  [`/x/pixelate:1/plain/${SRC}`, { pixelate: undefined }],
  [`/x/wm:0.5/plain/${SRC}`, { draw: [{ url: 'https://origin.example/logo.png', opacity: 0.5 }] }],
  [`/x/wm:1:soea:10:20/plain/${SRC}`, { draw: [{ url: 'https://origin.example/logo.png', opacity: 1, right: 10, bottom: 20 }] }],
  [`/x/dpr:2/watermark:0.3:nowe:5:5/plain/${SRC}`, { draw: [{ url: 'https://origin.example/logo.png', opacity: 0.3, left: 10, top: 10 }] }],
  [`/x/wm:1:re/plain/${SRC}`, { draw: [{ url: 'https://origin.example/logo.png', opacity: 1, repeat: true }] }],
  [`/x/wm:0/plain/${SRC}`, { draw: undefined }],
  [`/x/q:55/plain/${SRC}`, { quality: 55 }],
  [`/x/quality:0/plain/${SRC}`, { quality: 80 }],
  [`/x/fq:webp:70:jpg:60/plain/${SRC}`, { formatQuality: { webp: 70, jpeg: 60 } }],
  [`/x/mb:10000/plain/${SRC}`, { maxBytes: 10000 }],
  [`/x/max_bytes:0/plain/${SRC}`, { maxBytes: undefined }],
  [`/x/f:webp/plain/${SRC}`, { format: 'webp' }],
  [`/x/format:png/plain/${SRC}`, { format: 'png' }],
  [`/x/ext:jpg/plain/${SRC}`, { format: 'jpeg' }],
  [`/x/plain/${SRC}@avif`, { format: 'avif' }],
  [`/x/f:png/plain/${SRC}@webp`, { format: 'webp' }],
  [`/x/${b64(SRC)}.png`, { format: 'png' }],
  [`/x/sm:1/plain/${SRC}`, {}],
  [`/x/strip_metadata:0/plain/${SRC}`, {}],
  [`/x/scp:0/plain/${SRC}`, { colorProfile: 'keep' }],
  [`/x/strip_color_profile:1/plain/${SRC}`, { colorProfile: undefined }],
  [`/x/cb:v2/plain/${SRC}`, { cacheBuster: 'v2' }],
  [`/x/exp:4102444800/plain/${SRC}`, {}],
  [`/x/fn:holiday%20photo/plain/${SRC}`, { filename: 'holiday_photo' }],
  [`/x/filename:${b64('résumé.png')}:1/plain/${SRC}`, { filename: 'r_sum_' }],
  [`/x/att:1/plain/${SRC}`, { attachment: true }],
  [`/x/return_attachment:0/plain/${SRC}`, { attachment: undefined }],
  [`/x/pr:thumb/plain/${SRC}`, { width: 100, height: 100, quality: 70 }],
  [`/x/preset:thumb:sharp/q:90/plain/${SRC}`, { width: 100, quality: 90, sharpen: 0.7 }],
  [`/x/q:90/pr:thumb/plain/${SRC}`, { quality: 70 }],
  // imgproxy's options/processing_options_test.go: presets that name each other apply once each.
  [`/x/preset:loop1/plain/${SRC}`, { blur: 2, resizing: { type: 'fill', enlarge: false, zoom: { x: 1, y: 1 }, minWidth: 0, minHeight: 0 } }],
  [`/x/pr:thumb/q:90/pr:thumb/plain/${SRC}`, { quality: 90 }],
  // The same file's public paths (after the signature segment).
  [`/unsafe/size:100:100/${b64('http://images.dev/lorem/ipsum.jpg?param=value')}.png`, { width: 100, height: 100, format: 'png' }],
  [`/unsafe/size:100:100/plain/http://images.dev/lorem/ipsum.jpg@png`, { format: 'png' }],
  [`/unsafe/resize:fill:100:200:1/plain/http://images.dev/lorem/ipsum.jpg`, { width: 100, height: 200, resizing: { type: 'fill', enlarge: true, zoom: { x: 1, y: 1 }, minWidth: 0, minHeight: 0 } }],
  [`/unsafe/extend:1:so:10:20/plain/http://images.dev/lorem/ipsum.jpg`, { resizing: { type: 'fit', enlarge: false, zoom: { x: 1, y: 1 }, minWidth: 0, minHeight: 0, extend: { gravity: { x: 0.5, y: 1 }, offset: { x: 10, y: 20 } } } }],
  [`/unsafe/crop:100:200:nowe:10:20/plain/http://images.dev/lorem/ipsum.jpg`, { resizing: { type: 'fit', enlarge: false, zoom: { x: 1, y: 1 }, minWidth: 0, minHeight: 0, region: { width: 100, height: 200, gravity: { x: 0, y: 0 }, offset: { x: 10, y: 20 } } } }],
  [`/unsafe/background:128:129:130/plain/http://images.dev/lorem/ipsum.jpg`, { background: { r: 128, g: 129, b: 130, a: 255 }, flatten: true }],
  [`/unsafe/background:ffddee/plain/http://images.dev/lorem/ipsum.jpg`, { background: { r: 255, g: 221, b: 238, a: 255 }, flatten: true }],
  [`/unsafe/background:fff/background:/plain/http://images.dev/lorem/ipsum.jpg`, { flatten: undefined }],
  [`/unsafe/blur:0.2/sharpen:0.2/dpr:2/plain/http://images.dev/lorem/ipsum.jpg`, { blur: 1, sharpen: 0.2, dpr: 2 }],
];

describe('imgproxy URL -> options', () => {
  for (const [path, expected] of VALID) {
    it(path.slice(0, 90), async () => {
      const { options } = await parse(path);
      for (const [k, v] of Object.entries(expected)) expect((options as unknown as Record<string, unknown>)[k], k).toEqual(v);
    });
  }

  it('the default preset applies first and URL options override it', async () => {
    const cfg = readConfig({ ...BASE, IMGPROXY_PRESETS: 'default=q:60/rs:fill:50:50' });
    expect((await parse(`/x/plain/${SRC}`, cfg)).options).toMatchObject({ quality: 60, width: 50 });
    expect((await parse(`/x/q:95/plain/${SRC}`, cfg)).options).toMatchObject({ quality: 95, width: 50 });
  });
});

describe('imgproxy options in the cache key', () => {
  // The result cache and ETag key on canonicalizeOptions: options that render differently must differ there.
  const DIFFERENT: [string, string][] = [
    ['rs:fit:300:300:0:1', 'rs:fit:300:300/exar:1'],
    ['rs:fit:300:300:0:1:no', 'rs:fit:300:300:0:1:so'],
    ['g:we:10:0', 'g:we:0:10'],
    ['c:100:50', 'c:50:100'],
    ['c:100:50:no', 'g:no/c:100:50:so'],
    ['rt:fill', 'rt:fill-down'],
    ['wm:0.5:nowe:5:0', 'wm:0.5:nowe:0:5'],
    ['cb:1', 'cb:2'],
    ['pd:1:2', 'pd:2:1'],
  ];
  for (const [a, b] of DIFFERENT) {
    it(`${a} and ${b} have different cache keys`, async () => {
      const key = async (o: string) => canonicalizeOptions((await parse(`/x/${o}/plain/${SRC}`)).options);
      expect(await key(a)).not.toBe(await key(b));
    });
  }
  it('the same options spelled differently share one key', async () => {
    const key = async (o: string) => canonicalizeOptions((await parse(`/x/${o}/plain/${SRC}`)).options);
    expect(await key('rs:fill:300:200')).toBe(await key('resizing_type:fill/w:300/height:200'));
  });
});

describe('imgproxy sources', () => {
  // Source as its cache identity: the absolute URL fetched, or r2:<key>.
  const CASES: [string, string][] = [
    [`/x/plain/${SRC}`, SRC],
    [`/unsafe/size:100:100/plain/${encodeURIComponent('http://images.dev/lorem/ipsum.jpg?param=value')}@png`, 'http://images.dev/lorem/ipsum.jpg?param=value'],
    [`/unsafe/size:100:100/${b64('http://images.dev/lorem/ipsum.jpg?param=value')}`, 'http://images.dev/lorem/ipsum.jpg?param=value'],
    [`/x/plain/https://origin.example/a%20b.jpg%3Fv=1`, 'https://origin.example/a%20b.jpg?v=1'],
    [`/x/plain/https%3A%2F%2Forigin.example%2Fq.jpg@png`, 'https://origin.example/q.jpg'],
    [`/x/${b64(SRC)}`, SRC],
    [`/x/rs:fit:10:10/${b64(SRC).slice(0, 16)}/${b64(SRC).slice(16)}.webp`, SRC],
    [`/x/plain/local:///photos/cat.jpg`, 'https://origin.example/photos/cat.jpg'],
    [`/x/plain/photos/cat.jpg`, 'https://origin.example/photos/cat.jpg'],
    [`/x/${b64('photos/cat.jpg')}`, 'https://origin.example/photos/cat.jpg'],
  ];
  for (const [path, source] of CASES) it(path.slice(0, 90), async () => expect(describeSource((await parse(path)).source)).toBe(source));

  it('local:/// and relative sources go to the R2 bucket when one is bound', async () => {
    const r = await parse('/x/plain/local:///photos/cat.jpg', config, true);
    expect(r.source).toMatchObject({ kind: 'r2', key: 'photos/cat.jpg' });
  });

  const OTHER_DIALECTS = ['/photos/cat.jpg', '/samples/landscape.jpg', '/gen/photo-640.jpg?w=100', '/cdn-cgi/image/w=80,f=png/photos/cat.jpg', '/?url=/photos/cat.jpg'];
  for (const path of OTHER_DIALECTS) {
    it(`${path} is not imgproxy-shaped and stays a Cloudflare URL`, async () => {
      expect((await parse(path)).options.resizing).toBeUndefined();
    });
  }
  it('without imgproxy in DIALECTS an imgproxy URL is a plain path', async () => {
    const cf = readConfig({ ORIGIN: 'https://origin.example' });
    const r = await parse(`/insecure/rs:fill:300:200/plain/${SRC}`, cf);
    expect(r.options.resizing).toBeUndefined();
    expect(r.source).toMatchObject({ kind: 'url' });
    expect((r.source as { url: URL }).url.pathname).toBe('/insecure/rs:fill:300:200/plain/https://origin.example/photos/cat.jpg');
  });
});

/** Public URL -> HTTP status and the parameter the error names. */
const INVALID: [string, number, string][] = [
  [`/x/rs:squash:1:1/plain/${SRC}`, 400, 'rs'],
  [`/x/w:abc/plain/${SRC}`, 400, 'w'],
  [`/x/w:-5/plain/${SRC}`, 400, 'w'],
  [`/x/h:1.5/plain/${SRC}`, 400, 'h'],
  [`/x/el:maybe/plain/${SRC}`, 400, 'el'],
  [`/x/g:middle/plain/${SRC}`, 400, 'g'],
  [`/x/g:fp:1.5:0/plain/${SRC}`, 400, 'g'],
  [`/x/g:sm:1:1/plain/${SRC}`, 400, 'g'],
  [`/x/ex:1:sm/plain/${SRC}`, 400, 'ex'],
  [`/x/z:0/plain/${SRC}`, 400, 'z'],
  [`/x/dpr:0/plain/${SRC}`, 400, 'dpr'],
  [`/x/dpr:9/plain/${SRC}`, 400, 'dpr'],
  [`/x/rot:45/plain/${SRC}`, 400, 'rot'],
  [`/x/bg:zz0000/plain/${SRC}`, 400, 'bg'],
  [`/x/bg:300:0:0/plain/${SRC}`, 400, 'bg'],
  [`/x/q:101/plain/${SRC}`, 400, 'q'],
  [`/x/fq:webp/plain/${SRC}`, 400, 'fq'],
  [`/x/f:bmp/plain/${SRC}`, 400, 'f'],
  [`/x/plain/${SRC}@tiff`, 400, 'extension'],
  [`/x/pd:/plain/${SRC}`, 400, 'pd'],
  [`/x/t:10/plain/${SRC}`, 400, 't'],
  [`/x/wm:0.5:middle/plain/${SRC}`, 400, 'wm'],
  [`/x/wm:0.5:ce:0:0:0.2/plain/${SRC}`, 400, 'wm'],
  [`/x/pr:nope/plain/${SRC}`, 400, 'pr'],
  [`/x/adjust:10:1:1/plain/${SRC}`, 400, 'adjust'],
  [`/x/filters:quality(80)/plain/${SRC}`, 400, 'filters'],
  [`/x/exp:1000/plain/${SRC}`, 404, ''],
  [`/x/plain/s3://bucket/key.jpg`, 400, 'url'],
  [`/x/plain/ftp://origin.example/a.jpg`, 400, 'url'],
  [`/x/plain/local://photos/cat.jpg`, 400, 'url'],
  [`/x/plain/file:///etc/passwd`, 400, 'url'],
];

describe('imgproxy URL -> error', () => {
  for (const [path, status, param] of INVALID) {
    it(`${path.slice(0, 70)} -> ${status} ${param}`, async () => {
      let error: unknown;
      try {
        await parse(path);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ImageError);
      expect((error as ImageError).status).toBe(status);
      if (param) expect((error as ImageError).param).toBe(param);
    });
  }
  it('ALLOWED_WIDTHS and ALLOWED_QUALITIES bound imgproxy URLs too', async () => {
    const cfg = readConfig({ ...BASE, ALLOWED_WIDTHS: '100,200', ALLOWED_QUALITIES: '80,60' });
    expect((await parse(`/x/w:200/plain/${SRC}`, cfg)).options.width).toBe(200);
    await expect(parse(`/x/w:300/plain/${SRC}`, cfg)).rejects.toThrow(expect.objectContaining({ status: 400, param: 'width' }));
    // Output pixels are what the list bounds: dpr cannot mint a width outside it, nor can a height.
    expect((await parse(`/x/w:100/dpr:2/plain/${SRC}`, cfg)).options).toMatchObject({ width: 100, dpr: 2 });
    await expect(parse(`/x/w:100/dpr:1.5/plain/${SRC}`, cfg)).rejects.toThrow(expect.objectContaining({ status: 400, param: 'dpr' }));
    await expect(parse(`/x/h:150/plain/${SRC}`, cfg)).rejects.toThrow(expect.objectContaining({ status: 400, param: 'height' }));
    await expect(parse(`/x/q:70/plain/${SRC}`, cfg)).rejects.toThrow(expect.objectContaining({ status: 400, param: 'quality' }));
    await expect(parse(`/x/fq:webp:70/plain/${SRC}`, cfg)).rejects.toThrow(expect.objectContaining({ status: 400, param: 'quality' }));
  });
  it('a watermark without IMGPROXY_WATERMARK_URL is a 400 saying so', async () => {
    const cfg = readConfig({ ...BASE, IMGPROXY_WATERMARK_URL: '' });
    await expect(parse(`/x/wm:0.5/plain/${SRC}`, cfg)).rejects.toThrow(/IMGPROXY_WATERMARK_URL/);
  });
});

describe('imgproxy signatures', () => {
  // docs.imgproxy.net/usage/signing_url, "Example": key "secret", salt "hello" (hex below).
  const DOCS = { key: '736563726574', salt: '68656C6C6F' };
  const DOCS_PATH = '/rs:fill:300:400:0/g:sm/aHR0cDovL2V4YW1w/bGUuY29tL2ltYWdl/cy9jdXJpb3NpdHku/anBn.png';
  const DOCS_SIG = 'oKfUtW34Dvo2BGQehJFR4Nr0_rIjOtdtzJ3QFsUcXH8';
  // imgproxy's examples/ folder (signature.js, .py, .go ...): the same vector in every language.
  const EXAMPLES = { key: '943b421c9eb07c830af81030552c86009268de4e532ba2ee2eab8247c6da0881', salt: '520f986b998545b4785e0defbc4f3c1203f22de2374a3d53cb7a7fe9fea309c5' };
  const EXAMPLES_PATH = '/rs:fit:300:300/plain/http://img.example.com/pretty/image.jpg';
  const EXAMPLES_SIG = 'm3k5QADfcKPDj-SDI2AIogZbC3FlAXszuwhtWXYqavc';
  const hex = (h: string) => new Uint8Array(h.match(/../g)!.map((b) => parseInt(b, 16)));

  it('the documentation worked example', async () => {
    expect(imgproxySignature({ key: hex(DOCS.key), salt: hex(DOCS.salt) }, DOCS_PATH)).toBe(DOCS_SIG);
  });
  it("the examples folder's vector", async () => {
    expect(imgproxySignature({ key: hex(EXAMPLES.key), salt: hex(EXAMPLES.salt) }, EXAMPLES_PATH)).toBe(EXAMPLES_SIG);
  });

  const keyed = readConfig({ ...BASE, IMGPROXY_KEY: DOCS.key, IMGPROXY_SALT: DOCS.salt });
  it('the documented signed URL parses with the documented key', async () => {
    const r = await parse(`/${DOCS_SIG}${DOCS_PATH}`, keyed);
    expect(r.options).toMatchObject({ width: 300, height: 400, gravity: 'auto', format: 'png' });
    expect(describeSource(r.source)).toBe('http://example.com/images/curiosity.jpg');
  });
  it('a second key/salt pair (rotation) is accepted too', async () => {
    const cfg = readConfig({ ...BASE, IMGPROXY_KEY: `${EXAMPLES.key},${DOCS.key}`, IMGPROXY_SALT: `${EXAMPLES.salt},${DOCS.salt}` });
    expect((await parse(`/${DOCS_SIG}${DOCS_PATH}`, cfg)).options.width).toBe(300);
    expect((await parse(`/${EXAMPLES_SIG}${EXAMPLES_PATH}`, cfg)).options.width).toBe(300);
  });
  it('IMGPROXY_SIGNATURE_SIZE truncates the digest before encoding', async () => {
    const cfg = readConfig({ ...BASE, IMGPROXY_KEY: DOCS.key, IMGPROXY_SALT: DOCS.salt, IMGPROXY_SIGNATURE_SIZE: '8' });
    const short = imgproxySignature({ key: hex(DOCS.key), salt: hex(DOCS.salt) }, DOCS_PATH, 8);
    expect(short).toHaveLength(11);
    expect(DOCS_SIG.startsWith(short.slice(0, 10))).toBe(true);
    expect((await parse(`/${short}${DOCS_PATH}`, cfg)).options.width).toBe(300);
    await expect(parse(`/${DOCS_SIG}${DOCS_PATH}`, cfg)).rejects.toThrow(/signature/);
  });

  const FORGED: [string, string][] = [
    ['insecure', `/insecure${DOCS_PATH}`],
    ['wrong signature', `/${EXAMPLES_SIG}${DOCS_PATH}`],
    ['truncated signature', `/${DOCS_SIG.slice(0, 20)}${DOCS_PATH}`],
    ['tampered options', `/${DOCS_SIG}${DOCS_PATH.replace('300', '3000')}`],
    ['tampered source', `/${DOCS_SIG}${DOCS_PATH.replace('anBn', 'anBm')}`],
    ['signed without the salt', `/${imgproxySignature({ key: hex(DOCS.key), salt: new Uint8Array() }, DOCS_PATH)}${DOCS_PATH}`],
  ];
  for (const [what, path] of FORGED) {
    it(`${what} -> 403`, async () => {
      await expect(parse(path, keyed)).rejects.toThrow(expect.objectContaining({ status: 403, code: 'bad_signature' }));
    });
  }
  it('with no key configured, any signature segment is accepted (as imgproxy does)', async () => {
    expect((await parse(`/anything-at-all${DOCS_PATH}`)).options.width).toBe(300);
  });
});

describe("imgproxy's calcScale", () => {
  // Source 640x480; [options, expected x/y scale]. From prepare.go's rules.
  const R = { enlarge: false, zoom: { x: 1, y: 1 }, minWidth: 0, minHeight: 0 };
  const CASES: [Record<string, unknown>, [number, number]][] = [
    [{ width: 320, resizing: { ...R, type: 'fit' } }, [0.5, 0.5]],
    [{ width: 320, height: 320, resizing: { ...R, type: 'fit' } }, [0.5, 0.5]],
    [{ width: 320, height: 320, resizing: { ...R, type: 'fill' } }, [2 / 3, 2 / 3]],
    [{ width: 320, height: 120, resizing: { ...R, type: 'force' } }, [0.5, 0.25]],
    [{ height: 120, resizing: { ...R, type: 'force' } }, [1, 0.25]],
    [{ width: 1280, resizing: { ...R, type: 'fit' } }, [1, 1]],
    [{ width: 1280, resizing: { ...R, type: 'fit', enlarge: true } }, [2, 2]],
    [{ width: 1280, height: 240, resizing: { ...R, type: 'force' } }, [1, 0.25]],
    [{ width: 100, dpr: 2, resizing: { ...R, type: 'fit' } }, [100 / 320, 100 / 320]],
    [{ width: 100, resizing: { ...R, type: 'fit', zoom: { x: 2, y: 2 } } }, [100 / 320, 100 / 320]],
    [{ width: 100, resizing: { ...R, type: 'fit', minWidth: 200 } }, [200 / 640, 200 / 640]],
    [{ width: 200, height: 400, resizing: { ...R, type: 'auto' } }, [200 / 640, 200 / 640]],
    [{ width: 400, height: 200, resizing: { ...R, type: 'auto' } }, [400 / 640, 400 / 640]],
  ];
  for (const [o, [x, y]] of CASES) {
    it(JSON.stringify(o).slice(0, 100), async () => {
      const opts = { dpr: 1, ...o } as Parameters<typeof imgproxyScale>[2];
      const s = imgproxyScale(640, 480, opts, opts.resizing!);
      expect(s.x).toBeCloseTo(x, 6);
      expect(s.y).toBeCloseTo(y, 6);
    });
  }
});
