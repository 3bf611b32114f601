/**
 * Colour management end to end: fixtures fetched by the Worker from the
 * loopback origin (path form and ?url= form), resized to 96 px and compared
 * with sharp's colour-managed resize of the same file; `color-profile=keep`
 * embeds the source profile in JPEG, PNG and WebP with the numbers untouched
 * (checked by converting the output through its own embedded profile), and
 * converts for AVIF, whose encoder cannot carry a profile.
 */
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../../src/codec/decode';
import type { Raster, SourceFormat } from '../../src/codec/types';
import { planColour } from '../../src/color';
import { readSourceColour } from '../../src/color/extract';
import { callWorker, ORIGIN, sniffFormat } from '../support/worker';
import { fixture, meanError, pixel } from './helpers';

async function fetchImage(path: string, env = {}): Promise<{ bytes: Uint8Array; format: SourceFormat; raster: Raster }> {
  const res = await callWorker(path, { env });
  const bytes = new Uint8Array(await res.arrayBuffer());
  expect(res.status, new TextDecoder().decode(bytes.subarray(0, 200))).toBe(200);
  const format = sniffFormat(bytes) as SourceFormat;
  return { bytes, format, raster: await decodeImage(bytes, format) };
}

const FILES = ['p3.jpg', 'p3.avif', 'generic-rgb.jpg', 'gray-gamma18.jpg', 'adobe-rgb.png', 'prophoto.png', 'rec2020.webp', 'lut-rgb.jpg', 'cmyk-profile.jpg'];

/**
 * The reference for each file is sharp's colour-managed full-size sRGB
 * (`<file>.ref.png`) put through the same Worker request: both sides then share
 * our resampler, so the error measures colour (including converting after the
 * resize rather than before), not the difference between two resamplers.
 *
 * Sizes: JPEG sources at 180 px (their 192 px decode is then full size); at
 * 96 px libjpeg-turbo's DCT-domain 1/2 scaling alone differs from "decode the
 * PNG reference, then Lanczos" by 1.74/255 on an sRGB-tagged JPEG that gets
 * no colour work at all (measured), which is a decoder difference, not colour.
 * Every other source also at 96 and 48 px (2x and 4x below the source), where
 * conversion after resize differs most from conversion before.
 */
const SIZES: Record<string, number[]> = {
  'p3.jpg': [180], 'generic-rgb.jpg': [180], 'gray-gamma18.jpg': [180], 'lut-rgb.jpg': [180], 'cmyk-profile.jpg': [180],
  'p3.avif': [180, 96, 48], 'adobe-rgb.png': [180, 96, 48], 'prophoto.png': [180, 96, 48], 'rec2020.webp': [180, 96, 48],
};

describe('through the Worker: converted to sRGB by default', () => {
  for (const file of FILES) {
    for (const width of SIZES[file]!) {
      it(`${file} -> ${width} px PNG within 2/255 of the colour-managed reference, no profile left in the output`, async () => {
        const { bytes, raster } = await fetchImage(`/colour/${file}?width=${width}&format=png`);
        const { raster: ref } = await fetchImage(`/colour/${file}.ref.png?width=${width}&format=png`);
        const error = meanError(raster, ref);
        let line = `colour e2e ${file} at ${width}: mean error ${error.toFixed(2)}`;
        if (width === 96) line += ` (against sharp's own 96 px resize: ${meanError(raster, await decodeImage(await fixture(`${file}.ref96.png`), 'png')).toFixed(2)})`;
        console.log(line);
        expect(error).toBeLessThanOrEqual(2);
        expect((await readSourceColour(bytes, 'png')).icc).toBeUndefined();
      });
    }
  }

  it('a 10 MP Display P3 photo to 300 w: converting after the resize stays within 2/255 of sharp converting first', async () => {
    const { raster } = await fetchImage('/gen/p3-photo.jpg?width=300&format=png');
    const { raster: ref } = await fetchImage('/gen/p3-photo-ref.jpg?width=300&format=png');
    const { raster: unmanaged } = await fetchImage('/gen/p3-photo.jpg?width=300&format=png&color-profile=keep');
    const e = { managed: meanError(raster, ref), unmanaged: meanError(unmanaged, ref) };
    console.log(`colour e2e p3-photo 10 MP -> 300 w: mean error ${e.managed.toFixed(2)} (numbers left as stored: ${e.unmanaged.toFixed(2)})`);
    expect(e.managed).toBeLessThanOrEqual(2);
    expect(e.unmanaged).toBeGreaterThan(3);
  });

  it('the remote form (?url=) converts too', async () => {
    const url = encodeURIComponent(`${ORIGIN}/colour/prophoto.png`);
    const { raster } = await fetchImage(`/?url=${url}&width=96&format=png`, { ALLOWED_ORIGINS: ORIGIN });
    const { raster: ref } = await fetchImage('/colour/prophoto.png.ref.png?width=96&format=png');
    expect(meanError(raster, ref)).toBeLessThanOrEqual(2);
  });

  for (const format of ['jpeg', 'webp', 'avif', 'png'] as const) {
    it(`a P3 photo's red stays saturated in ${format}`, async () => {
      const { raster } = await fetchImage(`/colour/p3.jpg?width=96&format=${format}&quality=95`);
      // Patch 0 spans x 0..11 and y 0..23 at 96 px; sample its middle.
      const [r, g, b] = pixel(raster, 5, 12) as [number, number, number];
      expect(r, `${format} red`).toBeGreaterThanOrEqual(240);
      expect(g, `${format} green`).toBeLessThanOrEqual(20);
      expect(b, `${format} blue`).toBeLessThanOrEqual(20);
    });
  }
});

