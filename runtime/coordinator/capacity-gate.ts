/**
 * A capacity search goes on to its next step only when the step that just ended passed: its SLA
 * held and the generator kept up (output/capacity-summary.ts judges it, on every worker's figures,
 * each worker having flushed before it reported the step done). Other chained phases are not gated.
 */
import type { ResolvedConfig } from '../config/resolve.js';
import { isCapacityStep, judgeStep } from '../output/capacity-summary.js';
import { evaluateNow } from './judge.js';
import type { MetricFeed } from './metric-feed.js';
import type { Phase, ScenarioSchedule } from './scenario-schedule.js';

export function capacityGate(config: ResolvedConfig, feed: MetricFeed, schedule: ScenarioSchedule): ((done: Phase, next: Phase) => boolean) | undefined {
  if (!config.scenarios.some(isCapacityStep)) return undefined;
  return (done, next) => {
    const s = done.scenario;
    if (!isCapacityStep(s) || !isCapacityStep(next.scenario) || next.scenario.search !== s.search) return true;
    const verdicts = evaluateNow(feed, schedule, config.thresholds, (e) => e.filter.scenario === s.name);
    const j = judgeStep(s, verdicts, (m, f) => feed.aggregate.view(m, f, schedule.elapsedSecondsFor(f)), true, schedule.phaseElapsedMs(done) / 1000);
    return j.verdict === 'pass';
  };
}
