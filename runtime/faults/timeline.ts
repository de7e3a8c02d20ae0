/**
 * When each fault turns on and off, from where it is placed and what the run did so far: pure,
 * so the coordinator can call it again at every phase event and schedule the transitions it
 * returns. Times are ms from the start of the load (the moment scenarios start being scheduled).
 *
 * - `startTime` alone: on at startTime.
 * - `after: 'x'`: on startTime (default 0) after scenario x has finished on every worker.
 * - `during: 'x'`: on startTime (default 0) after x started; never later than x's end, and off at
 *   x's end at the latest. A fault whose start falls at or after x's end never turns on.
 * - `duration`: off that long after on; without it the fault lasts until the end of the run
 *   (startTime, after) or of the scenario (during). Every fault is off when the run ends.
 */

import type { FaultPlacement } from '../config/faults-resolved.js';

export type { FaultPlacement };

export interface TimelineFault {
  name: string;
  placement: FaultPlacement;
  /** undefined: until the end of the run (or of the scenario, for `during`); 0: an instant (restart). */
  durationMs: number | undefined;
}

export type PhaseEvent = { type: 'scenario-start' | 'scenario-end'; scenario: string; t: number } | { type: 'run-end'; t: number };

export interface FaultWindow {
  fault: string;
  /** 'pending': what it hangs on has not happened yet; 'never': it will not turn on in this run. */
  state: 'pending' | 'placed' | 'never';
  /** When it turns on (placed only). */
  on: number | undefined;
  /** When it turns off; undefined while that is not known yet (the run or the scenario has not ended). */
  off: number | undefined;
}

interface Known {
  start: Map<string, number>;
  end: Map<string, number>;
  runEnd: number | undefined;
}

export function faultWindows(faults: readonly TimelineFault[], events: readonly PhaseEvent[]): FaultWindow[] {
  const known: Known = { start: new Map(), end: new Map(), runEnd: undefined };
  for (const e of events) {
    if (e.type === 'run-end') known.runEnd = e.t;
    // The first start and end count (a phase runs once).
    else if (e.type === 'scenario-start') known.start.has(e.scenario) || known.start.set(e.scenario, e.t);
    else known.end.has(e.scenario) || known.end.set(e.scenario, e.t);
  }
  return faults.map((f) => windowOf(f, known));
}

function windowOf(f: TimelineFault, k: Known): FaultWindow {
  const pending: FaultWindow = { fault: f.name, state: k.runEnd === undefined ? 'pending' : 'never', on: undefined, off: undefined };
  const never: FaultWindow = { fault: f.name, state: 'never', on: undefined, off: undefined };
  const p = f.placement;
  const anchor = p.type === 'start' ? 0 : p.type === 'after' ? k.end.get(p.scenario) : k.start.get(p.scenario);
  if (anchor === undefined) return pending;
  const on = anchor + p.offsetMs;
  let off = f.durationMs === undefined ? undefined : on + f.durationMs;
  // Past its limit a fault never turns on; an instant (duration 0) still happens at the limit itself.
  const beyond = (limit: number) => (f.durationMs === 0 ? on > limit : on >= limit);
  const end = p.type === 'during' ? k.end.get(p.scenario) : undefined;
  for (const limit of [end, k.runEnd]) {
    if (limit === undefined) continue;
    if (beyond(limit)) return never;
    off = off === undefined ? limit : Math.min(off, limit);
  }
  return { fault: f.name, state: 'placed', on, off };
}

/** The faults on at time `t` (on ≤ t < off, or on = t for an instant). */
export function activeAt(windows: readonly FaultWindow[], t: number): string[] {
  return windows.filter((w) => w.state === 'placed' && w.on! <= t && (w.off === undefined || t < w.off || (w.on === w.off && w.on === t))).map((w) => w.fault);
}

/** The next time after `now` at which some fault turns on or off, if one is known. */
export function nextTransition(windows: readonly FaultWindow[], now: number): number | undefined {
  let next: number | undefined;
  for (const w of windows) {
    if (w.state !== 'placed') continue;
    for (const t of [w.on, w.off]) if (t !== undefined && t > now && (next === undefined || t < next)) next = t;
  }
  return next;
}
