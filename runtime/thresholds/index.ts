/** Threshold expressions: parse (tokenizer, parser), check against the metric (validator), decide (evaluator, entries). */
export {
  formatAggregation,
  formatThreshold,
  parseMetricKey,
  parseThreshold,
  type Aggregation,
  type AggregationKind,
  type MetricKey,
  type ParsedThreshold,
  type Rational,
  type SimpleAggregationKind,
  type ThresholdOperator,
  type ThresholdUnit,
} from './parser.js';
export { SUPPORTED_AGGREGATIONS, nearestName, validateThreshold } from './validator.js';
export { evaluateThreshold, type ThresholdResult } from './evaluator.js';
export { evaluateThresholds, type TagFilter, type ThresholdEntry, type ThresholdVerdict } from './entries.js';
export type { MeasuredMetric, ThresholdMetric, ThresholdMetricType } from './metric-shape.js';
