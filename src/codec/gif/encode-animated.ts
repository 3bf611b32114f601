/**
 * @module codec/gif/encode-animated
 * Animated GIF output, one frame at a time, with gifenc: a small, dependency-free
 * JS encoder (no WASM memory) whose PnnQuant quantiser builds a palette per frame,
 * which keeps colour right when frames differ (a palette shared by all frames
 * would need every frame first, defeating streaming). The first frame's palette
 * is the global colour table, later frames carry a local one (GIF89a §21).
 *
 * Every output frame is the whole canvas, already composited by the reader, so
 * each is written with disposal 2 (restore to background): a transparent pixel
 * then shows the page, never the previous frame, as it did in the source.
 * GIF alpha is one bit: pixels under half opacity become transparent.
 * No WASM: its memory is the index, the quantiser's histogram and the stream.
 */
import { applyPalette, GIFEncoder, quantize, type Palette } from 'gifenc';
import type { FrameWriter, LoopCount } from '../animation';
import type { Raster } from '../types';
import { anyTransparentSimd } from '../resize/simd/resample-simd';

export function writeGifFrames(loopCount: LoopCount): FrameWriter {
  const gif = GIFEncoder({ initialCapacity: 64 * 1024 });
  let first = true;
  return {
    async add(frame: Raster, delayMs: number) {
      // Each frame has its own Graphic Control Extension: transparency only where the frame has some.
      const hasAlpha = anyTransparentSimd(frame.data);
      if (hasAlpha) clearBelowHalf(frame.data);
      const format = hasAlpha ? 'rgba4444' : 'rgb565';
      const palette: Palette = quantize(frame.data, 256, hasAlpha ? { format, oneBitAlpha: true, clearAlpha: true } : { format });
      const index = applyPalette(frame.data, palette, format);
      const transparentIndex = hasAlpha ? palette.findIndex((c) => c[3] === 0) : -1;
      // The quantiser may keep several fully transparent entries (transparent pixels of different colours);
      // GIF marks one index transparent, so every such entry is folded into it.
      if (transparentIndex >= 0) {
        const clear = palette.map((c) => c[3] === 0);
        for (let i = 0; i < index.length; i++) if (clear[index[i]!]) index[i] = transparentIndex;
      }
      gif.writeFrame(index, frame.width, frame.height, {
        palette,
        delay: delayMs,
        // Plays to NETSCAPE2.0 repeats; gifenc writes no block for -1 (play once).
        ...(first ? { repeat: loopCount === 0 ? 0 : loopCount - 1 === 0 ? -1 : loopCount - 1 } : {}),
        ...(transparentIndex >= 0 ? { transparent: true, transparentIndex } : {}),
        dispose: 2,
      });
      first = false;
    },
    // The stream grows geometrically: count its whole buffer, not just what it holds.
    heldBytes: () => gif.bytesView().buffer.byteLength,
    finish() {
      gif.finish();
      return gif.bytes();
    },
  };
}

/**
 * One-bit alpha, decided before quantising: a pixel under half opacity becomes
 * transparent black. Left to the quantiser, a faint pixel keeps its colour and
 * its nearest palette entry by RGB is the opaque one (resampled edges would show
 * as a halo). Changes the frame in place: the writer owns it once given.
 */
function clearBelowHalf(px: Uint8Array): void {
  for (let i = 3; i < px.length; i += 4) if (px[i]! < 128) px.fill(0, i - 3, i + 1);
}

/** A still GIF (format=gif on a still source, or an animation's first frame): one frame, no loop block. */
export async function encodeGif(r: Raster): Promise<Uint8Array> {
  const writer = writeGifFrames(1);
  await writer.add(r, 0);
  return writer.finish();
}
