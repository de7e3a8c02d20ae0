/**
 * Process exit codes. The k6 numbers are kept so CI scripts written for k6 keep working.
 * 106, 109 and 110 are mcprun's own (k6 leaves them unused for our purposes).
 */
export const EXIT_CODES = {
  OK: 0,
  /** One or more thresholds failed at the end of the run. */
  THRESHOLDS_FAILED: 99,
  /** Bad option, bad threshold, unknown metric, bad CLI flag: no load was sent (the scenario's top-level code may have run, to read its options). */
  INVALID_CONFIG: 104,
  /** SIGINT/SIGTERM: the run stopped early; summary and outputs are still written. */
  EXTERNAL_ABORT: 105,
  /** A worker died (crash, out of memory, process.exit in user code); partial results are written. */
  WORKER_FAILED: 106,
  /** The scenario threw: compile error, or an uncaught exception outside an iteration. */
  SCRIPT_ERROR: 107,
  /** A threshold with abortOnFail failed during the run. */
  THRESHOLD_ABORT: 108,
  /** A bug in mcprun itself. */
  INTERNAL: 109,
  /** The run went to its end but an output (--summary-export, --out, a report, JUnit) could not be written: stderr names the file. */
  OUTPUT_FAILED: 110,
} as const;

export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];
