/**
 * @module codec/gif/frames
 * An animated GIF, one composited frame at a time, for the frame-by-frame path.
 *
 * omggif parses the block structure up front (offsets only, no pixels) and
 * decodes one frame's LZW stream on demand straight onto a canvas we own, drawing
 * only the frame's non-transparent pixels: that is GIF89a's compositing (§23,
 * Graphic Control Extension). We keep the canvas and, for disposal method 3, a
 * copy of the frame's rectangle; nothing else outlives a frame, so memory is the
 * canvas plus one frame whatever the frame count. (gifuct-js decodes frames into
 * patches too, but allocates per-frame objects and parses eagerly; omggif's
 * blit-into-a-buffer API is what streaming needs.)
 *
 * Disposal (GIF89a §23.c.iv), applied after the frame has been shown:
 * 0/1 leave the canvas; 2 "restore to background": the frame's rectangle becomes
 * the logical screen's background colour when the frame had no transparent
 * index, transparent when it had one (libnsgif's rule, which libvips and so our
 * reference use: an opaque GIF keeps its background, a sticker stays see-through);
 * 3 put back what the rectangle held before the frame was drawn. The canvas
 * starts transparent.
 */
import { GifReader } from 'omggif';
import { corrupt } from '../../errors';
import type { CanvasFrame, FrameReader } from '../animation';

export function readGifFrames(bytes: Uint8Array): FrameReader {
  let reader: GifReader;
  try {
    reader = new GifReader(bytes);
  } catch {
    throw corrupt('the GIF source could not be parsed (corrupt or truncated)');
  }
  const { width, height } = reader;
  const frameCount = reader.numFrames();
  for (let i = 0; i < frameCount; i++) {
    const f = reader.frameInfo(i);
    // omggif blits in canvas coordinates without clipping: a frame outside the canvas would wrap across rows.
    if (f.x + f.width > width || f.y + f.height > height) throw corrupt(`GIF frame ${i + 1} lies outside the ${width}x${height} canvas`);
  }
  const canvas = new Uint8Array(width * height * 4);
  const background = backgroundColour(bytes);
  let saved: Uint8Array | null = null;

  return {
    width,
    height,
    frameCount,
    loopCount: playsOf(reader.loopCount()),
    heldBytes: () => canvas.byteLength + (saved?.byteLength ?? 0),
    async *frames(): AsyncGenerator<CanvasFrame> {
      for (let i = 0; i < frameCount; i++) {
        const f = reader.frameInfo(i);
        saved = f.disposal === 3 ? copyRect(canvas, width, f) : null;
        try {
          reader.decodeAndBlitFrameRGBA(i, canvas);
        } catch {
          throw corrupt(`GIF frame ${i + 1} could not be decoded (corrupt or truncated)`);
        }
        yield { canvas: { width, height, data: canvas }, delayMs: f.delay * 10 };
        if (f.disposal === 2) fillRect(canvas, width, f, f.transparent_index === null ? background : 0);
        else if (f.disposal === 3 && saved) pasteRect(canvas, width, f, saved);
        saved = null;
      }
    },
  };
}

interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

function copyRect(canvas: Uint8Array, stride: number, r: Rect): Uint8Array {
  const out = new Uint8Array(r.width * r.height * 4);
  for (let y = 0; y < r.height; y++) {
    const from = ((r.y + y) * stride + r.x) * 4;
    out.set(canvas.subarray(from, from + r.width * 4), y * r.width * 4);
  }
  return out;
}

function pasteRect(canvas: Uint8Array, stride: number, r: Rect, rows: Uint8Array): void {
  for (let y = 0; y < r.height; y++) canvas.set(rows.subarray(y * r.width * 4, (y + 1) * r.width * 4), ((r.y + y) * stride + r.x) * 4);
}

/** Fills a rectangle with one RGBA colour, packed little-endian (R in the low byte). */
function fillRect(canvas: Uint8Array, stride: number, r: Rect, rgba: number): void {
  const words = new Uint32Array(canvas.buffer, canvas.byteOffset, canvas.length / 4);
  for (let y = 0; y < r.height; y++) {
    const from = (r.y + y) * stride + r.x;
    words.fill(rgba, from, from + r.width);
  }
}

/** The logical screen's background colour (GIF89a §18), opaque, packed; transparent when there is no global colour table. */
function backgroundColour(b: Uint8Array): number {
  if ((b[10]! & 0x80) === 0) return 0;
  const size = 2 << (b[10]! & 0x07);
  const index = b[11]!;
  if (index >= size) return 0;
  const p = 13 + index * 3;
  return ((0xff << 24) | (b[p + 2]! << 16) | (b[p + 1]! << 8) | b[p]!) >>> 0;
}

/** NETSCAPE2.0 repeats to plays (codec/animation LoopCount): none once, 0 forever, n repeats n + 1 plays. */
function playsOf(repeats: number | null): number {
  if (repeats === null) return 1;
  return repeats === 0 ? 0 : Math.min(0xffff, repeats + 1);
}
