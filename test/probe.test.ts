/**
 * @module test/probe
 * probeImage against the shared corpus (manifest-driven), hand-made headers for
 * what the corpus lacks (APNG, animated WebP, AVIF, non-image formats, EXIF
 * variants), and robustness: truncations and mutations of every corpus file may
 * only ever throw a 4xx ImageError.
 */
import { describe, it, expect } from 'vitest';
import { probeImage, sourceMetadata, type Probe } from '../src/probe';
import { ImageError } from '../src/errors';
import { getCorpusBase, fetchCorpusFile } from './probe-helpers/fetch-corpus';
import {
  ascii, be16, be32, box, bytes, ftyp, fullBox, jpegSegment, jpegSof, JPEG_SOS, le16, le32, makePng,
  PNG_SIGNATURE, pngChunk, pngIhdr, riffChunk, seededRandom, tiffOrientation, trackReads, vp8Chunk,
  vp8xChunk, webp,
} from './probe-helpers/bytes';

interface ManifestEntry {
  file: string;
  format: string;
  expect: 'decode' | 'decode-or-unsupported' | 'no-server-error';
  stored: [number | null, number | null];
  orientation: number;
  display: [number | null, number | null];
  frames: number;
}

// Corpus files come over loopback HTTP from the globalSetup's origin (test/support/origin-server.ts).
const corpusBase = getCorpusBase();
const manifest: ManifestEntry[] = JSON.parse(new TextDecoder().decode(await fetchCorpusFile(corpusBase, 'manifest.json')));
const corpus = new Map<string, Uint8Array>();
for (const e of manifest) corpus.set(e.file, await fetchCorpusFile(corpusBase, e.file));

/** Runs probeImage and returns the result or the thrown value, for "probe or 4xx" assertions. */
function attempt(data: Uint8Array): { probe?: Probe; error?: unknown } {
  try {
    return { probe: probeImage(data) };
  } catch (error) {
    return { error };
  }
}

function expectImageError(data: Uint8Array, status?: number): ImageError {
  const { probe, error } = attempt(data);
  expect(probe, 'expected probeImage to throw').toBeUndefined();
  expect(error).toBeInstanceOf(ImageError);
  const e = error as ImageError;
  if (status !== undefined) expect(e.status).toBe(status);
  else expect(e.status >= 400 && e.status < 500, `status ${e.status}`).toBe(true);
  return e;
}

/** Only a successful probe or a 4xx ImageError is acceptable for hostile input. */
function expectProbeOr4xx(data: Uint8Array, label: string): void {
  const { error } = attempt(data);
  if (error === undefined) return;
  if (!(error instanceof ImageError) || error.status < 400 || error.status >= 500) {
    throw new Error(`${label}: threw ${String(error)} (${(error as Error)?.name})`);
  }
}

