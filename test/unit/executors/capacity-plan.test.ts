/** The pure half of capacity-search: the rates it steps through and the scenarios it becomes. */
import { describe, expect, test } from 'vitest';
import { expandSearch, planRates } from '../../../runtime/executors/capacity-plan.js';
import type { ConfigIssue } from '../../../runtime/executors/types.js';

describe('capacity plan', () => {
  test('step and factor sequences end at max', () => {
    expect(planRates({ from: 100, step: 100, max: 500 })).toEqual([100, 200, 300, 400, 500]);
    expect(planRates({ from: 100, factor: 10, max: 100_000 })).toEqual([100, 1000, 10_000, 100_000]);
    expect(planRates({ from: 100, factor: 10, max: 25_000 })).toEqual([100, 1000, 10_000, 25_000]);
    expect(planRates({ from: 300, step: 250, max: 900 })).toEqual([300, 550, 800, 900]);
  });

  test('one scenario per step, chained by after, the SLA scoped to each step', () => {
    const issues: ConfigIssue[] = [];
    const steps = expandSearch('find', { executor: 'capacity-search', from: 10, factor: 2, max: 40, hold: '1s', preAllocatedVUs: 5, startTime: '2s', sla: { http_req_duration: ['p95<10'] } }, 'scenarios.find', issues);
    expect(issues).toEqual([]);
    expect(steps.map(([n]) => n)).toEqual(['find-step1', 'find-step2', 'find-step3']);
    expect(steps.map(([, r]) => r.after)).toEqual([undefined, 'find-step1', 'find-step2']);
    expect(steps[0][1].startTime).toBe('2s');
    expect(steps[1][1].startTime).toBeUndefined();
    expect(steps[2][1].thresholds).toEqual({ http_req_duration: ['p95<10'] });
    expect(steps.map(([, r]) => (r.__capacityStep as { rate: number }).rate)).toEqual([10, 20, 40]);
  });

  test('bad options: each problem named at its option', () => {
    const issues: ConfigIssue[] = [];
    expandSearch('find', { executor: 'capacity-search', from: 0, step: 1, factor: 2, max: 10 }, 'scenarios.find', issues);
    expect(issues.map((i) => i.path)).toEqual(['scenarios.find.from', 'scenarios.find.step', 'scenarios.find.sla']);
    const many: ConfigIssue[] = [];
    expandSearch('find', { from: 1, step: 1, max: 1000, sla: { x: ['p95<1'] } }, 'scenarios.find', many);
    expect(many[0].message).toMatch(/more than 50 steps/);
  });
});
