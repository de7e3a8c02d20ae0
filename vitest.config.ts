import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // e2e tests spawn mcprun processes with worker threads: two files at a time fit 2 cores.
    maxWorkers: 2,
    typecheck: { enabled: true, include: ['test/types/**/*.test-d.ts'], tsconfig: './tsconfig.test.json' },
    reporters: ['default', './test/support/closing-line-reporter.ts'],
  },
});
