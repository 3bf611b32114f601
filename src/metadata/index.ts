/**
 * @module metadata
 * Cloudflare's `metadata` option (developers.cloudflare.com/images/transform-images/
 * transform-via-url/#metadata): which of the source's EXIF/XMP the output carries.
 *
 * | value | Cloudflare | here |
 * | --- | --- | --- |
 * | `copyright` (default for JPEG output) | "discards all EXIF metadata except copyright tag" | IFD0 Copyright and Artist only, in a new EXIF; no XMP |
 * | `keep` | "preserves most of EXIF metadata, including GPS location" | all EXIF (GPS too) with Orientation 1, the output's pixel size and no thumbnail (metadata/exif.ts); XMP as it is, its tiff:Orientation set to 1 |
 * | `none` | discard all | nothing |
 *
 * Cloudflare: "WebP and PNG output formats will always discard EXIF metadata". Here an explicit
 * `keep`/`copyright` is honoured for WebP and PNG too (a superset: RIFF EXIF/XMP chunks, PNG
 * eXIf/iTXt); without `metadata`, WebP, PNG and AVIF carry nothing, as at Cloudflare. AVIF output
 * never carries metadata (its encoder binding writes no metadata items). Colour profiles are
 * handled by color/ whatever this says, and orientation is always applied to the pixels.
 */
import type { OutputFormat, SourceFormat } from '../codec/types';
import type { TransformOptions } from '../options/types';
import { copyrightExif, keepExif } from './exif';
import { extractMetadata, type MetadataBlocks } from './extract';
import { embedMetadata } from './write';

/** The policy that applies: the option, or Cloudflare's default for the output format. */
export function metadataPolicy(option: TransformOptions['metadata'], format: OutputFormat): 'keep' | 'copyright' | 'none' {
  if (format === 'avif') return 'none';
  return option ?? (format === 'jpeg' ? 'copyright' : 'none');
}

/** What the output carries under the policy; empty when nothing. */
export async function metadataFor(source: Uint8Array, sourceFormat: SourceFormat | string, policy: 'keep' | 'copyright' | 'none', output: { width: number; height: number }): Promise<MetadataBlocks> {
  if (policy === 'none') return {};
  const found = await extractMetadata(source, sourceFormat);
  if (policy === 'copyright') {
    const exif = found.exif && copyrightExif(found.exif);
    return exif ? { exif } : {};
  }
  const exif = found.exif && keepExif(found.exif, output);
  const xmp = found.xmp && resetXmpOrientation(found.xmp);
  return { ...(exif ? { exif } : {}), ...(xmp ? { xmp } : {}) };
}

/** Writes the policy's metadata into the encoded output (unchanged when there is none). */
export async function applyMetadata(encoded: Uint8Array, format: OutputFormat, source: Uint8Array, sourceFormat: SourceFormat | string, option: TransformOptions['metadata'], output: { width: number; height: number }): Promise<Uint8Array> {
  const blocks = await metadataFor(source, sourceFormat, metadataPolicy(option, format), output);
  return blocks.exif || blocks.xmp ? embedMetadata(encoded, format, blocks) : encoded;
}

/** XMP's tiff:Orientation (attribute or element form) says 1: the pixels are oriented already. */
function resetXmpOrientation(xmp: Uint8Array): Uint8Array {
  const text = new TextDecoder().decode(xmp);
  const fixed = text.replace(/(tiff:Orientation\s*=\s*["'])\d(["'])/g, '$11$2').replace(/(<tiff:Orientation>)\s*\d\s*(<\/tiff:Orientation>)/g, '$11$2');
  return fixed === text ? xmp : new TextEncoder().encode(fixed);
}
