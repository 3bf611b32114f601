/**
 * The public parameter syntax -> TransformOptions, for every option and alias,
 * through all three URL forms (parseRequestUrl is what the Worker runs).
 */
import { describe, expect, it } from 'vitest';
import { readConfig } from '../../src/config';
import { ImageError } from '../../src/errors';
import { canonicalizeOptions } from '../../src/options/parse';
import { parseRequestUrl } from '../../src/routes';

const config = readConfig({ ORIGIN: 'https://origin.example' });
const parse = (pathAndQuery: string) => parseRequestUrl(new URL(pathAndQuery, 'https://thumbs.test'), config, false);

/** The query string, and the options it must give (a subset is checked). */
const VALID: [string, Record<string, unknown>][] = [
  ['width=640', { width: 640 }],
  ['w=640', { width: 640 }],
  ['height=480', { height: 480 }],
  ['h=1', { height: 1 }],
  ['w=8192', { width: 8192 }],
  ['dpr=2&w=100', { dpr: 2, width: 100 }],
  ['dpr=1.5', { dpr: 1.5 }],
  ['fit=scale-down', { fit: 'scale-down' }],
  ['fit=contain', { fit: 'contain' }],
  ['fit=cover', { fit: 'cover' }],
  ['fit=crop', { fit: 'crop' }],
  ['fit=pad', { fit: 'pad' }],
  ['fit=squeeze', { fit: 'squeeze' }],
  ['fit=scale-up', { fit: 'scale-up' }],
  ['fit=aspect-crop', { fit: 'aspect-crop' }],
  ['fit=aspect-crop&w=100&h=50&g=left', { fit: 'aspect-crop', width: 100, height: 50, gravity: { x: 0, y: 0.5 } }],
  ['', { fit: 'scale-down', quality: 85, dpr: 1, anim: true, gravity: { x: 0.5, y: 0.5 }, background: { r: 255, g: 255, b: 255, a: 255 } }],
  ['gravity=top', { gravity: { x: 0.5, y: 0 } }],
  ['g=bottom-right', { gravity: { x: 1, y: 1 } }],
  ['gravity=left', { gravity: { x: 0, y: 0.5 } }],
  ['gravity=0.3x0.7', { gravity: { x: 0.3, y: 0.7 } }],
  ['gravity=auto', { gravity: 'auto' }],
  ['g=auto', { gravity: 'auto' }],
  ['gravity=face', { gravity: 'face' }],
  ['gravity=face&zoom=0.5', { gravity: 'face', zoom: 0.5 }],
  ['g=face&zoom=1', { gravity: 'face', zoom: 1 }],
  ['zoom=0', { zoom: 0 }],
  ['quality=50', { quality: 50 }],
  ['q=72.6', { quality: 73 }],
  // Cloudflare's perceptual names: a number per format (PERCEPTUAL_QUALITY, docs/api.md).
  ['quality=high', { quality: 90, formatQuality: { jpeg: 90, webp: 88, avif: 70 } }],
  ['q=medium-high', { quality: 82, formatQuality: { jpeg: 82, webp: 80, avif: 58 } }],
  ['quality=medium-low', { quality: 70, formatQuality: { jpeg: 70, webp: 68, avif: 48 } }],
  ['quality=low', { quality: 55, formatQuality: { jpeg: 55, webp: 50, avif: 38 } }],
  ['format=jpeg', { format: 'jpeg' }],
  ['f=jpg', { format: 'jpeg' }],
  ['format=png', { format: 'png' }],
  ['format=webp', { format: 'webp' }],
  ['format=avif', { format: 'avif' }],
  ['format=auto', { format: 'auto' }],
  ['format=json', { format: 'json' }],
  ['format=jxl', { format: 'jxl' }],
  ['format=svg', { format: 'svg' }],
  ['format=baseline-jpeg', { format: 'jpeg' }],
  ['f=baseline-jpeg', { format: 'jpeg' }],
  ['compression=fast', { compression: 'fast' }],
  ['compression=fast&format=webp', { compression: 'fast', format: 'webp' }],
  ['background=%23ff0000', { background: { r: 255, g: 0, b: 0, a: 255 } }],
  ['bg=%23f00', { background: { r: 255, g: 0, b: 0, a: 255 } }],
  ['bg=%2300ff0080', { background: { r: 0, g: 255, b: 0, a: 128 } }],
  ['bg=rgb(1,2,3)', { background: { r: 1, g: 2, b: 3, a: 255 } }],
  ['bg=rgba(1,2,3,0.5)', { background: { r: 1, g: 2, b: 3, a: 128 } }],
  ['bg=navy', { background: { r: 0, g: 0, b: 128, a: 255 } }],
  ['rotate=90', { rotate: 90 }],
  ['rotate=270', { rotate: 270 }],
  ['flip=h', { flip: 'h' }],
  ['flip=hv', { flip: 'hv' }],
  ['blur=5', { blur: 5 }],
  ['blur=0&w=10', { width: 10 }],
  // Cloudflare caps dpr at 2 (or 3); ours reaches 4, a superset: every Cloudflare value works.
  ['dpr=3&w=10', { dpr: 3, width: 10 }],
  ['sharpen=1.5', { sharpen: 1.5 }],
  ['brightness=1.2', { brightness: 1.2 }],
  ['contrast=0.8', { contrast: 0.8 }],
  ['saturation=0', { saturation: 0 }],
  ['gamma=2', { gamma: 2 }],
  // Cloudflare ignores 0 for these three: no adjustment, the same options as without them.
  ['brightness=0&w=10', { width: 10 }],
  ['contrast=0&w=10', { width: 10 }],
  ['gamma=0&w=10', { width: 10 }],
  ['trim=10;20;30;40', { trim: { top: 10, right: 20, bottom: 30, left: 40 } }],
  // Cloudflare's trim=border and its options (trim.border.* spellings too), folded into trimBorder.
  ['trim=border', { trimBorder: { corner: 'top-left', tolerance: 10 } }],
  ['trim=border&trim.tolerance=30', { trimBorder: { corner: 'top-left', tolerance: 30 } }],
  ['trim=border&trim.color=%23ffffff&trim.keep=5', { trimBorder: { corner: 'top-left', tolerance: 10, color: { r: 255, g: 255, b: 255, a: 255 }, keep: 5 } }],
  ['trim=border&trim.border.color=white&trim.border.tolerance=0&trim.border.keep=2', { trimBorder: { tolerance: 0, color: { r: 255, g: 255, b: 255, a: 255 }, keep: 2 } }],
  // Cloudflare's trim rectangle, as a region (right/bottom exclusive).
  ['trim.left=10&trim.top=20&trim.width=100&trim.height=50', { region: { left: 10, top: 20, right: 110, bottom: 70 } }],
  // Fractional trim values: source pixels, the cut rounded to whole pixels.
  ['trim=10.5;0;0.25;0', { trim: { top: 10.5, right: 0, bottom: 0.25, left: 0 } }],
  ['trim.left=1.5&trim.width=20.5', { region: { left: 1.5, top: 0, right: 22, bottom: Number.MAX_SAFE_INTEGER } }],
  ['trim.width=100', { region: { left: 0, top: 0, right: 100, bottom: Number.MAX_SAFE_INTEGER } }],
  ['anim=false', { anim: false }],
  ['onerror=redirect', { onerror: 'redirect' }],
  ['color-profile=keep', { colorProfile: 'keep' }],
  ['color-profile=srgb', { colorProfile: 'srgb' }],
  // --- Cloudflare options, the rest of issue 13 part 1 ---
  ['metadata=keep', { metadata: 'keep' }],
  ['metadata=copyright', { metadata: 'copyright' }],
  ['metadata=none&w=10', { metadata: 'none', width: 10 }],
  // width=auto: decided per request from client hints (client-hints.ts), marked here.
  ['width=auto', { widthAuto: true }],
  ['w=auto&fit=cover&h=100', { widthAuto: true, fit: 'cover', height: 100 }],
  // slow-connection-quality / scq: a number or a perceptual name, applied when the client hints a slow connection.
  ['slow-connection-quality=50', { slowConnectionQuality: { quality: 50 } }],
  ['scq=40&q=90', { slowConnectionQuality: { quality: 40 }, quality: 90 }],
  ['scq=low', { slowConnectionQuality: { quality: 55, formatQuality: { jpeg: 55, webp: 50, avif: 38 } } }],
  // border: Cloudflare's Workers object {color, width} / {color, top, right, bottom, left}, spelled key=value;...
  ['border=color=%23ff0000;width=10', { border: { color: { r: 255, g: 0, b: 0, a: 255 }, top: 10, right: 10, bottom: 10, left: 10 } }],
  ['border=color=rgba(0,0,0,0.5);top=5;right=10;bottom=5;left=10', { border: { color: { r: 0, g: 0, b: 0, a: 128 }, top: 5, right: 10, bottom: 5, left: 10 } }],
  ['border=width=2;color=white', { border: { color: { r: 255, g: 255, b: 255, a: 255 }, top: 2, right: 2, bottom: 2, left: 2 } }],
  // flip as Cloudflare spells it; Cloudflare flips before rotating, so with a quarter turn h and v trade places in our rotate-then-flip order.
  ['flip=v', { flip: 'v' }],
  ['flip=h&rotate=90', { flip: 'v', rotate: 90 }],
  ['flip=v&rotate=270', { flip: 'h', rotate: 270 }],
  ['flip=h&rotate=180', { flip: 'h', rotate: 180 }],
  ['flip=hv&rotate=90', { flip: 'hv', rotate: 90 }],
  // draw in a URL: Cloudflare's draw objects as URL-encoded JSON.
  [`draw=${encodeURIComponent('[{"url":"/logo.png","bottom":10,"right":10,"opacity":0.5}]')}`, { draw: [{ url: '/logo.png', bottom: 10, right: 10, opacity: 0.5 }] }],
  [`draw=${encodeURIComponent('[{"url":"https://cdn.example/a.png","width":64,"repeat":true},{"url":"/b.png","top":0,"left":0}]')}&w=300`, {
    width: 300, draw: [{ url: 'https://cdn.example/a.png', width: 64, repeat: true }, { url: '/b.png', top: 0, left: 0 }],
  }],
];

