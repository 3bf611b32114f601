/**
 * Tests run inside workerd (vitest-pool-workers) against the real Worker; the
 * globalSetup starts a real HTTP origin on 127.0.0.1 for them to fetch from.
 */
import { defineConfig } from 'vitest/config';
import { cloudflareTest } from '@cloudflare/vitest-pool-workers';

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: './wrangler.toml' },
      // VARIANT_BUCKET_TEST: the shared variant tier, bound per call by test/tier (not as VARIANT_BUCKET, so other tests run without a tier).
      miniflare: { r2Buckets: ['SOURCE_BUCKET_TEST', 'VARIANT_BUCKET_TEST'] },
    }),
  ],
  test: {
    globalSetup: ['./test/support/origin-server.ts'],
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
