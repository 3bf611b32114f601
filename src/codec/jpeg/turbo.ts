/**
 * @module codec/jpeg/turbo
 * Binding to our own wasm32 build of libjpeg-turbo 2.1.5 (Debian's source
 * package; C glue in codec/jpeg/wasm/glue.c, rebuilt by scripts/build-jpeg-wasm.sh):
 * one module that decodes and encodes.
 *
 * - Decode at M/8 scale (DCT scaling), so a 12 MP photo wanted at 300 px never
 *   exists at full size in memory; a progressive source wanted at 1/8 is decoded
 *   from its DC scans only (buffered-image mode, issue 10 item 5). The JPEG is
 *   streamed into the module in 64 KB reads and rows come out in strips, so the
 *   module's memory holds libjpeg's state, not the file or the image.
 * - Encode as sharp does by default (libjpeg's standard tables, no trellis,
 *   optimised Huffman tables, 4:2:0), fed by strips of rows; the file streams out.
 *
 * Decoder and encoder are two instances of the one compiled module, so a large
 * encode's coefficient buffer never forces the decoder out (codec/wasm/memory
 * trims each on its own size).
 *
 * Errors: libjpeg's error_exit calls the imported `fatal`, which throws
 * {@link LibjpegFatal}; that unwinds the WASM stack. We then put the exported
 * `__stack_pointer` back where it was before the call; every other piece of state
 * is re-created by the next job (glue.c resets its allocator arena per job), so
 * the instance stays warm. Anything else thrown out of the module (a trap) drops
 * the instance.
 */
import libjpegModule from './wasm/libjpeg.wasm';
import { LazyInstance } from '../wasm/memory';

/** TurboJPEG colorspace numbers (turbojpeg.h), as glue.c reports them. */
export const TJCS_CMYK = 3;
export const TJCS_YCCK = 4;

/** Rows per decode strip: one copy into JS per strip, not per row. */
const DECODE_STRIP_ROWS = 16;
/** Rows per encode strip: one 4:2:0 MCU row (16 lines). */
const ENCODE_STRIP_ROWS = 16;

interface LibjpegExports {
  memory: WebAssembly.Memory;
  __stack_pointer: WebAssembly.Global;
  dec_header(): number;
  dec_start(m: number, cmyk: number, dcOnly: number, rows: number): number;
  dec_strip(): number;
  dec_rows(): number;
  dec_finish(): number;
  enc_start(width: number, height: number, quality: number, progressive: number, rows: number): number;
  enc_rows(n: number): void;
  enc_finish(): number;
  arena_bytes(): number;
}

/** Thrown by the `fatal` import; marks a fatal libjpeg error (its msg_code, jerror.h). */
export class LibjpegFatal extends Error {
  constructor(readonly code: number) {
    super(`libjpeg fatal error ${code}`);
  }
}

/** Thrown when libjpeg finished but reported a warning (e.g. premature end of data). */
export class LibjpegWarning extends Error {
  constructor() {
    super('libjpeg warning');
  }
}

/** One instance: its exports plus the JS side of its `read`/`write` imports. */
interface Libjpeg {
  x: LibjpegExports;
  /** The JPEG being decoded, and how far `read` has got. */
  input: Uint8Array;
  inputAt: number;
  /** Encoded chunks `write` received. */
  output: Uint8Array[];
  /** Source bytes the last decode read (a DC-only decode stops early). */
  lastBytesRead: number;
}

function instantiate(): { binding: Libjpeg; memory: WebAssembly.Memory } {
  const self = { input: new Uint8Array(0), inputAt: 0, output: [], lastBytesRead: 0 } as unknown as Libjpeg;
  const instance = new WebAssembly.Instance(libjpegModule, {
    env: {
      fatal: (code: number) => {
        throw new LibjpegFatal(code);
      },
      read: (dst: number, max: number) => {
        const n = Math.min(max, self.input.byteLength - self.inputAt);
        new Uint8Array(self.x.memory.buffer, dst, n).set(self.input.subarray(self.inputAt, self.inputAt + n));
        self.inputAt += n;
        return n;
      },
      write: (src: number, len: number) => {
        self.output.push(new Uint8Array(self.x.memory.buffer, src, len).slice());
      },
    },
  });
  self.x = instance.exports as unknown as LibjpegExports;
  return { binding: self, memory: self.x.memory };
}

export const jpegTurbo = new LazyInstance<Libjpeg>('jpeg-turbo', instantiate);
export const jpegTurboEncoder = new LazyInstance<Libjpeg>('jpeg-turbo-enc', instantiate);

/**
 * Runs one job on `lazy`'s instance. A libjpeg fatal error restores the stack
 * pointer and rethrows (the instance stays); any other throw drops the instance.
 */
