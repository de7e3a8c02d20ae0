import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One private TMPDIR for the suite; it fails if a mcprun-* folder is left in it (test/support/temp-guard.ts).
    globalSetup: ['test/support/temp-guard.ts'],
    setupFiles: ['test/support/temp-cleanup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // e2e tests mostly wait on servers and timers: three files at a time keep 2 cores busy without
    // starving the timing-sensitive ones (measured: the suite fits 3 minutes, none flaky).
    maxWorkers: 3,
    typecheck: { enabled: true, include: ['test/types/**/*.test-d.ts'], tsconfig: './tsconfig.test.json' },
    reporters: ['default', './test/support/closing-line-reporter.ts'],
  },
});
