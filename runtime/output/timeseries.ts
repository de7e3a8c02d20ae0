/**
 * The run's time series: per-interval aggregates of every metric (and of the tag sets that matter:
 * per scenario, per MCP tool), built from the workers' snapshot deltas as they arrive.
 *
 * Bucketing. Each worker posts a delta about every `intervalMs`; the delta taken at time `at` covers
 * (at - interval, at]. Buckets are anchored on the first snapshot of the run, so bucket b ends at
 * anchor + b·interval and every worker's periodic flush falls near the middle of the rounding window.
 * One worker's periodic flushes never share a bucket (a late flush moves to the next); its final,
 * off-cycle flush at shutdown joins the previous one while that is still open. A bucket that was
 * already closed never receives data (a late snapshot goes to the oldest open bucket): the sum of
 * the per-interval counts always equals the run's total.
 *
 * Memory. An open bucket holds an HDR histogram per tracked latency trend (see PERCENTILE_TRENDS);
 * when it closes it becomes a few numbers (count, sum, min, max, p50, p90, p95, p99). At most `maxBuckets` closed intervals are kept
 * in memory: beyond that the older half is merged pairwise, so old intervals get coarser (2×, 4×, ...)
 * while recent ones keep full resolution. A 12-hour soak therefore costs the same memory as a
 * 20-minute run. Percentiles of merged intervals are count-weighted means (approximate); counts,
 * sums, min and max stay exact. Streaming outputs (`--out`) receive every interval at full resolution.
 */
import { ADDITIVE_GAUGES, BUILTIN_METRICS, METRIC } from '../metrics/builtin.js';
import { Totals } from '../metrics/aggregate.js';
import { isSutMetric } from '../metrics/sut-catalogue.js';
import { createHistogram, percentileOf, type Histogram } from '../metrics/hdr.js';
import type { MetricDefinition, MetricType, Tags, ValueKind } from '../metrics/types.js';
import type { MetricSnapshot, SeriesDelta } from '../metrics/worker-store.js';
import type { Output, OutputContext } from './output.js';

/** One closed interval of one tracked series. Fields that do not apply to the type are absent. */
export interface TimeSeriesPoint {
  metric: string;
  type: MetricType;
  contains: ValueKind;
  tags: Tags;
  /**
   * counter: increments in the interval; rate: fraction of non-zero samples; gauge: last value;
   * trend: mean.
   */
  value: number;
  /** counter: increments; rate: samples; gauge: samples; trend: values. */
  count: number;
  /** counter: count per second of the interval. */
  perSecond?: number;
  /** rate: non-zero samples. */
  passes?: number;
  sum?: number;
  min?: number;
  max?: number;
  p50?: number;
  p90?: number;
  p95?: number;
  p99?: number;
}

export interface ClosedInterval {
  /** 0, 1, 2, ... in run order (gaps when no worker reported in an interval). */
  index: number;
  /** Epoch ms at which the interval ends. */
  time: number;
  intervalMs: number;
  points: TimeSeriesPoint[];
}

/** Numbers kept per closed interval, per type (columns of the in-memory store). */
const FIELDS: Record<MetricType, readonly string[]> = {
  counter: ['count'],
  rate: ['count', 'passes'],
  gauge: ['value', 'min', 'max', 'count'],
  trend: ['count', 'sum', 'min', 'max', 'p50', 'p90', 'p95', 'p99'],
};

export interface StoredSeries {
  key: string;
  metric: string;
  type: MetricType;
  contains: ValueKind;
  tags: Tags;
  /** One array per field, aligned with `TimeSeriesColumns.times`; NaN where the series had no data. */
  fields: Record<string, number[]>;
}

export interface TimeSeriesColumns {
  /** End of each retained interval, epoch ms. */
  times: number[];
  /** Length of each retained interval, ms (grows for coarsened old intervals). */
  widths: number[];
  /**
   * The time the interval's data covers, epoch ms: from the earliest start to the latest end of the
   * flush windows it holds (a worker's window runs from its previous flush to this one). Wider than
   * the interval when workers flush out of step, or when a worker's last, off-cycle flush joined it.
   */
  spanFrom: number[];
  spanTo: number[];
  series: StoredSeries[];
}

