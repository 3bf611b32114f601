/**
 * Our libwebp decoder build (codec/webp/libwebp, SSE2 paths on wasm simd128)
 * against jSquash's Emscripten libwebp decoder it replaced (the package's own,
 * unpatched binary, in a private instance): the same pixels, exactly, on lossy,
 * lossy + alpha, lossless and odd-sized WebPs (corpus files, and sharp's encodes
 * served by the origin); the same verdict on damaged files, which answer the
 * documented 422 JSON through the Worker and leave the instance warm; and a
 * small instance after a 1200x800 decode.
 */
import { describe, expect, it } from 'vitest';
import webpDecFactory from '@jsquash/webp/codec/dec/webp_dec.js';
import webpDecOriginal from '@jsquash/webp/codec/dec/webp_dec.wasm';
import { decodeImage } from '../../../src/codec/decode';
import { recycleCodecs, wasmMemoryBytes } from '../../../src/codec/wasm/memory';
import { instantiateEmscripten, type EmscriptenFactory } from '../../../src/codec/wasm/emscripten-instance';
import { webpDecoder } from '../../../src/codec/webp/libwebp';
import { ImageError } from '../../../src/errors';
import { corpusBytes, manifest } from '../corpus';
import { callWorker, ORIGIN } from '../../support/worker';

const MB = 1024 * 1024;

type Decoded = { width: number; height: number; data: Uint8Array | Uint8ClampedArray } | null;
let jsquash: Promise<{ decode(data: BufferSource): Decoded }> | undefined;
/** jSquash's decoder, as src/codec/wasm/emscripten.ts instantiated it before (WebPDecodeRGBA). */
async function reference(bytes: Uint8Array): Promise<Decoded> {
  jsquash ??= instantiateEmscripten<{ decode(data: BufferSource): Decoded }>(webpDecFactory as EmscriptenFactory, webpDecOriginal, { noInitialRun: true }).then((i) => i.binding);
  return (await jsquash).decode(bytes);
}

async function generated(name: string): Promise<Uint8Array> {
  const res = await fetch(`${ORIGIN}/gen/webp/${name}`);
  expect(res.status, name).toBe(200);
  return new Uint8Array(await res.arrayBuffer());
}

/** Bitstream kind from the container: VP8 (lossy), VP8 + ALPH, VP8L (lossless). */
function kind(b: Uint8Array): string {
  const tags: string[] = [];
  for (let at = 12; at + 8 <= b.length; ) {
    const tag = String.fromCharCode(...b.subarray(at, at + 4));
    tags.push(tag);
    at += 8 + ((b[at + 4]! | (b[at + 5]! << 8) | (b[at + 6]! << 16) | (b[at + 7]! << 24)) >>> 0) + 1 & ~1;
  }
  return tags.includes('VP8L') ? 'VP8L' : tags.includes('ALPH') ? 'VP8+ALPH' : 'VP8';
}

const corpusWebps = manifest.filter((m) => m.format === 'webp' && m.frames === 1).map((m) => m.file);
const GENERATED: [string, string, [number, number]][] = [
  ['photo-1200x800.webp', 'VP8', [1200, 800]],
  ['alpha-1733x1155.webp', 'VP8+ALPH', [1733, 1155]],
  ['lossless-1001x667.webp', 'VP8L', [1001, 667]],
  ['odd-333x97.webp', 'VP8', [333, 97]],
  ['odd-alpha-75x33.webp', 'VP8+ALPH', [75, 33]],
  ['odd-lossless-1x17.webp', 'VP8L', [1, 17]],
];

describe('decodes exactly what jSquash decoded', () => {
  it('covers every bitstream kind in the corpus', () => {
    expect(new Set(corpusWebps.map((f) => kind(corpusBytes(f))))).toEqual(new Set(['VP8', 'VP8+ALPH', 'VP8L']));
  });
  const cases: [string, () => Promise<Uint8Array>, string | null, [number, number] | null][] = [
    ...corpusWebps.map((f): [string, () => Promise<Uint8Array>, null, null] => [`corpus ${f}`, async () => corpusBytes(f), null, null]),
    ...GENERATED.map(([f, k, size]): [string, () => Promise<Uint8Array>, string, [number, number]] => [`sharp ${f}`, () => generated(f), k, size]),
  ];
  for (const [name, load, expectedKind, size] of cases) {
    it(name, async () => {
      const bytes = await load();
      if (expectedKind) expect(kind(bytes)).toBe(expectedKind);
      const ours = await decodeImage(bytes, 'webp', {});
      const theirs = (await reference(bytes))!;
      expect(theirs).not.toBeNull();
      if (size) expect([ours.width, ours.height]).toEqual(size);
      expect([ours.width, ours.height]).toEqual([theirs.width, theirs.height]);
      expect(ours.data.byteLength).toBe(ours.width * ours.height * 4);
      const a = ours.data;
      const b = new Uint8Array(theirs.data.buffer, theirs.data.byteOffset, theirs.data.byteLength);
      let differing = 0;
      for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) differing++;
      expect(differing, `${differing} of ${a.length} bytes differ`).toBe(0);
    });
  }
});

