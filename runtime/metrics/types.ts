/** Shapes shared by the worker-side store, the coordinator's merge and the threshold evaluator. */
import type { MeasuredMetric, ThresholdMetric, ThresholdMetricType } from '../thresholds/metric-shape.js';

export type MetricType = ThresholdMetricType;
/** What a metric's values are: `time` values are milliseconds, `data` values are bytes. */
export type ValueKind = ThresholdMetric['contains'];

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
 * evaluator and the summary see it: the evaluator's shape plus the sum. Fields that do not apply to
 * the type are 0.
 */
export interface AggregateView extends MeasuredMetric {
  /** counter: same as count; trend: sum of values. */
  readonly sum: number;
}
