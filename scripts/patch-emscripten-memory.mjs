#!/usr/bin/env node
/**
 * @module scripts/patch-emscripten-memory
 * jSquash's Emscripten codecs (libwebp's encoder, libavif, libjxl) with a smaller
 * initial memory. (Its WebP decoder was patched here too until our own libwebp
 * build replaced it: codec/webp/libwebp.)
 *
 *   node scripts/patch-emscripten-memory.mjs          (writes src/codec/wasm/jsquash/*.wasm)
 *
 * Each of the four modules declares its linear memory with a minimum of 256
 * pages (Emscripten's default INITIAL_MEMORY, 16 MB) and growth allowed. Only
 * the static data and the stack need to be there at start: 108 KB for the WebP
 * encoder, under 256 KB for libjxl's, 5.6-5.9 MB for
 * the AVIF codecs (a 5 MB stack); everything else is malloc'd heap, which grows on demand through
 * `emscripten_resize_heap` (memory.grow, by at least 20 % each time). A
 * WebAssembly memory never shrinks, so the 16 MB minimum is what every idle
 * instance held between requests: four formats in use pinned 64 MB of an
 * isolate's 128, and the idle cap (IDLE_WASM_BYTES) had to drop the WebP
 * codecs whenever the AVIF encoder stayed (issue 10 item 3).
 *
 * The patch rewrites one field (scripts/lib/wasm-memory.mjs, which
 * vendor-arith-jpeg.mjs uses too): the memory section's minimum, to the pages
 * the stack top needs plus one (the stack pointer's initial value is global
 * 0, `__stack_pointer`; Emscripten places the heap above it). Nothing else in
 * the binary changes, so the code is jSquash's, byte for byte. The glue never
 * reads INITIAL_MEMORY (the memory is the module's own export). The test
 * test/codec/wasm/emscripten-memory.test.ts checks that the committed files
 * are this script's output for the installed packages, through the origin
 * server's GET /__emscripten-memory-build.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lowerMemoryMinimum, readLeb, sections } from './lib/wasm-memory.mjs';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');
const PAGE = 65536;

/** The modules patched: the package file, and the committed copy the Worker imports. */
export const PATCHED = [
  { from: 'node_modules/@jsquash/webp/codec/enc/webp_enc_simd.wasm', to: 'src/codec/wasm/jsquash/webp_enc_simd.wasm' },
  { from: 'node_modules/@jsquash/avif/codec/dec/avif_dec.wasm', to: 'src/codec/wasm/jsquash/avif_dec.wasm' },
  { from: 'node_modules/@jsquash/avif/codec/enc/avif_enc.wasm', to: 'src/codec/wasm/jsquash/avif_enc.wasm' },
  { from: 'node_modules/@jsquash/jxl/codec/enc/jxl_enc.wasm', to: 'src/codec/wasm/jsquash/jxl_enc.wasm' },
];

function readSleb32(b, i) {
  let v = 0;
  let shift = 0;
  let x;
  do {
    x = b[i++];
    v |= (x & 0x7f) << shift;
    shift += 7;
  } while (x & 0x80);
  if (shift < 32 && x & 0x40) v |= -1 << shift;
  return [v, i];
}

/** Initial value of global 0 (Emscripten's `__stack_pointer`, an `i32.const`). */
function stackTop(b, secs) {
  const g = secs.find((s) => s.id === 6);
  if (!g) throw new Error('no global section');
  let [count, i] = readLeb(b, g.body);
  if (count < 1 || b[i] !== 0x7f || b[i + 1] !== 1 || b[i + 2] !== 0x41) throw new Error('global 0 is not a mutable i32 stack pointer');
  return readSleb32(b, i + 3)[0];
}

/**
 * Returns `wasm` with its memory's minimum set to what the stack needs, and the
 * old and new minimum in pages (lib/wasm-memory does the rewrite and its checks).
 */
export function patchMemoryMinimum(wasm) {
  const b = new Uint8Array(wasm);
  return lowerMemoryMinimum(b, Math.ceil(stackTop(b, sections(b)) / PAGE) + 1);
}

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

/** Patches every module in memory and compares each with its committed copy. */
export function emscriptenMemoryReport() {
  return PATCHED.map(({ from, to }) => {
    const { bytes, oldPages, pages } = patchMemoryMinimum(readFileSync(join(REPO, from)));
    let committed = null;
    try {
      committed = readFileSync(join(REPO, to));
    } catch {}
    return { from, to, oldPages, pages, patchedSha256: sha256(bytes), committedSha256: committed ? sha256(committed) : null, identical: committed ? Buffer.compare(Buffer.from(bytes), committed) === 0 : false };
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const { from, to } of PATCHED) {
    const { bytes, oldPages, pages } = patchMemoryMinimum(readFileSync(join(REPO, from)));
    writeFileSync(join(REPO, to), bytes);
    console.log(`${to}: memory minimum ${oldPages} -> ${pages} pages (${(oldPages * PAGE) / 2 ** 20} MB -> ${((pages * PAGE) / 2 ** 20).toFixed(2)} MB)`);
  }
}
