/**
 * argv → the flags as given. The common case goes through the fast parser, everything else
 * (help, version, unknown or malformed flags, a missing file) through yargs for its help text and
 * messages. Both read the flag table; test/unit/cli pins that they agree.
 */
import yargsParser from 'yargs-parser';
import type { Options as YargsOption } from 'yargs';
import { McprunError } from '../errors.js';
import { VERSION } from '../version.js';
import { ALIASES, BOOLEAN_FLAGS, FLAG_NAMES, STRING_FLAGS, flagSpec, type FlagName } from './flag-table.js';

/** The flags as given: a string (or several, when repeated), a boolean for switches. */
export type ParsedArgs = { script: string } & { [F in FlagName]?: string | string[] | boolean };

const camel = (f: string) => f.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
const KNOWN_KEYS = new Set<string>(['_', ...FLAG_NAMES, ...FLAG_NAMES.map(camel), ...Object.values(ALIASES)]);
const DEFAULTS = Object.fromEntries(FLAG_NAMES.flatMap((f) => (flagSpec(f).default !== undefined ? [[f, flagSpec(f).default]] : [])));

/**
 * The common case without yargs: flags that are all known and well-formed, one scenario file.
 * Anything else returns undefined. yargs itself is loaded only then: its terminal-width tables
 * cost ~75 ms of start-up at import.
 */
export function fastParse(args: string[]): ParsedArgs | undefined {
  const a = yargsParser(args, {
    string: [...STRING_FLAGS],
    boolean: [...BOOLEAN_FLAGS, 'help', 'version'],
    alias: { ...ALIASES, version: 'V' },
    default: DEFAULTS,
  }) as Record<string, unknown> & { _: Array<string | number> };
  if (a.help || a.version || a._.length !== 1 || String(a._[0]) === '') return undefined;
  for (const k of Object.keys(a)) if (!KNOWN_KEYS.has(k) && k !== 'help' && k !== 'version' && k !== 'V') return undefined;
  for (const f of STRING_FLAGS) {
    const v = a[f];
    if (v === undefined) continue;
    const vs = Array.isArray(v) ? v : [v];
    // A flag without its value is yargs' to explain (and --report-dir alone means its default).
    if (vs.some((x) => typeof x !== 'string' || x === '')) return undefined;
    const choices = flagSpec(f).choices;
    if (choices && (Array.isArray(v) || !choices.includes(v as string))) return undefined;
  }
  const parsed: Record<string, unknown> = { script: String(a._[0]) };
  for (const f of FLAG_NAMES) if (a[f] !== undefined) parsed[f] = a[f];
  return parsed as ParsedArgs;
}

function yargsOption(f: FlagName): YargsOption {
  const spec = flagSpec(f);
  return {
    type: spec.value === 'switch' ? 'boolean' : 'string',
    describe: spec.describe,
    ...(spec.alias ? { alias: spec.alias } : {}),
    ...(spec.default !== undefined ? { default: spec.default } : {}),
    ...(spec.choices ? { choices: [...spec.choices] } : {}),
  };
}

/** The command table's lines for --help, set by main.ts (which holds the table: the commands import this file). */
let commandsHelp = '';

export function setCommandsHelp(text: string): void {
  commandsHelp = text;
}

/** Full yargs: --help, --version, and the messages for flags the fast parser does not accept. */
export async function yargsParse(args: string[]): Promise<ParsedArgs | undefined> {
  // No yargs command: a command makes yargs lay out and cache the whole help text on every run
  // (~80 ms of start-up). `run` is accepted and dropped.
  const { default: yargs } = await import('yargs');
  let parsed: ParsedArgs | undefined;
  let y = yargs(args).scriptName('mcprun').usage('mcprun [run] <scenario.ts> [options]');
  for (const f of FLAG_NAMES) y = y.option(f, yargsOption(f));
  if (commandsHelp) y = y.epilogue(commandsHelp);
  await y
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
