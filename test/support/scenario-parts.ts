/** What in-process executor tests need: a resolved scenario's common fields and a worker's VU dependencies. */
import type { BaseFields } from '../../runtime/executors/types.js';
import { MetricRegistry } from '../../runtime/metrics/registry.js';
import { WorkerMetricStore } from '../../runtime/metrics/worker-store.js';
import { ProtocolServices } from '../../runtime/protocols/services.js';
import { ErrorLog } from '../../runtime/worker/error-log.js';
import { FloatingCalls } from '../../runtime/worker/floating-calls.js';
import type { VuDeps } from '../../runtime/worker/vu.js';
import { VuCounts } from '../../runtime/worker/vu-counts.js';

/** The fields every resolved scenario has, with the defaults a test wants (1 s graceful stop). */
export function baseFields<E extends BaseFields['executor']>(name: string, executor: E): BaseFields & { executor: E } {
  return { name, executor, exec: 'default', env: {}, tags: {}, startTimeMs: 0, after: undefined, gracefulStopMs: 1000, thresholds: {}, idOffset: 0 };
}

/** One worker's store (and its registry), services, error log and VU counts: real ones; no network is opened until asked. */
export function workerDeps(): VuDeps & { registry: MetricRegistry } {
  const registry = new MetricRegistry();
  const store = new WorkerMetricStore(registry);
  const services = new ProtocolServices(store, { http: { timeoutMs: 1000, shareConnections: false, batchPerHost: 6, insecureSkipTLSVerify: false } });
  return { registry, store, services, errors: new ErrorLog(), env: {}, counts: new VuCounts(), floating: new FloatingCalls() };
}
