/**
 * Colour management at unit level: each fixture (scripts/make-colour-fixtures.mjs)
 * decoded, its colour planned from its own header bytes and converted at full
 * size, against sharp's colour-managed sRGB of the same file. Beside each
 * error, the error of doing nothing (the pre-issue-14 behaviour): the
 * conversion must be within the 2/255 budget and the unmanaged answer must not.
 */
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../../src/codec/decode';
import type { SourceFormat } from '../../src/codec/types';
import { planColour, planFromColour } from '../../src/color';
import { jpegIcc, readSourceColour } from '../../src/color/extract';
import { parseIcc } from '../../src/color/icc';
import { probeImage } from '../../src/probe';
import { fixture, meanError, pixel } from './helpers';

const CASES: { file: string; label: string; unmanagedAtLeast: number }[] = [
  { file: 'p3.jpg', label: 'matrix', unmanagedAtLeast: 4 },
  { file: 'p3.avif', label: 'matrix', unmanagedAtLeast: 4 },
  { file: 'generic-rgb.jpg', label: 'matrix', unmanagedAtLeast: 8 },
  { file: 'adobe-rgb.png', label: 'matrix', unmanagedAtLeast: 6 },
  { file: 'prophoto.png', label: 'matrix', unmanagedAtLeast: 15 },
  { file: 'rec2020.webp', label: 'matrix', unmanagedAtLeast: 15 },
  { file: 'gray-gamma18.jpg', label: 'gray', unmanagedAtLeast: 5 },
  { file: 'lut-rgb.jpg', label: 'lut', unmanagedAtLeast: 8 },
  { file: 'cmyk-profile.jpg', label: 'cmyk', unmanagedAtLeast: 8 },
];

export const errors: Record<string, { managed: number; unmanaged: number }> = {};

describe('conversion to sRGB against sharp (libvips + LittleCMS)', () => {
  for (const c of CASES) {
    it(`${c.file}: ${c.label} profile, mean error <= 2/255`, async () => {
      const bytes = await fixture(c.file);
      const format = probeImage(bytes).format as SourceFormat;
      const ref = await decodeImage(await fixture(`${c.file}.ref.png`), 'png');
      const job = await planColour(bytes, format, 'srgb');
      expect(job.label).toBe(c.label);
      const managed = await decodeImage(bytes, format, {}, job);
      await job.apply(managed, 'png');
      expect(job.embed).toBeUndefined();
      // Unmanaged: the numbers as decoded; for CMYK, the built-in (profile-less) table.
      const unmanaged = await decodeImage(bytes, format, {});
      const e = { managed: meanError(managed, ref), unmanaged: meanError(unmanaged, ref) };
      errors[c.file] = e;
      console.log(`colour ${c.file}: mean error ${e.managed.toFixed(2)} (unmanaged ${e.unmanaged.toFixed(2)})`);
      expect(e.managed).toBeLessThanOrEqual(2);
      expect(e.unmanaged).toBeGreaterThan(c.unmanagedAtLeast);
    });
  }

  it('a Display P3 photo keeps its saturated red (not desaturated to the P3 numbers)', async () => {
    const bytes = await fixture('p3.jpg');
    const job = await planColour(bytes, 'jpeg', 'srgb');
    const r = await decodeImage(bytes, 'jpeg', {}, job);
    const stored = pixel(r, 12, 24);
    // Stored as P3 numbers, sRGB red is about (234, 51, 35).
    expect(stored[0]).toBeLessThan(245);
    expect(stored[1]).toBeGreaterThan(35);
    await job.apply(r, 'png');
    const [red, green, blue] = pixel(r, 12, 24) as [number, number, number];
    expect(red).toBeGreaterThanOrEqual(248);
    expect(green).toBeLessThanOrEqual(12);
    expect(blue).toBeLessThanOrEqual(12);
  });
});

