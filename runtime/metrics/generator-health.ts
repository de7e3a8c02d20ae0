/**
 * Is the load generator itself saturated? Each worker samples its own event loop: the delay
 * (how late timers and I/O callbacks run: `mcprun_event_loop_delay`, one sample per flush
 * interval = that interval's p99, ms) and the utilisation (share of the interval the loop was busy:
 * `mcprun_event_loop_utilization`, 0..1). When either is high, measured latencies include time
 * the generator spent getting round to the response, and the summary says so (as Artillery does).
 */
import { monitorEventLoopDelay, performance, type EventLoopUtilization, type IntervalHistogram } from 'node:perf_hooks';
import { METRIC } from './builtin.js';
import type { WorkerMetricStore } from './worker-store.js';

/** Above these the summary warns that latency figures include generator delay. */
export const DELAY_WARN_P99_MS = 50;
export const UTILIZATION_WARN = 0.9;

export class GeneratorHealth {
  readonly #delay: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  #elu: EventLoopUtilization = performance.eventLoopUtilization();

  constructor(readonly store: WorkerMetricStore) {
    this.#delay.enable();
  }

  sample(): void {
    if (this.#delay.count > 0) {
      // ns → ms; the monitor's own resolution (10 ms) is subtracted so an idle loop reads ~0.
      this.store.add(METRIC.mcprun_event_loop_delay, Math.max(0, this.#delay.percentile(99) / 1e6 - 10), {});
    }
    this.#delay.reset();
    const now = performance.eventLoopUtilization();
    this.store.add(METRIC.mcprun_event_loop_utilization, performance.eventLoopUtilization(now, this.#elu).utilization, {});
    this.#elu = now;
  }

  stop(): void {
    this.#delay.disable();
  }
}
