/**
 * @module codec/webp/anim-mux
 * Animated WebP output, one frame at a time: each output frame is encoded by the
 * same libwebp still encoder as every WebP we write (lossy, alpha kept), and its
 * bitstream chunks (ALPH + VP8, or VP8L) are wrapped in an ANMF chunk. The file
 * is the extended format of the WebP RIFF container spec
 * (https://developers.google.com/speed/webp/docs/riff_container):
 * RIFF 'WEBP', VP8X (animation flag, alpha flag, canvas size), ANIM (background
 * colour, loop count), then one ANMF per frame. Every frame is the whole canvas,
 * already composited by the reader, so each is written at (0,0) with
 * "do not blend" and "do not dispose": it replaces the previous one exactly.
 * Only the encoded frames are kept between frames.
 */
import { u32le } from '../../bytes';
import { internal } from '../../errors';
import type { FrameWriter, LoopCount } from '../animation';
import type { Raster } from '../types';
import { encodeWebp } from './encode';

const MAX_DURATION = 0xffffff; // ANMF's 24-bit duration field

export function writeWebpFrames(loopCount: LoopCount, quality: number, method: number): FrameWriter {
  const frames: Uint8Array[] = [];
  let held = 0;
  let width = 0;
  let height = 0;
  let alpha = false;
  return {
    async add(frame: Raster, delayMs: number) {
      const still = await encodeWebp(frame, quality, method);
      if (!still || still.length < 20) throw internal();
      width = frame.width;
      height = frame.height;
      const { payload, hasAlpha } = bitstreamOf(still);
      alpha ||= hasAlpha;
      const anmf = new Uint8Array(8 + 16 + payload.length + (payload.length & 1));
      const view = new DataView(anmf.buffer);
      anmf.set([0x41, 0x4e, 0x4d, 0x46], 0); // ANMF
      view.setUint32(4, 16 + payload.length, true);
      // X/2 = 0, Y/2 = 0 (bytes 8..13 stay zero).
      writeU24(anmf, 14, frame.width - 1);
      writeU24(anmf, 17, frame.height - 1);
      writeU24(anmf, 20, Math.min(MAX_DURATION, Math.max(0, Math.round(delayMs))));
      anmf[23] = 0x02; // blending: do not blend; disposal: none
      anmf.set(payload, 24);
      frames.push(anmf);
      held += anmf.byteLength;
    },
    heldBytes: () => held,
    finish() {
      const size = 12 + 18 + 14 + held;
      const out = new Uint8Array(size);
      const view = new DataView(out.buffer);
      out.set([0x52, 0x49, 0x46, 0x46], 0); // RIFF
      view.setUint32(4, size - 8, true);
      out.set([0x57, 0x45, 0x42, 0x50, 0x56, 0x50, 0x38, 0x58], 8); // WEBP VP8X
      view.setUint32(16, 10, true);
      out[20] = 0x02 | (alpha ? 0x10 : 0); // animation, alpha
      writeU24(out, 24, width - 1);
      writeU24(out, 27, height - 1);
      out.set([0x41, 0x4e, 0x49, 0x4d], 30); // ANIM
      view.setUint32(34, 6, true);
      // Background colour 0,0,0,0 (bytes 38..41); loop count: plays, 0 forever.
      view.setUint16(42, Math.min(0xffff, loopCount), true);
      let p = 44;
      for (const f of frames) {
        out.set(f, p);
        p += f.byteLength;
      }
      frames.length = 0;
      return out;
    },
  };
}

/** The bitstream chunks of a still WebP libwebp wrote: everything after its RIFF header and VP8X. */
function bitstreamOf(still: Uint8Array): { payload: Uint8Array; hasAlpha: boolean } {
  let p = 12;
  let hasAlpha = false;
  const keep: [number, number][] = [];
  while (p + 8 <= still.length) {
    const tag = String.fromCharCode(still[p]!, still[p + 1]!, still[p + 2]!, still[p + 3]!);
    const size = u32le(still, p + 4);
    const end = Math.min(still.length, p + 8 + size + (size & 1));
    if (tag === 'ALPH') hasAlpha = true;
    // ANMF carries only the frame's bitstream (ALPH, VP8, VP8L); VP8X/ICCP/EXIF belong to the file.
    if (tag === 'ALPH' || tag === 'VP8 ' || tag === 'VP8L') keep.push([p, end]);
    if (tag === 'VP8L' && (still[p + 8 + 4]! & 0x10) !== 0) hasAlpha = true; // VP8L header: alpha_is_used bit
    p = end;
  }
  const length = keep.reduce((n, [a, b]) => n + b - a, 0);
  const payload = new Uint8Array(length);
  let at = 0;
  for (const [a, b] of keep) {
    payload.set(still.subarray(a, b), at);
    at += b - a;
  }
  return { payload, hasAlpha };
}

function writeU24(b: Uint8Array, p: number, v: number): void {
  b[p] = v & 0xff;
  b[p + 1] = (v >> 8) & 0xff;
  b[p + 2] = (v >> 16) & 0xff;
}