describe('profile extraction and classification', () => {
  it('reassembles a multi-segment JPEG profile in sequence order (written in reverse)', async () => {
    const bytes = await fixture('lut-rgb.jpg');
    const icc = jpegIcc(bytes)!;
    const original = await fixture('lut.icc');
    expect(icc.length).toBe(original.length);
    expect(icc.length).toBeGreaterThan(3 * 65519);
    expect(icc).toEqual(original);
  });

  it('finds the profile in PNG iCCP, WebP ICCP and AVIF colr', async () => {
    for (const [file, format, icc] of [['adobe-rgb.png', 'png', 'adobe.icc'], ['rec2020.webp', 'webp', 'rec2020.icc']] as const) {
      const src = await readSourceColour(await fixture(file), format);
      expect(src.icc, file).toEqual(await fixture(icc));
    }
    const avif = await readSourceColour(await fixture('p3.avif'), 'avif');
    expect(parseIcc(avif.icc!).description).toMatch(/P3/);
  });

  it('an sRGB-tagged image does no pixel work', async () => {
    const job = await planColour(await fixture('srgb-tagged.jpg'), 'jpeg', 'srgb');
    expect(job.label).toBe('srgb');
    expect(job.active).toBe(false);
  });

  it('reads curv (gamma, table), para and LUT profiles', async () => {
    const kinds = await Promise.all(['adobe.icc', 'generic.icc', 'prophoto.icc', 'lut.icc', 'cmyk.icc'].map(async (f) => parseIcc(await fixture(f))));
    expect(kinds.map((k) => k.kind)).toEqual(['matrix', 'matrix', 'matrix', 'lut', 'cmyk']);
    expect(kinds[0]!.matrix!.trc[0]).toEqual({ kind: 'gamma', gamma: 563 / 256 });
    expect(kinds[1]!.matrix!.trc[0].kind).toBe('table');
    expect(kinds[2]!.matrix!.trc[0].kind).toBe('para');
  });

  it('a broken or truncated profile is ignored, never thrown', async () => {
    const icc = await fixture('adobe.icc');
    expect(parseIcc(icc.subarray(0, 100)).kind).toBe('unusable');
    expect(parseIcc(icc.subarray(0, 300)).kind).toBe('unusable');
    expect(planFromColour({ icc: new Uint8Array(500) }, 'srgb').label).toBe('none');
  });
});

describe('PNG gAMA and cHRM (as Chromium renders them)', () => {
  it('gAMA + cHRM without iCCP converts like the equivalent ICC profile', async () => {
    const png = await fixture('gama-chrm.png');
    const job = await planColour(png, 'png', 'srgb');
    expect(job.label).toBe('png-chrm');
    const r = await decodeImage(png, 'png');
    await job.apply(r, 'png');
    // sharp/libvips ignore gAMA; the same numbers with the equivalent ICC profile are its managed answer.
    const ref = await decodeImage(await fixture('gama-chrm-as-icc.png.ref.png'), 'png');
    expect(meanError(r, ref)).toBeLessThanOrEqual(2);
    expect(meanError(await decodeImage(png, 'png'), ref)).toBeGreaterThan(5);
  });

  it('gAMA alone is ignored (Chromium, Safari and Firefox ignore it too)', async () => {
    const job = await planColour(await fixture('gama-only.png'), 'png', 'srgb');
    expect(job.active).toBe(false);
  });
});

describe('AVIF nclx (ITU-T H.273 code points)', () => {
  const red = () => ({ width: 1, height: 1, data: new Uint8Array([234, 51, 35, 255]) });
  it('Display P3 primaries (12) with the sRGB transfer (13) convert like the P3 ICC profile', async () => {
    const job = planFromColour({ cicp: { primaries: 12, transfer: 13 } }, 'srgb');
    expect(job.label).toBe('nclx');
    const r = red();
    await job.apply(r, 'png');
    // sRGB red stored as P3 numbers (what p3.jpg holds) comes back red.
    expect(pixel(r, 0, 0)[0]).toBeGreaterThanOrEqual(250);
    expect(pixel(r, 0, 0)[1]).toBeLessThanOrEqual(8);
    expect(pixel(r, 0, 0)[2]).toBeLessThanOrEqual(8);
  });

  it('BT.709 / sRGB and unspecified code points do nothing; PQ and HLG (HDR) are not converted', () => {
    for (const cicp of [{ primaries: 1, transfer: 13 }, { primaries: 2, transfer: 2 }, { primaries: 1, transfer: 1 }]) {
      expect(planFromColour({ cicp }, 'srgb').active, JSON.stringify(cicp)).toBe(false);
    }
    for (const transfer of [16, 18]) expect(planFromColour({ cicp: { primaries: 9, transfer } }, 'srgb').label).toBe('nclx-unsupported');
    expect(planFromColour({ cicp: { primaries: 9, transfer: 1 } }, 'srgb').label).toBe('nclx');
  });
});

