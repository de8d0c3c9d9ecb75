// Mutation testing of the channel manager: `npm run mutation` (results in docs/mutation.md).
// Mutates packages/channels/src except the bug catalogue's switch (its branches in the real code
// carry `Stryker disable` comments), and runs the channels tests through vitest.mutation.config.ts.
import { PluginKind, declareValuePlugin } from '@stryker-mutator/api/plugin';

// Babel's AST: its types are not installed, so it is walked untyped here.
/* eslint-disable @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-return */

const LOG_LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);

/** `log.<level>(…)` or `something.log.<level>(…)`. */
function isLogCall(node) {
  if (node.type !== 'CallExpression' || node.callee.type !== 'MemberExpression') return false;
  const { object, property } = node.callee;
  if (property.type !== 'Identifier' || !LOG_LEVELS.has(property.name)) return false;
  const target = object.type === 'MemberExpression' ? object.property : object;
  return target.type === 'Identifier' && target.name === 'log';
}

/** A statement that does nothing but log. */
function logsOnly(node) {
  if (node === null || node === undefined) return true;
  if (node.type === 'ExpressionStatement') return isLogCall(node.expression);
  if (node.type === 'BlockStatement') return node.body.every(logsOnly);
  if (node.type === 'IfStatement') return logsOnly(node.consequent) && logsOnly(node.alternate);
  return false;
}

/**
 * Ignores mutants inside logging statements (`log.warn({ … }, 'message')`): what a log line says
 * changes no behaviour the tests could observe, and every such survivor would run the whole
 * covering suite for nothing. This file is also the plugin module (see `plugins`).
 */
export const strykerPlugins = [
  declareValuePlugin(PluginKind.Ignore, 'logging', {
    shouldIgnore(path) {
      if (path.isExpressionStatement() && isLogCall(path.node.expression)) return 'a logging statement';
      // `if (several) log.warn(…)`: a branch that only logs, condition included.
      if (path.isIfStatement() && logsOnly(path.node)) return 'a branch that only logs';
      return undefined;
    },
  }),
];
/* eslint-enable @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-return */

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
