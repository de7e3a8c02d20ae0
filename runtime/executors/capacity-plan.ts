/**
 * The pure half of `capacity-search`: which rates the search steps through, and how one search
 * becomes one scenario per step. A step is an open-model constant arrival rate held for `hold`;
 * step k+1 starts `after` step k, and only if step k held its SLA (the coordinator decides that:
 * coordinator/capacity-gate.ts). The SLA is threshold expressions written once and scoped to each
 * step (`{scenario:<search>-stepK}`), as scenario thresholds are.
 */
import type { ConfigIssue } from './types.js';

export interface StepRule {
  from: number;
  /** Added per step; or */
  step?: number;
  /** multiplied per step. */
  factor?: number;
  max: number;
}

/** Hard bound on steps: a search is a handful of steps, not a sweep. */
export const MAX_STEPS = 50;

/** from, from+step, ... up to max (max itself is the last step when the sequence passes it). */
export function planRates(r: StepRule): number[] {
  const rates: number[] = [];
  let rate = r.from;
  while (rates.length < MAX_STEPS) {
    const v = Math.min(rate, r.max);
    if (rates.length && v <= rates[rates.length - 1]) break;
    rates.push(Number(v.toPrecision(12)));
    if (v >= r.max) break;
    rate = r.factor !== undefined ? rate * r.factor : rate + (r.step ?? 0);
  }
  return rates;
}

export const STEP_KEY = '__capacityStep';

export interface StepMark {
  search: string;
  step: number;
  steps: number;
  rate: number;
}

export function stepName(search: string, step: number): string {
  return `${search}-step${step}`;
}

function num(raw: Record<string, unknown>, key: string): number | undefined {
  const v = raw[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** Reads from/step/factor/max, with one issue per problem. */
export function readStepRule(raw: Record<string, unknown>, path: string, issues: ConfigIssue[]): StepRule | undefined {
  const from = num(raw, 'from');
  const max = num(raw, 'max');
  const step = num(raw, 'step');
  const factor = num(raw, 'factor');
  const before = issues.length;
  if (from === undefined || from <= 0) issues.push({ path: `${path}.from`, message: `must be a rate > 0 (iterations per timeUnit), received ${JSON.stringify(raw.from)}` });
  if (max === undefined || max <= 0) issues.push({ path: `${path}.max`, message: `must be a rate > 0, the highest step, received ${JSON.stringify(raw.max)}` });
  if ((step === undefined) === (factor === undefined)) issues.push({ path: `${path}.step`, message: 'give exactly one of step (added per step, e.g. step: 100) or factor (multiplied per step, e.g. factor: 2)' });
  else if (step !== undefined && step <= 0) issues.push({ path: `${path}.step`, message: `must be > 0, received ${step}` });
  else if (factor !== undefined && factor <= 1) issues.push({ path: `${path}.factor`, message: `must be > 1, received ${factor}` });
  if (from !== undefined && max !== undefined && from > max) issues.push({ path: `${path}.from`, message: `(${from}) is above max (${max})` });
  if (raw.sla === undefined || typeof raw.sla !== 'object' || raw.sla === null || Object.keys(raw.sla).length === 0) {
    issues.push({ path: `${path}.sla`, message: "is required: the threshold expressions each step must hold, e.g. sla: { http_req_duration: ['p95<100ms'], http_req_failed: ['rate<1%'] }" });
  }
  if (issues.length > before) return undefined;
  const rule = { from: from!, max: max!, step, factor };
  if (planRates(rule).length >= MAX_STEPS && planRates(rule).at(-1)! < max!) {
    issues.push({ path, message: `plans more than ${MAX_STEPS} steps from ${from} to ${max}: use a larger step or a factor` });
    return undefined;
  }
  return rule;
}

/**
 * One raw scenario per step: the search's options, the step's mark, `after` the previous step,
 * the SLA as the step's own thresholds (beside any thresholds the search had).
 */
export function expandSearch(name: string, raw: Record<string, unknown>, path: string, issues: ConfigIssue[]): Array<[string, Record<string, unknown>]> {
  const rule = readStepRule(raw, path, issues);
  if (!rule) return [[name, { ...raw, [STEP_KEY]: { search: name, step: 1, steps: 1, rate: 1 } satisfies StepMark }]];
  const rates = planRates(rule);
  const sla = raw.sla as Record<string, unknown>;
  const own = (raw.thresholds ?? {}) as Record<string, unknown>;
  return rates.map((rate, i) => {
    const step = i + 1;
    const { sla: _sla, from: _f, step: _s, factor: _x, max: _m, ...rest } = raw;
    const thresholds: Record<string, unknown> = { ...own };
    for (const [k, v] of Object.entries(sla)) thresholds[k] = [...(Array.isArray(own[k]) ? (own[k] as unknown[]) : []), ...(Array.isArray(v) ? v : [v])];
    const out: Record<string, unknown> = { ...rest, thresholds, [STEP_KEY]: { search: name, step, steps: rates.length, rate } satisfies StepMark };
    if (i > 0) {
      out.after = stepName(name, step - 1);
      delete out.startTime;
    }
    return [stepName(name, step), out];
  });
}