describe('probeImage on the shared corpus', () => {
  const known = manifest.filter((e) => e.stored[0] !== null && e.stored[1] !== null);

  it('finds corpus files', () => {
    expect(manifest.length).toBeGreaterThan(50);
  });

  it.each(known.map((e) => [e.file, e] as const))('%s matches the manifest', (_file, e) => {
    const data = corpus.get(e.file)!;
    const { probe, error } = attempt(data);
    if (error !== undefined) {
      // Damaged files may be refused, but only with a 4xx ImageError.
      expect(e.expect, `${e.file} threw ${String(error)}`).toBe('no-server-error');
      expect(error).toBeInstanceOf(ImageError);
      expect((error as ImageError).status).toBeLessThan(500);
      return;
    }
    expect(probe).toMatchObject({
      format: e.format,
      width: e.stored[0],
      height: e.stored[1],
      orientation: e.orientation,
      displayWidth: e.display[0],
      displayHeight: e.display[1],
      frames: e.frames,
      animated: e.frames > 1,
    });
  });

  it.each(manifest.filter((e) => e.stored[0] === null).map((e) => [e.file, e] as const))(
    '%s (size unknown to the manifest) probes or throws 4xx',
    (_file, e) => expectProbeOr4xx(corpus.get(e.file)!, e.file),
  );

  it('reads JPEG coding details from SOF and APP14', () => {
    const p = (f: string) => probeImage(corpus.get(f)!).jpeg;
    expect(p('jpeg/testorig.jpg')).toEqual({ progressive: false, arithmetic: false, lossless: false, bitDepth: 8, components: 3 });
    expect(p('jpeg/testimgari.jpg')).toMatchObject({ progressive: false, arithmetic: true });
    expect(p('bad/truncated_jpeg.jpg')).toMatchObject({ progressive: true, arithmetic: false });
    expect(p('jpeg/icc_profile_big.jpg')).toMatchObject({ progressive: true });
    expect(p('jpeg/hopper_gray.jpg')).toMatchObject({ components: 1 });
    expect(p('jpeg/pil_sample_cmyk.jpg')).toEqual({
      progressive: false, arithmetic: false, lossless: false, bitDepth: 8, components: 4, adobeTransform: 2,
    });
  });

  it('reads the 12-bit monkey12.jpg (size unknown to the manifest) as 149x227, 12-bit SOF1', () => {
    expect(probeImage(corpus.get('jpeg/monkey12.jpg')!)).toMatchObject({
      format: 'jpeg', width: 149, height: 227, jpeg: { bitDepth: 12, progressive: false, arithmetic: false },
    });
  });

  it('skips the stray bytes in junk_jpeg_header.jpg as libjpeg does', () => {
    expect(probeImage(corpus.get('bad/junk_jpeg_header.jpg')!)).toMatchObject({ width: 1024, height: 768 });
  });

  it.each([
    ['png/basn6a08.png', true], ['png/basn4a08.png', true], ['png/tbrn2c08.png', true], ['png/tiny.png', true],
    ['png/p_trns_single.png', true], ['png/basn2c16.png', false], ['png/basn0g01.png', false],
    ['webp/alpha_no_compression.webp', true], ['webp/lossy_alpha3.webp', true], ['webp/hopper.webp', false],
    ['gif/first_frame_transparency.gif', true], ['jpeg/hopper.jpg', false],
  ] as const)('%s hasAlpha is %s', (file, alpha) => {
    expect(probeImage(corpus.get(file)!).hasAlpha).toBe(alpha);
  });

  it('refuses PNGs with a damaged signature, bad IHDR or no IDAT with 422', () => {
    for (const f of ['bad/xs1n0g01.png', 'bad/xhdn0g08.png', 'bad/xc1n0g08.png', 'bad/xd0n2c08.png', 'bad/xdtn0g01.png', 'bad/broken.png']) {
      expect(expectImageError(corpus.get(f)!, 422).code, f).toBe('corrupt');
    }
  });

  it('never throws anything but a 4xx ImageError on truncations of any corpus file', () => {
    let probes = 0;
    for (const [file, data] of corpus) {
      const lengths = new Set<number>();
      for (let n = 0; n <= Math.min(data.length, 600); n++) lengths.add(n);
      for (let k = 1; k <= 64; k++) lengths.add(Math.floor((data.length * k) / 64));
      for (const n of lengths) {
        expectProbeOr4xx(data.subarray(0, n), `${file}[0, ${n})`);
        probes++;
      }
    }
    expect(probes).toBeGreaterThan(20000);
  });

  it('never throws anything but a 4xx ImageError on random byte mutations of corpus headers', () => {
    const random = seededRandom(0x7415);
    for (const [file, data] of corpus) {
      const head = data.slice(0, Math.min(data.length, 4096));
      for (let round = 0; round < 100; round++) {
        const m = head.slice();
        const edits = 1 + Math.floor(random() * 8);
        // Mutate mostly the first 64 bytes, where the structure lives.
        for (let i = 0; i < edits; i++) {
          const at = Math.floor(random() * (random() < 0.7 ? Math.min(64, m.length) : m.length));
          m[at] = random() < 0.5 ? Math.floor(random() * 256) : [0, 0xff, 0x7f, 0x80][Math.floor(random() * 4)]!;
        }
        expectProbeOr4xx(m, `${file} mutation ${round}`);
      }
    }
  });
});

