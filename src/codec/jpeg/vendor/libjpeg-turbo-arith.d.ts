// Types for the generated Emscripten glue beside this file (scripts/vendor-arith-jpeg.mjs).
declare const factory: (overrides?: Record<string, unknown>) => Promise<unknown>;
export default factory;
