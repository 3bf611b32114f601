/**
 * @module codec/webp/anim-demux
 * An animated WebP, one composited frame at a time, for the frame-by-frame path.
 * libwebp's still decoder (the one we ship) refuses animations, so we read the
 * container ourselves (WebP RIFF container spec, "Extended File Format":
 * https://developers.google.com/speed/webp/docs/riff_container): the ANIM chunk
 * gives the loop count, each ANMF chunk a frame's offset, size, duration, blend
 * and disposal bits and its bitstream (ALPH + VP8, or VP8L). Each frame's
 * bitstream is wrapped as a still WebP and decoded by libwebp, then composited
 * onto a canvas we keep:
 *  - before a frame is drawn, the previous frame's rectangle is cleared to
 *    transparent when its dispose bit was set (the spec allows ignoring the ANIM
 *    background colour; browsers use transparent);
 *  - the frame is alpha-blended onto the canvas ("src-over"), or replaces its
 *    rectangle when its blending bit says "do not blend".
 * Only the canvas and one decoded frame are alive at a time.
 */
import { fourcc, u24le, u32le } from '../../bytes';
import { corrupt } from '../../errors';
import type { CanvasFrame, FrameReader } from '../animation';
import type { Raster } from '../types';
import { decodeWebpStill } from './libwebp';

interface Chunk {
  fourcc: string;
  /** Payload start and end in the file. */
  start: number;
  end: number;
}

interface FrameChunk {
  x: number;
  y: number;
  width: number;
  height: number;
  durationMs: number;
  blend: boolean;
  dispose: boolean;
  /** The frame's own chunks (ALPH, VP8, VP8L), as a slice of the file. */
  start: number;
  end: number;
}


/** The chunks between `from` and `to`; chunk payloads are padded to even sizes (RIFF). */
function chunksOf(b: Uint8Array, from: number, to: number): Chunk[] {
  const out: Chunk[] = [];
  let p = from;
  while (p + 8 <= to) {
    const size = u32le(b, p + 4);
    const start = p + 8;
    const end = start + size;
    if (end > to) throw corrupt('animated WebP chunk runs past the end of the file');
    out.push({ fourcc: fourcc(b, p), start, end });
    p = end + (size & 1);
  }
  return out;
}

export function readWebpFrames(bytes: Uint8Array): FrameReader {
  if (bytes.length < 30 || fourcc(bytes, 0) !== 'RIFF' || fourcc(bytes, 8) !== 'WEBP') throw corrupt('the source is not a valid WebP file');
  const riffEnd = Math.min(bytes.length, 8 + u32le(bytes, 4));
  const chunks = chunksOf(bytes, 12, riffEnd);
  const vp8x = chunks[0];
  if (!vp8x || vp8x.fourcc !== 'VP8X' || vp8x.end - vp8x.start < 10) throw corrupt('animated WebP has no VP8X header');
  const width = u24le(bytes, vp8x.start + 4) + 1;
  const height = u24le(bytes, vp8x.start + 7) + 1;
  const anim = chunks.find((c) => c.fourcc === 'ANIM');
  if (!anim || anim.end - anim.start < 6) throw corrupt('animated WebP has no ANIM chunk');
  const loopCount = bytes[anim.start + 4]! | (bytes[anim.start + 5]! << 8);
  const frames: FrameChunk[] = chunks.filter((c) => c.fourcc === 'ANMF').map((c, i) => {
    if (c.end - c.start < 16) throw corrupt(`animated WebP frame ${i + 1} is truncated`);
    const f = {
      x: 2 * u24le(bytes, c.start),
      y: 2 * u24le(bytes, c.start + 3),
      width: u24le(bytes, c.start + 6) + 1,
      height: u24le(bytes, c.start + 9) + 1,
      durationMs: u24le(bytes, c.start + 12),
      blend: (bytes[c.start + 15]! & 0x02) === 0,
      dispose: (bytes[c.start + 15]! & 0x01) !== 0,
      start: c.start + 16,
      end: c.end,
    };
    if (f.x + f.width > width || f.y + f.height > height) throw corrupt(`animated WebP frame ${i + 1} lies outside the ${width}x${height} canvas`);
    return f;
  });
  if (frames.length === 0) throw corrupt('animated WebP has no frames');
  const canvas = new Uint8Array(width * height * 4);
  let frameBytes = 0;

  return {
    width,
    height,
    frameCount: frames.length,
    loopCount,
    heldBytes: () => canvas.byteLength + frameBytes,
    async *frames(): AsyncGenerator<CanvasFrame> {
      let previous: FrameChunk | null = null;
      for (const [i, f] of frames.entries()) {
        if (previous?.dispose) clearRect(canvas, width, previous);
        let decoded: Raster;
        try {
          decoded = decodeWebpStill(stillWebp(bytes, f));
        } catch {
          throw corrupt(`animated WebP frame ${i + 1} could not be decoded (corrupt or truncated)`);
        }
        if (decoded.width !== f.width || decoded.height !== f.height) throw corrupt(`animated WebP frame ${i + 1} is ${decoded.width}x${decoded.height}, its ANMF header says ${f.width}x${f.height}`);
        frameBytes = decoded.data.byteLength;
        draw(canvas, width, f, decoded.data);
        frameBytes = 0;
        yield { canvas: { width, height, data: canvas }, delayMs: f.durationMs };
        previous = f;
      }
    },
  };
}

