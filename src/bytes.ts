/**
 * @module bytes
 * Byte-buffer helpers shared by the header probe, the colour-profile code and
 * the encoders: bounds-tolerant readers, ISO-BMFF box headers, concatenation,
 * bounded zlib inflate.
 *
 * Call sites check bounds before relying on a value; as a second line of defence
 * an out-of-range read yields 0 (which then fails validation) rather than
 * undefined, so a missed check cannot turn into NaN arithmetic.
 */

/** Whether 32-bit words hold RGBA as R in the low byte (every platform Workers run on); for word-at-a-time pixel loops. */
export const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

export const at = (b: Uint8Array, o: number): number => b[o] ?? 0;
export const u16be = (b: Uint8Array, o: number) => (at(b, o) << 8) | at(b, o + 1);
export const u16le = (b: Uint8Array, o: number) => at(b, o) | (at(b, o + 1) << 8);
export const u24le = (b: Uint8Array, o: number) => at(b, o) | (at(b, o + 1) << 8) | (at(b, o + 2) << 16);
// `>>> 0` keeps values >= 2^31 positive (PNG lengths, box sizes).
export const u32be = (b: Uint8Array, o: number) => ((at(b, o) << 24) | (at(b, o + 1) << 16) | (at(b, o + 2) << 8) | at(b, o + 3)) >>> 0;
export const u32le = (b: Uint8Array, o: number) => ((at(b, o + 3) << 24) | (at(b, o + 2) << 16) | (at(b, o + 1) << 8) | at(b, o)) >>> 0;

/** True when the bytes at `o` spell the ASCII string `s` (and are in bounds). */
export function hasAscii(b: Uint8Array, o: number, s: string): boolean {
  if (o < 0 || o + s.length > b.length) return false;
  for (let i = 0; i < s.length; i++) if (at(b, o + i) !== s.charCodeAt(i)) return false;
  return true;
}

/** Four bytes at `o` as a string, for box/chunk types and brands. Caller checks bounds. */
export const fourcc = (b: Uint8Array, o: number) => String.fromCharCode(at(b, o), at(b, o + 1), at(b, o + 2), at(b, o + 3));

/** An ISO-BMFF box (HEIF/AVIF): its type and payload range. */
export interface Box {
  type: string;
  /** Offset of the payload (after size/type/largesize). */
  start: number;
  /** End of the box, clamped to its parent. */
  end: number;
}

/** Parses one box header at p (ISO/IEC 14496-12 4.2): size 1 = 64-bit largesize, 0 = to the end. */
export function readBoxHeader(b: Uint8Array, p: number, parentEnd: number): Box | undefined {
  if (p + 8 > parentEnd) return undefined;
  let size = u32be(b, p);
  const type = fourcc(b, p + 4);
  let start = p + 8;
  if (size === 1) {
    if (p + 16 > parentEnd) return undefined;
    size = u32be(b, p + 8) * 0x100000000 + u32be(b, p + 12);
    start = p + 16;
  } else if (size === 0) {
    size = parentEnd - p;
  }
  if (size < start - p) return undefined; // smaller than its own header: malformed
  return { type, start, end: Math.min(parentEnd, p + size) };
}

/** The parts one after another in a new buffer (always a copy, never a view of a part). */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * zlib-inflates `z` (RFC 1950) with the runtime's native inflater, giving up as soon as the
 * output passes `maxBytes`: a small compressed chunk (an ICC or XMP text chunk in a PNG) can
 * claim gigabytes, so the bound is checked while streaming, never after. Undefined when the
 * stream is broken, empty or over the bound.
 */
export async function inflateWithin(z: Uint8Array, maxBytes: number): Promise<Uint8Array | undefined> {
  try {
    const reader = new Blob([z]).stream().pipeThrough(new DecompressionStream('deflate')).getReader();
    const parts: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > maxBytes) {
        await reader.cancel().catch(() => {});
        return undefined;
      }
      parts.push(value);
    }
    return parts.length ? concatBytes(parts) : undefined;
  } catch {
    return undefined;
  }
}
