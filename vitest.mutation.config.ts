// The vitest run that Stryker drives (`npm run mutation`, stryker.config.mjs): the channels
// package's tests only, resolved through the `source` condition like the main config. fast-check
// gets a fixed seed: @fast-check/vitest puts the seed in each property's test name, and Stryker's
// per-test coverage maps mutants to tests by name, so names must not change between its runs.
// One slow file is left out (see `exclude`).
import { defineConfig } from 'vitest/config';

const conditions = ['source'];
const FC_SEED = process.env['FC_SEED'] ?? '20261121';

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: ['packages/channels/test/**/*.test.ts'],
    // Its model-based property (300 runs of up to 80 commands) takes ~10 s alone, and would run for
    // every mutant of channel-tables.ts; the unit tests and the manager's §H property cover the tables.
    // The doc check reads the sources as text, which Stryker has instrumented.
    exclude: [
      'packages/channels/test/channel-tables.prop.test.ts',
      'packages/channels/test/trace-points-doc.test.ts',
    ],
    setupFiles: ['./vitest.setup.ts'],
    env: { FC_SEED },
    testTimeout: 30_000,
    // One module graph for every file and every mutant run (the tests share no module state:
    // each builds its own runtime, and the bug switch is restored after each test). Loading
    // xstate, pino and the sources once instead of per file is most of a mutant's cost.
    isolate: false,
  },
});
