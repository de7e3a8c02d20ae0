/**
 * Un-awaited DSL promises (floating-calls.ts): counted per VU, traced to their call site once an
 * iteration left one pending, reported once per site; awaited calls are never reported.
 */
import { setTimeout as wait } from 'node:timers/promises';
import { expect, test } from 'vitest';
import { sleep } from '../../../dsl/sleep.js';
import { group } from '../../../dsl/group.js';
import type { ResolvedScenario } from '../../../runtime/executors/resolved.js';
import { MetricRegistry } from '../../../runtime/metrics/registry.js';
import { WorkerMetricStore } from '../../../runtime/metrics/worker-store.js';
import { ProtocolServices } from '../../../runtime/protocols/services.js';
import { ErrorLog } from '../../../runtime/worker/error-log.js';
import { FloatingCalls } from '../../../runtime/worker/floating-calls.js';
import { ScenarioVus, Vu, type IterationFn } from '../../../runtime/worker/vu.js';
import { VuCounts } from '../../../runtime/worker/vu-counts.js';

function vuRunning(fn: IterationFn): { vu: Vu; floating: FloatingCalls } {
  const store = new WorkerMetricStore(new MetricRegistry());
  const services = new ProtocolServices(store, { http: { timeoutMs: 60_000, shareConnections: false, batchPerHost: 6, insecureSkipTLSVerify: false } });
  const floating = new FloatingCalls();
  const plan = { name: 'float', tags: {}, env: {}, idOffset: 0 } as unknown as ResolvedScenario;
  return { vu: new Vu(new ScenarioVus({ store, services, errors: new ErrorLog(), env: {}, counts: new VuCounts(), floating }, plan, fn, undefined), 0), floating };
}

test('an un-awaited sleep() is reported once, with its line, from the second iteration that leaves it pending', async () => {
  const { vu, floating } = vuRunning(async () => {
    void sleep(0.02); // the line reported
  });
  const line = Number(/floating-calls\.test\.ts:(\d+)/.exec(new Error().stack ?? '')?.[1]) - 2;
  expect(await vu.iterate()).toBe('ok');
  // The first one only turns on call-site capture: no stack was taken for it.
  expect(floating.take()).toEqual([]);
  for (let i = 0; i < 5; i++) await vu.iterate();
  const warnings = floating.take();
  expect(warnings).toHaveLength(1);
  expect(warnings[0]).toMatch(new RegExp(`^sleep\\(\\) at test/unit/worker/floating-calls\\.test\\.ts:${line} was not awaited: add \`await\` \\(scenario float;`));
  // Once per site: later iterations add nothing.
  for (let i = 0; i < 5; i++) await vu.iterate();
  expect(floating.take()).toEqual([]);
  await wait(50);
});

test('awaited calls, and a synchronous group(), are never reported', async () => {
  const { vu, floating } = vuRunning(async () => {
    await sleep(0.001);
    void group('sync', () => 1);
    await group('async', async () => sleep(0.001));
  });
  for (let i = 0; i < 5; i++) expect(await vu.iterate()).toBe('ok');
  expect(floating.take()).toEqual([]);
});

test('an async group() that is not awaited is reported as group()', async () => {
  const { vu, floating } = vuRunning(async () => {
    void group('g', async () => sleep(0.01));
  });
  for (let i = 0; i < 3; i++) await vu.iterate();
  expect(floating.take().map((w) => w.split(' at ')[0]).sort()).toEqual(['group()', 'sleep()']);
  await wait(50);
});
