/**
 * @module scripts/lib/wasm-memory
 * Reading a WebAssembly binary's sections and lowering its memory's initial
 * size, for the vendored Emscripten builds whose INITIAL_MEMORY pins more of an
 * isolate than their data and stack need (scripts/vendor-arith-jpeg.mjs,
 * scripts/patch-emscripten-memory.mjs). Only the minimum changes, re-encoded in
 * the same number of LEB128 bytes (padded LEB128 is valid wasm), so every other
 * byte of the binary stays the package's.
 */

/** Unsigned LEB128 at `i`: [value, index after it]. */
export function readLeb(b, i) {
  let v = 0;
  let shift = 0;
  for (;;) {
    const x = b[i++];
    v += (x & 0x7f) * 2 ** shift;
    shift += 7;
    if (x < 0x80) return [v, i];
  }
}

/** The binary's sections: id, where its body starts and ends. */
export function sections(b) {
  if (b[0] !== 0 || b[1] !== 0x61 || b[2] !== 0x73 || b[3] !== 0x6d) throw new Error('not a WebAssembly binary');
  const out = [];
  let i = 8;
  while (i < b.length) {
    const id = b[i++];
    let size;
    [size, i] = readLeb(b, i);
    out.push({ id, body: i, end: i + size });
    i += size;
  }
  return out;
}

/**
 * A copy of `wasm` whose (one, module-defined, growable) memory starts at
 * `pages` 64 KiB pages, and the old minimum. Unchanged when it already starts
 * at `pages` or fewer. Throws on an imported memory, several memories, one
 * without a maximum (growth may be off), or a new minimum that does not fit
 * the old field's width.
 */
export function lowerMemoryMinimum(wasm, pages) {
  const b = new Uint8Array(wasm);
  const mem = sections(b).find((s) => s.id === 5);
  if (!mem) throw new Error('no memory section (imported memory?)');
  const [count, at] = readLeb(b, mem.body);
  if (count !== 1) throw new Error(`expected one memory, found ${count}`);
  if (b[at] !== 1) throw new Error(`memory flags ${b[at]}: expected a minimum and a maximum (growth on)`);
  const [oldPages, after] = readLeb(b, at + 1);
  if (pages >= oldPages) return { bytes: b, oldPages, pages: oldPages };
  const width = after - (at + 1);
  if (pages >= 2 ** (7 * width)) throw new Error(`${pages} pages do not fit ${width} LEB128 bytes`);
  let v = pages;
  for (let i = 0; i < width; i++) {
    b[at + 1 + i] = (v & 0x7f) | (i < width - 1 ? 0x80 : 0);
    v >>>= 7;
  }
  return { bytes: b, oldPages, pages };
}