/** The query string, and the parameter its 400 must name. */
const INVALID: [string, string][] = [
  ['width=0', 'width'],
  ['width=8193', 'width'],
  ['width=-5', 'width'],
  ['width=12.5', 'width'],
  ['width=abc', 'width'],
  ['w=', 'width'],
  ['height=99999', 'height'],
  ['dpr=5', 'dpr'],
  ['dpr=0.5', 'dpr'],
  ['w=5000&dpr=2', 'dpr'],
  ['fit=fill', 'fit'],
  ['fit=scaleup', 'fit'],
  ['fit=aspect', 'fit'],
  ['fit=outside', 'fit'],
  ['gravity=faces', 'gravity'],
  ['gravity=Auto', 'gravity'],
  ['gravity=1.5x0.5', 'gravity'],
  ['quality=0', 'quality'],
  ['q=101', 'quality'],
  ['quality=medium', 'quality'],
  ['quality=High', 'quality'],
  ['quality=high&q=50', 'quality'],
  ['format=bmp', 'format'],
  ['format=progressive-jpeg', 'format'],
  ['compression=slow', 'compression'],
  ['compression=', 'compression'],
  ['compression=fast&compression=fast', 'compression'],
  ['background=notacolor', 'background'],
  ['bg=%23ggg', 'background'],
  ['rotate=45', 'rotate'],
  ['flip=x', 'flip'],
  ['blur=0.5', 'blur'],
  ['blur=-1', 'blur'],
  ['blur=251', 'blur'],
  ['sharpen=11', 'sharpen'],
  ['brightness=-1', 'brightness'],
  ['gamma=0.05', 'gamma'],
  ['trim=1;2;3', 'trim'],
  ['trim=a;b;c;d', 'trim'],
  ['trim=borders', 'trim'],
  ['trim.color=red', 'trim.color'],
  ['trim.keep=3', 'trim.keep'],
  ['trim.tolerance=5', 'trim.tolerance'],
  ['trim=border&trim.color=nocolour', 'trim.color'],
  ['trim=border&trim.tolerance=443', 'trim.tolerance'],
  ['trim=border&trim.keep=-1', 'trim.keep'],
  ['trim=border&trim.tolerance=5&trim.border.tolerance=6', 'trim.tolerance'],
  ['trim.width=0', 'trim.width'],
  ['trim.left=-1', 'trim.left'],
  ['trim.width=abc', 'trim.width'],
  ['trim=1;2;3;-4', 'trim'],
  ['trim=1;2;3;4&trim.width=10', 'trim'],
  ['anim=maybe', 'anim'],
  ['onerror=ignore', 'onerror'],
  ['color-profile=p3', 'colorProfile'],
  ['color-profile=keep&colorProfile=srgb', 'colorProfile'],
  ['width=10&width=20', 'width'],
  ['width=10&w=20', 'width'],
  ['zoom=2', 'zoom'],
  ['zoom=1.01', 'zoom'],
  ['zoom=-0.5', 'zoom'],
  ['zoom=tight', 'zoom'],
  ['Width=10', 'Width'],
  // --- Cloudflare options, the rest of issue 13 part 1 ---
  ['metadata=all', 'metadata'],
  ['metadata=Keep', 'metadata'],
  ['width=automatic', 'width'],
  ['slow-connection-quality=0', 'slowConnectionQuality'],
  ['scq=best', 'slowConnectionQuality'],
  ['scq=50&slow-connection-quality=60', 'slowConnectionQuality'],
  ['border=width=10', 'border'],
  ['border=color=red', 'border'],
  ['border=color=red;width=10;top=2', 'border'],
  ['border=color=notacolor;width=3', 'border'],
  ['border=color=red;width=5000', 'border'],
  ['flip=x', 'flip'],
  ['draw=notjson', 'draw'],
  [`draw=${encodeURIComponent('{"url":"/a.png"}')}`, 'draw'],
  [`draw=${encodeURIComponent('[{"top":1}]')}`, 'draw'],
  [`draw=${encodeURIComponent('[{"url":"/a.png","left":1,"right":1}]')}`, 'draw'],
  [`draw=${encodeURIComponent('[{"url":"/a.png","opacity":2}]')}`, 'draw'],
  [`draw=${encodeURIComponent('[{"url":"/a.png","rotate":90}]')}`, 'draw'],
  [`draw=${encodeURIComponent('[{"url":"/a.png","repeat":"xy"}]')}`, 'draw'],
];

