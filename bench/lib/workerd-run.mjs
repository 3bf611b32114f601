/**
 * @module bench/lib/workerd-run
 * The A/B harnesses' shared setup (bench/resize-ab.mjs, png-codec.mjs,
 * webp-decode-ab.mjs): bundle a generated entry module with esbuild, run it once
 * in workerd (Miniflare) and return its JSON answer. Every `.wasm` import becomes
 * a CompiledWasm module named after its file (two source trees' copies of the
 * same kernel stay apart), every `*.bin` import a Data module from `data`.
 */
import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import * as esbuild from 'esbuild';
import { Miniflare } from 'miniflare';

/**
 * @param entry the worker's source (ES module with a default `fetch`)
 * @param root where the entry's relative imports resolve from
 * @param data `name.bin` -> bytes, the entry's Data imports
 * @param wasm bare `name.wasm` imports the entry names itself -> file
 * @param wasmFile which file to load for an imported `.wasm` path (default: that path)
 * @param url what the entry is fetched with (its query carries the run's knobs)
 */
export async function runInWorkerd({ entry, root, loader = 'js', data = {}, wasm = {}, wasmFile = (p) => p, url = 'http://bench/', compatibilityFlags = [] }) {
  const modules = new Map(Object.entries(wasm)); // module name -> file
  const named = new Map(); // resolved import path -> module name
  const built = await esbuild.build({
    stdin: { contents: entry, resolveDir: root, loader }, bundle: true, format: 'esm', write: false, platform: 'neutral',
    mainFields: ['module', 'main'], external: ['*.bin', 'node:*'],
    plugins: [{ name: 'wasm', setup(b) {
      b.onResolve({ filter: /\.wasm$/ }, (a) => {
        if (modules.has(a.path)) return { path: a.path, external: true };
        const path = resolve(a.resolveDir, a.path);
        if (!named.has(path)) {
          const name = `m${named.size}-${basename(path)}`;
          named.set(path, name);
          modules.set(name, wasmFile(path));
        }
        return { path: named.get(path), external: true };
      });
    } }],
  });
  const mf = new Miniflare({
    modules: [
      { type: 'ESModule', path: 'entry.mjs', contents: built.outputFiles[0].text },
      ...[...modules].map(([path, file]) => ({ type: 'CompiledWasm', path, contents: readFileSync(file) })),
      ...Object.entries(data).map(([path, contents]) => ({ type: 'Data', path, contents })),
    ],
    compatibilityDate: '2026-04-01', compatibilityFlags,
  });
  try {
    const text = await (await mf.dispatchFetch(url)).text();
    try {
      return JSON.parse(text);
    } catch {
      throw new Error(`the entry did not answer JSON: ${text.slice(0, 2000)}`);
    }
  } finally {
    await mf.dispose();
  }
}