function run<R>(lazy: LazyInstance<Libjpeg>, job: (lj: Libjpeg) => R): R {
  const lj = lazy.get();
  const sp = lj.x.__stack_pointer.value as number;
  try {
    return job(lj);
  } catch (err) {
    if (err instanceof LibjpegFatal) lj.x.__stack_pointer.value = sp;
    else lazy.drop();
    throw err;
  } finally {
    lj.lastBytesRead = lj.inputAt;
    lj.input = new Uint8Array(0);
    lj.inputAt = 0;
    lj.output = [];
  }
}

export interface JpegHeader {
  width: number;
  height: number;
  colorspace: number;
  progressive: boolean;
}

export interface TurboDecoded {
  width: number;
  height: number;
  /** RGBA8, or CMYK8 when `cmyk` is true (converted by the caller). */
  data: Uint8Array;
  cmyk: boolean;
}

/**
 * Decodes `jpeg` at scale `scaleEighths`/8 (1..8); a progressive source at 1/8
 * from its DC scans only unless `dcOnly` is false (tests compare the two). Throws LibjpegFatal (corrupt
 * data) or LibjpegWarning (libjpeg recovered, e.g. truncated: TurboJPEG's rule
 * that a warning fails the call).
 */
export function decodeJpegTurbo(jpeg: Uint8Array, scaleEighths: (header: JpegHeader) => number, dcOnly = true): TurboDecoded {
  return run(jpegTurbo, (lj) => {
    lj.input = jpeg;
    lj.inputAt = 0;
    const x = lj.x;
    const at = x.dec_header();
    const [width = 0, height = 0, colorspace = 0, progressive = 0] = new Int32Array(x.memory.buffer, at, 5);
    const header: JpegHeader = { width, height, colorspace, progressive: progressive === 1 };
    const m = Math.min(8, Math.max(1, Math.round(scaleEighths(header))));
    const cmyk = colorspace === TJCS_CMYK || colorspace === TJCS_YCCK;
    const infoAt = x.dec_start(m, cmyk ? 1 : 0, dcOnly ? 1 : 0, DECODE_STRIP_ROWS);
    const info = new Int32Array(x.memory.buffer, infoAt, 8); // after dec_start: it may have grown the memory
    const outWidth = info[5]!;
    const outHeight = info[6]!;
    const rowBytes = outWidth * 4;
    const data = new Uint8Array(rowBytes * outHeight);
    const strip = x.dec_strip();
    for (let y = 0; y < outHeight; ) {
      const n = x.dec_rows();
      if (n <= 0) throw new LibjpegWarning();
      // The memory may have grown (new buffer) during dec_rows: view it afresh.
      data.set(new Uint8Array(x.memory.buffer, strip, n * rowBytes), y * rowBytes);
      y += n;
    }
    if (x.dec_finish() !== 0) throw new LibjpegWarning();
    return { width: outWidth, height: outHeight, data, cmyk };
  });
}

/**
 * Encodes an RGBA8 image (alpha ignored) as JPEG at libjpeg quality `quality`:
 * 4:2:0, optimised Huffman tables, baseline unless `progressive`.
 */
export function encodeJpegTurbo(rgba: Uint8Array, width: number, height: number, quality: number, progressive = false): Uint8Array {
  return run(jpegTurboEncoder, (lj) => {
    const x = lj.x;
    const strip = x.enc_start(width, height, quality, progressive ? 1 : 0, ENCODE_STRIP_ROWS);
    const rowBytes = width * 4;
    for (let y = 0; y < height; y += ENCODE_STRIP_ROWS) {
      const n = Math.min(ENCODE_STRIP_ROWS, height - y);
      new Uint8Array(x.memory.buffer, strip, n * rowBytes).set(rgba.subarray(y * rowBytes, (y + n) * rowBytes));
      x.enc_rows(n);
    }
    x.enc_finish();
    let size = 0;
    for (const c of lj.output) size += c.byteLength;
    const out = new Uint8Array(size);
    let at = 0;
    for (const c of lj.output) {
      out.set(c, at);
      at += c.byteLength;
    }
    return out;
  });
}

/** For tests and measurements: an instance's stack pointer, memory and last read count (undefined when not live). */
export function libjpegState(lazy: LazyInstance<Libjpeg>): { stackPointer: number; memoryBytes: number; lastBytesRead: number } | undefined {
  if (!lazy.isLive()) return undefined;
  const lj = lazy.get();
  return { stackPointer: lj.x.__stack_pointer.value as number, memoryBytes: lj.x.memory.buffer.byteLength, lastBytesRead: lj.lastBytesRead };
}
