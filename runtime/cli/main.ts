/**
 * The CLI: argv → RunOptions (parse.ts, run-options.ts, both read flag-table.ts) → run().
 * `mcprun scenario.ts` is `mcprun run scenario.ts`.
 */
import type { Writable } from 'node:stream';
import { EXIT_CODES } from '../exit-codes.js';
import { run } from '../coordinator/run.js';
import type { RunOptions } from '../config/run-options.js';
import { reportError } from '../output/error-report.js';
import { fastParse, yargsParse } from './parse.js';
import { toRunOptions } from './run-options.js';

export interface CliIo {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
}

/** Parse only (no run): tests call this to pin flag handling and messages. */
export async function parseArgs(argv: string[]): Promise<RunOptions> {
  // `mcprun scenario.ts --vus 2` and `mcprun --vus 2 scenario.ts` both mean `mcprun run ...`.
  const args = argv[0] === 'run' ? argv.slice(1) : argv;
  const fast = fastParse(args);
  if (fast) return toRunOptions(fast);
  return toRunOptions((await yargsParse(args)) ?? { script: '' });
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
