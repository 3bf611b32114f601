/**
 * A real Next.js 16 app (fixtures/next-app) whose next/image URLs go through
 * Thumbflare's loader (`thumbflare/next`), checked end to end:
 *
 *   1. install the fixture's pinned deps if missing (`npm ci`, from its lockfile)
 *   2. `next build` (output: 'export') with NEXT_PUBLIC_THUMBFLARE_URL = the Worker
 *   3. serve out/ on loopback as the site (the Worker's ORIGIN) and a second
 *      loopback server for the absolute image (the Worker's ALLOWED_ORIGINS)
 *   4. `wrangler dev` the Worker with those two as --var
 *   5. fetch every <img srcSet> candidate with Chromium's Accept header: 200, an
 *      image type Chromium accepts (magic bytes), Vary: Accept, and as wide as
 *      requested or as the source, whichever is smaller (no enlargement)
 *
 * Run: npm run test:next   (node --test test/integration/next.test.mjs)
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { lstat, readFile, readdir, rm, symlink } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { after, test } from 'node:test';
import {
  CHROMIUM_156_ACCEPT,
  CHROMIUM_IMG_ACCEPT,
  MIME_OF,
  REPO,
  formatsAcceptedBy,
  mapLimit,
  readImageHeader,
  run,
  seconds,
  startStaticServer,
  startWorker,
  freePort,
} from './support.mjs';

const FIXTURE = join(REPO, 'fixtures/next-app');
const NEXT_ENV = { NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production' };
const WIDTH_WARNING = /does not implement width/i;

const timings = [];
const time = (label, ms) => {
  timings.push([label, ms]);
  console.log(`${label}: ${seconds(ms)}`);
};
const cleanups = [];
after(async () => {
  for (const fn of cleanups.reverse()) await fn().catch((err) => console.error('cleanup failed:', err));
  console.log(`timings: ${timings.map(([l, ms]) => `${l} ${seconds(ms)}`).join(', ')}`);
});

/** `npm ci` in the fixture when next is not installed (fast from npm's cache). */
async function ensureFixtureDeps() {
  if (!existsSync(join(FIXTURE, 'node_modules/next/package.json'))) {
    const res = await run('npm', ['ci', '--no-audit', '--no-fund'], { cwd: FIXTURE, timeoutMs: 300_000 });
    assert.equal(res.code, 0, `npm ci in fixtures/next-app failed:\n${res.output.slice(-3000)}`);
    time('npm ci (fixture)', res.ms);
  }
  // The fixture imports `thumbflare/next` as an app that installed thumbflare
  // would. This repository is that package: link it in (npm would also install
  // the Worker's own dependencies into the repo if it were a file: dependency).
  const link = join(FIXTURE, 'node_modules/thumbflare');
  const current = await lstat(link).catch(() => null);
  if (!current?.isSymbolicLink()) {
    await rm(link, { recursive: true, force: true });
    await symlink(relative(join(FIXTURE, 'node_modules'), REPO), link, 'dir');
  }
}

/** Every `<img>` in the exported page with its id and srcSet candidates (`&amp;` unescaped). */
function imagesOf(html) {
  const images = [];
  for (const [tag] of html.matchAll(/<img\b[^>]*>/g)) {
    const attr = (name) => new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1]?.replace(/&amp;/g, '&');
    const srcSet = attr('srcSet') ?? attr('srcset');
    if (!srcSet) continue;
    const candidates = srcSet.split(/,\s+/).map((entry) => {
      const m = /^(\S+)\s+(\d+)w$/.exec(entry.trim());
      assert.ok(m, `unexpected srcSet entry: ${entry}`);
      return { url: m[1], width: Number(m[2]) };
    });
    images.push({ id: attr('id'), src: attr('src'), candidates });
  }
  return images;
}

