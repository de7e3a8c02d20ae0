/** `per-vu-iterations`: each VU runs exactly `iterations` iterations. */
import type { ResolvedPerVuIterations } from './resolved.js';
import { COMMON_KEYS, checkKnownKeys, readDuration, readInt } from './option-readers.js';
import { ownedIndices, vuLoop } from './loops.js';
import type { ExecutorDefinition } from './types.js';

const MAX_DURATION_DEFAULT_MS = 10 * 60_000;

export const perVuIterations = {
  type: 'per-vu-iterations',
  resolve(raw, base, path, issues) {
    checkKnownKeys(raw, [...COMMON_KEYS, 'vus', 'iterations', 'maxDuration'], path, issues, 'per-vu-iterations');
    return {
      ...base,
      executor: 'per-vu-iterations',
      vus: readInt(raw, 'vus', path, issues, { default: 1, min: 1 }),
      iterations: readInt(raw, 'iterations', path, issues, { default: 1, min: 1 }),
      maxDurationMs: readDuration(raw, 'maxDuration', path, issues, { default: MAX_DURATION_DEFAULT_MS, allowZero: false }),
    };
  },
  maxVUs: (s) => s.vus,
  plannedDurationMs: () => undefined,
  describe: (s) => `${s.iterations} iterations for each of ${s.vus} VUs (maxDuration ${s.maxDurationMs / 1000}s)`,
  async run(ctx) {
    const s = ctx.scenario;
    const deadline = ctx.now() + s.maxDurationMs;
    const loops = ownedIndices(s.vus, ctx.workerIndex, ctx.workerCount).map((i) => {
      let left = s.iterations;
      return vuLoop(ctx, ctx.vu(i), deadline, () => left-- > 0);
    });
    void ctx.sleepUntil(deadline).then(() => ctx.end());
    await ctx.finish(loops);
  },
} satisfies ExecutorDefinition<ResolvedPerVuIterations>;