export interface TimeSeriesOptions {
  intervalMs: number;
  /** Metric definitions. @default the run's (from `start(ctx)`) */
  metric?: (name: string) => MetricDefinition | undefined;
  /** Also track each metric per `scenario` tag. @default true when the run has more than one scenario */
  perScenario?: boolean;
  /** Closed intervals kept in memory before old ones are merged. @default 1200 */
  maxBuckets?: number;
  /** Tracked series (metric × tag set) at most; further tag sets are not tracked. @default 400 */
  maxSeries?: number;
  /** Clock for closing intervals. @default Date.now */
  now?: () => number;
}

/**
 * Trends whose per-interval percentiles are kept: the latencies the reports chart, and every custom
 * trend. Decoding an interval's HDR histogram costs about half a millisecond, so the other built-in
 * trends (http_req_waiting, ..._blocked, ...) keep count, sum, min and max per interval only; their
 * percentiles over the whole run are in the summary as always. So do the sut_* trends: they get one
 * sample per interval, whose percentiles would all be that sample.
 */
export const PERCENTILE_TRENDS: ReadonlySet<string> = new Set([
  METRIC.http_req_duration,
  METRIC.iteration_duration,
  METRIC.mcp_req_duration,
  METRIC.mcp_session_init_duration,
  METRIC.ws_connecting,
  METRIC.ws_ping,
]);
const BUILTIN_NAMES = new Set(BUILTIN_METRICS.map((m) => m.name));

function wantsPercentiles(metric: string): boolean {
  return PERCENTILE_TRENDS.has(metric) || (!BUILTIN_NAMES.has(metric) && !isSutMetric(metric));
}

/** Extra per-tag tracking besides the metric total (and scenario): MCP per tool. */
function extraDimensions(metric: string): readonly string[] {
  return metric.startsWith('mcp_') ? ['tool'] : [];
}

interface GaugeReading {
  last: number;
  min: number;
  max: number;
  at: number;
}

/** A tracked series inside one open interval (its histogram only for trends that keep percentiles). */
class OpenAcc extends Totals {
  /** Gauges: source series key → worker → latest reading in this interval. */
  gauges: Map<string, Map<number, GaugeReading>> | undefined;
  constructor(readonly tracked: Tracked) {
    super();
  }

  addGauge(sourceKey: string, worker: number, d: SeriesDelta, at: number): void {
    this.count += d.count;
    this.gauges ??= new Map();
    let byWorker = this.gauges.get(sourceKey);
    if (!byWorker) this.gauges.set(sourceKey, (byWorker = new Map()));
    const prev = byWorker.get(worker);
    byWorker.set(worker, { last: d.sum, min: prev ? Math.min(prev.min, d.min) : d.min, max: prev ? Math.max(prev.max, d.max) : d.max, at });
  }
}

interface Tracked {
  key: string;
  /** Trends: keep per-interval percentiles (needs the interval's histogram). */
  percentiles: boolean;
  metric: string;
  type: MetricType;
  contains: ValueKind;
  tags: Tags;
  stored: StoredSeries;
}

class OpenBucket {
  readonly accs = new Map<string, OpenAcc>();
  /** The flush windows it holds, epoch ms (TimeSeriesColumns.spanFrom/spanTo). */
  from = Infinity;
  to = -Infinity;
  constructor(readonly index: number) {}
}