function expectInvalid(run: () => unknown, param: string) {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(ImageError);
    expect((err as ImageError).status).toBe(400);
    expect((err as ImageError).param).toBe(param);
    return;
  }
  throw new Error('expected a 400');
}

const toCdnCgi = (query: string) =>
  query
    .split('&')
    .filter(Boolean)
    .map((kv) => decodeURIComponent(kv))
    .join(',');

describe('query options, three URL forms', () => {
  for (const [query, expected] of VALID) {
    it(`path form: ?${query}`, () => {
      const { options, source } = parse(`/photos/cat.jpg?${query}`);
      expect(options).toMatchObject(expected);
      expect(source).toMatchObject({ kind: 'url' });
      expect(source.kind === 'url' && source.url.href).toBe('https://origin.example/photos/cat.jpg');
    });
    it(`remote form: ?url=...&${query}`, () => {
      const { options, source } = parse(`/?url=${encodeURIComponent('https://img.example/a.png')}&${query}`);
      expect(options).toMatchObject(expected);
      expect(source.kind === 'url' && source.url.href).toBe('https://img.example/a.png');
    });
    it(`cdn-cgi form: ${toCdnCgi(query) || '(none)'}`, () => {
      const opts = toCdnCgi(query);
      // Cloudflare needs at least one option in the segment; an empty table row uses a default-valued one.
      const { options, source } = parse(`/cdn-cgi/image/${encodeURIComponent(opts || 'anim=true')}/photos/cat.jpg`);
      expect(options).toMatchObject(expected);
      expect(source.kind === 'url' && source.url.href).toBe('https://origin.example/photos/cat.jpg');
    });
  }
  for (const [query, param] of INVALID) {
    it(`400 naming ${param}: path form ?${query}`, () => expectInvalid(() => parse(`/p.jpg?${query}`), param));
    it(`400 naming ${param}: remote form ?${query}`, () =>
      expectInvalid(() => parse(`/?url=https%3A%2F%2Fimg.example%2Fa.png&${query}`), param));
    if (!query.includes('=&') && query.split('&').length === 1) {
      it(`400 naming ${param}: cdn-cgi form ${toCdnCgi(query)}`, () =>
        expectInvalid(() => parse(`/cdn-cgi/image/${encodeURIComponent(toCdnCgi(query))}/p.jpg`), param));
    }
  }
});

