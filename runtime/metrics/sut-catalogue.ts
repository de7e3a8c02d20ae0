/**
 * The sut_* metrics, as catalogue entries the run registers beside the built-in ones so that
 * thresholds on them are validated before any load is sent. Pure data. Here, below config/ and
 * output/, because both read it: config/ validates thresholds on them, output/ charts them; the
 * sampler that measures them is runtime/sut/. The `sut_` prefix is theirs (isSutMetric).
 *
 * The per-second series are Trends (not Gauges) so that every aggregation applies to them:
 * `avg<0.5` on sut_cpu, `max<512MiB` and `p(95)` on sut_rss. sut_memory_per_connection is a Gauge:
 * one figure per plateau, judged by its `value` (the last plateau) or its `max`.
 * `contains: 'data'` marks the byte-valued ones: only they take byte units (runtime/thresholds/byte-units.ts).
 */
import type { MetricDefinition } from './types.js';

export const SUT_METRIC = {
  /** Resident memory of the tree, bytes. */
  rss: 'sut_rss',
  /** CPU-seconds used per real second (1 = one core busy). */
  cpu: 'sut_cpu',
  openFds: 'sut_open_fds',
  threads: 'sut_threads',
  /** ESTABLISHED TCP sockets the tree holds (from /proc), or the series selected as `sut_connections`. */
  connections: 'sut_connections',
  /** RSS growth since before the first connection / connections added, bytes, at each plateau. */
  memoryPerConnection: 'sut_memory_per_connection',
  /** Mean GC pause over the last interval, ms (Node, Go, JVM expositions). */
  gcPause: 'sut_gc_pause',
  /** Seconds spent in GC per real second. */
  gcTime: 'sut_gc_time',
  /** Collections per second (also Erlang's, which exposes counts but no pause times). */
  gcRate: 'sut_gc_rate',
} as const;

/** A series of the exposition picked by the user, beyond the standard ones. */
export interface SeriesSelection {
  /** The series' name in the exposition (`http_requests_total`). */
  readonly name: string;
  /** Only samples carrying these labels with these values; samples that match are summed. */
  readonly labels?: Readonly<Record<string, string>>;
  /** `gauge`: the value as it is; `rate`: a counter's increase per real second between scrapes. */
  readonly as: 'gauge' | 'rate';
  /** The mcprun metric it becomes (default `sut_<name>`); `sut_connections` feeds sut_memory_per_connection. */
  readonly metric?: string;
}

export type SutMetricName = (typeof SUT_METRIC)[keyof typeof SUT_METRIC];

const trend = (name: string, contains: MetricDefinition['contains'] = 'default'): MetricDefinition => ({ name, type: 'trend', contains });

export const SUT_METRICS: readonly MetricDefinition[] = [
  trend(SUT_METRIC.rss, 'data'),
  trend(SUT_METRIC.cpu),
  trend(SUT_METRIC.openFds),
  trend(SUT_METRIC.threads),
  trend(SUT_METRIC.connections),
  { name: SUT_METRIC.memoryPerConnection, type: 'gauge', contains: 'data' },
  trend(SUT_METRIC.gcPause, 'time'),
  trend(SUT_METRIC.gcTime),
  trend(SUT_METRIC.gcRate),
];

/** A metric of the system under test (a standard one or a selected series: both start with `sut_`). */
export function isSutMetric(name: string): boolean {
  return name.startsWith('sut_');
}

/** The mcprun metric a selected exposition series becomes. */
export function selectionMetric(s: SeriesSelection): string {
  return s.metric ?? `sut_${s.name}`;
}

/** The standard entries plus one per selected series (a selection may feed a standard name, such as sut_connections). */
export function sutMetricDefinitions(selections: readonly SeriesSelection[] = []): MetricDefinition[] {
  const out = [...SUT_METRICS];
  for (const s of selections) {
    const name = selectionMetric(s);
    if (!out.some((d) => d.name === name)) out.push(trend(name));
  }
  return out;
}
