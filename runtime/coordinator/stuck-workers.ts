/**
 * A worker that cannot answer (a VU in synchronous code that never returns, a process stopped by
 * SIGSTOP) would keep the run waiting forever. Each phase has a deadline (its planned duration
 * plus its gracefulStop plus a margin), and so does every stop (the running phases' gracefulStop
 * plus the margin; a few seconds after a hard stop): a worker that has not reported the phase done
 * by then is ended (pool.kill: thread terminate(), process SIGKILL). What it flushed before is
 * kept; watchWorkers reports the loss with the reason given here.
 */
import { safeTimeout } from '../timers.js';
import type { LoadControl } from './load-control.js';
import type { RunPlan } from './plan.js';
import type { Phase, ScenarioSchedule } from './scenario-schedule.js';
import type { WorkerPool } from './worker-pool.js';

/** Beyond gracefulStop: a healthy worker answers within milliseconds, a loaded one within a flush or two. */
export const STOP_MARGIN_MS = 5000;
/** After a hard stop iterations end at once: a worker silent this long cannot answer. */
export const HARD_STOP_MS = 3000;

export function watchStuckWorkers(pool: WorkerPool, schedule: ScenarioSchedule, plan: RunPlan, load: LoadControl): () => void {
  const timers = new Set<NodeJS.Timeout>();
  const arm = (ms: number, phases: () => Phase[], why: string) => {
    // A pause (the control API) holds the scenarios' clocks: the deadline moves by the time paused.
    const pausedBefore = schedule.pausedMs;
    const t = safeTimeout(() => {
      timers.delete(t);
      const owed = schedule.pausedMs - pausedBefore;
      if (schedule.paused || owed > 0) return arm(schedule.paused ? Math.max(owed, 1000) : owed, phases, why);
      for (const p of phases()) {
        if (p.state !== 'running') continue;
        for (const w of pool.workers) {
          if (!p.doneWorkers.has(w.index) && w.state === 'ready') void pool.kill(w.index, `was terminated: ${why} (a VU busy in synchronous code, or a stopped process)`);
        }
      }
    }, ms);
    timers.add(t);
  };
  const running = () => schedule.phases.filter((p) => p.state === 'running');
  const offStop = load.onStop((graceful) => {
    if (!graceful) return arm(HARD_STOP_MS, running, `it did not stop within ${HARD_STOP_MS / 1000}s of the stop`);
    const grace = Math.max(0, ...running().map((p) => p.scenario.gracefulStopMs)) + STOP_MARGIN_MS;
    arm(grace, running, `it did not stop within ${grace / 1000}s of the stop (gracefulStop plus ${STOP_MARGIN_MS / 1000}s)`);
  });
  const offStart = schedule.onPhaseStart((p) => {
    const sc = p.scenario as { maxDurationMs?: number; gracefulRampDownMs?: number };
    const planned = plan.scenarios.find((s) => s.scenario === p.scenario)?.plannedDurationMs ?? sc.maxDurationMs;
    if (planned === undefined) return;
    const ms = planned + p.scenario.gracefulStopMs + (sc.gracefulRampDownMs ?? 0) + STOP_MARGIN_MS;
    arm(ms, () => [p], `it did not finish scenario "${p.scenario.name}" within ${ms / 1000}s (its duration, gracefulStop and ${STOP_MARGIN_MS / 1000}s)`);
  });
  return () => {
    offStop();
    offStart();
    for (const t of timers) clearTimeout(t);
  };
}
