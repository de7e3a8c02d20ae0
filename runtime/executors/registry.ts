/** Every executor by name. Explicit imports, no registration side effects. */
import type { ExecutorName, ResolvedScenario } from './resolved.js';
import { capacitySearch } from './capacity-search.js';
import { constantArrivalRate } from './constant-arrival-rate.js';
import { constantVus } from './constant-vus.js';
import { perVuIterations } from './per-vu-iterations.js';
import { rampingArrivalRate } from './ramping-arrival-rate.js';
import { rampingVus } from './ramping-vus.js';
import { sharedIterations } from './shared-iterations.js';
import type { ExecutorDefinition } from './types.js';

export const EXECUTORS: { [K in ExecutorName]: ExecutorDefinition<Extract<ResolvedScenario, { executor: K }>> } = {
  'shared-iterations': sharedIterations,
  'per-vu-iterations': perVuIterations,
  'constant-vus': constantVus,
  'ramping-vus': rampingVus,
  'constant-arrival-rate': constantArrivalRate,
  'ramping-arrival-rate': rampingArrivalRate,
  'capacity-search': capacitySearch,
};

export const EXECUTOR_NAMES = Object.keys(EXECUTORS) as ExecutorName[];

/** The definition that runs `s`, typed for `s`: `executorOf(s).maxVUs(s)` needs no cast. */
export function executorOf<S extends ResolvedScenario>(s: S): ExecutorDefinition<S> {
  return EXECUTORS[s.executor] as unknown as ExecutorDefinition<S>;
}
