/**
 * The resolved shapes (vitest's ResolvedConfig): every default applied, every duration in ms,
 * structured-clone safe so it can be handed to workers as is. Each executor resolves its own
 * (resolve() in its file); config/ assembles them, the workers run them.
 */

export interface ResolvedStage {
  durationMs: number;
  target: number;
}

interface ResolvedBase {
  name: string;
  /** Narrowed to its name by each executor's shape below. */
  executor: string;
  exec: string;
  env: Record<string, string>;
  tags: Record<string, string>;
  startTimeMs: number;
  after: string | undefined;
  gracefulStopMs: number;
  /** Raw threshold definitions as written in the scenario (scoped later to {scenario:name}). */
  thresholds: Record<string, unknown[]>;
  /** vu.id of this scenario's VU with index 0 is idOffset + 1 (ids are unique across the test). */
  idOffset: number;
}

export interface ResolvedSharedIterations extends ResolvedBase {
  executor: 'shared-iterations';
  vus: number;
  iterations: number;
  maxDurationMs: number;
}
export interface ResolvedPerVuIterations extends ResolvedBase {
  executor: 'per-vu-iterations';
  vus: number;
  iterations: number;
  maxDurationMs: number;
}
export interface ResolvedConstantVus extends ResolvedBase {
  executor: 'constant-vus';
  vus: number;
  durationMs: number;
}
export interface ResolvedRampingVus extends ResolvedBase {
  executor: 'ramping-vus';
  startVUs: number;
  stages: ResolvedStage[];
  gracefulRampDownMs: number;
}
export interface ResolvedConstantArrivalRate extends ResolvedBase {
  executor: 'constant-arrival-rate';
  rate: number;
  timeUnitMs: number;
  durationMs: number;
  preAllocatedVUs: number;
  maxVUs: number;
}
export interface ResolvedRampingArrivalRate extends ResolvedBase {
  executor: 'ramping-arrival-rate';
  startRate: number;
  timeUnitMs: number;
  stages: ResolvedStage[];
  preAllocatedVUs: number;
  maxVUs: number;
}

/** One step of a `capacity-search` (config/ expands the search into one scenario per step, chained by `after`). */
export interface ResolvedCapacityStep extends ResolvedBase {
  executor: 'capacity-search';
  /** The search this step belongs to (the name the user wrote). */
  search: string;
  /** 1-based step number, and how many the plan has. */
  step: number;
  steps: number;
  rate: number;
  timeUnitMs: number;
  /** The step's hold. */
  durationMs: number;
  preAllocatedVUs: number;
  maxVUs: number;
  /** A step whose iterations started later than this (p95 of iteration_lag), or dropped any, is inconclusive. */
  maxLagMs: number;
}

export type ResolvedScenario =
  | ResolvedSharedIterations
  | ResolvedPerVuIterations
  | ResolvedConstantVus
  | ResolvedRampingVus
  | ResolvedConstantArrivalRate
  | ResolvedRampingArrivalRate
  | ResolvedCapacityStep;

/** Every executor's name (the public `Scenario['executor']` union, dsl/options.ts, is the same set). */
export type ExecutorName = ResolvedScenario['executor'];
