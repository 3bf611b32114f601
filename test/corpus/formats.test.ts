/**
 * HEIC and TIFF sources (test/fixtures/formats, made by
 * scripts/make-format-corpus.sh) through the Worker end to end, over the
 * loopback origin, the way manifest.test.ts runs the shared corpus: each
 * decodable file at `width=64&height=64&fit=contain&format=png` against its
 * libvips reference (vips thumbnail, converted to sRGB) within the corpus
 * metric's budget, with the mirrored image as the negative control; then
 * probes (format=json), URL forms, and damaged files, which must get their
 * documented 4xx JSON error and leave the isolate working.
 */
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../../src/codec/decode';
import { callWorker, ORIGIN, sniffFormat } from '../support/worker';
import { MAX_MEAN_ERROR, meanAbsoluteError, mirror } from '../support/corpus-metric';

interface Row {
  file: string;
  /** Display size (orientation applied). */
  display: [number, number];
  alpha?: boolean;
  /** Also acceptable: a 415 naming the limitation (10-bit HEVC where libde265 lacks it). */
  orUnsupported?: boolean;
}

const ROWS: Row[] = [
  { file: 'heic/photo.heic', display: [240, 180] },
  { file: 'heic/alpha.heic', display: [162, 150], alpha: true },
  { file: 'heic/p3-icc.heic', display: [192, 128] },
  { file: 'heic/10bit.heic', display: [240, 180], orUnsupported: true },
  { file: 'heic/grid.heic', display: [700, 420] },
  { file: 'heic/grid-irot1.heic', display: [420, 700] },
  // iPhone layout: 4032x3024 from 8x6 tiles of 512, irot 3 (shot in portrait).
  { file: 'heic/12mp-grid.heic', display: [3024, 4032] },
  // irot and an EXIF Orientation 6 saying the same turn: turned once, not twice.
  { file: 'heic/irot-exif6.heic', display: [180, 240] },
  { file: 'heic/irot1-imir1.heic', display: [180, 240] },
  // An AVIF sequence (two frames): the first frame, as before HEIC support.
  { file: 'avif/sequence.avif', display: [240, 180] },
  { file: 'tiff/rgb-none.tif', display: [240, 180] },
  { file: 'tiff/rgb-lzw-predictor.tif', display: [240, 180] },
  { file: 'tiff/rgb-lzw-strips.tif', display: [240, 180] },
  { file: 'tiff/rgb-deflate.tif', display: [240, 180] },
  { file: 'tiff/rgb-packbits.tif', display: [240, 180] },
  { file: 'tiff/rgb16-deflate.tif', display: [240, 180] },
  { file: 'tiff/rgb16-bigendian.tif', display: [240, 180] },
  { file: 'tiff/rgba-lzw.tif', display: [162, 150], alpha: true },
  { file: 'tiff/gray-packbits.tif', display: [128, 128] },
  { file: 'tiff/cmyk-lzw.tif', display: [240, 180] },
  { file: 'tiff/p3-icc.tif', display: [192, 128] },
  { file: 'tiff/orientation-6.tif', display: [180, 240] },
  { file: 'tiff/orientation-3.tif', display: [240, 180] },
  { file: 'tiff/multipage.tif', display: [240, 180] },
  { file: 'tiff/palette-lzw.tif', display: [240, 180] },
];

const QUERY = 'width=64&height=64&fit=contain&format=png';
const refPath = (file: string) => `/formats/ref/${file.replace('/', '_')}.png`;
const text = (b: Uint8Array) => new TextDecoder().decode(b);

async function expectGoodRequestStillWorks() {
  const res = await callWorker('/formats/heic/photo.heic?w=8&format=png');
  expect(res.status).toBe(200);
  expect(sniffFormat(new Uint8Array(await res.arrayBuffer()))).toBe('png');
}

describe('HEIC and TIFF fixtures against libvips references', () => {
  for (const row of ROWS) {
    it(row.file, async () => {
      const res = await callWorker(`/formats/${row.file}?${QUERY}`);
      const body = new Uint8Array(await res.arrayBuffer());
      if (row.orUnsupported && res.status === 415) {
        expect(JSON.parse(text(body)).error.code).toBe('unsupported');
        console.log(`formats ${row.file}: 415 ${JSON.parse(text(body)).error.message}`);
        return;
      }
      expect(res.status, `${row.file}: ${text(body.subarray(0, 300))}`).toBe(200);
      expect(sniffFormat(body)).toBe('png');
      const out = await decodeImage(body, 'png', {});
      const ref = await decodeImage(new Uint8Array(await (await fetch(ORIGIN + refPath(row.file))).arrayBuffer()), 'png', {});
      expect([out.width, out.height], `${row.file} size`).toEqual([ref.width, ref.height]);
      // fit=contain at 64x64 keeps the display aspect: the orientation is right.
      const portrait = row.display[1] > row.display[0];
      expect(out.height > out.width || out.height === out.width, `${row.file} portrait`).toBe(portrait || out.height === out.width);
      const hasAlpha = out.data.some((v, i) => i % 4 === 3 && v < 255);
      expect(hasAlpha, `${row.file} alpha`).toBe(!!row.alpha);
      const error = meanAbsoluteError(out, ref);
      const control = meanAbsoluteError(mirror(out), ref);
      console.log(`formats ${row.file}: mean error ${error.toFixed(2)} (mirrored: ${control.toFixed(2)})`);
      expect(error, `${row.file} mean abs error`).toBeLessThan(MAX_MEAN_ERROR);
      await expectGoodRequestStillWorks();
    });
  }
});

