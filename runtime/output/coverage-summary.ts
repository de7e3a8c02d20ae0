/**
 * MCP coverage: which tools, resources and prompts were called, how often, how many calls came
 * back `isError` (tools) or failed otherwise, and which of those the server listed were never
 * exercised. Built from the aggregate: `mcp_reqs` / `mcp_req_failed` tagged tool or name, and
 * `mcp_catalogue` (protocols/mcp/coverage.ts) for what the server listed.
 */
import type { MetricAggregate } from '../metrics/aggregate.js';
import { METRIC } from '../metrics/builtin.js';

export interface CoverageItem {
  name: string;
  calls: number;
  /** Tool results with `isError: true`. */
  isError: number;
  /** Other failures (JSON-RPC error, timeout, transport). */
  failed: number;
  /** Returned by a list call during the run. */
  listed: boolean;
}

export interface CoverageKind {
  /** How many the server listed (0 when no list call was made). */
  listed: number;
  /** How many distinct ones were called. */
  called: number;
  items: CoverageItem[];
  /** Listed, never called. */
  never: string[];
}

export interface McpCoverage {
  tools: CoverageKind;
  resources: CoverageKind;
  prompts: CoverageKind;
}

const KINDS = [
  ['tools', 'tool', 'tools/call', 'tool'],
  ['resources', 'resource', 'resources/read', 'name'],
  ['prompts', 'prompt', 'prompts/get', 'name'],
] as const;

function kindOf(agg: MetricAggregate, kind: string, method: string, tag: 'tool' | 'name'): CoverageKind {
  const byName = new Map<string, CoverageItem>();
  const item = (name: string) => {
    let i = byName.get(name);
    if (!i) byName.set(name, (i = { name, calls: 0, isError: 0, failed: 0, listed: false }));
    return i;
  };
  for (const s of agg.matching(METRIC.mcp_catalogue, { kind })) if (s.tags.name !== undefined) item(s.tags.name).listed = true;
  for (const s of agg.matching(METRIC.mcp_reqs, { method })) {
    const name = s.tags[tag];
    if (name !== undefined) item(name).calls += s.count;
  }
  for (const s of agg.matching(METRIC.mcp_req_failed, { method })) {
    const name = s.tags[tag];
    if (name === undefined || !s.sum) continue;
    if (s.tags.error_kind === 'tool_error') item(name).isError += s.sum;
    else item(name).failed += s.sum;
  }
  const items = [...byName.values()].sort((a, b) => b.calls - a.calls || (a.name < b.name ? -1 : 1));
  return { listed: items.filter((i) => i.listed).length, called: items.filter((i) => i.calls > 0).length, items, never: items.filter((i) => i.listed && i.calls === 0).map((i) => i.name) };
}

/** Undefined when the run made no MCP call. */
export function buildCoverage(agg: MetricAggregate): McpCoverage | undefined {
  if (!agg.matching(METRIC.mcp_reqs).length) return undefined;
  const [tools, resources, prompts] = KINDS.map(([, kind, method, tag]) => kindOf(agg, kind, method, tag));
  return { tools, resources, prompts };
}

/** "tools 12 of 24 called (12 never), resources 0 of 7 …": one line per run. */
export function coverageLine(c: McpCoverage): string {
  return KINDS.map(([key]) => {
    const k = c[key];
    return k.listed ? `${key} ${k.called} of ${k.listed} called${k.never.length ? ` (${k.never.length} never)` : ''}` : `${key} ${k.called} called (none listed)`;
  }).join(', ');
}
