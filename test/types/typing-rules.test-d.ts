/**
 * The typing rules that protect a scenario author (issue: types that protect the user): __ENV,
 * typed lifecycle functions, thresholds per metric kind, and unknown option keys flagged one by
 * one. Each rule has a case that must pass and one that must fail (@ts-expect-error fails the
 * type check when its line has no error).
 */
import { expectTypeOf, test } from 'vitest';
import {
  defineDefault,
  defineScenario,
  defineTeardown,
  type BuiltinMetricOf,
  type IterationFunction,
  type SetupData,
  type ThresholdFor,
  type Thresholds,
  type VU,
} from '../../dsl/index.js';
import { METRICS } from '../../runtime/metrics/builtin.js';

test('__ENV is typed: a key may be absent', () => {
  expectTypeOf(__ENV).toEqualTypeOf<Record<string, string | undefined>>();
  expectTypeOf(__ENV.TARGET).toEqualTypeOf<string | undefined>();
  const target: string = __ENV.TARGET ?? 'http://127.0.0.1:8080';
  void target;
  // @ts-expect-error possibly undefined: a default is needed
  const bad: string = __ENV.TARGET;
  void bad;
});

test('defineDefault types vu and data without annotations; setup() flows into data', () => {
  async function setup() {
    return { token: 'x', started: 1 };
  }
  const iteration = defineDefault<typeof setup>(async (vu, data) => {
    expectTypeOf(vu).toEqualTypeOf<VU>();
    expectTypeOf(data).toEqualTypeOf<{ token: string; started: number }>();
    // @ts-expect-error data has no such field
    void data.missing;
    // @ts-expect-error vu has no such field
    void vu.idx;
  });
  expectTypeOf(iteration).toEqualTypeOf<IterationFunction<{ token: string; started: number }>>();
  expectTypeOf<SetupData<typeof setup>>().toEqualTypeOf<{ token: string; started: number }>();
  // Without setup: data is undefined.
  defineDefault((vu, data) => {
    expectTypeOf(vu.id).toEqualTypeOf<number>();
    expectTypeOf(data).toEqualTypeOf<undefined>();
  });
  defineTeardown<typeof setup>((data) => {
    expectTypeOf(data.token).toEqualTypeOf<string>();
  });
  // @ts-expect-error the type argument is setup's type, not the data's
  defineDefault<{ token: string }>(() => {});
  // Plain functions keep working, annotated with the same types.
  const plain = async (_vu: VU, _data: SetupData<typeof setup>) => {};
  expectTypeOf(plain).toMatchTypeOf<IterationFunction<SetupData<typeof setup>>>();
});

test('thresholds take the aggregations of the metric kind', () => {
  defineScenario({ thresholds: { checks: ['rate>0.99'], http_req_failed: ['rate<1%'], http_req_duration: ['p95<100ms', 'avg<50', 'count>10'], http_reqs: ['rate>100/s', 'count>1'], vus: ['value<=10', 'max<20'] } });
  defineScenario({ thresholds: { 'checks{scenario:login}': ['rate>0.99'], 'http_req_duration{status:200}': [{ threshold: 'p(99)<250ms', abortOnFail: true }] } });
  // Custom metrics are not known to the types: any aggregation.
  defineScenario({ thresholds: { login_time: ['p95<1s'], logins: ['count>1', 'rate>0.5'] } });
  // @ts-expect-error checks is a rate: no percentiles
  defineScenario({ thresholds: { checks: ['p95<1'] } });
  // @ts-expect-error with tag filters too
  defineScenario({ thresholds: { 'checks{scenario:login}': ['avg<1'] } });
  // @ts-expect-error http_req_duration is a trend: no rate
  defineScenario({ thresholds: { http_req_duration: ['rate<0.01'] } });
  // @ts-expect-error in object form too
  defineScenario({ thresholds: { http_req_duration: [{ threshold: 'value<1' }] } });
  // @ts-expect-error http_reqs is a counter: no percentiles
  defineScenario({ thresholds: { http_reqs: ['p95<1'] } });
  // @ts-expect-error scenario-level thresholds follow the same rules
  defineScenario({ scenarios: { a: { executor: 'constant-vus', duration: '1s', thresholds: { checks: ['med<1'] } } } });
  const t: Thresholds = { mcp_req_failed: ['rate<0.01'] };
  void t;
  expectTypeOf<ThresholdFor<'rate'>>().toMatchTypeOf<string>();
  expectTypeOf<'rate<1%'>().toMatchTypeOf<ThresholdFor<'rate'>>();
  expectTypeOf<'p95<1'>().not.toMatchTypeOf<ThresholdFor<'rate'>>();
  expectTypeOf<'p(99.9)<1s'>().toMatchTypeOf<ThresholdFor<'trend'>>();
});

test('the kinds in the types are the catalogue of built-in metrics', () => {
  type Cat = typeof METRICS;
  expectTypeOf<'checks'>().toMatchTypeOf<BuiltinMetricOf<'rate'>>();
  expectTypeOf<'http_req_duration'>().toMatchTypeOf<BuiltinMetricOf<'trend'>>();
  expectTypeOf<BuiltinMetricOf<'rate'> | BuiltinMetricOf<'trend'> | BuiltinMetricOf<'counter'> | BuiltinMetricOf<'gauge'>>().toEqualTypeOf<keyof Cat>();
});

test('unknown option keys are flagged each on its own, whatever else is wrong', () => {
  defineScenario({
    // @ts-expect-error unknown key (1)
    vu: 1,
    // @ts-expect-error unknown key (2), reported beside the other errors
    durations: '1s',
    // @ts-expect-error and a bad threshold in the same object
    thresholds: { checks: ['p95<1'] },
  });
  // @ts-expect-error a typo inside a scenario is still an excess property
  defineScenario({ scenarios: { a: { executor: 'constant-vus', vu: 5, duration: '10s' } } });
  defineScenario({ vus: 1, duration: '1s', typecheck: true });
  const fromVariable = { vus: 2, iterations: 4 };
  expectTypeOf(defineScenario(fromVariable)).toEqualTypeOf<ReturnType<typeof defineScenario>>();
  const wrong = { vus: 2, iteratons: 4 };
  // @ts-expect-error a variable with an unknown key too
  defineScenario(wrong);
});