describe('hostile profile bytes', () => {
  /** Rewrites the first APP2 ICC segment's chunk count (byte 13 after the "ICC_PROFILE\0" tag). */
  function withChunkCount(jpeg: Uint8Array, count: number): Uint8Array {
    const out = jpeg.slice();
    for (let p = 2; p + 18 < out.length; ) {
      const len = (out[p + 2]! << 8) | out[p + 3]!;
      if (out[p + 1] === 0xe2) {
        out[p + 4 + 13] = count;
        return out;
      }
      p += 2 + len;
    }
    throw new Error('no APP2');
  }

  it('a missing chunk (count says 2, one present) means no profile, and the image still decodes', async () => {
    const bytes = withChunkCount(await fixture('p3.jpg'), 2);
    expect(jpegIcc(bytes)).toBeUndefined();
    const job = await planColour(bytes, 'jpeg', 'srgb');
    expect(job.active).toBe(false);
    expect((await decodeImage(bytes, 'jpeg', {}, job)).width).toBe(192);
  });

  it('a zero chunk count or a truncated profile is ignored', async () => {
    expect(jpegIcc(withChunkCount(await fixture('p3.jpg'), 0))).toBeUndefined();
    const icc = await fixture('prophoto.icc');
    for (const n of [0, 1, 127, 131, 200, 400]) expect(() => planFromColour({ icc: icc.subarray(0, n) }, 'srgb')).not.toThrow();
  });
});

describe('profiles LittleCMS refuses', () => {
  it('a LUT profile whose A2B0 data is garbage keeps the numbers and embeds the profile, and LittleCMS still works after', async () => {
    const icc = (await fixture('lut.icc')).slice();
    // Overwrite the lut16 header and tables after the tag type (the tag table stays valid).
    const a2b0 = icc.findIndex((_, i) => icc[i] === 0x6d && icc[i + 1] === 0x66 && icc[i + 2] === 0x74 && icc[i + 3] === 0x32); // 'mft2'
    icc.fill(0xff, a2b0 + 8, a2b0 + 4096);
    const job = planFromColour({ icc }, 'srgb');
    expect(job.label).toBe('lut');
    const r = { width: 2, height: 1, data: new Uint8Array([234, 51, 35, 255, 10, 20, 30, 128]) };
    await job.apply(r, 'png');
    expect(Array.from(r.data)).toEqual([234, 51, 35, 255, 10, 20, 30, 128]);
    expect(job.embed).toBe(icc);
    // The next conversion gets a fresh, working instance.
    const good = await planColour(await fixture('lut-rgb.jpg'), 'jpeg', 'srgb');
    const px = { width: 1, height: 1, data: new Uint8Array([255, 0, 0, 255]) };
    await good.apply(px, 'png');
    expect(good.embed).toBeUndefined();
    expect(Array.from(px.data)).not.toEqual([255, 0, 0, 255]);
  });
});

describe('a profile for another colour model than the data', () => {
  it('a grey profile on a colour JPEG, an RGB one on a grey PNG, an RGB one on a CMYK JPEG are ignored', async () => {
    const gray = await fixture('gray.icc');
    const rgb = await fixture('prophoto.icc');
    const cmyk = await fixture('cmyk.icc');
    for (const [icc, model] of [[gray, 'rgb'], [rgb, 'gray'], [rgb, 'cmyk'], [cmyk, 'rgb']] as const) {
      const job = planFromColour({ icc, model }, 'srgb');
      expect(job.label, `${model}`).toBe('mismatch');
      expect(job.active).toBe(false);
      expect(job.cmyk).toBeUndefined();
    }
    expect(planFromColour({ icc: gray, model: 'gray' }, 'srgb').label).toBe('gray');
  });
});
