/**
 * The body read (src/read-body.ts) on the stream shapes it meets: byte streams
 * (BYOB, as fetch and the Cache API give) and plain streams (chunk by chunk),
 * with a right, missing, lying or compressed Content-Length, a body past the
 * limit, a short body, and a stalled one. Real origin bodies are covered in
 * test/e2e/http.test.ts (chunked, gzip, bombs, stalls).
 */
import { describe, expect, it } from 'vitest';
import { ImageError } from '../src/errors';
import { readBody } from '../src/read-body';
import { seededRandom } from './support/random';

function randomBytes(n: number, seed: number): Uint8Array {
  const rand = seededRandom(seed);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (rand() * 256) | 0;
  return out;
}

type Shape = 'bytes' | 'plain';

/** A stream of `data` in `chunk`-sized pieces; counts what was pulled from it. */
function streamOf(data: Uint8Array, chunk: number, shape: Shape, opts: { endless?: boolean; stallAfter?: number } = {}) {
  let at = 0;
  const pulled = { bytes: 0 };
  const stream = new ReadableStream<Uint8Array>({
    type: shape === 'bytes' ? 'bytes' : undefined,
    async pull(c: ReadableStreamDefaultController<Uint8Array>) {
      if (opts.stallAfter !== undefined && at >= opts.stallAfter) return new Promise(() => {});
      if (at >= data.length && !opts.endless) return c.close();
      const piece = opts.endless ? new Uint8Array(chunk).fill(7) : data.slice(at, at + chunk);
      at += piece.length;
      pulled.bytes += piece.length;
      c.enqueue(piece);
    },
  } as UnderlyingSource<Uint8Array>);
  return { stream, pulled };
}

function responseOf(stream: ReadableStream, headers: Record<string, string> = {}) {
  return new Response(stream, { headers });
}

async function failure(p: Promise<unknown>): Promise<ImageError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(ImageError);
    return err as ImageError;
  }
  throw new Error('expected the read to fail');
}

const never = () => new AbortController().signal;

describe('readBody', () => {
  const data = randomBytes(1_500_001, 5);
  for (const shape of ['bytes', 'plain'] as Shape[]) {
    for (const [name, headers] of [
      ['exact Content-Length', { 'content-length': String(data.length) }],
      ['no Content-Length', {}],
      ['Content-Length lower than the body (lying)', { 'content-length': '1000' }],
      ['gzip Content-Length (counts compressed bytes)', { 'content-length': '50000', 'content-encoding': 'gzip' }],
    ] as [string, Record<string, string>][]) {
      it(`${shape} stream, ${name}: every byte, in one right-sized buffer`, async () => {
        const { stream } = streamOf(data, 16_384, shape);
        const bytes = await readBody(responseOf(stream, headers), 10_000_000, never());
        expect(bytes.length).toBe(data.length);
        // (a loop: vitest's deep equality takes tens of seconds on megabytes)
        let firstDiff = -1;
        for (let i = 0; i < data.length && firstDiff < 0; i++) if (bytes[i] !== data[i]) firstDiff = i;
        expect(firstDiff).toBe(-1);
        // No more than 1/8 spare capacity kept alive behind the result.
        expect(bytes.buffer.byteLength).toBeLessThanOrEqual(data.length * 1.125);
      });
    }

    it(`${shape} stream past MAX_SOURCE_BYTES with no length: 413 after reading at most the limit`, async () => {
      const { stream, pulled } = streamOf(data, 65_536, shape, { endless: true });
      const err = await failure(readBody(responseOf(stream), 1_000_000, never()));
      expect(err.status).toBe(413);
      expect(pulled.bytes).toBeLessThan(1_000_000 + 3 * 65_536);
    });

    it(`${shape} stream past MAX_SOURCE_BYTES under a lower Content-Length: 413`, async () => {
      const { stream } = streamOf(data, 65_536, shape, { endless: true });
      const err = await failure(readBody(responseOf(stream, { 'content-length': '1000' }), 1_000_000, never()));
      expect(err.status).toBe(413);
    });

    it(`${shape} stream shorter than its Content-Length: 502`, async () => {
      const { stream } = streamOf(data.subarray(0, 5000), 1000, shape);
      const err = await failure(readBody(responseOf(stream, { 'content-length': '6000' }), 1_000_000, never()));
      expect(err.status).toBe(502);
      expect(err.message).toContain('5000 of 6000');
    });

    it(`${shape} stream that stalls: 504 when the deadline aborts`, async () => {
      const { stream } = streamOf(data, 1000, shape, { stallAfter: 3000 });
      const t = performance.now();
      const err = await failure(readBody(responseOf(stream, { 'content-length': String(data.length) }), 10_000_000, AbortSignal.timeout(100)));
      expect(err.status).toBe(504);
      expect(performance.now() - t).toBeLessThan(2000);
    });
  }

  it('a declared length over the limit is refused before reading', async () => {
    const { stream, pulled } = streamOf(data, 1000, 'bytes');
    const err = await failure(readBody(responseOf(stream, { 'content-length': '2000000' }), 1_000_000, never()));
    expect(err.status).toBe(413);
    expect(pulled.bytes).toBeLessThanOrEqual(1000);
  });

  it('an empty body with Content-Length 0 reads as empty', async () => {
    const { stream } = streamOf(new Uint8Array(0), 1000, 'bytes');
    expect((await readBody(responseOf(stream, { 'content-length': '0' }), 1000, never())).length).toBe(0);
  });

  it('exactly MAX_SOURCE_BYTES is allowed', async () => {
    const { stream } = streamOf(data.subarray(0, 100_000), 4096, 'bytes');
    expect((await readBody(responseOf(stream), 100_000, never())).length).toBe(100_000);
  });
});
