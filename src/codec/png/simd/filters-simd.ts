/**
 * @module codec/png/simd/filters-simd
 * The SIMD PNG filters (filters.c, built by scripts/build-simd.sh png into
 * filters.wasm, committed) for 8-bit rows: the decoder's unfiltering (RGB,
 * RGBA) and the encoder's filter choice (grey, grey + alpha, RGB, RGBA).
 *
 * One instance per decode or encode, not a shared one: both are async (they
 * await the inflater/deflater between rows), so two requests in one isolate
 * would otherwise share its row buffers. The instance holds a few rows (two
 * row slots with `bpp` zero bytes before each, a zero row, an output row: under
 * 100 KB for an 8192-pixel RGBA row, at most ~4 MiB as rows are capped at
 * MAX_KERNEL_ROW_BYTES, beside the 128 KiB the module starts with),
 * never the image, and is garbage once the codec returns. Instantiating the
 * 5 KB module takes microseconds.
 */
import filtersModule from './filters.wasm';
import { bumpLayout } from '../../wasm/bump-layout';

/**
 * Widest row (bytes) the kernels take: 4 rows of it in linear memory. Wider rows
 * (a 12-megapixel-wide strip is within the pixel limits) use the JS filters, so a
 * pathological width cannot grow the instance beyond a few MiB.
 */
export const MAX_KERNEL_ROW_BYTES = 1 << 20;

interface FilterExports {
  memory: WebAssembly.Memory;
  __heap_base: WebAssembly.Global;
  unfilter_row(type: number, cur: number, prev: number, n: number, bpp: number): void;
  filter_row(row: number, prev: number, n: number, bpp: number, out: number): number;
  expand_rgb(src: number, n: number, dst: number): void;
}

/** Row buffers in the kernels' linear memory, for rows of `rowBytes` bytes of `bpp`-byte pixels. */
export class PngRowKernels {
  /** Two row slots (each preceded by 16 zero bytes: the left of the first pixel). */
  readonly slots: [Uint8Array, Uint8Array];
  /** A row of zeros (the row above the first), with its 16 zero bytes before it. */
  readonly zero: Uint8Array;
  /** Where filter() writes its type byte and residuals, and expandRgb() its pixels. */
  private readonly out: Uint8Array;
  private readonly k: FilterExports;
  private readonly slotPtr: [number, number];
  private readonly zeroPtr: number;
  private readonly outPtr: number;

  constructor(
    readonly rowBytes: number,
    /** Bytes per pixel: 1-4 for filter(), 3 or 4 for unfilter(). */
    readonly bpp: number,
  ) {
    const instance = new WebAssembly.Instance(filtersModule, {});
    this.k = instance.exports as unknown as FilterExports;
    // Each buffer: 16 bytes of zeros in front, the row, 16 bytes of slack, 16-byte aligned;
    // the output row also holds an RGB row expanded to RGBA.
    const outBytes = Math.max(rowBytes + 1, bpp === 3 ? (rowBytes / 3) * 4 : 0);
    const ptrs = bumpLayout(this.k.memory, this.k.__heap_base, [rowBytes, rowBytes, rowBytes, outBytes].map((b) => 16 + b + 16)).map((p) => p + 16);
    // Views made after the one grow stay valid (memory never grows again).
    const buf = this.k.memory.buffer;
    this.slotPtr = [ptrs[0]!, ptrs[1]!];
    this.zeroPtr = ptrs[2]!;
    this.outPtr = ptrs[3]!;
    this.slots = [new Uint8Array(buf, ptrs[0]!, rowBytes), new Uint8Array(buf, ptrs[1]!, rowBytes)];
    this.zero = new Uint8Array(buf, ptrs[2]!, rowBytes);
    this.out = new Uint8Array(buf, ptrs[3]!, outBytes);
  }

  private ptr(row: Uint8Array): number {
    if (row === this.slots[0]) return this.slotPtr[0];
    if (row === this.slots[1]) return this.slotPtr[1];
    if (row === this.zero) return this.zeroPtr;
    throw new Error('PngRowKernels: not one of its rows');
  }

  /** Reverses filter `type` (0-4) on `cur`'s first n bytes in place; cur and prev are this instance's rows. */
  unfilter(type: number, cur: Uint8Array, prev: Uint8Array, n: number): void {
    if (type !== 0) this.k.unfilter_row(type, this.ptr(cur), this.ptr(prev), n, this.bpp);
  }

  /**
   * Filters `row` against `prev` (this instance's rows, full rowBytes) with the
   * cheapest filter and copies type byte + residuals into `out`.
   */
  filter(row: Uint8Array, prev: Uint8Array, out: Uint8Array): void {
    this.k.filter_row(this.ptr(row), this.ptr(prev), this.rowBytes, this.bpp, this.outPtr);
    out.set(this.out.subarray(0, this.rowBytes + 1));
  }

  /** The first n RGB pixels of `row` (one of this instance's rows) as opaque RGBA; valid until the next call. */
  expandRgb(row: Uint8Array, n: number): Uint8Array {
    this.k.expand_rgb(this.ptr(row), n, this.outPtr);
    return this.out.subarray(0, n * 4);
  }
}
