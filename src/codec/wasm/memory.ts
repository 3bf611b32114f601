/**
 * @module codec/wasm/memory
 * Registry of every WASM instance the codec layer owns.
 *
 * WASM linear memory grows and never shrinks, and a Worker isolate has about
 * 128 MB for everything. So each codec lives in a {@link LazyInstance}: it is
 * instantiated from its (already compiled) module only when a request first needs
 * it, and it can be dropped at any time; the next use instantiates a fresh one
 * with a small memory. Instantiating from a compiled module costs well under a
 * millisecond for the small codecs, a few ms for the AVIF encoder.
 *
 * Per module (linear memory measured in workerd; registered name in brackets):
 * - [jpeg-turbo], [jpeg-turbo-enc] our libjpeg-turbo build (codec/jpeg/turbo,
 *   340 KB wasm), one instance decoding and one encoding. Start at 1 MB. The
 *   file streams in and rows stream out, so a baseline decode stays at 1 MB at
 *   every scale (12 MP full size included); a progressive one holds every
 *   coefficient (~3 bytes/pixel at 4:2:0: 12 MP ~36 MB); an encode holds its
 *   coefficients, 3 bytes/pixel (3840x2880: 32.5 MB).
 * - [jpeg-arith] libjpeg-turbo built with arithmetic decoding (vendored from
 *   @cornerstonejs/codec-libjpeg-turbo-8bit, codec/jpeg/arith), only for SOF9/10
 *   files. Starts at 1 MB; full-size decode, ~3 bytes/pixel (6 MP: 18 MB).
 * - [photon] Photon/Rust `image` (1.5 MB wasm), our own glue (codec/wasm/photon).
 *   ~1.5 MB idle; a full 12 MP PNG decode grows it to 149 MB, above the
 *   isolate's 128 MB: cap PNG/GIF pixel counts upstream (about 12 bytes/pixel).
 * - [webp-dec] our libwebp 1.2.4 decoder build (codec/webp/libwebp, 300 KB
 *   wasm, SSE2 paths on simd128). Starts at 0.19 MB; holds the file and the
 *   RGBA image while it decodes (freed after the copy-out): 4.0 MB after a
 *   1200x800 decode.
 * - [avif-dec], [webp-enc], [avif-enc], [jxl-enc]: Emscripten
 *   builds from jSquash, with their initial memory cut from 16 MB to what their
 *   stack needs (codec/wasm/jsquash: 0.2 MB for libwebp and libjxl, 6 MB for
 *   libavif), growing with the image. Idle after
 *   a 600x400 WebP encode ~3 MB, after a 640 w AVIF encode 15 MB: the
 *   idle cap keeps the AVIF encoder and both WebP codecs at once.
 * - [resize] Rust `resize` crate via @jsquash/resize (35 KB wasm). No longer on
 *   the request path (codec/resize/resize runs on [simd]); kept for comparisons.
 * - [simd] our SIMD kernels (codec/resize/simd, 6 KB wasm). Streams rows: holds one
 *   source row, a ring of filtered rows and one output row (< 1 MB at 3840 w),
 *   and is dropped after every call, so it is never live between stages.
 * - [color-simd] our matrix/TRC -> sRGB kernel (color/simd, 1 KB wasm): its
 *   tables and a 64 KB pixel chunk, under 256 KB, dropped after every call too.
 * Cold instantiation (measured with a 64 px job): Photon and libjpeg-turbo
 * (decoder or encoder) <= 1 ms, libwebp encoder 16 ms, AVIF encoder ~270 ms
 * (mostly libaom setup): keep the AVIF encoder unless memory is short.
 *
 * Instances are also dropped after any trap (Rust panic, Emscripten abort,
 * a trap in libjpeg): the heap may be half-updated and the stack pointer is not
 * unwound, so reusing it would risk corrupting the next request. (A libjpeg
 * fatal error is the exception: codec/jpeg/turbo restores the stack pointer and
 * its glue resets its arena per job, so that instance stays.)
 */

/** A lazily created, droppable WASM instance plus its JS binding. */
export class LazyInstance<T> {
  private value: T | undefined;
  private memory: WebAssembly.Memory | undefined;

  /**
   * @param name key in {@link wasmMemoryBytes}'s `modules`.
   * @param create builds a new binding and returns it with the instance's memory.
   */
  constructor(
    readonly name: string,
    private readonly create: () => { binding: T; memory: WebAssembly.Memory },
  ) {
    registry.set(name, this);
  }

