import { describe, expect, test } from 'vitest';
import type { MetricDefinition } from '../../../runtime/metrics/types.js';
import {
  SUPPORTED_AGGREGATIONS,
  nearestName,
  parseThreshold,
  validateThreshold,
} from '../../../runtime/thresholds/index.js';

const KNOWN: MetricDefinition[] = [
  { name: 'http_req_duration', type: 'trend', contains: 'time' },
  { name: 'http_reqs', type: 'counter', contains: 'default' },
  { name: 'http_req_failed', type: 'rate', contains: 'default' },
  { name: 'vus', type: 'gauge', contains: 'default' },
  { name: 'payload_size', type: 'trend', contains: 'data' },
  { name: 'queue_depth', type: 'trend', contains: 'default' },
  { name: 'data_sent', type: 'counter', contains: 'data' },
  { name: 'memory_per_connection', type: 'gauge', contains: 'data' },
];

function validate(metricKey: string, expr: string): void {
  const metric = metricKey.replace(/\{.*$/, '');
  validateThreshold(metricKey, parseThreshold(expr), KNOWN.find((d) => d.name === metric), KNOWN);
}

describe('validateThreshold accepts', () => {
  test.each([
    ['http_req_duration', 'p95<200ms'],
    ['http_req_duration', 'p(99.9)<=2s'],
    ['http_req_duration', 'avg<200'],
    ['http_req_duration', 'med<500us'],
    ['http_req_duration', 'max<1m'],
    ['http_req_duration', 'count>=100'],
    ['http_req_duration{status:200}', 'min>0ms'],
    ['http_reqs', 'count>100'],
    ['http_reqs', 'rate>10000/s'],
    ['http_reqs', 'rate>600/m'],
    ['http_reqs', 'rate>100'],
    ['http_req_failed', 'rate<0.05%'],
    ['http_req_failed', 'rate<0.01'],
    ['vus', 'value==10'],
    ['vus', 'min>=1'],
    ['vus', 'max<=100'],
    ['payload_size', 'p95<1024'],
    ['queue_depth', 'avg<5'],
    ['payload_size', 'p95<2KB'],
    ['payload_size', 'max<1.5MiB'],
    ['memory_per_connection', 'value<2KB'],
    ['memory_per_connection', 'max<3KiB'],
    ['data_sent', 'count<10MB'],
    ['data_sent', 'rate<1000000/s'],
  ])('%s: %s', (key, expr) => {
    expect(() => validate(key, expr)).not.toThrow();
  });
});

describe('validateThreshold rejects', () => {
  test('an unknown metric, suggesting the nearest name and listing the known ones', () => {
    expect(() => validate('http_req_duraton', 'p95<200ms')).toThrowErrorMatchingInlineSnapshot(
      `[McprunError: threshold "p95<200ms" on "http_req_duraton": unknown metric "http_req_duraton"; did you mean "http_req_duration"? Known metrics: data_sent, http_req_duration, http_req_failed, http_reqs, memory_per_connection, payload_size, queue_depth, vus]`,
    );
    expect(() => validate('my_metric{status:200}', 'count>1')).toThrowErrorMatchingInlineSnapshot(
      `[McprunError: threshold "count>1" on "my_metric{status:200}": unknown metric "my_metric". Known metrics: data_sent, http_req_duration, http_req_failed, http_reqs, memory_per_connection, payload_size, queue_depth, vus]`,
    );
    expect(() => validate('http_req_duraton', 'p95<200ms')).toThrow(expect.objectContaining({ code: 'MCPRUN_THRESHOLD_METRIC' }));
  });

  test('an aggregation the metric type lacks, listing the ones it supports', () => {
    expect(() => validate('http_reqs', 'avg<10')).toThrowErrorMatchingInlineSnapshot(
      `[McprunError: threshold "avg<10" on "http_reqs": "avg" does not apply to a Counter, which supports count and rate]`,
    );
    expect(() => validate('http_req_failed', 'count<10')).toThrowErrorMatchingInlineSnapshot(
      `[McprunError: threshold "count<10" on "http_req_failed": "count" does not apply to a Rate, which supports rate]`,
    );
    expect(() => validate('vus', 'p95<10')).toThrowErrorMatchingInlineSnapshot(
      `[McprunError: threshold "p95<10" on "vus": "p(95)" does not apply to a Gauge, which supports value, min and max]`,
    );
    expect(() => validate('http_req_duration', 'rate<10')).toThrowErrorMatchingInlineSnapshot(
      `[McprunError: threshold "rate<10" on "http_req_duration": "rate" does not apply to a Trend of times, which supports avg, min, max, med, p(N) and count]`,
    );
    expect(() => validate('http_req_duration{status:500}', 'value<1')).toThrow(
      expect.objectContaining({ code: 'MCPRUN_THRESHOLD_AGGREGATION' }),
    );
  });

  test('a unit the aggregation does not take, saying what to write instead', () => {
    expect(() => validate('http_req_duration', 'count<5s')).toThrowErrorMatchingInlineSnapshot(
      `[McprunError: threshold "count<5s" on "http_req_duration": the count of a Trend of times takes a bare number, not "s"; write "count<5"]`,
    );
    expect(() => validate('queue_depth', 'avg<200ms')).toThrowErrorMatchingInlineSnapshot(
      `[McprunError: threshold "avg<200ms" on "queue_depth": the avg of a Trend takes a bare number, not "ms"; write "avg<200"]`,
    );
    expect(() => validate('payload_size', 'p95<1s')).toThrowErrorMatchingInlineSnapshot(
      `[McprunError: threshold "p95<1s" on "payload_size": the p(95) of a Trend of bytes takes a byte unit (B, kB, KB, KiB, MB, MiB, GB, GiB) or a bare number of bytes, not "s"; write "p(95)<1"]`,
    );
    expect(() => validate('http_req_duration', 'p95<5%')).toThrowErrorMatchingInlineSnapshot(
      `[McprunError: threshold "p95<5%" on "http_req_duration": the p(95) of a Trend of times takes a time unit (us, ms, s, m) or a bare number of milliseconds, not "%"; write "p(95)<5ms"]`,
    );
    expect(() => validate('http_reqs', 'rate<5%')).toThrowErrorMatchingInlineSnapshot(
      `[McprunError: threshold "rate<5%" on "http_reqs": the rate of a Counter takes "/s", "/m" or a bare number per second, not "%"; write "rate<5/s"]`,
    );
    expect(() => validate('http_reqs', 'count>100/s')).toThrowErrorMatchingInlineSnapshot(
      `[McprunError: threshold "count>100/s" on "http_reqs": the count of a Counter takes a bare number, not "/s"; write "count>100"]`,
    );
    expect(() => validate('http_req_failed', 'rate<5/m')).toThrowErrorMatchingInlineSnapshot(
      `[McprunError: threshold "rate<5/m" on "http_req_failed": the rate of a Rate takes "%" or a bare fraction (0.05 is 5%), not "/m"; write "rate<5%"]`,
    );
    expect(() => validate('http_req_failed', 'rate<1s')).toThrowErrorMatchingInlineSnapshot(
      `[McprunError: threshold "rate<1s" on "http_req_failed": the rate of a Rate takes "%" or a bare fraction (0.05 is 5%), not "s"; write "rate<1%"]`,
    );
    expect(() => validate('vus', 'value<10/s')).toThrowErrorMatchingInlineSnapshot(
      `[McprunError: threshold "value<10/s" on "vus": the value of a Gauge takes a bare number, not "/s"; write "value<10"]`,
    );
    expect(() => validate('vus', 'value<10ms')).toThrow(expect.objectContaining({ code: 'MCPRUN_THRESHOLD_AGGREGATION' }));
  });

  test('a byte unit on a metric that is not of bytes, naming the metrics that take one', () => {
    expect(() => validate('http_req_duration', 'p95<2KB')).toThrowErrorMatchingInlineSnapshot(
      `[McprunError: threshold "p95<2KB" on "http_req_duration": the p(95) of a Trend of times takes a time unit (us, ms, s, m) or a bare number of milliseconds, not "KB"; write "p(95)<2ms" (byte units apply to metrics of bytes: data_sent, memory_per_connection, payload_size)]`,
    );
    expect(() => validate('queue_depth', 'avg<1MiB')).toThrow(/the avg of a Trend takes a bare number, not "MiB"; write "avg<1" \(byte units apply to metrics of bytes: /);
    // A byte trend's count is a number of samples; a byte counter's rate is bytes per second.
    expect(() => validate('payload_size', 'count<2KB')).toThrow(/the count of a Trend of bytes takes a bare number, not "KB"; write "count<2"$/);
    expect(() => validate('data_sent', 'rate<2MB')).toThrow(/the rate of a Counter of bytes takes "\/s", "\/m" or a bare number per second, not "MB"; write "rate<2\/s"$/);
    expect(() => validate('memory_per_connection', 'value<2ms')).toThrowErrorMatchingInlineSnapshot(
      `[McprunError: threshold "value<2ms" on "memory_per_connection": the value of a Gauge of bytes takes a byte unit (B, kB, KB, KiB, MB, MiB, GB, GiB) or a bare number of bytes, not "ms"; write "value<2"]`,
    );
  });

  test('a malformed metric key', () => {
    expect(() => validateThreshold('http_reqs{status', parseThreshold('count>1'), undefined, KNOWN)).toThrow(
      expect.objectContaining({ code: 'MCPRUN_THRESHOLD_SYNTAX' }),
    );
  });
});

test('SUPPORTED_AGGREGATIONS follows k6', () => {
  expect(SUPPORTED_AGGREGATIONS).toEqual({
    counter: ['count', 'rate'],
    gauge: ['value', 'min', 'max'],
    rate: ['rate'],
    trend: ['avg', 'min', 'max', 'med', 'percentile', 'count'],
  });
});

describe('nearestName', () => {
  const names = KNOWN.map((d) => d.name);
  test.each([
    ['http_req_duraton', 'http_req_duration'],
    ['HTTP_REQS', 'http_reqs'],
    ['http_req_fail', 'http_req_failed'],
    ['vu', 'vus'],
    ['iterations', undefined],
    ['foo', undefined],
  ])('%s → %s', (name, nearest) => {
    expect(nearestName(name, names)).toBe(nearest);
  });

  test('the earlier candidate wins a tie; maxDistance bounds the search', () => {
    expect(nearestName('ab', ['aa', 'bb'])).toBe('aa');
    expect(nearestName('abcd', ['abxy'], 1)).toBeUndefined();
    expect(nearestName('abcd', ['abxy'], 2)).toBe('abxy');
  });
});
