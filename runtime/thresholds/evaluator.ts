/**
 * Decides whether a threshold holds on a metric's aggregate. Where the measured value is a ratio of
 * counts (a Rate's passes/count, a counter's count/elapsed seconds, a count) it is compared to the
 * threshold's exact rational by cross-multiplying BigInts: `rate<0.05%` fails at exactly 5 of
 * 10000, which floating-point division cannot promise. Other values (avg, percentiles, ...) are
 * doubles already and are compared with `parsed.value`, the double nearest to what the user wrote.
 */
import type { MeasuredMetric } from './metric-shape.js';
import type { ParsedThreshold, Rational, ThresholdOperator } from './parser.js';
import { checkAggregation } from './validator.js';

export interface ThresholdResult {
  readonly ok: boolean;
  /** What to show the user: a Rate as a fraction, times in ms, a counter's rate per second; null without data. */
  readonly actual: number | null;
  /** The metric received no samples; the threshold fails and the summary says "no data". */
  readonly noData: boolean;
}

interface Measurement {
  readonly actual: number;
  /** The exact value of `actual`, when it is a ratio of finite numbers. */
  readonly exact?: Rational;
}

const NO_DATA: ThresholdResult = { ok: false, actual: null, noData: true };

/**
 * Evaluates one threshold; `view` must belong to a metric the threshold was validated against.
 * No data: a counter none of whose series matched (a tag filter that never matched), another type
 * without samples. A counter whose series exist counted what they sum to, 0 included: mcprun opens
 * `iteration_errors` (and an arrival-rate scenario's `dropped_iterations`) with 0 when a scenario
 * starts, so `iteration_errors: ['count==0']` holds when no iteration threw. A NaN measurement fails
 * every operator, `!=` included.
 */
export function evaluateThreshold(parsed: ParsedThreshold, view: MeasuredMetric): ThresholdResult {
  checkAggregation(parsed, view, `cannot evaluate threshold ${JSON.stringify(parsed.source)}`);
  if (view.type === 'counter' ? view.series === 0 : view.count === 0) return NO_DATA;
  const measured = measure(parsed, view);
  const order = measured.exact ? compareRationals(measured.exact, parsed.exact) : compareNumbers(measured.actual, parsed.value);
  return { ok: order !== undefined && holds(parsed.operator, order), actual: measured.actual, noData: false };
}

function measure({ aggregation }: ParsedThreshold, view: MeasuredMetric): Measurement {
  switch (aggregation.kind) {
    case 'count':
      return ratio(view.count, 1);
    case 'rate':
      return view.type === 'rate' ? ratio(view.passes, view.count) : ratio(view.count, view.elapsedSeconds);
    case 'avg':
      return { actual: view.avg };
    case 'min':
      return { actual: view.min };
    case 'max':
      return { actual: view.max };
    case 'value':
      return { actual: view.last };
    case 'med':
      return { actual: view.percentile(50) };
    case 'percentile':
      return { actual: view.percentile(aggregation.percentile) };
  }
}

/** a/b, exactly when both are finite and b > 0 (a counter's rate at elapsed 0 is just Infinity). */
function ratio(a: number, b: number): Measurement {
  if (!Number.isFinite(a) || !Number.isFinite(b) || b <= 0) return { actual: a / b };
  const x = fromDouble(a);
  const y = fromDouble(b);
  return { actual: a / b, exact: { num: x.num * y.den, den: x.den * y.num } };
}

/** The exact value a finite double holds (every double is an integer over a power of two). */
function fromDouble(x: number): Rational {
  let num = x;
  let den = 1n;
  // Doubling is exact, and a finite double becomes an integer after at most 1074 doublings.
  while (!Number.isInteger(num)) {
    num *= 2;
    den *= 2n;
  }
  return { num: BigInt(num), den };
}

/** Both denominators are positive, so the sign of the cross-difference is the order. */
function compareRationals(a: Rational, b: Rational): -1 | 0 | 1 {
  const difference = a.num * b.den - b.num * a.den;
  return difference < 0n ? -1 : difference > 0n ? 1 : 0;
}

function compareNumbers(a: number, b: number): -1 | 0 | 1 | undefined {
  if (a < b) return -1;
  if (a > b) return 1;
  return a === b ? 0 : undefined;
}

function holds(operator: ThresholdOperator, order: -1 | 0 | 1): boolean {
  switch (operator) {
    case '<':
      return order < 0;
    case '<=':
      return order <= 0;
    case '>':
      return order > 0;
    case '>=':
      return order >= 0;
    case '==':
    case '===':
      return order === 0;
    case '!=':
      return order !== 0;
  }
}
