/**
 * The flags as given → RunOptions, each by the kind of value the flag table gives it. Every flag
 * error is exit 104 with the flag named and an example of a good value.
 */
import { McprunError } from '../errors.js';
import { parseDuration } from '../duration.js';
import { parseStageFlag } from '../config/resolve.js';
import { parseDnsFlag } from '../config/dns.js';
import type { RunOptions } from '../config/run-options.js';
import { FLAG_NAMES, flagSpec, type FlagName, type FlagSpec } from './flag-table.js';
import type { ParsedArgs } from './parse.js';

type Given = string | string[] | boolean;

export function toRunOptions(args: ParsedArgs): RunOptions {
  if (!args.script) return { script: '' };
  const out: Record<string, unknown> = { script: args.script, env: {} };
  for (const flag of FLAG_NAMES) {
    const given = args[flag];
    if (given !== undefined) out[flagSpec(flag).option] = valueOf(flag, flagSpec(flag), given);
  }
  const opts = out as unknown as RunOptions;
  checkStageAlone(opts);
  checkChoices(opts);
  return opts;
}

function valueOf(flag: FlagName, spec: FlagSpec, given: Given): unknown {
  switch (spec.value) {
    case 'switch':
      return given;
    case 'list':
      return list(given);
    case 'stage': {
      const stages = list(given);
      for (const s of stages) parseStageFlag(s);
      return stages;
    }
    case 'env':
      return envOf(list(given));
    case 'pids':
      return list(given).map((v) => pid(flag, v));
    case 'count':
      return int(flag, only(given, flag), 1);
    case 'whole':
      return int(flag, only(given, flag), 0);
    case 'pairs':
      return pairsOf(flag, list(given));
    case 'duration': {
      const d = only(given, flag);
      parseDuration(d, `--${flag}`, { allowZero: false });
      return d;
    }
    case 'milliseconds':
      return parseDuration(only(given, flag), `--${flag}`, { allowZero: false });
    case 'text':
      return given === '' && spec.bare !== undefined ? spec.bare : only(given, flag);
  }
}

/** Repeatable flags are plain strings repeated (an `array: true` flag would swallow the scenario path after it). */
function list(v: Given): string[] {
  return Array.isArray(v) ? v : [String(v)];
}

function only(v: Given, flag: string): string {
  if (Array.isArray(v)) throw new McprunError('MCPRUN_CLI', `--${flag} was given ${v.length} times (${v.join(', ')}); give it once.`);
  return String(v);
}

function int(flag: string, v: string, min: number): number {
  if (!/^\d+$/.test(v.trim()) || Number(v) < min) {
    throw new McprunError('MCPRUN_CLI', `invalid --${flag} ${JSON.stringify(v)}: expected a whole number >= ${min}, e.g. --${flag} ${Math.max(min, 10)}.`);
  }
  return Number(v);
}

function pid(flag: string, v: string): number {
  if (/^\d+$/.test(v.trim()) && Number(v) >= 1) return Number(v);
  throw new McprunError('MCPRUN_CLI', `invalid --${flag} ${JSON.stringify(v)}: expected a process ID (a whole number), e.g. --${flag} "$(pgrep -n my-server)".`);
}

function pairsOf(flag: string, pairs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new McprunError('MCPRUN_CLI', `invalid --${flag} ${JSON.stringify(pair)}: expected KEY=VALUE, e.g. --${flag} env=staging.`);
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

function envOf(pairs: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) {
      throw new McprunError('MCPRUN_CLI', `invalid -e ${JSON.stringify(pair)}: expected KEY=VALUE, e.g. -e TARGET=http://127.0.0.1:8080.`);
    }
    env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return env;
}

/** --stage builds its own ramping scenario: a --duration or --iterations beside it would be ignored. */
function checkStageAlone(o: RunOptions): void {
  if (!o.stages?.length || (o.duration === undefined && o.iterations === undefined)) return;
  const other = o.duration !== undefined ? '--duration' : '--iterations';
  throw new McprunError(
    'MCPRUN_CLI',
    `--stage and ${other} cannot be used together: --stage builds a ramping-vus scenario that lasts as long as its stages add up to.`,
    { hint: `Drop ${other}, or drop --stage to run ${other === '--duration' ? 'constant VUs for a fixed time' : 'a fixed number of iterations'}.` },
  );
}

/** Flags whose value is one of a few words, checked here (a bare --http-debug means `headers`). */
function checkChoices(o: RunOptions): void {
  if (o.httpDebug !== undefined && o.httpDebug !== 'headers' && o.httpDebug !== 'full') {
    throw new McprunError('MCPRUN_CLI', `invalid --http-debug ${JSON.stringify(o.httpDebug)}: expected --http-debug (heads) or --http-debug=full (heads and bodies).`, {
      hint: 'Write it with "=" (--http-debug=full), or after the scenario file: a value after a space is read as the flag\'s value.',
    });
  }
  if (o.dns !== undefined) parseDnsFlag(o.dns);
}

