/**
 * Every flag of `mcprun [run] <scenario.ts>`, written once. yargs' options and help (parse.ts), the
 * fast parser that skips yargs (parse.ts), what dist/cli.mjs sniffs from argv before the CLI loads
 * (argv-sniff.ts) and the translation into RunOptions (run-options.ts) are all read from this
 * table. It is typed against RunOptions as vitest types its CLI against its config: a run() option
 * without a flag, or a flag for no option, does not compile. It imports nothing at run time
 * (dist/cli.mjs bundles it into the few lines Node parses before the workers start).
 */
import type { ProgrammaticOptions, RunOptions } from '../config/run-options.js';

/**
 * How a flag's value becomes its option. Repeatable flags are plain strings repeated (an
 * `array: true` flag would swallow the scenario path after it); the others must be given once.
 */
export type FlagValue =
  /** A whole number >= 1. */
  | 'count'
  | 'text'
  /** A duration such as 30s, kept as written (the scenario's resolver reads it). */
  | 'duration'
  /** A duration, as milliseconds. */
  | 'milliseconds'
  /** DURATION:TARGET, repeatable. */
  | 'stage'
  /** Repeatable strings. */
  | 'list'
  /** KEY=VALUE, repeatable. */
  | 'env'
  /** A process ID, repeatable: the numbers. */
  | 'pids'
  | 'switch';

export type FlagOption = Exclude<keyof RunOptions, ProgrammaticOptions>;

export interface FlagSpec {
  readonly option: FlagOption;
  readonly value: FlagValue;
  readonly alias?: string;
  readonly describe: string;
  readonly choices?: readonly string[];
  readonly default?: boolean;
  /** The value of the flag given without one (`--report-dir` alone). */
  readonly bare?: string;
}

export const FLAGS = {
  vus: { option: 'vus', value: 'count', describe: 'VUs of the default scenario (replaces scenarios with --duration/--iterations/--stage)' },
  duration: { option: 'duration', value: 'duration', alias: 'd', describe: 'duration of the default scenario, e.g. 30s' },
  iterations: { option: 'iterations', value: 'count', alias: 'i', describe: 'iterations of the default scenario' },
  stage: { option: 'stages', value: 'stage', alias: 's', describe: 'ramping stage DURATION:TARGET, repeatable' },
  env: { option: 'env', value: 'env', alias: 'e', describe: 'KEY=VALUE visible as process.env / __ENV in the scenario, repeatable' },
  workers: { option: 'workers', value: 'count', alias: 'w', describe: 'worker threads (default: CPU count)' },
  'summary-export': { option: 'summaryExport', value: 'text', describe: 'write the end-of-test summary as JSON (k6 handleSummary shape)' },
  quiet: { option: 'quiet', value: 'switch', alias: 'q', describe: 'no progress and no summary on stdout' },
  color: { option: 'color', value: 'switch', describe: 'colours in the summary (--no-color or NO_COLOR turn them off)' },
  progress: { option: 'progress', value: 'switch', default: true, describe: 'live progress (--no-progress turns it off)' },
  verbose: { option: 'verbose', value: 'switch', alias: 'v', describe: 'stack traces with errors' },
  out: { option: 'out', value: 'list', alias: 'o', describe: 'time series output: json=FILE[,raw] (NDJSON) or csv=FILE, repeatable' },
  'report-dir': {
    option: 'reportDir',
    value: 'text',
    bare: './mcprun-results',
    describe: 'write summary.json, report.html, report.md, junit.xml, timeseries.csv into DIR/<scenario>-<time>/ (default DIR ./mcprun-results)',
  },
  junit: { option: 'junit', value: 'text', describe: 'write thresholds and checks as JUnit XML' },
  'metrics-addr': { option: 'metricsAddr', value: 'text', describe: 'serve Prometheus metrics during the run at HOST:PORT (loopback unless a host is given)' },
  interval: { option: 'flushIntervalMs', value: 'milliseconds', describe: 'time-series interval, e.g. 1s (default 1s)' },
  pool: { option: 'pool', value: 'text', choices: ['threads', 'processes'], describe: 'workers as threads (default) or child processes (own heap and file-descriptor table)' },
  'local-ips': { option: 'localIps', value: 'text', describe: 'source addresses spread over connections: 127.0.0.2-127.0.0.9,127.0.1.1' },
  'continue-on-worker-error': { option: 'continueOnWorkerError', value: 'switch', describe: 'go on with the remaining workers when one dies' },
  'sut-pid': { option: 'sutPids', value: 'pids', describe: 'sample the system under test: this process and its children (RSS, CPU, fds, connections), repeatable' },
  'sut-metrics': { option: 'sutMetrics', value: 'text', describe: "sample the system under test's Prometheus endpoint, e.g. http://127.0.0.1:9464/metrics" },
  typecheck: { option: 'typecheck', value: 'switch', describe: 'type-check the scenario and what it imports before any load, as `mcprun check` (exit 107 on a type error)' },
} as const satisfies Record<string, FlagSpec>;

export type FlagName = keyof typeof FLAGS;

/** Compiles only while every flag-able option of RunOptions has a flag above. */
type Missing = Exclude<FlagOption, (typeof FLAGS)[FlagName]['option']>;
export type EveryOptionHasAFlag = Missing extends never ? true : { missing: Missing };
const everyOptionHasAFlag: EveryOptionHasAFlag = true;
void everyOptionHasAFlag;

export const FLAG_NAMES = Object.keys(FLAGS) as FlagName[];

/** The flags yargs reads as strings (every value but a switch), and the switches. */
export const STRING_FLAGS = FLAG_NAMES.filter((f) => FLAGS[f].value !== 'switch');
export const BOOLEAN_FLAGS = FLAG_NAMES.filter((f) => FLAGS[f].value === 'switch');

/** A flag's entry, read as the general shape (every field optional). */
export function flagSpec(f: FlagName): FlagSpec {
  return FLAGS[f];
}

/** Long name → one-letter alias. */
export const ALIASES: Record<string, string> = Object.fromEntries(FLAG_NAMES.flatMap((f) => (flagSpec(f).alias ? [[f, flagSpec(f).alias!]] : [])));
