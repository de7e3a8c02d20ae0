/** `shared-iterations`: a fixed number of iterations shared by a fixed number of VUs, as fast as they go. */
import type { ResolvedSharedIterations } from './resolved.js';
import { COMMON_KEYS, checkKnownKeys, readDuration, readInt } from './option-readers.js';
import { ownedIndices, vuLoop } from './loops.js';
import { splitProportional, shareOf } from './stages.js';
import type { ExecutorDefinition } from './types.js';

const MAX_DURATION_DEFAULT_MS = 10 * 60_000;

export const sharedIterations = {
  type: 'shared-iterations',
  resolve(raw, base, path, issues) {
    checkKnownKeys(raw, [...COMMON_KEYS, 'vus', 'iterations', 'maxDuration'], path, issues, 'shared-iterations');
    const vus = readInt(raw, 'vus', path, issues, { default: 1, min: 1 });
    const iterations = readInt(raw, 'iterations', path, issues, { default: 1, min: 1 });
    if (iterations < vus) {
      issues.push({ path: `${path}.iterations`, message: `(${iterations}) is smaller than vus (${vus}): some VUs would never run; lower vus or raise iterations` });
    }
    return { ...base, executor: 'shared-iterations', vus, iterations, maxDurationMs: readDuration(raw, 'maxDuration', path, issues, { default: MAX_DURATION_DEFAULT_MS, allowZero: false }) };
  },
  maxVUs: (s) => s.vus,
  plannedDurationMs: () => undefined,
  describe: (s) => `${s.iterations} iterations shared among ${s.vus} VUs (maxDuration ${s.maxDurationMs / 1000}s)`,
  async run(ctx) {
    const s = ctx.scenario;
    const W = ctx.workerCount;
    // This worker's part of the total, in proportion to the VUs it runs; the parts add up exactly.
    const weights = Array.from({ length: W }, (_, w) => shareOf(s.vus, w, W));
    let remaining = splitProportional(s.iterations, weights)[ctx.workerIndex];
    const deadline = ctx.now() + s.maxDurationMs;
    const take = () => remaining-- > 0;
    const loops = ownedIndices(s.vus, ctx.workerIndex, W).map((i) => vuLoop(ctx, ctx.vu(i), deadline, take));
    const timer = ctx.sleepUntil(deadline).then(() => ctx.end());
    await ctx.finish(loops);
    void timer;
  },
} satisfies ExecutorDefinition<ResolvedSharedIterations>;
