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
  /** A whole number >= 0. */
  | 'whole'
  /** KEY=VALUE, repeatable, as an object (tags). */
  | 'pairs'
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
  vus: { option: 'vus', value: 'count', alias: 'u', describe: 'VUs of the default scenario (replaces scenarios with --duration/--iterations/--stage)' },
  duration: { option: 'duration', value: 'duration', alias: 'd', describe: 'duration of the default scenario, e.g. 30s' },
  iterations: { option: 'iterations', value: 'count', alias: 'i', describe: 'iterations of the default scenario' },
  stage: { option: 'stages', value: 'stage', alias: 's', describe: 'ramping stage DURATION:TARGET, repeatable' },
  env: { option: 'env', value: 'env', alias: 'e', describe: 'KEY=VALUE visible as process.env / __ENV in the scenario, repeatable' },
  workers: { option: 'workers', value: 'count', alias: 'w', describe: 'worker threads (default: CPU count)' },
  'summary-export': { option: 'summaryExport', value: 'text', describe: 'write the end-of-test summary as JSON (k6 handleSummary shape)' },
  quiet: { option: 'quiet', value: 'switch', alias: 'q', describe: 'no progress (the summary is still printed; --no-summary hides it)' },
  summary: { option: 'summary', value: 'switch', default: true, describe: 'the end-of-test summary on stdout (--no-summary turns it off)' },
  'summary-trend-stats': { option: 'summaryTrendStats', value: 'text', describe: 'trend stats in the summary, e.g. "avg,min,med,max,p(95),p(99.9),count"' },
  thresholds: { option: 'thresholds', value: 'switch', default: true, describe: 'judge thresholds (--no-thresholds: measure only, exit 0 whatever the figures)' },
  setup: { option: 'setup', value: 'switch', default: true, describe: 'run setup() (--no-setup skips it; the scenario gets undefined as data)' },
  teardown: { option: 'teardown', value: 'switch', default: true, describe: 'run teardown() (--no-teardown skips it)' },
  tag: { option: 'tags', value: 'pairs', describe: 'KEY=VALUE tag on every sample (over options.tags), repeatable' },
  'user-agent': { option: 'userAgent', value: 'text', describe: "user-agent header of HTTP requests ('' sends none)" },
  'max-redirects': { option: 'maxRedirects', value: 'whole', describe: 'redirects followed per HTTP request (default 10; 0 returns every 3xx)' },
  'insecure-skip-tls-verify': { option: 'insecureSkipTlsVerify', value: 'switch', describe: 'accept any TLS certificate (self-signed test servers)' },
  dns: { option: 'dns', value: 'text', describe: 'name resolution: policy=preferIPv4|preferIPv6|onlyIPv4|onlyIPv6|any' },
  'http-debug': { option: 'httpDebug', value: 'text', bare: 'headers', describe: 'print HTTP request and response heads on stderr (=full: bodies too); secrets masked' },
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
  dashboard: {
    option: 'dashboard',
    value: 'text',
    bare: '127.0.0.1:0',
    describe: 'serve the live dashboard and control API at HOST:PORT (alone: 127.0.0.1 and a free port, printed at start)',
  },
  'dashboard-open': { option: 'dashboardOpen', value: 'switch', describe: "open the dashboard with $BROWSER, else the system's browser when there is one" },
  'dashboard-token': { option: 'dashboardToken', value: 'text', describe: 'token every dashboard request must carry; required beyond loopback (or MCPRUN_DASHBOARD_TOKEN)' },
  paused: { option: 'paused', value: 'switch', describe: "start paused: the scenarios start at the dashboard's resume (needs --dashboard)" },
  linger: { option: 'linger', value: 'text', bare: 'forever', describe: 'keep the dashboard up with the final summary for DURATION (alone: until Ctrl-C)' },
  interval: { option: 'flushIntervalMs', value: 'milliseconds', describe: 'time-series interval, e.g. 1s (default 1s)' },
  pool: { option: 'pool', value: 'text', choices: ['threads', 'processes'], describe: 'workers as threads (default) or child processes (own heap and file-descriptor table)' },
  'local-ips': { option: 'localIps', value: 'text', describe: 'source addresses spread over connections: 127.0.0.2-127.0.0.9,127.0.1.1' },
  'continue-on-worker-error': { option: 'continueOnWorkerError', value: 'switch', describe: 'go on with the remaining workers when one dies' },
  instances: { option: 'instances', value: 'count', describe: 'one run over N processes or pods (with --coordinator): shares split, results merged, thresholds judged on all' },
  coordinator: { option: 'coordinator', value: 'text', describe: 'HOST:PORT where instance 0 listens and the others connect (beyond loopback: MCPRUN_TOKEN)' },
  instance: { option: 'instance', value: 'text', describe: "this instance's index, 0 to N-1, 0 coordinates (default: JOB_COMPLETION_INDEX)" },
  'sut-pid': { option: 'sutPids', value: 'pids', describe: 'sample the system under test: this process and its children (RSS, CPU, fds, connections), repeatable' },
  baseline: { option: 'baseline', value: 'text', describe: 'compare the run with this --summary-export file (a section in the summary and reports)' },
  'max-regression': { option: 'maxRegression', value: 'list', describe: "with --baseline: METRIC:STAT:+N% allowed, e.g. 'http_req_duration:p95:+10%' (exit 99 beyond it), repeatable" },
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
