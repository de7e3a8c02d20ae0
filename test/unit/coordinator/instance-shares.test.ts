/**
 * A run over N instances is planned once (coordinator/instances/shares.ts): instance p runs the
 * global workers pL .. pL+L-1 of W = N*L, and each worker takes its part of every scenario by its
 * global index. Over random plans and instance counts, the instances' shares of VUs, shared
 * iterations, per-VU iterations and arrivals are disjoint and add up to the plan exactly.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { resolveConfig } from '../../../runtime/config/resolve.js';
import { ArrivalShare, arrivalOwner } from '../../../runtime/executors/arrival-striping.js';
import { ownedIndices } from '../../../runtime/executors/loops.js';
import { shareOf, splitProportional } from '../../../runtime/executors/stages.js';
import { realmRegistry } from '../../../runtime/metrics/registry.js';
import { instanceShare, localPlan, planInstances } from '../../../runtime/coordinator/instances/shares.js';

/** Instance p's global worker indexes. */
function workersOf(W: number, N: number, p: number): number[] {
  const { first, count } = instanceShare({ workers: W }, N, p);
  return Array.from({ length: count }, (_, i) => first + i);
}

const plans = fc.record({
  instances: fc.integer({ min: 1, max: 8 }),
  workersFlag: fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined }),
  cpus: fc.integer({ min: 1, max: 8 }),
  vus: fc.integer({ min: 1, max: 60 }),
  extra: fc.integer({ min: 0, max: 500 }),
  maxVUs: fc.integer({ min: 1, max: 40 }),
  arrivals: fc.integer({ min: 0, max: 400 }),
});

function scenariosOf(vus: number, iterations: number, maxVUs: number) {
  return resolveConfig(
    {
      scenarios: {
        shared: { executor: 'shared-iterations', vus, iterations },
        perVu: { executor: 'per-vu-iterations', vus, iterations: 3 },
        open: { executor: 'constant-arrival-rate', rate: 10, timeUnit: '1s', duration: '10s', preAllocatedVUs: 1, maxVUs },
      },
    },
    {},
    'shares.ts',
    realmRegistry,
  ).scenarios;
}

describe('instance shares', () => {
  test('are disjoint and add up to the plan, for any plan and instance count', () => {
    fc.assert(
      fc.property(plans, ({ instances: N, workersFlag, cpus, vus, extra, maxVUs, arrivals }) => {
        const iterations = vus + extra;
        const plan = planInstances(scenariosOf(vus, iterations, maxVUs), workersFlag, cpus, N);
        const W = plan.workers;
        // Every instance has the same number of workers, and together they are the plan's.
        expect(W % N).toBe(0);
        expect(localPlan(plan, N).workers * N).toBe(W);
        const all = Array.from({ length: N }, (_, p) => workersOf(W, N, p));
        expect(all.flat()).toEqual(Array.from({ length: W }, (_, w) => w));

        // VUs (constant-vus, per-vu-iterations, ramping-vus): each global VU on exactly one instance.
        const vuOwners = new Map<number, number>();
        all.forEach((ws, p) => ws.forEach((w) => ownedIndices(vus, w, W).forEach((i) => {
          expect(vuOwners.has(i)).toBe(false);
          vuOwners.set(i, p);
        })));
        expect(vuOwners.size).toBe(vus);

        // shared-iterations: the instances' parts add up to the total exactly.
        const weights = Array.from({ length: W }, (_, w) => shareOf(vus, w, W));
        const parts = splitProportional(iterations, weights);
        expect(all.map((ws) => ws.reduce((n, w) => n + parts[w], 0)).reduce((a, b) => a + b, 0)).toBe(iterations);

        // Arrival-rate: iteration k started by exactly one worker of one instance, maxVUs below W included.
        const started = new Map<number, number>();
        for (const ws of all) {
          for (const w of ws) {
            const share = new ArrivalShare(maxVUs, w, W);
            for (let k = share.next(); k < arrivals; k = share.next()) {
              expect(started.has(k)).toBe(false);
              expect(arrivalOwner(k, maxVUs, W)).toBe(w);
              started.set(k, w);
            }
          }
        }
        expect(started.size).toBe(arrivals);
      }),
      { numRuns: 300 },
    );
  });

  test('each instance gets its share of the widest scenario, at least one worker', () => {
    const plan = planInstances(scenariosOf(5, 10, 2), 4, 8, 3);
    // ceil(5 VUs / 3 instances) = 2 workers each.
    expect(plan.workers).toBe(6);
    expect(workersOf(plan.workers, 3, 2)).toEqual([4, 5]);
    expect(planInstances(scenariosOf(1, 1, 1), undefined, 8, 4).workers).toBe(4);
  });
});