describe('probe (format=json) reads size, format and pages from the header', () => {
  for (const row of ROWS) {
    it(row.file, async () => {
      const res = await callWorker(`/formats/${row.file}?width=50&format=json`);
      expect(res.status).toBe(200);
      const json = (await res.json()) as { source: { format: string; width: number; height: number; orientation: number }; output: { width: number; height: number } };
      expect(json.source.format).toBe(row.file.split('/')[0]);
      expect([json.source.width, json.source.height]).toEqual(row.display);
      expect(json.output.width).toBe(50);
      expect(json.output.height).toBe(Math.round((50 * row.display[1]) / row.display[0]));
    });
  }
});

/** Public URL forms, each with a fixture: resize, output format, orientation. */
const URLS: { url: string; format: string; size: [number, number] }[] = [
  { url: '/formats/heic/grid.heic?width=350', format: 'jpeg', size: [350, 210] },
  { url: '/cdn-cgi/image/width=100,format=webp/formats/heic/irot-exif6.heic', format: 'webp', size: [100, 133] },
  { url: '/formats/heic/alpha.heic?width=81', format: 'png', size: [81, 75] },
  { url: '/cdn-cgi/image/height=60,format=avif/formats/tiff/orientation-6.tif', format: 'avif', size: [45, 60] },
  { url: '/formats/tiff/cmyk-lzw.tif?width=120&height=120&fit=cover', format: 'jpeg', size: [120, 120] },
  { url: '/formats/tiff/multipage.tif?width=60', format: 'jpeg', size: [60, 45] },
  { url: '/formats/tiff/rgba-lzw.tif?width=81&format=webp', format: 'webp', size: [81, 75] },
];

describe('URL forms over HEIC and TIFF sources', () => {
  for (const u of URLS) {
    it(u.url, async () => {
      const res = await callWorker(u.url);
      const body = new Uint8Array(await res.arrayBuffer());
      expect(res.status, text(body.subarray(0, 300))).toBe(200);
      expect(sniffFormat(body)).toBe(u.format);
      expect(res.headers.get('content-type')).toBe(`image/${u.format}`);
      if (u.format === 'jpeg' || u.format === 'png') {
        const r = await decodeImage(body, u.format, {});
        expect([r.width, r.height]).toEqual(u.size);
      } else {
        const probe = await callWorker(u.url.replace(`format=${u.format}`, 'format=json'));
        const json = (await probe.json()) as { output: { width: number; height: number } };
        expect([json.output.width, json.output.height]).toEqual(u.size);
      }
    });
  }
});

/** Damaged or unsupported files: the documented 4xx JSON error, never a 5xx; the isolate keeps working. */
/** status 200: must be a valid image (libde265 conceals damaged slice data, as browsers do). */
const BAD: { file: string; status: number | [number, number]; code: string; message: RegExp }[] = [
  { file: 'bad/truncated.heic', status: 422, code: 'corrupt', message: /HEIC/ },
  { file: 'bad/truncated-meta.heic', status: 422, code: 'corrupt', message: /HEIC|meta/ },
  { file: 'bad/junk-data.heic', status: [200, 422], code: 'corrupt', message: /HEIC/ },
  { file: 'bad/truncated.tif', status: 422, code: 'corrupt', message: /TIFF/ },
  { file: 'bad/ifd-cycle.tif', status: 200, code: '', message: /./ },
  // Inflated with a cap at the rows' size: the page decodes (black), the isolate keeps its memory.
  { file: 'bad/deflate-bomb.tif', status: 200, code: '', message: /./ },
  { file: 'bad/jpeg2000.tif', status: 415, code: 'unsupported', message: /compression 34712/ },
];

describe('bad HEIC and TIFF files', () => {
  for (const b of BAD) {
    it(`${b.file} -> ${b.status}`, async () => {
      const res = await callWorker(`/formats/${b.file}?width=40&format=png`);
      const body = new Uint8Array(await res.arrayBuffer());
      const allowed = Array.isArray(b.status) ? b.status : [b.status];
      expect(allowed, `${res.status}: ${text(body.subarray(0, 300))}`).toContain(res.status);
      if (res.status === 200) {
        // ifd-cycle: the loop is in the page chain after page 1, which decodes (the probe stops counting at
        // the repeat); junk-data: libde265 conceals damaged slice data, as browsers do. Either way a real image.
        expect(sniffFormat(body)).toBe('png');
      } else {
        expect(res.headers.get('content-type')).toMatch(/^application\/json/);
        const err = JSON.parse(text(body)) as { error: { status: number; code: string; message: string } };
        expect(err.error.status).toBe(res.status);
        expect(err.error.code).toBe(b.code);
        expect(err.error.message).toMatch(b.message);
      }
      await expectGoodRequestStillWorks();
    });
  }
});
