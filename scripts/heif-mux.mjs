#!/usr/bin/env node
/**
 * Builds HEIC files that Debian's heif-enc (libheif 1.15) cannot write, from
 * HEVC bitstreams that heif-enc did encode: an iPhone-style grid (the primary
 * item is a 'grid' derived from hidden 'hvc1' tiles, the last row and column
 * cropped by the grid's output size), and stills with 'irot'/'imir'
 * transforms plus an EXIF item whose Orientation tag says the same turn (as
 * iPhones write both; readers must apply irot/imir only).
 *
 *   node scripts/heif-mux.mjs out.heic --grid COLSxROWS --size WxH [--irot N] [--imir A] [--exif-orientation N] tile1.heic ...
 *
 * Each input is a heif-enc output holding one HEVC image (its 'hvcC' and coded
 * data are copied as they are). Layout per ISO/IEC 23008-12 (HEIF) 6.6.2.3
 * (grid), 6.5.3 (ispe), 6.5.10/6.5.12 (irot/imir), ISO/IEC 14496-12 8.11
 * (meta, iinf, iloc, iref, ipma). Used by scripts/make-format-corpus.sh.
 */
import { readFileSync, writeFileSync } from 'node:fs';

const args = process.argv.slice(2);
const out = args.shift();
const opt = {};
const inputs = [];
while (args.length) {
  const a = args.shift();
  if (a.startsWith('--')) opt[a.slice(2)] = args.shift();
  else inputs.push(a);
}
const [cols, rows] = (opt.grid ?? '1x1').split('x').map(Number);
if (inputs.length !== cols * rows) throw new Error(`need ${cols * rows} tiles, got ${inputs.length}`);

// ------------------------------------------------------------- reading inputs
const u32 = (b, o) => b.readUInt32BE(o);
function boxes(b, s, e) {
  const list = [];
  for (let p = s; p + 8 <= e; ) {
    let size = u32(b, p);
    const type = b.toString('latin1', p + 4, p + 8);
    if (size === 0) size = e - p;
    list.push({ type, start: p + 8, end: p + size });
    p += size;
  }
  return list;
}
const find = (l, t) => l.find((x) => x.type === t);

/** The single hvc1 item of a heif-enc output: its hvcC box (whole), its ispe size and its coded bytes. */
function readTile(file) {
  const b = readFileSync(file);
  const meta = find(boxes(b, 0, b.length), 'meta');
  const mb = boxes(b, meta.start + 4, meta.end);
  const iinf = find(mb, 'iinf');
  let hvc = -1;
  for (const infe of boxes(b, iinf.start + 6, iinf.end)) if (b.toString('latin1', infe.start + 8, infe.start + 12) === 'hvc1') hvc = b.readUInt16BE(infe.start + 4);
  const ipco = find(boxes(b, find(mb, 'iprp').start, find(mb, 'iprp').end), 'ipco');
  const props = boxes(b, ipco.start, ipco.end);
  const hvcC = props.find((p) => p.type === 'hvcC');
  const ispe = props.find((p) => p.type === 'ispe');
  // iloc (8.11.3): version, offset/length/base_offset/index sizes, items.
  const iloc = find(mb, 'iloc');
  const v = b[iloc.start];
  const os = b[iloc.start + 4] >> 4, ls = b[iloc.start + 4] & 15, bs = b[iloc.start + 5] >> 4, is = v >= 1 ? b[iloc.start + 5] & 15 : 0;
  const rd = (o, n) => (n === 0 ? 0 : n === 4 ? u32(b, o) : n === 8 ? Number(b.readBigUInt64BE(o)) : b.readUInt16BE(o));
  let p = iloc.start + 6;
  const count = v < 2 ? b.readUInt16BE(p) : u32(b, p);
  p += v < 2 ? 2 : 4;
  let data;
  for (let i = 0; i < count; i++) {
    const id = v < 2 ? b.readUInt16BE(p) : u32(b, p);
    p += v < 2 ? 2 : 4;
    const method = v >= 1 ? b.readUInt16BE(p) & 15 : 0;
    if (v >= 1) p += 2;
    p += 2; // data_reference_index
    const base = rd(p, bs);
    p += bs;
    const n = b.readUInt16BE(p);
    p += 2;
    const parts = [];
    for (let k = 0; k < n; k++) {
      p += is;
      const off = rd(p, os);
      p += os;
      const len = rd(p, ls);
      p += ls;
      parts.push(b.subarray(base + off, base + off + len));
    }
    if (id === hvc) {
      if (method !== 0) throw new Error('tile data is not in the file');
      data = Buffer.concat(parts);
    }
  }
  return { hvcC: b.subarray(hvcC.start - 8, hvcC.end), w: u32(b, ispe.start + 4), h: u32(b, ispe.start + 8), data };
}

const tiles = inputs.map(readTile);
const [outW, outH] = (opt.size ?? `${tiles[0].w * cols}x${tiles[0].h * rows}`).split('x').map(Number);
const grid = !(cols === 1 && rows === 1);

