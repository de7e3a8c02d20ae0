/**
 * VU counts as the workers report them (worker/vu-counts.ts), for the open model where a VU is
 * busy for milliseconds. Ground truth: the plan, 50 arrivals per second for 1 s, each busy 3 ms,
 * with 10 VUs pre-allocated. A count taken at an instant (what the live display showed) is almost
 * always 0 there; the interval's peak is at least 1 in every window that had an arrival, and the
 * allocated VUs are the 10 that exist.
 */
import { expect, test } from 'vitest';
import type { ResolvedConstantArrivalRate } from '../../../runtime/executors/resolved.js';
import { ScenarioRunner } from '../../../runtime/worker/scenario-runner.js';
import { baseFields, workerDeps } from '../../support/scenario-parts.js';

const scenario: ResolvedConstantArrivalRate = {
  ...baseFields('open', 'constant-arrival-rate'),
  rate: 50,
  timeUnitMs: 1000,
  durationMs: 1000,
  preAllocatedVUs: 10,
  maxVUs: 10,
};

test('arrival-rate: busy VUs are counted by their peak per interval, allocated ones as they exist', async () => {
  const deps = workerDeps();
  const counts = deps.counts;
  let iterations = 0;
  const iteration = () => new Promise((r) => setTimeout(r, 3, iterations++));
  const runner = new ScenarioRunner(scenario, deps, 0, 1, iteration, undefined);
  const done = runner.run();
  const windows: Array<{ peak: number; allocated: number }> = [];
  const sampler = setInterval(() => windows.push({ peak: counts.takeActivePeak(), allocated: counts.allocated }), 200);
  await done;
  clearInterval(sampler);
  expect(iterations).toBe(50);
  // The windows inside the scenario (the last may straddle its end).
  const inside = windows.slice(0, 4);
  expect(inside.length).toBe(4);
  for (const w of inside) {
    expect(w.peak, `windows ${JSON.stringify(windows)}`).toBeGreaterThanOrEqual(1);
    expect(w.allocated).toBe(10);
  }
  expect(counts.maxAllocated, 'vus_max').toBe(10);
  expect(counts.allocated, 'retired at the end').toBe(0);
  expect(counts.active).toBe(0);
});
