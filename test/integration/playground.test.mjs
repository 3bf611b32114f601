/**
 * The playground in a real browser: Debian's Chromium (/usr/bin/chromium) driven
 * by playwright-core, against `wrangler dev` serving the bundled samples (ORIGIN
 * empty). Loads `/`, checks the first image decodes, sets width 200 and format
 * webp, checks the image, its URL and its size text follow, and saves a
 * screenshot to test-artifacts/playground.png. Also checks PLAYGROUND=false
 * gives the short index page.
 *
 * Needs: apt-get install -y chromium
 * Run:   npm run test:browser   (node --test test/integration/playground.test.mjs)
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { chromium } from 'playwright-core';
import { REPO, seconds, startWorker } from './support.mjs';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const SCREENSHOT = join(REPO, 'test-artifacts/playground.png');

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

/** The state the page shows: the result image and the texts next to it. */
function readState(page) {
  return page.evaluate(() => {
    const img = document.getElementById('result');
    return {
      dataUrl: img.getAttribute('data-url'),
      complete: img.complete,
      hidden: img.hidden,
      naturalWidth: img.naturalWidth,
      naturalHeight: img.naturalHeight,
      src: img.src,
      url: document.getElementById('result-url').textContent,
      size: document.getElementById('size').textContent,
      type: document.getElementById('type').textContent,
      status: document.getElementById('status').textContent,
      timing: [...document.querySelectorAll('#timing tr')].map((tr) => tr.textContent),
    };
  });
}

test('playground: sample loads, controls change the image, screenshot', { timeout: 180_000 }, async () => {
  assert.ok(
    existsSync(CHROMIUM),
    `${CHROMIUM} is missing: install Debian's Chromium with \`apt-get install -y chromium\` (the browser test drives it with playwright-core)`,
  );
  const started = performance.now();
  const worker = await startWorker({ ORIGIN: '' });
  cleanups.push(worker.stop);
  time('wrangler dev ready', worker.ms);

  let t = performance.now();
  const profile = await mkdtemp(join(tmpdir(), 'thumbflare-chromium-'));
  cleanups.push(() => rm(profile, { recursive: true, force: true }));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1280, height: 900 },
  });
  cleanups.push(() => context.close());
  time('chromium launched', performance.now() - t);

  const page = context.pages()[0] ?? (await context.newPage());
  const consoleErrors = [];
  page.on('console', (msg) => msg.type() === 'error' && consoleErrors.push(`${msg.text()} (${msg.location().url})`));
  page.on('pageerror', (err) => consoleErrors.push(String(err)));
  // The page must not reach anything but the Worker.
  const foreign = [];
  page.on('request', (req) => {
    const u = req.url();
    if (!u.startsWith(worker.url) && !u.startsWith('blob:') && !u.startsWith('data:')) foreign.push(u);
  });

  t = performance.now();
  const res = await page.goto(`${worker.url}/`);
  assert.equal(res.status(), 200);
  assert.match(await page.title(), /Thumbflare .* playground/);

  // Initial state: the first sample at width 640, decoded.
  await page.waitForFunction(() => {
    const img = document.getElementById('result');
    return img.getAttribute('data-url') && img.complete && img.naturalWidth > 0;
  });
  const first = await readState(page);
  time('first image shown', performance.now() - t);
  assert.equal(first.naturalWidth, 640, JSON.stringify(first));
  assert.match(first.url, /\/samples\/landscape\.jpg\?width=640&format=auto$/);
  assert.match(first.src, /^blob:/);
  assert.match(first.size, /^[\d,]+ bytes/);
  assert.ok(first.timing.some((row) => row.startsWith('decode')), `Server-Timing rows: ${first.timing}`);

  // Change the controls: width 200, format webp.
  t = performance.now();
  await page.fill('#width', '200');
  await page.selectOption('#format', 'webp');
  await page.waitForFunction(() => {
    const img = document.getElementById('result');
    return /width=200&format=webp$/.test(img.getAttribute('data-url') ?? '') && img.complete && img.naturalWidth > 0;
  });
  const second = await readState(page);
  time('updated image shown', performance.now() - t);
  assert.equal(second.naturalWidth, 200, JSON.stringify(second));
  assert.equal(second.naturalHeight, Math.round((200 * 1067) / 1600));
  assert.match(second.url, /\/samples\/landscape\.jpg\?width=200&format=webp$/);
  assert.notEqual(second.url, first.url);
  assert.notEqual(second.src, first.src);
  assert.equal(second.type, 'image/webp');
  assert.notEqual(second.size, first.size);
  const bytes = Number(second.size.split(' ')[0].replace(/,/g, ''));
  // The size shown is the size of the response body.
  const direct = await fetch(`${worker.url}/samples/landscape.jpg?width=200&format=webp`);
  assert.equal((await direct.arrayBuffer()).byteLength, bytes);

  await mkdir(join(REPO, 'test-artifacts'), { recursive: true });
  await page.screenshot({ path: SCREENSHOT, fullPage: true });
  console.log(`screenshot: ${SCREENSHOT}`);

  // A bad value shows the Worker's error message, not a stale image.
  await page.fill('#width', '999999');
  await page.waitForFunction(() => /^HTTP 400/.test(document.getElementById('status').textContent ?? ''));

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
