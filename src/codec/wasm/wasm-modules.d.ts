/**
 * @module codec/wasm/wasm-modules
 * Wrangler and vitest-pool-workers turn `import x from '….wasm'` into a compiled
 * `WebAssembly.Module` (Workers cannot compile WASM from bytes at run time).
 */
declare module '*.wasm' {
  const module: WebAssembly.Module;
  export default module;
}
