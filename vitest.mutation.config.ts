// The vitest run that Stryker drives (`npm run mutation`, stryker.config.mjs): the channels
// package's tests only, resolved through the `source` condition like the main config. fast-check
// gets a fixed seed: @fast-check/vitest puts the seed in each property's test name, and Stryker's
// per-test coverage maps mutants to tests by name, so names must not change between its runs.
import { defineConfig } from 'vitest/config';

const conditions = ['source'];
const FC_SEED = process.env['FC_SEED'] ?? '20261121';

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: ['packages/channels/test/**/*.test.ts'],
    setupFiles: ['./vitest.setup.ts'],
    env: { FC_SEED },
    testTimeout: 30_000,
  },
});
