/** `constant-vus`: a fixed number of VUs loop for a fixed duration (closed model). */
import type { ResolvedConstantVus } from './resolved.js';
import { COMMON_KEYS, checkKnownKeys, readDuration, readInt } from './option-readers.js';
import { ownedIndices, vuLoop } from './loops.js';
import type { ExecutorDefinition } from './types.js';

export const constantVus = {
  type: 'constant-vus',
  resolve(raw, base, path, issues) {
    checkKnownKeys(raw, [...COMMON_KEYS, 'vus', 'duration'], path, issues, 'constant-vus');
    return {
      ...base,
      executor: 'constant-vus',
      vus: readInt(raw, 'vus', path, issues, { default: 1, min: 1 }),
      durationMs: readDuration(raw, 'duration', path, issues, { allowZero: false }),
    };
  },
  maxVUs: (s) => s.vus,
  plannedDurationMs: (s) => s.durationMs,
  describe: (s) => `${s.vus} VUs for ${s.durationMs / 1000}s`,
  async run(ctx) {
    const s = ctx.scenario;
    const deadline = ctx.now() + s.durationMs;
    const loops = ownedIndices(s.vus, ctx.workerIndex, ctx.workerCount).map((i) => vuLoop(ctx, ctx.vu(i), deadline));
    void ctx.sleepUntil(deadline).then(() => ctx.end());
    await ctx.finish(loops);
  },
} satisfies ExecutorDefinition<ResolvedConstantVus>;
