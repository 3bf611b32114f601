/**
 * The committed libjpeg.wasm is what scripts/build-jpeg-wasm.sh builds from
 * Debian's libjpeg-turbo 2.1.5 source and our glue: rebuilt and compared byte
 * for byte where clang-14, lld, wasi-libc and the source are available (the
 * origin server runs the build: workerd cannot), else its sha256 against the
 * manifest the build wrote.
 */
import { describe, expect, it } from 'vitest';
import libjpegModule from '../../../src/codec/jpeg/wasm/libjpeg.wasm';
import { ORIGIN } from '../../support/worker';

describe('the committed libjpeg-turbo binary', () => {
  it('is what scripts/build-jpeg-wasm.sh builds (byte for byte where the toolchain is, else sha256 = manifest)', async () => {
    const res = await fetch(`${ORIGIN}/__jpeg-wasm-build`);
    const report = (await res.json()) as { toolchain: string | null; reason?: string; committedSha256: string; manifestSha256: string; rebuiltSha256: string | null; identical: boolean | null };
    expect(report.committedSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(report.committedSha256).toBe(report.manifestSha256);
    if (report.toolchain) {
      console.log(`MEASURE libjpeg.wasm rebuild with ${report.toolchain}: sha256 ${report.rebuiltSha256}`);
      expect(report.rebuiltSha256).toBe(report.committedSha256);
      expect(report.identical).toBe(true);
    } else {
      console.log(`MEASURE libjpeg.wasm not rebuilt: ${report.reason}`);
    }
    // The module the Worker imports is that binary: the glue's entry points, three imports, nothing from WASI.
    expect(WebAssembly.Module.exports(libjpegModule).map((e) => e.name).sort()).toEqual(
      ['__heap_base', '__stack_pointer', 'arena_bytes', 'dec_finish', 'dec_header', 'dec_rows', 'dec_start', 'dec_strip', 'enc_finish', 'enc_rows', 'enc_start', 'memory'],
    );
    expect(WebAssembly.Module.imports(libjpegModule).map((i) => `${i.module}.${i.name}`).sort()).toEqual(['env.fatal', 'env.read', 'env.write']);
  }, 600_000);
});
