/**
 * `capacity-search`: one step of a capacity search (capacity-plan.ts plans the steps and turns
 * the search into one scenario per step): `rate` iterations per `timeUnit` for `hold`, open
 * model, as constant-arrival-rate runs it.
 */
import type { ResolvedCapacityStep } from './resolved.js';
import { constantSegments } from './arrival-schedule.js';
import { runArrivals } from './arrival-rate-runner.js';
import { STEP_KEY, type StepMark } from './capacity-plan.js';
import { COMMON_KEYS, checkKnownKeys, readDuration, readVuPool } from './option-readers.js';
import type { ExecutorDefinition } from './types.js';

export const capacitySearch = {
  type: 'capacity-search',
  resolve(raw, base, path, issues) {
    checkKnownKeys(raw, [...COMMON_KEYS, STEP_KEY, 'timeUnit', 'hold', 'preAllocatedVUs', 'maxVUs', 'maxLag'], path, issues, 'capacity-search');
    const mark = raw[STEP_KEY] as StepMark;
    const pool = readVuPool(raw, path, issues);
    return {
      ...base,
      executor: 'capacity-search',
      search: mark.search,
      step: mark.step,
      steps: mark.steps,
      rate: mark.rate,
      timeUnitMs: readDuration(raw, 'timeUnit', path, issues, { default: 1000, allowZero: false }),
      durationMs: readDuration(raw, 'hold', path, issues, { allowZero: false }),
      maxLagMs: readDuration(raw, 'maxLag', path, issues, { default: 100, allowZero: false }),
      ...pool,
    };
  },
  maxVUs: (s) => s.maxVUs,
  plannedDurationMs: (s) => s.durationMs,
  describe: (s) => `capacity search ${s.search}, step ${s.step}/${s.steps}: ${s.rate} iterations per ${s.timeUnitMs / 1000}s for ${s.durationMs / 1000}s (maxVUs ${s.maxVUs})`,
  run(ctx) {
    const s = ctx.scenario;
    return runArrivals(ctx, constantSegments(s.rate, s.timeUnitMs, s.durationMs), s.durationMs, s.preAllocatedVUs, s.maxVUs, s.timeUnitMs);
  },
} satisfies ExecutorDefinition<ResolvedCapacityStep>;
