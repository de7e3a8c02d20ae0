/** `mcprun [run] <scenario.ts> [options]`: the flags → RunOptions → run(). */
import { run } from '../../coordinator/run.js';
import type { RunOptions } from '../../config/run-options.js';
import { EXIT_CODES } from '../../exit-codes.js';
import { reportError } from '../../output/error-report.js';
import type { CommandContext } from '../cli-io.js';
import { fastParse, yargsParse } from '../parse.js';
import { toRunOptions } from '../run-options.js';

/** The arguments after `run` (or the whole command line when `run` was left out) → RunOptions. */
export async function parseRunArgs(args: string[]): Promise<RunOptions> {
  const fast = fastParse(args);
  if (fast) return toRunOptions(fast);
  return toRunOptions((await yargsParse(args)) ?? { script: '' });
}

export async function runCommand(args: string[], { io, signal, hardSignal }: CommandContext): Promise<number> {
  const verbose = args.includes('--verbose') || args.includes('-v');
  let opts: RunOptions;
  try {
    opts = await parseRunArgs(args);
  } catch (err) {
    return reportError(err, io.stderr, verbose);
  }
  if (!opts.script) return EXIT_CODES.OK; // --help / --version
  if (opts.color === undefined && (process.env.NO_COLOR || process.env.FORCE_COLOR === '0')) opts.color = false;
  const result = await run({ ...opts, stdout: io.stdout, stderr: io.stderr, signal, hardSignal });
  return result.exitCode;
}
