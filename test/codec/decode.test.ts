/**
 * decodeImage, run inside workerd: every decodable corpus file against its
 * libvips reference, refusals, corrupt input, recovery after decoder traps.
 */
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../../src/codec/decode';
import { resizeRaster, shrinkByArea } from '../../src/codec/resize/resize';
import { ImageError } from '../../src/errors';
import type { Raster } from '../../src/codec/types';
import { corpusBytes, manifest, meanAbsoluteError, orient, refName } from './corpus';

/**
 * Brings the decode and the reference to one size. References of images larger
 * than 64 px are libvips downscales: shrink ours to the reference size with our
 * own resizer. Smaller images were upscaled by libvips with a ringing kernel,
 * and two upscalers disagree on the 1-pixel checkerboards of the test files far
 * more than a decoding error would (MAE up to 17). So there, area-average both
 * down to fit 8x8: averaging whole footprints cancels the ringing and keeps
 * colour, alpha and orientation errors.
 */
async function alignToReference(mine: Raster, ref: Raster): Promise<[Raster, Raster]> {
  const hasAlpha = (r: Raster) => r.data.some((v, i) => i % 4 === 3 && v !== 255);
  if (ref.width >= mine.width && ref.height >= mine.height) {
    const scale = Math.min(1, 8 / Math.max(mine.width, mine.height));
    const w = Math.max(1, Math.round(mine.width * scale));
    const h = Math.max(1, Math.round(mine.height * scale));
    return [shrinkByArea(mine, w, h, hasAlpha(mine)), shrinkByArea(ref, w, h, hasAlpha(ref))];
  }
  return [await resizeRaster(mine, ref.width, ref.height, { hasAlpha: hasAlpha(mine) }), ref];
}

/**
 * Alpha error plus colour error over pixels opaque in both. For the one file
 * whose reference libvips made with libwebp's scaled decode, which resamples
 * without premultiplying (so its edge pixels are grey where ours, correctly
 * premultiplied, stay black text).
 */
function opaqueColourAndAlphaError(a: Raster, b: Raster): number {
  let sum = 0, n = 0;
  for (let i = 0; i < a.data.length; i += 4) {
    sum += Math.abs(a.data[i + 3]! - b.data[i + 3]!);
    n++;
    if (a.data[i + 3] === 255 && b.data[i + 3] === 255) {
      for (let c = 0; c < 3; c++) sum += Math.abs(a.data[i + c]! - b.data[i + c]!);
      n += 3;
    }
  }
  return sum / n;
}

/*
 * Threshold: mean absolute error per channel (0..255, colour weighted by alpha)
 * at the reference size. Correct decodes measure 0.0-2.6 (IDCT/upsampling
 * differences between libjpeg-turbo builds and libvips' shrink-on-load,
 * lossy-WebP dithering, Lanczos vs libvips kernels); a wrong colour conversion,
 * lost alpha, a mis-oriented image or a wrong GIF frame measures 15-150. 3 leaves
 * margin for the former and catches every one of the latter.
 */
const MAX_MAE = 3;
/**
 * Files smaller than 64 px: libvips upscaled them for the reference with a
 * corner-aligned grid (a visible half-source-pixel shift: the basi0g08 gradient
 * comes out one step darker everywhere), so even exact decodes measure 0.5-11
 * on these 4-39 px test patterns. 15 still catches ignored tRNS/alpha, wrong
 * palettes and 16-bit byte-order mistakes (all >30).
 */
const MAX_MAE_UPSCALED_REF = 15;
/**
 * Profile-less CMYK: converted through a table sampled from libvips' own
 * conversion (its fallback CMYK profile, relative colorimetric: rich black is
 * about (30,33,43), not 0), so it is held to the general limit. The naive
 * (1-C)(1-K) formula measured ~20 here; inverted polarity (the classic Adobe
 * bug) >150.
 */
const MAX_MAE_CMYK = MAX_MAE;

const decodable = manifest.filter((e) => e.expect === 'decode' && e.format !== 'avif');
const KNOWN_UNSUPPORTED: Record<string, RegExp> = {
  'jpeg/monkey12.jpg': /12-bit JPEG/,
};

