/**
 * The end-of-test summary in the shape of k6's `handleSummary(data)` argument, so k6 reporters
 * read it, plus mcprun's own keys under `mcprun` (per-scenario breakdown, encoded histograms for
 * merging, iteration errors, warnings). Time values are milliseconds.
 */
import type { ControlEvent } from './control-log.js';
import type { ResolvedScenario } from '../executors/resolved.js';
import type { MetricAggregate } from '../metrics/aggregate.js';
import { createHistogram, encodeHistogram } from '../metrics/hdr.js';
import type { CapacityResult } from './capacity-summary.js';
import type { Comparison } from './compare/types.js';
import { buildCoverage, type McpCoverage } from './coverage-summary.js';
import type { AggregateView, MetricDefinition, Tags } from '../metrics/types.js';
import type { ThresholdVerdict } from '../thresholds/index.js';
import { VERSION } from '../version.js';
import type { IterationErrorReport } from '../worker-protocol.js';
import { METRIC } from '../metrics/builtin.js';

export const TREND_STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'] as const;

export interface MetricValues {
  [stat: string]: number;
}

export interface SummaryMetric {
  type: MetricDefinition['type'];
  contains: MetricDefinition['contains'];
  values: MetricValues;
  thresholds?: Record<string, { ok: boolean }>;
}

export interface SummaryCheck {
  name: string;
  path: string;
  id: string;
  passes: number;
  fails: number;
}

export interface SummaryGroup {
  name: string;
  path: string;
  id: string;
  groups: SummaryGroup[];
  checks: SummaryCheck[];
}

export interface ScenarioSummary {
  name: string;
  executor: string;
  description: string;
  /** Real time from the scenario's start to its end (graceful stop included), ms. */
  durationMs: number;
  iterations: number;
  interruptedIterations: number;
  droppedIterations: number;
  httpReqs: number;
  /** MCP calls (mcp_reqs) of this scenario. */
  mcpReqs: number;
  /** HTTP requests plus MCP calls per real elapsed second of this scenario. */
  httpReqRate: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  /** Fraction of failed requests: HTTP (http_req_failed) and MCP (mcp_req_failed) together. */
  errorRate: number | null;
  thresholds: ThresholdSummary[];
  /**
   * With a system under test: the last sut_memory_per_connection plateau measured during this
   * phase, bytes (null when none was); absent when the run sampled no system under test.
   */
  sutMemoryPerConnection?: number | null;
}

/** One plateau of the server's connections, where sut_memory_per_connection was measured. */
export interface SutPlateau {
  /** When it was measured, ISO 8601. */
  at: string;
  /** Connections the server held then, and before the load. */
  connections: number;
  baselineConnections: number;
  /** Its RSS then, and before the first connection, bytes. */
  rss: number;
  baselineRss: number;
  /** (rss - baselineRss) / (connections - baselineConnections), bytes. */
  perConnection: number;
}

/** What was sampled of the system under test, beside its sut_* metrics. */
export interface SutSummary {
  /** "PID 1234 (and its children)", "http://127.0.0.1:9464/metrics". */
  sources: string[];
  plateaus: SutPlateau[];
  /** Exact connection counts from /proc taken during the run, and what the last one cost. */
  censuses?: { count: number; lastCostMs: number | null };
}

/** One fault occurrence of options.faults (runtime/faults): when it acted, and the recovery after it. */
export interface FaultSummary {
  name: string;
  kind: string;
  target: string;
  /** 'never': its place in time never came (the scenario it hangs on did not run, or ended first). */
  state: 'acted' | 'never';
  /** ms from the start of the load, and epoch ISO times; null when it never acted. */
  startMs: number | null;
  endMs: number | null;
  start: string | null;
  end: string | null;
  /** Requests that completed while it was on, and how many of them failed. */
  requests: number;
  failed: number;
  recovery: {
    state: 'recovered' | 'not-recovered' | 'not-applicable';
    /** recovery_time, ms (recovered only). */
    timeMs: number | null;
    /** The criteria each 1 s window had to meet, as threshold expressions, and for how long. */
    failed: string | null;
    latency: string | null;
    forMs: number | null;
    baseline: { requests: number; failureRate: number | null; p95: number | null };
  };
}

export interface ThresholdSummary {
  metric: string;
  expression: string;
  ok: boolean;
  /** The value that decided the verdict, in the metric's unit (ms, fraction, per second); null when no data. */
  actual: number | null;
  noData: boolean;
  abortOnFail: boolean;
}

