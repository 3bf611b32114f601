/**
 * @module codec/png/crc32
 * CRC-32 with the PNG/zlib polynomial (PNG spec Annex D), over byte ranges of
 * one or more arrays. Used for PNG chunk checksums by the decoder and encoder.
 */

let table: Int32Array | undefined;

function crcTable(): Int32Array {
  if (!table) {
    table = new Int32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c;
    }
  }
  return table;
}

/** CRC-32 of bytes[from, to) of each part in turn, as one stream. */
export function crc32(...parts: (Uint8Array | [Uint8Array, number, number])[]): number {
  const t = crcTable();
  let c = -1;
  for (const part of parts) {
    const [bytes, from, to] = part instanceof Uint8Array ? [part, 0, part.length] : part;
    for (let i = from; i < to; i++) c = t[(c ^ bytes[i]!) & 255]! ^ (c >>> 8);
  }
  return (c ^ -1) >>> 0;
}
