/**
 * options.sut, --sut-pid and --sut-metrics through resolveConfig: shapes, precedence, and the
 * thresholds on sut_* metrics. (Whether a PID exists or a URL is on loopback is checked after
 * this, still before any load: runtime/sut/sut-config.ts, and test/e2e/sut-*.test.ts.)
 */
import { describe, expect, test } from 'vitest';
import { resolveConfig } from '../../../runtime/config/resolve.js';
import { MetricRegistry } from '../../../runtime/metrics/registry.js';

const resolve = (options: Record<string, unknown>, cli = {}) => resolveConfig({ iterations: 1, ...options }, cli, 'scenario.ts', new MetricRegistry());
const problems = (options: Record<string, unknown>, cli = {}): string => {
  try {
    resolve(options, cli);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('resolved without a problem');
};

describe('options.sut resolves', () => {
  test('a PID, PIDs, a metrics URL with series, or a PID and a URL together', () => {
    expect(resolve({}).sut).toBeUndefined();
    expect(resolve({ sut: { pid: 1234 } }).sut).toEqual({ pids: { values: [1234], place: 'options.sut.pid' }, target: undefined, prometheus: undefined });
    expect(resolve({ sut: { pids: [1, 2] } }).sut?.pids).toEqual({ values: [1, 2], place: 'options.sut.pids' });
    const series = [{ name: 'http_requests_total', labels: { code: '500' }, as: 'rate' }];
    expect(resolve({ sut: { pid: 7, prometheus: 'http://127.0.0.1:9464/metrics', series, allowRemote: true } }).sut).toEqual({
      pids: { values: [7], place: 'options.sut.pid' },
      target: undefined,
      prometheus: { url: 'http://127.0.0.1:9464/metrics', place: 'options.sut.prometheus', series, seriesPlace: 'options.sut.series', allowRemote: true },
    });
  });

  test('--sut-pid replaces the scenario’s pid, pids or target; --sut-metrics its URL, keeping its series', () => {
    const series = [{ name: 'q', as: 'gauge' }];
    const sut = resolve({ sut: { pid: 1, prometheus: 'http://127.0.0.1:1/metrics', series } }, { sutPids: [5, 6], sutMetrics: 'http://127.0.0.1:2/metrics' }).sut;
    expect(sut?.pids).toEqual({ values: [5, 6], place: '--sut-pid' });
    expect(sut?.prometheus).toMatchObject({ url: 'http://127.0.0.1:2/metrics', place: '--sut-metrics', series });
    expect(resolve({ sut: { target: 'app' } }, { sutPids: [5] }).sut).toMatchObject({ pids: { values: [5] }, target: undefined });
    expect(resolve({}, { sutMetrics: 'http://127.0.0.1:2/metrics' }).sut?.prometheus?.place).toBe('--sut-metrics');
  });

  test('thresholds on sut_* metrics, byte units and selected series included, are validated like any other', () => {
    const { thresholds } = resolve({
      sut: { prometheus: 'http://127.0.0.1:1/metrics', series: [{ name: 'fixture_queue_depth', as: 'gauge' }] },
      thresholds: { sut_memory_per_connection: ['value<2KB'], sut_rss: ['max<512MiB'], sut_cpu: ['avg<0.5'], sut_fixture_queue_depth: ['max<10'] },
    });
    expect(thresholds.map((t) => [t.metric, t.parsed.value])).toEqual([
      ['sut_memory_per_connection', 2000],
      ['sut_rss', 512 * 2 ** 20],
      ['sut_cpu', 0.5],
      ['sut_fixture_queue_depth', 10],
    ]);
  });
});

describe('options.sut problems are configuration errors, listed with the others', () => {
  test('a threshold on a sut_* metric in a run that samples no system under test', () => {
    expect(problems({ thresholds: { sut_rss: ['max<512MiB'] } })).toMatchInlineSnapshot(`
      "invalid configuration in scenario.ts:
        - options.thresholds.sut_rss is a measurement of the system under test, and this run samples none: add options.sut ({ pid }, { pids }, { target } or { prometheus }) or run with --sut-pid PID / --sut-metrics URL.
      Fix it and run again; no load was sent (only the scenario's top-level code ran, to read its options)."
    `);
  });

  test('a managed target in a run that has none', () => {
    expect(problems({ sut: { target: 'app' } })).toMatchInlineSnapshot(`
      "invalid configuration in scenario.ts:
        - options.sut.target names "app", but this run has no managed target (a target mcprun starts itself, declared in options.targets with a command). Sample the server by its PID (options.sut.pid or --sut-pid) or its metrics URL (options.sut.prometheus or --sut-metrics) instead.
      Fix it and run again; no load was sent (only the scenario's top-level code ran, to read its options)."
    `);
  });

  test('shapes: not an object, a typo, two ways of naming the processes, series without a URL', () => {
    expect(problems({ sut: 1234 })).toContain('options.sut must be an object such as { pid: 1234 }, { target: \'app\' } or { prometheus: \'http://127.0.0.1:9464/metrics\' }, received 1234');
    expect(problems({ sut: { pdi: 1 } })).toContain('options.sut.pdi is not a field of options.sut; did you mean "pid"? Fields: pid, pids, target, prometheus, series, allowRemote.');
    expect(problems({ sut: { pid: 1, target: 'app' } })).toContain('options.sut gives pid and target: name the processes one way');
    expect(problems({ sut: { pids: [] } })).toContain('options.sut.pids must be a non-empty array of process IDs');
    expect(problems({ sut: { pid: 1, series: [{ name: 'x', as: 'gauge' }] } })).toContain('options.sut.series selects series of a Prometheus endpoint, but none is given');
    expect(problems({ sut: { prometheus: 9464 } })).toContain("options.sut.prometheus must be the URL of a metrics endpoint, e.g. 'http://127.0.0.1:9464/metrics', received 9464");
    expect(problems({ sut: { prometheus: 'http://127.0.0.1:1/metrics', series: 'x', allowRemote: 'yes' } })).toMatch(/series must be an array of selections[\s\S]*allowRemote must be true or false, received "yes"/);
  });
});
