/**
 * @module test/support/jxl
 * A JPEG XL decoder for tests only (libjxl's decoder from `@jsquash/jxl`, run in
 * workerd like the Worker's codecs): the Worker writes JXL but never reads it,
 * and sharp's prebuilt libvips has no JXL support.
 */
import jxlDecFactory from '@jsquash/jxl/codec/dec/jxl_dec.js';
import jxlDecModule from '@jsquash/jxl/codec/dec/jxl_dec.wasm';
import type { Raster } from '../../src/codec/types';
import { callEmscripten, defineEmscripten, toRaster, type Factory } from '../../src/codec/wasm/emscripten';

interface JxlDecoderModule {
  decode(data: BufferSource): { width: number; height: number; data: Uint8ClampedArray } | null;
}

const jxlDecoder = defineEmscripten<JxlDecoderModule>('test-jxl-dec', jxlDecFactory as Factory, jxlDecModule);

/** True for a JXL codestream (FF 0A) or container (ISO/IEC 18181-2 signature box). */
export function isJxl(b: Uint8Array): boolean {
  if (b[0] === 0xff && b[1] === 0x0a) return true;
  return String.fromCharCode(...b.subarray(0, 12)) === '\0\0\0\x0cJXL \r\n\x87\n';
}

/** Decodes JXL bytes to RGBA8. */
export async function decodeJxl(bytes: Uint8Array): Promise<Raster> {
  const out = await callEmscripten(jxlDecoder, (m) => m.decode(bytes));
  const raster = toRaster(out, 'JXL');
  // The decoder's result views its heap: copy it before the instance is dropped.
  const copy = { ...raster, data: raster.data.slice() };
  jxlDecoder.drop();
  return copy;
}
