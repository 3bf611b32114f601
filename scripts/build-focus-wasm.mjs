#!/usr/bin/env node
/**
 * Builds src/focus/wasm/tiny-yolo.wasm from tiny-yolo.c (the face detector's
 * convolution kernels with WebAssembly SIMD). Needs Debian's clang-14 and lld
 * (`apt-get install clang-14 lld-14`); the .wasm is committed, so only kernel
 * changes need this. Run: `node scripts/build-focus-wasm.mjs`.
 */
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = join(dirname(fileURLToPath(import.meta.url)), '../src/focus/wasm');
execFileSync('clang-14', [
  '--target=wasm32', '-O3', '-msimd128', '-nostdlib', '-ffreestanding', '-fno-builtin',
  '-Wl,--no-entry', '-Wl,--export-dynamic', '-Wl,--growable-table', '-Wl,-z,stack-size=65536',
  '-Wl,--initial-memory=131072', '-Wl,--export=__heap_base', '-fuse-ld=lld',
  '-o', join(dir, 'tiny-yolo.wasm'), join(dir, 'tiny-yolo.c'),
], { stdio: 'inherit' });
console.log('wrote src/focus/wasm/tiny-yolo.wasm');
