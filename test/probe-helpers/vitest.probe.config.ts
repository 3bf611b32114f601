/**
 * @module test/probe-helpers/vitest.probe.config
 * Temporary vitest config for the probe/orient tests: the main config plus a
 * globalSetup that serves /work/shared/corpus on loopback (see corpus-server.ts).
 * Run: npx vitest run -c test/probe-helpers/vitest.probe.config.ts test/probe.test.ts test/pipeline/orient.test.ts
 */
import { defineConfig, mergeConfig } from 'vitest/config';
import base from '../../vitest.config';

export default mergeConfig(
  base,
  defineConfig({
    test: { globalSetup: ['./test/probe-helpers/corpus-server.ts'] },
  }),
);
