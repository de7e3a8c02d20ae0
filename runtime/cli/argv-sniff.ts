/**
 * What dist/cli.mjs reads from argv before the CLI proper has loaded: the scenario path (to start
 * bundling) and how many worker threads to start. Both only guess: the real parse (parse.ts)
 * decides, and a wrong guess costs a little time, nothing else. The flags come from the table.
 */
import { ALIASES, STRING_FLAGS } from './flag-table.js';

const TAKES_VALUE = new Set<string>([...STRING_FLAGS.map((f) => `--${f}`), ...STRING_FLAGS.filter((f) => ALIASES[f]).map((f) => `-${ALIASES[f]}`)]);
const SHORT_WITH_VALUE = new Set(STRING_FLAGS.filter((f) => ALIASES[f]).map((f) => ALIASES[f]));

/**
 * The command's name when the first argument is a bare word (`run`, `check`, `init`...). Not read
 * from the command table: that would bundle every command into these first lines.
 */
export function sniffCommand(argv: string[]): string | undefined {
  return argv[0] !== undefined && /^[a-z][a-z0-9-]*$/.test(argv[0]) ? argv[0] : undefined;
}

/** Commands that bundle a scenario and read it in a worker thread (the first file after their name). */
const READS_SCENARIO = new Set(['run', 'check']);

/** The first positional argument (after an optional `run` or `check`), skipping flag values. */
export function sniffScript(argv: string[]): string | undefined {
  const command = sniffCommand(argv);
  if (command !== undefined && !READS_SCENARIO.has(command)) return undefined;
  const args = command ? argv.slice(1) : argv;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') return args[i + 1];
    if (a.startsWith('--')) {
      if (!a.includes('=') && TAKES_VALUE.has(a)) i++;
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      // -qe K=V: the last letter of a group may take the next argument.
      if (!a.includes('=') && SHORT_WITH_VALUE.has(a[a.length - 1])) i++;
      continue;
    }
    return a;
  }
  return undefined;
}

/** `--workers N` / `-w N` / `--workers=N`, when given as a plain number. */
export function sniffWorkers(argv: string[]): number | undefined {
  const short = `-${ALIASES.workers}`;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    let v: string | undefined;
    if (a === '--workers' || a === short) v = argv[i + 1];
    else if (a.startsWith('--workers=')) v = a.slice('--workers='.length);
    if (v !== undefined) return /^\d+$/.test(v) && Number(v) >= 1 ? Number(v) : undefined;
  }
  return undefined;
}

/** False when the command line runs no worker threads: nothing to run, --help, --version, --pool processes, or a command other than run and check. */
export function sniffRunsThreads(argv: string[]): boolean {
  const command = sniffCommand(argv);
  if (command !== undefined && !READS_SCENARIO.has(command)) return false;
  return argv.length > 0 && !argv.some((a) => a === '--help' || a === '-h' || a === '--version' || a === '-V' || a === 'processes' || a === '--pool=processes');
}
