/**
 * The CLI: argv → RunOptions (parse.ts, run-options.ts, both read flag-table.ts) → run().
 * `mcprun scenario.ts` is `mcprun run scenario.ts`.
 */
import type { Writable } from 'node:stream';
import { EXIT_CODES } from '../exit-codes.js';
import { run } from '../coordinator/run.js';
import type { RunOptions } from '../config/run-options.js';
import { reportError } from '../output/error-report.js';
import { takeEarlySignals } from './early-signals.js';
import { startedByNpm, watchParent } from './parent-watch.js';
import { envFlagArgs } from './env-flags.js';
import { fastParse, yargsParse } from './parse.js';
import { toRunOptions } from './run-options.js';

export interface CliIo {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
}

/** Parse only (no run): tests call this to pin flag handling and messages. */
export async function parseArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<RunOptions> {
  // `mcprun scenario.ts --vus 2` and `mcprun --vus 2 scenario.ts` both mean `mcprun run ...`.
  const given = argv[0] === 'run' ? argv.slice(1) : argv;
  // MCPRUN_* variables come first, as flags the command line's own override (env-flags.ts).
  const args = [...envFlagArgs(given, env), ...given];
  const fast = fastParse(args);
  if (fast) return toRunOptions(fast);
  return toRunOptions((await yargsParse(args)) ?? { script: '' });
}

/** The whole CLI: returns the exit code. Signals: first SIGINT/SIGTERM stops gracefully, the second at once. */
export async function main(argv: string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const stops = new CliStops(io.stderr);
  try {
    const verbose = argv.includes('--verbose') || argv.includes('-v');
    let opts: RunOptions;
    try {
      opts = await parseArgs(argv);
    } catch (err) {
      return reportError(err, io.stderr, verbose);
    }
    if (!opts.script) return EXIT_CODES.OK; // --help / --version
    if (opts.color === undefined && (process.env.NO_COLOR || process.env.FORCE_COLOR === '0')) opts.color = false;
    const result = await run({ ...opts, stdout: io.stdout, stderr: io.stderr, signal: stops.graceful.signal, hardSignal: stops.hard.signal });
    return result.exitCode;
  } finally {
    stops.close();
  }
}

/**
 * SIGINT and SIGTERM from the first line of main() to its end (before the flags are parsed: a
 * signal that comes in between must not be lost), those the launcher caught before the CLI had
 * loaded, and, under npm, the parent's end.
 */
class CliStops {
  readonly graceful = new AbortController();
  readonly hard = new AbortController();
  #signals = 0;
  readonly #offParent: () => void;
  readonly #onSignal = (sig: NodeJS.Signals) => {
    this.#signals++;
    if (this.#signals === 1) {
      this.stderr.write(`\nmcprun: ${sig}: stopping — in-flight iterations get their gracefulStop; press Ctrl-C again to stop now (the summary is still written).\n`);
      this.graceful.abort();
    } else {
      this.stderr.write(`\nmcprun: ${sig} again: stopping now.\n`);
      this.hard.abort();
    }
  };

  constructor(readonly stderr: NodeJS.WritableStream) {
    process.on('SIGINT', this.#onSignal);
    process.on('SIGTERM', this.#onSignal);
    // Ours are in place: the launcher's handlers can go, and what they caught counts now.
    for (const sig of takeEarlySignals()) this.#onSignal(sig);
    this.#offParent = startedByNpm()
      ? watchParent((pid) => {
          stderr.write(`\nmcprun: the process that started it (npm/npx, pid ${pid}) is gone; stopping as on SIGTERM.\n`);
          this.#onSignal('SIGTERM');
        })
      : () => {};
  }

  close(): void {
    this.#offParent();
    process.off('SIGINT', this.#onSignal);
    process.off('SIGTERM', this.#onSignal);
  }
}
