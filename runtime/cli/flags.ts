/**
 * The CLI's flag table, and the two things dist/cli.mjs reads from argv before the CLI proper has
 * loaded (the scenario path, to start bundling; the worker count, to start workers). Both readers
 * only guess: the real parse (main.ts) decides, and a wrong guess costs a little time, nothing else.
 */
export const STRING_FLAGS = ['vus', 'duration', 'iterations', 'stage', 'env', 'workers', 'summary-export', 'out', 'report-dir', 'junit', 'metrics-addr', 'interval', 'pool', 'local-ips'] as const;
export const BOOLEAN_FLAGS = ['quiet', 'color', 'progress', 'verbose', 'continue-on-worker-error'] as const;
export const ALIASES: Record<string, string> = { duration: 'd', iterations: 'i', stage: 's', env: 'e', workers: 'w', quiet: 'q', verbose: 'v', out: 'o' };

const TAKES_VALUE = new Set<string>([...STRING_FLAGS.map((f) => `--${f}`), ...STRING_FLAGS.filter((f) => ALIASES[f]).map((f) => `-${ALIASES[f]}`)]);
const SHORT_WITH_VALUE = new Set(STRING_FLAGS.filter((f) => ALIASES[f]).map((f) => ALIASES[f]));

/** The first positional argument (after an optional `run`), skipping flag values. */
export function sniffScript(argv: string[]): string | undefined {
  const args = argv[0] === 'run' ? argv.slice(1) : argv;
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
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    let v: string | undefined;
    if (a === '--workers' || a === '-w') v = argv[i + 1];
    else if (a.startsWith('--workers=')) v = a.slice(10);
    if (v !== undefined) return /^\d+$/.test(v) && Number(v) >= 1 ? Number(v) : undefined;
  }
  return undefined;
}