describe('probeImage: non-images and unsupported formats are 415 naming what was detected', () => {
  const text = (s: string) => new TextEncoder().encode(s);
  it.each([
    // XML names are case-sensitive: <SVG> is not SVG (SVG sources are probed below).
    ['xml', text('<!-- generator --><SVG viewBox="0 0 1 1"/>')],
    // An HTML page with an inline <svg> is HTML.
    ['html', text('<html><body><svg width="10" height="10"></svg></body></html>')],
    ['html', text('<!DOCTYPE html><html><head><title>404</title></head><body>Not found</body></html>')],
    ['html', text('\n\n<html>\n<body>oops</body></html>')],
    ['xml', text('<?xml version="1.0"?><rss></rss>')],
    ['json', text('{"error":"not an image"}')],
    ['text', text('Not Found')],
    ['pdf', text('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj')],
    ['bmp', bytes(ascii('BM'), le32(70), [0, 0, 0, 0], le32(54), le32(40), le32(1), le32(1), le16(1), le16(24))],
    ['mp4', bytes(ftyp('isom', 'isom', 'mp41'))],
    ['riff-wave', bytes(ascii('RIFF'), le32(4), ascii('WAVE'))],
    ['gzip', bytes([0x1f, 0x8b, 8, 0, 0, 0, 0, 0])],
    ['empty', new Uint8Array(0)],
  ] as const)('detects %s', (kind, data) => {
    const e = expectImageError(data, 415);
    expect(e.code).toBe('unsupported');
    expect(e.message).toContain(`(detected: ${kind})`);
  });

  it('refuses seeded random bytes with 415', () => {
    const random = seededRandom(42);
    for (let i = 0; i < 200; i++) {
      const data = new Uint8Array(1 + Math.floor(random() * 2048));
      for (let j = 0; j < data.length; j++) data[j] = Math.floor(random() * 256);
      expectImageError(data, 415);
    }
  });

  it('ignores a misleading extension or content type: sniffing is by bytes only', () => {
    // probeImage has no name or type to be misled by; an SVG is an SVG whatever it is called.
    expect(probeImage(text('<svg xmlns="http://www.w3.org/2000/svg"/>')).format).toBe('svg');
    expect(probeImage(makePng(2, 3)).format).toBe('png');
  });
});

describe('probeImage: SVG by text sniffing (optional BOM, XML declaration, comments, document type, then <svg)', () => {
  const text = (s: string) => new TextEncoder().encode(s);
  it.each([
    ['plain', '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="12"><rect/></svg>', 10, 12],
    ['BOM, declaration, doctype', '\uFEFF  \n<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "x">\n<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 30"></svg>', 40, 30],
    ['comment and a prefixed root', '<!-- made by hand --><s:svg xmlns:s="http://www.w3.org/2000/svg" width="2in" height="1in"/>', 192, 96],
    ['width and viewBox: height from the aspect ratio', '<svg xmlns="http://www.w3.org/2000/svg" width="100" viewBox="0 0 50 25"/>', 100, 50],
    ['percentages count as missing', '<svg xmlns="http://www.w3.org/2000/svg" width="100%" height="100%" viewBox="0 0 64 32"/>', 64, 32],
    ['points', '<svg xmlns="http://www.w3.org/2000/svg" width="72pt" height="36pt"/>', 96, 48],
    ['nothing: 300x150', '<svg xmlns="http://www.w3.org/2000/svg"/>', 300, 150],
  ])('%s', (_, markup, w, h) => {
    const p = probeImage(text(markup));
    expect([p.format, p.width, p.height, p.frames, p.orientation]).toEqual(['svg', w, h, 1, 1]);
    expect(p.svg!.elements).toBeGreaterThanOrEqual(1);
  });

  it.each([
    ['entities', '<!DOCTYPE svg [<!ENTITY a "b">]><svg xmlns="http://www.w3.org/2000/svg"/>', 415],
    ['cut off', '<svg xmlns="http://www.w3.org/2000/svg" width="1', 422],
    ['UTF-16', '\uFEFF<svg/>', 0],
  ])('refuses %s', (name, markup, status) => {
    const bytes = name === 'UTF-16' ? new Uint8Array([0xff, 0xfe, 0x3c, 0x00, 0x73, 0x00]) : text(markup);
    expectImageError(bytes, status || 415);
  });
});

