/**
 * The worker's own memory per VU, as summary gauges `mcprun_heap_per_vu` and `mcprun_rss_per_vu`
 * (bytes): (now - baseline) / VUs allocated in this worker. The baseline is taken after the
 * scenario bundle is imported and before any VU exists, so the figure covers everything a VU adds:
 * its context, state, sockets, pending promises and metric bookkeeping.
 *
 * Measured once per plateau (plateau.ts, the rule sut_memory_per_connection shares): when the
 * worker's allocated VU count and its open connections are the same at two consecutive flushes
 * (and were not measured at those counts yet), after a full GC, so garbage from the ramp is not
 * counted. That is one GC per plateau (tens of ms with 10^4 sockets), not one per second, and
 * only from MIN_VUS VUs per worker up: below that the figure is noise and the pause is not worth it.
 *
 * RSS is per process: with `--pool processes` it is this worker's own; with threads the process is
 * shared, so the RSS growth is divided by (this worker's VUs x worker count), an approximation
 * that assumes the VUs are spread evenly (they are, round-robin).
 */
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { METRIC } from './builtin.js';
import type { ConnectionMeters } from './connections.js';
import { PlateauDetector } from './plateau.js';
import type { WorkerMetricStore } from './worker-store.js';

let gcFn: (() => void) | null | undefined;

/** Fewer VUs in a worker than this: no measurement (and no forced GC). */
export const MIN_VUS = 256;

/** A full GC; false when this runtime does not allow one. */
export function forceGc(): boolean {
  if (gcFn === undefined) {
    try {
      const g = (globalThis as { gc?: () => void }).gc;
      if (typeof g === 'function') gcFn = g;
      else {
        setFlagsFromString('--expose-gc');
        gcFn = runInNewContext('gc') as () => void;
      }
    } catch {
      gcFn = null;
    }
  }
  if (!gcFn) return false;
  gcFn();
  return true;
}

export class MemoryPerVu {
  #baseHeap = 0;
  #baseRss = 0;
  /** Fed [allocated VUs, open connections] at every flush. */
  readonly #plateaus = new PlateauDetector({ samples: 2, min: MIN_VUS });

  constructor(
    readonly store: WorkerMetricStore,
    /** Threads share one process (and its RSS). */
    readonly sharedProcess: boolean,
    readonly workerCount: number,
    /** The worker's connections: a plateau is the same VU count and the same open connections. */
    readonly connections: ConnectionMeters,
  ) {}

  #hasBaseline = false;

  baseline(): void {
    this.#hasBaseline = true;
    forceGc();
    this.#baseHeap = getHeapStatistics().used_heap_size;
    this.#baseRss = process.memoryUsage.rss();
  }

  /** Called at every flush with the VUs allocated in this worker now. */
  sample(allocated: number): void {
    // Before the baseline no VU exists (fewer than MIN_VUS): no plateau can be reported unmeasured.
    if (!this.#plateaus.observe([allocated, this.connections.active]) || !this.#hasBaseline) return;
    forceGc();
    const heap = Math.max(0, getHeapStatistics().used_heap_size - this.#baseHeap) / allocated;
    const rssVus = this.sharedProcess ? allocated * this.workerCount : allocated;
    const rss = Math.max(0, process.memoryUsage.rss() - this.#baseRss) / rssVus;
    this.store.add(METRIC.mcprun_heap_per_vu, Math.round(heap), {});
    this.store.add(METRIC.mcprun_rss_per_vu, Math.round(rss), {});
  }
}
