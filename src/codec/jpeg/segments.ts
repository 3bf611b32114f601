/**
 * @module codec/jpeg/segments
 * The header segments of a JPEG file (ITU-T T.81 B.1.1.2: marker 0xFF xx, then a
 * big-endian length that counts itself), from SOI up to the first SOS or EOI.
 * Fill bytes (0xFF 0xFF) are skipped; TEM and RSTn/SOI carry no length. Shared by
 * the colour-profile reader (color/extract: ICC chunks, the SOF's component count)
 * and the metadata reader (metadata/extract: EXIF, XMP).
 */
import { at, u16be } from '../../bytes';

export interface JpegSegment {
  marker: number;
  /** Offset of the payload (after the length). */
  start: number;
  /** Offset just past the payload, as the length says (may lie beyond the file when `whole` is false). */
  end: number;
  /** The length is at least 2 and the payload lies within the file. */
  whole: boolean;
}

/** The segments before the image data; `junk`: something other than a marker came first. */
export interface JpegHeaders {
  segments: JpegSegment[];
  junk: boolean;
}

/**
 * Reads the header segments. The list stops at SOS/EOI, after the first segment that is
 * not `whole` (a bad length or a cut file: included, so a caller can still read what it
 * needs from a short SOF), or at junk. At most 10,000 markers, so a file of fill bytes ends.
 */
export function readJpegHeaders(b: Uint8Array): JpegHeaders {
  const segments: JpegSegment[] = [];
  for (let p = 2, i = 0; p + 4 <= b.length && i < 10_000; i++) {
    if (at(b, p) !== 0xff) return { segments, junk: true };
    const marker = at(b, p + 1);
    if (marker === 0xff) {
      p++;
      continue;
    }
    if (marker === 0xda || marker === 0xd9) break;
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
      p += 2;
      continue;
    }
    const len = u16be(b, p + 2);
    const end = p + 2 + len;
    const whole = len >= 2 && end <= b.length;
    segments.push({ marker, start: p + 4, end, whole });
    if (!whole) break;
    p = end;
  }
  return { segments, junk: false };
}
