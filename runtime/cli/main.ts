/**
 * CLI wiring only: parse argv with yargs, translate flags into RunOptions, call run().
 * `mcprun scenario.ts` is `mcprun run scenario.ts`.
 */
import type { Writable } from 'node:stream';
import yargsParser from 'yargs-parser';
import { ALIASES, BOOLEAN_FLAGS, STRING_FLAGS } from './flags.js';
import { McprunError } from '../errors.js';
import { EXIT_CODES } from '../exit-codes.js';
import { run, reportError, type RunOptions } from '../coordinator/run.js';
import { VERSION } from '../version.js';
import { parseDuration } from '../duration.js';
import { parseStageFlag } from '../config/resolve.js';

export interface CliIo {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
}

export interface ParsedArgs {
  script: string;
  vus?: number;
  duration?: string;
  iterations?: number;
  stage?: string[];
  env?: string[];
  workers?: number;
  'summary-export'?: string;
  quiet?: boolean;
  color?: boolean;
  progress?: boolean;
  verbose?: boolean;
  out?: string[];
  'report-dir'?: string;
  junit?: string;
  'metrics-addr'?: string;
  interval?: string;
  pool?: string;
  'local-ips'?: string;
  'continue-on-worker-error'?: boolean;
}


const POOL_CHOICES = ['threads', 'processes'];
const camel = (f: string) => f.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
const KNOWN_KEYS = new Set<string>(['_', ...STRING_FLAGS, ...BOOLEAN_FLAGS, ...STRING_FLAGS.map(camel), ...BOOLEAN_FLAGS.map(camel), ...Object.values(ALIASES)]);

/**
 * The common case without yargs: flags that are all known and well-formed, one scenario file.
 * Anything else (help, version, unknown or malformed flags, a missing file) returns undefined and
 * goes through yargs for its help text and messages. yargs itself is loaded only then: its
 * terminal-width tables cost ~75 ms of start-up at import (test/unit/cli pins that both parsers
 * agree).
 */
export function fastParse(args: string[]): ParsedArgs | undefined {
  const a = yargsParser(args, {
    string: [...STRING_FLAGS],
    boolean: [...BOOLEAN_FLAGS, 'help', 'version'],
    alias: { ...ALIASES, version: 'V' },
    default: { progress: true },
  }) as Record<string, unknown> & { _: Array<string | number> };
  if (a.help || a.version || a._.length !== 1 || String(a._[0]) === '') return undefined;
  for (const k of Object.keys(a)) if (!KNOWN_KEYS.has(k) && k !== 'help' && k !== 'version' && k !== 'V') return undefined;
  for (const f of STRING_FLAGS) {
    const v = a[f];
    if (v === undefined) continue;
    const vs = Array.isArray(v) ? v : [v];
    // A flag without its value is yargs' to explain (and --report-dir alone means its default).
    if (vs.some((x) => typeof x !== 'string' || x === '')) return undefined;
  }
  if (a.pool !== undefined && !POOL_CHOICES.includes(a.pool as string)) return undefined;
  const parsed: Record<string, unknown> = { script: String(a._[0]) };
  for (const f of [...STRING_FLAGS, ...BOOLEAN_FLAGS]) if (a[f] !== undefined) parsed[f] = a[f];
  return parsed as unknown as ParsedArgs;
}

/** Parse only (no run): tests call this to pin flag handling and messages. */
export async function parseArgs(argv: string[]): Promise<RunOptions> {
  // `mcprun scenario.ts --vus 2` and `mcprun --vus 2 scenario.ts` both mean `mcprun run ...`.
  const args = argv[0] === 'run' ? argv.slice(1) : argv;
  const fast = fastParse(args);
  if (fast) return toRunOptions(fast);
  return toRunOptions((await yargsParse(args)) ?? { script: '' });
}

