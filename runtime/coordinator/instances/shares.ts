/**
 * The plan of a run over N instances, made once on the coordinator: every instance gets the same
 * number of workers L, and instance p runs the global workers pL .. pL+L-1 of W = N*L. The
 * executors stripe by global worker index (VU i on worker i mod W, arrival k on worker
 * (k mod maxVUs) mod W, shared iterations split exactly over W), as k6's equal execution segments
 * do, so the instances' shares are disjoint and add up to the plan whatever N is (a property test
 * shows it, test/unit/coordinator/instance-shares.test.ts). Pure.
 */
import type { ResolvedScenario } from '../../executors/resolved.js';
import { planRun, type RunPlan } from '../plan.js';

export interface InstanceShare {
  /** The first global worker index of the instance. */
  readonly first: number;
  readonly count: number;
}

/**
 * `workersFlag` (--workers) or the coordinator's CPU count is each instance's worker count, never
 * more than its share of the widest scenario's VUs needs (at least one each).
 */
export function planInstances(scenarios: readonly ResolvedScenario[], workersFlag: number | undefined, cpus: number, instances: number): RunPlan {
  const one = planRun(scenarios, workersFlag, cpus);
  const widest = Math.max(1, ...one.scenarios.map((s) => s.maxVus));
  const perInstance = Math.max(1, Math.min(workersFlag ?? cpus, Math.ceil(widest / instances)));
  return { ...one, workers: perInstance * instances };
}

export function instanceShare(plan: Pick<RunPlan, 'workers'>, instances: number, index: number): InstanceShare {
  const count = plan.workers / instances;
  return { first: index * count, count };
}

/** What one instance holds of the plan, for its own checks (the open-file limit): its workers and its part of the peak VUs. */
export function localPlan(plan: RunPlan, instances: number): RunPlan {
  return { ...plan, workers: plan.workers / instances, peak: { ...plan.peak, vus: Math.ceil(plan.peak.vus / instances) } };
}
