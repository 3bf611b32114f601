/**
 * @module test/support/animations
 * Node side of the animation tests (runs in the origin server, test/support/origin-server.ts):
 *  - generated animated sources, served under /gen/ (made at test time, never committed);
 *  - POST /__anim: libvips (sharp) reads an animation and answers its frame count,
 *    per-frame delays, loop count and, on request, one composited frame as RGBA,
 *    optionally resized: the independent reference the tests compare our output with.
 */
import { GIFEncoder } from 'gifenc';
import sharp from 'sharp';

type Generated = () => Promise<{ type: string; body: Buffer }>;

/** A palette of exact colours; an index per pixel. */
function gifOf(frames: { index: Uint8Array; x: number; y: number; width: number; height: number; delayMs: number; dispose: number; transparent?: boolean }[], canvas: { width: number; height: number }, palette: number[][], repeat: number): Buffer {
  const gif = GIFEncoder({ auto: false });
  // Manual mode: header, logical screen (the canvas) and the global palette, then frames that may be sub-rectangles.
  const head: number[] = [...Buffer.from('GIF89a', 'latin1'), canvas.width & 0xff, canvas.width >> 8, canvas.height & 0xff, canvas.height >> 8, 0xf7, 0, 0];
  const table = palette.flatMap((c) => c.slice(0, 3));
  while (table.length < 256 * 3) table.push(0);
  const netscape = repeat >= 0 ? [0x21, 0xff, 0x0b, ...Buffer.from('NETSCAPE2.0', 'latin1'), 3, 1, repeat & 0xff, repeat >> 8, 0] : [];
  const parts: Buffer[] = [Buffer.from([...head, ...table, ...netscape])];
  for (const f of frames) {
    gif.writeFrame(f.index, f.width, f.height, { delay: f.delayMs, dispose: f.dispose, first: false, ...(f.transparent ? { transparent: true, transparentIndex: 0 } : {}) } as never);
    // gifenc writes the image descriptor at (0,0): patch its left/top for a sub-rectangle frame.
    const bytes = Buffer.from(gif.bytesView());
    const desc = 8; // after the 8-byte graphic control extension
    bytes.writeUInt16LE(f.x, desc + 1);
    bytes.writeUInt16LE(f.y, desc + 3);
    parts.push(bytes);
    gif.reset();
  }
  parts.push(Buffer.from([0x3b]));
  return Buffer.concat(parts);
}

declare module 'gifenc' {
  interface Encoder {
    reset(): void;
  }
}

/** Colours of the small test animation (index = palette entry). */
export const TEST_COLOURS = [[128, 128, 128], [220, 30, 30], [30, 200, 40], [40, 60, 220], [240, 220, 20], [200, 40, 200], [20, 210, 210], [250, 250, 250]];
/** Per-frame delays of anim-test.gif in ms (GIF stores centiseconds). */
export const TEST_DELAYS = [40, 80, 120, 160, 200, 240];
export const TEST_LOOP = 3;

/**
 * anim-test.gif, 160x120, 6 frames: frame 0 is grey with a blue bottom-left
 * quadrant; each later frame paints only the top-left 80x60 quadrant in its own
 * colour (disposal 1: kept), so frames are composites of sub-rectangles.
 */
function testGif(): Buffer {
  const W = 160;
  const H = 120;
  const base = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) base[y * W + x] = x < W / 2 && y >= H / 2 ? 3 : 0;
  const frames = TEST_DELAYS.map((delayMs, i) => i === 0
    ? { index: base, x: 0, y: 0, width: W, height: H, delayMs, dispose: 1 }
    : { index: new Uint8Array(80 * 60).fill([1, 2, 4, 5, 6][i - 1]!), x: 0, y: 0, width: 80, height: 60, delayMs, dispose: 1 });
  return gifOf(frames, { width: W, height: H }, TEST_COLOURS, TEST_LOOP);
}

/**
 * anim-alpha.gif, 96x64, 4 frames on a transparent canvas (index 0 transparent): a
 * square in its own colour moves right; disposal 2 clears it to transparent
 * before the next (libnsgif: a frame with a transparent index restores to transparent).
 */
function alphaGif(): Buffer {
  const W = 96;
  const H = 64;
  const frames = [1, 2, 3, 4].map((colour, i) => {
    const index = new Uint8Array(W * H);
    for (let y = 16; y < 48; y++) index.fill(colour, y * W + 8 + i * 16, y * W + 8 + i * 16 + 32);
    return { index, x: 0, y: 0, width: W, height: H, delayMs: 100, dispose: 2, transparent: true };
  });
  return gifOf(frames, { width: W, height: H }, TEST_COLOURS, 0);
}

