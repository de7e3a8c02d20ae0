/**
 * `mcp.replay('session.jsonl', { speed, vary, target })`: a recorded session (recording.ts) as a
 * VU's workload. The VU opens its own session (mcp.connect does the handshake, so the recorded
 * initialize is not re-sent), then sends each recorded client request and notification in order,
 * at its recorded time divided by `speed`, each with the session's own id (ids are remapped: the
 * recording's id is only used to find the recorded answer) and its own Mcp-Session-Id. Each answer
 * is compared with the recorded one: a different error (present, absent, another code) or a
 * different shape (keys and types, array lengths; not the values; with `compare: 'values'` any
 * other value but in `_meta`) is a divergence, counted in `mcp_replay_divergence{method}` and
 * listed in what replay resolves with.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { METRIC } from '../../metrics/builtin.js';
import { usageError } from '../../errors.js';
import { safeTimeout } from '../../timers.js';
import type { VuScope } from '../vu-contract.js';
import { parseRecording, type RecordedMessage, type Recording } from './recording.js';
import type { JsonRpcMessage, McpResult, McpSession } from './types.js';
import type { ReplayOptions, ReplayReport } from './workload-types.js';

/** Handled by mcp.connect() itself. */
const HANDSHAKE = new Set(['initialize', 'notifications/initialized']);

interface Step {
  t: number;
  method: string;
  params: Record<string, unknown> | undefined;
  notification: boolean;
  expected: JsonRpcMessage | undefined;
}

export interface ReplayPlan {
  upstream: string;
  steps: Step[];
}

const plans = new Map<string, ReplayPlan>();

/** What to send and what came back, from a recording (pure). */
export function planReplay(rec: Recording): ReplayPlan {
  const answers = new Map<string, JsonRpcMessage>();
  for (const m of rec.messages) {
    if (m.dir === 's2c' && m.msg && m.msg.method === undefined && m.msg.id !== undefined && m.msg.id !== null) {
      const k = `${m.session ?? ''}\u0000${String(m.msg.id)}`;
      if (!answers.has(k)) answers.set(k, m.msg);
    }
  }
  const steps: Step[] = [];
  for (const m of rec.messages as RecordedMessage[]) {
    if (m.dir !== 'c2s' || !m.msg || typeof m.msg.method !== 'string' || HANDSHAKE.has(m.msg.method)) continue;
    const notification = m.msg.id === undefined || m.msg.id === null;
    // The answer may carry the session id the server issued with initialize: try it, then none.
    const expected = notification ? undefined : (answers.get(`${m.session ?? ''}\u0000${String(m.msg.id)}`) ?? [...answers.entries()].find(([k]) => k.endsWith(`\u0000${String(m.msg!.id)}`))?.[1]);
    steps.push({ t: m.t, method: m.msg.method, params: m.msg.params, notification, expected });
  }
  return { upstream: rec.meta.upstream, steps };
}

function loadPlan(file: string): ReplayPlan {
  let plan = plans.get(file);
  if (!plan) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw usageError(`mcp.replay(${JSON.stringify(file)}): the recording could not be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, 'Give the path of a file written by mcprun record.');
    }
    try {
      plan = planReplay(parseRecording(text, file));
    } catch (err) {
      throw usageError(`mcp.replay(): ${(err as Error).message}`);
    }
    plans.set(file, plan);
  }
  return plan;
}

/** Keys and types, array lengths; not values. */
export function shapeOf(v: unknown): unknown {
  return canonical(v, (x) => (x === null ? 'null' : typeof x));
}

/** Keys in order, without `_meta` (server bookkeeping) and `error`; each leaf as `leaf` gives it. */
function canonical(v: unknown, leaf: (x: unknown) => unknown): unknown {
  if (Array.isArray(v)) return v.map((x) => canonical(x, leaf));
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) if (k !== '_meta' && k !== 'error') out[k] = canonical((v as Record<string, unknown>)[k], leaf);
    return out;
  }
  return leaf(v);
}

const AS_IS = (x: unknown) => x;

function describeExpected(m: JsonRpcMessage, values: boolean): string {
  return m.error ? `error ${m.error.code}` : JSON.stringify(values ? canonical(m.result ?? {}, AS_IS) : shapeOf(m.result ?? {}));
}

function describeActual(r: McpResult, values: boolean): string {
  const e = r.error;
  if (e && e.kind === 'jsonrpc_error') return `error ${String(e.code)}`;
  if (e && e.kind !== 'tool_error') return `${e.kind}: ${e.message}`;
  return JSON.stringify(values ? canonical(r, AS_IS) : shapeOf(r));
}

function wait(ctx: VuScope, ms: number): Promise<void> {
  if (ms <= 0 || ctx.stopped) return Promise.resolve();
  return new Promise((resolve) => {
    const signal = ctx.signal;
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = safeTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

export function replayTarget(file: string, o: ReplayOptions | undefined): string {
  return o?.target ?? loadPlan(file).upstream;
}

export async function replaySession(ctx: VuScope, session: McpSession, file: string, o: ReplayOptions | undefined): Promise<ReplayReport> {
  const speed = o?.speed ?? 1;
  if (typeof speed !== 'number' || !(speed >= 0) || !Number.isFinite(speed)) throw usageError(`mcp.replay(): speed must be a number >= 0 (2 replays twice as fast, 0 as fast as answers come), received ${JSON.stringify(o?.speed)}`);
  const compare = o?.compare ?? 'shape';
  if (compare !== 'shape' && compare !== 'values') throw usageError(`mcp.replay(): compare must be 'shape' (keys, types, array lengths) or 'values' (the whole answer but _meta), received ${JSON.stringify(o?.compare)}`);
  const values = compare === 'values';
  const plan = loadPlan(file);
  const report: ReplayReport = { methods: [], divergences: [] };
  const t0 = performance.now();
  const tFirst = plan.steps.length ? plan.steps[0].t : 0;
  for (let i = 0; i < plan.steps.length && !ctx.stopped; i++) {
    const step = plan.steps[i];
    if (speed > 0) await wait(ctx, (step.t - tFirst) / speed - (performance.now() - t0));
    const params = o?.vary ? o.vary(step.method, step.params) : step.params;
    report.methods.push(step.method);
    if (step.notification) {
      await session.notify(step.method, params).catch(() => {});
      continue;
    }
    const r = await session.request(step.method, params);
    if (!step.expected || ctx.stopped) continue;
    const expected = describeExpected(step.expected, values);
    const actual = describeActual(r, values);
    if (expected !== actual) {
      report.divergences.push({ index: i, method: step.method, expected, actual });
      ctx.store.add(METRIC.mcp_replay_divergence, 1, { ...ctx.tags, method: step.method });
    }
  }
  return report;
}
