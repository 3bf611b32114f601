/**
 * Issue 10 item 3, warm codecs: once the common requests (JPEG or WebP in; JPEG,
 * WebP or AVIF out) have each run, running them again instantiates no codec:
 * the decoders and encoders survive between requests under the Worker's default
 * trim policy (src/index.ts after every request, codec/wasm/memory trimCodecs).
 * Through the Worker, public URLs, every request on a fresh source path so it
 * decodes and encodes (no cache answers it).
 *
 * The resampler's SIMD kernels ([simd], a 6 KB module) are not a codec: that
 * instance is made per call and dropped, so its memory is never live between
 * stages (codec/resize/simd/resample-simd); it is not counted here.
 */
import { describe, expect, it } from 'vitest';
import { codecInstantiations, wasmMemoryBytes } from '../../../src/codec/wasm/memory';
import { readImage } from '../../support/images';
import { callWorker } from '../../support/worker';

const MB = 1024 * 1024;
let unique = 0;
const fresh = (path: string) => `/u/warm-${Date.now()}-${unique++}${path}`;

/** [source, query, output format] */
const COMMON: [string, string, string][] = [
  ['/gen/photo-640.jpg', 'width=300', 'jpeg'],
  ['/gen/photo-640.jpg', 'width=320&format=webp', 'webp'],
  ['/gen/photo-640.jpg', 'width=320&format=avif', 'avif'],
  ['/corpus/webp/test.webp', 'width=100&format=webp', 'webp'],
  ['/corpus/webp/test.webp', 'width=100&format=jpeg', 'jpeg'],
  ['/gen/photo-640.jpg', 'width=200&format=jpeg&quality=70', 'jpeg'],
];
const CODECS = ['jpeg-turbo', 'jpeg-turbo-enc', 'webp-dec', 'webp-enc', 'avif-enc'];

async function runMix(): Promise<void> {
  for (const [path, query, format] of COMMON) {
    const img = await readImage(await callWorker(`${fresh(path)}?${query}`));
    expect(img.format, `${path}?${query}`).toBe(format);
  }
}

describe('warm codecs', () => {
  it('the second round of the common requests instantiates no decoder or encoder', async () => {
    await runMix();
    const after1 = codecInstantiations();
    for (const name of CODECS) expect(after1[name], `${name} was used by the mix`).toBeGreaterThan(0);
    const idle = wasmMemoryBytes();
    console.log(`MEASURE idle after the common mix: ${(idle.total / MB).toFixed(1)} MB`);
    await runMix();
    await runMix();
    const after3 = codecInstantiations();
    const created = Object.fromEntries(CODECS.map((n) => [n, after3[n]! - after1[n]!]));
    expect(created).toEqual(Object.fromEntries(CODECS.map((n) => [n, 0])));
  });
});
