import { describe, expect, test } from 'vitest';
import type { AggregateView } from '../../../runtime/metrics/types.js';
import { evaluateThreshold, parseThreshold } from '../../../runtime/thresholds/index.js';

function view(fields: Partial<AggregateView> & Pick<AggregateView, 'type'>, percentiles: Record<number, number> = {}): AggregateView {
  return {
    contains: 'default',
    count: 0,
    sum: 0,
    passes: 0,
    min: 0,
    max: 0,
    last: 0,
    avg: 0,
    elapsedSeconds: 10,
    series: fields.count ? 1 : 0,
    percentile: (p) => {
      if (!(p in percentiles)) throw new Error(`the test view has no percentile ${p}`);
      return percentiles[p];
    },
    ...fields,
  };
}

const rate = (passes: number, count: number): AggregateView => view({ type: 'rate', passes, count });
const counter = (count: number, elapsedSeconds: number): AggregateView => view({ type: 'counter', count, sum: count, elapsedSeconds });
/** 1000 values: min 5 ms, avg 120 ms, med 100 ms, p95 250 ms, p99.9 900 ms, max 1000 ms. */
const durations = view(
  { type: 'trend', contains: 'time', count: 1000, sum: 120_000, min: 5, max: 1000, avg: 120 },
  { 50: 100, 95: 250, 99.9: 900 },
);
const gauge = view({ type: 'gauge', count: 3, min: 2, max: 12, last: 7 });

const evaluate = (expr: string, v: AggregateView) => evaluateThreshold(parseThreshold(expr), v);

describe('a Rate is compared as the exact fraction passes/count', () => {
  test.each([
    ['rate<0.05%', 5, 10_000, false],
    ['rate<0.05%', 4, 10_000, true],
    ['rate<=0.05%', 5, 10_000, true],
    ['rate==0.05%', 5, 10_000, true],
    ['rate>0.05%', 5, 10_000, false],
    ['rate!=0.05%', 5, 10_000, false],
    ['rate>=0.05%', 6, 10_000, true],
    // 1/3 is no decimal: 0.3333333333333333 is below it, so the exact answer differs from float.
    ['rate>0.3333333333333333', 1, 3, true],
    ['rate<0.1', 1, 10, false],
    ['rate==10%', 1, 10, true],
    ['rate===0.1', 1, 10, true],
  ])('%s with %i of %i passes → %s', (expr, passes, count, ok) => {
    expect(evaluate(expr, rate(passes, count))).toEqual({ ok, actual: passes / count, noData: false });
  });
});

describe("a counter's rate is per second of the test", () => {
  test('rate>10000/s fails at 450 per second and passes above 10000', () => {
    expect(evaluate('rate>10000/s', counter(4500, 10))).toEqual({ ok: false, actual: 450, noData: false });
    expect(evaluate('rate>10000/s', counter(100_010, 10))).toEqual({ ok: true, actual: 10_001, noData: false });
    expect(evaluate('rate>10000/s', counter(100_000, 10))).toEqual({ ok: false, actual: 10_000, noData: false });
    expect(evaluate('rate>=10000/s', counter(100_000, 10))).toEqual({ ok: true, actual: 10_000, noData: false });
  });

  test('a bare number is per second and /m is per minute', () => {
    expect(evaluate('rate>449', counter(4500, 10)).ok).toBe(true);
    expect(evaluate('rate==27000/m', counter(4500, 10)).ok).toBe(true);
    expect(evaluate('rate<27000/m', counter(4500, 10)).ok).toBe(false);
  });

  test('exactly, even when neither side is a decimal', () => {
    // 50 in 30 s is 5/3 per second, the same as 100 per minute; floats would round both sides.
    expect(evaluate('rate==100/m', counter(50, 30))).toEqual({ ok: true, actual: 50 / 30, noData: false });
    expect(evaluate('rate<100/m', counter(50, 30)).ok).toBe(false);
    expect(evaluate('rate>100/m', counter(50, 30)).ok).toBe(false);
    // The elapsed time is measured, so it is a double: compared as the exact value it holds.
    expect(evaluate('rate<10/s', counter(1, 0.1)).ok).toBe(true);
  });

  test('count is compared as an integer', () => {
    expect(evaluate('count>=4500', counter(4500, 10)).ok).toBe(true);
    expect(evaluate('count>4500', counter(4500, 10)).ok).toBe(false);
    expect(evaluate('count<4500.0000000000000001', counter(4500, 10)).ok).toBe(true);
  });
});

describe('trends', () => {
  test.each([
    ['avg<200ms', true, 120],
    ['avg<120', false, 120],
    ['avg<=120', true, 120],
    ['min>0', true, 5],
    ['min>=5', true, 5],
    ['min>5', false, 5],
    ['max<1s', false, 1000],
    ['max<=1s', true, 1000],
    ['max==1000', true, 1000],
    ['max!=1000', false, 1000],
    ['med<100ms', false, 100],
    ['med===100', true, 100],
    ['p95<250ms', false, 250],
    ['p(95)<=250ms', true, 250],
    ['p95<0.25s', false, 250],
    ['p95>=250000us', true, 250],
    ['p99.9<1s', true, 900],
    ['p(99.9)>0.015m', false, 900],
    ['p99.9<0.016m', true, 900],
    ['count>=1000', true, 1000],
    ['count<1000', false, 1000],
  ])('%s → %s (actual %s)', (expr, ok, actual) => {
    expect(evaluate(expr, durations)).toEqual({ ok, actual, noData: false });
  });
});

describe('gauges', () => {
  test.each([
    ['value==7', true, 7],
    ['value!=7', false, 7],
    ['value>7', false, 7],
    ['value>=7', true, 7],
    ['min<2', false, 2],
    ['min<=2', true, 2],
    ['max>10', true, 12],
    ['max<-1', false, 12],
  ])('%s → %s (actual %s)', (expr, ok, actual) => {
    expect(evaluate(expr, gauge)).toEqual({ ok, actual, noData: false });
  });
});

describe('without samples the threshold fails with "no data"', () => {
  const noData = { ok: false, actual: null, noData: true };
  test.each([
    ['rate<1', rate(0, 0)],
    // A counter none of whose series matched.
    ['count<1', counter(0, 10)],
    ['rate<1/s', counter(0, 10)],
    ['avg<1', view({ type: 'trend', contains: 'time' })],
    ['value!=1', view({ type: 'gauge' })],
  ])('%s', (expr, v) => {
    expect(evaluate(expr, v)).toEqual(noData);
  });
});

test('a counter whose series exist and sum to 0 counted 0: count==0 holds, count>0 fails with the value', () => {
  const zero = view({ type: 'counter', count: 0, sum: 0, series: 2 });
  expect(evaluate('count==0', zero)).toEqual({ ok: true, actual: 0, noData: false });
  expect(evaluate('count>0', zero)).toEqual({ ok: false, actual: 0, noData: false });
  expect(evaluate('rate<1/s', zero)).toEqual({ ok: true, actual: 0, noData: false });
});

test('NaN fails every operator, != included', () => {
  const v = view({ type: 'trend', count: 1, avg: Number.NaN });
  expect(evaluate('avg!=1', v).ok).toBe(false);
  expect(evaluate('avg<1', v).ok).toBe(false);
});

test('an aggregation the metric lacks is an error, not a failed threshold', () => {
  expect(() => evaluate('avg<1', counter(1, 1))).toThrowErrorMatchingInlineSnapshot(
    `[McprunError: cannot evaluate threshold "avg<1": "avg" does not apply to a Counter, which supports count and rate]`,
  );
});