export interface SummaryData {
  state: { isStdOutTTY: boolean; isStdErrTTY: boolean; testRunDurationMs: number };
  options: { summaryTrendStats: string[] };
  metrics: Record<string, SummaryMetric>;
  root_group: SummaryGroup;
  mcprun: {
    version: string;
    script: string;
    startedAt: string;
    exitCode: number;
    aborted: string | null;
    thresholds: ThresholdSummary[];
    /** Iterations that ran to their end (`iterations`) and how many of them threw (`iteration_errors`). */
    iterations: { count: number; threw: number };
    scenarios: ScenarioSummary[];
    /** Cumulative HDR histogram of every trend, compressed base64 (merge runs or machines exactly). */
    histograms: Record<string, string>;
    /** Per metric and tag (`metric{tool:search}`): values, and the trend's histogram; what `mcprun compare` reads. */
    breakdown?: Record<string, BreakdownEntry>;
    /** MCP: what was called, how often, with how many isError results, and what the server listed that was never called. */
    coverage?: McpCoverage;
    /** Each `capacity-search`: its steps' verdicts and the capacity found. */
    capacity?: CapacityResult[];
    /** `--baseline`: this run against the baseline, figure by figure. */
    comparison?: Comparison;
    errors: IterationErrorReport[];
    warnings: string[];
    workers: number;
    /** Present when the run sampled a system under test. */
    sut?: SutSummary;
    /** What the control API changed during the run, in order (empty when it was not steered; absent in exports of older versions). */
    control?: ControlEvent[];
    /** Present when the run had options.faults: one entry per fault. */
    faults?: FaultSummary[];
  };
}

export function valuesOf(view: AggregateView, trendStats?: readonly string[]): MetricValues {
  switch (view.type) {
    case 'counter':
      return { count: view.count, rate: view.elapsedSeconds > 0 ? view.count / view.elapsedSeconds : 0 };
    case 'gauge':
      return { value: view.last, min: view.min, max: view.max };
    case 'rate':
      return { rate: view.count ? view.passes / view.count : 0, passes: view.passes, fails: view.count - view.passes };
    case 'trend':
      return {
        avg: view.avg,
        min: view.min,
        med: view.percentile(50),
        max: view.max,
        'p(90)': view.percentile(90),
        'p(95)': view.percentile(95),
        'p(99)': view.percentile(99),
        count: view.count,
        ...extraPercentiles(view, trendStats),
      };
  }
}

/** --summary-trend-stats may ask for percentiles beyond the usual ones (p(99.9)). */
function extraPercentiles(view: AggregateView & { percentile(p: number): number }, stats: readonly string[] | undefined): MetricValues {
  const out: MetricValues = {};
  if (!stats) return out;
  for (const s of stats) {
    const m = /^p\((\d+(?:\.\d+)?)\)$/.exec(s);
    if (m && !(s in TREND_VALUES)) out[s] = view.percentile(Number(m[1]));
  }
  return out;
}

const TREND_VALUES = { avg: 1, min: 1, med: 1, max: 1, 'p(90)': 1, 'p(95)': 1, 'p(99)': 1, count: 1 };

export function thresholdSummaries(verdicts: readonly ThresholdVerdict[]): ThresholdSummary[] {
  return verdicts.map((v) => ({
    metric: v.entry.key,
    expression: v.entry.source,
    ok: v.ok,
    actual: v.actual,
    noData: v.noData,
    abortOnFail: v.entry.abortOnFail,
  }));
}

/**
 * Every metric over the whole test, and each threshold's sub-metric; a counter's rate divides by
 * `elapsedSecondsFor(filter)` (a scenario's own time for `{scenario:x}`, as its threshold does).
 */
export function buildMetrics(
  agg: MetricAggregate,
  defs: (name: string) => MetricDefinition | undefined,
  verdicts: readonly ThresholdVerdict[],
  elapsedSecondsFor: (filter: Tags) => number = () => agg.elapsedSeconds,
  trendStats?: readonly string[],
): Record<string, SummaryMetric> {
  const metrics: Record<string, SummaryMetric> = {};
  for (const name of agg.metricNames().sort()) {
    const def = defs(name);
    if (!def) continue;
    metrics[name] = { type: def.type, contains: def.contains, values: valuesOf(agg.view(name, {}, elapsedSecondsFor({})), trendStats) };
  }
  // As k6 does: a threshold's sub-metric appears as its own entry, `name{tag:value}`.
  for (const v of verdicts) {
    const def = defs(v.entry.metric);
    if (!def) continue;
    const key = v.entry.key.replace(/\s+/g, '');
    const m = (metrics[key] ??= {
      type: def.type,
      contains: def.contains,
      values: valuesOf(agg.view(v.entry.metric, v.entry.filter, elapsedSecondsFor(v.entry.filter)), trendStats),
    });
    (m.thresholds ??= {})[v.entry.source] = { ok: v.ok };
  }
  return metrics;
}