describe('color-profile=keep', () => {
  for (const file of ['p3.jpg', 'prophoto.png']) {
    const sourceFormat = file.endsWith('.png') ? 'png' : 'jpeg';
    it(`${file} as png: the source profile is embedded and the numbers are not converted`, async () => {
      const source = await fixture(file);
      const { bytes, raster } = await fetchImage(`/colour/${file}?width=96&format=png&color-profile=keep`);
      expect((await readSourceColour(bytes, 'png')).icc, 'embedded profile').toEqual((await readSourceColour(source, sourceFormat)).icc);
      const { raster: ref } = await fetchImage(`/colour/${file}.ref.png?width=96&format=png`);
      // Untouched numbers differ from the sRGB answer...
      expect(meanError(raster, ref)).toBeGreaterThan(5);
      // ...and converting them through the embedded profile gives it back.
      const job = await planColour(bytes, 'png', 'srgb');
      await job.apply(raster, 'png');
      expect(meanError(raster, ref)).toBeLessThanOrEqual(2);
    });

    for (const format of ['jpeg', 'webp'] as const) {
      it(`${file} as ${format}: the profile is embedded, the numbers are the keep-PNG's (up to compression)`, async () => {
        const source = await fixture(file);
        const q = `width=96&format=${format}&quality=100`;
        const { bytes, raster } = await fetchImage(`/colour/${file}?${q}&color-profile=keep`);
        expect((await readSourceColour(bytes, format)).icc, 'embedded profile').toEqual((await readSourceColour(source, sourceFormat)).icc);
        const { raster: keptPng } = await fetchImage(`/colour/${file}?width=96&format=png&color-profile=keep`);
        const { raster: converted } = await fetchImage(`/colour/${file}?${q}`);
        const { raster: convertedPng } = await fetchImage(`/colour/${file}?width=96&format=png`);
        // Lossy coding alone (same request without keep, against its PNG) is the yardstick for "the same numbers".
        const e = { kept: meanError(raster, keptPng), codingNoise: meanError(converted, convertedPng), converted: meanError(raster, converted) };
        console.log(`colour keep ${file} as ${format}: vs kept PNG ${e.kept.toFixed(2)} (coding noise ${e.codingNoise.toFixed(2)}), vs converted ${e.converted.toFixed(2)}`);
        expect(e.kept).toBeLessThanOrEqual(e.codingNoise + 0.5);
        expect(e.converted).toBeGreaterThan(5);
      });
    }
  }

  it('AVIF output cannot carry a profile, so keep converts (documented)', async () => {
    const { bytes, raster } = await fetchImage('/colour/p3.jpg?width=96&format=avif&quality=90&color-profile=keep');
    expect((await readSourceColour(bytes, 'avif')).icc).toBeUndefined();
    const { raster: converted } = await fetchImage('/colour/p3.jpg?width=96&format=avif&quality=90');
    const { raster: kept } = await fetchImage('/colour/p3.jpg?width=96&format=png&color-profile=keep');
    expect(meanError(raster, converted)).toBeLessThanOrEqual(1);
    expect(meanError(raster, kept)).toBeGreaterThan(5);
  });

  it('CMYK sources are converted even with keep (the output cannot be CMYK)', async () => {
    const { raster } = await fetchImage('/colour/cmyk-profile.jpg?width=96&format=png&color-profile=keep');
    const { raster: ref } = await fetchImage('/colour/cmyk-profile.jpg.ref.png?width=96&format=png');
    expect(meanError(raster, ref)).toBeLessThanOrEqual(2);
  });

  it('an invalid value is a 400 naming the parameter', async () => {
    const res = await callWorker('/colour/p3.jpg?color-profile=wide');
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { message: string } };
    expect(body.error.message).toMatch(/colorProfile must be one of srgb, keep/);
  });
});