export class TimeSeries implements Output {
  readonly name = 'timeseries';
  readonly intervalMs: number;
  readonly #opts: { maxBuckets: number; maxSeries: number; perScenario: boolean | undefined; metric: (name: string) => MetricDefinition | undefined };
  readonly #now: () => number;
  #anchor: number | undefined;
  readonly #open = new Map<number, OpenBucket>();
  /** Buckets with index below this are closed. */
  #nextToClose = 0;
  readonly #lastBucketOf = new Map<number, number>();
  readonly #lastAtOf = new Map<number, number>();
  readonly #tracked = new Map<string, Tracked>();
  readonly #columns: TimeSeriesColumns = { times: [], widths: [], spanFrom: [], spanTo: [], series: [] };
  readonly #listeners: Array<(c: ClosedInterval) => void> = [];
  readonly #histPool: Histogram[] = [];
  #timer: NodeJS.Timeout | undefined;
  #ended = false;
  readonly #metricGiven: boolean;
  /** Tag sets not tracked because of `maxSeries`. */
  untracked = 0;

  constructor(opts: TimeSeriesOptions) {
    if (!(opts.intervalMs > 0)) throw new Error(`timeseries: intervalMs must be > 0, received ${opts.intervalMs}`);
    this.intervalMs = opts.intervalMs;
    this.#opts = { metric: opts.metric ?? (() => undefined), perScenario: opts.perScenario, maxBuckets: Math.max(4, opts.maxBuckets ?? 1200), maxSeries: opts.maxSeries ?? 400 };
    this.#metricGiven = opts.metric !== undefined;
    this.#now = opts.now ?? Date.now;
  }

  /** Called with each interval when it closes, in order, at full resolution. */
  onInterval(listener: (c: ClosedInterval) => void): void {
    this.#listeners.push(listener);
  }

