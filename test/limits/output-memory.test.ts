/**
 * Every output size x fit mode x format choice, for an opaque JPEG and an alpha
 * PNG: each request is either served with its measured peak (WASM + JS pixel
 * buffers, as test/limits/memory.test.ts measures it: the Worker's own
 * X-Thumbflare-Peak-Bytes in debug mode) under the isolate's 128 MB, or answered
 * the documented 413 naming the largest size that fits. Before the one memory
 * rule (src/codec/wasm/peak-memory.ts) this table failed: with no format or
 * format=auto, squeeze/pad/cover at 8192 px were served with peaks of 276-512 MiB.
 *
 * Served cases sharing a plan and a format are run once (see dedupeKey). The
 * JSON form must agree with what the image request does. Measurements go to
 * test/limits/output-memory.json; scripts/readme-memory-table.py renders them
 * into the README.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageError } from '../../src/errors';
import { admitOutput } from '../../src/limits';
import { parseOptions } from '../../src/options/parse';
import { probeImage, type Probe } from '../../src/probe';
import { readImage } from '../support/images';
import { callWorker, ORIGIN } from '../support/worker';

const MB = 1024 * 1024;
const ISOLATE_LIMIT = 128 * MB;
const DEBUG = { DEBUG: 'true' };

const SOURCES = [
  { path: '/gen/1080p.jpg', label: '1920x1080 JPEG (opaque)' },
  { path: '/gen/alpha-600.png', label: '600x400 PNG (alpha)' },
];
const FITS = ['scale-down', 'contain', 'cover', 'crop', 'pad', 'squeeze'] as const;
const SIZES = [1024, 4096, 8192];
const FORMATS: { label: string; query: string; accept?: string }[] = [
  { label: 'none', query: '' },
  { label: 'auto (AVIF+WebP)', query: '&format=auto', accept: 'image/avif,image/webp,image/apng,image/*,*/*;q=0.8' },
  { label: 'auto (WebP)', query: '&format=auto', accept: 'image/webp,image/*,*/*;q=0.8' },
  { label: 'auto (legacy)', query: '&format=auto', accept: 'image/*,*/*;q=0.8' },
  { label: 'jpeg', query: '&format=jpeg' },
  { label: 'png', query: '&format=png' },
  { label: 'webp', query: '&format=webp' },
  { label: 'avif', query: '&format=avif' },
];
/** Paths the plain fit x size grid does not reach: dpr, rotate, trim, background, flip, an animated source's first frame. */
const EXTRA = [
  { path: '/gen/1080p.jpg', query: 'width=1024&height=1024&fit=pad&dpr=2', label: 'pad 1024 dpr=2' },
  { path: '/gen/1080p.jpg', query: 'width=2048&height=2048&fit=squeeze&dpr=4', label: 'squeeze 2048 dpr=4' },
  { path: '/gen/1080p.jpg', query: 'width=1024&height=2048&fit=pad&rotate=90&background=%23ff0000', label: 'pad rotate=90 background' },
  { path: '/gen/1080p.jpg', query: 'width=8192&fit=scale-down&trim=10;10;10;10&rotate=270&flip=h', label: 'trim rotate flip' },
  { path: '/gen/1080p.jpg', query: 'width=1500&height=1500&fit=cover&blur=5&sharpen=2&contrast=1.2', label: 'cover 1500 + blur, sharpen, contrast' },
  { path: '/gen/1080p.jpg', query: 'width=3000&height=3000&fit=cover&blur=5', label: 'cover 3000 + blur' },
  { path: '/gen/alpha-600.png', query: 'width=3000&height=2000&fit=pad&background=%23ffffff80&rotate=90', label: 'pad rotate alpha background' },
  { path: '/corpus/gif/dispose_bgnd.gif', query: 'width=2048&height=2048&fit=squeeze&anim=false', label: 'GIF first frame squeeze 2048' },
  { path: '/corpus/gif/dispose_bgnd.gif', query: 'width=8192&height=8192&fit=pad&anim=false', label: 'GIF first frame pad 8192' },
];

