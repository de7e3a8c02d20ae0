/**
 * `mcp.args(tool, { seed, overrides })`: an argument object for a tool, generated from its
 * `inputSchema` and checked against it. Generation is json-schema-faker's, validation ajv's
 * (schema-libs.ts, loaded on first use); this file only derives the seed and merges overrides.
 *
 * The seed: by default a hash of (seed, VU id, VU iteration, tool name), so VU 3's 7th iteration
 * gets the same arguments in every run, while VUs and iterations differ from each other.
 * `vary: 'none'` drops the VU and iteration (one fixed object per seed and tool). A generated
 * object that does not validate (a schema the generator reads differently from ajv) is
 * generated again with the next seed, a few times, before the call fails with ajv's words.
 */
import { usageError } from '../../errors.js';
import { schemaLibs } from './schema-libs.js';
import type { Tool } from './types.js';
import type { ArgsOptions } from './workload-types.js';

/** What a VU passes in: its id and iteration (none outside a VU). */
export interface SeedSource {
  id: number;
  iteration: number;
}

const ATTEMPTS = 8;

/** FNV-1a over the parts: a stable 32-bit seed. */
export function seedOf(parts: ReadonlyArray<string | number>): number {
  let h = 0x811c9dc5;
  const s = parts.join('\u0001');
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

function isPlain(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function merge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = isPlain(v) && isPlain(out[k]) ? merge(out[k] as Record<string, unknown>, v) : v;
  return out;
}

function describeErrors(errors: ReadonlyArray<{ instancePath: string; message?: string }> | null | undefined): string {
  return (errors ?? [])
    .slice(0, 3)
    .map((e) => `${e.instancePath || '(root)'} ${e.message ?? 'is invalid'}`)
    .join('; ');
}

function schemaOf(tool: Tool, what: string): Record<string, unknown> {
  if (!isPlain(tool) || typeof tool.name !== 'string') throw usageError(`${what}: expected a tool from tools/list ({ name, inputSchema }), received ${JSON.stringify(tool)?.slice(0, 80)}`);
  const schema = tool.inputSchema;
  if (schema === undefined) return { type: 'object' };
  if (!isPlain(schema)) throw usageError(`${what}: the inputSchema of tool "${tool.name}" is not a JSON Schema object`);
  return schema;
}

export async function generateArgs(tool: Tool, options: ArgsOptions | undefined, vu: SeedSource | undefined): Promise<Record<string, unknown>> {
  const what = `mcp.args(${isPlain(tool) && typeof tool.name === 'string' ? JSON.stringify(tool.name) : 'tool'})`;
  const schema = schemaOf(tool, what);
  const libs = await schemaLibs();
  let validate;
  try {
    validate = libs.compile(schema);
  } catch (err) {
    throw usageError(`${what}: the tool's inputSchema is not valid JSON Schema (${(err as Error).message})`, 'Pass the arguments by hand for this tool.');
  }
  const vary = options?.vary ?? 'iteration';
  const parts: Array<string | number> = [options?.seed ?? 0, tool.name];
  if (vu && vary !== 'none') parts.push(vu.id, vary === 'iteration' ? vu.iteration : 0);
  const seed = seedOf(parts);
  let last = '';
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const generated = libs.generate(schema, (seed + attempt) >>> 0);
    let value = isPlain(generated) ? generated : {};
    if (options?.overrides) value = merge(value, options.overrides);
    if (validate(value)) return value;
    last = describeErrors(validate.errors);
    // Overrides are the script's: another seed cannot fix them.
    if (options?.overrides && attempt > 0) break;
  }
  throw usageError(
    `${what}: no argument object that validates against the tool's inputSchema (${last})`,
    options?.overrides ? 'Check the values in `overrides` against the schema.' : 'Give the fields ajv names in `overrides`.',
  );
}
