/**
 * Pure stage math shared by ramping executors.
 *
 *   target
 *     20 |          ______
 *        |         /      \
 *     10 |   _____/        \
 *        |  /               \
 *      0 |_/                 \__
 *        +--+-----+---+------+---> t
 *         stage: 1   2   3     4
 *
 * Between two stage ends the value moves linearly from the previous target to the stage's target;
 * a stage of duration 0 jumps.
 */
import type { ResolvedStage } from './resolved.js';

export function totalDurationMs(stages: readonly ResolvedStage[]): number {
  let t = 0;
  for (const s of stages) t += s.durationMs;
  return t;
}

/** The exact (unrounded) planned value at `tMs` after the start. */
export function valueAt(stages: readonly ResolvedStage[], start: number, tMs: number): number {
  return plannedAt(stages, start, tMs, exact);
}

/** Planned VUs at `tMs` (ramping-vus): rounded down while rising, up while falling, so a ramp never overshoots its targets. */
export function vusAt(stages: readonly ResolvedStage[], startVUs: number, tMs: number): number {
  return plannedAt(stages, startVUs, tMs, towardFrom);
}

/** The value at `tMs` inside the stage that holds it (`round` sees the stage's ends), or the last target after the end. */
function plannedAt(stages: readonly ResolvedStage[], start: number, tMs: number, round: (v: number, from: number, to: number) => number): number {
  let from = start;
  let t0 = 0;
  for (const s of stages) {
    const t1 = t0 + s.durationMs;
    if (tMs < t1) return round(from + ((s.target - from) * (tMs - t0)) / s.durationMs, from, s.target);
    from = s.target;
    t0 = t1;
  }
  return from;
}

function exact(v: number): number {
  return v;
}

function towardFrom(v: number, from: number, to: number): number {
  // The epsilon keeps 2.9999999996 (float noise at an exact step) from rounding the wrong way.
  return to >= from ? Math.floor(v + 1e-9) : Math.ceil(v - 1e-9);
}

/** The largest planned value over the whole schedule (VUs to allocate). */
export function maxTarget(stages: readonly ResolvedStage[], start: number): number {
  let m = start;
  for (const s of stages) if (s.target > m) m = s.target;
  return m;
}

/**
 * How many of the global VU indices 0..n-1 belong to worker w of W. VUs are dealt round-robin
 * (index i runs on worker i % W), so the shares always add up to n.
 */
export function shareOf(n: number, w: number, W: number): number {
  if (n <= w) return 0;
  return Math.floor((n - w - 1) / W) + 1;
}

/**
 * Split a total (iterations) over workers in proportion to their VU shares, exactly: the parts add
 * up to `total` (largest remainders).
 */
export function splitProportional(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (sum === 0) return weights.map(() => 0);
  const exact = weights.map((w) => (total * w) / sum);
  const parts = exact.map(Math.floor);
  let rest = total - parts.reduce((a, b) => a + b, 0);
  const order = exact.map((e, i) => [e - Math.floor(e), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of order) {
    if (rest <= 0) break;
    if (weights[i] > 0) {
      parts[i]++;
      rest--;
    }
  }
  return parts;
}
