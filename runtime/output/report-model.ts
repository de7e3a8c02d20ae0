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
import { controlLabel } from './control-log.js';
import { describeActual } from './text-summary.js';
import { verdictOf, type VerdictKind } from './verdict.js';
import { findSeries, type StoredSeries, type TimeSeriesColumns } from './timeseries.js';
import type { AggregateView, Tags } from '../metrics/types.js';
import { BUILTIN_METRICS, METRIC } from '../metrics/builtin.js';
import { isSutMetric, SUT_METRIC, SUT_METRICS } from '../metrics/sut-catalogue.js';

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

/** Calls, failures and latency percentiles of one MCP tool or method (null: no samples). */
export interface McpCallFigures {
  calls: number;
  failures: number;
  failureRate: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export interface McpToolRow extends McpCallFigures {
  tool: string;
}

/** One MCP method (or the legacy handshake, `method: 'handshake'`): what report.md's MCP requests table shows. */
export interface McpMethodRow extends McpCallFigures {
  method: string;
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

/** A change from the control API, for the charts: seconds since the run started, and what changed. */
export interface ControlMarker {
  at: number;
  label: string;
}

/** A fault's window on the time charts, and its row in the reports (options.faults). */
export interface FaultMarker {
  name: string;
  kind: string;
  target: string;
  /** Seconds since the run started; null when it never acted. */
  start: number | null;
  end: number | null;
  requests: number;
  failed: number;
  recovery: 'recovered' | 'not-recovered' | 'not-applicable';
  recoveryMs: number | null;
  /** Thresholds on recovery_time whose tags match this fault. */
  thresholds: ReportThreshold[];
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
    /** PASSED, FAILED, ABORTED, COMPLETED (no thresholds); RUNNING on the live dashboard. */
    verdict: 'PASSED' | 'FAILED' | 'ABORTED' | 'COMPLETED' | 'RUNNING';
    verdictText: string;
    intervalMs: number;
    env: Record<string, string>;
  };
  thresholds: ReportThreshold[];
  checks: ReportCheck[];
  mcpTools: McpToolRow[];
  mcpMethods: McpMethodRow[];
  topErrors: ErrorRow[];
  phases: PhaseMarker[];
  controls: ControlMarker[];
  faults: FaultMarker[];
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

const VERDICT_WORDS: Record<VerdictKind, ReportModel['meta']['verdict']> = { pass: 'PASSED', fail: 'FAILED', aborted: 'ABORTED', none: 'COMPLETED' };

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
  const v = verdictOf(s);
  const verdict = VERDICT_WORDS[v.kind];
  const verdictText = v.detail || 'no thresholds';
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
    mcpMethods: inp.aggregate ? mcpMethodsOf(inp.aggregate) : [],
    topErrors: topErrorsOf(s, inp.aggregate),
    phases,
    controls: (m.control ?? []).map((e) => ({ at: round3((Date.parse(e.at) - origin) / 1000), label: controlLabel(e) })),
    faults: faultsOf(s, origin, ths),
    charts: inp.columns ? chartsOf(inp.columns, origin, s.mcprun.scenarios.map((x) => x.name), phases) : { overview: [], byScenario: {} },
  };
}

function faultsOf(s: SummaryData, origin: number, ths: readonly ReportThreshold[]): FaultMarker[] {
  const at = (iso: string | null) => (iso === null ? null : round3((Date.parse(iso) - origin) / 1000));
  return (s.mcprun.faults ?? []).map((f) => {
    const tags: Record<string, string> = { fault: f.name, kind: f.kind, target: f.target };
    const thresholds = ths.filter((t) => {
      const m = /^recovery_time(?:\{(.*)\})?$/.exec(t.metric);
      if (!m) return false;
      const filter = (m[1] ?? '').split(',').filter(Boolean).map((kv) => kv.split(':').map((x) => x.trim()));
      return filter.every(([k, v]) => k === 'scenario' || tags[k] === v);
    });
    return { name: f.name, kind: f.kind, target: f.target, start: at(f.start), end: at(f.end), requests: f.requests, failed: f.failed, recovery: f.recovery.state, recoveryMs: f.recovery.timeMs, thresholds };
  });
}

