/**
 * The first step of a run: the scenario compiled, imported once here (its top-level code computes
 * `options`, with the -e values visible), its options resolved (thresholds parsed and checked
 * against the metrics it defines) and its exports checked. Nothing has been sent yet; every
 * problem is exit 104 or 107.
 */
import { basename } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundleScenario, type Bundle } from '../bundle/bundle.js';
import { cliOverridesOf, resolveConfig, type ResolvedConfig } from '../config/resolve.js';
import type { RunOptions } from '../config/run-options.js';
import { McprunError } from '../errors.js';
import { realmRegistry } from '../metrics/registry.js';
import { RUNTIME_BUNDLE } from '../paths.js';
import { locationOf } from './script-errors.js';

export interface LoadedScenario {
  readonly bundle: Bundle;
  readonly module: Record<string, unknown>;
  readonly config: ResolvedConfig;
}

export async function loadScenario(opts: RunOptions): Promise<LoadedScenario> {
  const cli = cliOverridesOf(opts);
  // The scenario imports the runtime bundle; load it while esbuild (another process) bundles.
  void import(pathToFileURL(RUNTIME_BUNDLE).href).catch(() => {});
  const bundle = await bundleScenario(opts.script);
  try {
    const module = await importScenario(bundle.path, opts.script);
    const config = resolveConfig(module.options, cli, basename(opts.script), realmRegistry);
    checkExports(module, config, opts.script);
    return { bundle, module, config };
  } catch (err) {
    bundle.dispose();
    throw err;
  }
}

/** `-e` values are visible to the scenario's top-level code too (it computes `options` from them). Returns the undo. */
export function applyEnv(env: Record<string, string>): () => void {
  const before: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(env)) {
    before[k] = process.env[k];
    process.env[k] = v;
  }
  const g = globalThis as Record<string, unknown>;
  const prevEnvGlobal = g.__ENV;
  g.__ENV = { ...process.env };
  return () => {
    for (const [k, v] of Object.entries(before)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    g.__ENV = prevEnvGlobal;
  };
}

async function importScenario(path: string, script: string): Promise<Record<string, unknown>> {
  try {
    return (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (err) {
    if (McprunError.is(err)) throw err;
    const e = err as Error;
    throw new McprunError('MCPRUN_SCRIPT_EXCEPTION', `the scenario threw while loading (${script}): ${e?.name ?? 'Error'}: ${e?.message ?? String(err)}${locationOf(e)}.`, {
      hint: 'Top-level code runs once per worker to read options; keep it to declarations.',
      cause: err,
    });
  }
}

function checkExports(mod: Record<string, unknown>, config: ResolvedConfig, script: string): void {
  const fns = Object.keys(mod).filter((k) => typeof mod[k] === 'function');
  for (const s of config.scenarios) {
    const fn = mod[s.exec];
    if (typeof fn === 'function') continue;
    const what = s.exec === 'default' ? 'a default export' : `an export named "${s.exec}"`;
    throw new McprunError(
      'MCPRUN_SCRIPT_EXPORT',
      `${script} has no function for scenario "${s.name}": expected ${what} that is a function${fn === undefined ? '' : `, found ${describeExport(fn)}`}.`,
      {
        hint: s.exec === 'default'
          ? 'Add `export default async function (vu, data) { ... }`.'
          : `Export it (\`export async function ${s.exec}(vu, data) { ... }\`)${fns.length ? ` or set exec to one of: ${fns.join(', ')}` : ''}.`,
      },
    );
  }
  for (const hook of ['setup', 'teardown']) {
    if (mod[hook] !== undefined && typeof mod[hook] !== 'function') {
      throw new McprunError('MCPRUN_SCRIPT_EXPORT', `${script} exports "${hook}" but it is ${describeExport(mod[hook])}, not a function.`, { hint: `Write \`export async function ${hook}() { ... }\`.` });
    }
  }
}

function describeExport(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}
