/**
 * The config resolver on arbitrary input (fast-check): a scenario file is JavaScript, so `options`
 * can be any value at all. resolveConfig either returns a plan or throws McprunError (exit 104)
 * with a message that names an option path — never a TypeError from inside mcprun.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { resolveConfig, type CliOverrides } from '../../../runtime/config/resolve.js';
import { McprunError } from '../../../runtime/errors.js';
import { MetricRegistry } from '../../../runtime/metrics/registry.js';

const known = new MetricRegistry();

function resolveOrConfigError(options: unknown, cli: CliOverrides = {}): ReturnType<typeof resolveConfig> | undefined {
  try {
    return resolveConfig(options, cli, 'scenario.ts', known);
  } catch (err) {
    if (!McprunError.is(err)) throw err;
    expect(err.exitCode).toBe(104);
    expect(err.message).toMatch(/^invalid configuration in scenario\.ts:\n {2}- \S/);
    expect(err.message).toMatch(/no load was sent \(only the scenario's top-level code ran, to read its options\)\.$/);
    return undefined;
  }
}

/** Values a hand-written scenario might put anywhere: right types, wrong types, edge numbers, odd strings. */
const leaf = fc.oneof(
  fc.constantFrom(0, 1, -1, 2.5, 1e9, Number.NaN, Infinity, -0, '', '10', '30s', '-5s', '1m30s', 'soon', '0s', true, false, null, undefined),
  fc.integer({ min: -10, max: 1000 }),
  fc.string({ maxLength: 8 }),
  fc.constantFrom('shared-iterations', 'per-vu-iterations', 'constant-vus', 'ramping-vus', 'constant-arrival-rate', 'ramping-arrival-rate', 'constant-vu'),
  fc.constantFrom('p95<100', 'rate<0.05%', 'p95<<1', 'count>0', 'avg<', '{', 'http_reqs{'),
);
const stageLike = fc.record({ duration: leaf, target: leaf }, { requiredKeys: [] });
const thresholdsLike = fc.dictionary(
  fc.constantFrom('http_req_duration', 'http_reqs', 'http_req_failed', 'checks', 'http_req_duration{status:200}', 'nope', 'x{', '__proto__', 'constructor'),
  fc.oneof(fc.array(fc.oneof(leaf, fc.record({ threshold: leaf, abortOnFail: leaf, delayAbortEval: leaf }, { requiredKeys: [] }))), leaf),
);
const scenarioLike = fc.record(
  {
    executor: leaf,
    vus: leaf,
    iterations: leaf,
    duration: leaf,
    maxDuration: leaf,
    rate: leaf,
    timeUnit: leaf,
    preAllocatedVUs: leaf,
    maxVUs: leaf,
    startVUs: leaf,
    startRate: leaf,
    stages: fc.oneof(fc.array(fc.oneof(stageLike, leaf), { maxLength: 4 }), leaf),
    gracefulStop: leaf,
    gracefulRampDown: leaf,
    startTime: leaf,
    after: fc.oneof(leaf, fc.constantFrom('a', 'b', 'default')),
    exec: leaf,
    env: fc.oneof(fc.dictionary(fc.string({ maxLength: 4 }), leaf), leaf),
    tags: fc.oneof(fc.dictionary(fc.string({ maxLength: 4 }), leaf), leaf),
    thresholds: fc.oneof(thresholdsLike, leaf),
    typo: leaf,
  },
  { requiredKeys: [] },
);
const optionsLike = fc.record(
  {
    scenarios: fc.oneof(fc.dictionary(fc.constantFrom('a', 'b', 'A', 'default', 'bad name', '__proto__', 'toString'), fc.oneof(scenarioLike, leaf), { maxKeys: 3 }), leaf),
    thresholds: fc.oneof(thresholdsLike, leaf),
    vus: leaf,
    duration: leaf,
    iterations: leaf,
    stages: fc.oneof(fc.array(fc.oneof(stageLike, leaf), { maxLength: 3 }), leaf),
    http: fc.oneof(fc.record({ timeout: leaf, shareConnections: leaf, batchPerHost: leaf, insecureSkipTLSVerify: leaf }, { requiredKeys: [] }), leaf),
    setupTimeout: leaf,
    teardownTimeout: leaf,
    vu: leaf,
  },
  { requiredKeys: [] },
);
const cliLike: fc.Arbitrary<CliOverrides> = fc.record(
  {
    vus: fc.integer({ min: 1, max: 100 }),
    duration: fc.constantFrom('1s', '30s', '1m'),
    iterations: fc.integer({ min: 1, max: 100 }),
    stages: fc.array(fc.record({ durationMs: fc.integer({ min: 0, max: 60_000 }), target: fc.integer({ min: 0, max: 50 }) }), { minLength: 1, maxLength: 3 }),
  },
  { requiredKeys: [] },
);

describe('resolveConfig never throws anything but McprunError', () => {
  test('on any value at all (fc.anything)', () => {
    fc.assert(
      fc.property(fc.anything({ withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true, withSparseArray: true, withNullPrototype: true, withBoxedValues: true }), (v) => {
        resolveOrConfigError(v);
      }),
      { numRuns: 2000 },
    );
  });

  test('on arbitrary objects (fc.object), with and without CLI overrides', () => {
    fc.assert(
      fc.property(fc.object({ withNullPrototype: true, withBigInt: true, maxDepth: 3 }), cliLike, (o, cli) => {
        resolveOrConfigError(o);
        resolveOrConfigError(o, cli);
      }),
      { numRuns: 1000 },
    );
  });

  test('on option-shaped objects with right and wrong values in every field', () => {
    fc.assert(
      fc.property(optionsLike, fc.option(cliLike, { nil: undefined }), (o, cli) => {
        const plan = resolveOrConfigError(o, cli);
        if (!plan) return;
        // A plan that resolved is usable: at least one scenario, finite non-negative times, a positive timeout.
        expect(plan.scenarios.length).toBeGreaterThan(0);
        expect(plan.http.timeoutMs).toBeGreaterThan(0);
        for (const s of plan.scenarios) {
          expect(Number.isFinite(s.startTimeMs) && s.startTimeMs >= 0).toBe(true);
          expect(Number.isFinite(s.gracefulStopMs) && s.gracefulStopMs >= 0).toBe(true);
        }
      }),
      { numRuns: 3000 },
    );
  });

  test('the error lists every problem with an option path, one per line', () => {
    fc.assert(
      fc.property(optionsLike, (o) => {
        try {
          resolveConfig(o, {}, 'scenario.ts', known);
        } catch (err) {
          if (!McprunError.is(err)) throw err;
          const items = err.message.split('\n').filter((l) => l.startsWith('  - '));
          expect(items.length).toBeGreaterThan(0);
          for (const l of items) expect(l).toMatch(/^ {2}- (options|scenarios|--\w+)[.[:\s]/);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
