/** The set of metric definitions known in one realm (built-ins plus the scenario's custom metrics). */
import { McprunError } from '../errors.js';
import { BUILTIN_METRICS } from './builtin.js';
import type { MetricDefinition } from './types.js';

const NAME = /^[a-zA-Z_][a-zA-Z0-9_]{0,127}$/;

export class MetricRegistry {
  readonly #defs = new Map<string, MetricDefinition>();

  constructor(defs: Iterable<MetricDefinition> = BUILTIN_METRICS) {
    for (const d of defs) this.#defs.set(d.name, d);
  }

  get(name: string): MetricDefinition | undefined {
    return this.#defs.get(name);
  }

  all(): MetricDefinition[] {
    return [...this.#defs.values()];
  }

  /** Defining the same name twice with the same type is fine (every worker imports the scenario). */
  define(def: MetricDefinition): MetricDefinition {
    if (!NAME.test(def.name)) {
      throw new McprunError(
        'MCPRUN_CONFIG',
        `invalid metric name ${JSON.stringify(def.name)}: names start with a letter or "_" and contain only letters, digits and "_" (at most 128 characters), e.g. "login_duration".`,
      );
    }
    const old = this.#defs.get(def.name);
    if (old) {
      if (old.type !== def.type || old.contains !== def.contains) {
        throw new McprunError(
          'MCPRUN_CONFIG',
          `metric ${JSON.stringify(def.name)} is already defined as a ${old.type}${old.contains === 'time' ? ' of times' : ''}; a ${def.type} cannot reuse the name. Pick another name.`,
        );
      }
      return old;
    }
    this.#defs.set(def.name, def);
    return def;
  }
}

/**
 * The registry of this realm (thread), one per realm even when two copies of this module are loaded
 * (the coordinator's bundle and the runtime bundle a scenario imports), hence the global symbol. Custom metrics created at the scenario's top level register
 * here in every worker; the coordinator learns them from the worker that read the scenario's options.
 */
export const realmRegistry: MetricRegistry = ((globalThis as Record<symbol, unknown>)[Symbol.for('mcprun.realmRegistry')] ??=
  new MetricRegistry()) as MetricRegistry;