test('next/image srcSet URLs from thumbflare/next are served by the Worker', { timeout: 600_000 }, async () => {
  const started = performance.now();
  let t = performance.now();
  await ensureFixtureDeps();
  time('fixture deps ready', performance.now() - t);

  // The absolute image's server (ALLOWED_ORIGINS) starts first: its URL is built into the page.
  const remote = await startStaticServer(FIXTURE, { routes: { '/remote/badge.png': join(REPO, 'public/samples/badge.png') } });
  cleanups.push(remote.close);
  const workerPort = await freePort();
  const workerBase = `http://127.0.0.1:${workerPort}`;

  t = performance.now();
  await rm(join(FIXTURE, 'out'), { recursive: true, force: true });
  const build = await run(join(FIXTURE, 'node_modules/.bin/next'), ['build'], {
    cwd: FIXTURE,
    env: { ...NEXT_ENV, NEXT_PUBLIC_THUMBFLARE_URL: workerBase, NEXT_PUBLIC_REMOTE_IMAGES: remote.url },
    timeoutMs: 300_000,
  });
  time('next build', build.ms);
  assert.equal(build.code, 0, `next build failed:\n${build.output.slice(-4000)}`);
  assert.doesNotMatch(build.output, WIDTH_WARNING, 'next build warned that the loader ignores width');

  // Next checks "loader does not implement width" only in development: run its own check on our loader.
  const html = await readFile(join(FIXTURE, 'out/index.html'), 'utf8');
  const images = imagesOf(html);
  const media = (await readdir(join(FIXTURE, 'out/_next/static/media'))).find((f) => /^x\..+\.jpg$/.test(f));
  const check = await run(
    process.execPath,
    [join(REPO, 'test/integration/next-width-check.mjs'), JSON.stringify(['/photos/a.jpg', `${remote.url}/remote/badge.png?v=1`, `/_next/static/media/${media}`])],
    { cwd: FIXTURE, env: { NODE_ENV: 'development', NEXT_PUBLIC_THUMBFLARE_URL: workerBase }, timeoutMs: 60_000 },
  );
  assert.equal(check.code, 0, check.output);
  const warnings = JSON.parse(check.output.trim().split('\n').pop());
  assert.deepEqual(warnings.ours, [], 'Next warned that the Thumbflare loader ignores width');
  assert.match(warnings.control.join('\n'), WIDTH_WARNING, "control: Next's width check did not run");

  // The page: three images, each with many widths, in the URL forms the loader promises.
  assert.deepEqual(images.map((i) => i.id).sort(), ['absolute', 'relative', 'static']);
  const byId = Object.fromEntries(images.map((i) => [i.id, i]));
  for (const img of images) assert.ok(img.candidates.length >= 5, `${img.id}: only ${img.candidates.length} srcSet candidates`);
  const relativeUrl = new URL(byId.relative.candidates[0].url);
  assert.equal(relativeUrl.origin + relativeUrl.pathname, `${workerBase}/photos/a.jpg`);
  assert.equal(relativeUrl.searchParams.get('format'), 'auto');
  assert.equal(relativeUrl.searchParams.get('quality'), '75');
  const staticUrl = new URL(byId.static.candidates[0].url);
  assert.match(staticUrl.pathname, /^\/_next\/static\/media\/x\.[^/]+\.jpg$/);
  const absoluteUrl = new URL(byId.absolute.candidates[0].url);
  assert.equal(absoluteUrl.pathname, '/');
  assert.equal(absoluteUrl.searchParams.get('url'), `${remote.url}/remote/badge.png?v=1`);
  assert.equal(absoluteUrl.searchParams.get('quality'), '63', 'quality={62.6} is rounded');

  // The site: out/ on loopback, the Worker's ORIGIN.
  const site = await startStaticServer(join(FIXTURE, 'out'));
  cleanups.push(site.close);
  const worker = await startWorker({ ORIGIN: site.url, ALLOWED_ORIGINS: remote.url }, { port: workerPort });
  cleanups.push(worker.stop);
  time('wrangler dev ready', worker.ms);

  // Source widths, from the source files' own headers.
  const sourceWidth = {
    relative: readImageHeader(await readFile(join(FIXTURE, 'public/photos/a.jpg'))).width,
    static: readImageHeader(await readFile(join(FIXTURE, 'public/x.jpg'))).width,
    absolute: readImageHeader(await readFile(join(REPO, 'public/samples/badge.png'))).width,
  };
  const accepted = formatsAcceptedBy(CHROMIUM_IMG_ACCEPT);
  const jobs = images.flatMap((img) => img.candidates.map((c) => ({ ...c, id: img.id })));
  const failures = [];
  const seen = {};
  t = performance.now();
  await mapLimit(jobs, 2, async (job) => {
    const t0 = performance.now();
    const res = await fetch(job.url, { headers: { Accept: CHROMIUM_IMG_ACCEPT } });
    const bytes = new Uint8Array(await res.arrayBuffer());
    const ms = performance.now() - t0;
    const header = readImageHeader(bytes);
    const expected = Math.min(job.width, sourceWidth[job.id]);
    const problems = [];
    if (res.status !== 200) problems.push(`status ${res.status}: ${new TextDecoder().decode(bytes.subarray(0, 300))}`);
    else {
      if (!accepted.has(header.format)) problems.push(`format ${header.format} is not one Chromium accepts`);
      if (res.headers.get('content-type') !== MIME_OF[header.format]) problems.push(`Content-Type ${res.headers.get('content-type')} but bytes are ${header.format}`);
      if (!/(^|,\s*)accept(\s*,|$)/i.test(res.headers.get('vary') ?? '')) problems.push(`Vary is ${res.headers.get('vary')}`);
      if (header.width !== expected) problems.push(`width ${header.width}, expected ${expected} (asked ${job.width}, source ${sourceWidth[job.id]})`);
      if (!res.headers.get('cache-tag')) problems.push('no Cache-Tag');
      if (!res.headers.get('server-timing')) problems.push('no Server-Timing');
    }
    seen[header.format] = (seen[header.format] ?? 0) + 1;
    console.log(`  ${res.status} ${job.id} ${job.width}w -> ${header.format} ${header.width}x${header.height} ${bytes.length} B ${ms.toFixed(0)} ms`);
    if (problems.length) failures.push(`${job.url}\n    ${problems.join('\n    ')}`);
  });
  time(`${jobs.length} srcSet candidates fetched`, performance.now() - t);
  console.log(`formats served: ${JSON.stringify(seen)}`);
  assert.deepEqual(failures, [], `${failures.length} of ${jobs.length} candidates failed:\n${failures.join('\n')}`);

  // Chromium 156's real header lists image/jxl first: never chosen (not encodable), AVIF still is.
  const res156 = await fetch(byId.relative.candidates[0].url, { headers: { Accept: CHROMIUM_156_ACCEPT } });
  const body156 = new Uint8Array(await res156.arrayBuffer());
  assert.equal(res156.status, 200);
  assert.ok(formatsAcceptedBy(CHROMIUM_156_ACCEPT).has(readImageHeader(body156).format));
  // A browser without AVIF/WebP gets JPEG (PNG for the transparent badge), same URL.
  const plain = await fetch(byId.absolute.candidates[0].url, { headers: { Accept: 'image/*,*/*;q=0.8' } });
  assert.equal(readImageHeader(new Uint8Array(await plain.arrayBuffer())).format, 'png');

  // Sources went through the site and the remote server, not somewhere else.
  assert.ok((site.hits.get('/photos/a.jpg') ?? 0) >= 1, 'the Worker never fetched /photos/a.jpg from ORIGIN');
  assert.ok((remote.hits.get('/remote/badge.png') ?? 0) >= 1, 'the Worker never fetched the absolute image');
  time('total', performance.now() - started);
});

