/**
 * Stage and arrival math, as properties over random schedules (fast-check): the invariants the
 * executors rely on, whatever stages a user writes.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { ArrivalSchedule, constantSegments, rampingSegments } from '../../../runtime/executors/arrival-schedule.js';
import { ownedIndices } from '../../../runtime/executors/loops.js';
import { maxTarget, shareOf, splitProportional, totalDurationMs, valueAt, vusAt } from '../../../runtime/executors/stages.js';

const stage = fc.record({ durationMs: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 120_000 })), target: fc.integer({ min: 0, max: 5000 }) });
const stages = fc.array(stage, { minLength: 1, maxLength: 8 });
const startVUs = fc.integer({ min: 0, max: 5000 });

/** The stage running at `t` and the value it starts from (the previous target, or startVUs). */
function stageAt(st: readonly { durationMs: number; target: number }[], start: number, t: number): { from: number; to: number } | undefined {
  let from = start;
  let t0 = 0;
  for (const s of st) {
    if (t < t0 + s.durationMs) return { from, to: s.target };
    from = s.target;
    t0 += s.durationMs;
  }
  return undefined;
}

describe('vusAt (ramping-vus)', () => {
  test('is a whole number within [min, max] of the running stage`s start and target, and never outside all targets', () => {
    fc.assert(
      fc.property(stages, startVUs, fc.double({ min: 0, max: 1.2, noNaN: true }), (st, start, frac) => {
        const t = frac * totalDurationMs(st);
        const v = vusAt(st, start, t);
        expect(Number.isInteger(v)).toBe(true);
        const cur = stageAt(st, start, t);
        const [lo, hi] = cur ? [Math.min(cur.from, cur.to), Math.max(cur.from, cur.to)] : [st[st.length - 1].target, st[st.length - 1].target];
        expect(v).toBeGreaterThanOrEqual(lo);
        expect(v).toBeLessThanOrEqual(hi);
        expect(v).toBeLessThanOrEqual(maxTarget(st, start));
        expect(v).toBeGreaterThanOrEqual(Math.min(start, ...st.map((s) => s.target)));
      }),
      { numRuns: 3000 },
    );
  });

  test('never overshoots the exact value: floor while rising, ceil while falling, exact at stage ends', () => {
    fc.assert(
      fc.property(stages, startVUs, fc.double({ min: 0, max: 1, noNaN: true }), (st, start, frac) => {
        const t = frac * totalDurationMs(st);
        const v = vusAt(st, start, t);
        const exact = valueAt(st, start, t);
        const cur = stageAt(st, start, t);
        if (!cur || cur.to >= cur.from) expect(v).toBeLessThanOrEqual(exact + 1e-6);
        if (!cur || cur.to <= cur.from) expect(v).toBeGreaterThanOrEqual(exact - 1e-6);
        expect(Math.abs(v - exact)).toBeLessThan(1 + 1e-6);
      }),
      { numRuns: 3000 },
    );
    fc.assert(
      fc.property(stages, startVUs, (st, start) => {
        // At each stage end the value is that stage's target (a run of zero-length stages: the last one's).
        let end = 0;
        for (const s of st) {
          end += s.durationMs;
          const exact = valueAt(st, start, end);
          expect(Number.isInteger(exact)).toBe(true);
          expect(vusAt(st, start, end)).toBe(exact);
        }
        expect(vusAt(st, start, totalDurationMs(st))).toBe(st[st.length - 1].target);
        expect(vusAt(st, start, totalDurationMs(st) + 12_345)).toBe(st[st.length - 1].target);
      }),
    );
  });

  test('moves monotonically inside a stage', () => {
    fc.assert(
      fc.property(stages, startVUs, fc.nat({ max: 7 }), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 2, maxLength: 20 }), (st, start, i, fracs) => {
        const idx = i % st.length;
        const s = st[idx];
        if (s.durationMs === 0) return;
        const t0 = totalDurationMs(st.slice(0, idx));
        const from = idx === 0 ? start : st[idx - 1].target;
        const values = [...fracs].sort((a, b) => a - b).map((f) => vusAt(st, start, t0 + f * s.durationMs * 0.999999));
        for (let k = 1; k < values.length; k++) {
          if (s.target >= from) expect(values[k]).toBeGreaterThanOrEqual(values[k - 1]);
          else expect(values[k]).toBeLessThanOrEqual(values[k - 1]);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('VUs and iterations over workers', () => {
  const nW = fc.tuple(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 1, max: 64 }));

  test('shareOf: the shares add up to n and differ by at most one; they are the sizes of ownedIndices', () => {
    fc.assert(
      fc.property(nW, ([n, W]) => {
        const shares = Array.from({ length: W }, (_, w) => shareOf(n, w, W));
        expect(shares.reduce((a, b) => a + b, 0)).toBe(n);
        expect(Math.max(...shares) - Math.min(...shares)).toBeLessThanOrEqual(1);
        for (let w = 1; w < W; w++) expect(shares[w]).toBeLessThanOrEqual(shares[w - 1]);
        if (n <= 5000) {
          const owned = Array.from({ length: W }, (_, w) => ownedIndices(n, w, W));
          owned.forEach((o, w) => expect(o.length).toBe(shares[w]));
          expect(owned.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
        }
      }),
      { numRuns: 2000 },
    );
  });

  test('splitProportional: parts add up to the total exactly, are whole, within one of the exact share, zero for zero weights', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 64 }), (total, weights) => {
        const parts = splitProportional(total, weights);
        const sum = weights.reduce((a, b) => a + b, 0);
        expect(parts).toHaveLength(weights.length);
        if (sum === 0) {
          expect(parts.every((p) => p === 0)).toBe(true);
          return;
        }
        expect(parts.reduce((a, b) => a + b, 0)).toBe(total);
        parts.forEach((p, i) => {
          expect(Number.isInteger(p)).toBe(true);
          expect(p).toBeGreaterThanOrEqual(0);
          if (weights[i] === 0) expect(p).toBe(0);
          expect(Math.abs(p - (total * weights[i]) / sum)).toBeLessThan(1 + 1e-9);
        });
      }),
      { numRuns: 2000 },
    );
  });

  test('splitProportional over shareOf weights: the iterations of shared-iterations add up on every worker count', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 1, max: 32 }), fc.integer({ min: 0, max: 1_000_000 }), (vus, W, extra) => {
        const iterations = vus + extra;
        const parts = splitProportional(iterations, Array.from({ length: W }, (_, w) => shareOf(vus, w, W)));
        expect(parts.reduce((a, b) => a + b, 0)).toBe(iterations);
      }),
    );
  });
});

