/**
 * The earliest and latest each scenario can start and end, from its plan alone (before any load),
 * to tell whether a fault can ever act while load runs. Time-based executors last their planned
 * duration; iteration-based ones between 0 and `maxDuration`; any may run `gracefulStop` longer.
 * A scenario with `after` starts `startTime` after its predecessor's end. Bounds are in ms from
 * the start of the load.
 */
import type { ResolvedScenario } from '../executors/resolved.js';
import { EXECUTORS } from '../executors/registry.js';

export interface Span {
  min: number;
  max: number;
}

export interface ScenarioBounds {
  start: Span;
  end: Span;
}

/** `scenarios` in start order (resolveConfig's order: a predecessor before its followers). */
export function scenarioBounds(scenarios: readonly ResolvedScenario[]): Map<string, ScenarioBounds> {
  const out = new Map<string, ScenarioBounds>();
  for (const s of scenarios) {
    const parent = s.after === undefined ? undefined : out.get(s.after);
    const start = parent ? { min: parent.end.min + s.startTimeMs, max: parent.end.max + s.startTimeMs } : { min: s.startTimeMs, max: s.startTimeMs };
    const planned = (EXECUTORS[s.executor].plannedDurationMs as (x: ResolvedScenario) => number | undefined)(s);
    const longest = planned ?? ('maxDurationMs' in s ? s.maxDurationMs : Infinity);
    out.set(s.name, { start, end: { min: start.min + (planned ?? 0), max: start.max + longest + s.gracefulStopMs } });
  }
  return out;
}