describe('probeImage: PNG headers', () => {
  it('probes a header claiming 20000x20000 quickly and without reading past the header', () => {
    const data = makePng(20000, 20000, [], { idatBytes: 200 });
    expect(data.length).toBeLessThan(400);
    const t0 = performance.now();
    for (let i = 0; i < 100; i++) probeImage(data);
    const perCall = (performance.now() - t0) / 100;
    // Deployed workerd only advances the clock on I/O (Spectre mitigation); the local
    // test runtime does advance it, but the read bound below is the sturdier guard.
    expect(perCall).toBeLessThan(5);
    const tracked = trackReads(data);
    expect(probeImage(tracked.view)).toMatchObject({ width: 20000, height: 20000, hasAlpha: true, frames: 1 });
    expect(tracked.maxIndex()).toBeLessThan(45); // signature + IHDR + next chunk header
  });

  it('counts APNG frames from acTL', () => {
    const p = probeImage(makePng(8, 8, [pngChunk('acTL', [...be32(3), ...be32(0)])]));
    expect(p).toMatchObject({ frames: 3, animated: true });
  });

  it('treats acTL num_frames 0 as a still image', () => {
    expect(probeImage(makePng(8, 8, [pngChunk('acTL', [...be32(0), ...be32(0)])]))).toMatchObject({ frames: 1, animated: false });
  });

  it('reads orientation from eXIf and swaps the display size for 6', () => {
    const p = probeImage(makePng(30, 20, [pngChunk('eXIf', tiffOrientation(6, 'II'))]));
    expect(p).toMatchObject({ width: 30, height: 20, orientation: 6, displayWidth: 20, displayHeight: 30 });
  });

  it('tolerates an "Exif\\0\\0" prefix inside eXIf', () => {
    const p = probeImage(makePng(30, 20, [pngChunk('eXIf', [...ascii('Exif\0\0'), ...tiffOrientation(3)])]));
    expect(p.orientation).toBe(3);
  });

  it('sets hasAlpha from tRNS on an RGB image', () => {
    expect(probeImage(makePng(4, 4, [], { colorType: 2 })).hasAlpha).toBe(false);
    expect(probeImage(makePng(4, 4, [pngChunk('tRNS', [0, 0, 0, 0, 0, 0])], { colorType: 2 })).hasAlpha).toBe(true);
  });

  it.each([
    ['zero width', bytes(PNG_SIGNATURE, pngIhdr(0, 5), pngChunk('IDAT', [0]))],
    ['width over 2^31-1', bytes(PNG_SIGNATURE, pngIhdr(0x80000000, 5), pngChunk('IDAT', [0]))],
    ['colour type 5', bytes(PNG_SIGNATURE, pngIhdr(5, 5, 8, 5), pngChunk('IDAT', [0]))],
    ['RGB at 4 bits', bytes(PNG_SIGNATURE, pngIhdr(5, 5, 4, 2), pngChunk('IDAT', [0]))],
    ['interlace 2', bytes(PNG_SIGNATURE, pngIhdr(5, 5, 8, 6, 2), pngChunk('IDAT', [0]))],
    ['missing IHDR', bytes(PNG_SIGNATURE, pngChunk('gAMA', [0, 0, 0, 1]), pngChunk('IHDR', [0, 0, 0, 5, 0, 0, 0, 5, 8, 6, 0, 0, 0]))],
    ['no IDAT', bytes(PNG_SIGNATURE, pngIhdr(5, 5), pngChunk('IEND'))],
    ['truncated before IDAT', bytes(PNG_SIGNATURE, pngIhdr(5, 5), pngChunk('tEXt', ascii('a\0b')).slice(0, 6))],
    ['signature with CRLF->LF damage', bytes([0x89, 0x50, 0x4e, 0x47, 0x0a, 0x1a, 0x0a], pngIhdr(5, 5))],
  ])('refuses %s with 422', (_label, data) => {
    expect(expectImageError(data, 422).code).toBe('corrupt');
  });

  it('refuses an Apple CgBI PNG with 415', () => {
    const data = bytes(PNG_SIGNATURE, pngChunk('CgBI', [0x50, 0, 0x20, 2]), pngIhdr(5, 5), pngChunk('IDAT', [0]));
    expect(expectImageError(data, 415).message).toContain('png-cgbi');
  });
});