describe('decodeImage matches the libvips references', () => {
  it('finds the corpus', () => expect(decodable.length).toBeGreaterThan(40));

  it.each(decodable.filter((e) => !KNOWN_UNSUPPORTED[e.file]).map((e) => [e.file, e] as const))(
    '%s',
    async (_name, entry) => {
      const decoded = await decodeImage(corpusBytes(entry.file), entry.format, {});
      expect([decoded.width, decoded.height]).toEqual(entry.stored);
      expect(decoded.data.length).toBe(decoded.width * decoded.height * 4);
      const ref = await decodeImage(corpusBytes(refName(entry.file)), 'png', {});
      const [mine, theirs] = await alignToReference(orient(decoded, entry.orientation), ref);
      const mae =
        entry.file === 'webp/lossy_alpha3.webp' ? opaqueColourAndAlphaError(mine, theirs) : meanAbsoluteError(mine, theirs);
      const upscaled = ref.width > decoded.width || ref.height > decoded.height;
      const limit = entry.file === 'jpeg/pil_sample_cmyk.jpg' ? MAX_MAE_CMYK : upscaled ? MAX_MAE_UPSCALED_REF : MAX_MAE;
      expect(mae).toBeLessThan(limit);
    },
  );
});

describe('JPEG features we refuse', () => {
  it.each(Object.entries(KNOWN_UNSUPPORTED))('%s answers 415 naming the feature', async (file, message) => {
    const err = await decodeImage(corpusBytes(file), 'jpeg', {}).catch((e) => e);
    expect(err).toBeInstanceOf(ImageError);
    expect(err.status).toBe(415);
    expect(err.message).toMatch(message);
  });
});

describe('corrupt input', () => {
  const bad = manifest.filter((e) => e.expect === 'no-server-error');
  const good: Record<string, string> = {
    jpeg: 'jpeg/hopper.jpg',
    png: 'png/basn6a08.png',
    webp: 'webp/lossy_alpha3.webp',
    gif: 'gif/hopper.gif',
  };

  it.each(bad.map((e) => [e.file, e] as const))('%s: 4xx ImageError or a valid image, then decoding still works', async (_n, entry) => {
    const result = await decodeImage(corpusBytes(entry.file), entry.format, {}).catch((e) => e);
    if (result instanceof Error) {
      expect(result).toBeInstanceOf(ImageError);
      expect([415, 422]).toContain((result as ImageError).status);
    } else {
      expect(result.data.length).toBe(result.width * result.height * 4);
    }
    const after = await decodeImage(corpusBytes(good[entry.format]!), entry.format, {});
    expect(after.width).toBeGreaterThan(0);
  });

  // Every decoder, fed garbage after a valid header (so it really starts
  // decoding and traps inside WASM), must answer 422 and then keep working.
  it.each(Object.entries(good))('%s decoder recovers after a trap', async (format, file) => {
    const bytes = corpusBytes(file);
    const broken = bytes.slice(0, Math.max(40, bytes.length >> 1));
    for (let i = 40; i < broken.length; i += 7) broken[i]! ^= 0x5a;
    for (let round = 0; round < 3; round++) {
      const err = await decodeImage(broken, format as 'jpeg', {}).catch((e) => e);
      expect(err, `round ${round}`).toBeInstanceOf(ImageError);
      expect(err.status).toBe(422);
      const ok = await decodeImage(bytes, format as 'jpeg', {});
      expect(ok.width).toBeGreaterThan(0);
    }
  });

  it.each([
    ['jpeg', new Uint8Array([0xff, 0xd8, 0xff])],
    ['png', new Uint8Array(0)],
    ['gif', new TextEncoder().encode('GIF89a')],
    ['webp', new TextEncoder().encode('RIFF\0\0\0\0WEBP')],
    ['png', corpusBytes('jpeg/hopper.jpg')],
  ] as const)('%s: tiny or mislabelled input is 422', async (format, bytes) => {
    const err = await decodeImage(bytes, format, {}).catch((e) => e);
    expect(err).toBeInstanceOf(ImageError);
    expect(err.status).toBe(422);
  });
});