describe('arrival schedule (arrival-rate executors)', () => {
  const rateStage = fc.record({ durationMs: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 20_000 })), target: fc.integer({ min: 0, max: 2000 }) });
  const ramping = fc.record({
    startRate: fc.integer({ min: 0, max: 2000 }),
    stages: fc.array(rateStage, { minLength: 1, maxLength: 6 }),
    timeUnitMs: fc.constantFrom(1000, 60_000, 100, 2500),
  });

  /** Area under the rate curve: the planned number of starts. */
  function area(startRate: number, st: readonly { durationMs: number; target: number }[], timeUnitMs: number): number {
    let from = startRate;
    let a = 0;
    for (const s of st) {
      a += ((from + s.target) / 2) * (s.durationMs / timeUnitMs);
      from = s.target;
    }
    return a;
  }

  test('start times never decrease, lie inside the schedule, and their count is the area under the rate', () => {
    fc.assert(
      fc.property(ramping, ({ startRate, stages: st, timeUnitMs }) => {
        const s = new ArrivalSchedule(rampingSegments(startRate, st, timeUnitMs));
        const end = totalDurationMs(st);
        const total = s.total;
        expect(total).toBe(Math.ceil(area(startRate, st, timeUnitMs) - 1e-9));
        fc.pre(total <= 20_000); // walking every start of a huge schedule proves nothing more
        let prev = 0;
        let bad = -1;
        for (let k = 0; k < total && bad < 0; k++) {
          const t = s.timeOf(k);
          if (!(t >= prev && t < end + 1e-6)) bad = k;
          prev = t;
        }
        expect(bad, `start ${bad} is before its predecessor or after the end`).toBe(-1);
        expect(s.timeOf(total)).toBe(Infinity);
      }),
      { numRuns: 300 },
    );
  });

  test('N(t) = area up to t: the starts before any instant match the integral of the rate to within one', () => {
    fc.assert(
      fc.property(ramping, fc.double({ min: 0, max: 1, noNaN: true }), ({ startRate, stages: st, timeUnitMs }, frac) => {
        const end = totalDurationMs(st);
        const s = new ArrivalSchedule(rampingSegments(startRate, st, timeUnitMs));
        fc.pre(s.total <= 20_000 && end > 0);
        const t = frac * end;
        // Integral of the rate from 0 to t.
        let from = startRate;
        let t0 = 0;
        let want = 0;
        for (const x of st) {
          const d = Math.min(x.durationMs, Math.max(0, t - t0));
          if (x.durationMs > 0 && d > 0) {
            const rAtD = from + ((x.target - from) * d) / x.durationMs;
            want += ((from + rAtD) / 2) * (d / timeUnitMs);
          }
          from = x.target;
          t0 += x.durationMs;
        }
        let got = 0;
        while (s.timeOf(got) < t) got++;
        // Iteration k is due when N reaches k: starts strictly before t are ceil(N(t)).
        expect(Math.abs(got - want)).toBeLessThanOrEqual(1 + 1e-6);
      }),
      { numRuns: 500 },
    );
  });

  test('a constant rate starts iteration k at k / rate', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5000 }), fc.constantFrom(1000, 60_000), fc.integer({ min: 1, max: 10_000 }), (rate, unit, durationMs) => {
        const s = new ArrivalSchedule(constantSegments(rate, unit, durationMs));
        expect(s.total).toBe(Math.ceil((rate * durationMs) / unit - 1e-9));
        for (const k of [0, 1, Math.floor(s.total / 2), s.total - 1]) {
          if (k < 0 || k >= s.total) continue;
          expect(s.timeOf(k)).toBeCloseTo((k * unit) / rate, 6);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
