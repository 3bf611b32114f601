/**
 * @module codec/jpeg/turbo
 * Hand-written binding to the libjpeg-turbo (TurboJPEG API) build shipped by
 * `@cwasm/jpeg-turbo`. Its own JS glue reads the .wasm with `fs`, which Workers
 * lack, so we instantiate the imported module ourselves.
 *
 * The reason to use it: `tjDecompress2` decodes at M/8 scale (DCT scaling), so a
 * 12 MP photo wanted at 300 px never exists at full size in memory.
 *
 * Errors: libjpeg reports fatal errors through `longjmp`; our `longjmp` import
 * throws, which unwinds out of the WASM call. The C stack pointer is not restored
 * and the allocations of the failed call leak, so the instance is dropped after
 * any such error (see codec/wasm/memory).
 */
import jpegTurboModule from '@cwasm/jpeg-turbo/jpeg-turbo.wasm';
import { LazyInstance } from '../wasm/memory';

/** TurboJPEG pixel formats (turbojpeg.h). */
const TJPF_RGBA = 7;
const TJPF_CMYK = 11;
/** TurboJPEG colorspaces (turbojpeg.h). */
export const TJCS_CMYK = 3;
export const TJCS_YCCK = 4;

interface TurboExports {
  memory: WebAssembly.Memory;
  malloc(size: number): number;
  free(ptr: number): void;
  tjInitDecompress(): number;
  tjDestroy(handle: number): number;
  tjDecompressHeader3(
    handle: number, buf: number, size: number,
    width: number, height: number, subsamp: number, colorspace: number,
  ): number;
  tjDecompress2(
    handle: number, buf: number, size: number, dst: number,
    width: number, pitch: number, height: number, pixelFormat: number, flags: number,
  ): number;
}

/** Thrown by the longjmp import; marks a fatal libjpeg error. */
export class LibjpegFatal extends Error {
  constructor() {
    super('libjpeg fatal error');
  }
}

/** Thrown when libjpeg finished but reported a warning (e.g. premature end of data). */
export class LibjpegWarning extends Error {
  constructor() {
    super('libjpeg warning');
  }
}

function instantiateTurbo(): { binding: TurboExports; memory: WebAssembly.Memory } {
  const unsupportedSyscall = () => {
    throw new LibjpegFatal();
  };
  const instance = new WebAssembly.Instance(jpegTurboModule, {
    env: {
      // setjmp "returns 0" once; libjpeg's error_exit then calls longjmp, which we
      // turn into a JS exception instead of a jump back.
      setjmp: () => 0,
      longjmp: () => {
        throw new LibjpegFatal();
      },
    },
    wasi_snapshot_preview1: {
      environ_sizes_get: () => 0,
      environ_get: () => 0,
      proc_exit: unsupportedSyscall,
      fd_close: () => 0,
      fd_seek: () => 0,
      // libjpeg writes warnings/trace to stderr only when configured to; ignore.
      fd_write: () => 0,
    },
  });
  const binding = instance.exports as unknown as TurboExports;
  return { binding, memory: binding.memory };
}

export const jpegTurbo = new LazyInstance<TurboExports>('jpeg-turbo', instantiateTurbo);

export interface JpegHeader {
  width: number;
  height: number;
  subsampling: number;
  colorspace: number;
}

export interface TurboDecoded {
  width: number;
  height: number;
  /** RGBA8, or CMYK8 when `cmyk` is true (converted by the caller). */
  data: Uint8Array;
  cmyk: boolean;
}

/**
 * Decodes `jpeg` at scale `scaleEighths`/8 (1..8). Throws LibjpegFatal or
 * LibjpegWarning; either way a thrown call drops the instance.
 */
export function decodeJpegTurbo(jpeg: Uint8Array, scaleEighths: (header: JpegHeader) => number): TurboDecoded {
  const tj = jpegTurbo.get();
  let handle = 0;
  let input = 0;
  let meta = 0;
  let output = 0;
  let failed = true;
  try {
    input = tj.malloc(jpeg.byteLength);
    meta = tj.malloc(16);
    if (input === 0 || meta === 0) throw new Error('libjpeg-turbo: out of memory');
    new Uint8Array(tj.memory.buffer, input, jpeg.byteLength).set(jpeg);
    handle = tj.tjInitDecompress();
    if (handle === 0) throw new Error('libjpeg-turbo: tjInitDecompress failed');
    if (tj.tjDecompressHeader3(handle, input, jpeg.byteLength, meta, meta + 4, meta + 8, meta + 12) !== 0) {
      throw new LibjpegFatal();
    }
    const [width = 0, height = 0, subsampling = 0, colorspace = 0] = new Int32Array(tj.memory.buffer, meta, 4);
    const header: JpegHeader = { width, height, subsampling, colorspace };
    const m = Math.min(8, Math.max(1, Math.round(scaleEighths(header))));
    // TJSCALED(): ceil(dim * M / 8). Passing exactly these dimensions makes
    // tjDecompress2 pick the M/8 factor.
    const outWidth = Math.ceil((width * m) / 8);
    const outHeight = Math.ceil((height * m) / 8);
    const cmyk = colorspace === TJCS_CMYK || colorspace === TJCS_YCCK;
    const size = outWidth * outHeight * 4;
    output = tj.malloc(size);
    if (output === 0) throw new Error('libjpeg-turbo: out of memory');
    const status = tj.tjDecompress2(
      handle, input, jpeg.byteLength, output, outWidth, outWidth * 4, outHeight,
      cmyk ? TJPF_CMYK : TJPF_RGBA, 0,
    );
    // A fatal error never returns (longjmp throws); -1 here is a warning such
    // as truncated data, where the bottom of the image is filler.
    if (status !== 0) throw new LibjpegWarning();
    const data = new Uint8Array(tj.memory.buffer, output, size).slice();
    failed = false;
    return { width: outWidth, height: outHeight, data, cmyk };
  } finally {
    if (failed) {
      // The stack pointer and heap may be inconsistent after a throw out of WASM.
      jpegTurbo.drop();
    } else {
      tj.free(output);
      tj.free(meta);
      tj.free(input);
      tj.tjDestroy(handle);
    }
  }
}
