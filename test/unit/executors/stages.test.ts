import { describe, expect, test } from 'vitest';
import { maxTarget, shareOf, splitProportional, totalDurationMs, valueAt, vusAt } from '../../../runtime/executors/stages.js';

const ramp = [
  { durationMs: 1000, target: 10 },
  { durationMs: 2000, target: 10 },
  { durationMs: 1000, target: 0 },
];

describe('stage math', () => {
  test.each([
    [0, 0],
    [100, 1],
    [99, 0],
    [500, 5],
    [999, 9],
    [1000, 10],
    [2500, 10],
    [3000, 10],
    [3001, 10],
    [3100, 9],
    [3500, 5],
    [3999, 1],
    [4000, 0],
    [9000, 0],
  ])('vusAt(%i ms) = %i (floor while rising, ceil while falling)', (t, want) => {
    expect(vusAt(ramp, 0, t)).toBe(want);
  });

  test('a zero-length stage jumps', () => {
    const s = [{ durationMs: 0, target: 50 }, { durationMs: 1000, target: 50 }];
    expect(vusAt(s, 1, 0)).toBe(50);
    expect(valueAt(s, 1, 10)).toBe(50);
  });

  test('totals and maxima', () => {
    expect(totalDurationMs(ramp)).toBe(4000);
    expect(maxTarget(ramp, 3)).toBe(10);
    expect(maxTarget([{ durationMs: 1, target: 2 }], 7)).toBe(7);
  });

  test.each([
    [10, 2, [5, 5]],
    [11, 2, [6, 5]],
    [1, 2, [1, 0]],
    [7, 3, [3, 2, 2]],
    [0, 3, [0, 0, 0]],
  ])('shareOf(%i VUs over %i workers) adds up', (n, W, want) => {
    const parts = Array.from({ length: W }, (_, w) => shareOf(n, w, W));
    expect(parts).toEqual(want);
    expect(parts.reduce((a, b) => a + b, 0)).toBe(n);
  });

  test.each([
    [100, [5, 5], [50, 50]],
    [101, [5, 5], [51, 50]],
    [100, [2, 1], [67, 33]],
    [10, [1, 0], [10, 0]],
    [3, [1, 1, 1], [1, 1, 1]],
  ])('splitProportional(%i, %j) is exact', (total, weights, want) => {
    const parts = splitProportional(total, weights);
    expect(parts).toEqual(want);
    expect(parts.reduce((a, b) => a + b, 0)).toBe(total);
  });
});
