/**
 * What a run is asked to do: the options of `run()` (mcprun/runtime) and of the CLI, which fills
 * them from its flag table (runtime/cli/flag-table.ts, one entry per option below that has a flag).
 * Below coordinator/ and output/, which both read it.
 */
import type { Writable } from 'node:stream';

export interface RunOptions {
  /** Path of the scenario file (.ts or .js). */
  script: string;
  vus?: number;
  duration?: string;
  iterations?: number;
  /** `--stage 30s:100`, repeatable. */
  stages?: string[];
  /** `-e KEY=VALUE` values: override the process environment inside the scenario. */
  env?: Record<string, string>;
  /** Worker threads. @default the CPU count, but never more than the VUs can use */
  workers?: number;
  summaryExport?: string;
  quiet?: boolean;
  color?: boolean;
  progress?: boolean;
  verbose?: boolean;
  stdout?: Writable & { isTTY?: boolean };
  stderr?: Writable & { isTTY?: boolean };
  /** Aborting it stops the run like Ctrl-C (graceful); aborting `hardSignal` skips the graceful wait. */
  signal?: AbortSignal;
  hardSignal?: AbortSignal;
  /** How often workers post metric snapshots (also the time-series interval, `--interval`). @default 1000 */
  flushIntervalMs?: number;
  /** `--out json=FILE[,raw]`, `--out csv=FILE`, repeatable. */
  out?: string[];
  /** `--report-dir [DIR]`: results folder with summary.json, report.html, report.md, junit.xml, timeseries.csv. */
  reportDir?: string;
  /** `--junit FILE`. */
  junit?: string;
  /** `--metrics-addr 127.0.0.1:9464`: Prometheus text exposition during the run. */
  metricsAddr?: string;
  /** `--pool threads|processes`. @default 'threads' */
  pool?: 'threads' | 'processes';
  /** `--local-ips 127.0.0.2-127.0.0.9,127.0.1.1`: source addresses spread round-robin over connections. */
  localIps?: string;
  /** Keep going with the remaining workers when one dies. */
  continueOnWorkerError?: boolean;
  /** `--sut-pid PID`, repeatable: the system under test, sampled from /proc with its children (replaces options.sut's pid, pids or target). */
  sutPids?: number[];
  /** `--sut-metrics URL`: the system under test's Prometheus endpoint (replaces options.sut.prometheus). */
  sutMetrics?: string;
  /** `--typecheck`: type-check the scenario (as `mcprun check`) before any load; options.typecheck also turns it on. */
  typecheck?: boolean;
}

/** The options that are not flags: where output goes and how the run is stopped from outside. */
export type ProgrammaticOptions = 'script' | 'stdout' | 'stderr' | 'signal' | 'hardSignal';

export const DEFAULT_FLUSH_INTERVAL_MS = 1000;
