/**
 * @module limits
 * Refuses, before decoding, what would not fit in an isolate's 128 MB, and
 * shares one pixel budget between the transforms an isolate runs at once.
 * Figures behind the defaults are in README.md ("Limits").
 */
import { busy, tooLarge } from './errors';
import type { Probe } from './probe';

export interface SourceLimits {
  /** Baseline JPEGs decode at reduced scale (DCT scaling) a few rows at a time: ~1 byte/pixel at 1/8. */
  maxJpegPixels: number;
  /** Progressive JPEGs scale too, but libjpeg keeps every coefficient: ~3.5 bytes/pixel. */
  maxProgressivePixels: number;
  /** PNG, decoded whole but in JS over native inflate: ~4 bytes/pixel, no WASM. */
  maxPngPixels: number;
  /** GIF (Photon, ~12 bytes/pixel of WASM) and WebP (libwebp, ~4 in WASM plus the JS copy), decoded whole. */
  maxPixels: number;
  maxFrames: number;
}

/** A baseline Huffman JPEG: libjpeg-turbo decodes it at reduced scale, a few rows at a time. */
export function isScalableJpeg(probe: Probe): boolean {
  return probe.format === 'jpeg' && !!probe.jpeg && !probe.jpeg.progressive && !probe.jpeg.arithmetic;
}

/** Which limit applies to this source, and its name in the error message. */
function limitFor(probe: Probe, limits: SourceLimits): { max: number; name: string } {
  if (probe.format === 'jpeg' && probe.jpeg) {
    return isScalableJpeg(probe)
      ? { max: limits.maxJpegPixels, name: 'MAX_JPEG_PIXELS' }
      : { max: limits.maxProgressivePixels, name: 'MAX_PROGRESSIVE_PIXELS' };
  }
  if (probe.format === 'png') return { max: limits.maxPngPixels, name: 'MAX_PNG_PIXELS' };
  return { max: limits.maxPixels, name: 'MAX_SOURCE_PIXELS' };
}

/** Throws 413 when the header says the image is too large to decode here. */
export function checkSourceLimits(probe: Probe, limits: SourceLimits): void {
  const pixels = probe.width * probe.height;
  const { max, name } = limitFor(probe, limits);
  if (pixels > max) {
    const mp = (n: number) => `${(n / 1e6).toFixed(1)} MP`;
    throw tooLarge(`source is ${probe.width}x${probe.height} (${mp(pixels)}); ${name} allows ${mp(max)} for this kind of image`);
  }
  if (probe.frames > limits.maxFrames) {
    throw tooLarge(`source has ${probe.frames} frames; MAX_FRAMES is ${limits.maxFrames}`);
  }
}

/**
 * A counting semaphore over pixels. Each transform reserves what it will hold at
 * its peak; one that does not fit waits (FIFO) up to `waitMs`, then gets 503.
 * A single request larger than the whole budget is admitted alone, so it is never
 * starved, but then nothing else runs beside it.
 */
export class PixelBudget {
  private inUse = 0;
  private readonly waiters: { pixels: number; wake: () => void }[] = [];

  constructor(readonly capacity: number) {}

  async acquire(pixels: number, waitMs: number): Promise<() => void> {
    const want = Math.min(pixels, this.capacity);
    if (this.waiters.length === 0 && this.inUse + want <= this.capacity) return this.grant(want);
    return new Promise((resolve, reject) => {
      const waiter = {
        pixels: want,
        wake: () => {
          clearTimeout(timer);
          resolve(this.grant(want));
        },
      };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(busy(Math.max(1, Math.ceil(waitMs / 1000))));
        this.drain();
      }, waitMs);
      this.waiters.push(waiter);
    });
  }

  get used(): number {
    return this.inUse;
  }

  private grant(pixels: number): () => void {
    this.inUse += pixels;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inUse -= pixels;
      this.drain();
    };
  }

  private drain(): void {
    while (this.waiters.length > 0 && this.inUse + this.waiters[0]!.pixels <= this.capacity) {
      this.waiters.shift()!.wake();
    }
  }
}

let isolateBudget: PixelBudget | undefined;

/** The isolate's one budget, shared by every request it serves; created with the first config's capacity. */
export function getIsolateBudget(capacity: number): PixelBudget {
  isolateBudget ??= new PixelBudget(capacity);
  return isolateBudget;
}