/** Full yargs: --help, --version, and the messages for flags the fast parser does not accept. */
export async function yargsParse(args: string[]): Promise<ParsedArgs | undefined> {
  // No yargs command: a command makes yargs lay out and cache the whole help text on every run
  // (~80 ms of start-up). `run` is accepted and dropped.
  const { default: yargs } = await import('yargs');
  let parsed: ParsedArgs | undefined;
  await yargs(args)
    .scriptName('mcprun')
    .usage('mcprun [run] <scenario.ts> [options]')
    .option('vus', { type: 'string', describe: 'VUs of the default scenario (replaces scenarios with --duration/--iterations/--stage)' })
    .option('duration', { alias: 'd', type: 'string', describe: 'duration of the default scenario, e.g. 30s' })
    .option('iterations', { alias: 'i', type: 'string', describe: 'iterations of the default scenario' })
    .option('stage', { alias: 's', type: 'string', describe: 'ramping stage DURATION:TARGET, repeatable' })
    .option('env', { alias: 'e', type: 'string', describe: 'KEY=VALUE visible as process.env / __ENV in the scenario, repeatable' })
    .option('workers', { alias: 'w', type: 'string', describe: 'worker threads (default: CPU count)' })
    .option('summary-export', { type: 'string', describe: 'write the end-of-test summary as JSON (k6 handleSummary shape)' })
    .option('quiet', { alias: 'q', type: 'boolean', describe: 'no progress and no summary on stdout' })
    .option('color', { type: 'boolean', describe: 'colours in the summary (--no-color or NO_COLOR turn them off)' })
    .option('progress', { type: 'boolean', default: true, describe: 'live progress (--no-progress turns it off)' })
    .option('verbose', { alias: 'v', type: 'boolean', describe: 'stack traces with errors' })
    .option('out', { alias: 'o', type: 'string', describe: 'time series output: json=FILE[,raw] (NDJSON) or csv=FILE, repeatable' })
    .option('report-dir', { type: 'string', describe: 'write summary.json, report.html, report.md, junit.xml, timeseries.csv into DIR/<scenario>-<time>/ (default DIR ./mcprun-results)' })
    .option('junit', { type: 'string', describe: 'write thresholds and checks as JUnit XML' })
    .option('metrics-addr', { type: 'string', describe: 'serve Prometheus metrics during the run at HOST:PORT (loopback unless a host is given)' })
    .option('interval', { type: 'string', describe: 'time-series interval, e.g. 1s (default 1s)' })
    .option('pool', { type: 'string', choices: ['threads', 'processes'], describe: 'workers as threads (default) or child processes (own heap and file-descriptor table)' })
    .option('local-ips', { type: 'string', describe: 'source addresses spread over connections: 127.0.0.2-127.0.0.9,127.0.1.1' })
    .option('continue-on-worker-error', { type: 'boolean', describe: 'go on with the remaining workers when one dies' })
    .demandCommand(1, 'no scenario file given')
    .strict()
    .version(VERSION)
    .alias('version', 'V')
    .help()
    .exitProcess(false)
    .fail((msg, err) => {
      throw err ?? cliError(msg);
    })
    .parseAsync()
    .then((a) => {
      const positional = (a as { _: Array<string | number> })._.map(String);
      if (positional.length > 1) {
        throw new McprunError('MCPRUN_CLI', `unexpected argument${positional.length > 2 ? 's' : ''} ${positional.slice(1).map((x) => JSON.stringify(x)).join(', ')} after the scenario file ${JSON.stringify(positional[0])}.`, {
          hint: 'Give one scenario file; flags take their value after a space or "=" (e.g. --vus 10).',
        });
      }
      parsed = { ...(a as unknown as ParsedArgs), script: positional[0] };
    });
  return parsed?.script ? parsed : undefined;
}

function cliError(msg: string): McprunError {
  const unknown = /Unknown arguments?: (.+)/.exec(msg);
  if (unknown) {
    return new McprunError('MCPRUN_CLI', `unknown flag ${unknown[1].split(', ').map((f) => (f.length === 1 ? `-${f}` : `--${f}`)).join(', ')}.`, {
      hint: 'Run `mcprun --help` for the flags; scenario options go in the scenario file or in -e KEY=VALUE.',
    });
  }
  if (/Not enough non-option arguments|no scenario file given/.test(msg)) {
    return new McprunError('MCPRUN_CLI', 'no scenario file given.', { hint: 'Run `mcprun path/to/scenario.ts`.' });
  }
  const choice = /Invalid values:\s*Argument: (\S+), Given: (.+), Choices: (.+)/.exec(msg);
  if (choice) {
    return new McprunError('MCPRUN_CLI', `invalid --${choice[1]} ${choice[2].trim()}: expected one of ${choice[3].trim()}, e.g. --${choice[1]} ${choice[3].split(',')[0].trim().replace(/"/g, '')}.`);
  }
  const missing = /Not enough arguments following: (\S+)/.exec(msg);
  if (missing) {
    const f = missing[1].length === 1 ? `-${missing[1]}` : `--${missing[1]}`;
    return new McprunError('MCPRUN_CLI', `${f} needs a value.`, { hint: 'Run `mcprun --help` for the flags.' });
  }
  return new McprunError('MCPRUN_CLI', `${msg.replace(/\.$/, '')}.`, { hint: 'Run `mcprun --help` for the flags.' });
}

