/**
 * What every report shows, computed once at the end of the run from the summary, the final
 * aggregate (per-scenario checks, MCP tools, failures by status) and the time series. The HTML,
 * Markdown and JUnit renderers are pure functions of this model.
 */
import { availableParallelism } from 'node:os';
import { basename } from 'node:path';
import type { MetricAggregate } from '../metrics/aggregate.js';
import type { PhaseTiming } from './output.js';
import type { SummaryData, ThresholdSummary } from './summary-data.js';
import { describeActual } from './text-summary.js';
import { findSeries, type StoredSeries, type TimeSeriesColumns } from './timeseries.js';
import type { Tags } from '../metrics/types.js';
import { BUILTIN_METRICS } from '../metrics/builtin.js';

export interface ReportThreshold extends ThresholdSummary {
  /** The scenario the threshold is scoped to (`{scenario:x}` in its key), if any. */
  scenario: string | undefined;
  /** "p(95)=12.3ms", "rate=0.05%", "no data". */
  actualText: string;
}

export interface ReportCheck {
  scenario: string | undefined;
  group: string;
  name: string;
  passes: number;
  fails: number;
}

export interface McpToolRow {
  tool: string;
  calls: number;
  failures: number;
  failureRate: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export interface ErrorRow {
  source: 'iteration' | 'http' | 'mcp';
  message: string;
  count: number;
}

export interface ChartSeries {
  label: string;
  values: Array<number | null>;
}

export interface ChartSpec {
  id: string;
  title: string;
  /** How the client formats values. */
  unit: 'ms' | '/s' | '%' | 'count' | 'bytes' | 'bytes/s';
  /** Seconds since the run started. */
  x: number[];
  /** Left end of the x axis when it should start before the first point (a phase start). */
  xMin?: number;
  series: ChartSeries[];
}

export interface PhaseMarker {
  name: string;
  /** Seconds since the run started. */
  start: number;
  end: number | null;
}

export interface ReportModel {
  summary: SummaryData;
  meta: {
    script: string;
    scriptName: string;
    startedAt: string;
    durationMs: number;
    version: string;
    node: string;
    cpus: number;
    workers: number;
    exitCode: number;
    /** PASSED, FAILED, ABORTED, COMPLETED (no thresholds). */
    verdict: 'PASSED' | 'FAILED' | 'ABORTED' | 'COMPLETED';
    verdictText: string;
    intervalMs: number;
    env: Record<string, string>;
  };
  thresholds: ReportThreshold[];
  checks: ReportCheck[];
  mcpTools: McpToolRow[];
  topErrors: ErrorRow[];
  phases: PhaseMarker[];
  charts: { overview: ChartSpec[]; byScenario: Record<string, ChartSpec[]> };
}

export interface ReportInputs {
  summary: SummaryData;
  aggregate?: MetricAggregate;
  columns?: TimeSeriesColumns;
  phases?: PhaseTiming[];
  startedAt?: Date;
  env?: Record<string, string>;
  intervalMs?: number;
}

export function buildReportModel(inp: ReportInputs): ReportModel {
  const s = inp.summary;
  const m = s.mcprun;
  const started = inp.startedAt ?? new Date(m.startedAt);
  const origin = started.getTime();
  const ths = m.thresholds.map((t): ReportThreshold => ({
    ...t,
    scenario: /[{,]\s*scenario\s*:\s*([^,}]+)/.exec(t.metric)?.[1]?.trim(),
    actualText: t.noData ? 'no data' : describeActual(t, s.metrics),
  }));
  const failed = ths.filter((t) => !t.ok).length;
  let verdict: ReportModel['meta']['verdict'];
  let verdictText: string;
  if (m.aborted) {
    verdict = 'ABORTED';
    verdictText = `aborted: ${m.aborted}${failed ? `; ${failed} of ${ths.length} thresholds failed` : ''}`;
  } else if (failed) {
    verdict = 'FAILED';
    verdictText = `${failed} of ${ths.length} thresholds failed`;
  } else if (m.exitCode !== 0) {
    verdict = 'ABORTED';
    verdictText = `exit code ${m.exitCode}`;
  } else if (ths.length) {
    verdict = 'PASSED';
    verdictText = `all ${ths.length} thresholds held`;
  } else {
    verdict = 'COMPLETED';
    verdictText = 'no thresholds';
  }
  const phases: PhaseMarker[] = (inp.phases ?? [])
    .filter((p) => p.startedAt)
    .map((p) => ({ name: p.name, start: round3((p.startedAt - origin) / 1000), end: p.endedAt ? round3((p.endedAt - origin) / 1000) : null }));
  return {
    summary: s,
    meta: {
      script: m.script,
      scriptName: basename(m.script),
      startedAt: m.startedAt,
      durationMs: s.state.testRunDurationMs,
      version: m.version,
      node: process.version,
      cpus: availableParallelism(),
      workers: m.workers,
      exitCode: m.exitCode,
      verdict,
      verdictText,
      intervalMs: inp.intervalMs ?? 1000,
      env: inp.env ?? {},
    },
    thresholds: ths,
    checks: inp.aggregate ? checksOf(inp.aggregate) : checksFromRootGroup(s),
    mcpTools: inp.aggregate ? mcpToolsOf(inp.aggregate) : [],
    topErrors: topErrorsOf(s, inp.aggregate),
    phases,
    charts: inp.columns ? chartsOf(inp.columns, origin, s.mcprun.scenarios.map((x) => x.name), phases) : { overview: [], byScenario: {} },
  };
}

function checksOf(agg: MetricAggregate): ReportCheck[] {
  const rows = new Map<string, ReportCheck>();
  for (const se of agg.matching('checks')) {
    const scenario = se.tags.scenario;
    const group = se.tags.group ?? '';
    const name = se.tags.check ?? '';
    const key = `${scenario ?? ''}\u0000${group}\u0000${name}`;
    let r = rows.get(key);
    if (!r) rows.set(key, (r = { scenario, group, name, passes: 0, fails: 0 }));
    r.passes += se.sum;
    r.fails += se.count - se.sum;
  }
  return [...rows.values()];
}

function checksFromRootGroup(s: SummaryData): ReportCheck[] {
  const out: ReportCheck[] = [];
  const walk = (g: SummaryData['root_group']) => {
    for (const c of g.checks) out.push({ scenario: undefined, group: g.path, name: c.name, passes: c.passes, fails: c.fails });
    g.groups.forEach(walk);
  };
  walk(s.root_group);
  return out;
}

function mcpToolsOf(agg: MetricAggregate): McpToolRow[] {
  const tools = new Set<string>();
  for (const se of agg.matching('mcp_reqs')) if (se.tags.tool) tools.add(se.tags.tool);
  return [...tools].sort().map((tool) => {
    const f: Tags = { tool };
    const calls = agg.view('mcp_reqs', f).count;
    const failed = agg.view('mcp_req_failed', f);
    const dur = agg.view('mcp_req_duration', f);
    const has = dur.count > 0 || agg.matching('mcp_req_duration', f).some((x) => x.hist && x.hist.totalCount > 0);
    return {
      tool,
      calls,
      failures: failed.passes,
      failureRate: failed.count ? failed.passes / failed.count : null,
      p50: has ? dur.percentile(50) : null,
      p95: has ? dur.percentile(95) : null,
      p99: has ? dur.percentile(99) : null,
    };
  });
}

function topErrorsOf(s: SummaryData, agg: MetricAggregate | undefined, limit = 10): ErrorRow[] {
  const rows: ErrorRow[] = s.mcprun.errors.map((e) => ({ source: 'iteration' as const, message: e.message, count: e.count }));
  if (agg) {
    const http = new Map<string, number>();
    for (const se of agg.matching('http_req_failed')) {
      if (!se.sum) continue;
      const t = se.tags;
      const what = t.error_code ? `${t.error_code}${t.status && t.status !== '0' ? ` (status ${t.status})` : ''}` : `status ${t.status ?? '?'}`;
      const key = `HTTP ${what} — ${t.method ?? ''} ${t.name ?? t.url ?? ''}`.trim();
      http.set(key, (http.get(key) ?? 0) + se.sum);
    }
    for (const [message, count] of http) rows.push({ source: 'http', message, count });
    const mcp = new Map<string, number>();
    for (const se of agg.matching('mcp_req_failed')) {
      if (!se.sum) continue;
      const t = se.tags;
      const key = `MCP ${t.method ?? ''}${t.tool ? ` ${t.tool}` : ''}${t.error_code ? ` — error ${t.error_code}` : ''}`;
      mcp.set(key, (mcp.get(key) ?? 0) + se.sum);
    }
    for (const [message, count] of mcp) rows.push({ source: 'mcp', message, count });
  }
  return rows.sort((a, b) => b.count - a.count).slice(0, limit);
}

// ---- charts ---------------------------------------------------------------------------------

/** Built-in metrics have their own charts (or none); the rest are the scenario's custom metrics. */
const KNOWN = new Set(BUILTIN_METRICS.map((m) => m.name));

function chartsOf(cols: TimeSeriesColumns, origin: number, scenarios: string[], phases: PhaseMarker[]): ReportModel['charts'] {
  const n = cols.times.length;
  const allIdx = Array.from({ length: n }, (_, i) => i);
  const firstStart = phases.length ? Math.min(...phases.map((p) => p.start)) : undefined;
  const overview = chartSet(cols, origin, {}, allIdx, 'all', true, firstStart);
  const byScenario: Record<string, ChartSpec[]> = {};
  if (scenarios.length > 1) {
    for (const name of scenarios) {
      const p = phases.find((x) => x.name === name);
      if (!p) continue;
      // The scenario's own window, one interval of margin on each side.
      const lo = origin + (p.start - 2 * (cols.widths[0] ?? 1000) / 1000) * 1000;
      const hi = origin + ((p.end ?? Infinity) + 2 * (cols.widths[n - 1] ?? 1000) / 1000) * 1000;
      const idx = allIdx.filter((i) => cols.times[i] >= lo && cols.times[i] <= hi);
      const set = chartSet(cols, origin, { scenario: name }, idx, `s-${slug(name)}`, false, p.start);
      if (set.length) byScenario[name] = set;
    }
  }
  return { overview, byScenario };
}

function chartSet(cols: TimeSeriesColumns, origin: number, tags: Tags, idx: number[], prefix: string, overview: boolean, start?: number): ChartSpec[] {
  const x = idx.map((i) => round3((cols.times[i] - origin) / 1000));
  const xMin = start !== undefined && x.length && start < x[0] ? Math.max(0, round3(start)) : undefined;
  const get = (metric: string, t: Tags = tags) => findSeries(cols, metric, t);
  const pick = (arr: number[] | undefined, fn: (v: number, i: number) => number | null): Array<number | null> => idx.map((i) => (arr ? fn(arr[i], i) : null));
  const perSec = (s: StoredSeries | undefined, field = 'count') => pick(s?.fields[field], (v, i) => (Number.isNaN(v) ? 0 : round3(v / (cols.widths[i] / 1000))));
  const plain = (s: StoredSeries | undefined, field: string) => pick(s?.fields[field], (v) => (Number.isNaN(v) ? null : round3(v)));
  // A gauge keeps its value until it changes (workers report it only then).
  const held = (s: StoredSeries | undefined, field = 'value') => {
    let last: number | null = null;
    return plain(s, field).map((v) => (v === null ? last : (last = v)));
  };
  const charts: ChartSpec[] = [];
  const push = (id: string, title: string, unit: ChartSpec['unit'], series: Array<ChartSeries | null>) => {
    const withData = series.filter((s): s is ChartSeries => !!s && s.values.some((v) => v !== null));
    if (withData.length) charts.push({ id: `${prefix}-${id}`, title, unit, x, ...(xMin !== undefined ? { xMin } : {}), series: withData });
  };
  const counter = (metric: string, label: string): ChartSeries | null => {
    const s = get(metric);
    return s ? { label, values: perSec(s) } : null;
  };
  const failures = (metric: string, label: string): ChartSeries | null => {
    const s = get(metric);
    return s ? { label, values: perSec(s, 'passes') } : null;
  };
  const quantiles = (metric: string): Array<ChartSeries | null> => {
    const s = get(metric);
    if (!s) return [];
    return (['p50', 'p95', 'p99'] as const).map((q) => ({ label: q, values: plain(s, q) }));
  };

  const gauge = (metric: string, label: string): ChartSeries | null => {
    const g = get(metric, {});
    return g ? { label, values: held(g) } : null;
  };

  if (overview) {
    const vus = get('vus', {});
    const vusMax = get('vus_max', {});
    push('vus', 'Virtual users', 'count', [vus ? { label: 'vus', values: held(vus) } : null, vusMax ? { label: 'vus_max', values: held(vusMax) } : null]);
    push('connections', 'Open connections and sessions', 'count', [gauge('connections_active', 'connections'), gauge('mcp_sessions_active', 'MCP sessions')]);
  }
  push('rps', 'Requests per second', '/s', [
    counter('http_reqs', 'HTTP requests/s'),
    counter('mcp_reqs', 'MCP requests/s'),
    counter('ws_msgs_sent', 'WS messages sent/s'),
    counter('ws_msgs_received', 'WS messages received/s'),
    counter('iterations', 'iterations/s'),
  ]);
  push('lat-http', 'HTTP latency (http_req_duration)', 'ms', quantiles('http_req_duration'));
  push('lat-mcp', 'MCP latency (mcp_req_duration)', 'ms', quantiles('mcp_req_duration'));
  push('lat-ws-connect', 'WebSocket connect time (ws_connecting)', 'ms', quantiles('ws_connecting'));
  push('lat-ws-ping', 'WebSocket ping (ws_ping)', 'ms', quantiles('ws_ping'));
  push('errors', 'Errors per second', '/s', [
    failures('http_req_failed', 'failed HTTP requests/s'),
    failures('mcp_req_failed', 'failed MCP requests/s'),
    counter('ws_errors', 'WebSocket errors/s'),
    counter('connections_failed', 'failed connections/s'),
    counter('iteration_errors', 'iteration errors/s'),
    counter('dropped_iterations', 'dropped iterations/s'),
  ]);
  const checks = get('checks');
  if (checks) {
    const c = checks.fields;
    push('checks', 'Checks passed', '%', [{ label: 'passed %', values: idx.map((i) => (c.count[i] > 0 ? round3((100 * c.passes[i]) / c.count[i]) : null)) }]);
  }
  if (overview) {
    // MCP p95 per tool (at most 8 tools, the busiest).
    const tools = cols.series.filter((s) => s.metric === 'mcp_req_duration' && s.tags.tool !== undefined && Object.keys(s.tags).length === 1);
    tools.sort((a, b) => sumOf(b.fields.count) - sumOf(a.fields.count));
    push('mcp-tools', 'MCP p95 latency by tool', 'ms', tools.slice(0, 8).map((s) => ({ label: s.tags.tool, values: plain(s, 'p95') })));
    push('data', 'Network traffic', 'bytes/s', [counter('data_sent', 'sent'), counter('data_received', 'received')]);
    push('memory', 'Load generator memory per VU', 'bytes', [gauge('mcprun_heap_per_vu', 'heap per VU'), gauge('mcprun_rss_per_vu', 'RSS per VU')]);
    // Generator health: when these are high, latencies include the generator's own delay.
    const delay = get('mcprun_event_loop_delay', {});
    push('gen-delay', 'Load generator event-loop delay (p99, worst worker)', 'ms', [delay ? { label: 'delay', values: plain(delay, 'max') } : null]);
    const busy = get('mcprun_event_loop_utilization', {});
    if (busy) {
      const b = busy.fields;
      push('gen-busy', 'Load generator busy', '%', [
        { label: 'mean of workers', values: idx.map((i) => (b.count[i] > 0 ? round3((100 * b.sum[i]) / b.count[i]) : null)) },
        { label: 'busiest worker', values: idx.map((i) => (b.count[i] > 0 ? round3(100 * b.max[i]) : null)) },
      ]);
    }
    // Custom metrics (at most 12).
    const custom = cols.series.filter((s) => Object.keys(s.tags).length === 0 && !KNOWN.has(s.metric)).slice(0, 12);
    for (const s of custom) {
      const id = `custom-${slug(s.metric)}`;
      if (s.type === 'trend') push(id, `${s.metric} (custom trend)`, s.contains === 'time' ? 'ms' : 'count', (['p50', 'p95', 'p99'] as const).map((q) => ({ label: q, values: plain(s, q) })));
      else if (s.type === 'counter') push(id, `${s.metric} per second (custom counter)`, '/s', [{ label: s.metric, values: perSec(s) }]);
      else if (s.type === 'gauge') push(id, `${s.metric} (custom gauge)`, 'count', [{ label: s.metric, values: held(s) }]);
      else push(id, `${s.metric} (custom rate)`, '%', [{ label: `${s.metric} %`, values: idx.map((i) => (s.fields.count[i] > 0 ? round3((100 * s.fields.passes[i]) / s.fields.count[i]) : null)) }]);
    }
  }
  return charts;
}

function sumOf(a: number[] | undefined): number {
  let t = 0;
  for (const v of a ?? []) if (!Number.isNaN(v)) t += v;
  return t;
}

function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}

export function slug(s: string): string {
  return s.replace(/[^a-zA-Z0-9_-]+/g, '-').slice(0, 60) || 'x';
}
