/**
 * Checks a parsed threshold against the metric it is set on, before any load is sent: the metric
 * must exist, its type must have the aggregation (as in k6), and the unit must fit what the
 * aggregation measures. Each error says what to write instead.
 */
import { McprunError } from '../errors.js';
import { BYTE_UNITS, isByteUnit } from './byte-units.js';
import type { ThresholdMetric, ThresholdMetricType } from './metric-shape.js';
import {
  formatAggregation,
  formatThreshold,
  parseMetricKey,
  type AggregationKind,
  type ParsedThreshold,
  type ThresholdUnit,
} from './parser.js';
import { nearestName } from './tokenizer.js';

export { nearestName };

export const SUPPORTED_AGGREGATIONS: Readonly<Record<ThresholdMetricType, readonly AggregationKind[]>> = {
  counter: ['count', 'rate'],
  gauge: ['value', 'min', 'max'],
  rate: ['rate'],
  trend: ['avg', 'min', 'max', 'med', 'percentile', 'count'],
};

const TIME_UNITS: readonly ThresholdUnit[] = ['us', 'ms', 's', 'm'];
const BYTES = `a byte unit (${BYTE_UNITS.join(', ')}) or a bare number of bytes`;

/**
 * Throws MCPRUN_THRESHOLD_METRIC when `def` is undefined (the metric of `metricKey` does not exist),
 * MCPRUN_THRESHOLD_AGGREGATION when the metric's type lacks the aggregation or the aggregation does
 * not take the unit (the expression itself is well formed, so this is not a syntax error).
 */
export function validateThreshold(
  metricKey: string,
  parsed: ParsedThreshold,
  def: ThresholdMetric | undefined,
  known: readonly ThresholdMetric[],
): asserts def is ThresholdMetric {
  const subject = `threshold ${JSON.stringify(parsed.source)} on ${JSON.stringify(metricKey)}`;
  if (def === undefined) {
    const { metric } = parseMetricKey(metricKey);
    const names = known.map((d) => d.name).sort();
    const suggestion = nearestName(metric, names);
    throw new McprunError(
      'MCPRUN_THRESHOLD_METRIC',
      `${subject}: unknown metric ${JSON.stringify(metric)}${suggestion ? `; did you mean "${suggestion}"?` : '.'}` +
        ` Known metrics: ${names.length ? names.join(', ') : 'none'}`,
    );
  }
  checkAggregation(parsed, def, subject);
  checkUnit(parsed, def, subject, known);
  checkRange(parsed, def, subject);
}

/**
 * Throws MCPRUN_THRESHOLD_AGGREGATION for a value the aggregation can never take: a rate outside
 * 0%..100%, a negative count. Such a threshold holds or fails whatever is measured.
 */
function checkRange(parsed: ParsedThreshold, def: ThresholdMetric, subject: string): void {
  const { kind } = parsed.aggregation;
  const { num, den } = parsed.exact;
  const fraction = def.type === 'rate' && kind === 'rate';
  const count = kind === 'count' || (def.type === 'counter' && kind === 'rate');
  if (fraction ? num >= 0n && num <= den : !count || num >= 0n) return;
  const written = `${parsed.literal}${parsed.unit ?? ''}`;
  const range = fraction ? 'a rate, which is a fraction from 0% to 100%' : `${kind === 'rate' ? 'a counter\'s rate' : 'a count'}, which is never negative`;
  // `rate>99` on a Rate: a percentage written without its "%".
  const percent = fraction && parsed.unit === undefined && num > 0n && num <= 100n * den ? `; did you mean ${JSON.stringify(formatThreshold({ ...parsed, unit: '%' }))}?` : '';
  throw new McprunError(
    'MCPRUN_THRESHOLD_AGGREGATION',
    `${subject}: ${JSON.stringify(written)} at column ${valueColumn(parsed)} is outside the range of ${range}, so the threshold would hold or fail whatever is measured${percent}`,
  );
}

