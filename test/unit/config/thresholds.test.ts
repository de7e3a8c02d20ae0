/** Thresholds are parsed once, by resolveConfig: the run keeps the entries it made. */
import { expect, test } from 'vitest';
import { resolveConfig } from '../../../runtime/config/resolve.js';
import { realmRegistry } from '../../../runtime/metrics/registry.js';

test('global and scenario thresholds become parsed entries, scoped ones keyed and filtered by scenario', () => {
  const { thresholds } = resolveConfig(
    {
      thresholds: { http_req_duration: ['p95<100ms'], 'http_reqs{scenario:a}': ['count>0'] },
      scenarios: {
        a: { executor: 'constant-vus', vus: 1, duration: '1s', thresholds: { http_reqs: [{ threshold: 'rate>5/s', abortOnFail: true, delayAbortEval: '2s' }] } },
        b: { executor: 'constant-vus', vus: 1, duration: '1s', thresholds: { 'http_req_failed{status:500}': ['rate<1%'] } },
      },
    },
    {},
    'scenario.ts',
    realmRegistry,
  );
  expect(thresholds.map((e) => [e.key, e.metric, e.filter, e.source, e.abortOnFail, e.delayAbortEvalMs])).toEqual([
    ['http_req_duration', 'http_req_duration', {}, 'p95<100ms', false, 0],
    // The scenario's own threshold joins the global list of the same key, after it.
    ['http_reqs{scenario:a}', 'http_reqs', { scenario: 'a' }, 'count>0', false, 0],
    ['http_reqs{scenario:a}', 'http_reqs', { scenario: 'a' }, 'rate>5/s', true, 2000],
    ['http_req_failed{status:500,scenario:b}', 'http_req_failed', { status: '500', scenario: 'b' }, 'rate<1%', false, 0],
  ]);
  expect(thresholds[0].parsed).toMatchObject({ aggregation: { kind: 'percentile', percentile: 95 }, operator: '<', value: 100 });
});
