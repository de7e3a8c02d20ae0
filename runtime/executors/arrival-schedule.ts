/**
 * Pure arrival math for the open-model executors. Iteration k (k = 0, 1, 2, …, over all workers)
 * is due when the cumulative planned count N(t) reaches k, so iteration 0 starts at t = 0 and a
 * constant rate r gives t_k = k / r. Start times are computed from the scenario's start, never
 * from the previous timer, so they cannot drift.
 *
 * With a rate moving linearly from r0 to r1 over a segment of length L, the count inside it is
 *   N(τ) = C0 + r0·τ + (r1 − r0)/(2L)·τ²
 * and τ for a given count is the root below, written in the form that is stable when r1 ≈ r0.
 */

export interface RateSegment {
  durationMs: number;
  /** Iterations per ms at the start and the end of the segment. */
  fromPerMs: number;
  toPerMs: number;
}

export class ArrivalSchedule {
  #seg = 0;
  #segStart = 0;
  #countAtSegStart = 0;

  constructor(readonly segments: readonly RateSegment[]) {}

  /** Total planned iterations (those due strictly before the end). */
  get total(): number {
    let c = 0;
    for (const s of this.segments) c += ((s.fromPerMs + s.toPerMs) / 2) * s.durationMs;
    // Iteration k is due at N = k; those with N(t) = k for t < end are k = 0 .. ceil(total) - 1.
    return Math.ceil(c - 1e-9);
  }

  /** Due time of iteration k in ms after the start, or Infinity when it falls after the end. Calls must not decrease k. */
  timeOf(k: number): number {
    while (this.#seg < this.segments.length) {
      const s = this.segments[this.#seg];
      const segCount = ((s.fromPerMs + s.toPerMs) / 2) * s.durationMs;
      const need = k - this.#countAtSegStart;
      if (need < segCount - 1e-9 || (need <= 0 && segCount > 0)) {
        return this.#segStart + solve(s, need);
      }
      this.#seg++;
      this.#segStart += s.durationMs;
      this.#countAtSegStart += segCount;
    }
    return Infinity;
  }
}

function solve(s: RateSegment, need: number): number {
  if (need <= 0) return 0;
  const a = (s.toPerMs - s.fromPerMs) / (2 * s.durationMs);
  const b = s.fromPerMs;
  if (a === 0) return need / b;
  return (2 * need) / (b + Math.sqrt(b * b + 4 * a * need));
}

export function constantSegments(ratePerUnit: number, timeUnitMs: number, durationMs: number): RateSegment[] {
  const r = ratePerUnit / timeUnitMs;
  return [{ durationMs, fromPerMs: r, toPerMs: r }];
}

export function rampingSegments(startRate: number, stages: readonly { durationMs: number; target: number }[], timeUnitMs: number): RateSegment[] {
  const out: RateSegment[] = [];
  let from = startRate;
  for (const st of stages) {
    if (st.durationMs > 0) out.push({ durationMs: st.durationMs, fromPerMs: from / timeUnitMs, toPerMs: st.target / timeUnitMs });
    from = st.target;
  }
  return out;
}
