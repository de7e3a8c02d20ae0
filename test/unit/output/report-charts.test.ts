/**
 * The report's rate charts agree with the summary's figures. Ground truth: synthetic snapshots
 * whose times and counts the test sets. A 98 ms phase that made 100 requests is 1,020 req/s in
 * the per-phase table; its chart drew "100/s" (the count over a whole 1 s interval) and zeros for
 * the intervals after it ended.
 */
import { expect, test } from 'vitest';
import { MetricRegistry } from '../../../runtime/metrics/registry.js';
import { WorkerMetricStore, type MetricSnapshot } from '../../../runtime/metrics/worker-store.js';
import { buildReportModel, type ChartSpec } from '../../../runtime/output/report-model.js';
import type { SummaryData } from '../../../runtime/output/summary-data.js';
import { TimeSeries } from '../../../runtime/output/timeseries.js';

const T0 = 1_700_000_000_000;
const registry = new MetricRegistry();

function scenarioRow(name: string, durationMs: number, httpReqs: number) {
  return { name, executor: 'constant-vus', description: '', durationMs, iterations: httpReqs, interruptedIterations: 0, droppedIterations: 0, httpReqs, mcpReqs: 0, httpReqRate: httpReqs / (durationMs / 1000), p50: 1, p95: 1, p99: 1, errorRate: 0, thresholds: [] };
}

function summary(): SummaryData {
  return {
    state: { isStdOutTTY: false, isStdErrTTY: false, testRunDurationMs: 2098 },
    options: { summaryTrendStats: [] },
    metrics: {},
    root_group: { name: '', path: '', id: 'x', groups: [], checks: [] },
    mcprun: {
      version: 't',
      script: 's.ts',
      startedAt: new Date(T0).toISOString(),
      exitCode: 0,
      aborted: null,
      thresholds: [],
      iterations: { count: 120, threw: 0 },
      scenarios: [scenarioRow('long', 2000, 20), scenarioRow('short', 98, 100)],
      histograms: {},
      errors: [],
      warnings: [],
      workers: 1,
    },
  };
}

function rps(chart: ChartSpec | undefined): Array<[number, number | null]> {
  const s = chart!.series.find((x) => x.label === 'HTTP requests/s')!;
  return chart!.x.map((x, i) => [x, s.values[i]]);
}

test('a 98 ms phase charts at its own rate, and nothing is drawn after a phase ended', () => {
  const ts = new TimeSeries({ intervalMs: 1000, metric: (n) => registry.get(n), perScenario: true });
  const store = new WorkerMetricStore(registry);
  const flush = (at: number) => ts.snapshot(0, { ...store.snapshot(), at } satisfies MetricSnapshot);
  // `long`: 10 requests per second for 2 s. `short`: 100 requests from 2.000 s to 2.098 s, in the
  // worker's last (off-cycle) flush at shutdown, 2.150 s. Then 3 more intervals of idle flushes.
  for (const at of [1000, 2000]) {
    for (let i = 0; i < 10; i++) store.add('http_reqs', 1, { scenario: 'long' });
    store.add('vus', 2, {});
    flush(T0 + at);
  }
  for (let i = 0; i < 100; i++) store.add('http_reqs', 1, { scenario: 'short' });
  flush(T0 + 2150);
  for (const at of [3000, 4000, 5000]) {
    store.add('vus', 0, {});
    flush(T0 + at);
  }
  ts.closeAll();
  const model = buildReportModel({
    summary: summary(),
    columns: ts.columns(),
    startedAt: new Date(T0),
    phases: [
      { name: 'long', state: 'done', startedAt: T0, endedAt: T0 + 2000 },
      { name: 'short', state: 'done', startedAt: T0 + 2000, endedAt: T0 + 2098 },
    ],
  });
  const short = rps(model.charts.byScenario.short.find((c) => c.id.endsWith('-rps')));
  const drawn = short.filter(([, v]) => v !== null);
  // The table's figure: 100 / 0.098 s.
  expect(drawn).toEqual([[2, Math.round((100 / 0.098) * 1000) / 1000]]);
  expect(model.summary.mcprun.scenarios[1].httpReqRate).toBeCloseTo(drawn[0][1]!, 2);
  const long = rps(model.charts.byScenario.long.find((c) => c.id.endsWith('-rps')));
  expect(long.filter(([, v]) => v !== null)).toEqual([
    [1, 10],
    [2, 10],
  ]);
  // The whole run: its rate over the run's time, none drawn after the last phase ended.
  const all = rps(model.charts.overview.find((c) => c.id === 'all-rps'));
  expect(all.filter(([x]) => x > 2.098).every(([, v]) => v === null), JSON.stringify(all)).toBe(true);
});
