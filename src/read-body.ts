/**
 * @module read-body
 * Reads a response body into one buffer at wire speed, with the byte limit
 * enforced while streaming and a deadline that cancels the read.
 *
 * - Content-Length known: one buffer of exactly that size, filled in place by a
 *   BYOB reader (no chunk list, no final copy). The declared length is only a
 *   first guess: a body that runs past it (a lying header, or a decompressed
 *   `Content-Encoding` body, whose header counts the compressed bytes) grows
 *   the buffer like an unknown length does, and still stops at `maxBytes`.
 * - Unknown length: the buffer grows geometrically (x2), capped at maxBytes + 1
 *   so passing the limit is seen without buffering more.
 * - The deadline is an AbortSignal: on abort the reader is cancelled, so there
 *   is no per-chunk race against a timer promise. A fetch made with the same
 *   signal also errors its body stream.
 * Uses workerd's `readAtLeast` (a BYOB extension) when present, so a 5 MB body
 * takes a few large reads instead of hundreds of socket-sized ones; falls back
 * to a default reader for streams that are not byte streams.
 */
import { originFailed, originTimeout, tooLarge, type ImageError } from './errors';

/** First buffer size when the length is unknown. */
const INITIAL_BYTES = 256 * 1024;
/** How much a BYOB read asks to receive at least before it resolves. */
const READ_AT_LEAST = 1024 * 1024;

type ByobReader = ReadableStreamBYOBReader & {
  readAtLeast?: <T extends ArrayBufferView>(min: number, view: T) => Promise<ReadableStreamReadResult<T>>;
};

/**
 * Reads `res`'s body, refusing as soon as it passes maxBytes (a lying or missing
 * Content-Length cannot make us buffer more), failing on a short body, and
 * giving up with a 504 when `signal` aborts.
 */
export async function readBody(res: Response, maxBytes: number, signal: AbortSignal): Promise<Uint8Array> {
  const header = res.headers.get('content-length');
  const declared = header === null ? NaN : Number(header);
  if (declared > maxBytes) {
    await res.body?.cancel();
    throw tooLarge(`source is ${declared} bytes; MAX_SOURCE_BYTES is ${maxBytes}`);
  }
  if (!res.body) return new Uint8Array(0);
  const encoded = !!res.headers.get('content-encoding') && res.headers.get('content-encoding') !== 'identity';
  const exact = Number.isInteger(declared) && declared >= 0 && !encoded;
  const sink = new Sink(exact ? declared : Math.min(INITIAL_BYTES, maxBytes + 1), maxBytes);

  let byob: ByobReader | undefined;
  try {
    byob = res.body.getReader({ mode: 'byob' }) as ByobReader;
  } catch {
    byob = undefined; // not a byte stream: read chunks instead
  }
  const reader: { cancel(reason?: unknown): Promise<void> } = byob ?? res.body.getReader();
  const onAbort = () => void reader.cancel(new Error('deadline')).catch(() => {});
  if (signal.aborted) onAbort();
  signal.addEventListener('abort', onAbort);
  try {
    if (byob) await readByob(byob, sink);
    else await readChunks(reader as ReadableStreamDefaultReader<Uint8Array>, sink);
    if (signal.aborted) throw originTimeout('origin body did not arrive in time');
  } catch (err) {
    reader.cancel().catch(() => {});
    if (signal.aborted) throw originTimeout('origin body did not arrive in time');
    if ((err as ImageError).status) throw err;
    throw originFailed('origin closed the connection before the body was complete');
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
  if (exact && sink.length < declared) throw originFailed(`origin sent ${sink.length} of ${declared} promised bytes`);
  return sink.bytes();
}

async function readByob(reader: ByobReader, sink: Sink): Promise<void> {
  for (;;) {
    if (sink.full()) {
      // Exactly the declared length so far: a small read tells the end (the usual case,
      // returning the buffer as it is) from a longer body (which grows it).
      const { done, value } = await reader.read(new Uint8Array(4096));
      if (done) return;
      sink.append(value);
      continue;
    }
    const view = sink.free();
    const min = Math.min(view.byteLength, READ_AT_LEAST);
    const { done, value } = reader.readAtLeast ? await reader.readAtLeast(min, view) : await reader.read(view);
    // The read transferred the buffer: what we own now is value.buffer.
    if (value) sink.adopt(value);
    if (done) return;
  }
}

async function readChunks(reader: ReadableStreamDefaultReader<Uint8Array>, sink: Sink): Promise<void> {
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    sink.append(value);
  }
}

/** One growable buffer: `length` bytes used of `buf`. */
class Sink {
  private buf: Uint8Array;
  length = 0;

  constructor(initial: number, private readonly maxBytes: number) {
    this.buf = new Uint8Array(initial);
  }

  full(): boolean {
    return this.length === this.buf.byteLength;
  }

  /** A view of the unused tail (the buffer is not full). */
  free(): Uint8Array {
    return new Uint8Array(this.buf.buffer, this.length, this.buf.byteLength - this.length);
  }

  /** Takes back the buffer a BYOB read transferred, with `view.byteLength` new bytes at our offset. */
  adopt(view: ArrayBufferView): void {
    this.buf = new Uint8Array(view.buffer);
    this.length += view.byteLength;
    this.check();
  }

  append(chunk: Uint8Array): void {
    const at = this.length;
    if (at + chunk.byteLength > this.maxBytes) throw tooLarge(`source is larger than MAX_SOURCE_BYTES (${this.maxBytes} bytes)`);
    if (at + chunk.byteLength > this.buf.byteLength) this.grow(at + chunk.byteLength);
    this.buf.set(chunk, at);
    this.length = at + chunk.byteLength;
  }

  private check(): void {
    if (this.length > this.maxBytes) throw tooLarge(`source is larger than MAX_SOURCE_BYTES (${this.maxBytes} bytes)`);
  }

  /** Room for `needed` bytes, doubling; never more than maxBytes + 1 (one byte over is enough to refuse). */
  private grow(needed: number): void {
    const size = Math.min(this.maxBytes + 1, Math.max(needed, this.buf.byteLength * 2, 64 * 1024));
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  /** The bytes read: the buffer itself when it is full, else a copy unless little is wasted. */
  bytes(): Uint8Array {
    if (this.length === this.buf.byteLength) return this.buf;
    // A subarray would keep the spare capacity alive as long as the source.
    if (this.buf.byteLength - this.length > this.length >> 3) return this.buf.slice(0, this.length);
    return this.buf.subarray(0, this.length);
  }
}
