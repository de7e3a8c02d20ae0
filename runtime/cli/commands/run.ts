/** `mcprun [run] <scenario.ts> [options]`: the flags → RunOptions → run(). */
import { run } from '../../coordinator/run.js';
import type { RunOptions } from '../../config/run-options.js';
import { EXIT_CODES } from '../../exit-codes.js';
import { LOG_RESULTS_ENV } from '../../k8s/results-block.js';
import { reportError } from '../../output/error-report.js';
import type { CommandContext } from '../cli-io.js';
import { envFlagArgs } from '../env-flags.js';
import { fastParse, yargsParse } from '../parse.js';
import { toRunOptions } from '../run-options.js';

/** The arguments after `run` (or the whole command line when `run` was left out) → RunOptions. */
export async function parseRunArgs(given: string[], env: NodeJS.ProcessEnv = process.env): Promise<RunOptions> {
  // MCPRUN_* variables come first, as flags the command line's own override (env-flags.ts).
  const args = [...envFlagArgs(given, env), ...given];
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
  if (process.env[LOG_RESULTS_ENV] === '1' && isCoordinator(opts)) (await import('../../k8s/results-files.js')).logResults(io.stdout, result.exitCode);
  return result.exitCode;
}

/** One instance alone, or index 0 of many: the one that writes the summary and reports. */
function isCoordinator(opts: RunOptions): boolean {
  return opts.instances === undefined || Number(opts.instance ?? process.env.JOB_COMPLETION_INDEX) === 0;
}