describe('probeImage: JPEG headers', () => {
  const app1Exif = (tiff: number[]) => jpegSegment(0xe1, [...ascii('Exif\0\0'), ...tiff]);
  const jpeg = (...segments: number[][]) => bytes([0xff, 0xd8], ...segments, JPEG_SOS);

  it.each([
    ['MM', 8], ['II', 6], ['MM', 5], ['II', 2],
  ] as const)('reads %s EXIF orientation %i', (order, o) => {
    const p = probeImage(jpeg(app1Exif(tiffOrientation(o, order)), jpegSof(0xc0, 40, 30)));
    expect(p).toMatchObject({ width: 40, height: 30, orientation: o });
    expect([p.displayWidth, p.displayHeight]).toEqual(o >= 5 ? [30, 40] : [40, 30]);
  });

  it('accepts orientation stored as LONG', () => {
    expect(probeImage(jpeg(app1Exif(tiffOrientation(6, 'II', 4)), jpegSof(0xc0, 4, 3))).orientation).toBe(6);
  });

  it.each([
    ['value 0', tiffOrientation(0)],
    ['value 9', tiffOrientation(9)],
    ['type ASCII', tiffOrientation(6, 'MM', 2)],
    ['bad byte order', [...ascii('XX'), ...tiffOrientation(6).slice(2)]],
    ['IFD offset past the end', [...ascii('MM'), ...be16(42), ...be32(0xfffffff0)]],
    ['entry count far beyond the segment', [...ascii('II'), ...le16(42), ...le32(8), ...le16(0xffff), ...le16(0x0100)]],
    ['empty TIFF', []],
  ])('falls back to orientation 1 on EXIF with %s', (_label, tiff) => {
    expect(probeImage(jpeg(app1Exif(tiff), jpegSof(0xc0, 4, 3))).orientation).toBe(1);
  });

  it('uses the first Exif APP1 and ignores XMP APP1', () => {
    const xmp = jpegSegment(0xe1, ascii('http://ns.adobe.com/xap/1.0/\0<x:xmpmeta/>'));
    const p = probeImage(jpeg(xmp, app1Exif(tiffOrientation(7)), app1Exif(tiffOrientation(3)), jpegSof(0xc0, 4, 3)));
    expect(p.orientation).toBe(7);
  });

  it.each([
    [0xc0, false, false, false], [0xc1, false, false, false], [0xc2, true, false, false], [0xc3, false, false, true],
    [0xc9, false, true, false], [0xca, true, true, false], [0xcb, false, true, true],
  ])('SOF %s: progressive %s, arithmetic %s, lossless %s', (marker, progressive, arithmetic, lossless) => {
    expect(probeImage(jpeg(jpegSof(marker, 5, 6, 8, 1))).jpeg).toEqual({ progressive, arithmetic, lossless, bitDepth: 8, components: 1 });
  });

  it('tolerates fill bytes and junk between markers', () => {
    const data = bytes([0xff, 0xd8], [0xff, 0xff, 0xff], jpegSegment(0xe0, ascii('JFIF\0')), ascii('junk'), [0xff, 0xff],
      jpegSof(0xc0, 7, 9), JPEG_SOS);
    expect(probeImage(data)).toMatchObject({ width: 7, height: 9 });
  });

  it('reads the header only, stopping at SOS', () => {
    const data = bytes(jpeg(jpegSof(0xc0, 7, 9)), new Uint8Array(100_000));
    const tracked = trackReads(data);
    probeImage(tracked.view);
    expect(tracked.maxIndex()).toBeLessThan(40);
  });

  it.each([
    ['SOI only', bytes([0xff, 0xd8, 0xff])],
    ['EOI before SOF', bytes([0xff, 0xd8], [0xff, 0xd9])],
    ['SOS before SOF', bytes([0xff, 0xd8], JPEG_SOS)],
    ['APP0 running past the end', bytes([0xff, 0xd8], [0xff, 0xe0, 0x40, 0x00, 1, 2, 3])],
    ['SOF cut short', bytes([0xff, 0xd8], jpegSof(0xc0, 5, 5).slice(0, 8))],
    ['segment length 1', bytes([0xff, 0xd8], [0xff, 0xe0, 0, 1, 0, 0])],
    ['zero width', jpeg(jpegSof(0xc0, 0, 5))],
  ])('refuses %s with 422', (_label, data) => {
    expect(expectImageError(data, 422).code).toBe('corrupt');
  });

  it('refuses a DNL-defined height (SOF height 0) with 415', () => {
    expectImageError(jpeg(jpegSof(0xc0, 5, 0)), 415);
  });
});

describe('probeImage: WebP headers', () => {
  it('reads a simple lossy VP8 header', () => {
    expect(probeImage(webp(vp8Chunk(300, 200)))).toMatchObject({ width: 300, height: 200, hasAlpha: false, frames: 1 });
  });

  it('reads VP8L 14-bit sizes and the alpha hint', () => {
    const header = (w: number, h: number, alpha: number) => {
      const bits = (w - 1) | ((h - 1) << 14) | (alpha << 28);
      return riffChunk('VP8L', [0x2f, ...le32(bits >>> 0), 0, 0, 0]);
    };
    expect(probeImage(webp(header(16384, 1, 1)))).toMatchObject({ width: 16384, height: 1, hasAlpha: true });
    expect(probeImage(webp(header(3, 16384, 0)))).toMatchObject({ width: 3, height: 16384, hasAlpha: false });
  });

  it('counts ANMF frames and reads EXIF orientation in an extended animated WebP', () => {
    const frame = riffChunk('ANMF', new Uint8Array(17));
    const data = webp(vp8xChunk(640, 480, 0x10 | 0x08 | 0x02), riffChunk('ANIM', new Uint8Array(6)), frame, frame, frame,
      riffChunk('EXIF', tiffOrientation(8, 'II')));
    expect(probeImage(data)).toMatchObject({
      width: 640, height: 480, frames: 3, animated: true, hasAlpha: true, orientation: 8, displayWidth: 480, displayHeight: 640,
    });
  });

  it('reads a 24-bit VP8X canvas', () => {
    expect(probeImage(webp(vp8xChunk(20000, 3, 0), vp8Chunk(16383, 3)))).toMatchObject({ width: 20000, height: 3, animated: false });
  });

  it.each([
    ['unknown first chunk', webp(riffChunk('JUNK', [1, 2, 3, 4]))],
    ['VP8 without start code', webp(riffChunk('VP8 ', new Uint8Array(10)))],
    ['VP8L without signature', webp(riffChunk('VP8L', [0, 0, 0, 0, 0]))],
    ['animated flag but no frames', webp(vp8xChunk(4, 4, 0x02))],
    ['VP8X with no image', webp(vp8xChunk(4, 4, 0))],
    ['truncated', webp(vp8Chunk(4, 4)).slice(0, 18)],
  ])('refuses %s with 422', (_label, data) => {
    expectImageError(data, 422);
  });
});

