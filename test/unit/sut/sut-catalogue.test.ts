import { describe, expect, test } from 'vitest';
import { SUT_METRIC, SUT_METRICS, sutMetricDefinitions } from '../../../runtime/metrics/sut-catalogue.js';
import { parseThreshold, validateThreshold } from '../../../runtime/thresholds/index.js';

describe('the sut_* catalogue entries', () => {
  test('one entry per metric; bytes and times are marked', () => {
    expect(SUT_METRICS.map((d) => d.name).sort()).toEqual(Object.values(SUT_METRIC).sort());
    const kinds = Object.fromEntries(SUT_METRICS.map((d) => [d.name, `${d.type}/${d.contains}`]));
    expect(kinds).toEqual({
      sut_rss: 'trend/data',
      sut_cpu: 'trend/default',
      sut_open_fds: 'trend/default',
      sut_threads: 'trend/default',
      sut_connections: 'trend/default',
      sut_memory_per_connection: 'gauge/data',
      sut_gc_pause: 'trend/time',
      sut_gc_time: 'trend/default',
      sut_gc_rate: 'trend/default',
    });
  });

  test('selected series add entries (a selection feeding sut_connections adds none)', () => {
    const defs = sutMetricDefinitions([
      { name: 'http_requests_total', as: 'rate' },
      { name: 'open_sockets', as: 'gauge', metric: 'sut_connections' },
    ]);
    expect(defs.length).toBe(SUT_METRICS.length + 1);
    expect(defs.at(-1)).toEqual({ name: 'sut_http_requests_total', type: 'trend', contains: 'default' });
  });

  test('the thresholds of the issue’s contract fit these types, byte units included', () => {
    const defs = sutMetricDefinitions();
    const check = (metric: string, expr: string) => validateThreshold(metric, parseThreshold(expr), defs.find((d) => d.name === metric), defs);
    for (const [metric, expr] of [
      ['sut_memory_per_connection', 'value<2KB'],
      ['sut_memory_per_connection', 'value<2048'],
      ['sut_rss', 'max<512MiB'],
      ['sut_cpu', 'avg<0.5'],
      ['sut_gc_pause', 'p(99)<50ms'],
    ]) expect(() => check(metric, expr)).not.toThrow();
    expect(() => check('sut_memory_per_connection', 'avg<2048')).toThrow(/does not apply to a Gauge/);
    expect(() => check('sut_cpu', 'avg<2KB')).toThrow(/byte units apply to metrics of bytes: sut_memory_per_connection, sut_rss\)$/);
  });
});
