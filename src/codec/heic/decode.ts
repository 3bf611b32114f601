/**
 * @module codec/heic/decode
 * HEIC sources (HEVC-coded HEIF, ISO/IEC 23008-12): libheif + libde265.
 *
 * Grids as iPhones write them are assembled here tile by tile
 * ({@link decodeGridByTile}: one tile in WASM at a time, irot/imir left to the
 * pipeline). Everything else goes through libheif whole:
 * libheif decodes the primary image with its transformative properties
 * applied (clap crop, then irot, then imir, in the order MIAF 7.3.6.7
 * requires), grid images assembled from their tiles, and the alpha auxiliary
 * image merged into the RGBA. So the raster this returns is already in display
 * orientation, and the HEIC probe (codec/heic/probe) reports orientation 1 and
 * the display size: EXIF orientation inside a HEIF is informative only (HEIF
 * 6.5.1 / MIAF 7.3.6.7: readers use irot/imir), as libvips' heifload also
 * drops it, so it is never applied a second time.
 *
 * HEVC Main 10 and other high-bit-depth images are converted to 8 bits by
 * libheif's colour conversion (interleaved RGBA is 8-bit).
 */
import { ImageError, corrupt, unsupported } from '../../errors';
import type { Raster } from '../types';
import { libheif, type DecodedHeif, type Libheif, type Ptr } from './libheif';
import { decodesByTile, readHeifItems, type HeifItemInfo } from './probe';

/** libheif error codes arrive as embind enum values ({ value }) or plain numbers; 0 is heif_error_Ok. */
const codeOf = (code: unknown): number => (typeof code === 'number' ? code : typeof code === 'object' && code !== null ? Number((code as { value?: unknown }).value ?? 0) : 0);
const hasCode = (v: unknown): v is { code: unknown; message?: string } => typeof v === 'object' && v !== null && 'code' in v && codeOf((v as { code: unknown }).code) !== 0;

/** Decodes the primary image of a HEIC to RGBA8 (display orientation). Throws ImageError on bad input. */
export async function decodeHeic(bytes: Uint8Array): Promise<Raster> {
  const m = await libheif.get();
  try {
    return await decodeWith(m, bytes);
  } catch (err) {
    // A trap or abort leaves the heap half-updated: the next request gets a fresh instance.
    if (!(err instanceof ImageError)) libheif.drop();
    throw err;
  }
}

async function decodeWith(m: Libheif, bytes: Uint8Array): Promise<Raster> {
  const ctx = m.heif_context_alloc();
  if (!ctx) throw corrupt('the HEIC source could not be decoded (no decoder context)');
  let handle: Ptr | undefined;
  try {
    const read = m.heif_context_read_from_memory(ctx, bytes);
    if (codeOf(read.code) !== 0) throw corrupt(`the HEIC source could not be parsed (${read.message || `libheif error ${codeOf(read.code)}`})`);
    const items = readHeifItems(bytes);
    if (items && decodesByTile(items)) return await decodeGridByTile(m, ctx, items);
    handle = primaryHandle(m, ctx);
    const decoded = await m.heif_js_decode_image2(handle, m.heif_colorspace.heif_colorspace_RGB, m.heif_chroma.heif_chroma_interleaved_RGBA);
    if (!decoded || hasCode(decoded) || !('channels' in decoded)) {
      const msg = decoded && hasCode(decoded) ? decoded.message || `libheif error ${codeOf(decoded.code)}` : 'no image';
      // libheif's "Unsupported feature" / "Unsupported codec" (error code 4) is not damage.
      if (decoded && hasCode(decoded) && codeOf(decoded.code) === 4) throw unsupported(`the HEIC source uses a feature the decoder does not support (${msg})`);
      throw corrupt(`the HEIC source could not be decoded (${msg})`);
    }
    return toRaster(m, decoded);
  } finally {
    if (handle) m.heif_image_handle_release(handle);
    m.heif_context_free(ctx);
  }
}

