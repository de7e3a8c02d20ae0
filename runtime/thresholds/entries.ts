/**
 * A run's thresholds as config/resolve.ts leaves them (parsed and validated once, before any load)
 * and the verdicts the evaluator gives them. Evaluating is all that happens after resolve: every
 * 2 s for the entries with abortOnFail, once at the end for all.
 */
import { evaluateThreshold } from './evaluator.js';
import type { MeasuredMetric } from './metric-shape.js';
import type { ParsedThreshold } from './parser.js';

export type TagFilter = Readonly<Record<string, string>>;

export interface ThresholdEntry {
  /** The key, scenario-scoped ones as `metric{...,scenario:name}`: `http_req_duration{status:200}`. */
  readonly key: string;
  readonly metric: string;
  readonly filter: TagFilter;
  /** The expression as written. */
  readonly source: string;
  readonly parsed: ParsedThreshold;
  readonly abortOnFail: boolean;
  readonly delayAbortEvalMs: number;
}

export interface ThresholdVerdict {
  readonly entry: ThresholdEntry;
  readonly ok: boolean;
  readonly actual: number | null;
  readonly noData: boolean;
}

/**
 * Evaluates the entries `only` accepts (all by default). `measure(metric, filter)` is the metric or
 * sub-metric as aggregated so far, its elapsedSeconds the scenario's own time for a `{scenario:x}`
 * filter and the test's otherwise.
 */
export function evaluateThresholds(
  entries: readonly ThresholdEntry[],
  measure: (metric: string, filter: TagFilter) => MeasuredMetric,
  only?: (e: ThresholdEntry) => boolean,
): ThresholdVerdict[] {
  const out: ThresholdVerdict[] = [];
  for (const entry of entries) {
    if (only && !only(entry)) continue;
    const r = evaluateThreshold(entry.parsed, measure(entry.metric, entry.filter));
    out.push({ entry, ok: r.ok, actual: r.actual, noData: r.noData });
  }
  return out;
}
