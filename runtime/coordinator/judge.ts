/**
 * The end of a run: thresholds evaluated once more on everything measured, the exit code, the
 * warnings, and the summary that every output receives. Elapsed times come from the schedule, the
 * run's one definition of them.
 */
import type { ResolvedConfig } from '../config/resolve.js';
import { MetricAggregate } from '../metrics/aggregate.js';
import { METRIC } from '../metrics/builtin.js';
import { realmRegistry } from '../metrics/registry.js';
import type { Tags } from '../metrics/types.js';
import type { ControlEvent } from '../output/control-log.js';
import { runWarnings } from '../output/run-warnings.js';
import { capacityResults, isCapacityStep } from '../output/capacity-summary.js';
import { buildSummary, type SummaryData } from '../output/summary-data.js';
import type { SutRun } from '../sut/sut-run.js';
import type { FaultRun } from '../faults/fault-run.js';
import { evaluateThresholds, type ThresholdEntry, type ThresholdVerdict } from '../thresholds/index.js';
import type { MetricFeed } from './metric-feed.js';
import type { RunPlan } from './plan.js';
import { exitCodeOf, type RunState } from './run-state.js';
import type { ScenarioSchedule } from './scenario-schedule.js';

/** Thresholds against the aggregate so far; `only` picks the entries (abortOnFail ones during the run). */
export function evaluateNow(feed: MetricFeed, schedule: ScenarioSchedule, entries: readonly ThresholdEntry[], only?: (e: ThresholdEntry) => boolean): ThresholdVerdict[] {
  return evaluateThresholds(entries, (metric, filter) => feed.aggregate.view(metric, filter, schedule.elapsedSecondsFor(filter)), only);
}

export interface RunRecord {
  readonly script: string;
  readonly startedAt: Date;
  readonly config: ResolvedConfig;
  readonly plan: RunPlan;
  readonly feed: MetricFeed;
  readonly schedule: ScenarioSchedule;
  readonly state: RunState;
  readonly tty: { stdout: boolean; stderr: boolean };
  readonly sut?: SutRun;
  /** The control API's changes (pause, resume, stop, rescale), in order. */
  readonly control?: readonly ControlEvent[];
  readonly faults?: FaultRun;
}

export function judge(r: RunRecord): SummaryData {
  const { feed, schedule, state } = r;
  const testRunDurationMs = schedule.testElapsedMs();
  feed.aggregate.elapsedSeconds = testRunDurationMs / 1000;
  // A fault that never recovered has no recovery_time sample, and fails every threshold on it that matches it.
  const verdicts = evaluateNow(feed, schedule, r.config.thresholds).map((v) => (v.ok && r.faults?.failsThreshold(v.entry) ? { ...v, ok: false } : v));
  const view = (m: string, f: Tags) => feed.aggregate.view(m, f, schedule.elapsedSecondsFor(f));
  const phaseOf = (name: string) => schedule.phases.find((p) => p.scenario.name === name);
  const capacity = capacityResults(r.config.scenarios, verdicts, view, (n) => Boolean(phaseOf(n)?.startedAt), (n) => schedule.phaseElapsedMs(phaseOf(n)!) / 1000);
  // A capacity step's SLA is judged for the search, not the run: the step above capacity is meant to fail. The run fails when a search found no step that held.
  const stepNames = new Set(r.config.scenarios.filter(isCapacityStep).map((s) => s.name));
  const failed = verdicts.some((v) => !v.ok && !stepNames.has(v.entry.filter.scenario ?? '')) || capacity.some((c) => c.capacity === null);
  return buildSummary({
    capacity,
    aggregate: feed.aggregate,
    metric: (n) => realmRegistry.get(n),
    verdicts,
    elapsedSecondsFor: (f: Tags) => schedule.elapsedSecondsFor(f),
    testRunDurationMs,
    phases: schedule.phases.map((p) => ({ scenario: p.scenario, description: r.plan.scenarios.find((s) => s.scenario === p.scenario)!.description, durationMs: schedule.phaseElapsedMs(p) })),
    script: r.script,
    startedAt: r.startedAt,
    exitCode: exitCodeOf(state.outcome(failed)),
    aborted: state.aborted,
    workers: r.plan.workers,
    errors: feed.errors(),
    warnings: runWarnings({
      aggregate: feed.aggregate,
      phases: schedule.phases.map((p) => ({ name: p.scenario.name, state: p.state, maxVUs: (p.scenario as { maxVUs?: number }).maxVUs })),
      duringRun: state.warnings,
      workerFailure: state.workerFailure,
      judgesIterationErrors: r.config.thresholds.some((e) => e.metric === METRIC.iteration_errors),
    }),
    tty: r.tty,
    summaryTrendStats: r.config.summaryTrendStats,
    sut: r.sut?.summary(phaseWindows(schedule)),
    control: r.control,
    faults: r.faults?.summary(),
  });
}

/** Each phase that ran, from its start to its end (graceful stop included), epoch ms. */
function phaseWindows(schedule: ScenarioSchedule): Array<{ name: string; start: number; end: number }> {
  const epoch = (t: number) => performance.timeOrigin + t;
  return schedule.phases.filter((p) => p.startedAt).map((p) => ({ name: p.scenario.name, start: epoch(p.startedAt), end: epoch(p.startedAt + schedule.phaseElapsedMs(p)) }));
}

/** The summary of a run stopped before any load: nothing measured, and why. */
export function emptySummary(script: string, startedAt: Date, exitCode: number, aborted: string, tty: { stdout: boolean; stderr: boolean }): SummaryData {
  return buildSummary({
    aggregate: new MetricAggregate((n) => realmRegistry.get(n)),
    metric: (n) => realmRegistry.get(n),
    verdicts: [],
    elapsedSecondsFor: () => 0,
    testRunDurationMs: 0,
    phases: [],
    script,
    startedAt,
    exitCode,
    aborted,
    workers: 0,
    errors: [],
    warnings: [],
    tty,
  });
}
