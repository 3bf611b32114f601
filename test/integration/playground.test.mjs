/**
 * The playground in a real browser: Debian's Chromium (/usr/bin/chromium) driven
 * by playwright-core, against `wrangler dev` serving the bundled samples (ORIGIN
 * empty), viewport 1280 x 900. It clicks through the page and checks:
 *   - the first image, a control for every parameter the page lists, every
 *     [hidden] element really hidden, every select's longest choice readable and
 *     the selects inside the viewport at 1280 px (the old fit dropdown was cut off);
 *   - changing controls changes the image; the result region's pixels match the
 *     image fetched directly (mean difference within a tolerance); sizes and the
 *     saving match the bytes; Server-Timing segments are proportional to durations;
 *   - after an error the previous image stays visible beside the error;
 *   - the page's URL carries the state: a new page opened on it shows the same
 *     controls and result; a hand-written state link works too;
 *   - the dialect switch shows the same transform in each dialect, equal to what
 *     the real URL builders (thumbor-url-builder, @imgproxy/imgproxy-node) write;
 *   - the snippets work: their URLs, the Next.js loader and the Astro service's
 *     getURL produce URLs the Worker answers with the right image.
 * Screenshots go to test-artifacts/ (gitignored). Also checks PLAYGROUND=false
 * gives the short index page.
 *
 * Needs: apt-get install -y chromium
 * Run:   npm run test:browser   (node --test test/integration/playground.test.mjs)
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { generateImageUrl } from '@imgproxy/imgproxy-node';
import { chromium } from 'playwright-core';
import sharp from 'sharp';
import ThumborUrlBuilder from 'thumbor-url-builder';
import { thumbflareUrl } from '../../src/next/loader.mjs';
import { REPO, readImageHeader, seconds, startWorker } from './support.mjs';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const ARTIFACTS = join(REPO, 'test-artifacts');
const VIEWPORT = { width: 1280, height: 900 };

const cleanups = [];
const timings = [];
const time = (label, ms) => {
  timings.push(`${label} ${seconds(ms)}`);
  console.log(`${label}: ${seconds(ms)}`);
};
after(async () => {
  for (const fn of cleanups.reverse()) await fn().catch((err) => console.error('cleanup failed:', err));
  console.log(`timings: ${timings.join(', ')}`);
});

/** Waits until #result shows a decoded image fetched from a URL matching `pattern`. */
function waitForResult(page, pattern) {
  return page.waitForFunction(
    (source) => {
      const img = document.getElementById('result');
      return new RegExp(source).test(img.getAttribute('data-url') ?? '') && img.complete && img.naturalWidth > 0 && !img.hidden;
    },
    pattern.source,
    { timeout: 30_000 },
  );
}

function readState(page) {
  return page.evaluate(() => {
    const img = document.getElementById('result');
    const text = (id) => document.getElementById(id).textContent;
    return {
      dataUrl: img.getAttribute('data-url'),
      naturalWidth: img.naturalWidth,
      naturalHeight: img.naturalHeight,
      src: img.src,
      url: text('result-url'),
      size: text('size'),
      type: text('type'),
      saving: text('saving'),
      originalSize: text('original-size'),
      status: text('status'),
      hash: location.hash,
      timing: [...document.querySelectorAll('#timing tr')].map((tr) => tr.textContent),
    };
  });
}

/** The values of the named option controls. */
function controlValues(page, keys) {
  return page.evaluate((ks) => Object.fromEntries(ks.map((k) => [k, document.getElementById(`opt-${k}`).value])), keys);
}

/**
 * A screenshot of an image element's own pixels: its box snapped to the device pixel
 * grid (layout boxes can start at fractions of a pixel) at its natural size.
 */
async function imageShot(page, selector, path) {
  const box = await page.locator(selector).boundingBox();
  const [w, h] = await page.$eval(selector, (img) => [img.naturalWidth, img.naturalHeight]);
  assert.ok(Math.abs(box.width - w) < 1 && Math.abs(box.height - h) < 1, `${selector} is scaled: ${JSON.stringify(box)} vs ${w}x${h}`);
  return page.screenshot({ path, clip: { x: Math.round(box.x), y: Math.round(box.y), width: w, height: h } });
}

