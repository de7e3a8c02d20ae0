/**
 * MCP's built-in metrics (registered in runtime/metrics/builtin.ts so thresholds can name them
 * before any load) and the recorder the session writes them with. On the hot path a call's
 * samples go to pre-resolved series handles cached per VU, so recording a successful call builds
 * no tag object and no series key.
 */
import type { MetricDefinition, Tags } from '../../metrics/types.js';
import type { SeriesHandle } from '../../metrics/worker-store.js';
import type { VuContext } from '../../worker/vu-context.js';
import type { McpError } from './errors.js';

const counter = (name: string): MetricDefinition => ({ name, type: 'counter', contains: 'default' });
const trend = (name: string): MetricDefinition => ({ name, type: 'trend', contains: 'time' });

export const MCP_METRICS: MetricDefinition[] = [
  /** Sessions opened (handshake done, or a modern session ready). */
  counter('mcp_sessions'),
  /** Transport open + `initialize` round trip + `notifications/initialized` (legacy era only). */
  trend('mcp_session_init_duration'),
  /** From connect() to close(). */
  trend('mcp_session_duration'),
  /** Requests answered (or failed), initialize included; notifications are not requests. */
  counter('mcp_reqs'),
  /** From the moment the script asked to the matching response (end to end). */
  trend('mcp_req_duration'),
  /** To the first byte of the response (HTTP headers; first related message on a stream). */
  trend('mcp_req_ttfb'),
  /** HTTP error, JSON-RPC error, isError result, timeout or transport failure (tag error_kind). */
  { name: 'mcp_req_failed', type: 'rate', contains: 'default' },
  /** `notifications/progress` received for a request. */
  counter('mcp_progress_events'),
  /** Sessions open now (summed over workers). */
  { name: 'mcp_sessions_active', type: 'gauge', contains: 'default' },
  /** A server answered 404 to a session (expired): the session was initialized again. */
  counter('mcp_session_reinit'),
];

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

class DataSeries {
  constructor(
    readonly sent: SeriesHandle,
    readonly received: SeriesHandle,
  ) {}
}

const callCache = new WeakMap<VuContext, Map<string, CallSeries>>();
const dataCache = new WeakMap<VuContext, Map<string, DataSeries>>();

export function callTags(ctx: VuContext, s: SessionTagBase, method: string, name: string | undefined, status: number, extra?: Record<string, string>): Record<string, string> {
  const tags: Record<string, string> = { ...ctx.tags, method, transport: s.transport, era: s.era };
  if (name !== undefined) {
    const key = nameTagOf(method);
    if (key) tags[key] = name;
  }
  if (status) tags.status = String(status);
  if (extra) Object.assign(tags, extra);
  return tags;
}

/** A successful call: four samples through cached handles. */
export function recordSuccess(ctx: VuContext, s: SessionTagBase, method: string, name: string | undefined, status: number, duration: number, ttfb: number, userTags: Record<string, string> | undefined): void {
  if (userTags) {
    ctx.store.addAll(callTags(ctx, s, method, name, status, userTags), [
      ['mcp_reqs', 1],
      ['mcp_req_failed', 0],
      ['mcp_req_duration', duration],
      ['mcp_req_ttfb', ttfb],
    ]);
    return;
  }
  let byKey = callCache.get(ctx);
  if (!byKey) callCache.set(ctx, (byKey = new Map()));
  const key = `${ctx.group}\u0001${s.transport}\u0001${s.era}\u0001${method}\u0001${name ?? ''}\u0001${status}`;
  let cs = byKey.get(key);
  if (!cs) {
    const tags = callTags(ctx, s, method, name, status);
    const st = ctx.store;
    cs = new CallSeries(st.series('mcp_reqs', tags), st.series('mcp_req_failed', tags), st.series('mcp_req_duration', tags), st.series('mcp_req_ttfb', tags));
    byKey.set(key, cs);
  }
  cs.reqs.add(1);
  cs.failed.add(0);
  cs.duration.add(duration);
  cs.ttfb.add(ttfb);
}

/** A failed call (rare: tags are built each time). `ttfb` < 0 means no response byte arrived. */
export function recordFailure(ctx: VuContext, s: SessionTagBase, method: string, name: string | undefined, status: number, err: McpError, duration: number, ttfb: number, userTags: Record<string, string> | undefined): void {
  const extra: Record<string, string> = { error_kind: err.kind };
  const code = err.tagCode;
  if (code !== undefined) extra.error_code = code;
  const tags = callTags(ctx, s, method, name, status || err.status || 0, userTags ? { ...userTags, ...extra } : extra);
  const samples: Array<[string, number]> = [
    ['mcp_reqs', 1],
    ['mcp_req_failed', 1],
    ['mcp_req_duration', duration],
  ];
  if (ttfb >= 0) samples.push(['mcp_req_ttfb', ttfb]);
  ctx.store.addAll(tags, samples);
}

export function recordData(ctx: VuContext, sent: number, received: number): void {
  let byGroup = dataCache.get(ctx);
  if (!byGroup) dataCache.set(ctx, (byGroup = new Map()));
  let ds = byGroup.get(ctx.group);
  if (!ds) {
    ds = new DataSeries(ctx.store.series('data_sent', ctx.tags), ctx.store.series('data_received', ctx.tags));
    byGroup.set(ctx.group, ds);
  }
  if (sent) ds.sent.add(sent);
  if (received) ds.received.add(received);
}

export function sessionTags(ctx: VuContext, s: SessionTagBase, extra?: Record<string, string>): Tags {
  return extra ? { ...ctx.tags, transport: s.transport, era: s.era, ...extra } : { ...ctx.tags, transport: s.transport, era: s.era };
}

/** Sessions open in this worker; the gauge's value is this worker's count (summed by the coordinator). */
let activeSessions = 0;

export function sessionOpened(ctx: VuContext): void {
  activeSessions++;
  ctx.store.add('mcp_sessions_active', activeSessions, {});
}

export function sessionClosed(ctx: VuContext): void {
  activeSessions--;
  ctx.store.add('mcp_sessions_active', activeSessions, {});
}