describe('probeImage: GIF headers', () => {
  const gif = (...blocks: number[][]) => bytes(ascii('GIF89a'), le16(10), le16(6), [0x80, 0, 0], new Uint8Array(6), ...blocks);
  const gce = (transparent: boolean) => [0x21, 0xf9, 4, transparent ? 1 : 0, 10, 0, 0, 0];
  const image = (lct: boolean) => [0x2c, 0, 0, 0, 0, ...le16(10), ...le16(6), lct ? 0x80 : 0, ...(lct ? [0, 0, 0, 0, 0, 0] : []), 2, 3, 1, 2, 3, 0];
  const netscape = [0x21, 0xff, 11, ...ascii('NETSCAPE2.0'), 3, 1, 0, 0, 0];

  it('counts image descriptors, skipping extensions and local colour tables', () => {
    const p = probeImage(gif(netscape, gce(false), image(false), gce(true), image(true), image(false), [0x3b]));
    expect(p).toMatchObject({ width: 10, height: 6, frames: 3, animated: true, hasAlpha: true });
  });

  it('reports no alpha without a transparent GCE, and stops at the trailer', () => {
    expect(probeImage(gif(image(false), [0x3b], image(false)))).toMatchObject({ frames: 1, animated: false, hasAlpha: false });
  });

  it('counts frames up to a truncation', () => {
    const data = gif(image(false), image(false), image(false));
    expect(probeImage(data.subarray(0, data.length - 5)).frames).toBe(3);
  });

  it('refuses a GIF with no image, or a zero-size screen, with 422', () => {
    expectImageError(gif([0x3b]), 422);
    expectImageError(bytes(ascii('GIF87a'), le16(0), le16(6), [0, 0, 0], image(false)), 422);
    expectImageError(bytes(ascii('GIF89b'), le16(1), le16(1), [0, 0, 0]), 422);
  });
});

describe('probeImage: AVIF headers', () => {
  const ispe = (w: number, h: number) => fullBox('ispe', be32(w), be32(h));
  const avif = (major: string, props: number[][], extra: number[][] = []) =>
    bytes(ftyp(major, 'mif1', 'avif', 'miaf'), fullBox('meta', box('iprp', box('ipco', ...props))), ...extra);

  it('reads the size from the largest ispe', () => {
    const p = probeImage(avif('avif', [ispe(64, 48), box('av1C', [0x81, 0, 0, 0]), ispe(1024, 768)]));
    expect(p).toMatchObject({ format: 'avif', width: 1024, height: 768, orientation: 1, frames: 1, animated: false, hasAlpha: false });
  });

  it('detects an alpha auxiliary image', () => {
    const auxC = fullBox('auxC', ascii('urn:mpeg:mpegB:cicp:systems:auxiliary:alpha\0'));
    expect(probeImage(avif('avif', [ispe(8, 8), auxC])).hasAlpha).toBe(true);
  });

  it.each([
    [0, -1, 1], [1, -1, 8], [2, -1, 3], [3, -1, 6], [0, 0, 2], [0, 1, 4], [1, 0, 7], [3, 0, 5], [2, 1, 2],
  ])('maps irot %i + imir axis %i to EXIF orientation %i', (rot, axis, orientation) => {
    const props = [ispe(40, 30), box('irot', [rot])];
    if (axis >= 0) props.push(box('imir', [axis]));
    const p = probeImage(avif('avif', props));
    expect(p.orientation).toBe(orientation);
    expect([p.displayWidth, p.displayHeight]).toEqual(orientation >= 5 ? [30, 40] : [40, 30]);
  });

  it('reports 0x0 when there is no ispe (documented limitation)', () => {
    expect(probeImage(bytes(ftyp('avif', 'avif')))).toMatchObject({ format: 'avif', width: 0, height: 0, hasAlpha: undefined });
  });

  it('counts an AVIS sequence from the first track sample table', () => {
    const stsz = fullBox('stsz', be32(0), be32(10));
    const moov = box('moov', box('trak', box('mdia', box('minf', box('stbl', stsz)))));
    expect(probeImage(avif('avis', [ispe(8, 8)], [moov]))).toMatchObject({ frames: 10, animated: true });
  });

  it('survives malformed boxes (size smaller than header, 64-bit sizes, size 0)', () => {
    const bad = bytes(ftyp('avif', 'avif'), be32(4), ascii('meta'), new Uint8Array(16));
    expect(probeImage(bad).width).toBe(0);
    const large = bytes(ftyp('avif', 'avif'), be32(1), ascii('meta'), be32(0xffffffff), be32(0xffffffff), new Uint8Array(8));
    expectProbeOr4xx(large, 'largesize');
    const toEnd = bytes(ftyp('avif', 'avif'), be32(0), ascii('meta'), [0, 0, 0, 0], box('iprp', box('ipco', ispe(3, 2))));
    expect(probeImage(toEnd)).toMatchObject({ width: 3, height: 2 });
  });
});