/**
 * Assembles a grid (HEIF 6.6.2.3) in JS from its tiles, each decoded to RGBA
 * by libheif and copied to its place (row-major, the last column and row
 * cropped to the grid's output size), so WASM memory holds one tile at a
 * time. The raster is untransformed: irot/imir are the pipeline's (probe).
 */
async function decodeGridByTile(m: Libheif, ctx: Ptr, items: HeifItemInfo): Promise<Raster> {
  const ids = items.tileIds!;
  const { width, height } = items;
  const data = new Uint8Array(width * height * 4);
  let cols = 0;
  let tileW = 0, tileH = 0;
  for (let i = 0; i < ids.length; i++) {
    const handle = m.heif_js_context_get_image_handle(ctx, ids[i]!);
    if (!handle || hasCode(handle)) throw corrupt('the HEIC grid references a tile that is not there');
    try {
      const decoded = await m.heif_js_decode_image2(handle, m.heif_colorspace.heif_colorspace_RGB, m.heif_chroma.heif_chroma_interleaved_RGBA);
      if (!decoded || hasCode(decoded) || !('channels' in decoded)) throw corrupt(`the HEIC source could not be decoded (tile ${i + 1} of ${ids.length})`);
      const tile = toRaster(m, decoded);
      if (i === 0) {
        tileW = tile.width;
        tileH = tile.height;
        cols = Math.ceil(width / tileW);
        // HEIF 6.6.2.3.1: the tiles cover the output exactly, the last row and column overlapping its edge.
        if (cols * Math.ceil(height / tileH) !== ids.length) throw corrupt(`the HEIC grid's ${ids.length} tiles of ${tileW}x${tileH} do not cover ${width}x${height}`);
      } else if (tile.width !== tileW || tile.height !== tileH) throw corrupt('the HEIC grid has tiles of different sizes');
      const x0 = (i % cols) * tileW;
      const y0 = Math.floor(i / cols) * tileH;
      const w = Math.min(tileW, width - x0);
      for (let y = 0; y < tileH && y0 + y < height; y++) {
        data.set(tile.data.subarray(y * tileW * 4, (y * tileW + w) * 4), ((y0 + y) * width + x0) * 4);
      }
    } finally {
      m.heif_image_handle_release(handle);
    }
  }
  return { width, height, data };
}

/** The primary image (HEIF 7.1: pitm); an image sequence without one gives its first top-level image. */
function primaryHandle(m: Libheif, ctx: Ptr): Ptr {
  const ids = m.heif_js_context_get_list_of_top_level_image_IDs(ctx);
  if (!Array.isArray(ids) || ids.length === 0) throw corrupt('the HEIC source has no image');
  let first: Ptr | undefined;
  for (const id of ids) {
    const h = m.heif_js_context_get_image_handle(ctx, id);
    if (!h || hasCode(h)) continue;
    if (m.heif_image_handle_is_primary_image(h)) {
      if (first) m.heif_image_handle_release(first);
      return h;
    }
    if (!first) first = h;
    else m.heif_image_handle_release(h);
  }
  if (!first) throw corrupt('the HEIC source has no readable image');
  return first;
}

/** Copies the interleaved plane out of WASM memory (dropping row padding) and frees libheif's image. */
function toRaster(m: Libheif, decoded: DecodedHeif): Raster {
  try {
    const plane = decoded.channels.find((c) => c.id === m.heif_channel.heif_channel_interleaved) ?? decoded.channels[0];
    if (!plane || plane.width <= 0 || plane.height <= 0 || plane.stride < plane.width * 4) throw corrupt('the HEIC source decoded to no pixels');
    const { width, height, stride } = plane;
    const row = width * 4;
    const data = new Uint8Array(row * height);
    if (stride === row) data.set(plane.data.subarray(0, row * height));
    else for (let y = 0; y < height; y++) data.set(plane.data.subarray(y * stride, y * stride + row), y * row);
    return { width, height, data };
  } finally {
    m.heif_image_release(decoded.image);
  }
}
