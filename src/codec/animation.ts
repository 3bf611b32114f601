/**
 * @module codec/animation
 * Plain data of the frame-by-frame path (src/animation.ts): a reader that yields
 * an animation's composited canvas one frame at a time, and a writer that takes
 * one output frame at a time. Neither ever holds more than one decoded frame
 * beside the compositing canvas, so memory does not grow with the frame count.
 */
import type { Raster } from './types';

/** One displayed frame: the whole canvas as it looks while the frame shows. */
export interface CanvasFrame {
  /** The reader's own canvas: valid until the next frame is asked for; copy before changing it. */
  canvas: Raster;
  /** How long the frame shows, in milliseconds (GIF counts centiseconds). */
  delayMs: number;
}

/**
 * How many times the animation plays in all, `0` forever: WebP's ANIM loop
 * count as it is. A GIF's NETSCAPE2.0 value counts repeats after the first play
 * (0 forever, n plays n + 1 times, no block plays once), the reading browsers and
 * libvips share; the GIF reader and writer convert.
 */
export type LoopCount = number;

export interface FrameReader {
  width: number;
  height: number;
  frameCount: number;
  loopCount: LoopCount;
  /** JS bytes the reader holds between frames (canvas and disposal state), for the memory meter. */
  heldBytes(): number;
  /** The frames in order, each composited per its disposal and blend rules. */
  frames(): AsyncGenerator<CanvasFrame>;
}

export interface FrameWriter {
  /** Encodes one output frame; the writer may change its pixels (it owns the frame once given). */
  add(frame: Raster, delayMs: number): Promise<void>;
  /** Encoded bytes held so far (the output grows frame by frame). */
  heldBytes(): number;
  /** The whole file. */
  finish(): Uint8Array;
}
