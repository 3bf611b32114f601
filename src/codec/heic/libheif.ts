/**
 * @module codec/heic/libheif
 * The libheif instance (libheif-js 1.23, Emscripten: libheif + libde265 for
 * HEVC), instantiated from the WASM module wrangler compiled for us: Workers
 * cannot compile WASM from bytes at run time. Registered in codec/wasm/memory
 * as [heif-dec] so it is measured, trimmed and dropped like every codec.
 *
 * The Emscripten glue picks its environment at factory time: with
 * `nodejs_compat` workerd has a `process` that looks like Node's, and the glue
 * would then `require('fs')` and read `__dirname` to find the .wasm. Our
 * `instantiateWasm` hook means it never loads a file, so the Node branch only
 * needs those names to resolve; the factory runs with `process.versions.node`
 * hidden for the duration of the (synchronous) environment sniff.
 */
import libheifFactory from 'libheif-js/libheif-wasm/libheif.js';
import libheifModule from 'libheif-js/libheif-wasm/libheif.wasm';
import { instantiateEmscripten, type EmscriptenFactory } from '../wasm/emscripten-instance';
import { LazyAsyncInstance } from '../wasm/memory';

/** An embind handle (context, image handle): opaque to us. */
export type Ptr = object;

/** The part of libheif's embind API we call (libheif-wasm/libheif.d.ts). */
export interface Libheif {
  heif_context_alloc(): Ptr;
  heif_context_free(ctx: Ptr): void;
  heif_context_read_from_memory(ctx: Ptr, data: Uint8Array): { code: unknown; message?: string };
  heif_js_context_get_list_of_top_level_image_IDs(ctx: Ptr): number[] | { code: unknown };
  heif_js_context_get_image_handle(ctx: Ptr, id: number): Ptr | { code: unknown };
  heif_image_handle_is_primary_image(handle: Ptr): number;
  heif_image_handle_release(handle: Ptr): void;
  heif_image_handle_get_width(handle: Ptr): number;
  heif_image_handle_get_height(handle: Ptr): number;
  heif_image_handle_has_alpha_channel(handle: Ptr): number;
  heif_image_handle_get_luma_bits_per_pixel(handle: Ptr): number;
  heif_js_decode_image2(handle: Ptr, colorspace: unknown, chroma: unknown): Promise<DecodedHeif | { code: unknown; message?: string } | null>;
  heif_image_release(image: unknown): void;
  heif_colorspace: { heif_colorspace_RGB: unknown };
  heif_chroma: { heif_chroma_interleaved_RGBA: unknown };
  heif_channel: { heif_channel_interleaved: unknown };
}

export interface DecodedHeif {
  image: unknown;
  channels: { id: unknown; data: Uint8Array; stride: number; width: number; height: number }[];
}

export const libheif = new LazyAsyncInstance<Libheif>('heif-dec', () => {
  const proc = (globalThis as { process?: { versions?: Record<string, string> } }).process;
  const versions = proc?.versions;
  // Hide Node from the glue's environment sniff (see the module comment).
  if (proc && versions) proc.versions = { ...versions, node: undefined as unknown as string };
  // instantiateEmscripten calls the factory before its first await: the sniff sees the hidden value.
  let pending: ReturnType<typeof instantiateEmscripten<Libheif>>;
  try {
    pending = instantiateEmscripten<Libheif>(libheifFactory as EmscriptenFactory, libheifModule);
  } finally {
    if (proc && versions) proc.versions = versions;
  }
  return pending;
});
