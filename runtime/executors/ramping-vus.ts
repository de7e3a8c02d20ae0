/**
 * `ramping-vus`: the number of looping VUs follows `stages` (closed model). A VU ramped down
 * finishes its iteration (up to `gracefulRampDown`) and then stops; when the ramp goes up again the
 * same VU (same id, same `vu.state`) comes back. A rescale from the control API replaces the
 * remaining stages with its VU count (held until the stages' end).
 */
import type { ResolvedRampingVus } from './resolved.js';
import { COMMON_KEYS, checkKnownKeys, readDuration, readInt, readStages } from './option-readers.js';
import { vuLoop } from './loops.js';
import { maxTarget, totalDurationMs, vusAt } from './stages.js';
import type { ExecutorDefinition, ExecutorVu } from './types.js';
import { safeTimeout } from '../timers.js';

/** How often the planned VU count is re-read. Tests allow "within one tick". */
export const RAMP_TICK_MS = 10;
const GRACEFUL_RAMP_DOWN_DEFAULT_MS = 30_000;

interface Running {
  vu: ExecutorVu;
  wanted: boolean;
  loop: Promise<void>;
}

export const rampingVus = {
  type: 'ramping-vus',
  resolve(raw, base, path, issues) {
    checkKnownKeys(raw, [...COMMON_KEYS, 'startVUs', 'stages', 'gracefulRampDown'], path, issues, 'ramping-vus');
    const stages = readStages(raw, path, issues);
    stages.forEach((st, i) => {
      if (!Number.isInteger(st.target)) issues.push({ path: `${path}.stages[${i}].target`, message: `must be a whole number of VUs, received ${st.target}` });
    });
    return {
      ...base,
      executor: 'ramping-vus',
      startVUs: readInt(raw, 'startVUs', path, issues, { default: 1, min: 0 }),
      stages,
      gracefulRampDownMs: readDuration(raw, 'gracefulRampDown', path, issues, { default: GRACEFUL_RAMP_DOWN_DEFAULT_MS }),
    };
  },
  maxVUs: (s) => maxTarget(s.stages, s.startVUs),
  plannedDurationMs: (s) => totalDurationMs(s.stages),
  describe: (s) => `up to ${maxTarget(s.stages, s.startVUs)} VUs over ${s.stages.length} stages (${totalDurationMs(s.stages) / 1000}s)`,
  async run(ctx) {
    const s = ctx.scenario;
    const W = ctx.workerCount;
    const w = ctx.workerIndex;
    const start = ctx.now();
    const end = start + totalDurationMs(s.stages);
    const running = new Map<number, Running>();
    /** Ramped down, still finishing an iteration: brought back as is if the ramp rises again. */
    const leaving = new Map<number, { r: Running; timer: NodeJS.Timeout }>();
    const loops: Promise<unknown>[] = [];

    const startVu = (i: number) => {
      const back = leaving.get(i);
      if (back) {
        clearTimeout(back.timer);
        leaving.delete(i);
        back.r.wanted = true;
        running.set(i, back.r);
        return;
      }
      const vu = ctx.vu(i);
      vu.revive();
      const r: Running = { vu, wanted: true, loop: Promise.resolve() };
      r.loop = vuLoop(ctx, vu, end, () => r.wanted).finally(() => {
        // A loop that ended while wanted (it saw the ramp-down just before a rise) restarts next tick.
        if (running.get(i) === r) running.delete(i);
        const l = leaving.get(i);
        if (l && l.r === r) {
          clearTimeout(l.timer);
          leaving.delete(i);
        }
      });
      running.set(i, r);
      loops.push(r.loop);
    };
    const rampDown = (i: number, r: Running) => {
      r.wanted = false;
      running.delete(i);
      leaving.set(i, { r, timer: safeTimeout(() => r.vu.stop('gracefulRampDown'), s.gracefulRampDownMs) });
    };

    for (;;) {
      const now = ctx.now();
      if (ctx.ending || now >= end) break;
      // A rescale from the control API holds its VU count for the rest of the stages.
      const n = ctx.rescaled?.vus ?? vusAt(s.stages, s.startVUs, now - start);
      for (let i = w; i < n; i += W) if (!running.has(i)) startVu(i);
      for (const [i, r] of running) if (i >= n) rampDown(i, r);
      await ctx.sleepUntil(Math.min(end, now + RAMP_TICK_MS));
    }
    ctx.end();
    await ctx.finish(loops);
  },
} satisfies ExecutorDefinition<ResolvedRampingVus>;
