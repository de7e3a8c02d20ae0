/** A VU context for in-process tests of the MCP client: a real metric store, real sockets, no executor. */
import { MetricAggregate } from '../../../runtime/metrics/aggregate.js';
import { MetricRegistry } from '../../../runtime/metrics/registry.js';
import { WorkerMetricStore } from '../../../runtime/metrics/worker-store.js';
import type { Tags } from '../../../runtime/metrics/types.js';
import { vuStorage, type VuContext } from '../../../runtime/worker/vu-context.js';

export function mcpTestVu(scenario = 'unit') {
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
    stop: () => controller.abort(new Error('VU stopped')),
    run: <T>(fn: () => Promise<T> | T): Promise<T> => vuStorage.run(ctx, async () => fn()),
    view(name: string, filter: Tags = {}) {
      agg.merge(0, store.snapshot());
      return agg.view(name, filter);
    },
    async retire() {
      for (const c of ctx.cleanups.splice(0)) await c();
    },
  };
}
