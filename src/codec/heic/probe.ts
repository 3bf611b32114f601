/**
 * @module codec/heic/probe
 * Reads a HEIF file's item structure (ISO/IEC 23008-12 9, ISO/IEC 14496-12
 * 8.11) far enough to describe its primary image without decoding it: which
 * item is primary ('pitm'), its coding ('infe' item_type: 'hvc1' HEVC, 'grid'
 * tiles, 'av01' AV1...), its properties through 'ipma' ('ispe' size, 'clap'
 * clean aperture, 'irot'/'imir' transforms, 'pixi' bit depth), the tiles a
 * grid derives from and whether an alpha auxiliary image ('auxl' reference
 * with an alpha 'auxC') belongs to it.
 *
 * The probe uses this to tell HEIC from AVIF when the brands do not (a plain
 * 'mif1' file), to size a grid before decoding it, and to report the display
 * size libheif will produce (clap, then irot, then imir: MIAF 7.3.6.7).
 *
 * Bounded like the rest of the probe: box counts are capped, every read is
 * checked against the parent box, and it only ever returns a description (with
 * fields left undefined when the file does not say) or undefined.
 */
import { at, u16be, u32be, fourcc, hasAscii, readBoxHeader, type Box } from '../../bytes';

export interface HeifItemInfo {
  /** item_type of the primary item ('hvc1', 'grid', 'av01', 'iden', 'iovl', ...). */
  primaryType: string;
  /** For a grid: the item_type of its first tile. */
  tileType?: string;
  /** Number of tiles a grid derives from. */
  tiles?: number;
  /** The grid's tile item ids, row-major (the 'dimg' reference order, HEIF 6.6.2.3.1). */
  tileIds?: number[];
  /** A 'clap' crop is associated with the primary item. */
  clap: boolean;
  /** ispe of the primary item (the coded, or for a grid the assembled, size). */
  width: number;
  height: number;
  /** Size after clap and irot: what libheif hands back. */
  displayWidth: number;
  displayHeight: number;
  /** irot: anti-clockwise quarter turns; imir: 0 vertical axis, 1 horizontal, -1 none. */
  rotation: number;
  mirrorAxis: number;
  /** pixi bits per channel of the first channel (8 when absent). */
  bitDepth: number;
  hasAlpha: boolean;
  /** 'moov' present: an image sequence (the still primary image is what we decode). */
  sequence: boolean;
}

const MAX_BOXES = 4096;

function children(b: Uint8Array, from: number, to: number): Box[] {
  const out: Box[] = [];
  for (let p = from; out.length < MAX_BOXES; ) {
    const box = readBoxHeader(b, p, to);
    if (!box || box.end <= p) break;
    out.push(box);
    p = box.end;
  }
  return out;
}

const find = (boxes: Box[], type: string) => boxes.find((x) => x.type === type);

/** Describes the primary item of a HEIF/AVIF still image; undefined when there is no readable 'meta'. */
export function readHeifItems(b: Uint8Array): HeifItemInfo | undefined {
  const n = Math.min(b.length, 2 ** 32);
  const top = children(b, 0, n);
  const sequence = !!find(top, 'moov');
  const meta = find(top, 'meta');
  if (!meta) return undefined;
  const boxes = children(b, meta.start + 4, meta.end); // FullBox: version/flags first
  const pitm = find(boxes, 'pitm');
  if (!pitm || pitm.start + 4 > pitm.end) return undefined;
  const primary = at(b, pitm.start) === 0 ? u16be(b, pitm.start + 4) : u32be(b, pitm.start + 4);

  const types = itemTypes(b, find(boxes, 'iinf'));
  const refs = itemRefs(b, find(boxes, 'iref'));
  const iprp = find(boxes, 'iprp');
  const iprpKids = iprp ? children(b, iprp.start, iprp.end) : [];
  const ipco = find(iprpKids, 'ipco');
  const props = ipco ? children(b, ipco.start, ipco.end) : [];
  const assoc = associations(b, find(iprpKids, 'ipma'));
  const propsOf = (item: number) => (assoc.get(item) ?? []).map((i) => props[i - 1]).filter((x): x is Box => !!x);

  let width = 0, height = 0, rotation = 0, mirrorAxis = -1, bitDepth = 8;
  let clap: [number, number] | undefined;
  for (const p of propsOf(primary)) {
    if (p.type === 'ispe' && p.start + 12 <= p.end) {
      width = u32be(b, p.start + 4);
      height = u32be(b, p.start + 8);
    } else if (p.type === 'irot' && p.start < p.end) rotation = at(b, p.start) & 3;
    else if (p.type === 'imir' && p.start < p.end) mirrorAxis = at(b, p.start) & 1;
    else if (p.type === 'pixi' && p.start + 6 <= p.end && at(b, p.start + 4) > 0) bitDepth = at(b, p.start + 5);
    else if (p.type === 'clap' && p.start + 16 <= p.end) {
      // cleanApertureWidthN/D, cleanApertureHeightN/D (ISO 14496-12 12.1.4).
      const wd = u32be(b, p.start + 4), hd = u32be(b, p.start + 12);
      if (wd > 0 && hd > 0) clap = [Math.floor(u32be(b, p.start) / wd), Math.floor(u32be(b, p.start + 8) / hd)];
    }
  }
  let cw = width, ch = height;
  if (clap && clap[0] > 0 && clap[1] > 0 && clap[0] <= width && clap[1] <= height) [cw, ch] = clap;
  const swap = rotation === 1 || rotation === 3;

  const primaryType = types.get(primary) ?? '';
  const tiles = primaryType === 'grid' ? (refs.get('dimg')?.get(primary) ?? []) : [];
  // An alpha plane is an auxiliary image ('auxl' from it to the primary) whose auxC names alpha
  // (HEVC: urn:mpeg:hevc:2015:auxid:1; MIAF/AVIF: urn:mpeg:mpegB:cicp:systems:auxiliary:alpha).
  let hasAlpha = false;
  for (const [from, to] of refs.get('auxl') ?? []) {
    if (!to.includes(primary)) continue;
    for (const p of propsOf(from)) {
      if (p.type === 'auxC' && (containsAscii(b, p.start, p.end, 'auxid:1') || containsAscii(b, p.start, p.end, 'auxiliary:alpha'))) hasAlpha = true;
    }
  }
  return {
    primaryType,
    ...(tiles.length ? { tileType: types.get(tiles[0]!) ?? '', tiles: tiles.length, tileIds: tiles } : {}),
    clap: !!clap,
    width,
    height,
    displayWidth: swap ? ch : cw,
    displayHeight: swap ? cw : ch,
    rotation,
    mirrorAxis,
    bitDepth,
    hasAlpha,
    sequence,
  };
}