describe('URL forms', () => {
  it('cdn-cgi with an absolute source keeps its query', () => {
    const { source, options } = parse('/cdn-cgi/image/width=80,quality=75/https://img.example/a.jpg?v=3');
    expect(source.kind === 'url' && source.url.href).toBe('https://img.example/a.jpg?v=3');
    expect(options).toMatchObject({ width: 80, quality: 75 });
  });
  it('cdn-cgi keeps rgb() commas inside one option', () => {
    const { options } = parse('/cdn-cgi/image/fit=pad,bg=rgb(10,20,30),w=50/a.jpg');
    expect(options).toMatchObject({ fit: 'pad', width: 50, background: { r: 10, g: 20, b: 30, a: 255 } });
  });
  it('cdn-cgi repairs a collapsed scheme slash', () => {
    const { source } = parse('/cdn-cgi/image/w=10/https:/img.example/a.jpg');
    expect(source.kind === 'url' && source.url.href).toBe('https://img.example/a.jpg');
  });
  it('remote form with a root-relative url resolves against ORIGIN', () => {
    const { source } = parse('/?url=%2Fphotos%2Fa.jpg&w=10');
    expect(source.kind === 'url' && source.url.href).toBe('https://origin.example/photos/a.jpg');
  });
  it('without ORIGIN, paths resolve to the bundled samples', () => {
    const { source } = parseRequestUrl(new URL('https://t/samples/landscape.jpg?w=1'), readConfig({}), false);
    expect(source).toEqual({ kind: 'sample', path: '/samples/landscape.jpg' });
  });
  it('dot segments cannot climb above ORIGIN', () => {
    const { source } = parse('/?url=%2F..%2F..%2Fetc%2Fpasswd');
    expect(source.kind === 'url' && source.url.href).toBe('https://origin.example/etc/passwd');
  });
  const BAD_URLS: [string, number, string][] = [
    ['/?w=10', 400, 'url'],
    ['/?url=a.jpg', 400, 'url'],
    ['/?url=%2F%2Fevil.example%2Fa.jpg', 400, 'url'],
    ['/?url=http%3A%2F%2F', 400, 'url'],
    ['/?url=file%3A%2F%2F%2Fetc%2Fpasswd', 403, 'url'],
    ['/?url=%2Fa.jpg&url=%2Fb.jpg', 400, 'url'],
    ['/a.jpg?url=%2Fb.jpg', 400, 'url'],
    ['/cdn-cgi/image/w=10', 400, 'url'],
    ['/cdn-cgi/image/width/a.jpg', 400, 'width'],
  ];
  for (const [path, status, param] of BAD_URLS) {
    it(`${path} -> ${status}`, () => {
      try {
        parse(path);
      } catch (err) {
        expect((err as ImageError).status).toBe(status);
        expect((err as ImageError).param).toBe(param);
        return;
      }
      throw new Error('expected an error');
    });
  }
});