function int(name: string, v: string | undefined, min: number): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v.trim()) || Number(v) < min) {
    throw new McprunError('MCPRUN_CLI', `invalid --${name} ${JSON.stringify(v)}: expected a whole number >= ${min}, e.g. --${name} ${Math.max(min, 10)}.`);
  }
  return Number(v);
}

/** Repeatable flags are plain strings repeated (an `array: true` flag would swallow the scenario path after it). */
function list(v: string | string[] | undefined): string[] | undefined {
  return v === undefined ? undefined : Array.isArray(v) ? v : [v];
}

export function toRunOptions(args: ParsedArgs): RunOptions {
  if (!args.script) return { script: '' };
  const a = { ...args, stage: list(args.stage), env: list(args.env), out: list(args.out) };
  const env: Record<string, string> = {};
  for (const pair of a.env ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) {
      throw new McprunError('MCPRUN_CLI', `invalid -e ${JSON.stringify(pair)}: expected KEY=VALUE, e.g. -e TARGET=http://127.0.0.1:8080.`);
    }
    env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  const only = (v: unknown, flag: string) => {
    if (Array.isArray(v)) throw new McprunError('MCPRUN_CLI', `--${flag} was given ${v.length} times (${v.join(', ')}); give it once.`);
    return v as string | undefined;
  };
  const duration = only(a.duration, 'duration');
  if (duration !== undefined) parseDuration(duration, '--duration', { allowZero: false });
  for (const s of a.stage ?? []) parseStageFlag(s);
  if (a.stage?.length && (duration !== undefined || a.iterations !== undefined)) {
    const other = duration !== undefined ? '--duration' : '--iterations';
    throw new McprunError(
      'MCPRUN_CLI',
      `--stage and ${other} cannot be used together: --stage builds a ramping-vus scenario that lasts as long as its stages add up to.`,
      { hint: `Drop ${other}, or drop --stage to run ${other === '--duration' ? 'constant VUs for a fixed time' : 'a fixed number of iterations'}.` },
    );
  }
  return {
    script: a.script,
    vus: int('vus', only(a.vus, 'vus'), 1),
    duration,
    iterations: int('iterations', only(a.iterations, 'iterations'), 1),
    stages: a.stage,
    env,
    workers: int('workers', only(a.workers, 'workers'), 1),
    summaryExport: only(a['summary-export'], 'summary-export'),
    quiet: a.quiet,
    color: a.color === undefined ? undefined : a.color,
    progress: a.progress,
    verbose: a.verbose,
    out: a.out,
    reportDir: a['report-dir'] === '' ? './mcprun-results' : only(a['report-dir'], 'report-dir'),
    junit: only(a.junit, 'junit'),
    metricsAddr: only(a['metrics-addr'], 'metrics-addr'),
    flushIntervalMs: a.interval === undefined ? undefined : parseDuration(only(a.interval, 'interval')!, '--interval', { allowZero: false }),
    pool: a.pool as RunOptions['pool'],
    localIps: only(a['local-ips'], 'local-ips'),
    continueOnWorkerError: a['continue-on-worker-error'],
  };
}

/** The whole CLI: returns the exit code. Signals: first SIGINT/SIGTERM stops gracefully, the second at once. */
export async function main(argv: string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const verbose = argv.includes('--verbose') || argv.includes('-v');
  let opts: RunOptions;
  try {
    opts = await parseArgs(argv);
  } catch (err) {
    return reportError(err, io.stderr, verbose);
  }
  if (!opts.script) return EXIT_CODES.OK; // --help / --version
  if (opts.color === undefined && (process.env.NO_COLOR || process.env.FORCE_COLOR === '0')) opts.color = false;
  const graceful = new AbortController();
  const hard = new AbortController();
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    signals++;
    if (signals === 1) {
      io.stderr.write(`\nmcprun: ${sig}: stopping — in-flight iterations get their gracefulStop; press Ctrl-C again to stop now (the summary is still written).\n`);
      graceful.abort();
    } else {
      io.stderr.write(`\nmcprun: ${sig} again: stopping now.\n`);
      hard.abort();
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const result = await run({ ...opts, stdout: io.stdout, stderr: io.stderr, signal: graceful.signal, hardSignal: hard.signal });
    return result.exitCode;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
