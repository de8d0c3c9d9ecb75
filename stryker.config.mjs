// Mutation testing of the channel manager: `npm run mutation` (results in docs/mutation.md).
// Mutates packages/channels/src except the bug catalogue's switch (its branches in the real code
// carry `Stryker disable` comments), and runs the channels tests through vitest.mutation.config.ts.
import { PluginKind, declareValuePlugin } from '@stryker-mutator/api/plugin';

const LOG_LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);

/**
 * Ignores mutants inside logging statements (`log.warn({ … }, 'message')`): what a log line says
 * changes no behaviour the tests could observe, and every such survivor would run the whole
 * covering suite for nothing. This file is also the plugin module (see `plugins`).
 */
export const strykerPlugins = [
  declareValuePlugin(PluginKind.Ignore, 'logging', {
    // Babel's NodePath: its types are not installed, so the AST is walked untyped here.
    /* eslint-disable @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-argument */
    shouldIgnore(path) {
      if (!path.isExpressionStatement()) return undefined;
      const call = path.node.expression;
      if (call.type !== 'CallExpression' || call.callee.type !== 'MemberExpression') return undefined;
      const { object, property } = call.callee;
      if (property.type !== 'Identifier' || !LOG_LEVELS.has(property.name)) return undefined;
      const target = object.type === 'MemberExpression' ? object.property : object;
      return target.type === 'Identifier' && target.name === 'log' ? 'a logging statement' : undefined;
    },
    /* eslint-enable @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-argument */
  }),
];

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner', './stryker.config.mjs'],
  ignorers: ['logging'],
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
  // Static mutants (module-level tables) would need a fresh module graph per mutant: skipped.
  ignoreStatic: true,
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