/**
 * A frame's bitstream as a still WebP file libwebp decodes: VP8L or VP8 alone in
 * the simple format; ALPH + VP8 needs the extended format, a VP8X with the alpha flag.
 */
function stillWebp(b: Uint8Array, f: FrameChunk): Uint8Array {
  const payload = b.subarray(f.start, f.end);
  const hasAlph = chunksOf(b, f.start, f.end).some((c) => c.fourcc === 'ALPH');
  const head = hasAlph ? 30 : 12;
  const out = new Uint8Array(head + payload.length);
  const view = new DataView(out.buffer);
  out.set([0x52, 0x49, 0x46, 0x46], 0); // RIFF
  view.setUint32(4, out.length - 8, true);
  out.set([0x57, 0x45, 0x42, 0x50], 8); // WEBP
  if (hasAlph) {
    out.set([0x56, 0x50, 0x38, 0x58], 12); // VP8X
    view.setUint32(16, 10, true);
    out[20] = 0x10; // alpha
    writeU24(out, 24, f.width - 1);
    writeU24(out, 27, f.height - 1);
  }
  out.set(payload, head);
  return out;
}

function writeU24(b: Uint8Array, p: number, v: number): void {
  b[p] = v & 0xff;
  b[p + 1] = (v >> 8) & 0xff;
  b[p + 2] = (v >> 16) & 0xff;
}

function clearRect(canvas: Uint8Array, stride: number, r: { x: number; y: number; width: number; height: number }): void {
  for (let y = 0; y < r.height; y++) {
    const from = ((r.y + y) * stride + r.x) * 4;
    canvas.fill(0, from, from + r.width * 4);
  }
}

/** Draws a frame onto the canvas: src-over when it blends, a plain copy when it does not. */
function draw(canvas: Uint8Array, stride: number, f: FrameChunk, px: Uint8Array): void {
  for (let y = 0; y < f.height; y++) {
    const row = y * f.width * 4;
    const at = ((f.y + y) * stride + f.x) * 4;
    if (!f.blend) {
      canvas.set(px.subarray(row, row + f.width * 4), at);
      continue;
    }
    for (let x = 0; x < f.width * 4; x += 4) {
      const sa = px[row + x + 3]!;
      if (sa === 255) {
        canvas[at + x] = px[row + x]!;
        canvas[at + x + 1] = px[row + x + 1]!;
        canvas[at + x + 2] = px[row + x + 2]!;
        canvas[at + x + 3] = 255;
      } else if (sa !== 0) {
        // Non-premultiplied src-over (the container spec's formula).
        const da = canvas[at + x + 3]!;
        const outA = sa + (da * (255 - sa)) / 255;
        for (let c = 0; c < 3; c++) canvas[at + x + c] = Math.round((px[row + x + c]! * sa + (canvas[at + x + c]! * da * (255 - sa)) / 255) / outA);
        canvas[at + x + 3] = Math.round(outA);
      }
    }
  }
}
