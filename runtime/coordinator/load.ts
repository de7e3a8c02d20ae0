/**
 * The first step of a run: the scenario compiled, its top-level code run in a worker thread
 * (isolated-script.ts: never in the coordinator) to read `options` with the -e values visible,
 * its options resolved (thresholds parsed and checked against the metrics it defines) and its
 * exports checked, and with --typecheck (or options.typecheck) its types. Nothing has been sent
 * yet; every problem is exit 104 or 107.
 */
import { basename } from 'node:path';
import { bundleScenario, type Bundle } from '../bundle/bundle.js';
import { typeCheck, typeError } from '../bundle/type-check.js';
import { cliOverridesOf, resolveConfig, type ResolvedConfig } from '../config/resolve.js';
import type { RunOptions } from '../config/run-options.js';
import { McprunError } from '../errors.js';
import { realmRegistry } from '../metrics/registry.js';
import { readScript } from './isolated-script.js';
import type { StopSignals } from './stop-signals.js';

export interface LoadedScenario {
  readonly bundle: Bundle;
  /** Each export's kind ('function', 'an object'...), as the worker that read the scenario saw it. */
  readonly exports: Readonly<Record<string, string>>;
  readonly config: ResolvedConfig;
  /** What the scenario sees as process.env and __ENV: the environment with the -e values over it. */
  readonly env: Record<string, string>;
}

/** `keepReader`: the thread that read the options becomes worker 0 (thread pools). */
export async function loadScenario(opts: RunOptions, stops: StopSignals, keepReader: boolean): Promise<LoadedScenario> {
  const cli = cliOverridesOf(opts);
  const bundle = await bundleScenario(opts.script);
  try {
    const env = scriptEnv(opts.env ?? {});
    const facts = await readScript(bundle.path, env, opts.script, stops, keepReader);
    for (const d of facts.metrics) realmRegistry.define(d);
    const config = resolveConfig(facts.options, cli, basename(opts.script), realmRegistry);
    checkExports(facts.exports, config, opts.script);
    // --typecheck or options.typecheck: the same check as `mcprun check`, still before any load (exit 107).
    if (opts.typecheck || config.typecheck) {
      const types = typeCheck([opts.script]);
      if (types.problems.length) throw typeError(types, opts.script);
    }
    return { bundle, exports: facts.exports, config, env };
  } catch (err) {
    bundle.dispose();
    throw err;
  }
}

/** The process environment with the -e values over it (the coordinator's own environment is left as it is). */
export function scriptEnv(overrides: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  return Object.assign(env, overrides);
}

function checkExports(mod: Readonly<Record<string, string>>, config: ResolvedConfig, script: string): void {
  const fns = Object.keys(mod).filter((k) => mod[k] === 'function');
  for (const s of config.scenarios) {
    const fn = mod[s.exec];
    if (fn === 'function') continue;
    const what = s.exec === 'default' ? 'a default export' : `an export named "${s.exec}"`;
    throw new McprunError(
      'MCPRUN_SCRIPT_EXPORT',
      `${script} has no function for scenario "${s.name}": expected ${what} that is a function${fn === undefined || fn === 'undefined' ? '' : `, found ${fn}`}.`,
      {
        hint: s.exec === 'default'
          ? 'Add `export default async function (vu, data) { ... }`.'
          : `Export it (\`export async function ${s.exec}(vu, data) { ... }\`)${fns.length ? ` or set exec to one of: ${fns.join(', ')}` : ''}.`,
      },
    );
  }
  for (const hook of ['setup', 'teardown']) {
    if (mod[hook] !== undefined && mod[hook] !== 'function' && mod[hook] !== 'undefined') {
      throw new McprunError('MCPRUN_SCRIPT_EXPORT', `${script} exports "${hook}" but it is ${mod[hook]}, not a function.`, { hint: `Write \`export async function ${hook}() { ... }\`.` });
    }
  }
}
