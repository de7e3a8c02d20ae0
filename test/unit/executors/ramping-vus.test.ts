/**
 * ramping-vus follows its stages: the looping VUs sampled while it runs match the plan within one
 * tick. Two runners stand for two workers (each owns the VUs i % 2 == w), so the split is tested too.
 */
import { performance } from 'node:perf_hooks';
import { expect, test } from 'vitest';
import type { ResolvedRampingVus } from '../../../runtime/executors/resolved.js';
import { RAMP_TICK_MS } from '../../../runtime/executors/ramping-vus.js';
import { vusAt } from '../../../runtime/executors/stages.js';
import { MetricAggregate } from '../../../runtime/metrics/aggregate.js';
import { ScenarioRunner } from '../../../runtime/worker/scenario-runner.js';
import { baseFields, workerDeps } from '../../support/scenario-parts.js';

const scenario: ResolvedRampingVus = {
  ...baseFields('ramp', 'ramping-vus'),
  startVUs: 2,
  stages: [
    { durationMs: 600, target: 20 },
    { durationMs: 400, target: 20 },
    { durationMs: 600, target: 4 },
    { durationMs: 0, target: 12 },
    { durationMs: 300, target: 12 },
  ],
  gracefulRampDownMs: 1000,
};

test('sampled active VUs match the planned stages within one tick', async () => {
  // Both workers' runners count into one VuCounts here: `active` is the sum over them.
  const deps = workerDeps();
  const { registry, store, services } = deps;
  const iteration = () => new Promise((r) => setTimeout(r, 2));
  const runners = [0, 1].map((w) => new ScenarioRunner(scenario, deps, w, 2, iteration, undefined));
  const start = performance.now();
  const done = Promise.all(runners.map((r) => r.run()));
  const samples: Array<{ t: number; active: number }> = [];
  // How late this event loop ran timers (a busy shared machine delays the ramp's ticks the same way).
  let lateness = 0;
  let last = performance.now();
  const sampler = setInterval(() => {
    const now = performance.now();
    lateness = Math.max(lateness, now - last - 15);
    last = now;
    samples.push({ t: now - start, active: deps.counts.active });
  }, 15);
  await done;
  clearInterval(sampler);

  // A change is applied at the first tick after it is due; a VU ramped down ends its 2 ms iteration first.
  const slack = RAMP_TICK_MS + 15 + lateness;
  const inside = samples.filter((s) => s.t > 5 && s.t < 1900 - slack);
  expect(inside.length).toBeGreaterThan(50);
  for (const { t, active } of inside) {
    // Every value the plan took in [t - slack, t], not only its ends: a 0-duration stage (4 → 12
    // at 1,600 ms) inside the window makes the ends 6 and 12 while 4 was planned in between.
    let lo = Infinity;
    let hi = -Infinity;
    for (let u = Math.max(0, t - slack); ; u = Math.min(t, u + 0.5)) {
      const v = vusAt(scenario.stages, scenario.startVUs, u);
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
      if (u >= t) break;
    }
    expect(active, `at ${t.toFixed(1)} ms the plan says ${lo}..${hi}`).toBeGreaterThanOrEqual(lo);
    expect(active, `at ${t.toFixed(1)} ms the plan says ${lo}..${hi}`).toBeLessThanOrEqual(hi);
  }
  // The peak was reached and every VU (20 of them, ids 1..20) ran.
  expect(Math.max(...samples.map((s) => s.active))).toBe(20);
  expect(deps.counts.maxAllocated, 'vus_max: every VU allocated at once').toBe(20);
  expect(deps.counts.active, 'none active after the run').toBe(0);
  const ids = new Set([...runners[0].vus.values(), ...runners[1].vus.values()].map((v) => v.info.id));
  expect([...ids].sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));

  const agg = new MetricAggregate((n) => registry.get(n));
  agg.merge(0, store.snapshot());
  expect(agg.view('iterations', { scenario: 'ramp' }).count).toBeGreaterThan(500);
  expect(agg.view('interrupted_iterations').count).toBe(0);
  await services.close();
});
