/**
 * @module color/lcms-wasm
 * lcms-wasm ships no types; color/lcms declares the few exports it calls.
 */
declare module 'lcms-wasm/dist/lcms.js' {
  const factory: (overrides: Record<string, unknown>) => Promise<unknown>;
  export default factory;
}