const bytesOf = (text) => Number(text.split(' ')[0].replace(/,/g, ''));

/** Mean absolute difference per channel (0..255) between a screenshot and an image, same size required. */
async function meanDifference(screenshotPng, imageBytes) {
  const a = await sharp(screenshotPng).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const b = await sharp(imageBytes).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  assert.deepEqual([a.info.width, a.info.height], [b.info.width, b.info.height], 'screenshot and image differ in size');
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) sum += Math.abs(a.data[i] - b.data[i]);
  return sum / a.data.length;
}

/** imgproxy options as a sorted list, with meta-options, booleans and the @extension normalised. */
function imgproxyMeaning(url) {
  const path = new URL(url).pathname;
  const parts = path.split('/').slice(2); // drop '' and the signature
  const plain = parts.indexOf('plain');
  let source = decodeURIComponent(parts.slice(plain + 1).join('/'));
  const opts = [];
  const at = source.lastIndexOf('@');
  if (at > source.lastIndexOf('/')) {
    opts.push(`f:${source.slice(at + 1)}`);
    source = source.slice(0, at);
  }
  const bool = (v) => (/^(1|t|true)$/.test(v) ? 't' : /^(0|f|false)$/.test(v) ? 'f' : v);
  for (const o of parts.slice(0, plain)) {
    const [name, ...args] = o.split(':');
    if (name === 'rs' || name === 'resize') {
      const [type, w, h, el, ex] = args;
      opts.push(`rt:${type}`, `w:${w}`, `h:${h}`);
      if (el !== undefined) opts.push(`el:${bool(el)}`);
      if (ex !== undefined) opts.push(`ex:${bool(ex)}`);
    } else opts.push([name, ...args.map(bool)].join(':'));
  }
  // Defaults say nothing: no enlarge, no extend, 0 = proportional.
  return { source, opts: opts.filter((o) => !['el:f', 'ex:f', 'w:0', 'h:0'].includes(o)).sort() };
}

