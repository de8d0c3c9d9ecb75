// Mutation testing of the channel manager: `npm run mutation` (results in docs/mutation.md).
// Mutates packages/channels/src except the bug catalogue's switch (its branches in the real code
// carry `Stryker disable` comments), and runs the channels tests through vitest.mutation.config.ts.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner'],
  vitest: { configFile: 'vitest.mutation.config.ts' },
  mutate: [
    'packages/channels/src/**/*.ts',
    '!packages/channels/src/bugs.ts',
    '!packages/channels/src/internal/bug-catalogue.ts',
    '!packages/channels/src/internal/bugs-*.ts',
    '!packages/channels/src/index.ts',
  ],
  // Only what the channels tests load goes to the sandbox.
  ignorePatterns: [
    '/examples',
    '/bench',
    '/test',
    '/packages/protocol',
    '/packages/transport',
    '/packages/testkit',
  ],
  coverageAnalysis: 'perTest',
  concurrency: 2,
  timeoutMS: 10_000,
  timeoutFactor: 2,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/channels.html' },
  jsonReporter: { fileName: 'reports/mutation/channels.json' },
  thresholds: { high: 90, low: 80, break: null },
  tempDirName: '.stryker-tmp',
  // Re-runs test only the mutants whose code or covering tests changed (reports/stryker-incremental.json).
  incremental: true,
  incrementalFile: 'reports/mutation/stryker-incremental.json',
};