/** k6's root_group: checks nested by group path ("::a::b"). */
export function buildRootGroup(agg: MetricAggregate): SummaryGroup {
  const root: SummaryGroup = { name: '', path: '', id: hashId(''), groups: [], checks: [] };
  const groupAt = (path: string): SummaryGroup => {
    if (!path) return root;
    let g = root;
    let cur = '';
    for (const part of path.split('::').slice(1)) {
      cur += `::${part}`;
      let next = g.groups.find((x) => x.name === part);
      if (!next) {
        next = { name: part, path: cur, id: hashId(cur), groups: [], checks: [] };
        g.groups.push(next);
      }
      g = next;
    }
    return g;
  };
  for (const s of agg.matching(METRIC.checks)) {
    const name = s.tags.check ?? '';
    const g = groupAt(s.tags.group ?? '');
    let c = g.checks.find((x) => x.name === name);
    if (!c) {
      const path = `${g.path}::${name}`;
      c = { name, path, id: hashId(path), passes: 0, fails: 0 };
      g.checks.push(c);
    }
    c.passes += s.sum;
    c.fails += s.count - s.sum;
  }
  // Groups without checks still show (they have group_duration samples).
  for (const s of agg.matching(METRIC.group_duration)) if (s.tags.group) groupAt(s.tags.group);
  return root;
}

export function encodeTrendHistograms(agg: MetricAggregate): Record<string, string> {
  const out: Record<string, string> = {};
  const byMetric = new Map<string, ReturnType<typeof createHistogram>>();
  for (const s of agg.series.values()) {
    if (!s.hist) continue;
    let h = byMetric.get(s.metric);
    if (!h) byMetric.set(s.metric, (h = createHistogram()));
    h.add(s.hist);
  }
  for (const [name, h] of byMetric) out[name] = encodeHistogram(h);
  return out;
}

export interface BreakdownEntry {
  metric: string;
  tags: Record<string, string>;
  type: MetricDefinition['type'];
  values: MetricValues;
  /** Trends: compressed base64 HDR histogram of this tag set. */
  histogram?: string;
}

/** The tags a breakdown splits by: those that name a part of the workload, never a value per request (url, id). */
export const BREAKDOWN_TAGS = ['scenario', 'group', 'method', 'tool', 'name', 'status', 'step'] as const;
/** A tag with more values than this is not broken down (an unbounded tag would bloat the export). */
const MAX_VALUES_PER_TAG = 200;

/** Each metric split by one tag at a time (BREAKDOWN_TAGS), with exact histograms for trends. */
export function buildBreakdown(agg: MetricAggregate, defs: (name: string) => MetricDefinition | undefined, elapsedSecondsFor: (filter: Tags) => number = () => agg.elapsedSeconds): Record<string, BreakdownEntry> {
  const values = new Map<string, Set<string>>();
  for (const s of agg.series.values()) {
    for (const tag of BREAKDOWN_TAGS) {
      const v = s.tags[tag];
      if (v === undefined) continue;
      const k = `${s.metric}\u0000${tag}`;
      let set = values.get(k);
      if (!set) values.set(k, (set = new Set()));
      set.add(v);
    }
  }
  const out: Record<string, BreakdownEntry> = {};
  for (const [k, set] of [...values].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (set.size > MAX_VALUES_PER_TAG) continue;
    const [metric, tag] = k.split('\u0000');
    const def = defs(metric);
    if (!def) continue;
    for (const v of [...set].sort()) {
      const filter = { [tag]: v };
      const entry: BreakdownEntry = { metric, tags: filter, type: def.type, values: valuesOf(agg.view(metric, filter, elapsedSecondsFor(tag === 'scenario' ? filter : {}))) };
      if (def.type === 'trend') {
        const h = createHistogram();
        for (const part of agg.matching(metric, filter)) if (part.hist) h.add(part.hist);
        entry.histogram = encodeHistogram(h);
      }
      out[`${metric}{${tag}:${v}}`] = entry;
    }
  }
  return out;
}

