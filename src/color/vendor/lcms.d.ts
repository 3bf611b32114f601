// Types for the generated Emscripten glue beside this file (scripts/vendor-lcms.mjs).
declare const factory: (overrides?: Record<string, unknown>) => Promise<unknown>;
export default factory;
