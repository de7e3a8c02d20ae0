/**
 * Every metric snapshot of the run as it arrives, merged into the cumulative aggregate and then
 * handed to each participant. The workers' snapshots come in over the pool; a source on the
 * coordinator's side (a system-under-test sampler), or another instance's merged snapshots, would
 * call ingest() with a source index of its own.
 */
import { MetricAggregate } from '../metrics/aggregate.js';
import { realmRegistry } from '../metrics/registry.js';
import type { MetricSnapshot } from '../metrics/worker-store.js';
import type { IterationErrorReport } from '../worker-protocol.js';
import type { RunParticipant } from './participants.js';
import type { WorkerPool } from './worker-pool.js';

export class MetricFeed {
  readonly aggregate = new MetricAggregate((n) => realmRegistry.get(n));
  readonly #errors = new Map<string, number>();
  readonly #warnings = new Set<string>();
  readonly #vusBySource = new Map<number, { active: number; allocated: number }>();
  #vus = 0;
  #vusAllocated = 0;

  /**
   * `onFirstError` hears each distinct iteration error once, from whichever worker reports it
   * first; `onWarning` each distinct warning of the scenario's code (an un-awaited sleep()) once.
   */
  constructor(
    readonly participants: readonly RunParticipant[],
    readonly onFirstError: (message: string) => void = () => {},
    readonly onWarning: (message: string) => void = () => {},
  ) {}

  /** Listens to the pool's `metrics` messages until the returned function is called. */
  attach(pool: WorkerPool): () => void {
    return pool.onMessage((m) => {
      if (m.type === 'metrics') this.ingest(m.workerIndex, m.snapshot, { active: m.vus, allocated: m.vusAllocated }, m.errors);
      if (m.type === 'metrics' && m.warnings?.length) this.warn(m.warnings);
    });
  }

  ingest(source: number, snapshot: MetricSnapshot, vus = { active: 0, allocated: 0 }, errors: readonly IterationErrorReport[] = []): void {
    this.aggregate.merge(source, snapshot);
    for (const p of this.participants) p.snapshot?.(source, snapshot);
    this.#vusBySource.set(source, vus);
    this.#vus = 0;
    this.#vusAllocated = 0;
    for (const v of this.#vusBySource.values()) {
      this.#vus += v.active;
      this.#vusAllocated += v.allocated;
    }
    for (const e of errors) {
      const before = this.#errors.get(e.message);
      if (before === undefined) this.onFirstError(e.message);
      this.#errors.set(e.message, (before ?? 0) + e.count);
    }
  }

  /** Each distinct warning once for the run (every worker finds the same call sites). */
  warn(warnings: readonly string[]): void {
    for (const w of warnings) {
      if (this.#warnings.has(w)) continue;
      this.#warnings.add(w);
      this.onWarning(w);
    }
  }

  /** The most VUs busy or looping at once over each worker's latest interval, summed. */
  get vus(): number {
    return this.#vus;
  }

  /** VUs that exist over all workers, as of their latest snapshots. */
  get vusAllocated(): number {
    return this.#vusAllocated;
  }

  /** Iteration errors by message, most frequent first. */
  errors(): IterationErrorReport[] {
    return [...this.#errors].map(([message, count]) => ({ message, count })).sort((a, b) => b.count - a.count);
  }
}
