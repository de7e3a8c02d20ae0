/** When faults turn on and off, from their placement and the run's phase events (a table). */
import { describe, expect, test } from 'vitest';
import { activeAt, faultWindows, nextTransition, type FaultPlacement, type PhaseEvent, type TimelineFault } from '../../../runtime/faults/timeline.js';

const start = (offsetMs: number): FaultPlacement => ({ type: 'start', offsetMs });
const after = (scenario: string, offsetMs = 0): FaultPlacement => ({ type: 'after', scenario, offsetMs });
const during = (scenario: string, offsetMs = 0): FaultPlacement => ({ type: 'during', scenario, offsetMs });
const ev = {
  start: (scenario: string, t: number): PhaseEvent => ({ type: 'scenario-start', scenario, t }),
  end: (scenario: string, t: number): PhaseEvent => ({ type: 'scenario-end', scenario, t }),
  run: (t: number): PhaseEvent => ({ type: 'run-end', t }),
};

// A run of three phases: warm 0-10 s, burst 10-25 s, cool 25-30 s; the run ends at 31 s.
const RUN = [ev.start('warm', 0), ev.end('warm', 10_000), ev.start('burst', 10_050), ev.end('burst', 25_000), ev.start('cool', 25_020), ev.end('cool', 30_000), ev.run(31_000)];

type Row = [what: string, placement: FaultPlacement, durationMs: number | undefined, events: PhaseEvent[], expected: { state: string; on?: number; off?: number }];

const table: Row[] = [
  ['startTime + duration', start(4000), 3000, RUN, { state: 'placed', on: 4000, off: 7000 }],
  ['startTime 0 (the very start)', start(0), 2000, RUN, { state: 'placed', on: 0, off: 2000 }],
  ['startTime without duration lasts until the run ends', start(4000), undefined, RUN, { state: 'placed', on: 4000, off: 31_000 }],
  ['startTime, run still going, no duration: off unknown', start(4000), undefined, RUN.slice(0, 3), { state: 'placed', on: 4000, off: undefined }],
  ['duration past the run end is cut at the end', start(29_000), 10_000, RUN, { state: 'placed', on: 29_000, off: 31_000 }],
  ['startTime at or after the run end: never', start(31_000), 1000, RUN, { state: 'never' }],
  ['after: on when the scenario ended', after('warm'), 2000, RUN, { state: 'placed', on: 10_000, off: 12_000 }],
  ['after with startTime: that long after the end', after('warm', 500), 2000, RUN, { state: 'placed', on: 10_500, off: 12_500 }],
  ['after a scenario that has not ended yet: pending', after('burst'), 2000, RUN.slice(0, 3), { state: 'pending' }],
  ['after a scenario that never ran (run over): never', after('other'), 2000, RUN, { state: 'never' }],
  ['after the last scenario, run ends 1 s later: cut', after('cool'), 3000, RUN, { state: 'placed', on: 30_000, off: 31_000 }],
  ['during: the whole scenario without duration', during('burst'), undefined, RUN, { state: 'placed', on: 10_050, off: 25_000 }],
  ['during, scenario still running: off unknown', during('burst'), undefined, RUN.slice(0, 3), { state: 'placed', on: 10_050, off: undefined }],
  ['during with startTime and duration', during('burst', 2000), 3000, RUN, { state: 'placed', on: 12_050, off: 15_050 }],
  ['during: cut at the end of the scenario', during('cool', 1000), 10_000, RUN, { state: 'placed', on: 26_020, off: 30_000 }],
  ['during: a start beyond the scenario end never happens', during('cool', 5000), 1000, RUN, { state: 'never' }],
  ['during a scenario not started yet: pending', during('cool'), 1000, RUN.slice(0, 4), { state: 'pending' }],
  ['during a scenario skipped by an early end: never', during('cool'), 1000, [...RUN.slice(0, 4), ev.run(25_010)], { state: 'never' }],
  ['an instant (restart) at the scenario end still happens', during('warm', 10_000), 0, RUN, { state: 'placed', on: 10_000, off: 10_000 }],
  ['a run stopped early turns an open fault off', start(1000), undefined, [ev.start('warm', 0), ev.run(5000)], { state: 'placed', on: 1000, off: 5000 }],
];

describe('faultWindows', () => {
  test.each(table)('%s', (_what, placement, durationMs, events, expected) => {
    const [w] = faultWindows([{ name: 'f', placement, durationMs }], events);
    expect({ state: w.state, ...(w.on !== undefined ? { on: w.on } : {}), ...(w.off !== undefined ? { off: w.off } : {}) }).toEqual(expected);
  });

  test('a scenario that starts twice in the events counts from its first start', () => {
    const [w] = faultWindows([{ name: 'f', placement: during('warm'), durationMs: 1000 }], [ev.start('warm', 100), ev.start('warm', 900)]);
    expect(w.on).toBe(100);
  });
});

describe('activeAt and nextTransition', () => {
  const faults: TimelineFault[] = [
    { name: 'a', placement: start(1000), durationMs: 2000 },
    { name: 'b', placement: during('burst'), durationMs: undefined },
    { name: 'r', placement: after('warm'), durationMs: 0 },
  ];
  const windows = faultWindows(faults, RUN);

  test.each([
    [999, []],
    [1000, ['a']],
    [2999, ['a']],
    [3000, []],
    [10_000, ['r']],
    [10_001, []],
    [10_050, ['b']],
    [24_999, ['b']],
    [25_000, []],
  ])('at %i ms: %j', (t, on) => {
    expect(activeAt(windows, t)).toEqual(on);
  });

  test('the next on/off after a time', () => {
    expect(nextTransition(windows, 0)).toBe(1000);
    expect(nextTransition(windows, 1000)).toBe(3000);
    expect(nextTransition(windows, 3000)).toBe(10_000);
    expect(nextTransition(windows, 10_000)).toBe(10_050);
    expect(nextTransition(windows, 25_000)).toBeUndefined();
  });
});
