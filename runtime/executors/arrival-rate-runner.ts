/**
 * The open-model loop shared by both arrival-rate executors: iterations start on schedule whatever
 * the responses do. Each worker starts its share of the iterations (arrival-striping.ts: in
 * proportion to the VU slots it owns), so the workers together follow the global schedule exactly.
 * A start that finds every one of this worker's VUs busy (its share of `maxVUs` reached) is a
 * dropped iteration.
 */
import type { ArrivalSchedule } from './arrival-schedule.js';
import { ArrivalShare } from './arrival-striping.js';
import { shareOf } from './stages.js';
import type { ExecutorRunContext, ExecutorVu } from './types.js';

export async function runArrivals(
  ctx: ExecutorRunContext,
  schedule: ArrivalSchedule,
  durationMs: number,
  preAllocatedVUs: number,
  maxVUs: number,
): Promise<void> {
  const W = ctx.workerCount;
  const w = ctx.workerIndex;
  const share = new ArrivalShare(maxVUs, w, W);
  const maxLocal = share.slots;
  const idle: ExecutorVu[] = [];
  let created = 0;
  const newVu = (): ExecutorVu => ctx.vu(created++ * W + w);
  // Pre-allocate: created up front so the first iterations do not pay for VU creation.
  for (let i = shareOf(preAllocatedVUs, w, W); i > 0; i--) idle.push(newVu());

  // Opened at 0: `dropped_iterations: ['count==0']` holds when none was dropped (evaluator.ts).
  ctx.dropped(0);
  const inflight = new Set<Promise<unknown>>();
  const start = ctx.now();
  const end = start + durationMs;
  let due = start + schedule.timeOf(share.next());
  while (!ctx.ending && due < end) {
    const now = ctx.now();
    let dropped = 0;
    // Start everything that is due (a late wake-up starts the backlog at once, each with its lag).
    while (due <= now && due < end) {
      const vu = idle.pop() ?? (created < maxLocal ? newVu() : undefined);
      if (!vu) dropped++;
      else {
        ctx.lag(now - due);
        const p: Promise<unknown> = vu.iterate().then(() => {
          inflight.delete(p);
          if (!vu.stopped) idle.push(vu);
        });
        inflight.add(p);
      }
      due = start + schedule.timeOf(share.next());
    }
    if (dropped) ctx.dropped(dropped);
    if (due >= end) break;
    await ctx.sleepUntil(due);
  }
  await ctx.sleepUntil(end);
  ctx.end();
  await ctx.finish([...inflight]);
}
