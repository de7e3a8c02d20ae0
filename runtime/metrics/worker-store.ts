/**
 * The per-worker metric store. VU code writes samples here (never across threads one by one);
 * every flush interval the worker takes a snapshot of what changed since the last one and posts it
 * to the coordinator, which merges snapshots from every worker. Trends are HDR histograms.
 */
import { createHistogram, encodeTransfer, recordScaled, type Histogram, type HistogramTransfer } from './hdr.js';
import { seriesKey, tagKey } from './series-key.js';
import type { MetricDefinition, MetricSink, MetricType, Tags } from './types.js';
import type { MetricRegistry } from './registry.js';
import { McprunError } from '../errors.js';

/** One series' change since the previous snapshot; what crosses the thread boundary. */
export interface SeriesDelta {
  metric: string;
  tags: Tags;
  type: MetricType;
  /** counter: sum of increments; rate: samples; trend: values; gauge: samples. */
  count: number;
  /** counter/trend: sum; rate: non-zero samples; gauge: last value. */
  sum: number;
  min: number;
  max: number;
  /** Trends only: the interval's histogram (non-empty buckets, see hdr.ts). */
  hist?: HistogramTransfer;
}

export interface MetricSnapshot {
  /** Monotonic time (ms since the worker's time origin is not shared: epoch ms) the snapshot covers up to. */
  at: number;
  series: SeriesDelta[];
}

class SeriesState {
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;
  hist: Histogram | undefined;
  /** Trend samples of exactly 0 not yet in `hist` (most requests' blocked/connecting/TLS times): recorded in one go at take(). */
  zeros = 0;
  dirty = false;
  constructor(
    readonly metric: string,
    readonly tags: Tags,
    readonly type: MetricType,
  ) {
    if (type === 'trend') this.hist = createHistogram();
  }

  add(value: number): void {
    this.dirty = true;
    switch (this.type) {
      case 'counter':
        this.count += value;
        this.sum += value;
        return;
      case 'rate':
        this.count += 1;
        if (value) this.sum += 1;
        return;
      case 'gauge':
        this.count += 1;
        this.sum = value;
        if (value < this.min) this.min = value;
        if (value > this.max) this.max = value;
        return;
      case 'trend':
        this.count += 1;
        this.sum += value;
        if (value < this.min) this.min = value;
        if (value > this.max) this.max = value;
        if (value === 0) this.zeros++;
        else recordScaled(this.hist!, value);
        return;
    }
  }

  take(): SeriesDelta {
    const d: SeriesDelta = { metric: this.metric, tags: this.tags, type: this.type, count: this.count, sum: this.sum, min: this.min, max: this.max };
    if (this.hist) {
      if (this.zeros) {
        this.hist.recordValueWithCount(0, this.zeros);
        this.zeros = 0;
      }
      d.hist = encodeTransfer(this.hist);
      this.hist.reset();
    }
    this.dirty = false;
    this.count = 0;
    this.min = Infinity;
    this.max = -Infinity;
    // A gauge keeps its value across intervals: only its min/max restart.
    if (this.type !== 'gauge') this.sum = 0;
    return d;
  }
}

/** Bounds the hot-path cache per base tag set and namespace (URLs with ids in them would grow it forever). */
const CACHE_MAX = 10_000;

/** A pre-resolved series: hot paths hold one and call `add` without building any key. */
export interface SeriesHandle {
  add(value: number): void;
}

export class WorkerMetricStore implements MetricSink {
  readonly #series = new Map<string, SeriesState>();
  /** The hot-path cache: base tag object (a scenario's or group's tags) → namespace → key → value. */
  readonly #cache = new WeakMap<Tags, Map<string, Map<string, unknown>>>();

  constructor(readonly registry: MetricRegistry) {}

  series(metric: string, tags: Tags): SeriesHandle {
    const key = seriesKey(metric, tags);
    let s = this.#series.get(key);
    if (!s) {
      const def = this.registry.get(metric);
      if (!def) throw new McprunError('MCPRUN_INTERNAL', `metric ${JSON.stringify(metric)} is not registered.`);
      s = new SeriesState(metric, { ...tags }, def.type);
      this.#series.set(key, s);
    }
    return s;
  }

  add(metric: string, value: number, tags: Tags): void {
    this.series(metric, tags).add(value);
  }

  /** Record several metrics that share one tag set, building the tag key only once. */
  addAll(tags: Tags, samples: ReadonlyArray<readonly [string, number]>): void {
    const tk = tagKey(tags);
    for (const [metric, value] of samples) {
      const key = `${metric}\u0000${tk}`;
      let s = this.#series.get(key);
      if (!s) {
        s = this.series(metric, tags) as SeriesState;
      }
      s.add(value);
    }
  }

  /**
   * The one cache between hot paths and their series: what was cached for `base` (by identity: a
   * scenario's or group's tag object, shared by its VUs), a namespace (a metric name, or a
   * protocol's 'http.request', 'ws.meters', 'mcp.call') and a key that identifies what the caller
   * adds to `base`. Undefined until `cache()` stored it. No tag set is built or sorted on a hit,
   * and no closure is made: `cached(...) ?? cache(..., build())`.
   */
  cached<T>(base: Tags, namespace: string, key: string): T | undefined {
    return this.#cache.get(base)?.get(namespace)?.get(key) as T | undefined;
  }

  /** Stores `value` for cached() (bounded per base and namespace) and returns it. */
  cache<T>(base: Tags, namespace: string, key: string, value: T): T {
    let byNamespace = this.#cache.get(base);
    if (!byNamespace) this.#cache.set(base, (byNamespace = new Map()));
    let m = byNamespace.get(namespace);
    if (!m) byNamespace.set(namespace, (m = new Map()));
    if (m.size >= CACHE_MAX) m.clear();
    m.set(key, value);
    return value;
  }

  /**
   * The series of `metric` for `base` plus a few more tags (`extra()`, identified by `extraKey`),
   * through the cache above: check() and every HTTP request's byte counts come through here.
   */
  derived(metric: string, base: Tags, extraKey: string, extra: () => Tags): SeriesHandle {
    return this.cached<SeriesHandle>(base, metric, extraKey) ?? this.cache(base, metric, extraKey, this.series(metric, { ...base, ...extra() }));
  }

  define(def: MetricDefinition): void {
    this.registry.define(def);
  }

  snapshot(): MetricSnapshot {
    const series: SeriesDelta[] = [];
    for (const s of this.#series.values()) if (s.dirty) series.push(s.take());
    return { at: Date.now(), series };
  }
}
