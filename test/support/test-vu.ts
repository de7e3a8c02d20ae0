/**
 * A VU context for in-process tests of protocol clients: a real per-worker metric store (whose
 * snapshots are merged as the coordinator does) and real sockets; only the executor is missing.
 */
import { MetricAggregate } from '../../runtime/metrics/aggregate.js';
import { MetricRegistry } from '../../runtime/metrics/registry.js';
import { WorkerMetricStore } from '../../runtime/metrics/worker-store.js';
import type { Tags } from '../../runtime/metrics/types.js';
import { vuStorage, type VuContext } from '../../runtime/worker/vu-context.js';

export interface TestVu {
  ctx: VuContext;
  /** Runs fn as this VU (ws.connect, check, ... find it). */
  run<T>(fn: () => Promise<T> | T): Promise<T>;
  /** Merges what the store recorded so far and returns the metric's aggregate view. */
  metric(name: string, filter?: Tags): ReturnType<MetricAggregate['view']>;
  /** Runs the VU's cleanups, as Vu.retire() does. */
  retire(): Promise<void>;
  /** Aborts the VU's signal, as a graceful stop running out does. */
  stop(): void;
}

export function testVu(scenario = 'test'): TestVu {
  const registry = new MetricRegistry();
  const store = new WorkerMetricStore(registry);
  const agg = new MetricAggregate((n) => registry.get(n));
  const tags = { scenario };
  const controller = new AbortController();
  const ctx: VuContext = {
    vu: { id: 1, iteration: 0, scenario, state: {}, env: {} },
    baseTags: tags,
    group: '',
    tags,
    store,
    http: undefined as unknown as VuContext['http'],
    signal: controller.signal,
    cleanups: [],
  };
  return {
    ctx,
    run: (fn) => vuStorage.run(ctx, async () => fn()),
    metric(name, filter = {}) {
      agg.merge(0, store.snapshot());
      return agg.view(name, filter);
    },
    async retire() {
      for (const c of ctx.cleanups.splice(0)) await c.call(ctx);
    },
    stop: () => controller.abort(new Error('VU stopped')),
  };
}