function checksOf(agg: MetricAggregate): ReportCheck[] {
  const rows = new Map<string, ReportCheck>();
  for (const se of agg.matching(METRIC.checks)) {
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

/**
 * The handshake first (initialize + notifications/initialized, mcp_session_init_duration; its
 * failures are those of initialize), then every method in order of calls.
 */
function mcpMethodsOf(agg: MetricAggregate): McpMethodRow[] {
  const rows: McpMethodRow[] = [];
  const init = agg.view(METRIC.mcp_session_init_duration);
  const initFailed = agg.view(METRIC.mcp_req_failed, { method: 'initialize' });
  if (init.count || initFailed.passes) {
    rows.push({ method: 'handshake', ...callFigures(Math.max(init.count + initFailed.passes, initFailed.count), initFailed, init, init.count > 0) });
  }
  const methods = new Set<string>();
  for (const se of agg.matching(METRIC.mcp_reqs)) if (se.tags.method) methods.add(se.tags.method);
  const perMethod = [...methods].map((method) => {
    const f: Tags = { method };
    const failed = agg.view(METRIC.mcp_req_failed, f);
    const dur = agg.view(METRIC.mcp_req_duration, f);
    return { method, ...callFigures(agg.view(METRIC.mcp_reqs, f).count, failed, dur, dur.count > 0) };
  });
  perMethod.sort((a, b) => b.calls - a.calls || a.method.localeCompare(b.method));
  return [...rows, ...perMethod];
}

function mcpToolsOf(agg: MetricAggregate): McpToolRow[] {
  const tools = new Set<string>();
  for (const se of agg.matching(METRIC.mcp_reqs)) if (se.tags.tool) tools.add(se.tags.tool);
  return [...tools].sort().map((tool) => {
    const f: Tags = { tool };
    const calls = agg.view(METRIC.mcp_reqs, f).count;
    const failed = agg.view(METRIC.mcp_req_failed, f);
    const dur = agg.view(METRIC.mcp_req_duration, f);
    const has = dur.count > 0 || agg.matching(METRIC.mcp_req_duration, f).some((x) => x.hist && x.hist.totalCount > 0);
    return { tool, ...callFigures(calls, failed, dur, has) };
  });
}

/** `failed` is an mcp_req_failed view (passes = failures), `dur` a duration view; percentiles only when it `has` samples. */
function callFigures(calls: number, failed: AggregateView, dur: AggregateView, has: boolean): McpCallFigures {
  return {
    calls,
    failures: failed.passes,
    failureRate: failed.count ? failed.passes / failed.count : null,
    p50: has ? dur.percentile(50) : null,
    p95: has ? dur.percentile(95) : null,
    p99: has ? dur.percentile(99) : null,
  };
}

function topErrorsOf(s: SummaryData, agg: MetricAggregate | undefined, limit = 10): ErrorRow[] {
  const rows: ErrorRow[] = s.mcprun.errors.map((e) => ({ source: 'iteration' as const, message: e.message, count: e.count }));
  if (agg) {
    const http = new Map<string, number>();
    for (const se of agg.matching(METRIC.http_req_failed)) {
      if (!se.sum) continue;
      const t = se.tags;
      const what = t.error_code ? `${t.error_code}${t.status && t.status !== '0' ? ` (status ${t.status})` : ''}` : `status ${t.status ?? '?'}`;
      const key = `HTTP ${what} — ${t.method ?? ''} ${t.name ?? t.url ?? ''}`.trim();
      http.set(key, (http.get(key) ?? 0) + se.sum);
    }
    for (const [message, count] of http) rows.push({ source: 'http', message, count });
    const mcp = new Map<string, number>();
    for (const se of agg.matching(METRIC.mcp_req_failed)) {
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
  const lastEnd = phases.length && phases.every((p) => p.end !== null) ? Math.max(...phases.map((p) => p.end!)) : Infinity;
  const overview = chartSet(cols, origin, {}, allIdx, 'all', true, { from: firstStart ?? -Infinity, to: lastEnd }, firstStart);
  const byScenario: Record<string, ChartSpec[]> = {};
  if (scenarios.length > 1) {
    for (const name of scenarios) {
      const p = phases.find((x) => x.name === name);
      if (!p) continue;
      // The scenario's own window, one interval of margin on each side.
      const lo = origin + (p.start - 2 * (cols.widths[0] ?? 1000) / 1000) * 1000;
      const hi = origin + ((p.end ?? Infinity) + 2 * (cols.widths[n - 1] ?? 1000) / 1000) * 1000;
      const idx = allIdx.filter((i) => cols.times[i] >= lo && cols.times[i] <= hi);
      const set = chartSet(cols, origin, { scenario: name }, idx, `s-${slug(name)}`, false, { from: p.start, to: p.end ?? Infinity }, p.start);
      if (set.length) byScenario[name] = set;
    }
  }
  return { overview, byScenario };
}

function chartSet(cols: TimeSeriesColumns, origin: number, tags: Tags, idx: number[], prefix: string, overview: boolean, window: ChartWindow, start?: number): ChartSpec[] {
  const b = new ChartSetBuilder(cols, origin, tags, idx, prefix, window, start);
  if (overview) {
    b.push('vus', 'Virtual users', 'count', [b.gauge(METRIC.vus, 'vus'), b.gauge(METRIC.vus_max, 'vus_max')]);
    b.push('connections', 'Open connections and sessions', 'count', [b.gauge(METRIC.connections_active, 'connections'), b.gauge(METRIC.mcp_sessions_active, 'MCP sessions')]);
  }
  trafficCharts(b);
  if (overview) sutCharts(b);
  if (overview) overviewCharts(b);
  return b.charts;
}

const SUT_STANDARD = new Set(SUT_METRICS.map((m) => m.name));

/** The system under test, next to the load that it served: one sample per interval, so the interval's mean. */
function sutCharts(b: ChartSetBuilder): void {
  const mean = (metric: string, label: string, scale = 1): ChartSeries | null => {
    const s = b.get(metric, {});
    return s ? { label, values: b.mean(s, scale) } : null;
  };
  b.push('sut-memory', 'System under test: resident memory (sut_rss)', 'bytes', [mean(SUT_METRIC.rss, 'RSS')]);
  b.push('sut-cpu', 'System under test: CPU, % of one core (sut_cpu)', '%', [mean(SUT_METRIC.cpu, 'CPU', 100)]);
  b.push('sut-connections', 'System under test: connections, open files, threads', 'count', [
    mean(SUT_METRIC.connections, 'connections'),
    mean(SUT_METRIC.openFds, 'open fds'),
    mean(SUT_METRIC.threads, 'threads'),
  ]);
  b.push('sut-memory-per-connection', 'System under test: memory per connection, at each plateau', 'bytes', [b.gauge(SUT_METRIC.memoryPerConnection, 'per connection')]);
  b.push('sut-gc', 'System under test: GC pause, mean per interval (sut_gc_pause)', 'ms', [mean(SUT_METRIC.gcPause, 'pause')]);
  b.push('sut-gc-rate', 'System under test: collections per second (sut_gc_rate)', '/s', [mean(SUT_METRIC.gcRate, 'collections/s')]);
  // Series selected from the exposition (at most 8).
  for (const s of b.cols.series.filter((x) => isSutMetric(x.metric) && !SUT_STANDARD.has(x.metric) && Object.keys(x.tags).length === 0).slice(0, 8)) {
    b.push(`sut-${slug(s.metric)}`, `System under test: ${s.metric} (selected series)`, 'count', [{ label: s.metric, values: b.mean(s) }]);
  }
}

/** Requests, latencies, errors and checks: the charts of the whole run and of each scenario. */
function trafficCharts(b: ChartSetBuilder): void {
  b.push('rps', 'Requests per second', '/s', [
    b.counter(METRIC.http_reqs, 'HTTP requests/s'),
    b.counter(METRIC.mcp_reqs, 'MCP requests/s'),
    b.counter(METRIC.ws_msgs_sent, 'WS messages sent/s'),
    b.counter(METRIC.ws_msgs_received, 'WS messages received/s'),
    b.counter(METRIC.iterations, 'iterations/s'),
  ]);
  b.push('lat-http', 'HTTP latency (http_req_duration)', 'ms', b.quantiles(b.get(METRIC.http_req_duration)));
  b.push('lat-mcp', 'MCP latency (mcp_req_duration)', 'ms', b.quantiles(b.get(METRIC.mcp_req_duration)));
  b.push('lat-ws-connect', 'WebSocket connect time (ws_connecting)', 'ms', b.quantiles(b.get(METRIC.ws_connecting)));
  b.push('lat-ws-ping', 'WebSocket ping (ws_ping)', 'ms', b.quantiles(b.get(METRIC.ws_ping)));
  b.push('errors', 'Errors per second', '/s', [
    b.counter(METRIC.http_req_failed, 'failed HTTP requests/s', 'passes'),
    b.counter(METRIC.mcp_req_failed, 'failed MCP requests/s', 'passes'),
    b.counter(METRIC.ws_errors, 'WebSocket errors/s'),
    b.counter(METRIC.connections_failed, 'failed connections/s'),
    b.counter(METRIC.iteration_errors, 'iteration errors/s'),
    b.counter(METRIC.dropped_iterations, 'dropped iterations/s'),
  ]);
  const checks = b.get(METRIC.checks);
  if (checks) b.push('checks', 'Checks passed', '%', [{ label: 'passed %', values: b.percentOf(checks, 'passes') }]);
}

/** Only in the overview: MCP tools, traffic, the generator's own health, custom metrics. */
function overviewCharts(b: ChartSetBuilder): void {
  const cols = b.cols;
  // MCP p95 per tool (at most 8 tools, the busiest).
  const tools = cols.series.filter((s) => s.metric === 'mcp_req_duration' && s.tags.tool !== undefined && Object.keys(s.tags).length === 1);
  tools.sort((x, y) => sumOf(y.fields.count) - sumOf(x.fields.count));
  b.push('mcp-tools', 'MCP p95 latency by tool', 'ms', tools.slice(0, 8).map((s) => ({ label: s.tags.tool, values: b.plain(s, 'p95') })));
  b.push('data', 'Network traffic', 'bytes/s', [b.counter(METRIC.data_sent, 'sent'), b.counter(METRIC.data_received, 'received')]);
  b.push('memory', 'Load generator memory per VU', 'bytes', [b.gauge(METRIC.mcprun_heap_per_vu, 'heap per VU'), b.gauge(METRIC.mcprun_rss_per_vu, 'RSS per VU')]);
  // Generator health: when these are high, latencies include the generator's own delay.
  const delay = b.get(METRIC.mcprun_event_loop_delay, {});
  b.push('gen-delay', 'Load generator event-loop delay (p99, worst worker)', 'ms', [delay ? { label: 'delay', values: b.plain(delay, 'max') } : null]);
  const busy = b.get(METRIC.mcprun_event_loop_utilization, {});
  if (busy) {
    const f = busy.fields;
    b.push('gen-busy', 'Load generator busy', '%', [
      { label: 'mean of workers', values: b.idx.map((i) => (f.count[i] > 0 ? round3((100 * f.sum[i]) / f.count[i]) : null)) },
      { label: 'busiest worker', values: b.idx.map((i) => (f.count[i] > 0 ? round3(100 * f.max[i]) : null)) },
    ]);
  }
  // Custom metrics (at most 12).
  const custom = cols.series.filter((s) => Object.keys(s.tags).length === 0 && !KNOWN.has(s.metric) && !isSutMetric(s.metric)).slice(0, 12);
  for (const s of custom) {
    const id = `custom-${slug(s.metric)}`;
    if (s.type === 'trend') b.push(id, `${s.metric} (custom trend)`, s.contains === 'time' ? 'ms' : 'count', b.quantiles(s));
    else if (s.type === 'counter') b.push(id, `${s.metric} per second (custom counter)`, '/s', [{ label: s.metric, values: b.perSec(s) }]);
    else if (s.type === 'gauge') b.push(id, `${s.metric} (custom gauge)`, 'count', [{ label: s.metric, values: b.held(s) }]);
    else b.push(id, `${s.metric} (custom rate)`, '%', [{ label: `${s.metric} %`, values: b.percentOf(s, 'passes') }]);
  }
}

/** What a chart set is about, in seconds since the run started: a scenario's phase, or the run's scenarios together. */
interface ChartWindow {
  from: number;
  to: number;
}

/** The charts of one window (the run, or one scenario's) over the retained intervals `idx`. */
class ChartSetBuilder {
  readonly charts: ChartSpec[] = [];
  readonly x: number[];
  readonly xMin: number | undefined;

  constructor(
    readonly cols: TimeSeriesColumns,
    readonly origin: number,
    readonly tags: Tags,
    readonly idx: number[],
    readonly prefix: string,
    readonly window: ChartWindow,
    start: number | undefined,
  ) {
    this.x = idx.map((i) => round3((cols.times[i] - origin) / 1000));
    this.xMin = start !== undefined && this.x.length && start < this.x[0] ? Math.max(0, round3(start)) : undefined;
  }

  get(metric: string, t: Tags = this.tags): StoredSeries | undefined {
    return findSeries(this.cols, metric, t);
  }

  push(id: string, title: string, unit: ChartSpec['unit'], series: Array<ChartSeries | null>): void {
    const withData = series.filter((s): s is ChartSeries => !!s && s.values.some((v) => v !== null));
    if (withData.length) this.charts.push({ id: `${this.prefix}-${id}`, title, unit, x: this.x, ...(this.xMin !== undefined ? { xMin: this.xMin } : {}), series: withData });
  }

  #pick(arr: number[] | undefined, fn: (v: number, i: number) => number | null): Array<number | null> {
    return this.idx.map((i) => (arr ? fn(arr[i], i) : null));
  }

  /**
   * Per second of the window's own time in interval i: a 98 ms phase inside one interval is its
   * count over 0.098 s (what the summary's table says), not over 1 s; an interval wholly outside
   * the window (the margin around a phase) is not drawn unless it holds data.
   */
  perSec(s: StoredSeries | undefined, field = 'count'): Array<number | null> {
    return this.#pick(s?.fields[field], (v, i) => {
      const secs = this.#secondsInWindow(i);
      if (Number.isNaN(v)) return secs === null ? null : 0;
      return round3(v / (secs ?? this.cols.widths[i] / 1000));
    });
  }

  /** Seconds of the window that interval i's data covers (at most its width), or null when none. */
  #secondsInWindow(i: number): number | null {
    const c = this.cols;
    const width = c.widths[i] / 1000;
    const from = ((c.spanFrom[i] ?? c.times[i] - c.widths[i]) - this.origin) / 1000;
    const to = ((c.spanTo[i] ?? c.times[i]) - this.origin) / 1000;
    const overlap = Math.min(to, this.window.to) - Math.max(from, this.window.from);
    return overlap > 0 ? Math.min(overlap, width) : null;
  }

  plain(s: StoredSeries | undefined, field: string): Array<number | null> {
    return this.#pick(s?.fields[field], (v) => (Number.isNaN(v) ? null : round3(v)));
  }

  /** A gauge keeps its value until it changes (workers report it only then). */
  held(s: StoredSeries | undefined, field = 'value'): Array<number | null> {
    let last: number | null = null;
    return this.plain(s, field).map((v) => (v === null ? last : (last = v)));
  }

  /** A trend's mean per interval (sum / count), times `scale`; null where it had no values (a gap). */
  mean(s: StoredSeries, scale = 1): Array<number | null> {
    return this.idx.map((i) => (s.fields.count[i] > 0 ? round3((scale * s.fields.sum[i]) / s.fields.count[i]) : null));
  }

  /** 100 × field / count per interval (a rate's passes). */
  percentOf(s: StoredSeries, field: string): Array<number | null> {
    return this.idx.map((i) => (s.fields.count[i] > 0 ? round3((100 * s.fields[field][i]) / s.fields.count[i]) : null));
  }

  /** Per second: a counter's count, or (field 'passes') a rate's non-zero samples such as failures. */
  counter(metric: string, label: string, field = 'count'): ChartSeries | null {
    const s = this.get(metric);
    return s ? { label, values: this.perSec(s, field) } : null;
  }

  quantiles(s: StoredSeries | undefined): ChartSeries[] {
    return s ? (['p50', 'p95', 'p99'] as const).map((q) => ({ label: q, values: this.plain(s, q) })) : [];
  }

  /** A gauge over the whole run, whatever the window's tags. */
  gauge(metric: string, label: string): ChartSeries | null {
    const g = this.get(metric, {});
    return g ? { label, values: this.held(g) } : null;
  }
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
