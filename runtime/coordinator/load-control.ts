/**
 * Stopping the load, the one way every part of the coordinator does it: no phase starts any more,
 * and every worker ends its iterations (graceful: each gets its gracefulStop) or aborts them.
 * Pause, resume and rescale (the control API, control.ts) are the further verbs: the schedule
 * holds its pending starts, every worker holds or changes its running scenarios, and the fault
 * schedule (when the run has one) holds its clock with them.
 */
import type { VuIdBlock } from '../executors/steering.js';
import type { ScenarioSchedule } from './scenario-schedule.js';
import type { WorkerPool } from './worker-pool.js';

export class LoadControl {
  readonly #listeners = new Set<(graceful: boolean) => void>();

  constructor(
    readonly pool: WorkerPool,
    readonly schedule: ScenarioSchedule,
    /** The fault schedule (faults/fault-run.ts), paused with the scenarios. */
    readonly faults?: { pause(): void; resume(): void },
  ) {}

  stop(graceful: boolean): void {
    this.schedule.stop();
    this.pool.broadcast({ type: 'stop', graceful });
    for (const l of this.#listeners) l(graceful);
  }

  pause(): void {
    this.schedule.pause();
    this.faults?.pause();
    this.pool.broadcast({ type: 'pause' });
  }

  resume(): void {
    this.schedule.resume();
    this.faults?.resume();
    this.pool.broadcast({ type: 'resume' });
  }

  rescale(name: string, change: { vus: number } | { rate: number }, idBlocks: VuIdBlock[]): void {
    this.pool.broadcast({ type: 'rescale', name, ...change, idBlocks });
  }

  /** Called on every stop (the stuck-worker watch arms its deadline there). Returns the undo. */
  onStop(fn: (graceful: boolean) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }
}
