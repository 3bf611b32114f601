/**
 * The committed libwebp-dec.wasm is what scripts/build-webp-wasm.sh builds from
 * Debian's libwebp 1.2.4 source and our glue: rebuilt and compared byte for
 * byte where clang-14, lld, wasi-libc and the source are available (the origin
 * server runs the build: workerd cannot), else its sha256 against the manifest
 * the build wrote.
 */
import { describe, expect, it } from 'vitest';
import libwebpModule from '../../../src/codec/webp/wasm/libwebp-dec.wasm';
import { ORIGIN } from '../../support/worker';

describe('the committed libwebp decoder binary', () => {
  it('is what scripts/build-webp-wasm.sh builds (byte for byte where the toolchain is, else sha256 = manifest)', async () => {
    const res = await fetch(`${ORIGIN}/__webp-wasm-build`);
    const report = (await res.json()) as { toolchain: string | null; reason?: string; committedSha256: string; manifestSha256: string; rebuiltSha256: string | null; identical: boolean | null };
    expect(report.committedSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(report.committedSha256).toBe(report.manifestSha256);
    if (report.toolchain) {
      console.log(`MEASURE libwebp-dec.wasm rebuild with ${report.toolchain}: sha256 ${report.rebuiltSha256}`);
      expect(report.rebuiltSha256).toBe(report.committedSha256);
      expect(report.identical).toBe(true);
    } else {
      console.log(`MEASURE libwebp-dec.wasm not rebuilt: ${report.reason}`);
    }
    // The module the Worker imports is that binary: the glue's four entry points, no imports at all (nothing from WASI).
    expect(WebAssembly.Module.exports(libwebpModule).map((e) => e.name).sort()).toEqual(['__stack_pointer', 'memory', 'webp_decode', 'webp_info', 'webp_input', 'webp_release']);
    expect(WebAssembly.Module.imports(libwebpModule)).toEqual([]);
  }, 600_000);
});
