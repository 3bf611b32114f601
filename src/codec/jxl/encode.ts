/**
 * @module codec/jxl/encode
 * JPEG XL output: libjxl's encoder (jSquash's `@jsquash/jxl`, Apache-2.0), the
 * single-threaded build without SIMD (its SIMD build needs threads, which
 * Workers lack). Its instance is registered as `jxl-enc` (codec/wasm/memory) and
 * dropped like the other codecs.
 *
 * Quality is libjxl's 0-100 scale (cjxl `-q`, mapped to a Butteraugli distance:
 * q90 is distance 1, "visually lossless"), which tracks libjpeg's scale, so the
 * same `quality` gives JPEG-like fidelity. Effort (cjxl `-e`, 1..9) is
 * {@link JXL_EFFORT}; the figures behind both are in docs/jxl.md.
 */
import jxlEncFactory from '@jsquash/jxl/codec/enc/jxl_enc.js';
// jSquash's binary with a small initial memory (scripts/patch-emscripten-memory.mjs, codec/wasm/emscripten).
import jxlEncModule from '../wasm/jsquash/jxl_enc.wasm';
import { defaultOptions as jxlDefaults } from '@jsquash/jxl/meta.js';
import type { Raster } from '../types';
import { callEmscripten, defineEmscripten, type Factory } from '../wasm/emscripten';

type JxlOptions = typeof jxlDefaults;

interface JxlEncoderModule {
  encode(data: BufferSource, width: number, height: number, options: JxlOptions): Uint8Array | null;
}

/** libjxl effort 1..9 (jSquash defaults to 7). See docs/jxl.md for the time/bytes trade. */
export const JXL_EFFORT = 3;
/** `compression=fast`: libjxl's fastest (lightning) mode. */
export const FAST_JXL_EFFORT = 1;

export const jxlEncoder = defineEmscripten<JxlEncoderModule>('jxl-enc', jxlEncFactory as Factory, jxlEncModule);

/** Encodes `r` as lossy JPEG XL at quality `q` (1..100) and `effort`; null when libjxl fails. */
export function encodeJxl(r: Raster, q: number, effort = JXL_EFFORT): Promise<Uint8Array | null> {
  return callEmscripten(jxlEncoder, (m) => m.encode(r.data, r.width, r.height, { ...jxlDefaults, quality: q, effort }));
}
