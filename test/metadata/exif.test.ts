/**
 * metadata/exif.ts on TIFF structures built byte by byte (TIFF 6.0 §2): the cases the
 * end-to-end fixtures cannot carry (sharp writes no IFD1 thumbnail), in both byte orders.
 */
import { describe, expect, it } from 'vitest';
import { copyrightExif, keepExif, readExifSummary } from '../../src/metadata/exif';

type Entry = [tag: number, type: number, count: number, value: number | Uint8Array];

/** A TIFF with IFD0 (and an optional IFD1 with a "thumbnail"), values past 4 bytes stored after each IFD. */
function buildTiff(le: boolean, ifd0: Entry[], ifd1?: { entries: Entry[]; thumbnail: Uint8Array }): Uint8Array {
  const buf = new Uint8Array(4096);
  const v = new DataView(buf.buffer);
  buf.set(le ? [0x49, 0x49, 42, 0] : [0x4d, 0x4d, 0, 42]);
  v.setUint32(4, 8, le);
  let free = 2048;
  const writeIfd = (at: number, entries: Entry[], next: number) => {
    v.setUint16(at, entries.length, le);
    entries.forEach(([tag, type, count, value], i) => {
      const e = at + 2 + i * 12;
      v.setUint16(e, tag, le);
      v.setUint16(e + 2, type, le);
      v.setUint32(e + 4, count, le);
      if (value instanceof Uint8Array) {
        if (value.length <= 4) buf.set(value, e + 8);
        else { v.setUint32(e + 8, free, le); buf.set(value, free); free += value.length + (value.length & 1); }
      } else if (type === 3) v.setUint16(e + 8, value, le);
      else v.setUint32(e + 8, value, le);
    });
    v.setUint32(at + 2 + entries.length * 12, next, le);
  };
  const ifd1At = 1024;
  writeIfd(8, ifd0, ifd1 ? ifd1At : 0);
  if (ifd1) {
    const thumbAt = 3000;
    buf.set(ifd1.thumbnail, thumbAt);
    writeIfd(ifd1At, [[0x0201, 4, 1, thumbAt], [0x0202, 4, 1, ifd1.thumbnail.length], ...ifd1.entries], 0);
  }
  return buf.slice(0, 3000 + (ifd1?.thumbnail.length ?? 0));
}

const ascii = (s: string) => new TextEncoder().encode(`${s}\0`);
const THUMB = new TextEncoder().encode('THUMBNAIL-OF-THE-UNCROPPED-SOURCE');
const has = (b: Uint8Array, needle: Uint8Array) => Buffer.from(b).includes(Buffer.from(needle));

describe('keepExif', () => {
  for (const le of [true, false]) {
    it(`${le ? 'little' : 'big'}-endian: orientation 1, GPS kept, thumbnail unlinked and zeroed`, () => {
      const tiff = buildTiff(le, [
        [0x010f, 2, 8, ascii('TestCam')],
        [0x0112, 3, 1, 6],
        [0x8298, 2, 10, ascii('(c) Jane')],
        [0x8825, 4, 1, 2500], // GPS IFD pointer (the IFD itself is not walked by the rewrite)
      ], { entries: [[0x0103, 3, 1, 6]], thumbnail: THUMB });
      expect(readExifSummary(tiff)).toMatchObject({ orientation: 6, thumbnail: true, gps: true });
      expect(has(tiff, THUMB)).toBe(true);
      const kept = keepExif(tiff, { width: 10, height: 20 })!;
      expect(readExifSummary(kept)).toEqual({ orientation: 1, copyright: '(c) Jane', artist: undefined, gps: true, thumbnail: false });
      expect(has(kept, THUMB)).toBe(false);
      expect(has(kept, ascii('TestCam'))).toBe(true);
    });
  }
  it('a structure it cannot walk gives nothing (metadata never fails an image)', () => {
    const tiff = buildTiff(true, [[0x0112, 3, 1, 6]]);
    new DataView(tiff.buffer).setUint32(4, 999_999, true); // IFD0 past the end
    expect(keepExif(tiff, { width: 1, height: 1 })).toBeUndefined();
    expect(copyrightExif(tiff)).toBeUndefined();
  });
});

describe('copyrightExif', () => {
  it('keeps only Copyright and Artist, in a new little-endian TIFF', () => {
    const tiff = buildTiff(false, [[0x010f, 2, 8, ascii('TestCam')], [0x013b, 2, 4, ascii('Ann')], [0x8298, 2, 10, ascii('(c) Jane')], [0x8825, 4, 1, 2500]],
      { entries: [], thumbnail: THUMB });
    const c = copyrightExif(tiff)!;
    expect(c[0]).toBe(0x49);
    expect(readExifSummary(c)).toEqual({ orientation: undefined, copyright: '(c) Jane', artist: 'Ann', gps: false, thumbnail: false });
    expect(has(c, ascii('TestCam'))).toBe(false);
    expect(has(c, THUMB)).toBe(false);
  });
  it('no copyright fields: nothing', () => {
    expect(copyrightExif(buildTiff(true, [[0x010f, 2, 8, ascii('TestCam')]]))).toBeUndefined();
  });
});