interface Case {
  source: string;
  label: string;
  query: string;
  accept?: string;
}

const CASES: Case[] = [];
for (const s of SOURCES) {
  for (const fit of FITS) {
    for (const size of SIZES) {
      for (const f of FORMATS) {
        CASES.push({ source: s.path, label: `${s.label} fit=${fit} ${size}x${size} format ${f.label}`, query: `width=${size}&height=${size}&fit=${fit}${f.query}`, accept: f.accept });
      }
    }
  }
}
for (const e of EXTRA) {
  for (const f of FORMATS) CASES.push({ source: e.path, label: `${e.path} ${e.label} format ${f.label}`, query: `${e.query}${f.query}`, accept: f.accept });
}

interface Row {
  case: string;
  status: number;
  format?: string;
  width?: number;
  height?: number;
  fallback?: string;
  peakBytes?: number;
  wasmBytes?: number;
  estimatedPeakBytes?: number;
}

const probes = new Map<string, { probe: Probe; bytes: number }>();

beforeAll(async () => {
  for (const path of new Set(CASES.map((c) => c.source))) {
    const bytes = new Uint8Array(await (await fetch(`${ORIGIN}${path}`)).arrayBuffer());
    probes.set(path, { probe: probeImage(bytes), bytes: bytes.byteLength });
  }
});

/**
 * Served cases that must behave the same are measured once: same source, same
 * geometry and same format, as the Worker's own pure planner and memory rule
 * (planTransform via admitOutput) decide them. Every measured case checks the
 * prediction against the response, and 413s (cheap) are never skipped.
 */
function dedupeKey(c: Case): { key: string; fallback?: string } | null {
  const { probe, bytes } = probes.get(c.source)!;
  const options = parseOptions([...new URLSearchParams(c.query).entries()], { maxDimension: 8192 });
  try {
    const d = admitOutput({
      probe, sourceBytes: bytes, options, accept: c.accept ?? null, maxDimension: 8192, hasAlpha: probe.hasAlpha !== false,
      wasm: { recycleBytes: 32 * MB, idleBytes: 32 * MB },
    });
    const pixels = [options.rotate, options.flip, options.blur, options.sharpen, options.contrast, options.background, options.trim];
    // The pixel path depends on the plan and the format served, not on how the format was chosen.
    const fallback = d.choice.fallbackFrom ? `${d.choice.fallbackFrom}->${d.choice.format}` : undefined;
    return { key: JSON.stringify([c.source, d.plan, d.choice.format, pixels]), fallback };
  } catch (err) {
    if (err instanceof ImageError && err.status === 413) return null;
    throw err;
  }
}

const rows: Row[] = [];
const outcomes = new Map<string, Row>();

