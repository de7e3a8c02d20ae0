/**
 * What the coordinator needs to know of a scenario, read inside a worker after it imported the
 * bundle: `options` as plain data, the kind of each export, and the metrics its top-level code
 * defined. The coordinator never imports the scenario: whatever its top-level code does (throw
 * later from a timer, reject, call process.exit, never settle) happens in a worker, where it is
 * reported with its place, and cannot take the run's measurements with it.
 */
import { McprunError } from '../errors.js';
import { BUILTIN_METRICS } from '../metrics/builtin.js';
import { realmRegistry } from '../metrics/registry.js';
import { userFrame } from '../stack-location.js';
import type { ScriptFacts } from '../worker-protocol.js';

const BUILTIN = new Set(BUILTIN_METRICS.map((m) => m.name));
/** Deeper than any options object people write; deeper is a cycle or generated data. */
const MAX_DEPTH = 32;

export function scriptFacts(mod: Record<string, unknown>, script: string): ScriptFacts {
  const exports: Record<string, string> = {};
  for (const k of Object.keys(mod)) exports[k] = kindOf(mod[k]);
  const options = mod.options;
  if (isThenable(options)) {
    throw new McprunError('MCPRUN_SCRIPT_EXPORT', `${script} exports "options" as a Promise; mcprun reads options once, as a plain object.`, {
      hint: 'Compute it with top-level await instead: `export const options = defineScenario(await load())`.',
    });
  }
  return { options: plainCopy(options, 'options', 0), exports, metrics: realmRegistry.all().filter((d) => !BUILTIN.has(d.name)) };
}

export function kindOf(v: unknown): string {
  if (typeof v === 'function') return 'function';
  if (v === undefined) return 'undefined';
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

function isThenable(v: unknown): boolean {
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

/** A structured-clone-safe copy that runs getters here (a throwing one is the scenario's error, with its place). */
function plainCopy(v: unknown, path: string, depth: number): unknown {
  if (typeof v === 'function') {
    throw new McprunError('MCPRUN_CONFIG', `invalid configuration: ${path} is a function; options hold plain data (strings, numbers, booleans, objects, arrays).`, { hint: 'Call it at the top level and put its result there.' });
  }
  if (typeof v !== 'object' || v === null) return v;
  if (depth > MAX_DEPTH) throw new McprunError('MCPRUN_CONFIG', `invalid configuration: ${path} is nested more than ${MAX_DEPTH} levels deep (a cycle?).`, { hint: 'Options hold plain data without cycles.' });
  if (isThenable(v)) throw new McprunError('MCPRUN_CONFIG', `invalid configuration: ${path} is a Promise.`, { hint: 'Await it at the top level and put its result there.' });
  if (Array.isArray(v)) return v.map((x, i) => plainCopy(x, `${path}[${i}]`, depth + 1));
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) out[k] = plainCopy(read(v as Record<string, unknown>, k, path), `${path}.${k}`, depth + 1);
  return out;
}

function read(o: Record<string, unknown>, k: string, path: string): unknown {
  try {
    return o[k];
  } catch (err) {
    const e = err as Error;
    const where = userFrame(e?.stack);
    throw new McprunError('MCPRUN_SCRIPT_EXCEPTION', `the scenario threw while mcprun read ${path}.${k}: ${e?.name ?? 'Error'}: ${e?.message ?? String(err)}${where ? ` (at ${where})` : ''}.`, {
      hint: 'A getter in options runs when mcprun reads it: make it return a value, or write the value itself.',
      cause: err,
    });
  }
}