/** 200 frames of 500x500 (50 MP in all: Cloudflare's budget exactly), bands and a moving square, for the memory test. */
function bigGif(): Buffer {
  const W = 500;
  const frames = Array.from({ length: 200 }, (_, i) => {
    const index = new Uint8Array(W * W);
    for (let y = 0; y < W; y++) index.fill(((y + i * 5) >> 5) & 7, y * W, (y + 1) * W);
    const sx = (i * 11) % (W - 60);
    for (let y = 200; y < 260; y++) index.fill(7, y * W + sx, y * W + sx + 60);
    return { index, x: 0, y: 0, width: W, height: W, delayMs: 40, dispose: 1 };
  });
  return gifOf(frames, { width: W, height: W }, TEST_COLOURS, 0);
}

export const ANIMATIONS: Record<string, Generated> = {
  'anim-test.gif': async () => ({ type: 'image/gif', body: testGif() }),
  // The same animation as libwebp's animation encoder writes it (sub-rectangle frames, blending): our demuxer's input.
  'anim-test.webp': async () => ({ type: 'image/webp', body: await sharp(testGif(), { animated: true }).webp({ quality: 90 }).toBuffer() }),
  // Lossless frames (VP8L, no ALPH chunk): the demuxer's other bitstream.
  'anim-alpha-lossless.webp': async () => ({ type: 'image/webp', body: await sharp(alphaGif(), { animated: true }).webp({ lossless: true }).toBuffer() }),
  'anim-alpha.gif': async () => ({ type: 'image/gif', body: alphaGif() }),
  // libwebp's animation encoder writes ALPH + VP8 sub-rectangles with blending and disposal: the demuxer's harder case.
  'anim-alpha.webp': async () => ({ type: 'image/webp', body: await sharp(alphaGif(), { animated: true }).webp({ quality: 90 }).toBuffer() }),
  // anim-test.webp with frame 3's VP8 start code broken: the container is sound, the frame is not.
  'anim-corrupt.webp': async () => {
    const webp = await sharp(testGif(), { animated: true }).webp({ quality: 90 }).toBuffer();
    let at = 0;
    for (let n = 0; n < 3; n++) at = webp.indexOf('ANMF', at + 1, 'latin1');
    const vp8 = webp.indexOf(Buffer.from([0x9d, 0x01, 0x2a]), at);
    if (at < 0 || vp8 < 0) throw new Error('anim-corrupt.webp: no third lossy frame to break');
    webp.fill(0, vp8, vp8 + 3);
    return { type: 'image/webp', body: webp };
  },
  'anim-200f-500.gif': async () => ({ type: 'image/gif', body: bigGif() }),
};

/**
 * POST /__anim[?frame=N[&width=W&height=H][&rotate=90|180|270][&flip=h|v]]: libvips' reading of the
 * animation in the body; the frame resized (fill) first, then turned and flipped, as the pipeline orders them.
 */
export async function inspectAnimation(body: Buffer, url: URL): Promise<unknown> {
  const meta = await sharp(body, { animated: true }).metadata();
  const out: Record<string, unknown> = { format: meta.format, pages: meta.pages ?? 1, delay: meta.delay ?? [], loop: meta.loop, width: meta.width, pageHeight: meta.pageHeight ?? meta.height };
  const frame = url.searchParams.get('frame');
  if (frame !== null) {
    let img = sharp(body, { page: Number(frame) }).ensureAlpha();
    const w = url.searchParams.get('width');
    const h = url.searchParams.get('height');
    if (w && h) img = img.resize(Number(w), Number(h), { fit: 'fill' });
    const rotate = Number(url.searchParams.get('rotate') ?? 0);
    const flip = url.searchParams.get('flip');
    if (rotate || flip) {
      // A second pass: sharp would otherwise turn before it resizes.
      const resized = await img.raw().toBuffer({ resolveWithObject: true });
      img = sharp(resized.data, { raw: { width: resized.info.width, height: resized.info.height, channels: 4 } });
      if (rotate) img = img.rotate(rotate);
      if (flip === 'h') img = img.flop();
      if (flip === 'v') img = img.flip();
    }
    const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
    out.frame = { width: info.width, height: info.height, data: data.toString('base64') };
  }
  return out;
}
