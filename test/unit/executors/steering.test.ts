/**
 * The pure model of a steered scenario: the clock held by pauses, the arrival plan after a rate
 * change, and the ids of VUs beyond the plan. The arrival tests replay the runner's own rule
 * (iteration k is due at start + timeOf(k) in scenario time) under a wall clock the test moves.
 */
import { describe, expect, test } from 'vitest';
import { ArrivalSchedule, constantSegments, rampingSegments, type RateSegment } from '../../../runtime/executors/arrival-schedule.js';
import { growIdBlocks, PausableClock, rescaledSegments, steerKindOf, vuIdOf } from '../../../runtime/executors/steering.js';

function fakeWall(): { now: () => number; set(t: number): void } {
  let t = 0;
  return { now: () => t, set: (v) => (t = v) };
}

/**
 * Wall times of every arrival of `segments`, with the run paused over `pauses` (wall ms) and the
 * rate set to `rescale.perMs` at wall time `rescale.at`: a step-by-step replay of runArrivals.
 */
function wallArrivals(segments: RateSegment[], pauses: Array<[number, number]>, rescale?: { at: number; perMs: number }): number[] {
  const wall = fakeWall();
  const clock = new PausableClock(wall.now);
  let schedule = new ArrivalSchedule(segments);
  const out: number[] = [];
  let k = 0;
  let due = schedule.timeOf(k);
  let rescaled = false;
  for (let t = 0; t <= 60_000 && Number.isFinite(due); t += 1) {
    wall.set(t);
    for (const [from, to] of pauses) {
      if (t === from) clock.pause();
      if (t === to) clock.resume();
    }
    if (rescale && !rescaled && t >= rescale.at) {
      rescaled = true;
      schedule = new ArrivalSchedule(rescaledSegments(schedule.segments, clock.now(), rescale.perMs));
      due = schedule.timeOf(k);
    }
    if (clock.paused) continue;
    while (due <= clock.now()) {
      out.push(t);
      due = schedule.timeOf(++k);
    }
  }
  return out;
}

function perSecond(times: number[], seconds: number): number[] {
  const c = new Array(seconds).fill(0);
  for (const t of times) if (t < seconds * 1000) c[Math.floor(t / 1000)]++;
  return c;
}

describe('PausableClock', () => {
  test('stands still while paused and goes on from there: the pause is owed, not skipped', () => {
    const wall = fakeWall();
    const c = new PausableClock(wall.now);
    wall.set(1000);
    expect(c.now()).toBe(1000);
    expect(c.pause()).toBe(true);
    expect(c.pause()).toBe(false);
    wall.set(4000);
    expect(c.now()).toBe(1000);
    expect(c.heldMs).toBe(3000);
    expect(c.resume()).toBe(true);
    expect(c.resume()).toBe(false);
    wall.set(4500);
    expect(c.now()).toBe(1500);
    expect(c.heldMs).toBe(3000);
  });
});

describe('arrivals under a pause', () => {
  test('50/s for 10 s paused from 3 s to 6 s: nothing during the pause, 50/s after it with no catch-up burst, all 500 arrive, 3 s later', () => {
    const times = wallArrivals(constantSegments(50, 1000, 10_000), [[3000, 6000]]);
    expect(times).toHaveLength(500);
    const counts = perSecond(times, 13);
    expect(counts.slice(0, 3)).toEqual([50, 50, 50]);
    expect(counts.slice(3, 6)).toEqual([0, 0, 0]);
    expect(counts.slice(6, 13)).toEqual([50, 50, 50, 50, 50, 50, 50]);
    expect(times.at(-1)).toBeGreaterThanOrEqual(12_900);
  });

  test('a ramp resumes where it stood: 0 → 100/s over 4 s paused at 2 s for 5 s', () => {
    const plain = wallArrivals(rampingSegments(0, [{ durationMs: 4000, target: 100 }], 1000), []);
    const paused = wallArrivals(rampingSegments(0, [{ durationMs: 4000, target: 100 }], 1000), [[2000, 7000]]);
    expect(paused).toHaveLength(plain.length);
    // Every arrival after the pause is the planned one, 5 s later.
    for (let i = 0; i < plain.length; i++) expect(paused[i]).toBe(plain[i] < 2000 ? plain[i] : plain[i] + 5000);
  });
});

describe('rescaledSegments', () => {
  test('50/s → 100/s at 4 s of 10 s: 200 before, 100/s from then on, 800 in all', () => {
    const seg = rescaledSegments(constantSegments(50, 1000, 10_000), 4000, 0.1);
    expect(seg).toEqual([
      { durationMs: 4000, fromPerMs: 0.05, toPerMs: 0.05 },
      { durationMs: 6000, fromPerMs: 0.1, toPerMs: 0.1 },
    ]);
    expect(new ArrivalSchedule(seg).total).toBe(800);
    const counts = perSecond(wallArrivals(constantSegments(50, 1000, 10_000), [], { at: 4000, perMs: 0.1 }), 10);
    expect(counts).toEqual([50, 50, 50, 50, 100, 100, 100, 100, 100, 100]);
  });

  test('a ramp is cut where it stood: the count up to the change is the same', () => {
    const ramp = rampingSegments(0, [{ durationMs: 4000, target: 400 }], 1000);
    const seg = rescaledSegments(ramp, 1000, 0.2);
    expect(seg[0].durationMs).toBe(1000);
    expect(seg[0].toPerMs).toBeCloseTo(0.1, 12);
    // N(1 s) of 0 → 400/s over 4 s is 50.
    expect(((seg[0].fromPerMs + seg[0].toPerMs) / 2) * seg[0].durationMs).toBeCloseTo(50, 9);
    expect(seg[1]).toEqual({ durationMs: 3000, fromPerMs: 0.2, toPerMs: 0.2 });
  });

  test('a rescale and a pause together: the new rate holds after the pause', () => {
    const counts = perSecond(wallArrivals(constantSegments(50, 1000, 6000), [[3000, 5000]], { at: 2000, perMs: 0.1 }), 8);
    expect(counts).toEqual([50, 50, 100, 0, 0, 100, 100, 100]);
  });
});

describe('ids of VUs beyond the plan', () => {
  test('grown blocks start past every planned id and never overlap', () => {
    // Scenario A: ids 1..5 (offset 0); scenario B: 6..8 (offset 5). First free id: 8.
    let next = 8;
    const a1 = growIdBlocks([], 5, 20, next);
    next = a1.nextId;
    expect(a1.blocks).toEqual([{ fromIndex: 5, toIndex: 20, idBase: 8 }]);
    const a2 = growIdBlocks(a1.blocks, 5, 10, next);
    expect(a2.blocks).toEqual(a1.blocks);
    const a3 = growIdBlocks(a2.blocks, 5, 25, next);
    expect(a3.blocks.at(-1)).toEqual({ fromIndex: 20, toIndex: 25, idBase: 23 });
    const ids = Array.from({ length: 25 }, (_, i) => vuIdOf(0, 5, i, a3.blocks));
    const b = [0, 1, 2].map((i) => vuIdOf(5, 3, i, []));
    const all = [...ids, ...b];
    expect(new Set(all).size).toBe(all.length);
    expect(ids.slice(0, 5)).toEqual([1, 2, 3, 4, 5]);
    expect(ids[5]).toBe(9);
  });

  test('which executors take { vus } and which { rate }', () => {
    expect(['constant-vus', 'ramping-vus', 'constant-arrival-rate', 'ramping-arrival-rate', 'shared-iterations', 'per-vu-iterations'].map(steerKindOf)).toEqual(['vus', 'vus', 'rate', 'rate', undefined, undefined]);
  });
});