/** RIFF header then `body`: a WebP container whose chunks are `body`. */
function riff(body: number[]): Uint8Array {
  const n = 4 + body.length;
  return new Uint8Array([0x52, 0x49, 0x46, 0x46, n & 255, n >> 8, 0, 0, 0x57, 0x45, 0x42, 0x50, ...body]);
}

describe('damaged files', () => {
  const DAMAGED: [string, () => Promise<Uint8Array>][] = [
    ['truncated lossy', () => generated('truncated.webp')],
    ['truncated lossless', () => generated('truncated-lossless.webp')],
    ['garbled lossy', () => generated('garbled.webp')],
    ['garbled lossless', () => generated('garbled-lossless.webp')],
    ['a VP8 chunk header and nothing else', async () => riff([0x56, 0x50, 0x38, 0x20, 10, 0, 0, 0, 0x9d, 0x01])],
    ['a VP8L signature with no image', async () => riff([0x56, 0x50, 0x38, 0x4c, 5, 0, 0, 0, 0x2f, 0, 0, 0, 0])],
    ['corpus bad/very_short.webp', async () => corpusBytes('bad/very_short.webp')],
    ['corpus bad/bad_palette_index.webp', async () => corpusBytes('bad/bad_palette_index.webp')],
  ];
  for (const [name, load] of DAMAGED) {
    it(`${name}: the same verdict as jSquash (422 or the same pixels), the instance stays warm`, async () => {
      const bytes = await load();
      const theirs = await reference(bytes);
      const ours = await decodeImage(bytes, 'webp', {}).catch((e: unknown) => e);
      if (theirs === null) {
        expect(ours).toBeInstanceOf(ImageError);
        expect((ours as ImageError).status).toBe(422);
        expect((ours as ImageError).message).toBe('the WebP source could not be decoded (corrupt or truncated)');
      } else {
        expect(ours).not.toBeInstanceOf(Error);
        const r = ours as { width: number; height: number; data: Uint8Array };
        expect([r.width, r.height]).toEqual([theirs.width, theirs.height]);
        expect(Buffer.from(r.data).equals(Buffer.from(theirs.data.buffer, theirs.data.byteOffset, theirs.data.byteLength))).toBe(true);
      }
      expect(webpDecoder.isLive()).toBe(true);
    });
  }

  it('truncated and garbled files refused 100 times leave the same instance and memory, and it still decodes', async () => {
    const good = await generated('odd-alpha-75x33.webp');
    const before = await decodeImage(good, 'webp', {});
    const bad = [await generated('truncated.webp'), await generated('truncated-lossless.webp')];
    const memory = wasmMemoryBytes().modules['webp-dec'];
    const instance = webpDecoder.get();
    for (let round = 0; round < 100; round++) {
      const err = await decodeImage(bad[round & 1]!, 'webp', {}).catch((e: unknown) => e);
      expect(err, `round ${round}`).toBeInstanceOf(ImageError);
    }
    expect(webpDecoder.get()).toBe(instance);
    expect(wasmMemoryBytes().modules['webp-dec']).toBe(memory);
    const after = await decodeImage(good, 'webp', {});
    expect(Buffer.from(after.data).equals(Buffer.from(before.data))).toBe(true);
  });

  // Through the Worker: the documented JSON error (docs/api.md: 422 corrupt), never a 5xx; the next request works.
  for (const file of ['truncated.webp', 'truncated-lossless.webp']) {
    it(`GET /gen/webp/${file}?width=100 answers 422 corrupt as JSON`, async () => {
      const res = await callWorker(`/gen/webp/${file}?width=100`);
      expect(res.status).toBe(422);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      const body = (await res.json()) as { error: { status: number; code: string; message: string } };
      expect(body.error.status).toBe(422);
      expect(body.error.code).toBe('corrupt');
      expect(body.error.message).toMatch(/WebP/);
      const ok = await callWorker('/gen/webp/odd-333x97.webp?width=100');
      expect(ok.status).toBe(200);
    });
  }
});

describe('memory', () => {
  it('a fresh instance starts under 256 KB; after a 1200x800 decode it holds about the image, and frees it for the next', async () => {
    recycleCodecs(0);
    expect(webpDecoder.isLive()).toBe(false);
    webpDecoder.get();
    const fresh = wasmMemoryBytes().modules['webp-dec']!;
    expect(fresh).toBeLessThanOrEqual(256 * 1024);
    const photo = await generated('photo-1200x800.webp');
    await decodeImage(photo, 'webp', {});
    const after = wasmMemoryBytes().modules['webp-dec']!;
    console.log(`MEASURE webp-dec fresh ${(fresh / MB).toFixed(2)} MB, after a 1200x800 decode ${(after / MB).toFixed(2)} MB (file ${(photo.length / 1024).toFixed(0)} KB)`);
    // The RGBA output (3.84 MB) and the file live in the module during the decode; libwebp's own state is small.
    expect(after).toBeLessThan(1200 * 800 * 4 + photo.length + 1 * MB);
    // Released after the copy-out: ten more decodes of the same file do not grow it.
    for (let i = 0; i < 10; i++) await decodeImage(photo, 'webp', {});
    expect(wasmMemoryBytes().modules['webp-dec']).toBe(after);
  });
});
