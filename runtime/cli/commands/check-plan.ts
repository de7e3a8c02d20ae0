/**
 * What `mcprun check` prints of a valid scenario (as `k6 inspect`): its scenarios in start order
 * with executor, VUs, start and planned duration, the peak of VUs at once, the longest the load
 * can last, and the thresholds as parsed. Pure: from the resolved config and plan only.
 */
import type { ResolvedConfig } from '../../config/resolve.js';
import { scenarioBounds } from '../../config/scenario-bounds.js';
import type { RunPlan } from '../../coordinator/plan.js';
import { formatMs } from '../../output/format.js';

export interface PlannedScenario {
  name: string;
  executor: string;
  exec: string;
  /** "100 iterations shared among 10 VUs". */
  description: string;
  maxVus: number;
  after: string | null;
  /** Earliest start, ms from the start of the load. */
  startMs: number;
  /** Planned duration without graceful stop; null when it depends on the iterations (iteration-based executors). */
  plannedDurationMs: number | null;
  gracefulStopMs: number;
}

export interface PlanDescription {
  scenarios: PlannedScenario[];
  peakVus: number;
  /** The scenarios that make the peak. */
  peakScenarios: string[];
  /** The latest the load can end (every scenario at its longest, graceful stops included); null when unbounded. */
  maxDurationMs: number | null;
  thresholds: { key: string; threshold: string; abortOnFail: boolean }[];
  setupTimeoutMs: number;
  teardownTimeoutMs: number;
}

export function describePlan(config: ResolvedConfig, plan: RunPlan): PlanDescription {
  const bounds = scenarioBounds(config.scenarios);
  const ends = [...bounds.values()].map((b) => b.end.max);
  const maxEnd = Math.max(0, ...ends);
  return {
    scenarios: plan.scenarios.map((p) => ({
      name: p.scenario.name,
      executor: p.scenario.executor,
      exec: p.scenario.exec,
      description: p.description,
      maxVus: p.maxVus,
      after: p.scenario.after ?? null,
      startMs: bounds.get(p.scenario.name)?.start.min ?? p.scenario.startTimeMs,
      plannedDurationMs: p.plannedDurationMs ?? null,
      gracefulStopMs: p.scenario.gracefulStopMs,
    })),
    peakVus: plan.peak.vus,
    peakScenarios: [...plan.peak.scenarios],
    maxDurationMs: Number.isFinite(maxEnd) ? maxEnd : null,
    thresholds: config.thresholds.map((t) => ({ key: t.key, threshold: t.source, abortOnFail: t.abortOnFail })),
    setupTimeoutMs: config.setupTimeoutMs,
    teardownTimeoutMs: config.teardownTimeoutMs,
  };
}

/** The plan as text, indented under the file's line. */
export function formatPlan(d: PlanDescription): string[] {
  const n = d.scenarios.length;
  const lines = [`scenarios   ${n} scenario${n === 1 ? '' : 's'}, at most ${d.peakVus} VU${d.peakVus === 1 ? '' : 's'} at once, ${d.maxDurationMs === null ? 'no upper bound on duration' : `${formatMs(d.maxDurationMs)} at most (graceful stops included)`}`];
  const width = Math.max(...d.scenarios.map((s) => s.name.length));
  for (const s of d.scenarios) {
    const start = s.after ? `after ${s.after} (${formatMs(s.startMs)} at the earliest)` : `at ${formatMs(s.startMs)}`;
    const length = s.plannedDurationMs === null ? '' : `, ${formatMs(s.plannedDurationMs)}`;
    const exec = s.exec === 'default' ? '' : `, exec ${s.exec}()`;
    lines.push(`  ${s.name.padEnd(width)}  ${s.executor}: ${s.description}; starts ${start}${length}${exec}`);
  }
  lines.push(`thresholds  ${d.thresholds.length === 0 ? 'none' : d.thresholds.length}`);
  const kw = Math.max(0, ...d.thresholds.map((t) => t.key.length));
  for (const t of d.thresholds) lines.push(`  ${t.key.padEnd(kw)}  ${t.threshold}${t.abortOnFail ? '  (abortOnFail)' : ''}`);
  return lines;
}
