/** The run's plan (coordinator/plan.ts) is computed from the resolved scenarios alone. */
import { describe, expect, test } from 'vitest';
import { planRun } from '../../../runtime/coordinator/plan.js';
import { resolveConfig } from '../../../runtime/config/resolve.js';

const scenarios = (options: unknown) => resolveConfig(options).scenarios;

describe('planRun', () => {
  const two = scenarios({
    scenarios: {
      warm: { executor: 'constant-vus', vus: 3, duration: '10s' },
      load: { executor: 'constant-arrival-rate', rate: 10, duration: '20s', preAllocatedVUs: 5, maxVUs: 40, after: 'warm' },
      side: { executor: 'shared-iterations', vus: 2, iterations: 10 },
    },
  });

  test('per scenario: its most VUs, its planned duration and its description', () => {
    const plan = planRun(two, undefined, 4);
    expect(plan.scenarios.map((s) => [s.scenario.name, s.maxVus, s.plannedDurationMs])).toEqual([
      ['warm', 3, 10_000],
      ['side', 2, undefined],
      ['load', 40, 20_000],
    ]);
    expect(plan.scenarios.every((s) => s.description.length > 0)).toBe(true);
  });

  test('the peak counts the scenarios that can overlap: load follows warm, side runs beside both', () => {
    expect(planRun(two, undefined, 4).peak).toEqual({ vus: 42, scenarios: ['side', 'load'] });
  });

  test.each<[string, number | undefined, number, number]>([
    ['one per CPU by default', undefined, 4, 4],
    ['--workers wins over the CPU count', 8, 4, 8],
    ['never more workers than the widest scenario has VUs', 64, 4, 40],
  ])('workers: %s', (_name, flag, cpus, workers) => {
    expect(planRun(two, flag, cpus).workers).toBe(workers);
  });

  test('a single VU needs a single worker, whatever the machine', () => {
    expect(planRun(scenarios({ vus: 1, duration: '1s' }), undefined, 16).workers).toBe(1);
  });

  test('--workers that is not a whole number >= 1 is exit 104', () => {
    expect(() => planRun(two, 0, 4)).toThrow(/invalid --workers 0: expected a whole number >= 1/);
    expect(() => planRun(two, 1.5, 4)).toThrow(/invalid --workers 1.5/);
  });
});
