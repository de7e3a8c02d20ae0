/** Shapes shared by the worker-side store, the coordinator's merge and the threshold evaluator. */

export type MetricType = 'counter' | 'gauge' | 'rate' | 'trend';
/** What a metric's values are: `time` values are milliseconds, `data` values are bytes. */
export type ValueKind = 'default' | 'time' | 'data';

export interface MetricDefinition {
  name: string;
  type: MetricType;
  contains: ValueKind;
}

/** Tags are flat string maps; a series is one metric plus one tag set. */
export type Tags = Readonly<Record<string, string>>;

/** What protocol clients and the DSL write samples into (the per-worker store implements it). */
export interface MetricSink {
  add(metric: string, value: number, tags: Tags): void;
}

/**
 * A metric (or a tag-filtered sub-metric) aggregated over the whole run, as the threshold
 * evaluator and the summary see it. Fields that do not apply to the type are 0.
 */
export interface AggregateView {
  readonly type: MetricType;
  readonly contains: ValueKind;
  /** counter: sum of all increments; trend: number of values; rate: number of samples; gauge: number of samples. */
  readonly count: number;
  /** counter: same as count; trend: sum of values. */
  readonly sum: number;
  /** rate: number of non-zero samples (the exact numerator of the rate). */
  readonly passes: number;
  /** trend/gauge: smallest and largest value seen; gauge: `last` is the current value. */
  readonly min: number;
  readonly max: number;
  readonly last: number;
  /** trend: arithmetic mean (exact: sum / count). */
  readonly avg: number;
  /** trend: the value at percentile p (0..100) from the HDR histogram, in the metric's unit (ms for time). */
  percentile(p: number): number;
  /** Real elapsed seconds of the test (or of the scenario, for a scenario-scoped view): counter rate = count / elapsedSeconds. */
  readonly elapsedSeconds: number;
}
