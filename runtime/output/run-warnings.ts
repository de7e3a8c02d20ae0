/**
 * The warnings of the summary: what makes its figures less than they look (a lost worker, a
 * saturated load generator, dropped iterations, a generator that fell behind its schedule, phases
 * that never started). Each says what to do about it.
 */
import type { MetricAggregate } from '../metrics/aggregate.js';
import { DELAY_WARN_P99_MS, UTILIZATION_WARN } from '../metrics/generator-health.js';
import { McprunError } from '../errors.js';
import { formatCount, formatMs } from './format.js';
import { METRIC } from '../metrics/builtin.js';
import { CARDINALITY_HINT, PROM_MAX_SERIES_PER_METRIC } from './prometheus.js';
import { MAX_NAME_TAG_VALUES } from '../protocols/mcp/tag-cap.js';

/** Arrival-rate iterations that start this much later than planned at p(99) make latency figures suspect. */
const LAG_WARN_P99_MS = 10;

export interface PhaseOutcome {
  readonly name: string;
  readonly state: 'waiting' | 'running' | 'done' | 'skipped';
  /** Arrival-rate executors' maxVUs. */
  readonly maxVUs: number | undefined;
}

export interface WarningInputs {
  readonly aggregate: MetricAggregate;
  readonly phases: readonly PhaseOutcome[];
  /** Gathered during the run (workers lost under --continue-on-worker-error). */
  readonly duringRun: readonly string[];
  readonly workerFailure: Error | undefined;
  /** A threshold judges `iteration_errors` already: no need to say how to make throws fail the run. */
  readonly judgesIterationErrors: boolean;
}

export function runWarnings({ aggregate: agg, phases, duringRun, workerFailure, judgesIterationErrors }: WarningInputs): string[] {
  const warnings = [...duringRun];
  if (workerFailure) warnings.push(`${McprunError.is(workerFailure) ? workerFailure.userMessage : workerFailure.message}; the results below are partial.`);
  const threw = agg.view(METRIC.iteration_errors).count;
  if (threw && !judgesIterationErrors) {
    warnings.push(
      `${threw} of ${agg.view(METRIC.iterations).count} iterations threw (see the iteration errors): what each would have done after its throw, checks and requests included, never ran, so the thresholds judged only what ran before it. Add thresholds: { iteration_errors: ['count==0'] } to fail the run (exit 99) when an iteration throws.`,
    );
  }
  const delay = agg.view(METRIC.mcprun_event_loop_delay);
  const busy = agg.view(METRIC.mcprun_event_loop_utilization);
  if ((delay.count && delay.percentile(99) > DELAY_WARN_P99_MS) || (busy.count && busy.max > UTILIZATION_WARN)) {
    warnings.push(
      `the load generator was saturated (event-loop delay p(99)=${formatMs(delay.percentile(99))}, busiest interval ${Math.round(busy.max * 100)}% of a worker's time): latency figures include generator delay. Add workers (--workers), use --pool processes, or lower the load.`,
    );
  }
  warnings.push(...cardinalityWarnings(agg));
  const capped = nameOverflow(agg);
  if (capped) {
    warnings.push(
      `${formatCount(capped)} MCP requests were tagged tool/name "other" (tag_overflow:true): a worker saw more than ${formatCount(MAX_NAME_TAG_VALUES)} distinct tool names or resource URIs, and one series per value would grow memory and Prometheus without bound. Group them with per-call tags ({ tags: { name: 'doc' } }) if you need them apart.`,
    );
  }
  for (const p of phases) {
    const f = { scenario: p.name };
    const dropped = agg.view(METRIC.dropped_iterations, f).count;
    if (dropped) {
      warnings.push(`${dropped} iterations of scenario "${p.name}" were dropped: all ${p.maxVUs ?? '?'} maxVUs were busy when they were due. Raise maxVUs (VUs are cheap async loops) or lower the rate.`);
    }
    const lag = agg.view(METRIC.iteration_lag, f);
    if (lag.count && lag.percentile(99) > LAG_WARN_P99_MS) {
      warnings.push(`the load generator fell behind in scenario "${p.name}": iteration_lag p(99)=${formatMs(lag.percentile(99))} (> ${LAG_WARN_P99_MS}ms). Latency figures include generator delay; add workers or lower the rate.`);
    }
    if (p.state === 'skipped') warnings.push(`scenario "${p.name}" did not start (the run was stopped first).`);
  }
  return warnings;
}

/** Requests whose tool/name tag was replaced by `other` (protocols/mcp/tag-cap.ts). */
function nameOverflow(agg: MetricAggregate): number {
  return agg.view(METRIC.mcp_reqs, { tag_overflow: 'true' }).count;
}

/** Metrics with more series (tag sets) than a Prometheus scrape shows, usually one per URL: one warning for all. */
function cardinalityWarnings(agg: MetricAggregate): string[] {
  const perMetric = new Map<string, number>();
  for (const s of agg.series.values()) perMetric.set(s.metric, (perMetric.get(s.metric) ?? 0) + 1);
  const over = [...perMetric].filter(([, n]) => n > PROM_MAX_SERIES_PER_METRIC).sort((a, b) => b[1] - a[1]);
  if (!over.length) return [];
  const list = over.map(([metric, n]) => `${metric} (${formatCount(n)})`).join(', ');
  return [
    `${over.length === 1 ? 'a metric has' : `${over.length} metrics have`} more series (distinct tag sets) than the ${formatCount(PROM_MAX_SERIES_PER_METRIC)} a Prometheus scrape shows per metric, which sums the rest into one series labelled mcprun_overflow="true": ${list}. ${CARDINALITY_HINT}`,
  ];
}
