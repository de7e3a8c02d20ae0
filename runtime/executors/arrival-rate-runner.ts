/**
 * The open-model loop shared by both arrival-rate executors: iterations start on schedule whatever
 * the responses do. Each worker starts its share of the iterations (arrival-striping.ts: in
 * proportion to the VU slots it owns), so the workers together follow the global schedule exactly.
 * A start that finds every one of this worker's VUs busy (its share of `maxVUs` reached) is a
 * dropped iteration.
 */
import { ArrivalSchedule, type RateSegment } from './arrival-schedule.js';
import { ArrivalShare } from './arrival-striping.js';
import { shareOf } from './stages.js';
import { rescaledSegments } from './steering.js';
import type { ExecutorRunContext, ExecutorVu } from './types.js';

/**
 * Pause: the scenario clock stands still, so the next arrival is due at its planned scenario time
 * after resume (no backlog). Rescale: the plan from that moment is the new rate (steering.ts);
 * the sleep until the next due time is cut short so it is recomputed at once.
 */
export async function runArrivals(
  ctx: ExecutorRunContext,
  segments: readonly RateSegment[],
  durationMs: number,
  preAllocatedVUs: number,
  maxVUs: number,
  timeUnitMs: number,
): Promise<void> {
  let schedule = new ArrivalSchedule(segments);
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
  let k = share.next();
  let due = start + schedule.timeOf(k);
  // Called before the sleep below is released (ScenarioRunner.rescale), so the loop wakes to the new due time.
  const offRescale = ctx.onRescale((change) => {
    if (change.rate === undefined) return;
    schedule = new ArrivalSchedule(rescaledSegments(schedule.segments, ctx.now() - start, change.rate / timeUnitMs));
    due = start + schedule.timeOf(k);
  });
  while (!ctx.ending && due < end) {
    if (ctx.paused) {
      await ctx.resumed();
      continue;
    }
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
      k = share.next();
      due = start + schedule.timeOf(k);
    }
    if (dropped) ctx.dropped(dropped);
    if (due >= end) break;
    await ctx.sleepUntil(due, true);
  }
  offRescale();
  await ctx.sleepUntil(end);
  ctx.end();
  await ctx.finish([...inflight]);
}