// ------------------------------------------------------------- writing
const box = (type, ...parts) => {
  const body = Buffer.concat(parts.map((x) => (Buffer.isBuffer(x) ? x : Buffer.from(x))));
  const h = Buffer.alloc(8);
  h.writeUInt32BE(8 + body.length);
  h.write(type, 4, 'latin1');
  return Buffer.concat([h, body]);
};
const full = (type, version, flags, ...parts) => box(type, Buffer.from([version, flags >> 16, (flags >> 8) & 255, flags & 255]), ...parts);
const be16 = (n) => { const x = Buffer.alloc(2); x.writeUInt16BE(n); return x; };
const be32 = (n) => { const x = Buffer.alloc(4); x.writeUInt32BE(n); return x; };

// Item ids: tiles 1..n, then the grid, then the EXIF item.
const tileIds = tiles.map((_, i) => i + 1);
const gridId = grid ? tiles.length + 1 : 1;
const exifOrientation = opt['exif-orientation'] ? Number(opt['exif-orientation']) : 0;
const exifId = exifOrientation ? gridId + 1 : 0;

/** A minimal EXIF payload: exif_tiff_header_offset 0, then a big-endian TIFF header and IFD0 with Orientation. */
function exifPayload(o) {
  return Buffer.concat([be32(0), Buffer.from('MM\0*'), be32(8), be16(1), be16(0x0112), be16(3), be32(1), be16(o), be16(0), be32(0)]);
}

function build(mdatStart) {
  const infes = tiles.map((_, i) => full('infe', 2, grid ? 1 : 0, be16(tileIds[i]), be16(0), 'hvc1', '\0'));
  if (grid) infes.push(full('infe', 2, 0, be16(gridId), be16(0), 'grid', '\0'));
  if (exifId) infes.push(full('infe', 2, 0, be16(exifId), be16(0), 'Exif', '\0'));
  const iinf = full('iinf', 0, 0, be16(infes.length), ...infes);

  // Properties: hvcC per tile, ispe per tile size, the grid's ispe, irot, imir (1-based indices).
  const props = tiles.map((t) => t.hvcC);
  const ispe = (w, h) => full('ispe', 0, 0, be32(w), be32(h));
  props.push(ispe(tiles[0].w, tiles[0].h));
  const tileIspe = props.length;
  let gridIspe = tileIspe;
  if (grid) { props.push(ispe(outW, outH)); gridIspe = props.length; }
  // pixi (HEIF 6.5.6): 3 channels of 8 bits, for the tiles and the grid alike (libheif checks they agree).
  props.push(full('pixi', 0, 0, Buffer.from([3, 8, 8, 8])));
  const pixi = props.length;
  const transforms = [];
  if (opt.irot !== undefined) { props.push(box('irot', Buffer.from([Number(opt.irot) & 3]))); transforms.push(props.length); }
  if (opt.imir !== undefined) { props.push(box('imir', Buffer.from([Number(opt.imir) & 1]))); transforms.push(props.length); }
  const assoc = (id, list) => Buffer.concat([be16(id), Buffer.from([list.length]), Buffer.from(list.map(([i, essential]) => (essential ? 0x80 : 0) | i))]);
  const entries = tiles.map((_, i) => assoc(tileIds[i], [[i + 1, true], [tileIspe, false], [pixi, false], ...(grid ? [] : transforms.map((t) => [t, true]))]));
  if (grid) entries.push(assoc(gridId, [[gridIspe, false], [pixi, false], ...transforms.map((t) => [t, true])]));
  const iprp = box('iprp', box('ipco', ...props), full('ipma', 0, 0, be32(entries.length), ...entries));

  const refs = [];
  if (grid) refs.push(box('dimg', be16(gridId), be16(tileIds.length), ...tileIds.map(be16)));
  if (exifId) refs.push(box('cdsc', be16(exifId), be16(1), be16(gridId)));
  const iref = refs.length ? full('iref', 0, 0, ...refs) : Buffer.alloc(0);

  // iloc v1, offset/length 4 bytes, no base offset: tiles and EXIF in mdat, the grid descriptor in idat.
  const gridDesc = Buffer.concat([Buffer.from([0, 0, rows - 1, cols - 1]), be16(outW), be16(outH)]);
  const locs = [];
  let off = mdatStart + 8;
  tiles.forEach((t, i) => { locs.push(Buffer.concat([be16(tileIds[i]), be16(0), be16(0), be16(1), be32(off), be32(t.data.length)])); off += t.data.length; });
  const exif = exifId ? exifPayload(exifOrientation) : Buffer.alloc(0);
  if (exifId) locs.push(Buffer.concat([be16(exifId), be16(0), be16(0), be16(1), be32(off), be32(exif.length)]));
  if (grid) locs.push(Buffer.concat([be16(gridId), be16(1), be16(0), be16(1), be32(0), be32(gridDesc.length)]));
  const iloc = full('iloc', 1, 0, Buffer.from([0x44, 0x00]), be16(locs.length), ...locs);

  const hdlr = full('hdlr', 0, 0, be32(0), 'pict', Buffer.alloc(12), '\0');
  const pitm = full('pitm', 0, 0, be16(gridId));
  const idat = grid ? box('idat', gridDesc) : Buffer.alloc(0);
  const meta = full('meta', 0, 0, hdlr, pitm, iloc, iinf, iref, iprp, idat);
  const ftyp = box('ftyp', 'heic', be32(0), 'mif1', 'heic', 'miaf');
  const mdat = box('mdat', ...tiles.map((t) => t.data), exif);
  return { head: Buffer.concat([ftyp, meta]), mdat };
}

const first = build(0);
const { head, mdat } = build(first.head.length);
writeFileSync(out, Buffer.concat([head, mdat]));
