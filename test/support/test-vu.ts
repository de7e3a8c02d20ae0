/**
 * A VU for in-process tests of protocol clients: a real worker VU (its context, what it owns, its
 * stop and retire) over a real per-worker metric store (whose snapshots are merged as the
 * coordinator does), real protocol services and real sockets; only the executor is missing.
 */
import type { ResolvedScenario } from '../../runtime/executors/resolved.js';
import { MetricAggregate } from '../../runtime/metrics/aggregate.js';
import { MetricRegistry } from '../../runtime/metrics/registry.js';
import { WorkerMetricStore } from '../../runtime/metrics/worker-store.js';
import type { Tags } from '../../runtime/metrics/types.js';
import { ProtocolServices } from '../../runtime/protocols/services.js';
import type { VuResource } from '../../runtime/protocols/vu-contract.js';
import { ErrorLog } from '../../runtime/worker/error-log.js';
import { FloatingCalls } from '../../runtime/worker/floating-calls.js';
import { ScenarioVus, Vu } from '../../runtime/worker/vu.js';
import { VuCounts } from '../../runtime/worker/vu-counts.js';
import { vuStorage, type VuContext } from '../../runtime/worker/vu-context.js';

export interface TestVu {
  ctx: VuContext;
  /** Runs fn as this VU (ws.connect, check, ... find it). */
  run<T>(fn: () => Promise<T> | T): Promise<T>;
  /** Merges what the store recorded so far and returns the metric's aggregate view. */
  metric(name: string, filter?: Tags): ReturnType<MetricAggregate['view']>;
  /** What the VU owns now (sockets, sessions): what retire() would close. */
  owned(): VuResource[];
  /** Releases what the VU owns, as at the end of a scenario. */
  retire(): Promise<void>;
  /** Stops the VU, as a graceful stop running out does. */
  stop(): void;
}

export function testVu(scenario = 'test'): TestVu {
  const registry = new MetricRegistry();
  const store = new WorkerMetricStore(registry);
  const agg = new MetricAggregate((n) => registry.get(n));
  const services = new ProtocolServices(store, { http: { timeoutMs: 60_000, shareConnections: false, batchPerHost: 6, insecureSkipTLSVerify: false } });
  const plan = { name: scenario, tags: {}, env: {}, idOffset: 0 } as unknown as ResolvedScenario;
  const vu = new Vu(new ScenarioVus({ store, services, errors: new ErrorLog(), env: {}, counts: new VuCounts(), floating: new FloatingCalls() }, plan, () => {}, undefined), 0);
  return {
    ctx: vu.ctx,
    run: (fn) => vuStorage.run(vu.ctx, async () => fn()),
    metric(name, filter = {}) {
      agg.merge(0, store.snapshot());
      return agg.view(name, filter);
    },
    owned: () => vu.ctx.owned(),
    retire: () => vu.retire(),
    stop: () => vu.stop('abort'),
  };
}