/** iinf (ISO 14496-12 8.11.6): item_ID -> item_type, from 'infe' version 2/3 entries. */
function itemTypes(b: Uint8Array, iinf: Box | undefined): Map<number, string> {
  const types = new Map<number, string>();
  if (!iinf) return types;
  const first = iinf.start + 4 + (at(b, iinf.start) === 0 ? 2 : 4);
  for (const infe of children(b, first, iinf.end)) {
    if (infe.type !== 'infe') continue;
    const v = at(b, infe.start);
    if (v === 2 && infe.start + 12 <= infe.end) types.set(u16be(b, infe.start + 4), fourcc(b, infe.start + 8));
    else if (v === 3 && infe.start + 14 <= infe.end) types.set(u32be(b, infe.start + 4), fourcc(b, infe.start + 10));
  }
  return types;
}

/** iref (8.11.12): per reference type, from_item_ID -> to_item_IDs. */
function itemRefs(b: Uint8Array, iref: Box | undefined): Map<string, Map<number, number[]>> {
  const refs = new Map<string, Map<number, number[]>>();
  if (!iref) return refs;
  const wide = at(b, iref.start) !== 0;
  const size = wide ? 4 : 2;
  const read = (o: number) => (wide ? u32be(b, o) : u16be(b, o));
  for (const r of children(b, iref.start + 4, iref.end)) {
    if (r.start + 2 * size > r.end) continue;
    const from = read(r.start);
    const count = u16be(b, r.start + size);
    const to: number[] = [];
    for (let i = 0, o = r.start + size + 2; i < count && o + size <= r.end; i++, o += size) to.push(read(o));
    const byType = refs.get(r.type) ?? new Map<number, number[]>();
    byType.set(from, to);
    refs.set(r.type, byType);
  }
  return refs;
}

/** ipma (HEIF 9.3.2): item_ID -> 1-based ipco property indices. */
function associations(b: Uint8Array, ipma: Box | undefined): Map<number, number[]> {
  const map = new Map<number, number[]>();
  if (!ipma || ipma.start + 8 > ipma.end) return map;
  const version = at(b, ipma.start);
  const wideIndex = (at(b, ipma.start + 3) & 1) === 1;
  const entries = u32be(b, ipma.start + 4);
  let p = ipma.start + 8;
  for (let e = 0; e < entries && e < MAX_BOXES && p < ipma.end; e++) {
    const item = version < 1 ? u16be(b, p) : u32be(b, p);
    p += version < 1 ? 2 : 4;
    const count = at(b, p++);
    const list: number[] = [];
    for (let i = 0; i < count && p < ipma.end; i++) {
      if (wideIndex) {
        list.push(u16be(b, p) & 0x7fff);
        p += 2;
      } else list.push(at(b, p++) & 0x7f);
    }
    map.set(item, list);
  }
  return map;
}

function containsAscii(b: Uint8Array, from: number, to: number, s: string): boolean {
  for (let p = from; p + s.length <= to; p++) if (hasAscii(b, p, s)) return true;
  return false;
}

/**
 * Whether codec/heic/decode assembles this image tile by tile (each HEVC tile
 * decoded to RGBA by libheif and copied into the JS raster) instead of asking
 * libheif for the whole image: a grid without alpha or clean aperture, i.e.
 * what iPhones write. libheif's whole-image path holds the assembled YUV image
 * and its RGBA conversion in WASM memory (which never shrinks) beside the JS
 * copy: for a 12 MP photo that is over the isolate's 128 MB, tile by tile it
 * is one tile. The tiles are stored untransformed, so irot/imir are then left
 * to the pipeline (the probe reports them as the EXIF-equivalent orientation).
 */
export function decodesByTile(items: HeifItemInfo): boolean {
  return items.primaryType === 'grid' && items.tileType === 'hvc1' && !items.hasAlpha && !items.clap && (items.tileIds?.length ?? 0) > 0;
}
