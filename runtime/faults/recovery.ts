/**
 * recovery_time of one fault occurrence, from the run's per-interval request figures (pure).
 *
 * Definition (issue 15): from the moment the fault is lifted to the start of the first window W
 * such that W and the windows right after it, `for` long in all (default 3 s: three 1 s windows),
 * are each healthy. Healthy, by default: a request failure rate no worse than in the 10 s before
 * the fault turned on (and at least 0.1 %: a clean baseline does not make one failure a relapse),
 * and a p95 latency at most 2× the p95 of those 10 s. `recovered: { failed, latency, for }`
 * replaces either criterion with a threshold expression (`rate<1%`, `p95<200ms`) and the length.
 *
 * Choices where the issue is silent, each what a threshold would do:
 * - Only windows that start at or after the lift count: a window that holds requests made during
 *   the fault cannot vouch for the recovery. The resolution is therefore one window.
 * - A window without requests (or missing: no worker reported) is not healthy, as a threshold
 *   without data fails.
 * - The baseline is the windows wholly inside the 10 s before the fault. Without requests there
 *   (a fault at the very start) the failure criterion is the 0.1 % floor and the latency criterion
 *   is not applied (there is nothing to be 2× of).
 * - The baseline p95 comes from the merged histograms when every window has one, else from the
 *   request-weighted mean of the windows' p95 (as the time series merges old intervals).
 * - The latency limit is never below 1 ms (as the failure criterion has its 0.1 % floor): against
 *   a target that answers in 50 µs, "2×" would be scheduler noise.
 * - No healthy stretch before the windows run out: not recovered once the run has ended, pending
 *   before.
 */
import type { RecoveryCriteria } from '../config/faults-resolved.js';
import type { Histogram } from '../metrics/hdr.js';
import { createHistogram, HDR_SCALE, percentileOf } from '../metrics/hdr.js';
import type { AggregateView } from '../metrics/types.js';
import { evaluateThreshold, parseThreshold, type ParsedThreshold } from '../thresholds/index.js';

export interface RecoveryWindow {
  /** Start, ms from the start of the load. */
  start: number;
  /** Length, ms (the run's last window may be shorter). */
  durationMs: number;
  /** Requests that completed in the window, and how many of them failed. */
  requests: number;
  failed: number;
  /** Their latency: an HDR histogram as metrics/hdr.ts records it (values × HDR_SCALE) … */
  histogram?: Histogram;
  /** … or its p95 alone, in ms. */
  p95?: number;
}

/**
 * `failed`: a threshold on each window's failure Rate, e.g. 'rate<1%' (default: no worse than the
 * 10 s before the fault, at least 0.1 %); `latency`: on its latency Trend, e.g. 'p95<200ms'
 * (default: p95 at most 2× the 10 s before the fault); `forMs`: how long it must hold (default 3 s).
 */
export type { RecoveryCriteria };

export interface Occurrence {
  fault: string;
  /** When the fault turned on and off (ms from the start of the load). */
  on: number;
  off: number;
}

export interface RecoveryResult {
  fault: string;
  liftedAt: number;
  /** 'pending': the windows so far end before a healthy stretch, and the run goes on. */
  state: 'recovered' | 'not-recovered' | 'pending';
  /** ms from the lift to the start of the healthy stretch (recovered only). */
  recoveryTimeMs: number | undefined;
  /** The 10 s before the fault. */
  baseline: { requests: number; failureRate: number | undefined; p95: number | undefined };
  /** The criteria applied, as expressions (for reports). */
  criteria: { failed: string; latency: string | undefined; forMs: number };
}

export const BASELINE_MS = 10_000;
export const FAILURE_FLOOR = 0.001;
export const LATENCY_FACTOR = 2;
export const LATENCY_FLOOR_MS = 1;
export const DEFAULT_FOR_MS = 3000;

interface Check {
  source: string;
  holds(w: RecoveryWindow): boolean;
}

