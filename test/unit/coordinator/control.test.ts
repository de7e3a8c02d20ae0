/**
 * The control API's verbs (coordinator/control.ts) on a real schedule, with the workers' side
 * recorded: what each verb refuses and why, what it sends, what it logs; and the schedule holding
 * a phase's startTime through a pause. The worker side of the same messages is shown end to end
 * in test/e2e/dashboard.test.ts.
 */
import { describe, expect, test } from 'vitest';
import { resolveConfig } from '../../../runtime/config/resolve.js';
import { RunControl } from '../../../runtime/coordinator/control.js';
import type { LoadControl } from '../../../runtime/coordinator/load-control.js';
import { RunState } from '../../../runtime/coordinator/run-state.js';
import { ScenarioSchedule } from '../../../runtime/coordinator/scenario-schedule.js';
import { pausedMsOf, steeredText, type ControlEvent } from '../../../runtime/output/control-log.js';

const scenarios = () =>
  resolveConfig({
    scenarios: {
      steady: { executor: 'constant-vus', vus: 5, duration: '10s' },
      open: { executor: 'constant-arrival-rate', rate: 50, duration: '10s', preAllocatedVUs: 5, maxVUs: 20 },
      fixed: { executor: 'shared-iterations', vus: 2, iterations: 10 },
      later: { executor: 'constant-vus', vus: 1, duration: '1s', startTime: '1h' },
    },
  }).scenarios;

function setup() {
  const schedule = new ScenarioSchedule(scenarios(), 1, () => performance.now());
  const state = new RunState();
  const sent: unknown[] = [];
  const load = {
    pause: () => (schedule.pause(), sent.push('pause')),
    resume: () => (schedule.resume(), sent.push('resume')),
    stop: (graceful: boolean) => (schedule.stop(), sent.push(`stop ${graceful}`)),
    rescale: (name: string, change: unknown, idBlocks: unknown) => sent.push({ name, change, idBlocks }),
  } as unknown as LoadControl;
  const control = new RunControl(schedule, state, 1);
  control.attach(load);
  schedule.begin(() => {});
  return { schedule, state, control, sent };
}

async function running(schedule: ScenarioSchedule): Promise<void> {
  while (schedule.phases.filter((p) => p.state === 'running').length < 3) await new Promise((r) => setTimeout(r, 5));
}

describe('RunControl', () => {
  test('rescale: refusals say why and send nothing', async () => {
    const { schedule, control, sent } = setup();
    await running(schedule);
    expect(control.rescale('nope', { vus: 2 })).toMatchObject({ status: 404 });
    expect(control.rescale('fixed', { vus: 2 })).toMatchObject({ status: 409, body: { message: expect.stringMatching(/fixed number of iterations/) } });
    expect(control.rescale('steady', { rate: 2 })).toMatchObject({ status: 400, body: { message: expect.stringMatching(/takes \{ "vus": 20 \}/) } });
    expect(control.rescale('steady', { vus: 1.5 })).toMatchObject({ status: 400 });
    expect(control.rescale('open', { rate: 0 })).toMatchObject({ status: 400 });
    expect(control.rescale('open', [1])).toMatchObject({ status: 400 });
    expect(control.rescale('later', { vus: 3 })).toMatchObject({ status: 409, body: { message: expect.stringMatching(/is waiting/) } });
    expect(sent).toEqual([]);
    expect(control.events).toEqual([]);
    schedule.stop();
  });

  test('rescale: sent with ids past every planned one, logged with from and to', async () => {
    const { schedule, control, sent } = setup();
    await running(schedule);
    expect(control.rescale('steady', { vus: 20 }).status).toBe(200);
    expect(control.rescale('open', { rate: 100 }).status).toBe(200);
    // Planned ids: steady 1..5, open 6..25, fixed 26..27, later 28: VUs 5..19 of steady get 29..43.
    expect(sent).toEqual([
      { name: 'steady', change: { vus: 20 }, idBlocks: [{ fromIndex: 5, toIndex: 20, idBase: 28 }] },
      { name: 'open', change: { rate: 100 }, idBlocks: [] },
    ]);
    expect(control.events.map((e) => [e.action, e.scenario, e.from, e.to, e.unit])).toEqual([
      ['rescale', 'steady', 5, 20, 'VUs'],
      ['rescale', 'open', 50, 100, 'iterations/timeUnit'],
    ]);
    expect(control.status().scenarios.find((s) => s.name === 'steady')).toMatchObject({ value: 20, rescaled: true, steer: 'vus' });
    schedule.stop();
  });

  test('pause, resume, stop: each once, in order, and the log says so', async () => {
    const { schedule, state, control, sent } = setup();
    await running(schedule);
    expect(control.resume().status).toBe(409);
    expect(control.pause().status).toBe(200);
    expect(control.pause().status).toBe(409);
    expect(control.status().state).toBe('paused');
    expect(control.resume().status).toBe(200);
    expect(control.stop().status).toBe(200);
    expect(state.aborted).toBe('stopped from the dashboard (POST /api/stop)');
    expect(control.stop().status).toBe(409);
    expect(sent).toEqual(['pause', 'resume', 'stop true']);
    expect(control.events.map((e) => e.action)).toEqual(['pause', 'resume', 'stop']);
    expect(control.steered).toBe(true);
  });
});

describe('ScenarioSchedule under a pause', () => {
  test("a phase's startTime counts scenario time: paused 300 ms, it starts 300 ms later", async () => {
    const sc = resolveConfig({ scenarios: { a: { executor: 'constant-vus', vus: 1, duration: '1s', startTime: '200ms' } } }).scenarios;
    const schedule = new ScenarioSchedule(sc, 1, () => performance.now());
    let startedAt = 0;
    schedule.begin(() => (startedAt = performance.now()));
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, 50));
    schedule.pause();
    await new Promise((r) => setTimeout(r, 300));
    expect(startedAt, 'held while paused').toBe(0);
    schedule.resume();
    await new Promise((r) => setTimeout(r, 400));
    expect(startedAt - t0).toBeGreaterThanOrEqual(490);
    expect(schedule.pausedMs).toBeGreaterThanOrEqual(295);
    schedule.stop();
  });
});

describe('the words of a steered run', () => {
  const e = (action: ControlEvent['action'], atMs: number, by = 'api'): ControlEvent => ({ action, atMs, at: new Date(atMs).toISOString(), by });
  test('paused time pairs each pause with its resume, an open pause lasts to the end', () => {
    expect(pausedMsOf([e('pause', 1000), e('resume', 3000), e('pause', 5000)], 6000)).toBe(3000);
  });

  test('--paused alone is not steering; a pause or a rescale is', () => {
    expect(steeredText([e('pause', 0, '--paused'), e('resume', 0)], 5000)).toBeUndefined();
    expect(steeredText([e('stop', 1000)], 5000)).toBeUndefined();
    expect(steeredText([e('pause', 0, '--paused'), e('resume', 0), e('pause', 1000), e('resume', 2500)], 5000)).toBe('steered: paused 1× (1.5s in all) — not the plan as written');
    expect(steeredText([{ ...e('rescale', 1000), scenario: 'a', from: 1, to: 2, unit: 'VUs' }], 5000)).toBe('steered: 1 rescale — not the plan as written');
  });
});
