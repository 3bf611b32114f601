/**
 * @module bench/lib/sharp-job
 * The reference job: what sharp runs for a bench case, in the bench process and
 * in the one-core child (bench/lib/sharp-one-core.mjs), so both run the same code.
 */
import sharp from 'sharp';

sharp.concurrency(1); // one libvips worker thread, like one Worker isolate
sharp.cache(false); // no libvips operation cache between rounds

/**
 * sharp's JPEG settings matched to Thumbflare's encoder: sharp's own defaults (libjpeg-turbo-compatible: standard
 * quantisation tables, no trellis, optimised Huffman, 4:2:0, baseline), which our libjpeg-turbo build writes byte
 * for byte (codec/jpeg/encode; issue 10 item 5). Until it replaced MozJPEG, this was MozJPEG's profile (trellis,
 * table 3) on both sides.
 */
export const SHARP_JPEG = { chromaSubsampling: '4:2:0', optimiseCoding: true, progressive: false };

function sharpPipeline(c, buf) {
  const img = sharp(buf).rotate().resize({ width: c.width });
  switch (c.sharpFormat ?? c.format) {
    case 'jpeg': return img.jpeg({ quality: c.quality, ...SHARP_JPEG });
    case 'webp': return img.webp({ quality: c.quality }); // sharp's default effort 4 (Thumbflare: method 2, src/codec/webp/encode.ts)
    case 'avif': return c.sharpQuality ? img.avif({ quality: c.sharpQuality }) : img.avif();
    case 'png': return img.png();
    default: throw new Error(c.format);
  }
}

/** Wall time of one job, from an in-memory buffer to the encoded file. */
export async function timeSharp(c, buf) {
  const t = performance.now();
  const out = await sharpPipeline(c, buf).toBuffer();
  return { ms: performance.now() - t, body: out };
}