test('playground in Chromium: controls, side by side, errors, shareable state, dialects, snippets', { timeout: 180_000 }, async () => {
  assert.ok(
    existsSync(CHROMIUM),
    `${CHROMIUM} is missing: install Debian's Chromium with \`apt-get install -y chromium\` (the browser test drives it with playwright-core)`,
  );
  const started = performance.now();
  // DIALECTS asks for every dialect; a build without the dialect config ignores it and the
  // page then declares only Cloudflare enabled. The preview checks below follow what the
  // page declares (data-enabled), so they test whichever policy the build has.
  const worker = await startWorker({ ORIGIN: '', DIALECTS: 'cloudflare,thumbor,imgproxy' });
  cleanups.push(worker.stop);
  time('wrangler dev ready', worker.ms);
  const base = worker.url;
  const direct = async (path) => {
    const res = await fetch(base + path, { headers: { Accept: 'image/avif,image/webp,image/*' } });
    assert.equal(res.status, 200, `${path}: ${res.status}`);
    return new Uint8Array(await res.arrayBuffer());
  };

  let t = performance.now();
  const profile = await mkdtemp(join(tmpdir(), 'thumbflare-chromium-'));
  cleanups.push(() => rm(profile, { recursive: true, force: true }));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: VIEWPORT });
  cleanups.push(() => context.close());
  time('chromium launched', performance.now() - t);
  await mkdir(ARTIFACTS, { recursive: true });

  const consoleErrors = [];
  const foreign = [];
  const watch = (page) => {
    page.on('console', (msg) => msg.type() === 'error' && consoleErrors.push(`${msg.text()} (${msg.location().url})`));
    page.on('pageerror', (err) => consoleErrors.push(String(err)));
    // The page must not reach anything but the Worker.
    page.on('request', (req) => {
      const u = req.url();
      if (!u.startsWith(base) && !u.startsWith('blob:') && !u.startsWith('data:')) foreign.push(u);
    });
    return page;
  };
  const page = watch(context.pages()[0] ?? (await context.newPage()));

  // 1. First load: the first sample at width 640, format=auto, as before.
  t = performance.now();
  const res = await page.goto(`${base}/`);
  assert.equal(res.status(), 200);
  assert.match(await page.title(), /Thumbflare .* playground/);
  await waitForResult(page, /\/samples\/landscape\.jpg\?width=640&format=auto$/);
  const first = await readState(page);
  time('first image shown', performance.now() - t);
  assert.equal(first.naturalWidth, 640, JSON.stringify(first));
  assert.equal(first.url, `${base}/samples/landscape.jpg?width=640&format=auto`);
  assert.match(first.src, /^blob:/);
  assert.match(first.hash, /^#src=%2Fsamples%2Flandscape\.jpg&width=640&format=auto&dialect=cf-query$/);

  // Every parameter the page knows has a visible control (the unit test ties the list to PARAM_SPECS).
  const layout = await page.evaluate(() => {
    const params = JSON.parse(document.getElementById('playground-data').textContent).params.map((p) => p.key);
    const controls = [...document.querySelectorAll('[data-param]')].map((el) => {
      const r = el.getBoundingClientRect();
      return { key: el.dataset.param, visible: r.width > 0 && r.height > 0 && getComputedStyle(el).display !== 'none' };
    });
    // Bug 1: an element with the hidden attribute must not be displayed (a CSS rule used to override it).
    // Checked on every element that is hidden now, and on the ones the script hides and
    // shows (images, error, text), each set hidden for a moment.
    const shownHidden = [...document.querySelectorAll('[hidden]')].filter((el) => getComputedStyle(el).display !== 'none').map((el) => el.id || el.tagName);
    for (const id of ['result', 'original', 'error', 'text', 'unmapped']) {
      const el = document.getElementById(id);
      const was = el.hidden;
      el.hidden = true;
      if (getComputedStyle(el).display !== 'none') shownHidden.push(id);
      el.hidden = was;
    }
    // Bug 2: every select lies inside the viewport and its form, and its longest choice fits in it.
    const canvas = document.createElement('canvas').getContext('2d');
    const form = document.getElementById('controls').getBoundingClientRect();
    const selects = [...document.querySelectorAll('#controls select')].map((sel) => {
      const r = sel.getBoundingClientRect();
      const cs = getComputedStyle(sel);
      canvas.font = cs.font;
      const longest = Math.max(...[...sel.options].map((o) => canvas.measureText(o.text).width));
      // Chromium's drop-down arrow takes about 20 px at the inline end.
      const room = sel.clientWidth - parseFloat(cs.paddingLeft) - 20;
      return { id: sel.id, left: r.left, right: r.right, formLeft: form.left, formRight: form.right, longest, room };
    });
    return { params, controls, shownHidden, selects, viewport: innerWidth };
  });
  assert.ok(layout.params.length >= 19, `only ${layout.params.length} parameters`);
  for (const key of ['width', 'height', 'fit', 'format', 'quality', 'gravity', 'background', 'blur', 'trim']) assert.ok(layout.params.includes(key), key);
  assert.deepEqual(layout.controls.map((c) => c.key), layout.params);
  assert.deepEqual(layout.controls.filter((c) => !c.visible), []);
  assert.deepEqual(layout.shownHidden, [], 'elements with the hidden attribute are displayed');
  assert.equal(layout.viewport, 1280);
  for (const s of layout.selects) {
    assert.ok(s.left >= 0 && s.right <= layout.viewport, `${s.id} leaves the viewport: ${JSON.stringify(s)}`);
    assert.ok(s.left >= s.formLeft - 0.5 && s.right <= s.formRight + 0.5, `${s.id} leaves its form: ${JSON.stringify(s)}`);
    assert.ok(s.longest <= s.room, `${s.id}'s longest choice is cut off: ${JSON.stringify(s)}`);
  }
  assert.ok(layout.selects.some((s) => s.id === 'opt-fit'));

  // 2. Click through: width 200, format webp.
  t = performance.now();
  await page.fill('#opt-width', '200');
  await page.selectOption('#opt-format', 'webp');
  await waitForResult(page, /\/samples\/landscape\.jpg\?width=200&format=webp$/);
  await page.waitForFunction(() => /bytes/.test(document.getElementById('original-size').textContent) && document.getElementById('original').naturalWidth > 0);
  const second = await readState(page);
  time('updated image shown', performance.now() - t);
  assert.equal(second.naturalWidth, 200, JSON.stringify(second));
  assert.equal(second.naturalHeight, Math.round((200 * 1067) / 1600));
  assert.equal(second.type, 'image/webp');
  assert.notEqual(second.src, first.src);
  assert.match(second.hash, /&width=200&format=webp&/);
  // The sizes shown are the response's bytes and the source's bytes; the saving follows from them.
  const resultBytes = await direct('/samples/landscape.jpg?width=200&format=webp');
  assert.equal(bytesOf(second.size), resultBytes.byteLength);
  assert.equal(bytesOf(await page.textContent('#result-size')), resultBytes.byteLength);
  const meta = await (await fetch(`${base}/samples/landscape.jpg?format=json`)).json();
  const sourceBytes = meta.source?.bytes ?? meta.original?.file_size;
  assert.equal(bytesOf(second.originalSize), sourceBytes);
  assert.equal(second.saving, `${(100 * (1 - resultBytes.byteLength / sourceBytes)).toFixed(1)}% smaller`);

  // The result region shows the same pixels as the image fetched directly.
  const resultShot = await imageShot(page, '#result', join(ARTIFACTS, 'playground-result.png'));
  const diff = await meanDifference(resultShot, resultBytes);
  assert.ok(diff < 3, `result region differs from the image by ${diff.toFixed(2)} per channel`);
  // Original and result side by side: same row, original on the left.
  const og = await page.locator('#original').boundingBox();
  const rs = await page.locator('#result').boundingBox();
  const ogFig = await page.locator('#original-fig').boundingBox();
  const rsFig = await page.locator('#result-fig').boundingBox();
  assert.ok(og && rs && og.width > 100, JSON.stringify({ og, rs }));
  assert.ok(Math.abs(ogFig.y - rsFig.y) < 1 && ogFig.x + ogFig.width <= rsFig.x, JSON.stringify({ ogFig, rsFig }));
  assert.ok(Math.abs(og.height / og.width - 1067 / 1600) < 0.01, 'original keeps its aspect ratio');

  // Server-Timing as a bar: one segment per timed stage, widths proportional to durations.
  const bar = await page.evaluate(() => {
    const segs = [...document.querySelectorAll('#timing-bar .seg')];
    return segs.map((s) => ({ stage: s.dataset.stage, dur: Number(s.dataset.dur), width: s.getBoundingClientRect().width, label: s.textContent }));
  });
  assert.ok(bar.length >= 3, JSON.stringify(bar));
  for (const stage of ['decode', 'encode']) assert.ok(bar.some((s) => s.stage === stage), `${stage} missing from the bar`);
  const durSum = bar.reduce((a, s) => a + s.dur, 0);
  const widthSum = bar.reduce((a, s) => a + s.width, 0);
  for (const s of bar) {
    assert.ok(Math.abs(s.width - (widthSum * s.dur) / durSum) < 1.5, `segment ${s.stage} is not proportional: ${JSON.stringify(bar)}`);
    assert.match(s.label, new RegExp(`^${s.stage} \\d+ ms$`));
    assert.ok(second.timing.some((row) => row.startsWith(s.stage)), `table lacks ${s.stage}`);
  }
  await page.screenshot({ path: join(ARTIFACTS, 'playground.png'), fullPage: true });

  // 3. An error keeps the previous image visible beside the error.
  await page.fill('#opt-width', '999999');
  await page.waitForFunction(() => !document.getElementById('error').hidden);
  const failed = await page.evaluate(() => {
    const img = document.getElementById('result');
    const err = document.getElementById('error');
    return {
      display: getComputedStyle(img).display,
      visibility: getComputedStyle(img).visibility,
      hidden: img.hidden,
      dataUrl: img.getAttribute('data-url'),
      error: err.textContent,
      errorDisplay: getComputedStyle(err).display,
      status: document.getElementById('status').textContent,
    };
  });
  assert.match(failed.status, /^HTTP 400: width must be/);
  assert.match(failed.error, /^HTTP 400: width must be/);
  assert.notEqual(failed.display, 'none');
  assert.equal(failed.visibility, 'visible');
  assert.equal(failed.hidden, false);
  assert.match(failed.dataUrl, /width=200&format=webp$/, 'the previous image is still the one shown');
  const stale = await page.locator('#result').boundingBox();
  const errorBox = await page.locator('#error').boundingBox();
  assert.ok(stale && stale.width > 100 && stale.height > 50, `previous image not visible: ${JSON.stringify(stale)}`);
  assert.ok(errorBox && errorBox.height > 0 && errorBox.y >= stale.y + stale.height - 1, `error not beside the image: ${JSON.stringify({ stale, errorBox })}`);
  await page.screenshot({ path: join(ARTIFACTS, 'playground-error.png') });
  // Recovering clears the error.
  await page.fill('#opt-width', '240');
  await waitForResult(page, /width=240&format=webp$/);
  assert.equal(await page.locator('#error').isHidden(), true);

  // 4. The page's URL reproduces the state in a new page.
  const shared = page.url();
  assert.match(shared, /#src=%2Fsamples%2Flandscape\.jpg&width=240&format=webp&dialect=cf-query$/);
  const other = watch(await context.newPage());
  await other.goto(shared);
  await waitForResult(other, /\/samples\/landscape\.jpg\?width=240&format=webp$/);
  assert.deepEqual(await controlValues(other, ['width', 'height', 'format', 'fit']), { width: '240', height: '', format: 'webp', fit: '' });
  assert.equal((await readState(other)).naturalWidth, 240);
  await other.close();

  // A hand-written state link, in the Thumbor dialect: controls and result follow.
  t = performance.now();
  const state = 'src=/samples/landscape.jpg&width=300&height=200&fit=cover&gravity=left&quality=80&format=webp&flip=h&dialect=thumbor';
  await page.goto(`${base}/#${state}`);
  const cfQuery = '/samples/landscape.jpg?width=300&height=200&fit=cover&gravity=left&quality=80&format=webp&flip=h';
  // Fetched through the Cloudflare query form, or through the Thumbor URL where that dialect is on.
  await waitForResult(page, /(\?width=300&height=200&fit=cover&gravity=left&quality=80&format=webp&flip=h|\/unsafe\/-300x200\/left\/filters:quality\(80\):format\(webp\)\/samples\/landscape\.jpg)$/);
  time('state link shown', performance.now() - t);
  assert.deepEqual(await controlValues(page, ['width', 'height', 'fit', 'gravity', 'quality', 'format', 'flip', 'blur']), {
    width: '300', height: '200', fit: 'cover', gravity: 'left', quality: '80', format: 'webp', flip: 'h', blur: '',
  });
  assert.equal(await page.inputValue('#dialect'), 'thumbor');
  const linked = await readState(page);
  assert.deepEqual([linked.naturalWidth, linked.naturalHeight], [300, 200]);
  const flipped = await direct(cfQuery);
  const flippedDiff = await meanDifference(await imageShot(page, '#result'), flipped);
  assert.ok(flippedDiff < 3, `state-link result differs from the direct image by ${flippedDiff.toFixed(2)}`);
  // The mirror image really is mirrored: the unflipped crop differs a lot.
  const unflipped = await direct(cfQuery.replace('&flip=h', ''));
  assert.ok((await meanDifference(await sharp(unflipped).png().toBuffer(), flipped)) > 10, 'flip=h changed nothing');

  // 5. Dialects: the same transform, as the real URL builders write it.
  const thumbor = new ThumborUrlBuilder('', base)
    .setImagePath('/samples/landscape.jpg')
    .resize(300, 200)
    .flipHorizontally()
    .halign('left')
    .filter('quality(80)')
    .filter('format(webp)')
    .buildUrl();
  assert.equal(linked.url, thumbor);
  const enabled = (await page.getAttribute('#dialect', 'data-enabled')).split(' ');
  assert.ok(enabled.includes('cloudflare'), enabled.join());
  if (enabled.includes('thumbor')) {
    // The deployment serves Thumbor URLs: the preview is fetched with the Thumbor URL itself.
    assert.match(await page.textContent('#preview-note'), /^Preview fetched with this URL/);
    assert.equal(linked.dataUrl, thumbor.slice(base.length));
  } else {
    assert.match(await page.textContent('#preview-note'), /through the Cloudflare query form: the thumbor dialect is not enabled/);
    assert.equal(linked.dataUrl, cfQuery);
  }

  await page.selectOption('#dialect', 'imgproxy');
  await page.waitForFunction(() => /\/insecure\//.test(document.getElementById('result-url').textContent));
  const imgproxyShown = await page.textContent('#result-url');
  const imgproxyBuilt = generateImageUrl({
    endpoint: base,
    url: { value: 'local:///samples/landscape.jpg', displayAs: 'plain' },
    options: { resizing_type: 'fill', width: 300, height: 200, enlarge: 1, gravity: { type: 'we' }, quality: 80, format: 'webp', flip: { horizontal: 1, vertical: 0 } },
  });
  assert.deepEqual(imgproxyMeaning(imgproxyShown), imgproxyMeaning(imgproxyBuilt), `${imgproxyShown} vs ${imgproxyBuilt}`);
  assert.match(imgproxyShown, new RegExp(`^${base}/insecure/rs:fill:300:200:1/`));
  assert.match(page.url(), /&dialect=imgproxy$/);

  // Cloudflare's /cdn-cgi/image/ form is served here, so the preview uses it.
  await page.selectOption('#dialect', 'cf-cdn-cgi');
  const cdnCgi = '/cdn-cgi/image/width=300,height=200,fit=cover,gravity=left,quality=80,format=webp,flip=h/samples/landscape.jpg';
  await waitForResult(page, new RegExp(`${cdnCgi.replace(/[?.]/g, '\\$&')}$`));
  assert.equal(await page.textContent('#result-url'), base + cdnCgi);
  assert.match(await page.textContent('#preview-note'), /^Preview fetched with this URL/);
  assert.equal(bytesOf((await readState(page)).size), flipped.byteLength, 'both Cloudflare forms give the same image');

  // What a dialect cannot express is listed: gamma has no Thumbor filter, brightness is imgproxy Pro.
  await page.selectOption('#dialect', 'thumbor');
  await page.fill('#opt-gamma', '2');
  await page.fill('#opt-brightness', '1.2');
  // Both fills may land in one debounced update or in two: wait for the state with both.
  await page.waitForFunction(
    () => /gamma/.test(document.getElementById('unmapped').textContent) && /brightness\(20\)/.test(document.getElementById('result-url').textContent),
  );
  assert.match(await page.textContent('#result-url'), /filters:quality\(80\):format\(webp\):brightness\(20\)\//);
  await page.selectOption('#dialect', 'imgproxy');
  await page.waitForFunction(() => /brightness \(imgproxy Pro only\)/.test(document.getElementById('unmapped').textContent));
  assert.match(await page.textContent('#unmapped'), /gamma/);
  await page.fill('#opt-gamma', '');
  await page.fill('#opt-brightness', '');
  await waitForResult(page, /(\?width=300&height=200&fit=cover&gravity=left&quality=80&format=webp&flip=h|\/insecure\/rs:fill:300:200:1\/g:we\/q:80\/fl:1:0\/plain\/local:\/\/\/samples\/landscape\.jpg@webp)$/);

  // 6. Snippets for the current transform, checked by using them.
  const snippet = async (kind) => {
    await page.selectOption('#snippet-kind', kind);
    return page.textContent('#snippet');
  };
  const unescape = (s) => s.replace(/&amp;/g, '&');
  const img = await snippet('img');
  const srcset = /srcset="([^"]+)"/.exec(img)[1];
  const candidates = unescape(srcset).split(', ').map((c) => c.split(' '));
  assert.deepEqual(candidates.map(([, w]) => w), ['150w', '300w', '450w', '600w']);
  for (const [url, w] of [candidates[0], candidates[3]]) {
    assert.ok(url.startsWith(`${base}/samples/landscape.jpg?width=`), url);
    const head = readImageHeader(await direct(url.slice(base.length)));
    assert.equal(`${head.width}w`, w, url);
  }
  assert.match(img, /sizes="\(max-width: 300px\) 100vw, 300px" width="300" height="200"/);
  const picture = await snippet('picture');
  assert.match(picture, /<source type="image\/avif" srcset="[^"]*format=avif/);
  assert.match(picture, /<source type="image\/webp" srcset="[^"]*format=webp/);
  assert.match(picture, /<img src="[^"]*format=jpeg/);

  const next = await snippet('next');
  assert.match(next, /loader: 'custom', loaderFile: '\.\/thumbflare-loader\.mjs'/);
  assert.ok(next.includes(`NEXT_PUBLIC_THUMBFLARE_URL=${base}`));
  // Run the loader the snippet writes: the package's thumbflareUrl plus the extra options.
  const extra = JSON.parse(/\+ ("[^"]*");/.exec(next)[1]);
  assert.equal(extra, '&fit=cover&gravity=left&flip=h');
  const fromNext = thumbflareUrl({ src: '/samples/landscape.jpg', width: 384, quality: 80 }, base) + extra;
  const nextHead = readImageHeader(await direct(fromNext.slice(base.length)));
  assert.equal(nextHead.width, 384);

  const nuxt = await snippet('nuxt');
  assert.ok(nuxt.includes(`cloudflare: { baseURL: "${base}" }`));
  assert.match(nuxt, /<NuxtImg provider="cloudflare" src="\/samples\/landscape\.jpg" width="300" height="200" quality="80" format="webp"/);
  assert.match(nuxt, /:modifiers="\{ fit: 'cover', gravity: 'left', flip: 'h' \}"/);

  const astro = await snippet('astro');
  assert.match(astro, /entrypoint: '\.\/src\/thumbflare-image-service\.mjs'/);
  // Evaluate the image service's getURL as written and fetch what it returns.
  const config = JSON.parse(`{${/config: \{ (baseURL: "[^"]*", options: "[^"]*") \}/.exec(astro)[1].replace(/(baseURL|options):/g, '"$1":')}}`);
  const body = /export default \{\n  \.\.\.baseService,\n([\s\S]*?)\n\};/.exec(astro)[1];
  const service = new Function(`return {\n${body}\n};`)();
  const astroUrl = service.getURL({ src: '/samples/landscape.jpg', width: 320, height: 160, quality: 80, format: 'webp' }, { service: { config } });
  assert.ok(astroUrl.startsWith(`${base}/cdn-cgi/image/fit=cover,gravity=left,flip=h,width=320,height=160,quality=80,format=webp/`), astroUrl);
  const astroHead = readImageHeader(await direct(astroUrl.slice(base.length)));
  assert.deepEqual([astroHead.format, astroHead.width, astroHead.height], ['webp', 320, 160]);
  await writeFile(join(ARTIFACTS, 'playground-snippets.txt'), [img, picture, next, nuxt, astro].join('\n\n----\n\n'));
  await page.screenshot({ path: join(ARTIFACTS, 'playground-dialects.png'), fullPage: true });

  // 7. More transforms in both dialects, against the real builders (the source is
  // 1600 x 1067, known from format=json, for trim and focal points in pixels).
  assert.match(await page.textContent('#original-dims'), /^1600 × 1067 px/);
  const thumborOf = (build) => build(new ThumborUrlBuilder('', base).setImagePath('/samples/landscape.jpg')).buildUrl();
  const imgproxyOf = (options) => generateImageUrl({ endpoint: base, url: { value: 'local:///samples/landscape.jpg', displayAs: 'plain' }, options });
  const cases = [
    {
      state: 'width=400&dpr=2&fit=contain&rotate=90',
      thumbor: (b) => b.fitIn(800, 0).filter('upscale()').filter('rotate(270)'),
      imgproxy: { resizing_type: 'fit', width: 400, enlarge: 1, dpr: 2, rotate: 90 },
    },
    {
      state: 'width=300&height=300&fit=pad&background=%23ff0000',
      thumbor: (b) => b.fitIn(300, 300).filter('upscale()').filter('fill(ff0000)'),
      imgproxy: { resizing_type: 'fit', width: 300, height: 300, enlarge: 1, extend: { extend: 1 }, background: 'ff0000' },
    },
    {
      state: 'width=200&height=200&fit=cover&gravity=0.25x0.75&quality=70&format=png',
      thumbor: (b) => b.resize(200, 200).filter('focal(400x800:401x801)').filter('quality(70)').filter('format(png)'),
      imgproxy: { resizing_type: 'fill', width: 200, height: 200, enlarge: 1, gravity: { type: 'fp', x: 0.25, y: 0.75 }, quality: 70, format: 'png' },
    },
    {
      state: 'width=100&flip=v&blur=10&trim=10%3B20%3B30%3B40',
      thumbor: (b) => b.crop(40, 10, 1580, 1037).fitIn(100, 0).flipVertically().filter('blur(10)'),
      imgproxy: { resizing_type: 'fit', width: 100, crop: { width: 1540, height: 1027, gravity: { type: 'nowe', x_offset: 40, y_offset: 10 } }, flip: { horizontal: 0, vertical: 1 }, blur: 5 },
    },
    {
      state: 'width=300&height=100&fit=squeeze&sharpen=2&saturation=0',
      thumbor: (b) => b.resize(300, 100).filter('stretch()').filter('sharpen(2,1,true)').filter('saturation(-100)'),
      imgproxy: { resizing_type: 'force', width: 300, height: 100, enlarge: 1, sharpen: 2 },
      imgproxyUnmapped: /saturation \(imgproxy Pro only\)/,
    },
    {
      state: 'width=200&height=200&fit=cover&gravity=auto',
      thumbor: (b) => b.resize(200, 200).smartCrop(true),
      imgproxy: { resizing_type: 'fill', width: 200, height: 200, enlarge: 1, gravity: { type: 'sm' } },
    },
    {
      state: 'width=100&format=json',
      thumbor: (b) => b.metaDataOnly(true).fitIn(100, 0),
      imgproxy: { resizing_type: 'fit', width: 100 },
      imgproxyUnmapped: /format=json/,
    },
  ];
  const showState = async (hash) => {
    const before = await page.textContent('#result-url');
    await page.evaluate((h) => (location.hash = h), hash);
    await page.waitForFunction((prev) => document.getElementById('result-url').textContent !== prev, before);
    return page.textContent('#result-url');
  };
  for (const c of cases) {
    const src = 'src=%2Fsamples%2Flandscape.jpg&';
    assert.equal(await showState(`${src}${c.state}&dialect=thumbor`), thumborOf(c.thumbor), c.state);
    const shown = await showState(`${src}${c.state}&dialect=imgproxy`);
    assert.deepEqual(imgproxyMeaning(shown), imgproxyMeaning(imgproxyOf(c.imgproxy)), `${c.state}: ${shown}`);
    const unmapped = await page.textContent('#unmapped');
    if (c.imgproxyUnmapped) assert.match(unmapped, c.imgproxyUnmapped);
    else assert.doesNotMatch(unmapped, /Not expressible/, `${c.state}: ${unmapped}`);
  }

  // A phone-width viewport stacks the columns without horizontal scrolling.
  await page.setViewportSize({ width: 390, height: 844 });
  const narrow = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    width: innerWidth,
    stacked: document.getElementById('controls').getBoundingClientRect().bottom <= document.getElementById('result-url').getBoundingClientRect().top,
  }));
  assert.ok(narrow.scroll <= narrow.width && narrow.stacked, JSON.stringify(narrow));
  await page.screenshot({ path: join(ARTIFACTS, 'playground-390.png') });
  await page.setViewportSize(VIEWPORT);

  assert.deepEqual(foreign, [], 'the page requested something other than the Worker');
  assert.deepEqual(consoleErrors.filter((e) => !/status of 400/.test(e)), []);
  time('total', performance.now() - started);
});

test('PLAYGROUND=false serves the short index page', { timeout: 120_000 }, async () => {
  const worker = await startWorker({ ORIGIN: '', PLAYGROUND: 'false' });
  cleanups.push(worker.stop);
  const res = await fetch(`${worker.url}/`);
  const html = await res.text();
  assert.equal(res.status, 200);
  assert.match(html, /<h1>Thumbflare \d+\.\d+\.\d+<\/h1>/);
  assert.doesNotMatch(html, /<script/);
  assert.match(html, /href="\/samples\/landscape\.jpg\?width=300"/);
});
