/**
 * Which worker starts which arrival of an arrival-rate scenario. Pure: the same answer on every
 * worker (and, with global worker indices, on every instance of a multi-instance run), with no
 * message between them.
 *
 * VU slots 0..maxVUs-1 are dealt round-robin (slot j lives on worker j mod W, as every VU-based
 * executor deals its VUs, loops.ts). Iteration k goes to the worker that owns slot k mod maxVUs,
 * so each worker starts arrivals in proportion to the VUs it may use, and a worker that owns no
 * slot starts none. Dealing arrivals k mod W instead (what this replaced) gave a worker without a
 * VU a 1/W share that it could only drop: `maxVUs: 1` on 2 workers ran half the plan. k6 does the
 * same re-striping for the same reason (its arrival-rate executors take a new execution tuple from
 * maxVUs, lib/executor/constant_arrival_rate.go).
 *
 * Across instances: instance i with L workers per instance passes global index i·L + local index
 * and global count P·L; the shares of all workers of all instances are then disjoint and their
 * union is every iteration of the plan.
 */
import { shareOf } from './stages.js';

/** The worker (0..W-1) that starts iteration k. */
export function arrivalOwner(k: number, maxVUs: number, workerCount: number): number {
  return (k % maxVUs) % workerCount;
}

/**
 * The iterations worker w of W starts, in increasing order: k = c·maxVUs + w + i·W for cycles
 * c = 0, 1, ... and i = 0 .. slots-1 (its slots below maxVUs). No array: a worker may own 10^5 slots.
 */
export class ArrivalShare {
  /** VU slots this worker owns (its VUs at most). */
  readonly slots: number;
  #cycle = 0;
  #slot = 0;

  constructor(
    readonly maxVUs: number,
    readonly workerIndex: number,
    readonly workerCount: number,
  ) {
    this.slots = shareOf(maxVUs, workerIndex, workerCount);
  }

  /** The next iteration index of this worker's share; Infinity when it owns no slot. */
  next(): number {
    if (this.slots === 0) return Infinity;
    const k = this.#cycle * this.maxVUs + this.workerIndex + this.#slot * this.workerCount;
    if (++this.#slot === this.slots) {
      this.#slot = 0;
      this.#cycle++;
    }
    return k;
  }
}
