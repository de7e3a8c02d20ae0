import { describe, expect, test } from 'vitest';
import { growthPerUnit, PlateauDetector } from '../../../runtime/metrics/plateau.js';

const fed = (d: PlateauDetector, levels: (number | number[])[]): boolean[] => levels.map((l) => d.observe(l));

describe('PlateauDetector', () => {
  test('exact, 2 samples (the mcprun_heap_per_vu rule): once per plateau, not again after a blip back to it', () => {
    const d = new PlateauDetector({ samples: 2, min: 256 });
    expect(fed(d, [[100, 100], [100, 100], [300, 300], [300, 300], [300, 300], [301, 300], [300, 300], [300, 300], [500, 500], [500, 500], [300, 300], [300, 300]])).toEqual([
      false, false, // below min
      false, true, false, // 300 reached, reported once
      false, false, false, // a blip and back: the same plateau
      false, true, // 500
      false, true, // back to 300 after 500 was reported: a new plateau
    ]);
  });

  test('with a tolerance, N samples within it make a plateau; every component must hold still', () => {
    const d = new PlateauDetector({ samples: 3, absolute: 2, relative: 0.01 });
    expect(fed(d, [0, 500, 998, 1000, 1003, 1005, 1012, 1011, 1010])).toEqual([false, false, false, false, true, false, false, false, false]);
    const t = new PlateauDetector({ samples: 2 });
    expect(fed(t, [[5, 1], [5, 2], [5, 2]])).toEqual([false, false, true]);
  });

  test('refuses fewer than 2 samples; growth per unit never negative, needs units', () => {
    expect(() => new PlateauDetector({ samples: 1 })).toThrow(RangeError);
    expect(growthPerUnit(3_000, 1_000, 4)).toBe(500);
    expect(growthPerUnit(900, 1_000, 4)).toBe(0);
    expect(() => growthPerUnit(2, 1, 0)).toThrow(RangeError);
  });
});
