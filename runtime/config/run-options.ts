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
  /** No progress display (the summary is still printed). */
  quiet?: boolean;
  /** false (`--no-summary`): no summary on stdout. @default true */
  summary?: boolean;
  /** `--summary-trend-stats avg,p(95),p(99.9)`: the trend columns of the summary (as written, comma-separated). */
  summaryTrendStats?: string;
  /** false (`--no-thresholds`): thresholds are checked for syntax but not judged. @default true */
  thresholds?: boolean;
  /** false (`--no-setup`): setup() is not run. @default true */
  setup?: boolean;
  /** false (`--no-teardown`): teardown() is not run. @default true */
  teardown?: boolean;
  /** `--tag KEY=VALUE`: tags on every sample, over options.tags. */
  tags?: Record<string, string>;
  /** `--user-agent`: over options.http.userAgent. */
  userAgent?: string;
  /** `--max-redirects N`: over options.http.maxRedirects. */
  maxRedirects?: number;
  /** `--insecure-skip-tls-verify`: over options.http.insecureSkipTLSVerify. */
  insecureSkipTlsVerify?: boolean;
  /** `--dns policy=onlyIPv4`: how host names resolve for HTTP and WebSocket connections. */
  dns?: string;
  /** `--http-debug[=full]`: request and response heads (and bodies with full) on stderr. */
  httpDebug?: string;
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
  /** `--dashboard [HOST:PORT]`: the live page and control API (127.0.0.1 and a free port when given alone). */
  dashboard?: string;
  /** `--dashboard-open`: open the page with $BROWSER, else the system's browser when there is a desktop. */
  dashboardOpen?: boolean;
  /** `--dashboard-token`: required beyond loopback (else MCPRUN_DASHBOARD_TOKEN); every request must carry it. */
  dashboardToken?: string;
  /** `--paused`: start paused; the dashboard's resume starts the scenarios (needs --dashboard). */
  paused?: boolean;
  /** `--linger [DURATION]`: keep the dashboard up with the final summary that long ('forever' alone: until Ctrl-C). */
  linger?: string;
  /** `--pool threads|processes`. @default 'threads' */
  pool?: 'threads' | 'processes';
  /** `--local-ips 127.0.0.2-127.0.0.9,127.0.1.1`: source addresses spread round-robin over connections. */
  localIps?: string;
  /** Keep going with the remaining workers when one dies. */
  continueOnWorkerError?: boolean;
  /** `--sut-pid PID`, repeatable: the system under test, sampled from /proc with its children (replaces options.sut's pid, pids or target). */
  sutPids?: number[];
  /** `--instances N`: one run over N processes or pods; needs `coordinator`. */
  instances?: number;
  /** `--coordinator HOST:PORT`: where instance 0 listens (127.0.0.1 unless a host is given) and the others connect. */
  coordinator?: string;
  /** `--instance I`: this process's index, 0 .. N-1 (0 coordinates); else JOB_COMPLETION_INDEX. */
  instance?: string;
  /** `--sut-metrics URL`: the system under test's Prometheus endpoint (replaces options.sut.prometheus). */
  sutMetrics?: string;
  /** `--typecheck`: type-check the scenario (as `mcprun check`) before any load; options.typecheck also turns it on. */
  typecheck?: boolean;
  /** `--baseline FILE`: a summary export to compare this run with. */
  baseline?: string;
  /** `--max-regression RULE`, repeatable: how much worse than the baseline a figure may get (exit 99 beyond). */
  maxRegression?: string[];
}

/** The options that are not flags: where output goes and how the run is stopped from outside. */
export type ProgrammaticOptions = 'script' | 'stdout' | 'stderr' | 'signal' | 'hardSignal';

export const DEFAULT_FLUSH_INTERVAL_MS = 1000;