export function scenarioSummary(
  s: ResolvedScenario,
  description: string,
  durationMs: number,
  agg: MetricAggregate,
  verdicts: readonly ThresholdVerdict[],
): ScenarioSummary {
  const f = { scenario: s.name };
  const secs = durationMs / 1000;
  // Requests of every request/response protocol count: HTTP and MCP calls. Latency percentiles are
  // those of MCP calls when the phase made any (MCP is what mcprun is for), else of HTTP requests.
  const http = agg.view(METRIC.http_reqs, f, secs).count;
  const mcp = agg.view(METRIC.mcp_reqs, f, secs).count;
  const dur = agg.view(mcp > 0 ? METRIC.mcp_req_duration : METRIC.http_req_duration, f, secs);
  const httpFailed = agg.view(METRIC.http_req_failed, f, secs);
  const mcpFailed = agg.view(METRIC.mcp_req_failed, f, secs);
  const tried = httpFailed.count + mcpFailed.count;
  return {
    name: s.name,
    executor: s.executor,
    description,
    durationMs,
    iterations: agg.view(METRIC.iterations, f).count,
    interruptedIterations: agg.view(METRIC.interrupted_iterations, f).count,
    droppedIterations: agg.view(METRIC.dropped_iterations, f).count,
    httpReqs: http,
    mcpReqs: mcp,
    httpReqRate: secs > 0 ? (http + mcp) / secs : 0,
    p50: dur.count ? dur.percentile(50) : null,
    p95: dur.count ? dur.percentile(95) : null,
    p99: dur.count ? dur.percentile(99) : null,
    errorRate: tried ? (httpFailed.passes + mcpFailed.passes) / tried : null,
    thresholds: thresholdSummaries(verdicts.filter((v) => v.entry.filter.scenario === s.name)),
  };
}

export interface SummaryInputs {
  readonly aggregate: MetricAggregate;
  readonly metric: (name: string) => MetricDefinition | undefined;
  readonly verdicts: readonly ThresholdVerdict[];
  /** The run's one definition of elapsed time (coordinator/scenario-schedule.ts). */
  readonly elapsedSecondsFor: (filter: Tags) => number;
  readonly testRunDurationMs: number;
  /** In start order; `durationMs` is the phase's real time, 0 when it did not start. */
  readonly phases: ReadonlyArray<{ scenario: ResolvedScenario; description: string; durationMs: number }>;
  readonly script: string;
  readonly startedAt: Date;
  readonly exitCode: number;
  readonly aborted: string | null;
  readonly workers: number;
  readonly errors: IterationErrorReport[];
  readonly warnings: string[];
  readonly tty: { stdout: boolean; stderr: boolean };
  /** Pause, resume, stop and rescale from the control API. */
  readonly control?: readonly ControlEvent[];
  /** --summary-trend-stats: the trend stats shown (default TREND_STATS). */
  readonly summaryTrendStats?: readonly string[];
  /** The system under test: what was sampled, and sut_memory_per_connection per phase (by scenario name). */
  readonly sut?: { readonly summary: SutSummary; readonly memoryPerConnectionByPhase: Readonly<Record<string, number | null>> };
  readonly capacity?: CapacityResult[];
  readonly faults?: readonly FaultSummary[];
}

export function buildSummary(r: SummaryInputs): SummaryData {
  const agg = r.aggregate;
  return {
    state: { isStdOutTTY: r.tty.stdout, isStdErrTTY: r.tty.stderr, testRunDurationMs: r.testRunDurationMs },
    options: { summaryTrendStats: [...(r.summaryTrendStats ?? TREND_STATS)] },
    metrics: buildMetrics(agg, r.metric, r.verdicts, r.elapsedSecondsFor, r.summaryTrendStats),
    root_group: buildRootGroup(agg),
    mcprun: {
      version: VERSION,
      script: r.script,
      startedAt: r.startedAt.toISOString(),
      exitCode: r.exitCode,
      aborted: r.aborted,
      thresholds: thresholdSummaries(r.verdicts),
      iterations: { count: agg.view(METRIC.iterations).count, threw: agg.view(METRIC.iteration_errors).count },
      scenarios: r.phases.map((p) => withSutFigures(scenarioSummary(p.scenario, p.description, p.durationMs, agg, r.verdicts), r.sut)),
      histograms: encodeTrendHistograms(agg),
      breakdown: buildBreakdown(agg, r.metric, r.elapsedSecondsFor),
      errors: r.errors,
      warnings: r.warnings,
      workers: r.workers,
      ...(r.sut ? { sut: r.sut.summary } : {}),
      ...(r.capacity?.length ? { capacity: r.capacity } : {}),
      ...withCoverage(agg),
      control: [...(r.control ?? [])],
      ...(r.faults ? { faults: [...r.faults] } : {}),
    },
  };
}

function withCoverage(agg: MetricAggregate): { coverage?: McpCoverage } {
  const coverage = buildCoverage(agg);
  return coverage ? { coverage } : {};
}

function withSutFigures(s: ScenarioSummary, sut: SummaryInputs['sut']): ScenarioSummary {
  return sut ? { ...s, sutMemoryPerConnection: sut.memoryPerConnectionByPhase[s.name] ?? null } : s;
}

/** Stable short id, as k6 gives groups and checks (md5 there; any stable hash does). */
function hashId(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}
