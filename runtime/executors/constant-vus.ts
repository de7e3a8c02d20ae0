/**
 * `constant-vus`: a fixed number of VUs loop for a fixed duration (closed model). A rescale from
 * the control API changes the number from then on: VUs above it finish their iteration and stop
 * (their state kept), VUs below it start or come back.
 */
import type { ResolvedConstantVus } from './resolved.js';
import { COMMON_KEYS, checkKnownKeys, readDuration, readInt } from './option-readers.js';
import { vuLoop } from './loops.js';
import type { ExecutorDefinition, ExecutorRunContext } from './types.js';

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
    const vus = new TargetVus(ctx, deadline);
    vus.scaleTo(ctx.rescaled?.vus ?? s.vus);
    const off = ctx.onRescale((c) => c.vus !== undefined && vus.scaleTo(c.vus));
    await ctx.sleepUntil(deadline);
    off();
    ctx.end();
    await ctx.finish(vus.loops);
  },
} satisfies ExecutorDefinition<ResolvedConstantVus>;

/** This worker's VUs of a target count (VU i runs on worker i mod W), each looping until it is above the target. */
class TargetVus {
  readonly loops: Promise<void>[] = [];
  readonly #looping = new Set<number>();
  #target = 0;

  constructor(
    readonly ctx: ExecutorRunContext,
    readonly deadline: number,
  ) {}

  scaleTo(n: number): void {
    this.#target = n;
    const { ctx } = this;
    for (let i = ctx.workerIndex; i < n; i += ctx.workerCount) {
      if (this.#looping.has(i)) continue;
      this.#looping.add(i);
      const vu = ctx.vu(i);
      vu.revive();
      this.loops.push(vuLoop(ctx, vu, this.deadline, () => i < this.#target).finally(() => this.#looping.delete(i)));
    }
  }
}
