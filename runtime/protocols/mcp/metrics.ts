/**
 * The recorder MCP sessions write their metrics with (the names are in the catalogue,
 * runtime/metrics/builtin.ts). On the hot path a call's samples go to pre-resolved series handles
 * in the store's cache (keyed on the VU's tag object), so recording a successful call builds no
 * tag object and no series key.
 */
import { METRIC } from '../../metrics/builtin.js';
import type { Tags } from '../../metrics/types.js';
import type { SeriesHandle } from '../../metrics/worker-store.js';
import type { VuScope } from '../vu-contract.js';
import type { McpError } from './errors.js';
import { OVERFLOW_VALUE } from './tag-cap.js';

/** The `tool`/`name` tag value of `name`: itself, or `other` once the worker's cap is reached (tag-cap.ts). */
export function nameTagValue(ctx: VuScope, name: string | undefined): string | undefined {
  if (name === undefined || ctx.services.mcp.names.admits(name)) return name;
  return OVERFLOW_VALUE;
}

/** Which tag carries a request's target: `tool` for tools/call, `name` for prompts/get and resources/read. */
export function nameTagOf(method: string): 'tool' | 'name' | undefined {
  if (method === 'tools/call') return 'tool';
  if (method === 'prompts/get' || method === 'resources/read') return 'name';
  return undefined;
}

export interface SessionTagBase {
  transport: string;
  era: string;
}

class CallSeries {
  constructor(
    readonly reqs: SeriesHandle,
    readonly failed: SeriesHandle,
    readonly duration: SeriesHandle,
    readonly ttfb: SeriesHandle,
  ) {}
}

const NO_TAGS: Tags = {};
const noTags = (): Tags => NO_TAGS;

export function callTags(vuTags: Tags, s: SessionTagBase, method: string, name: string | undefined, status: number, extra?: Record<string, string>): Record<string, string> {
  const tags: Record<string, string> = { ...vuTags, method, transport: s.transport, era: s.era };
  if (name !== undefined) {
    const key = nameTagOf(method);
    if (key) tags[key] = name;
    if (key && name === OVERFLOW_VALUE) tags.tag_overflow = 'true';
  }
  if (status) tags.status = String(status);
  if (extra) Object.assign(tags, extra);
  return tags;
}

/** A successful call: four samples through cached handles. `vuTags`: the VU's tags when the call was made (its group then). */
export function recordSuccess(ctx: VuScope, vuTags: Tags, s: SessionTagBase, method: string, name: string | undefined, status: number, duration: number, ttfb: number, userTags: Record<string, string> | undefined): void {
  const store = ctx.store;
  name = nameTagValue(ctx, name);
  if (userTags) {
    store.addAll(callTags(vuTags, s, method, name, status, userTags), [
      [METRIC.mcp_reqs, 1],
      [METRIC.mcp_req_failed, 0],
      [METRIC.mcp_req_duration, duration],
      [METRIC.mcp_req_ttfb, ttfb],
    ]);
    return;
  }
  const key = `${s.transport}\u0001${s.era}\u0001${method}\u0001${name ?? ''}\u0001${status}`;
  let cs = store.cached<CallSeries>(vuTags, 'mcp.call', key);
  if (!cs) {
    const tags = callTags(vuTags, s, method, name, status);
    cs = store.cache(vuTags, 'mcp.call', key, new CallSeries(store.series(METRIC.mcp_reqs, tags), store.series(METRIC.mcp_req_failed, tags), store.series(METRIC.mcp_req_duration, tags), store.series(METRIC.mcp_req_ttfb, tags)));
  }
  cs.reqs.add(1);
  cs.failed.add(0);
  cs.duration.add(duration);
  cs.ttfb.add(ttfb);
}

/** A failed call (rare: tags are built each time). `ttfb` < 0 means no response byte arrived. */
export function recordFailure(ctx: VuScope, vuTags: Tags, s: SessionTagBase, method: string, name: string | undefined, status: number, err: McpError, duration: number, ttfb: number, userTags: Record<string, string> | undefined): void {
  name = nameTagValue(ctx, name);
  const extra: Record<string, string> = { error_kind: err.kind };
  const code = err.tagCode;
  if (code !== undefined) extra.error_code = code;
  const tags = callTags(vuTags, s, method, name, status || err.status || 0, userTags ? { ...userTags, ...extra } : extra);
  const samples: Array<[string, number]> = [
    [METRIC.mcp_reqs, 1],
    [METRIC.mcp_req_failed, 1],
    [METRIC.mcp_req_duration, duration],
  ];
  if (ttfb >= 0) samples.push([METRIC.mcp_req_ttfb, ttfb]);
  ctx.store.addAll(tags, samples);
}

/** Wire bytes, tagged as the VU's samples are (as HTTP's). */
export function recordData(ctx: VuScope, sent: number, received: number): void {
  if (sent) ctx.store.derived(METRIC.data_sent, ctx.tags, '', noTags).add(sent);
  if (received) ctx.store.derived(METRIC.data_received, ctx.tags, '', noTags).add(received);
}

export function sessionTags(vuTags: Tags, s: SessionTagBase, extra?: Record<string, string>): Tags {
  return extra ? { ...vuTags, transport: s.transport, era: s.era, ...extra } : { ...vuTags, transport: s.transport, era: s.era };
}
