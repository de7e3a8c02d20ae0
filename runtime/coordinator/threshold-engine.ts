/**
 * All thresholds of a run: parsed and validated before any load (exit 104 on a bad one), evaluated
 * every 2 s for those with abortOnFail and once at the end. Parse → validate → evaluate are the
 * pure functions of runtime/thresholds; this file only wires them to the run's aggregate.
 */
import { McprunError } from '../errors.js';
import type { MetricAggregate } from '../metrics/aggregate.js';
import type { MetricRegistry } from '../metrics/registry.js';
import { parseDuration } from '../duration.js';
import {
  evaluateThreshold,
  parseMetricKey,
  parseThreshold,
  validateThreshold,
  type ParsedThreshold,
} from '../thresholds/index.js';
import type { Tags } from '../metrics/types.js';

export interface ThresholdEntry {
  /** The key as written: `http_req_duration{status:200}`. */
  key: string;
  metric: string;
  filter: Tags;
  source: string;
  parsed: ParsedThreshold;
  abortOnFail: boolean;
  delayAbortEvalMs: number;
}

export interface ThresholdVerdict {
  entry: ThresholdEntry;
  ok: boolean;
  actual: number | null;
  noData: boolean;
}

export class ThresholdEngine {
  readonly entries: ThresholdEntry[] = [];

  constructor(raw: Record<string, unknown[]>, registry: MetricRegistry) {
    const problems: string[] = [];
    for (const [key, list] of Object.entries(raw)) {
      let mk;
      try {
        mk = parseMetricKey(key);
      } catch (err) {
        problems.push(messageOf(err));
        continue;
      }
      for (const [i, item] of list.entries()) {
        const where = `thresholds[${JSON.stringify(key)}][${i}]`;
        let source: unknown = item;
        let abortOnFail = false;
        let delayAbortEvalMs = 0;
        if (typeof item === 'object' && item !== null) {
          const o = item as Record<string, unknown>;
          source = o.threshold;
          abortOnFail = o.abortOnFail === true;
          if (o.abortOnFail !== undefined && typeof o.abortOnFail !== 'boolean') problems.push(`${where}.abortOnFail must be true or false, received ${JSON.stringify(o.abortOnFail)}`);
          if (o.delayAbortEval !== undefined) {
            try {
              delayAbortEvalMs = parseDuration(o.delayAbortEval as string, `${where}.delayAbortEval`);
            } catch (err) {
              problems.push(messageOf(err));
            }
          }
        }
        if (typeof source !== 'string') {
          problems.push(`${where} must be a string such as "p95<100ms" or { threshold: "p95<100ms", abortOnFail: true }, received ${JSON.stringify(source) ?? typeof source}`);
          continue;
        }
        try {
          const parsed = parseThreshold(source);
          validateThreshold(key, parsed, registry.get(mk.metric), registry.all());
          this.entries.push({ key, metric: mk.metric, filter: mk.tags, source, parsed, abortOnFail, delayAbortEvalMs });
        } catch (err) {
          problems.push(messageOf(err));
        }
      }
    }
    if (problems.length) {
      const code = problems.length === 1 ? 'MCPRUN_THRESHOLD_SYNTAX' : 'MCPRUN_CONFIG';
      throw new McprunError(code, problems.length === 1 ? problems[0] : `invalid thresholds:\n${problems.map((p) => `  - ${p}`).join('\n')}`, {
        hint: 'Nothing was sent. Threshold grammar: aggregation operator value unit, e.g. "p95<100ms", "rate<0.05%", "rate>10000/s".',
      });
    }
  }

  /**
   * Evaluate every entry. `elapsedFor(filter)` gives the real elapsed seconds that counter rates
   * divide by: the scenario's own duration for a `{scenario:x}` filter, the test's otherwise.
   */
  evaluate(agg: MetricAggregate, elapsedFor: (filter: Tags) => number, only?: (e: ThresholdEntry) => boolean): ThresholdVerdict[] {
    const out: ThresholdVerdict[] = [];
    for (const entry of this.entries) {
      if (only && !only(entry)) continue;
      const view = agg.view(entry.metric, entry.filter, elapsedFor(entry.filter));
      const r = evaluateThreshold(entry.parsed, view);
      out.push({ entry, ok: r.ok, actual: r.actual, noData: r.noData });
    }
    return out;
  }
}

function messageOf(err: unknown): string {
  return McprunError.is(err) ? err.message : err instanceof Error ? err.message : String(err);
}
