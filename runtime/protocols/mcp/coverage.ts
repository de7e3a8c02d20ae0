/**
 * What the server offers, for the coverage report (output/coverage-summary.ts): every tool,
 * resource and prompt a list call returned is counted in `mcp_catalogue{kind,name}`. What was
 * called is already in `mcp_reqs` (tagged tool / name); the two together say what was never
 * exercised. Tagged with kind and name only: a catalogue does not depend on the scenario.
 */
import { METRIC } from '../../metrics/builtin.js';
import type { VuScope } from '../vu-contract.js';
import type { McpResult } from './types.js';

export type CatalogueKind = 'tool' | 'resource' | 'prompt';

const LISTS: Record<string, [CatalogueKind, string, string]> = {
  'tools/list': ['tool', 'tools', 'name'],
  'resources/list': ['resource', 'resources', 'uri'],
  'prompts/list': ['prompt', 'prompts', 'name'],
};

/** A list call's result: each entry counted once. */
export function noteListed(ctx: VuScope, method: string, result: McpResult): void {
  const spec = LISTS[method];
  if (!spec || result.error) return;
  const [kind, field, key] = spec;
  const items = result[field];
  if (!Array.isArray(items)) return;
  for (const item of items) {
    const name = (item as Record<string, unknown> | null)?.[key];
    if (typeof name === 'string') ctx.store.add(METRIC.mcp_catalogue, 1, { kind, name });
  }
}
