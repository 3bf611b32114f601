/** The Emscripten factory of libheif-js's WASM build (CommonJS). */
declare module 'libheif-js/libheif-wasm/libheif.js' {
  const factory: (overrides?: Record<string, unknown>) => Promise<unknown>;
  export default factory;
}
