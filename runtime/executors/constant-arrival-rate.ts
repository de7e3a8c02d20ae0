/** `constant-arrival-rate`: `rate` iterations per `timeUnit` for `duration`, whatever the responses do (open model). */
import type { ResolvedConstantArrivalRate } from './resolved.js';
import { constantSegments } from './arrival-schedule.js';
import { runArrivals } from './arrival-rate-runner.js';
import { COMMON_KEYS, checkKnownKeys, readDuration, readPositiveNumber, readVuPool } from './option-readers.js';
import type { ExecutorDefinition } from './types.js';

export const constantArrivalRate = {
  type: 'constant-arrival-rate',
  resolve(raw, base, path, issues) {
    checkKnownKeys(raw, [...COMMON_KEYS, 'rate', 'timeUnit', 'duration', 'preAllocatedVUs', 'maxVUs'], path, issues, 'constant-arrival-rate');
    const pool = readVuPool(raw, path, issues);
    return {
      ...base,
      executor: 'constant-arrival-rate',
      rate: readPositiveNumber(raw, 'rate', path, issues, {}),
      timeUnitMs: readDuration(raw, 'timeUnit', path, issues, { default: 1000, allowZero: false }),
      durationMs: readDuration(raw, 'duration', path, issues, { allowZero: false }),
      ...pool,
    };
  },
  maxVUs: (s) => s.maxVUs,
  plannedDurationMs: (s) => s.durationMs,
  describe: (s) => `${s.rate} iterations per ${s.timeUnitMs / 1000}s for ${s.durationMs / 1000}s (maxVUs ${s.maxVUs})`,
  run(ctx) {
    const s = ctx.scenario;
    return runArrivals(ctx, constantSegments(s.rate, s.timeUnitMs, s.durationMs), s.durationMs, s.preAllocatedVUs, s.maxVUs, s.timeUnitMs);
  },
} satisfies ExecutorDefinition<ResolvedConstantArrivalRate>;
