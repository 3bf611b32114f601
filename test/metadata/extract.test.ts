/**
 * metadata/extract on hostile PNG text chunks: the XMP packet in a zTXt/iTXt chunk is
 * inflated within a bound checked while streaming (bytes.ts inflateWithin), and a broken
 * or oversized packet drops only the XMP, never the EXIF beside it or the image.
 */
import { describe, expect, it } from 'vitest';
import { concatBytes } from '../../src/bytes';
import { pngChunk } from '../../src/codec/png/encode';
import { extractMetadata } from '../../src/metadata/extract';

const ascii = (s: string) => new TextEncoder().encode(s);
/** A little-endian TIFF header with an empty IFD0: the smallest EXIF extract accepts. */
const EXIF = new Uint8Array([0x49, 0x49, 42, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0]);

async function deflate(data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await new Response(new Blob([data]).stream().pipeThrough(new CompressionStream('deflate'))).arrayBuffer());
}

/** A PNG (signature, IHDR, the given chunks, IEND): extract reads chunks only, no pixels. */
function png(...chunks: Uint8Array[]): Uint8Array {
  const ihdr = new Uint8Array([0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0]);
  return concatBytes([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk('IHDR', ihdr), ...chunks, pngChunk('IEND', new Uint8Array(0))]);
}
const zTXt = (compressed: Uint8Array) => pngChunk('zTXt', concatBytes([ascii('XML:com.adobe.xmp\0'), new Uint8Array([0]), compressed]));

describe('extractMetadata: PNG XMP in zTXt', () => {
  it('a packet within the bound is inflated', async () => {
    const xmp = ascii('<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF/></x:xmpmeta>');
    const m = await extractMetadata(png(pngChunk('eXIf', EXIF), zTXt(await deflate(xmp))), 'png');
    expect(m.exif).toEqual(EXIF);
    expect(new TextDecoder().decode(m.xmp)).toBe(new TextDecoder().decode(xmp));
  });
  it('a packet inflating past 1 MiB (8 MiB of zeros in a few KB) is not carried; the EXIF still is', async () => {
    const bomb = await deflate(new Uint8Array(8 << 20));
    expect(bomb.length).toBeLessThan(64 * 1024);
    const m = await extractMetadata(png(pngChunk('eXIf', EXIF), zTXt(bomb)), 'png');
    expect(m.xmp).toBeUndefined();
    expect(m.exif).toEqual(EXIF);
  });
  it('a broken deflate stream drops the XMP only, not the EXIF found before it', async () => {
    const m = await extractMetadata(png(pngChunk('eXIf', EXIF), zTXt(new Uint8Array([0x78, 0x9c, 0xff, 0xff, 0x00, 0x13]))), 'png');
    expect(m.xmp).toBeUndefined();
    expect(m.exif).toEqual(EXIF);
  });
});
