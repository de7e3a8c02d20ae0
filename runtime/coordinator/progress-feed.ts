/**
 * The live progress display, fed from the aggregate and the schedule: elapsed and planned time per
 * phase, active VUs, iterations, requests per second (HTTP and MCP) and errors. The display itself
 * is output/progress.ts; this is what it is told, 5 times a second on a terminal, once a second
 * elsewhere.
 */
import type { ProgressDisplay, ProgressState } from '../output/progress.js';
import type { MetricFeed } from './metric-feed.js';
import type { RunPlan } from './plan.js';
import type { ScenarioSchedule } from './scenario-schedule.js';
import { METRIC } from '../metrics/builtin.js';

/** Requests per second are measured over at least this long, so that one flush does not make the figure jump. */
const RATE_WINDOW_MS = 900;

export function feedProgress(display: ProgressDisplay, feed: MetricFeed, schedule: ScenarioSchedule, plan: RunPlan, tty: boolean): () => void {
  const agg = feed.aggregate;
  const planned = new Map(plan.scenarios.map((s) => [s.scenario.name, s.plannedDurationMs]));
  let seen = { at: schedule.now(), requests: 0, rate: 0 };
  const timer = setInterval(() => {
    const now = schedule.now();
    const requests = agg.view(METRIC.http_reqs).count + agg.view(METRIC.mcp_reqs).count;
    if (now - seen.at >= RATE_WINDOW_MS) seen = { at: now, requests, rate: ((requests - seen.requests) * 1000) / (now - seen.at) };
    const state: ProgressState = {
      elapsedMs: now - schedule.begunAt,
      vus: feed.vus,
      vusAllocated: feed.vusAllocated,
      reqRate: seen.rate,
      errors: agg.view(METRIC.http_req_failed).passes + agg.view(METRIC.mcp_req_failed).passes + agg.view(METRIC.iteration_errors).count,
      scenarios: schedule.phases.map((p) => ({
        name: p.scenario.name,
        state: p.state === 'skipped' ? 'done' : p.state,
        elapsedMs: schedule.phaseElapsedMs(p),
        plannedMs: planned.get(p.scenario.name),
        iterations: agg.view(METRIC.iterations, { scenario: p.scenario.name }).count,
      })),
    };
    display.update(state);
  }, tty ? 200 : 1000);
  return () => {
    clearInterval(timer);
    display.stop();
  };
}
