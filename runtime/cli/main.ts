/**
 * The CLI: the first argument names a command of the command table (command-table.ts), whose code
 * is loaded then; anything else is `run`'s (`mcprun scenario.ts` is `mcprun run scenario.ts`).
 * A bare word that names no command and no file (`mcprun inspect s.ts`) is an unknown command,
 * not a scenario called "inspect".
 */
import { existsSync } from 'node:fs';
import { McprunError } from '../errors.js';
import { reportError } from '../output/error-report.js';
import type { RunOptions } from '../config/run-options.js';
import type { CliIo } from './cli-io.js';
import { CliStops } from './cli-stops.js';
import { COMMANDS, OTHER_TOOLS_COMMANDS, commandNamed } from './command-table.js';
import { nearestName } from '../thresholds/index.js';
import { parseRunArgs } from './commands/run.js';
import { setCommandsHelp } from './parse.js';

export type { CliIo };

/** Parse only (no run): tests call this to pin flag handling and messages. */
export async function parseArgs(argv: string[]): Promise<RunOptions> {
  // `mcprun scenario.ts --vus 2` and `mcprun --vus 2 scenario.ts` both mean `mcprun run ...`.
  return parseRunArgs(argv[0] === 'run' ? argv.slice(1) : argv);
}

/** The whole CLI: returns the exit code. Signals: first SIGINT/SIGTERM stops gracefully, the second at once. */
export async function main(argv: string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const stops = new CliStops(io.stderr);
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  setCommandsHelp(`Commands:\n${COMMANDS.map((c) => `  mcprun ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}\n\nDocs: docs/cli.md, docs/typescript.md`);
  try {
    const ctx = { io, signal: stops.graceful.signal, hardSignal: stops.hard.signal };
    const named = commandNamed(argv[0]);
    if (named) return await (await named.load())(argv.slice(1), ctx);
    const unknown = unknownCommand(argv[0]);
    if (unknown) return reportError(unknown, io.stderr, false);
    return await (await commandNamed('run')!.load())(argv, ctx);
  } finally {
    stops.close();
  }
}

/** `mcprun inspect s.ts`: a bare word (no dot, no slash) in the command's place that is no file is a command mcprun lacks. */
function unknownCommand(first: string | undefined): McprunError | undefined {
  if (first === undefined || !/^[a-z][a-z0-9-]*$/.test(first) || existsSync(first)) return undefined;
  const names = COMMANDS.map((c) => c.name);
  const instead = OTHER_TOOLS_COMMANDS[first];
  const near = nearestName(first, names);
  return new McprunError('MCPRUN_CLI', `unknown command "${first}": mcprun's commands are ${names.join(', ')}${instead ? `; ${instead}.` : near ? `; did you mean "${near}"?` : '.'}`, {
    hint: `Run \`mcprun --help\` for them; to run a scenario file, give its path (mcprun ./${first}.ts).`,
  });
}
