/** recovery_time from per-second windows (a table of runs), with the default and overridden criteria. */
import { describe, expect, test } from 'vitest';
import { recoveryOf, type RecoveryWindow } from '../../../runtime/faults/recovery.js';
import { createHistogram, recordScaled } from '../../../runtime/metrics/hdr.js';

/** One window per second from 0: [requests, failed, p95 ms] each (p95 undefined: no latency known). */
function run(...secs: Array<[number, number, number?]>): RecoveryWindow[] {
  return secs.map(([requests, failed, p95], i) => ({ start: i * 1000, durationMs: 1000, requests, failed, ...(p95 !== undefined ? { p95 } : {}) }));
}
const repeat = <T,>(n: number, x: T): T[] => Array.from({ length: n }, () => x);

const OK: [number, number, number] = [50, 0, 10];
const DOWN: [number, number, number] = [50, 50, 1];

describe('default criteria', () => {
  test.each<[string, RecoveryWindow[], { on: number; off: number }, number | undefined]>([
    ['healthy right after the lift (lifted on a window boundary)', run(...repeat(10, OK), ...repeat(3, DOWN), ...repeat(5, OK)), { on: 10_000, off: 13_000 }, 0],
    ['lifted mid-window: the first window that starts after it', run(...repeat(10, OK), ...repeat(3, DOWN), ...repeat(5, OK)), { on: 10_000, off: 12_400 }, 600],
    ['two bad seconds after the lift', run(...repeat(10, OK), ...repeat(3, DOWN), DOWN, [50, 10, 10], ...repeat(4, OK)), { on: 10_000, off: 13_000 }, 2000],
    ['a relapse inside the 3 s restarts the count', run(...repeat(10, OK), DOWN, OK, OK, DOWN, OK, OK, OK), { on: 10_000, off: 11_000 }, 3000],
    ['latency 3× the baseline is not healthy yet', run(...repeat(10, OK), DOWN, [50, 0, 30], [50, 0, 20], ...repeat(3, OK)), { on: 10_000, off: 11_000 }, 1000],
    ['a window without requests is not healthy', run(...repeat(10, OK), DOWN, [0, 0], ...repeat(3, OK)), { on: 10_000, off: 11_000 }, 1000],
    ['the run ends before 3 healthy seconds: not recovered', run(...repeat(10, OK), DOWN, OK, OK), { on: 10_000, off: 11_000 }, undefined],
    ['a fault until the end: not recovered', run(...repeat(10, OK), DOWN, DOWN), { on: 10_000, off: 12_000 }, undefined],
  ])('%s', (_what, windows, occ, expected) => {
    const r = recoveryOf({ fault: 'f', ...occ }, windows);
    expect(r.recoveryTimeMs).toBe(expected);
    expect(r.state).toBe(expected === undefined ? 'not-recovered' : 'recovered');
  });

  test('baseline failures: no worse than before the fault passes, 0.1 % floor otherwise', () => {
    // 2 % failing before the fault: 2 % after is recovered, 3 % is not.
    const noisy = run(...repeat(10, [100, 2, 10] as [number, number, number]), [100, 100, 1], [100, 3, 10], ...repeat(3, [100, 2, 10] as [number, number, number]));
    const r = recoveryOf({ fault: 'f', on: 10_000, off: 11_000 }, noisy);
    expect(r.baseline).toEqual({ requests: 1000, failureRate: 0.02, p95: 10 });
    expect(r.criteria).toEqual({ failed: 'rate<=2%', latency: 'p95<=20ms', forMs: 3000 });
    expect(r.recoveryTimeMs).toBe(1000);
    // A clean baseline still tolerates 1 failure in 1000 (the floor), not 2.
    const clean = run(...repeat(10, [1000, 0, 10] as [number, number, number]), [1000, 1000, 1], [1000, 2, 10], ...repeat(3, [1000, 1, 10] as [number, number, number]));
    const c = recoveryOf({ fault: 'f', on: 10_000, off: 11_000 }, clean);
    expect(c.criteria.failed).toBe('rate<=0.1%');
    expect(c.recoveryTimeMs).toBe(1000);
  });

  test('a fault at the very start: no baseline, so the floor alone and no latency criterion', () => {
    const r = recoveryOf({ fault: 'f', on: 0, off: 2000 }, run(DOWN, DOWN, [50, 0, 500], [50, 0, 900], [50, 0, 700]));
    expect(r.baseline).toEqual({ requests: 0, failureRate: undefined, p95: undefined });
    expect(r.criteria.latency).toBeUndefined();
    expect(r.recoveryTimeMs).toBe(0);
  });

  test('only windows wholly inside the 10 s before the fault form the baseline', () => {
    // 20 s of history: the first 10 s are slow (p95 100 ms) and fall outside; a partial window too.
    const windows = run(...repeat(10, [50, 0, 100] as [number, number, number]), ...repeat(10, OK), DOWN, ...repeat(3, [50, 0, 25] as [number, number, number]), ...repeat(3, OK));
    const r = recoveryOf({ fault: 'f', on: 20_500, off: 21_000 }, windows);
    expect(r.baseline.p95).toBe(10);
    expect(r.recoveryTimeMs).toBe(3000);
  });

  test('with histograms the baseline p95 is that of the merged histograms', () => {
    const windows: RecoveryWindow[] = [];
    for (let s = 0; s < 14; s++) {
      const h = createHistogram();
      const down = s === 10;
      // Before the fault: 95 requests at 10 ms and 5 at 100 ms per second (p95 10 ms).
      for (let i = 0; i < 100; i++) recordScaled(h, s >= 11 ? 15 : i < 95 ? 10 : 100);
      windows.push({ start: s * 1000, durationMs: 1000, requests: 100, failed: down ? 100 : 0, histogram: h });
    }
    const r = recoveryOf({ fault: 'f', on: 10_000, off: 11_000 }, windows);
    expect(r.baseline.p95).toBeCloseTo(10, 1);
    expect(r.recoveryTimeMs).toBe(0);
  });

  test('the latency limit is never below 1 ms', () => {
    const fast: [number, number, number] = [100, 0, 0.05];
    const r = recoveryOf({ fault: 'f', on: 10_000, off: 11_000 }, run(...repeat(10, fast), DOWN, [100, 0, 0.9], [100, 0, 0.4], [100, 0, 0.7]));
    expect(r.criteria.latency).toBe('p95<=1ms');
    expect(r.recoveryTimeMs).toBe(0);
  });

  test('pending while the run goes on', () => {
    const r = recoveryOf({ fault: 'f', on: 10_000, off: 11_000 }, run(...repeat(10, OK), DOWN, OK), {}, false);
    expect(r.state).toBe('pending');
  });

  test('a missing window (nobody reported) breaks the healthy stretch', () => {
    const windows = run(...repeat(10, OK), DOWN, OK, OK, OK, OK, OK).filter((w) => w.start !== 12_000);
    expect(recoveryOf({ fault: 'f', on: 10_000, off: 11_000 }, windows).recoveryTimeMs).toBe(2000);
  });
});

