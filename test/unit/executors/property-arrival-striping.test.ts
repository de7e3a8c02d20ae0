/**
 * Arrival striping (executors/arrival-striping.ts) as properties over random plans: for any maxVUs
 * and worker count, the workers' shares are disjoint, their union is exactly the plan's iterations
 * 0..N-1, and each worker's share follows the VU slots it owns. The ground truth is the plan
 * itself: N iterations, each started by exactly one worker that has a VU for it.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { ArrivalShare, arrivalOwner } from '../../../runtime/executors/arrival-striping.js';
import { ownedIndices } from '../../../runtime/executors/loops.js';
import { shareOf } from '../../../runtime/executors/stages.js';

/** Worker w's iterations below n, in the order it starts them. */
function shareBelow(n: number, maxVUs: number, w: number, W: number): number[] {
  const share = new ArrivalShare(maxVUs, w, W);
  const out: number[] = [];
  for (let k = share.next(); k < n; k = share.next()) out.push(k);
  return out;
}

const plan = fc.record({
  maxVUs: fc.integer({ min: 1, max: 64 }),
  workers: fc.integer({ min: 1, max: 12 }),
  iterations: fc.integer({ min: 0, max: 600 }),
});

describe('arrival striping', () => {
  test('shares are disjoint, increasing, and together are exactly the plan', () => {
    fc.assert(
      fc.property(plan, ({ maxVUs, workers, iterations }) => {
        const seen = new Array<number>(iterations).fill(0);
        for (let w = 0; w < workers; w++) {
          const mine = shareBelow(iterations, maxVUs, w, workers);
          for (let i = 1; i < mine.length; i++) expect(mine[i]).toBeGreaterThan(mine[i - 1]);
          for (const k of mine) {
            seen[k]++;
            expect(arrivalOwner(k, maxVUs, workers)).toBe(w);
          }
        }
        expect(seen.every((n) => n === 1), 'every iteration started exactly once').toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  test('iteration k goes to the worker owning VU slot k mod maxVUs; a worker without a slot starts none', () => {
    fc.assert(
      fc.property(plan, ({ maxVUs, workers, iterations }) => {
        for (let w = 0; w < workers; w++) {
          const slots = new Set(ownedIndices(maxVUs, w, workers));
          expect(new ArrivalShare(maxVUs, w, workers).slots).toBe(slots.size);
          const mine = shareBelow(iterations, maxVUs, w, workers);
          for (const k of mine) expect(slots.has(k % maxVUs)).toBe(true);
          if (slots.size === 0) expect(mine).toEqual([]);
          // Over whole cycles of maxVUs iterations, a worker starts one per slot it owns.
          const cycles = Math.floor(iterations / maxVUs);
          expect(mine.filter((k) => k < cycles * maxVUs).length).toBe(cycles * shareOf(maxVUs, w, workers));
        }
      }),
      { numRuns: 2000 },
    );
  });

  test('across instances: global index instance·L + local over P·L workers covers the plan once', () => {
    fc.assert(
      fc.property(plan, fc.integer({ min: 1, max: 4 }), ({ maxVUs, workers: perInstance, iterations }, instances) => {
        const total = instances * perInstance;
        const all: number[] = [];
        for (let i = 0; i < instances; i++) {
          for (let local = 0; local < perInstance; local++) all.push(...shareBelow(iterations, maxVUs, i * perInstance + local, total));
        }
        expect(all.sort((a, b) => a - b)).toEqual(Array.from({ length: iterations }, (_, k) => k));
      }),
      { numRuns: 500 },
    );
  });

  test('the case that dropped half the plan: maxVUs 1 on 2 workers gives worker 0 every iteration', () => {
    expect(shareBelow(60, 1, 0, 2)).toEqual(Array.from({ length: 60 }, (_, k) => k));
    expect(shareBelow(60, 1, 1, 2)).toEqual([]);
    // maxVUs 3 on 2 workers: slots 0 and 2 on worker 0, slot 1 on worker 1.
    expect(shareBelow(9, 3, 0, 2)).toEqual([0, 2, 3, 5, 6, 8]);
    expect(shareBelow(9, 3, 1, 2)).toEqual([1, 4, 7]);
  });
});