  start(ctx?: OutputContext): void {
    if (ctx) {
      this.#opts.perScenario ??= ctx.scenarios.length > 1;
      if (!this.#metricGiven) this.#opts.metric = (n) => ctx.metric(n);
    }
    // A quarter of the interval, within 20..250 ms (bounded: no long-timer helper needed).
    this.#timer = setInterval(() => this.closeDue(), Math.max(20, Math.min(250, this.intervalMs / 4)));
    this.#timer.unref();
  }

  snapshot(worker: number, snap: MetricSnapshot): void {
    if (this.#ended || snap.series.length === 0) return;
    const I = this.intervalMs;
    this.#anchor ??= snap.at;
    let b = Math.round((snap.at - this.#anchor) / I);
    const last = this.#lastBucketOf.get(worker);
    const prevAt = this.#lastAtOf.get(worker);
    if (last !== undefined && b <= last) {
      // An off-cycle flush (the worker's last one, at shutdown) covers the time right after its
      // previous flush: it joins that interval while it is open. A periodic flush never shares one.
      const offCycle = prevAt !== undefined && snap.at - prevAt < I / 2;
      b = offCycle && last >= this.#nextToClose ? last : last + 1;
    }
    if (b < this.#nextToClose) b = this.#nextToClose;
    this.#lastBucketOf.set(worker, b);
    this.#lastAtOf.set(worker, snap.at);
    let bucket = this.#open.get(b);
    if (!bucket) this.#open.set(b, (bucket = new OpenBucket(b)));
    bucket.from = Math.min(bucket.from, prevAt ?? snap.at - I);
    bucket.to = Math.max(bucket.to, snap.at);

    for (const d of snap.series) {
      const def = this.#opts.metric(d.metric);
      const contains = def?.contains ?? 'default';
      const sourceKey = d.type === 'gauge' ? seriesKeyOf(d.metric, d.tags) : '';
      for (const t of this.#trackedFor(d.metric, d.type, contains, d.tags)) {
        let acc = bucket.accs.get(t.key);
        if (!acc) {
          acc = new OpenAcc(t);
          if (t.type === 'trend' && t.percentiles) acc.hist = this.#histPool.pop() ?? createHistogram();
          bucket.accs.set(t.key, acc);
        }
        if (d.type === 'gauge') acc.addGauge(sourceKey, worker, d, snap.at);
        else acc.addDelta(d);
      }
    }
  }

  /** Close every interval whose time has passed (called by the timer; tests call it directly). */
  closeDue(now = this.#now()): void {
    if (this.#anchor === undefined) return;
    // Bucket b collects flushes taken up to anchor + (b + ½)·I; allow some delivery delay on top.
    const due = Math.floor((now - this.#anchor) / this.intervalMs - 0.75);
    this.#closeThrough(due);
  }

  /** Close everything (end of run). */
  closeAll(): void {
    const maxOpen = Math.max(-1, ...this.#open.keys());
    this.#closeThrough(maxOpen);
  }

  end(): void {
    if (this.#ended) return;
    clearInterval(this.#timer);
    this.closeAll();
    this.#ended = true;
  }

  /** The retained (possibly coarsened) intervals, for reports. */
  columns(): TimeSeriesColumns {
    return this.#columns;
  }

  /** Epoch ms of the first interval's end, or undefined before any snapshot. */
  get anchor(): number | undefined {
    return this.#anchor;
  }

  #closeThrough(last: number): void {
    while (this.#nextToClose <= last) {
      const b = this.#nextToClose++;
      const bucket = this.#open.get(b);
      this.#open.delete(b);
      if (!bucket) continue;
      this.#emit(bucket);
    }
  }

  #emit(bucket: OpenBucket): void {
    const time = this.#anchor! + bucket.index * this.intervalMs;
    const cols = this.#columns;
    cols.times.push(time);
    cols.widths.push(this.intervalMs);
    cols.spanFrom.push(bucket.from);
    cols.spanTo.push(bucket.to);
    for (const s of cols.series) for (const f in s.fields) s.fields[f].push(NaN);
    const col = cols.times.length - 1;
    const points: TimeSeriesPoint[] = [];
    for (const acc of bucket.accs.values()) {
      const p = this.#pointOf(acc);
      const fields = acc.tracked.stored.fields;
      for (const name in fields) {
        const v = (p as unknown as Record<string, number | undefined>)[name];
        if (v !== undefined) fields[name][col] = v;
      }
      points.push(p);
    }
    const closed: ClosedInterval = { index: bucket.index, time, intervalMs: this.intervalMs, points };
    for (const l of this.#listeners) l(closed);
    if (cols.times.length > this.#opts.maxBuckets) this.#coarsen();
  }

  /** What one tracked series did in the interval that closes; a trend's histogram goes back to the pool. */
  #pointOf(acc: OpenAcc): TimeSeriesPoint {
    const t = acc.tracked;
    const base = { metric: t.metric, type: t.type, contains: t.contains, tags: t.tags };
    switch (t.type) {
      case 'counter':
        return { ...base, value: acc.count, count: acc.count, perSecond: acc.count / (this.intervalMs / 1000) };
      case 'rate':
        return { ...base, value: acc.count ? acc.sum / acc.count : 0, count: acc.count, passes: acc.sum };
      case 'gauge': {
        const g = gaugeReading(acc, ADDITIVE_GAUGES.has(t.metric));
        return { ...base, value: g.value, count: acc.count, min: g.min, max: g.max };
      }
      case 'trend': {
        const p: TimeSeriesPoint = { ...base, value: acc.count ? acc.sum / acc.count : 0, count: acc.count, sum: acc.sum, min: acc.count ? acc.min : 0, max: acc.count ? acc.max : 0 };
        const h = acc.hist;
        if (!h) return p;
        const q = (x: number) => (acc.count ? percentileOf(h, x) : 0);
        p.p50 = q(50);
        p.p90 = q(90);
        p.p95 = q(95);
        p.p99 = q(99);
        h.reset();
        if (this.#histPool.length < 64) this.#histPool.push(h);
        acc.hist = undefined;
        return p;
      }
    }
  }

  /** Merge the older half of the retained intervals pairwise (resolution halves there). */
  #coarsen(): void {
    const cols = this.#columns;
    const n = cols.times.length;
    const half = Math.floor(n / 2) & ~1; // an even number of columns, oldest first
    const merge = (arr: number[], fn: (a: number, b: number, ia: number, ib: number) => number) => {
      const out: number[] = [];
      for (let i = 0; i < half; i += 2) out.push(fn(arr[i], arr[i + 1], i, i + 1));
      arr.splice(0, half, ...out);
    };
    for (const s of cols.series) {
      const F = s.fields;
      const countOf = F.count;
      const counts = countOf ? countOf.slice(0, half) : [];
      for (const name of Object.keys(F)) {
        merge(F[name], (a, b, ia, ib) => {
          if (Number.isNaN(a)) return b;
          if (Number.isNaN(b)) return a;
          switch (name) {
            case 'count':
            case 'passes':
            case 'sum':
              return a + b;
            case 'min':
              return Math.min(a, b);
            case 'max':
              return Math.max(a, b);
            case 'value':
              return b; // gauge: the newer value
            default: {
              // percentiles: count-weighted mean (approximate once merged)
              const ca = counts[ia] || 0;
              const cb = counts[ib] || 0;
              return ca + cb ? (a * ca + b * cb) / (ca + cb) : (a + b) / 2;
            }
          }
        });
      }
    }
    merge(cols.times, (_a, b) => b);
    merge(cols.widths, (a, b) => a + b);
    merge(cols.spanFrom, (a, b) => Math.min(a, b));
    merge(cols.spanTo, (a, b) => Math.max(a, b));
  }

  #trackedFor(metric: string, type: MetricType, contains: ValueKind, tags: Tags): Tracked[] {
    const out: Tracked[] = [];
    const add = (key: string, t: Tags) => {
      let tr = this.#tracked.get(key);
      if (!tr) {
        if (this.#tracked.size >= this.#opts.maxSeries && Object.keys(t).length) {
          this.untracked++;
          return;
        }
        const stored: StoredSeries = { key, metric, type, contains, tags: t, fields: {} };
        const len = this.#columns.times.length;
        const fields = type === 'trend' && !wantsPercentiles(metric) ? FIELDS.trend.slice(0, 4) : FIELDS[type];
        for (const f of fields) stored.fields[f] = new Array<number>(len).fill(NaN);
        this.#columns.series.push(stored);
        tr = { key, metric, type, contains, tags: t, stored, percentiles: type === 'trend' && wantsPercentiles(metric) };
        this.#tracked.set(key, tr);
      }
      out.push(tr);
    };
    add(metric, {});
    if (this.#opts.perScenario && tags.scenario !== undefined) add(`${metric}\u0000scenario\u0001${tags.scenario}`, { scenario: tags.scenario });
    for (const dim of extraDimensions(metric)) {
      const v = tags[dim];
      if (v !== undefined) add(`${metric}\u0000${dim}\u0001${v}`, { [dim]: v });
    }
    return out;
  }
}

/**
 * A gauge over the interval: the sum over its source series of each one's value, where a series'
 * value is the sum over workers (additive gauges: VUs, connections) or the newest worker's reading.
 */
function gaugeReading(acc: OpenAcc, additive: boolean): { value: number; min: number; max: number } {
  let value = 0;
  let min = 0;
  let max = 0;
  for (const byWorker of acc.gauges?.values() ?? []) {
    if (additive) {
      for (const r of byWorker.values()) {
        value += r.last;
        min += r.min;
        max += r.max;
      }
      continue;
    }
    let newest: GaugeReading | undefined;
    let mn = Infinity;
    let mx = -Infinity;
    for (const r of byWorker.values()) {
      if (!newest || r.at >= newest.at) newest = r;
      mn = Math.min(mn, r.min);
      mx = Math.max(mx, r.max);
    }
    value += newest?.last ?? 0;
    min += Number.isFinite(mn) ? mn : 0;
    max += Number.isFinite(mx) ? mx : 0;
  }
  return { value, min, max };
}

function seriesKeyOf(metric: string, tags: Tags): string {
  const names = Object.keys(tags).sort();
  let k = metric;
  for (const n of names) k += `\u0000${n}\u0001${tags[n]}`;
  return k;
}

/** Find a stored series by metric and exact tags. */
export function findSeries(cols: TimeSeriesColumns, metric: string, tags: Tags = {}): StoredSeries | undefined {
  const want = Object.keys(tags);
  return cols.series.find((s) => s.metric === metric && Object.keys(s.tags).length === want.length && want.every((k) => s.tags[k] === tags[k]));
}