/** Column (1-based) of the value in the expression as written. */
function valueColumn(p: ParsedThreshold): number {
  const op = p.source.indexOf(p.operator);
  const at = p.source.indexOf(p.literal, op + p.operator.length);
  return Array.from(p.source.slice(0, at)).length + 1;
}

/** Throws MCPRUN_THRESHOLD_AGGREGATION when a metric of this type has no such aggregation. */
export function checkAggregation(parsed: ParsedThreshold, metric: Pick<ThresholdMetric, 'type' | 'contains'>, subject: string): void {
  const supported = SUPPORTED_AGGREGATIONS[metric.type];
  if (supported.includes(parsed.aggregation.kind)) return;
  const names = supported.map((kind) => (kind === 'percentile' ? 'p(N)' : kind));
  throw new McprunError(
    'MCPRUN_THRESHOLD_AGGREGATION',
    `${subject}: ${JSON.stringify(formatAggregation(parsed.aggregation))} does not apply to ${describe(metric)}, ` +
      `which supports ${names.slice(0, -1).join(', ')}${names.length > 1 ? ' and ' : ''}${names[names.length - 1]}`,
  );
}

function checkUnit(parsed: ParsedThreshold, def: ThresholdMetric, subject: string, known: readonly ThresholdMetric[]): void {
  const { unit, aggregation } = parsed;
  if (unit === undefined) return;
  const accepted = acceptedUnits(def, aggregation.kind);
  if (accepted.units.includes(unit)) return;
  const instead = formatThreshold({ ...parsed, unit: accepted.suggest });
  // Say where byte units do apply, as the message above says what this metric takes.
  const byteMetrics = known.filter((d) => d.contains === 'data').map((d) => d.name).sort();
  const where = isByteUnit(unit) && def.contains !== 'data' && byteMetrics.length ? ` (byte units apply to metrics of bytes: ${byteMetrics.join(', ')})` : '';
  throw new McprunError(
    'MCPRUN_THRESHOLD_AGGREGATION',
    `${subject}: the ${formatAggregation(aggregation)} of ${describe(def)} takes ${accepted.description}, ` +
      `not ${JSON.stringify(unit)}; write ${JSON.stringify(instead)}${where}`,
  );
}

/** The units an aggregation of this metric accepts, how to say so, and the one to suggest instead. */
function acceptedUnits(
  def: ThresholdMetric,
  kind: AggregationKind,
): { units: readonly ThresholdUnit[]; description: string; suggest: ThresholdUnit | undefined } {
  if (def.type === 'trend' && def.contains === 'time' && kind !== 'count') {
    return { units: TIME_UNITS, description: 'a time unit (us, ms, s, m) or a bare number of milliseconds', suggest: 'ms' };
  }
  if (def.type === 'rate' && kind === 'rate') {
    return { units: ['%'], description: '"%" or a bare fraction (0.05 is 5%)', suggest: '%' };
  }
  if (def.type === 'counter' && kind === 'rate') {
    return { units: ['/s', '/m'], description: '"/s", "/m" or a bare number per second', suggest: '/s' };
  }
  // Sizes: a byte trend's values, a byte gauge, a byte counter's total (data_sent: count<10MB).
  if (def.contains === 'data' && (def.type === 'counter' || kind !== 'count')) {
    return { units: BYTE_UNITS, description: BYTES, suggest: undefined };
  }
  return { units: [], description: 'a bare number', suggest: undefined };
}

function describe(metric: Pick<ThresholdMetric, 'type' | 'contains'>): string {
  switch (metric.type) {
    case 'counter':
      return metric.contains === 'data' ? 'a Counter of bytes' : 'a Counter';
    case 'gauge':
      return metric.contains === 'data' ? 'a Gauge of bytes' : 'a Gauge';
    case 'rate':
      return 'a Rate';
    case 'trend':
      return metric.contains === 'time' ? 'a Trend of times' : metric.contains === 'data' ? 'a Trend of bytes' : 'a Trend';
  }
}