describe('overridden criteria', () => {
  test("recovered: { failed: 'rate<1%', latency: 'p95<200ms', for: '2s' }", () => {
    const windows = run(...repeat(10, OK), DOWN, [100, 2, 50], [100, 0, 250], [100, 0, 150], [200, 1, 190], [1, 0, 1]);
    const r = recoveryOf({ fault: 'f', on: 10_000, off: 11_000 }, windows, { failed: 'rate<1%', latency: 'p95<200ms', forMs: 2000 });
    expect(r.criteria).toEqual({ failed: 'rate<1%', latency: 'p95<200ms', forMs: 2000 });
    // 2 % failing, then p95 250 ms, then healthy for 2 s from 13 s.
    expect(r.recoveryTimeMs).toBe(2000);
  });

  test('an exact threshold compares exactly: 1 of 100 is not rate<1%', () => {
    const r = recoveryOf({ fault: 'f', on: 0, off: 1000 }, run(DOWN, [100, 1, 1], [100, 0, 1], [100, 0, 1], [100, 0, 1]), { failed: 'rate<1%' });
    expect(r.recoveryTimeMs).toBe(1000);
  });

  test('a latency criterion on p99 needs histograms: with a p95 alone it never holds', () => {
    const r = recoveryOf({ fault: 'f', on: 0, off: 1000 }, run(DOWN, OK, OK, OK), { latency: 'p99<1s' });
    expect(r.state).toBe('not-recovered');
  });
});
