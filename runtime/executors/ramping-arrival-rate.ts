/** `ramping-arrival-rate`: the start rate follows `stages` (iterations per `timeUnit`), open model. */
import type { ResolvedRampingArrivalRate } from './resolved.js';
import { rampingSegments } from './arrival-schedule.js';
import { runArrivals } from './arrival-rate-runner.js';
import { COMMON_KEYS, checkKnownKeys, readDuration, readPositiveNumber, readVuPool, readStages } from './option-readers.js';
import { maxTarget, totalDurationMs } from './stages.js';
import type { ExecutorDefinition } from './types.js';

export const rampingArrivalRate = {
  type: 'ramping-arrival-rate',
  resolve(raw, base, path, issues) {
    checkKnownKeys(raw, [...COMMON_KEYS, 'startRate', 'timeUnit', 'stages', 'preAllocatedVUs', 'maxVUs'], path, issues, 'ramping-arrival-rate');
    const pool = readVuPool(raw, path, issues);
    return {
      ...base,
      executor: 'ramping-arrival-rate',
      startRate: readPositiveNumber(raw, 'startRate', path, issues, { default: 0, allowZero: true }),
      timeUnitMs: readDuration(raw, 'timeUnit', path, issues, { default: 1000, allowZero: false }),
      stages: readStages(raw, path, issues),
      ...pool,
    };
  },
  maxVUs: (s) => s.maxVUs,
  plannedDurationMs: (s) => totalDurationMs(s.stages),
  describe: (s) => `rate ${s.startRate} → ${maxTarget(s.stages, s.startRate)} per ${s.timeUnitMs / 1000}s over ${totalDurationMs(s.stages) / 1000}s (maxVUs ${s.maxVUs})`,
  run(ctx) {
    const s = ctx.scenario;
    const total = totalDurationMs(s.stages);
    return runArrivals(ctx, rampingSegments(s.startRate, s.stages, s.timeUnitMs), total, s.preAllocatedVUs, s.maxVUs, s.timeUnitMs);
  },
} satisfies ExecutorDefinition<ResolvedRampingArrivalRate>;
