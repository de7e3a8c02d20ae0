/** The DSL's types are the product: an editor must accept good options and flag bad ones. */
import { expectTypeOf, test } from 'vitest';
import { defineScenario, http, check, type HttpResponse, type Options, type Scenario, type ThresholdExpression, type VU } from '../../dsl/index.js';
import type { ExecutorName as RuntimeExecutorName } from '../../runtime/executors/resolved.js';

test('defineScenario returns Options and flags unknown keys', () => {
  const o = defineScenario({ scenarios: { a: { executor: 'constant-vus', vus: 5, duration: '10s' } } });
  expectTypeOf(o).toEqualTypeOf<Options>();
  // @ts-expect-error a typo: vu for vus
  defineScenario({ scenarios: { a: { executor: 'constant-vus', vu: 5, duration: '10s' } } });
  // @ts-expect-error an unknown top-level option
  defineScenario({ vu: 5 });
});

test('executors are a union discriminated on executor', () => {
  expectTypeOf<Scenario['executor']>().toEqualTypeOf<
    'shared-iterations' | 'per-vu-iterations' | 'constant-vus' | 'ramping-vus' | 'constant-arrival-rate' | 'ramping-arrival-rate' | 'capacity-search'
  >();
  defineScenario({ scenarios: { f: { executor: 'capacity-search', from: 100, factor: 10, max: 100_000, hold: '30s', preAllocatedVUs: 50, sla: { http_req_duration: ['p95<100ms'] } } } });
  // @ts-expect-error capacity-search needs its sla
  defineScenario({ scenarios: { f: { executor: 'capacity-search', from: 100, step: 100, max: 500, hold: '5s', preAllocatedVUs: 5 } } });
  defineScenario({ scenarios: { r: { executor: 'ramping-vus', stages: [{ duration: '1m30s', target: 10 }], gracefulRampDown: '5s' } } });
  defineScenario({ scenarios: { c: { executor: 'constant-arrival-rate', rate: 100, timeUnit: '1s', duration: '1m', preAllocatedVUs: 10, maxVUs: 100 } } });
  // @ts-expect-error a typo in the executor name
  defineScenario({ scenarios: { a: { executor: 'constant-vu', vus: 1, duration: '1s' } } });
  // @ts-expect-error constant-vus needs a duration
  defineScenario({ scenarios: { a: { executor: 'constant-vus', vus: 1 } } });
  // @ts-expect-error stages belong to ramping executors only
  defineScenario({ scenarios: { a: { executor: 'constant-vus', duration: '1s', stages: [] } } });
  // @ts-expect-error arrival-rate executors need preAllocatedVUs
  defineScenario({ scenarios: { a: { executor: 'constant-arrival-rate', rate: 1, duration: '1s' } } });
  // @ts-expect-error not a duration
  defineScenario({ scenarios: { a: { executor: 'constant-vus', duration: 'ten seconds' } } });
});

test('thresholds are template-literal types', () => {
  expectTypeOf<'p95<100ms'>().toMatchTypeOf<ThresholdExpression>();
  expectTypeOf<'p(99.9)<=2s'>().toMatchTypeOf<ThresholdExpression>();
  expectTypeOf<'rate<0.05%'>().toMatchTypeOf<ThresholdExpression>();
  expectTypeOf<'rate>10000/s'>().toMatchTypeOf<ThresholdExpression>();
  expectTypeOf<'med < 10ms'>().toMatchTypeOf<ThresholdExpression>();
  expectTypeOf<'p95<<1'>().not.toMatchTypeOf<ThresholdExpression>();
  expectTypeOf<'p95'>().not.toMatchTypeOf<ThresholdExpression>();
  expectTypeOf<'foo<1'>().not.toMatchTypeOf<ThresholdExpression>();
  defineScenario({ thresholds: { http_req_duration: ['p95<100ms', { threshold: 'p99<1s', abortOnFail: true, delayAbortEval: '10s' }] } });
  // @ts-expect-error malformed threshold
  defineScenario({ thresholds: { http_req_duration: ['p95<<1'] } });
});

test('byte units in thresholds, and options.sut', () => {
  expectTypeOf<'value<2KB'>().toMatchTypeOf<ThresholdExpression>();
  expectTypeOf<'max<512MiB'>().toMatchTypeOf<ThresholdExpression>();
  expectTypeOf<'avg < 1.5GiB'>().toMatchTypeOf<ThresholdExpression>();
  expectTypeOf<'value<2kb'>().not.toMatchTypeOf<ThresholdExpression>();
  defineScenario({ sut: { pid: 1234 }, thresholds: { sut_memory_per_connection: ['value<2KB'], sut_rss: ['max<512MiB'], sut_cpu: ['avg<0.5'] } });
  defineScenario({ sut: { pids: [1, 2], prometheus: 'http://127.0.0.1:9464/metrics' } });
  defineScenario({ sut: { target: 'app' } });
  defineScenario({ sut: { prometheus: 'http://127.0.0.1:9464/metrics', series: [{ name: 'http_requests_total', labels: { code: '500' }, as: 'rate' }] } });
  // @ts-expect-error one way of naming the processes
  defineScenario({ sut: { pid: 1, target: 'app' } });
  // @ts-expect-error a process or an endpoint is needed
  defineScenario({ sut: { series: [] } });
  // @ts-expect-error a selected series becomes a sut_ metric
  defineScenario({ sut: { prometheus: 'http://127.0.0.1:9464/metrics', series: [{ name: 'x', as: 'gauge', metric: 'x' }] } });
});

test('http and check', () => {
  expectTypeOf(http.get).returns.toEqualTypeOf<Promise<HttpResponse>>();
  expectTypeOf<HttpResponse['timings']['waiting']>().toEqualTypeOf<number>();
  expectTypeOf(check<HttpResponse>).returns.toEqualTypeOf<boolean>();
  expectTypeOf<VU['state']>().toEqualTypeOf<Record<string, any>>();
  expectTypeOf<VU['id']>().toEqualTypeOf<number>();
  // @ts-expect-error responseType is a closed set
  void http.get('http://x', { responseType: 'json' });
});

test('the public executor names are the ones the runtime resolves and runs', () => {
  // dsl/options.ts (the API) and runtime/executors/resolved.ts (below dsl/, which nothing imports) each spell the union.
  expectTypeOf<Scenario['executor']>().toEqualTypeOf<RuntimeExecutorName>();
});
