import { describe, expect, test } from 'vitest';
import { ArrivalSchedule, constantSegments, rampingSegments } from '../../../runtime/executors/arrival-schedule.js';

function startsPerSecond(s: ArrivalSchedule, seconds: number): number[] {
  const counts = new Array(seconds).fill(0);
  for (let k = 0; ; k++) {
    const t = s.timeOf(k);
    if (!Number.isFinite(t) || t >= seconds * 1000) break;
    counts[Math.floor(t / 1000)]++;
  }
  return counts;
}

describe('arrival schedule', () => {
  test('constant 200/s for 5 s: iteration k at k·5 ms, 1000 in all', () => {
    const s = new ArrivalSchedule(constantSegments(200, 1000, 5000));
    expect(s.total).toBe(1000);
    expect(s.timeOf(0)).toBe(0);
    expect(s.timeOf(1)).toBeCloseTo(5, 9);
    expect(s.timeOf(999)).toBeCloseTo(4995, 6);
    expect(s.timeOf(1000)).toBe(Infinity);
  });

  test('constant rate per minute', () => {
    const s = new ArrivalSchedule(constantSegments(60, 60_000, 10_000));
    expect(startsPerSecond(s, 10)).toEqual(new Array(10).fill(1));
  });

  test('ramping 0 → 400/s over 4 s follows N(t) = 50·t²', () => {
    const s = new ArrivalSchedule(rampingSegments(0, [{ durationMs: 4000, target: 400 }], 1000));
    expect(s.total).toBe(800);
    // An iteration due exactly on a second boundary may land either side by float rounding.
    const got = startsPerSecond(s, 4);
    [50, 150, 250, 350].forEach((want, i) => expect(Math.abs(got[i] - want)).toBeLessThanOrEqual(1));
    expect(got.reduce((a, b) => a + b, 0)).toBe(800);
    // t_k = sqrt(k/50) s
    expect(new ArrivalSchedule(rampingSegments(0, [{ durationMs: 4000, target: 400 }], 1000)).timeOf(200)).toBeCloseTo(2000, 6);
  });

  test('stages up, hold and down add up to the area under the rate', () => {
    const s = new ArrivalSchedule(
      rampingSegments(100, [
        { durationMs: 1000, target: 300 },
        { durationMs: 2000, target: 300 },
        { durationMs: 1000, target: 0 },
      ], 1000),
    );
    expect(s.total).toBe(200 + 600 + 150);
    expect(startsPerSecond(s, 4)).toEqual([200, 300, 300, 150]);
  });

  test('times never decrease and workers skipping indices see the same times', () => {
    const a = new ArrivalSchedule(rampingSegments(10, [{ durationMs: 3000, target: 500 }], 1000));
    const b = new ArrivalSchedule(rampingSegments(10, [{ durationMs: 3000, target: 500 }], 1000));
    let prev = -1;
    for (let k = 0; k < 700; k++) {
      const t = a.timeOf(k);
      expect(t).toBeGreaterThanOrEqual(prev);
      prev = t;
      if (k % 3 === 1) expect(b.timeOf(k)).toBe(t);
    }
  });
});
