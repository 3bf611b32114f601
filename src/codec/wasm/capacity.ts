/**
 * @module codec/wasm/capacity
 * Each encoder's working set, in bytes, for a width x height output: what it
 * holds beside the output raster while it runs (WASM linear memory that never
 * shrinks, or JS buffers), plus the encoded bytes. `codec/wasm/peak-memory.ts` adds
 * it to the rest of the job; `limits.ts` decides with the sum which format fits.
 * Measured in workerd (test/limits/memory.test.ts and output-memory.test.ts;
 * README "Limits"), rounded up:
 * - JPEG (our libjpeg-turbo, codec/jpeg/turbo): optimised Huffman tables need
 *   every DCT coefficient before the first byte is written, 2 bytes per sample,
 *   3 bytes/pixel at 4:2:0, in WASM; beside it a 16-row strip and libjpeg's
 *   state (< 1 MiB at 3840 w), and the encoded file, streamed out to JS chunks
 *   then joined (~0.1-0.5 byte/pixel at q75-85, twice at the join).
 * - libwebp ~28 MiB at 1200x900, ~64 at 1920x1440: ~22 bytes/pixel + 8 MiB. With real
 *   transparency (its lossless alpha plane) more: 60.6 MiB at 2000x1000 for a rasterised
 *   SVG with transparent areas (19.3 MiB for the same pixels opaque): ~28 bytes/pixel + 8 MiB.
 * - AVIF (libavif + aom) ~43 MiB at 1200x900, ~90 at 1920x1440: ~30 bytes/pixel + 16 MiB.
 * - PNG: our encoder over native deflate, in JS: the compressed stream (at worst
 *   the raw samples, for noise) and the final file, a copy of it.
 * - GIF: gifenc, in JS: the palette index, the quantiser's histogram and the LZW stream.
 * - JPEG XL (libjxl, effort 1 and 3 alike): 40 MiB at 640x480, 104 at 1200x900, 290 at
 *   1920x1440, 604 at 3000x2000 (scripts/tmp-free measurement in docs/jxl.md): ~100
 *   bytes/pixel + 16 MiB, the heaviest encoder by far, so a JXL output above ~0.8 MP
 *   falls back to AVIF (negotiate.ts).
 */
import type { OutputFormat } from '../types';

const MiB = 1024 * 1024;

/** Bytes an encoder holds beside the RGBA raster it is given, for a width x height output. */
export function encoderWorkingSet(format: OutputFormat, width: number, height: number, mayHaveAlpha = false): number {
  const px = width * height;
  switch (format) {
    case 'jpeg':
      return 2 * MiB + 3 * px + px;
    case 'webp':
      // A 16 MiB floor: jSquash's INITIAL_MEMORY. Our copies start at 0.2-6 MiB (codec/wasm/jsquash), so for
      // small outputs this is a margin; kept so admission (format fallbacks, 413s) is unchanged.
      return Math.max(16 * MiB, 8 * MiB + (mayHaveAlpha ? 30 : 22) * px) + px;
    case 'avif':
      return Math.max(16 * MiB, 16 * MiB + 30 * px) + px;
    case 'png':
      return MiB + 2 * 4 * px;
    case 'gif':
      // gifenc, JS: the palette index (1 byte/pixel), PnnQuant's 64 Ki-bin histogram, and
      // the LZW stream (at worst ~1.5 bytes/pixel, in a buffer that grows by up to 2x, then copied out).
      return 4 * MiB + px + 2 * 2 * 1.5 * px;
    case 'jxl':
      return 16 * MiB + 105 * px + px;
  }
}
