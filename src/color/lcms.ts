/**
 * @module color/lcms
 * LittleCMS 2.16 (lcms-wasm, MIT) for what the TS matrix path cannot do
 * exactly: LUT-based RGB/grey profiles (A2B0/A2B1) and CMYK profiles. It is
 * the CMS libvips (and so sharp and imgproxy) uses, so its answers are the
 * reference ones.
 *
 * Why this module and not a hand-written LUT interpreter: ICC LUT types
 * (lut8, lut16, lutAtoB with its B/M/A curves and CLUT) plus Lab PCS handling
 * are a lot of exact, fiddly code; LittleCMS is well-kept and small.
 * The glue is vendored by scripts/vendor-lcms.mjs (src/color/vendor): the package's own
 * glue takes its Node branch under nodejs_compat and fails on the undefined
 * `import.meta.url` of a wrangler bundle. Cost: 316 KB of WASM (114 KiB gzip)
 * + 67 KB JS glue; an instance is 16 MB of linear memory (the build puts a
 * ~15 MB stack below its heap, so this cannot be lowered) and 19 MB once a
 * LUT or CMYK transform is built. It is instantiated lazily, only
 * for a source with such a profile, registered with codec/wasm/memory (so the
 * request's memory meter counts it), and dropped as soon as the conversion is
 * done so it never adds to the encoder's peak.
 *
 * Pixels are streamed through a fixed 256 KiB window in WASM memory, in place
 * (LittleCMS allows the same input and output buffer when both formats have
 * the same pixel size): the raster is never copied whole into WASM.
 *
 * Precision: the 8-bit transform LittleCMS optimises (a precalculated device
 * link) is within 1.2/255 mean of libvips' floating-point path on the LUT
 * fixture; cmsFLAGS_HIGHRESPRECALC measured no better (1.25), so it is not used.
 */
import lcmsFactory from './vendor/lcms.js';
import lcmsModule from 'lcms-wasm/dist/lcms.wasm';
import { instantiateEmscripten, type EmscriptenFactory } from '../codec/wasm/emscripten-instance';
import { LazyAsyncInstance } from '../codec/wasm/memory';

interface LcmsModule {
  HEAPU8: Uint8Array;
  _malloc(n: number): number;
  _free(p: number): void;
  _cmsOpenProfileFromMem(p: number, n: number): number;
  _cmsCreate_sRGBProfile(): number;
  _cmsCloseProfile(h: number): number;
  _cmsCreateTransform(inProfile: number, inFormat: number, outProfile: number, outFormat: number, intent: number, flags: number): number;
  _cmsDoTransform(t: number, input: number, output: number, pixels: number): void;
  _cmsDeleteTransform(t: number): void;
}

// lcms2.h pixel formats: COLORSPACE_SH(pt) | EXTRA_SH(e) | CHANNELS_SH(c) | BYTES_SH(1).
const PT_GRAY = 3, PT_RGB = 4, PT_CMYK = 6;
const fmt = (pt: number, channels: number, extra: number) => (pt << 16) | (extra << 7) | (channels << 3) | 1;
const TYPE_RGBA_8 = fmt(PT_RGB, 3, 1);
const TYPE_CMYK_8 = fmt(PT_CMYK, 4, 0);
/** Grey with three padding bytes: reads R of an RGBA pixel whose R = G = B. */
const TYPE_GRAY_PAD3_8 = fmt(PT_GRAY, 1, 3);
/** ICC.1 7.2.15: relative colorimetric, libvips' default intent. */
const INTENT_RELATIVE = 1;


export const lcms = new LazyAsyncInstance<LcmsModule>('lcms', () =>
  instantiateEmscripten<LcmsModule>(lcmsFactory as EmscriptenFactory, lcmsModule));

/** Bytes per streamed window (a multiple of 4). */
const WINDOW = 256 * 1024;

export type LcmsInput = 'rgb' | 'gray' | 'cmyk';

/**
 * Converts 4-byte pixels of `data` to sRGB RGBA in place through `icc`:
 * 'rgb' and 'gray' read RGBA (alpha kept), 'cmyk' reads CMYK ink amounts and
 * writes opaque RGBA. Throws when LittleCMS cannot build the transform.
 * `observe` is called while the instance is still live, so the caller's
 * memory meter sees its peak before it is dropped.
 */
export async function lcmsToSrgb(icc: Uint8Array, input: LcmsInput, data: Uint8Array, observe?: () => void): Promise<void> {
  const m = await lcms.get();
  const profPtr = m._malloc(icc.length);
  let src = 0, dst = 0, xf = 0, win = 0;
  try {
    m.HEAPU8.set(icc, profPtr);
    src = m._cmsOpenProfileFromMem(profPtr, icc.length);
    if (!src) throw new Error('LittleCMS cannot read the profile');
    dst = m._cmsCreate_sRGBProfile();
    const inFormat = input === 'cmyk' ? TYPE_CMYK_8 : input === 'gray' ? TYPE_GRAY_PAD3_8 : TYPE_RGBA_8;
    xf = m._cmsCreateTransform(src, inFormat, dst, TYPE_RGBA_8, INTENT_RELATIVE, 0);
    if (!xf) throw new Error('LittleCMS cannot build a transform from the profile to sRGB');
    win = m._malloc(WINDOW);
    observe?.();
    for (let off = 0; off < data.length; off += WINDOW) {
      const chunk = data.subarray(off, Math.min(data.length, off + WINDOW));
      // HEAPU8 is re-read each time: a malloc may have grown (and replaced) the buffer.
      m.HEAPU8.set(chunk, win);
      m._cmsDoTransform(xf, win, win, chunk.length >> 2);
      const out = m.HEAPU8.subarray(win, win + chunk.length);
      if (input === 'cmyk') {
        chunk.set(out);
        for (let i = 3; i < chunk.length; i += 4) chunk[i] = 255;
      } else {
        // Extra (alpha) bytes are not written without cmsFLAGS_COPY_ALPHA, so `out` still holds them.
        chunk.set(out);
      }
    }
  } finally {
    try {
      if (win) m._free(win);
      if (xf) m._cmsDeleteTransform(xf);
      if (dst) m._cmsCloseProfile(dst);
      if (src) m._cmsCloseProfile(src);
      m._free(profPtr);
    } finally {
      // Always dropped, also after an abort (a hostile profile): its 16-19 MB must not sit
      // beside the encoder's working set, and a trapped instance must not be reused. LUT and
      // CMYK profiles are rare and a fresh instance costs about a millisecond. (Nothing
      // above awaits after get(), so no other request holds this instance mid-call.)
      lcms.drop();
    }
  }
}