describe('variant allowlists', () => {
  const strict = readConfig({ ORIGIN: 'https://o.example', ALLOWED_WIDTHS: 'nextjs', ALLOWED_QUALITIES: '50,75' });
  const run = (q: string) => parseRequestUrl(new URL(`https://t/a.jpg?${q}`), strict, false);
  it('accepts a preset width and listed quality', () => expect(run('w=640&q=75').options).toMatchObject({ width: 640, quality: 75 }));
  it('refuses an unlisted width', () => expectInvalid(() => run('w=641&q=75'), 'width'));
  it('refuses an unlisted quality', () => expectInvalid(() => run('w=640&q=80'), 'quality'));
  // The list bounds output pixels: dpr and height cannot reach sizes outside it.
  it.each([
    ['w=640&dpr=1.111', 'dpr'],
    ['w=641&dpr=2', 'width'],
    ['h=711', 'height'],
    ['w=640&h=711', 'height'],
    ['h=640&dpr=1.5', 'dpr'],
  ])('refuses %s, naming %s', (q, param) => expectInvalid(() => run(q), param));
  it.each([
    ['w=320&dpr=2', { width: 320, dpr: 2 }],
    ['w=640&h=384', { width: 640, height: 384 }],
    ['h=1080', { height: 1080 }],
  ])('accepts %s (every output side listed)', (q, want) => expect(run(q).options).toMatchObject(want));
  it('accepts a perceptual quality name (one of four fixed variants)', () =>
    expect(run('w=640&quality=low').options).toMatchObject({ quality: 55, formatQuality: { webp: 50 } }));
  it('without quality, takes the listed value nearest the default 85', () => {
    expect(run('w=640').options.quality).toBe(75);
    const hi = readConfig({ ORIGIN: 'https://o.example', ALLOWED_QUALITIES: '60,90' });
    expect(parseRequestUrl(new URL('https://t/a.jpg?w=640'), hi, false).options.quality).toBe(90);
  });
});

