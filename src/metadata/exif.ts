/**
 * @module metadata/exif
 * Rewrites a source's EXIF (a TIFF structure, TIFF 6.0 §2 / EXIF 2.32 §4.6) for the output:
 * - `keepExif`: everything (GPS included, as Cloudflare's `metadata=keep` documents), with
 *   Orientation set to 1 (the pixels are already oriented: a second turn would be wrong),
 *   PixelX/YDimension set to the output size, and IFD1 (the embedded thumbnail) dropped and its
 *   bytes zeroed: it shows the uncropped source, which a crop must not hand out.
 * - `copyrightExif`: a new TIFF holding only IFD0's Copyright (0x8298) and Artist (0x013B).
 * Both return undefined for a structure they cannot walk safely: nothing is then written.
 */

const TAG_ORIENTATION = 0x0112;
const TAG_EXIF_IFD = 0x8769;
const TAG_PIXEL_X = 0xa002;
const TAG_PIXEL_Y = 0xa003;
const TAG_COPYRIGHT = 0x8298;
const TAG_ARTIST = 0x013b;
const TYPE_SIZE: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8 };

class Tiff {
  readonly view: DataView;
  readonly le: boolean;
  constructor(readonly b: Uint8Array) {
    this.view = new DataView(b.buffer, b.byteOffset, b.byteLength);
    this.le = b[0] === 0x49;
  }
  u16(o: number): number { return this.view.getUint16(o, this.le); }
  u32(o: number): number { return this.view.getUint32(o, this.le); }
  /** The entries of the IFD at `off` (each: where it is, tag, type, count, and where its value lives). */
  ifd(off: number): { at: number; tag: number; type: number; count: number; value: number; bytes: number }[] | undefined {
    if (off < 8 || off + 2 > this.b.length) return undefined;
    const n = this.u16(off);
    if (off + 2 + n * 12 + 4 > this.b.length) return undefined;
    const out = [];
    for (let i = 0; i < n; i++) {
      const at = off + 2 + i * 12;
      const type = this.u16(at + 2);
      const count = this.u32(at + 4);
      const bytes = (TYPE_SIZE[type] ?? 1) * count;
      const value = bytes <= 4 ? at + 8 : this.u32(at + 8);
      if (value + bytes > this.b.length) return undefined;
      out.push({ at, tag: this.u16(at), type, count, value, bytes });
    }
    return out;
  }
  nextIfdAt(off: number): number { return off + 2 + this.u16(off) * 12; }
}

export function keepExif(tiff: Uint8Array, output: { width: number; height: number }): Uint8Array | undefined {
  const copy = tiff.slice();
  const t = new Tiff(copy);
  const ifd0At = t.u32(4);
  const ifd0 = t.ifd(ifd0At);
  if (!ifd0) return undefined;
  for (const e of ifd0) {
    if (e.tag === TAG_ORIENTATION && e.type === 3) t.view.setUint16(e.value, 1, t.le);
    if (e.tag === TAG_EXIF_IFD) {
      for (const x of t.ifd(t.u32(e.value)) ?? []) {
        const size = x.tag === TAG_PIXEL_X ? output.width : x.tag === TAG_PIXEL_Y ? output.height : undefined;
        if (size === undefined || x.count !== 1) continue;
        if (x.type === 3 && size <= 0xffff) t.view.setUint16(x.value, size, t.le);
        else if (x.type === 4) t.view.setUint32(x.value, size, t.le);
      }
    }
  }
  // IFD1 (the thumbnail): zero what it points at and its entries' values, then unlink it.
  const link = t.nextIfdAt(ifd0At);
  const ifd1At = t.u32(link);
  if (ifd1At) {
    const ifd1 = t.ifd(ifd1At);
    if (!ifd1) return undefined;
    const offsetOf = (tag: number) => ifd1.find((e) => e.tag === tag);
    const jpegAt = offsetOf(0x0201);
    const jpegLen = offsetOf(0x0202);
    if (jpegAt && jpegLen) {
      const from = t.u32(jpegAt.value);
      const len = jpegLen.type === 3 ? t.u16(jpegLen.value) : t.u32(jpegLen.value);
      copy.fill(0, Math.min(from, copy.length), Math.min(from + len, copy.length));
    }
    for (const e of ifd1) if (e.bytes > 4) copy.fill(0, e.value, e.value + e.bytes);
    copy.fill(0, ifd1At, Math.min(copy.length, t.nextIfdAt(ifd1At) + 4));
    t.view.setUint32(link, 0, t.le);
  }
  return copy;
}

export function copyrightExif(tiff: Uint8Array): Uint8Array | undefined {
  const t = new Tiff(tiff);
  const ifd0 = t.ifd(t.u32(4));
  if (!ifd0) return undefined;
  const kept = ifd0
    .filter((e) => (e.tag === TAG_COPYRIGHT || e.tag === TAG_ARTIST) && e.type === 2 && e.count > 0)
    .sort((a, b) => a.tag - b.tag)
    .map((e) => ({ tag: e.tag, data: tiff.slice(e.value, e.value + e.count) }));
  if (!kept.length) return undefined;
  // A new little-endian TIFF: header, IFD0 (the kept entries, no next IFD), then the strings.
  const ifdSize = 2 + kept.length * 12 + 4;
  const total = 8 + ifdSize + kept.reduce((n, k) => n + (k.data.length > 4 ? k.data.length + (k.data.length & 1) : 0), 0);
  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);
  out.set([0x49, 0x49, 42, 0]);
  v.setUint32(4, 8, true);
  v.setUint16(8, kept.length, true);
  let data = 8 + ifdSize;
  kept.forEach((k, i) => {
    const at = 10 + i * 12;
    v.setUint16(at, k.tag, true);
    v.setUint16(at + 2, 2, true);
    v.setUint32(at + 4, k.data.length, true);
    if (k.data.length <= 4) out.set(k.data, at + 8);
    else {
      v.setUint32(at + 8, data, true);
      out.set(k.data, data);
      data += k.data.length + (k.data.length & 1);
    }
  });
  return out;
}

/** Values of IFD0's ASCII tags and whether a GPS IFD is linked: for tests and the JSON view. */
export function readExifSummary(tiff: Uint8Array): { orientation?: number; copyright?: string; artist?: string; gps: boolean; thumbnail: boolean } | undefined {
  const t = new Tiff(tiff);
  const ifd0At = t.u32(4);
  const ifd0 = t.ifd(ifd0At);
  if (!ifd0) return undefined;
  const text = (tag: number) => {
    const e = ifd0.find((x) => x.tag === tag && x.type === 2);
    return e ? new TextDecoder().decode(tiff.subarray(e.value, e.value + e.count)).replace(/\0+$/, '') : undefined;
  };
  const o = ifd0.find((e) => e.tag === TAG_ORIENTATION);
  return {
    orientation: o ? t.u16(o.value) : undefined,
    copyright: text(TAG_COPYRIGHT),
    artist: text(TAG_ARTIST),
    gps: ifd0.some((e) => e.tag === 0x8825),
    thumbnail: t.u32(t.nextIfdAt(ifd0At)) !== 0,
  };
}