describe('every fit x format x size: peak under 128 MB or a documented 413', () => {
  for (const c of CASES) {
    it(c.label, async () => {
      const predicted = dedupeKey(c);
      const known = predicted === null ? undefined : outcomes.get(predicted.key);
      if (known) {
        rows.push({ ...known, case: c.label, fallback: predicted!.fallback });
        return;
      }
      const res = await callWorker(`${c.source}?${c.query}`, { env: DEBUG, headers: c.accept ? { Accept: c.accept } : {} });
      if (res.status === 413) {
        const body = (await res.json()) as { error: { code: string; message: string } };
        expect(body.error.code).toBe('too_large');
        expect(body.error.message, c.label).toMatch(/largest .*that fits is \d+x\d+/);
        expect(predicted, `${c.label}: the rule's prediction`).toBeNull();
        rows.push({ case: c.label, status: 413 });
        return;
      }
      expect(res.status, c.label).toBe(200);
      const peak = Number(res.headers.get('x-thumbflare-peak-bytes'));
      const wasm = Number(res.headers.get('x-thumbflare-wasm-bytes'));
      const estimate = Number(res.headers.get('x-thumbflare-estimated-peak-bytes'));
      const img = await readImage(res);
      const row: Row = {
        case: c.label, status: 200, format: img.format, width: img.width, height: img.height,
        fallback: res.headers.get('x-thumbflare-format-fallback') ?? undefined, peakBytes: peak, wasmBytes: wasm,
        estimatedPeakBytes: estimate || undefined,
      };
      expect(predicted, `${c.label}: the rule's prediction`).not.toBeNull();
      expect(JSON.parse(predicted!.key)[2], c.label).toBe(img.format);
      expect(predicted!.fallback, c.label).toBe(row.fallback);
      outcomes.set(predicted!.key, row);
      rows.push(row);
      console.log(`${c.label}: ${img.width}x${img.height} ${img.format}${row.fallback ? ` (${row.fallback})` : ''}, peak ${(peak / MB).toFixed(1)} MiB, estimated ${(estimate / MB).toFixed(1)} MiB`);
      expect(peak, c.label).toBeGreaterThan(wasm);
      expect(peak, `${c.label}: peak ${(peak / MB).toFixed(1)} MiB`).toBeLessThan(ISOLATE_LIMIT);
      // The estimate the rule admitted the request on must not be below what was measured.
      expect(estimate, `${c.label}: estimated ${(estimate / MB).toFixed(1)} MiB, measured ${(peak / MB).toFixed(1)}`).toBeGreaterThanOrEqual(peak);
      // An explicit format is served as asked, or through the documented fallback header.
      const explicit = /format=(jpeg|png|webp|avif)/.exec(c.query)?.[1];
      expect(row.fallback, c.label).toBe(explicit && img.format !== explicit ? `${explicit}->${img.format}` : undefined);
    });
  }
});

describe('the JSON form reports what the image request does', () => {
  const JSON_CASES = [
    '/gen/1080p.jpg?width=8192&height=8192&fit=pad',
    '/gen/1080p.jpg?width=8192&height=8192&fit=squeeze',
    '/gen/alpha-600.png?width=8192&height=8192&fit=pad',
    '/gen/1080p.jpg?width=2048&height=2048&fit=pad',
    '/gen/alpha-600.png?width=1024&height=1024&fit=squeeze',
    '/corpus/gif/dispose_bgnd.gif?width=8192&height=8192&fit=squeeze&anim=false',
  ];
  for (const asked of JSON_CASES) {
    it(asked, async () => {
      // A fresh source URL (/u/<token>/ on the test origin): the table above may have cached this result.
      const path = `/u/json-${Date.now()}${asked}`;
      const json = await callWorker(`${path}&format=json`, { env: DEBUG });
      expect(json.headers.get('content-type')).toMatch(/^application\/json/);
      const image = await callWorker(path, { env: DEBUG });
      expect(json.status).toBe(image.status);
      const body = (await json.json()) as { output?: { format: string; width: number; height: number; estimatedPeakBytes: number }; error?: { message: string } };
      if (image.status === 413) {
        expect(body.error!.message).toBe(((await image.json()) as { error: { message: string } }).error.message);
        return;
      }
      const img = await readImage(image);
      expect([body.output!.format, body.output!.width, body.output!.height]).toEqual([img.format, img.width, img.height]);
      // The rule's estimate for the job alone (the image response's own figure adds the codecs already live).
      expect(body.output!.estimatedPeakBytes).toBeGreaterThan(0);
      expect(body.output!.estimatedPeakBytes).toBeLessThanOrEqual(Number(image.headers.get('x-thumbflare-estimated-peak-bytes')));
      expect(body.output!.estimatedPeakBytes).toBeLessThanOrEqual(112 * MB);
    });
  }
});

afterAll(async () => {
  // Only a full run rewrites the table the README is rendered from.
  if (rows.length !== CASES.length) return;
  await fetch(`${ORIGIN}/__record/output-memory`, { method: 'POST', body: JSON.stringify({ date: new Date().toISOString(), limit: ISOLATE_LIMIT, rows }) });
});