/** `windows` in time order; `runEnded` tells "not recovered" from "not yet". */
export function recoveryOf(occ: Occurrence, windows: readonly RecoveryWindow[], criteria: RecoveryCriteria = {}, runEnded = true): RecoveryResult {
  const inBaseline = windows.filter((w) => w.start >= occ.on - BASELINE_MS && w.start + w.durationMs <= occ.on);
  const baseline = baselineOf(inBaseline);
  const failed = criteria.failed !== undefined ? thresholdCheck(criteria.failed, rateView) : defaultFailureCheck(inBaseline);
  const latency = criteria.latency !== undefined ? thresholdCheck(criteria.latency, latencyView) : defaultLatencyCheck(baseline.p95);
  const forMs = criteria.forMs ?? DEFAULT_FOR_MS;
  const healthy = (w: RecoveryWindow) => w.requests > 0 && failed.holds(w) && (latency === undefined || latency.holds(w));
  const result = (state: RecoveryResult['state'], at?: number): RecoveryResult => ({
    fault: occ.fault,
    liftedAt: occ.off,
    state,
    recoveryTimeMs: at === undefined ? undefined : at - occ.off,
    baseline,
    criteria: { failed: failed.source, latency: latency?.source, forMs },
  });
  const after = windows.filter((w) => w.start >= occ.off);
  for (let i = 0; i < after.length; i++) {
    let covered = 0;
    for (let j = i; j < after.length && covered < forMs; j++) {
      // A gap between windows is a window nobody reported: not healthy.
      if (j > i && after[j].start !== after[j - 1].start + after[j - 1].durationMs) break;
      if (!healthy(after[j])) break;
      covered += after[j].durationMs;
    }
    if (covered >= forMs) return result('recovered', after[i].start);
  }
  return result(runEnded ? 'not-recovered' : 'pending');
}

function baselineOf(ws: readonly RecoveryWindow[]): RecoveryResult['baseline'] {
  const requests = ws.reduce((a, w) => a + w.requests, 0);
  const failed = ws.reduce((a, w) => a + w.failed, 0);
  return { requests, failureRate: requests ? failed / requests : undefined, p95: requests ? p95Of(ws) : undefined };
}

function p95Of(ws: readonly RecoveryWindow[]): number | undefined {
  const withRequests = ws.filter((w) => w.requests > 0);
  if (withRequests.every((w) => w.histogram)) {
    const merged = createHistogram();
    for (const w of withRequests) merged.add(w.histogram!);
    return percentileOf(merged, 95);
  }
  const weighted = withRequests.filter((w) => w.p95 !== undefined || w.histogram);
  const n = weighted.reduce((a, w) => a + w.requests, 0);
  return n ? weighted.reduce((a, w) => a + w.requests * windowP95(w), 0) / n : undefined;
}

function windowP95(w: RecoveryWindow): number {
  return w.histogram ? percentileOf(w.histogram, 95) : (w.p95 ?? NaN);
}

/** No worse than the baseline's failure rate, floored at 0.1 %; compared in integers (exact). */
function defaultFailureCheck(base: readonly RecoveryWindow[]): Check {
  const requests = base.reduce((a, w) => a + w.requests, 0);
  const failed = base.reduce((a, w) => a + w.failed, 0);
  if (requests === 0 || failed * 1000 < requests) {
    return { source: 'rate<=0.1%', holds: (w) => w.failed * 1000 <= w.requests };
  }
  const pct = Math.round((failed / requests) * 1e6) / 1e4;
  return { source: `rate<=${pct}%`, holds: (w) => w.failed * requests <= failed * w.requests };
}

function defaultLatencyCheck(baseP95: number | undefined): Check | undefined {
  if (baseP95 === undefined || !Number.isFinite(baseP95)) return undefined;
  const limit = Math.max(LATENCY_FACTOR * baseP95, LATENCY_FLOOR_MS);
  return { source: `p95<=${Math.round(limit * 1000) / 1000}ms`, holds: (w) => windowP95(w) <= limit };
}

function thresholdCheck(source: string, view: (w: RecoveryWindow) => AggregateView): Check {
  const parsed: ParsedThreshold = parseThreshold(source);
  return { source, holds: (w) => evaluateThreshold(parsed, view(w)).ok };
}

const NO_TREND = { sum: 0, passes: 0, last: 0, elapsedSeconds: 0, series: 1 };

function rateView(w: RecoveryWindow): AggregateView {
  return { type: 'rate', contains: 'default', count: w.requests, sum: w.failed, passes: w.failed, min: 0, max: 0, last: 0, avg: 0, elapsedSeconds: w.durationMs / 1000, percentile: () => NaN, series: 1 };
}

/** The window's latency as a Trend view; with a p95 alone, any other aggregation is NaN (and fails). */
function latencyView(w: RecoveryWindow): AggregateView {
  const h = w.histogram;
  if (!h) return { ...NO_TREND, type: 'trend', contains: 'time', count: w.requests, min: NaN, max: NaN, avg: NaN, percentile: (p) => (p === 95 ? (w.p95 ?? NaN) : NaN) };
  return {
    ...NO_TREND,
    type: 'trend',
    contains: 'time',
    count: h.totalCount,
    min: h.minNonZeroValue / HDR_SCALE,
    max: h.maxValue / HDR_SCALE,
    avg: h.mean / HDR_SCALE,
    sum: (h.mean * h.totalCount) / HDR_SCALE,
    percentile: (p) => percentileOf(h, p),
  };
}
