// ESLint flat config for the whole monorepo (see docs/contributing/patterns.md and style.md §8).
// Type-aware: every .ts file is linted with the tsconfig.json nearest to it (packages have their own;
// the root tsconfig.json covers test/, bench/, examples/ and *.config.ts). Root-level .js files such
// as this one are not in any tsconfig and go through the project service's default project.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Deep imports reach past a package's public entry points; go through `@switchboard/<pkg>` instead. */
const deepImportPatterns = [
  {
    group: ['@switchboard/*/src', '@switchboard/*/src/**', '**/packages/*/src', '**/packages/*/src/**'],
    message: "Import the package's public entry point (`@switchboard/<pkg>`), not its src/ files.",
  },
  {
    group: ['@switchboard/*/internal', '@switchboard/*/internal/**', '@switchboard/*/dist/**'],
    message: 'Internal modules are private to their package (`"./internal/*": null` in its exports map).',
  },
];

const portsMessage = "use the runtime's Clock/Entropy/Dispatcher ports";

const timerGlobals = [
  'setTimeout',
  'setInterval',
  'setImmediate',
  'clearTimeout',
  'clearInterval',
  'clearImmediate',
  'queueMicrotask',
];

export default defineConfig(
  globalIgnores(['**/dist/', '**/coverage/', '**/.turbo/', '**/*.d.ts', 'reports/', '.stryker-tmp/']),

  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,

  {
    name: 'switchboard/base',
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
      globals: { ...globals.node },
      parserOptions: {
        projectService: {
          // Root-level scripts and configs written in JS (eslint.config.js) belong to no tsconfig.
          allowDefaultProject: ['*.js', '*.mjs', 'scripts/*.mjs'],
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: {
      reportUnusedDisableDirectives: 'error',
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { prefer: 'type-imports', fixStyle: 'separate-type-imports' },
      ],
      '@typescript-eslint/consistent-type-exports': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/naming-convention': [
        'error',
        {
          // Type parameters read as types at a glance: TLogic, TEvent, TCode (a bare `T` is fine too).
          selector: 'typeParameter',
          format: null,
          custom: { regex: '^T([A-Z][A-Za-z0-9]*)?$', match: true },
        },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
      'no-restricted-imports': ['error', { patterns: deepImportPatterns }],
    },
  },

  {
    // The runtime must stay deterministic: time, scheduling and randomness come in through ports, so
    // tests can drive them from a seed. Only the port implementations touch the real thing.
    name: 'switchboard/runtime-determinism',
    files: ['packages/runtime/src/**/*.ts'],
    ignores: ['packages/runtime/src/ports/live-*.ts', 'packages/runtime/src/ports/deterministic-*.ts'],
    rules: {
      'no-restricted-globals': ['error', ...timerGlobals.map((name) => ({ name, message: portsMessage }))],
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: portsMessage },
        { object: 'Date', property: 'now', message: portsMessage },
        { object: 'performance', property: 'now', message: portsMessage },
        ...['globalThis', 'global'].flatMap((object) =>
          timerGlobals.map((property) => ({ object, property, message: portsMessage })),
        ),
      ],
      'no-restricted-imports': [
        'error',
        {
          patterns: deepImportPatterns,
          paths: ['timers', 'timers/promises', 'node:timers', 'node:timers/promises'].map((name) => ({
            name,
            message: portsMessage,
          })),
        },
      ],
    },
  },

  {
    // Tests and benchmarks poke at internals and build loose fixtures; keep the unsafe-any family visible
    // but not blocking there.
    name: 'switchboard/tests',
    files: ['**/test/**', 'test/**', '**/bench/**', 'bench/**'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'warn',
      '@typescript-eslint/no-unsafe-argument': 'warn',
      '@typescript-eslint/no-unsafe-assignment': 'warn',
      '@typescript-eslint/no-unsafe-call': 'warn',
      '@typescript-eslint/no-unsafe-declaration-merging': 'warn',
      '@typescript-eslint/no-unsafe-enum-comparison': 'warn',
      '@typescript-eslint/no-unsafe-function-type': 'warn',
      '@typescript-eslint/no-unsafe-member-access': 'warn',
      '@typescript-eslint/no-unsafe-return': 'warn',
      '@typescript-eslint/no-unsafe-unary-minus': 'warn',
    },
  },

  {
    // The inspector's browser page (bundled by packages/inspector/scripts/build-app.mjs) runs in a
    // browser and its layout worker, not in Node.
    name: 'switchboard/inspector-app',
    files: ['packages/inspector/app/**'],
    languageOptions: { globals: { ...globals.browser } },
  },

  {
    // A plain Node build script that no tsconfig includes (allowDefaultProject matches root-level
    // scripts only): linted without type information.
    name: 'switchboard/inspector-build-script',
    files: ['packages/inspector/scripts/build-app.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
  },
);
