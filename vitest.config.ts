import { defineConfig } from 'vitest/config';

/**
 * The files whose assertions compare rates and latencies with what their servers set (per-second
 * counts within 5 %, p95 against a hold, recovery within a window). Beside the rest of the suite
 * (thousands of sockets, bursts of processes) a 2-core machine ran 5 runnable processes and
 * stalled their event loops by 100-200 ms; they run after it, two files at a time.
 */
const TIMING = [
  'test/e2e/compare.test.ts',
  'test/e2e/phases.test.ts',
  'test/e2e/faults-wired.test.ts',
  'test/e2e/faults-managed.test.ts',
  'test/e2e/faults-paused.test.ts',
  'test/e2e/capacity-search.test.ts',
  'test/e2e/core.test.ts',
  'test/e2e/dashboard.test.ts',
];

export default defineConfig({
  test: {
    // One private TMPDIR for the suite; it fails if a mcprun-* folder is left in it (test/support/temp-guard.ts).
    globalSetup: ['test/support/temp-guard.ts'],
    setupFiles: ['test/support/temp-cleanup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default', './test/support/closing-line-reporter.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'suite',
          include: ['test/**/*.test.ts'],
          exclude: TIMING,
          // e2e tests mostly wait on servers and timers: three files at a time keep 2 cores busy.
          maxWorkers: 3,
          typecheck: { enabled: true, include: ['test/types/**/*.test-d.ts'], tsconfig: './tsconfig.test.json' },
          sequence: { groupOrder: 0 },
        },
      },
      { extends: true, test: { name: 'timing', include: TIMING, maxWorkers: 2, sequence: { groupOrder: 1 } } },
    ],
  },
});