// Metadata presence (src/passthrough.ts hands a source out only when it carries none).
describe('sourceMetadata', () => {
  const jpegWith = (...segments: number[][]) => bytes([0xff, 0xd8], jpegSegment(0xe0, ascii('JFIF\0')), ...segments, jpegSof(0xc0, 8, 8), JPEG_SOS);
  const pngAfterIdat = (type: string) => bytes(PNG_SIGNATURE, pngIhdr(8, 8), pngChunk('IDAT', new Uint8Array(8)), pngChunk(type, ascii('k\0v')), pngChunk('IEND'));
  const ROWS: [string, Uint8Array, boolean | undefined][] = [
    ['JPEG, JFIF only', jpegWith(), false],
    ['JPEG with an ICC APP2 and Adobe APP14', jpegWith(jpegSegment(0xe2, ascii('ICC_PROFILE\0')), jpegSegment(0xee, [...ascii('Adobe'), 0, 100, 0, 0, 0, 0, 1])), false],
    ['JPEG with EXIF', jpegWith(jpegSegment(0xe1, [...ascii('Exif\0\0'), ...tiffOrientation(1)])), true],
    ['JPEG with XMP', jpegWith(jpegSegment(0xe1, ascii('http://ns.adobe.com/xap/1.0/\0<x:xmpmeta/>'))), true],
    ['JPEG with IPTC APP13', jpegWith(jpegSegment(0xed, ascii('Photoshop 3.0\0'))), true],
    ['JPEG with a comment', jpegWith(jpegSegment(0xfe, ascii('hi'))), true],
    ['PNG, no text', makePng(8, 8), false],
    ['PNG with eXIf before IDAT', makePng(8, 8, [pngChunk('eXIf', tiffOrientation(1))]), true],
    ['PNG with iTXt (XMP) after IDAT', pngAfterIdat('iTXt'), true],
    ['PNG with tEXt after IDAT', pngAfterIdat('tEXt'), true],
    ['WebP, simple VP8', webp(vp8Chunk(8, 8)), false],
    ['WebP with the VP8X EXIF flag', webp(vp8xChunk(8, 8, 0x08), vp8Chunk(8, 8)), true],
    ['WebP with an XMP chunk', webp(vp8xChunk(8, 8, 0), vp8Chunk(8, 8), riffChunk('XMP ', ascii('<x/>'))), true],
  ];
  it.each(ROWS)('%s -> %s', (_name, data, want) => expect(sourceMetadata(data, probeImage(data))).toBe(want));
  it('the PNG probe itself stays header-only: text after IDAT is left undefined', () => {
    expect(probeImage(pngAfterIdat('tEXt')).metadata).toBeUndefined();
  });
});

