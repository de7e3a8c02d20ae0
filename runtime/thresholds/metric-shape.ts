/**
 * What thresholds need to know about metrics, declared here so that thresholds/ stays below
 * metrics/ (metrics/types.ts builds its MetricType, ValueKind and AggregateView on these).
 */

export type ThresholdMetricType = 'counter' | 'gauge' | 'rate' | 'trend';

/** A metric as the validator checks a threshold against it. */
export interface ThresholdMetric {
  readonly name: string;
  readonly type: ThresholdMetricType;
  /** `time` values are milliseconds, `data` values bytes. */
  readonly contains: 'default' | 'time' | 'data';
}

/** A metric (or tag-filtered sub-metric) aggregated over the run, as the evaluator reads it. */
export interface MeasuredMetric extends Pick<ThresholdMetric, 'type' | 'contains'> {
  /** counter: sum of increments; trend, rate, gauge: number of samples. */
  readonly count: number;
  /** rate: non-zero samples (the exact numerator). */
  readonly passes: number;
  readonly min: number;
  readonly max: number;
  /** gauge: the current value. */
  readonly last: number;
  readonly avg: number;
  /** trend: the value at percentile p (0..100), in the metric's unit. */
  percentile(p: number): number;
  /** Real elapsed seconds a counter's rate divides by (the scenario's own for a scenario-scoped view). */
  readonly elapsedSeconds: number;
  /** Series (tag sets) that matched: a counter with none has no data, one whose series sum to 0 counted 0. */
  readonly series: number;
}