describe('canonical options', () => {
  it('is the same whatever the order, aliases or form', () => {
    const a = canonicalizeOptions(parse('/a.jpg?w=100&h=50&fit=cover&q=80').options);
    const b = canonicalizeOptions(parse('/a.jpg?quality=80&fit=cover&height=50&width=100').options);
    const c = canonicalizeOptions(parse('/cdn-cgi/image/fit=cover,q=80,w=100,h=50/a.jpg').options);
    expect(a).toBe(b);
    expect(a).toBe(c);
  });
  it('blur=0 leaves no blur option in every form', () => {
    for (const path of ['/a.jpg?blur=0', '/?url=%2Fa.jpg&blur=0', '/cdn-cgi/image/blur=0/a.jpg']) expect('blur' in parse(path).options).toBe(false);
  });
  it('blur=0 keys like no blur (Cloudflare accepts it as no blur)', () => {
    expect(canonicalizeOptions(parse('/a.jpg?w=100&blur=0').options)).toBe(canonicalizeOptions(parse('/a.jpg?w=100').options));
  });
  it('differs when an option differs', () => {
    expect(canonicalizeOptions(parse('/a.jpg?w=100').options)).not.toBe(canonicalizeOptions(parse('/a.jpg?w=101').options));
  });
});

describe('cache busters (CACHE_BUSTER_PARAMS)', () => {
  /** Path and query, and the source URL the origin is asked for. */
  const PASSED: [string, string][] = [
    ['/a.jpg?w=300&v=3', 'https://origin.example/a.jpg?v=3'],
    ['/a.jpg?cb=abc&w=300', 'https://origin.example/a.jpg?cb=abc'],
    ['/a.jpg?v=3&cb=x&w=300', 'https://origin.example/a.jpg?v=3&cb=x'],
    ['/a.jpg?v=a%2Fb', 'https://origin.example/a.jpg?v=a%2Fb'],
    ['/a.jpg?w=300', 'https://origin.example/a.jpg'],
  ];
  for (const [path, href] of PASSED) {
    it(`${path} -> origin ${href}, options without the buster`, () => {
      const { source, options } = parse(path);
      expect(source.kind === 'url' && source.url.href).toBe(href);
      expect(canonicalizeOptions(options)).toBe(canonicalizeOptions(parse(path.replace(/[?&](v|cb)=[^&]*/g, '').replace(/^([^?]*)&/, '$1?')).options));
    });
  }
  it('the bundled samples and the bucket keep the buster for the cache keys', () => {
    expect(parseRequestUrl(new URL('https://t/samples/landscape.jpg?v=3'), readConfig({}), false).source).toEqual({ kind: 'sample', path: '/samples/landscape.jpg', bust: '?v=3' });
    expect(parseRequestUrl(new URL('https://t/a.jpg?v=3'), config, true).source).toEqual({ kind: 'r2', key: 'a.jpg', fallback: new URL('https://origin.example/a.jpg?v=3'), bust: '?v=3' });
  });
  it('a configured list replaces the default', () => {
    const rev = readConfig({ ORIGIN: 'https://origin.example', CACHE_BUSTER_PARAMS: 'rev, ts' });
    const { source } = parseRequestUrl(new URL('https://t/a.jpg?rev=9&ts=1&w=5'), rev, false);
    expect(source.kind === 'url' && source.url.href).toBe('https://origin.example/a.jpg?rev=9&ts=1');
    expectInvalid(() => parseRequestUrl(new URL('https://t/a.jpg?v=3'), rev, false), 'v');
    expectInvalid(() => parseRequestUrl(new URL('https://t/a.jpg?v=3'), readConfig({ ORIGIN: 'https://o.example', CACHE_BUSTER_PARAMS: 'none' }), false), 'v');
  });
  it('refuses a list that names an option or a transport parameter', () => {
    for (const name of ['w', 'width', 'sig', 'url']) expect(() => readConfig({ CACHE_BUSTER_PARAMS: `v,${name}` })).toThrow(/CACHE_BUSTER_PARAMS/);
  });
  // url= carries its own query (`url=/a.jpg?v=3`); the cdn-cgi source keeps the query it has.
  it('the remote form refuses a bare buster', () => expectInvalid(() => parse('/?url=%2Fa.jpg&v=3'), 'v'));
});
