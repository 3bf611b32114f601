/**
 * @module codec/jpeg-markers
 * A few-dozen-line scan of a JPEG's marker segments, done in JS before any WASM
 * decoder runs, so that features our libjpeg-turbo build lacks (arithmetic
 * coding, 12-bit samples, lossless JPEG) are routed or refused with a message
 * naming the feature instead of a generic decode failure, and so that CMYK data
 * can be converted with the right polarity (Adobe APP14 stores inverted CMYK).
 */

export interface JpegInfo {
  /** Sample precision from the SOF segment (8 for nearly every JPEG). */
  precision: number;
  /** Arithmetic entropy coding (SOF9-11, SOF13-15). */
  arithmetic: boolean;
  /** Lossless process (SOF3, SOF7, SOF11, SOF15). */
  lossless: boolean;
  progressive: boolean;
  /** An Adobe APP14 segment is present (its CMYK data is stored inverted). */
  adobe: boolean;
  width: number;
  height: number;
  components: number;
}

/**
 * Reads the markers up to the first SOF. Returns undefined when no SOI/SOF is
 * found, which the caller treats as corrupt.
 */
export function scanJpegMarkers(bytes: Uint8Array): JpegInfo | undefined {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return undefined;
  let adobe = false;
  let pos = 2;
  while (pos + 4 <= bytes.length) {
    if (bytes[pos] !== 0xff) {
      pos++; // Tolerate garbage between segments, as libjpeg does (with a warning).
      continue;
    }
    const marker = bytes[pos + 1]!;
    if (marker === 0xff) {
      pos++; // Fill byte.
      continue;
    }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      pos += 2;
      continue;
    }
    const length = (bytes[pos + 2]! << 8) | bytes[pos + 3]!;
    const body = pos + 4;
    if (marker === 0xee && length >= 7 && String.fromCharCode(...bytes.subarray(body, body + 5)) === 'Adobe') {
      adobe = true;
    }
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) {
      if (body + 6 > bytes.length) return undefined;
      const process = marker & 0x0f;
      return {
        precision: bytes[body]!,
        height: (bytes[body + 1]! << 8) | bytes[body + 2]!,
        width: (bytes[body + 3]! << 8) | bytes[body + 4]!,
        components: bytes[body + 5]!,
        arithmetic: process >= 9,
        lossless: process === 3 || process === 7 || process === 11 || process === 15,
        progressive: process === 2 || process === 6 || process === 10 || process === 14,
        adobe,
      };
    }
    if (marker === 0xd9 || marker === 0xda) return undefined; // EOI/SOS before any SOF.
    pos = body + length - 2;
  }
  return undefined;
}
