/**
 * MCPRUN_* environment variables: one per flag of the table (MCPRUN_VUS for --vus, MCPRUN_HTTP_DEBUG
 * for --http-debug, ...), read as if the flag were given, unless the command line gives it: so the
 * precedence is CLI > environment > the scenario file's options > defaults. Switches take
 * true/false (1/0, yes/no); repeatable flags take several values separated by ";".
 */
import { McprunError } from '../errors.js';
import { ALIASES, FLAG_NAMES, flagSpec, type FlagName } from './flag-table.js';

const REPEATABLE = new Set(['stage', 'list', 'env', 'pids', 'pairs']);

export function envVarOf(flag: FlagName): string {
  return `MCPRUN_${flag.toUpperCase().replace(/-/g, '_')}`;
}

/** The flags the command line gives (any spelling: --vus, --vus=3, --no-progress, -u). */
function givenOnCli(args: readonly string[], flag: FlagName): boolean {
  const alias = ALIASES[flag];
  return args.some((a) => a === `--${flag}` || a.startsWith(`--${flag}=`) || a === `--no-${flag}` || (alias !== undefined && (a === `-${alias}` || (a.startsWith('-') && !a.startsWith('--') && a.length > 2 && a.includes(alias) && /^-[a-zA-Z]+$/.test(a)))));
}

/** argv tokens for the MCPRUN_* variables that are set and not overridden by the command line. */
export function envFlagArgs(args: readonly string[], env: NodeJS.ProcessEnv = process.env): string[] {
  const out: string[] = [];
  for (const flag of FLAG_NAMES) {
    const name = envVarOf(flag);
    const raw = env[name];
    if (raw === undefined || raw === '' || givenOnCli(args, flag)) continue;
    const spec = flagSpec(flag);
    if (spec.value === 'switch') {
      const v = raw.trim().toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(v)) out.push(`--${flag}`);
      else if (['0', 'false', 'no', 'off'].includes(v)) out.push(`--no-${flag}`);
      else throw new McprunError('MCPRUN_CLI', `invalid ${name}=${JSON.stringify(raw)}: expected true or false (1/0, yes/no), as for --${flag}.`, { hint: `Unset it, or write ${name}=true.` });
    } else if (REPEATABLE.has(spec.value)) {
      for (const v of raw.split(';')) if (v.trim()) out.push(`--${flag}=${v.trim()}`);
    } else out.push(`--${flag}=${raw}`);
  }
  return out;
}