describe('probeImage: HEIC and TIFF headers (issue 15)', () => {
  const ispe = (w: number, h: number) => fullBox('ispe', be32(w), be32(h));
  const infe = (id: number, type: string) => box('infe', [2, 0, 0, 0], be16(id), be16(0), ascii(type), [0]);
  /** A HEIF whose items are [id, type, 1-based property indices]; `primary` is pitm. */
  const heif = (brands: string[], primary: number, items: [number, string, number[]][], props: number[][], extra: number[][] = []) =>
    bytes(
      ftyp(brands[0]!, ...brands),
      fullBox(
        'meta',
        fullBox('pitm', be16(primary)),
        fullBox('iinf', be16(items.length), ...items.map(([id, t]) => infe(id, t))),
        box('iprp', box('ipco', ...props), fullBox('ipma', be32(items.length), ...items.map(([id, , ps]) => [...be16(id), ps.length, ...ps]))),
        ...extra,
      ),
    );

  it.each([
    [['heic', 'mif1'], 'hvc1', 'heic'],
    [['mif1', 'miaf'], 'hvc1', 'heic'],
    [['mif1', 'miaf'], 'av01', 'avif'],
  ])('brands %j with a %s primary item are %s', (brands, type, format) => {
    const p = probeImage(heif(brands, 1, [[1, type, [1]]], [ispe(64, 48)]));
    expect(p).toMatchObject({ format, width: 64, height: 48 });
  });

  it('reads the primary item, not the largest ispe (a larger non-primary item is ignored)', () => {
    const p = probeImage(heif(['heic', 'mif1'], 2, [[1, 'hvc1', [1]], [2, 'hvc1', [2]]], [ispe(4000, 3000), ispe(320, 240)]));
    expect([p.width, p.height]).toEqual([320, 240]);
  });

  it('a non-grid HEIC reports the display size (libheif applies irot) and orientation 1', () => {
    const p = probeImage(heif(['heic', 'mif1'], 1, [[1, 'hvc1', [1, 2]]], [ispe(40, 30), box('irot', [1])]));
    expect(p).toMatchObject({ width: 30, height: 40, orientation: 1, displayWidth: 30, displayHeight: 40 });
  });

  it('a grid decoded tile by tile reports its stored size and irot as orientation for the pipeline', () => {
    const dimg = fullBox('iref', box('dimg', be16(3), be16(2), be16(1), be16(2)));
    const p = probeImage(heif(['heic', 'mif1'], 3, [[1, 'hvc1', [1]], [2, 'hvc1', [1]], [3, 'grid', [2, 3]]], [ispe(512, 512), ispe(1000, 500), box('irot', [3])], [dimg]));
    expect(p).toMatchObject({ format: 'heic', width: 1000, height: 500, orientation: 6, displayWidth: 500, displayHeight: 1000 });
    expect(p.heic).toMatchObject({ byTile: true, tiles: 2 });
  });

  it.each([
    ['a JPEG-coded primary item', heif(['heic', 'mif1'], 1, [[1, 'jpeg', [1]]], [ispe(8, 8)]), 415],
    ['an image sequence without a still image', bytes(ftyp('msf1', 'msf1', 'hevc'), box('moov', [0, 0, 0, 0])), 415],
    ['no meta box', bytes(ftyp('heic', 'mif1', 'heic')), 422],
    ['a primary item without ispe', heif(['heic', 'mif1'], 1, [[1, 'hvc1', []]], []), 422],
  ] as const)('refuses %s', (_name, data, status) => {
    expectImageError(data, status);
  });

  const entry = (tag: number, type: number, count: number, value: number) => [...le16(tag), ...le16(type), ...le32(count), ...(type === 3 ? [...le16(value), 0, 0] : le32(value))];
  const tiff = (entries: number[][], next = 0) => bytes(ascii('II'), le16(42), le32(8), le16(entries.length), ...entries, le32(next));

  it('reads size, orientation, samples and compression from IFD0', () => {
    const p = probeImage(tiff([entry(256, 3, 1, 300), entry(257, 3, 1, 200), entry(258, 3, 1, 8), entry(259, 3, 1, 5), entry(262, 3, 1, 2), entry(274, 3, 1, 6), entry(277, 3, 1, 3)]));
    expect(p).toMatchObject({ format: 'tiff', width: 300, height: 200, orientation: 6, displayWidth: 200, displayHeight: 300, hasAlpha: false });
    expect(p.tiff).toMatchObject({ pages: 1, compression: 5, bitsPerSample: 8, samples: 3 });
  });

  it('counts pages, stopping at an IFD chain that loops back', () => {
    // IFD0's next offset points at IFD0 itself.
    expect(probeImage(tiff([entry(256, 3, 1, 4), entry(257, 3, 1, 4)], 8)).tiff?.pages).toBe(1);
  });

  it.each([
    ['an empty first IFD', bytes(ascii('II'), le16(42), le32(8), [0, 0]), 422],
    ['a first IFD outside the file', bytes(ascii('MM'), be16(42), be32(4096), [0, 0]), 422],
    ['BigTIFF', bytes(ascii('II'), le16(43), le16(8), le16(0), le32(16), le32(0)), 415],
    ['JPEG 2000 compression', tiff([entry(256, 3, 1, 4), entry(257, 3, 1, 4), entry(259, 3, 1, 34712)]), 415],
    ['planar RGB', tiff([entry(256, 3, 1, 4), entry(257, 3, 1, 4), entry(262, 3, 1, 2), entry(277, 3, 1, 3), entry(284, 3, 1, 2)]), 415],
  ] as const)('refuses %s', (_name, data, status) => {
    expectImageError(data, status);
  });
});