test('signed URLs: presignThumbflareUrls + lookupSigner give URLs the Worker accepts', { timeout: 120_000 }, async () => {
  const { createThumbflareLoader, lookupSigner, presignThumbflareUrls, default: plainLoader } = await import('thumbflare/next');
  const site = await startStaticServer(join(FIXTURE, 'public'));
  cleanups.push(site.close);
  const key = 'test-key-1';
  const worker = await startWorker({ ORIGIN: site.url, SIGNING_KEYS: `${key},old-key` });
  cleanups.push(worker.stop);
  time('wrangler dev (signing) ready', worker.ms);

  // Server side: sign every URL next/image may ask for; browser side: a sync lookup.
  const table = await presignThumbflareUrls({ baseUrl: worker.url, key, srcs: ['/photos/a.jpg'], widths: [64, 640] });
  const loader = createThumbflareLoader({ baseUrl: worker.url, sign: lookupSigner(table) });
  for (const width of [64, 640]) {
    const url = loader({ src: '/photos/a.jpg', width });
    assert.match(url, /&sig=[A-Za-z0-9_-]{43}$/);
    const res = await fetch(url, { headers: { Accept: CHROMIUM_IMG_ACCEPT } });
    const header = readImageHeader(new Uint8Array(await res.arrayBuffer()));
    assert.equal(res.status, 200, url);
    assert.equal(header.width, width);
  }
  assert.throws(() => loader({ src: '/photos/a.jpg', width: 828 }), /no presigned URL/);
  assert.throws(() => createThumbflareLoader({ baseUrl: worker.url, sign: async (u) => u })({ src: '/a.jpg', width: 64 }), /synchronously/);

  // Unsigned, or signed for another width: refused.
  const unsigned = await fetch(createThumbflareLoader({ baseUrl: worker.url })({ src: '/photos/a.jpg', width: 64 }));
  assert.equal(unsigned.status, 403);
  await unsigned.arrayBuffer();
  const tampered = await fetch(table[`${worker.url}/photos/a.jpg?format=auto&width=64&quality=75`].replace('width=64', 'width=65'));
  assert.equal(tampered.status, 403);
  await tampered.arrayBuffer();
  assert.equal(typeof plainLoader, 'function');
});
