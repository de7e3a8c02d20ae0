/**
 * The coordinator's cumulative view of every series, merged from the workers' snapshots. HDR
 * histograms are added exactly, so percentiles over all workers equal those of one histogram that
 * had recorded every value.
 */
import { ADDITIVE_GAUGES } from './builtin.js';
import { addTransfer, createHistogram, percentileOf, type Histogram } from './hdr.js';
import { seriesKey, tagsMatch } from './series-key.js';
import type { AggregateView, MetricDefinition, MetricType, Tags, ValueKind } from './types.js';
import type { MetricSnapshot, SeriesDelta } from './worker-store.js';

/**
 * Running totals that counter, rate and trend deltas add into: the cumulative series here and the
 * per-interval ones of output/timeseries.ts. (Gauges keep per-worker readings instead.)
 */
export class Totals {
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;
  /** Trends: the merged histogram (when this holder keeps one). */
  hist: Histogram | undefined;

  addDelta(d: SeriesDelta): void {
    this.count += d.count;
    this.sum += d.sum;
    if (d.type !== 'trend') return;
    if (d.min < this.min) this.min = d.min;
    if (d.max > this.max) this.max = d.max;
    if (d.hist && this.hist) addTransfer(this.hist, d.hist);
  }
}

export class AggregateSeries extends Totals {
  /** Gauges: latest value per worker (summed for additive gauges, newest for the rest), its peak in its latest interval and its lowest ever. */
  readonly gaugeByWorker = new Map<number, { value: number; at: number; max: number; min: number }>();
  constructor(
    readonly metric: string,
    readonly tags: Tags,
    readonly type: MetricType,
  ) {
    super();
    if (type === 'trend') this.hist = createHistogram();
  }

  gaugeValue(): number {
    if (ADDITIVE_GAUGES.has(this.metric)) {
      let s = 0;
      for (const g of this.gaugeByWorker.values()) s += g.value;
      return s;
    }
    let latest: { value: number; at: number } | undefined;
    for (const g of this.gaugeByWorker.values()) if (!latest || g.at >= latest.at) latest = g;
    return latest?.value ?? 0;
  }
}

export class MetricAggregate {
  readonly series = new Map<string, AggregateSeries>();
  /** Set by the coordinator: the run's real elapsed time, for counter rates. */
  elapsedSeconds = 0;

  constructor(readonly lookup: (name: string) => MetricDefinition | undefined) {}

  merge(worker: number, snap: MetricSnapshot): void {
    for (const d of snap.series) {
      const key = seriesKey(d.metric, d.tags);
      let s = this.series.get(key);
      if (!s) {
        s = new AggregateSeries(d.metric, d.tags, d.type);
        this.series.set(key, s);
      }
      switch (d.type) {
        case 'gauge': {
          s.count += d.count;
          const prev = s.gaugeByWorker.get(worker);
          s.gaugeByWorker.set(worker, { value: d.sum, at: snap.at, max: d.max, min: prev ? Math.min(prev.min, d.min) : d.min });
          // For additive gauges min/max are of the sum over workers, not of one worker's value;
          // the peak adds each worker's peak of its latest interval (workers peak together under a
          // ramp), the low adds each worker's lowest: a sum taken before every worker has reported
          // once would undercount (vus_max 10 read as 5 while the second worker's first report was due).
          if (ADDITIVE_GAUGES.has(d.metric)) {
            let peak = 0;
            let low = 0;
            for (const g of s.gaugeByWorker.values()) {
              peak += g.max;
              low += g.min;
            }
            s.min = low;
            if (peak > s.max) s.max = peak;
          } else {
            if (d.min < s.min) s.min = d.min;
            if (d.max > s.max) s.max = d.max;
          }
          break;
        }
        default:
          s.addDelta(d);
      }
    }
  }

  /** Every series of `metric` whose tags include `filter`. */
  matching(metric: string, filter: Tags = {}): AggregateSeries[] {
    const out: AggregateSeries[] = [];
    for (const s of this.series.values()) if (s.metric === metric && tagsMatch(s.tags, filter)) out.push(s);
    return out;
  }

  metricNames(): string[] {
    return [...new Set([...this.series.values()].map((s) => s.metric))];
  }

  /** The metric (or sub-metric) as one aggregate, merging histograms of every matching series. */
  view(metric: string, filter: Tags = {}, elapsedSeconds = this.elapsedSeconds): AggregateView {
    const def = this.lookup(metric);
    const type: MetricType = def?.type ?? 'counter';
    const contains: ValueKind = def?.contains ?? 'default';
    const parts = this.matching(metric, filter);
    let count = 0;
    let sum = 0;
    let min = Infinity;
    let max = -Infinity;
    let last = 0;
    let hist: Histogram | undefined;
    if (type === 'gauge') {
      // A gauge's value is the sum over its series (e.g. vus over scenarios) of their latest values.
      for (const p of parts) {
        count += p.count;
        last += p.gaugeValue();
        if (p.min < min) min = p.min;
        if (p.max > max) max = p.max;
      }
    } else {
      for (const p of parts) {
        count += p.count;
        sum += p.sum;
        if (p.min < min) min = p.min;
        if (p.max > max) max = p.max;
        if (p.hist) {
          if (parts.length === 1) hist = p.hist;
          else (hist ??= createHistogram()).add(p.hist);
        }
      }
    }
    const h = hist;
    return {
      type,
      contains,
      count,
      sum,
      passes: type === 'rate' ? sum : 0,
      min: count ? min : 0,
      max: count ? max : 0,
      last,
      avg: type === 'trend' && count ? sum / count : 0,
      percentile: (p: number) => (h ? percentileOf(h, p) : 0),
      elapsedSeconds,
      series: parts.length,
    };
  }
}
