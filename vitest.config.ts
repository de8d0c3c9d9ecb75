// One vitest run for the whole repo: every package's tests, the cross-package scenarios in test/, and
// the examples' tests. Workspace packages are loaded from their TypeScript sources through the
// "source" export condition (`"source": "./src/index.ts"` in each exports map), so `npm test` needs
// no build first and coverage maps straight onto src/.
import { defineConfig } from 'vitest/config';

// Vite 6+ keeps separate resolve conditions per environment: `resolve.conditions` for the client
// environment and `ssr.resolve.conditions` for the server one, which is where vitest's node
// environment runs tests. Vitest merges these with its own defaults (node, development|production),
// and also passes the server list to Node as `--conditions`, so externalized imports agree.
const conditions = ['source'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: [
      'packages/*/test/**/*.test.ts',
      // The inspector page's pure modules, tested in Node (see packages/inspector/app-test/).
      'packages/*/app-test/**/*.test.ts',
      'test/**/*.test.ts',
      'examples/*/test/**/*.test.ts',
    ],
    setupFiles: ['./vitest.setup.ts'],
    globalSetup: ['./vitest.global.setup.ts'],
    testTimeout: 30_000,
    coverage: {
      // Only collected (and the thresholds only enforced) with `vitest run --coverage`.
      provider: 'v8',
      include: ['packages/*/src/**/*.ts'],
      exclude: ['**/*.d.ts', '**/*.test.ts'],
      reporter: ['text-summary', 'html', 'lcov'],
      thresholds: {
        'packages/runtime/src/**': { lines: 90 },
      },
    },
  },
});