  /** Returns the live binding, instantiating it on first use. */
  get(): T {
    if (this.value === undefined) {
      const { binding, memory } = this.create();
      this.value = binding;
      this.memory = memory;
      this.instantiations++;
    }
    return this.value;
  }

  /** How many instances this isolate has created (issue 10 item 3: a warm request creates none). */
  instantiations = 0;

  /** True when an instance currently exists. */
  isLive(): boolean {
    return this.value !== undefined;
  }

  /** Bytes of linear memory the live instance holds (0 when dropped). */
  memoryBytes(): number {
    return this.memory?.buffer.byteLength ?? 0;
  }

  /** Forgets the instance so the GC can return its memory; next get() starts fresh. */
  drop(): void {
    this.value = undefined;
    this.memory = undefined;
  }
}

/** Async variant, for Emscripten modules whose factory returns a promise. */
export class LazyAsyncInstance<T> {
  private value: Promise<T> | undefined;
  private memory: (() => WebAssembly.Memory | undefined) | undefined;

  constructor(
    readonly name: string,
    private readonly create: () => Promise<{ binding: T; memory: () => WebAssembly.Memory | undefined }>,
  ) {
    registry.set(name, this);
  }

  /** How many instances this isolate has started creating. */
  instantiations = 0;

  get(): Promise<T> {
    if (this.value === undefined) {
      this.instantiations++;
      const pending = this.create().then(({ binding, memory }) => {
        if (this.value === pending) this.memory = memory;
        return binding;
      });
      // A failed instantiation must not stick: the next call retries.
      pending.catch(() => {
        if (this.value === pending) this.drop();
      });
      this.value = pending;
    }
    return this.value;
  }

  isLive(): boolean {
    return this.value !== undefined;
  }

  memoryBytes(): number {
    return this.memory?.()?.buffer.byteLength ?? 0;
  }

  drop(): void {
    this.value = undefined;
    this.memory = undefined;
  }
}

interface Registered {
  readonly instantiations: number;
  memoryBytes(): number;
  isLive(): boolean;
  drop(): void;
}

const registry = new Map<string, Registered>();

/** Sums the linear memory of every live codec instance, per module. */
export function wasmMemoryBytes(): { total: number; modules: Record<string, number> } {
  const modules: Record<string, number> = {};
  let total = 0;
  for (const [name, entry] of registry) {
    const bytes = entry.memoryBytes();
    modules[name] = bytes;
    total += bytes;
  }
  return { total, modules };
}

/** Instances created so far in this isolate, per module: the debug endpoint and the warm-codec test read it. */
export function codecInstantiations(): Record<string, number> {
  return Object.fromEntries([...registry].map(([name, entry]) => [name, entry.instantiations]));
}

/**
 * Drops every instance whose memory grew past `thresholdBytes`, so its memory is
 * garbage-collected and the next request starts from a small fresh instance.
 * Call it between requests (never while a decode/encode is running: the caller
 * holding the old binding would still finish correctly, but its memory is kept
 * until it returns).
 */
export function recycleCodecs(thresholdBytes: number): void {
  for (const entry of registry.values()) {
    if (entry.isLive() && entry.memoryBytes() > thresholdBytes) entry.drop();
  }
}

/** Finds the exported linear memory of an instance whatever its export name. */
export function findMemory(exports: WebAssembly.Exports): WebAssembly.Memory {
  for (const value of Object.values(exports)) {
    if (value instanceof WebAssembly.Memory) return value;
  }
  throw new Error('WASM instance exports no memory');
}

/**
 * The policy run after every request: drop instances that grew past
 * `perInstanceBytes`, then, while the live total is still above `totalBytes`,
 * drop the largest. Idle Emscripten codecs hold 16 MB each, so without the
 * total bound four formats in use would pin 64 MB between requests.
 */
export function trimCodecs(perInstanceBytes: number, totalBytes: number): void {
  recycleCodecs(perInstanceBytes);
  const live = [...registry.values()].filter((e) => e.isLive()).sort((a, b) => b.memoryBytes() - a.memoryBytes());
  let total = live.reduce((n, e) => n + e.memoryBytes(), 0);
  for (const entry of live) {
    if (total <= totalBytes) break;
    total -= entry.memoryBytes();
    entry.drop();
  }
}
