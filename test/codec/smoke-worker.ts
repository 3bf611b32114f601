/**
 * @module test/codec/smoke-worker
 * Minimal Worker entry used only to check that the codec layer bundles and runs
 * under `wrangler dev` and `wrangler deploy --dry-run` (the .wasm imports):
 *   npx wrangler dev test/codec/smoke-worker.ts --ip 127.0.0.1 --port 8799
 *   curl --data-binary @photo.jpg 'http://127.0.0.1:8799/?format=jpeg&out=webp&w=300'
 */
import { decodeImage } from '../../src/codec/decode';
import { encodeImage } from '../../src/codec/encode';
import { recycleCodecs, wasmMemoryBytes } from '../../src/codec/wasm/memory';
import { resizeRaster } from '../../src/codec/resize/resize';
import type { OutputFormat, SourceFormat } from '../../src/codec/types';
import { ImageError } from '../../src/errors';

export default {
  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === '/memory') return Response.json(wasmMemoryBytes());
    try {
      const bytes = new Uint8Array(await request.arrayBuffer());
      const width = Number(url.searchParams.get('w') ?? 300);
      const decoded = await decodeImage(bytes, (url.searchParams.get('format') ?? 'jpeg') as SourceFormat, {
        minWidth: width,
        minHeight: 1,
      });
      const height = Math.max(1, Math.round((decoded.height * width) / decoded.width));
      const resized = await resizeRaster(decoded, width, height, { hasAlpha: false });
      const out = await encodeImage(resized, (url.searchParams.get('out') ?? 'webp') as OutputFormat, 75);
      const memory = JSON.stringify(wasmMemoryBytes().modules);
      recycleCodecs(64 * 1024 * 1024);
      return new Response(out, { headers: { 'X-Size': `${width}x${height}`, 'X-Wasm-Memory': memory } });
    } catch (err) {
      if (err instanceof ImageError) return Response.json(err.toBody(), { status: err.status });
      throw err;
    }
  },
};
