// Unit tests of the inspector page's pure modules (routing, the feed store's folding, the chart →
// ELK graph conversion, last-transition matching), run in Node without a browser:
//   npx vitest run --config packages/inspector/app-test/vitest.config.ts
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  test: {
    include: ['**/*.test.ts'],
    environment: 'node',
  },
});
