/**
 * The result of a `capacity-search`: each step's verdict and the capacity, from the step's own
 * figures. A step passes when every SLA expression held; fails when one did not; is inconclusive
 * when the generator fell behind (it dropped iterations, or its iterations started later than
 * `maxLag` at p95), because then the target was not offered the step's rate and a pass would
 * claim more than was measured. A step that never ran (the search ended below it) is skipped.
 * The capacity is the rate of the highest step that passed with every step below it passing.
 */
import type { ResolvedCapacityStep, ResolvedScenario } from '../executors/resolved.js';
import { METRIC } from '../metrics/builtin.js';
import type { AggregateView, Tags } from '../metrics/types.js';
import type { ThresholdVerdict } from '../thresholds/index.js';

export type StepVerdict = 'pass' | 'fail' | 'inconclusive' | 'skipped';

export interface CapacityStep {
  scenario: string;
  step: number;
  rate: number;
  verdict: StepVerdict;
  /** SLA expressions that failed (`metric: expression (actual)`), or why the step is inconclusive. */
  reasons: string[];
  /** Iterations per second the step achieved (iterations / the step's elapsed time). */
  achievedRate: number | null;
  droppedIterations: number;
  /** p95 of iteration_lag, ms. */
  lagP95: number | null;
}

export interface CapacityResult {
  search: string;
  /** Iterations per `timeUnit` of the highest step that held (every step below it held too); null when the first step did not. */
  capacity: number | null;
  timeUnitMs: number;
  /** One sentence. */
  conclusion: string;
  steps: CapacityStep[];
}

type View = (metric: string, filter: Tags) => AggregateView;

export function isCapacityStep(s: ResolvedScenario): s is ResolvedCapacityStep {
  return s.executor === 'capacity-search';
}

/** A step's verdict from its thresholds and its generator figures; `ran` false: skipped. */
export function judgeStep(s: ResolvedCapacityStep, verdicts: readonly ThresholdVerdict[], view: View, ran: boolean, elapsedSeconds: number): CapacityStep {
  const f = { scenario: s.name };
  const base = { scenario: s.name, step: s.step, rate: s.rate };
  if (!ran) return { ...base, verdict: 'skipped', reasons: [], achievedRate: null, droppedIterations: 0, lagP95: null };
  const dropped = view(METRIC.dropped_iterations, f).count;
  const lag = view(METRIC.iteration_lag, f);
  const lagP95 = lag.count ? lag.percentile(95) : null;
  const iterations = view(METRIC.iterations, f).count;
  const own = verdicts.filter((v) => v.entry.filter.scenario === s.name);
  const failed = own.filter((v) => !v.ok).map((v) => `${v.entry.metric}: '${v.entry.source}' ${v.noData ? 'no data' : `actual ${Number((v.actual ?? 0).toFixed(3))}`}`);
  const behind: string[] = [];
  if (dropped > 0) behind.push(`the generator dropped ${dropped} iterations (all maxVUs busy)`);
  if (lagP95 !== null && lagP95 > s.maxLagMs) behind.push(`iterations started ${Number(lagP95.toFixed(1))} ms late at p95 (maxLag ${s.maxLagMs} ms)`);
  // A failed SLA with the generator on time is a failure of the target; behind, nothing is proven either way.
  const verdict: StepVerdict = behind.length ? 'inconclusive' : failed.length ? 'fail' : 'pass';
  return { ...base, verdict, reasons: behind.length ? [...behind, ...failed] : failed, achievedRate: elapsedSeconds > 0 ? iterations / elapsedSeconds : null, droppedIterations: dropped, lagP95 };
}

/** Every search of the run, its steps in order. */
export function capacityResults(scenarios: readonly ResolvedScenario[], verdicts: readonly ThresholdVerdict[], view: View, ran: (name: string) => boolean, elapsedSecondsOf: (name: string) => number): CapacityResult[] {
  const bySearch = new Map<string, ResolvedCapacityStep[]>();
  for (const s of scenarios) if (isCapacityStep(s)) bySearch.set(s.search, [...(bySearch.get(s.search) ?? []), s]);
  return [...bySearch].map(([search, steps]) => {
    steps.sort((a, b) => a.step - b.step);
    const judged = steps.map((s) => judgeStep(s, verdicts, view, ran(s.name), elapsedSecondsOf(s.name)));
    let capacity: number | null = null;
    for (const j of judged) {
      if (j.verdict !== 'pass') break;
      capacity = j.rate;
    }
    return { search, capacity, timeUnitMs: steps[0].timeUnitMs, conclusion: conclusionOf(judged, capacity, steps[0].timeUnitMs), steps: judged };
  });
}

function perUnit(rate: number, timeUnitMs: number): string {
  return timeUnitMs === 1000 ? `${rate}/s` : `${rate} per ${timeUnitMs / 1000}s`;
}

function conclusionOf(steps: CapacityStep[], capacity: number | null, unit: number): string {
  const stop = steps.find((s) => s.verdict !== 'pass');
  const top = steps[steps.length - 1];
  if (!stop) return `capacity at least ${perUnit(top.rate, unit)}: every step up to max held its SLA (raise max to find the limit)`;
  const held = capacity === null ? `no step held (capacity below ${perUnit(steps[0].rate, unit)})` : `capacity ${perUnit(capacity, unit)}`;
  if (stop.verdict === 'inconclusive') return `${held}; step ${stop.step} (${perUnit(stop.rate, unit)}) is inconclusive: ${stop.reasons[0]}; the load generator, not the target, set the limit there`;
  return `${held}; step ${stop.step} (${perUnit(stop.rate, unit)}) failed its SLA: ${stop.reasons.join('; ')}`;
}
