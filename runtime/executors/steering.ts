/**
 * Pure planning for a steered scenario (the dashboard's control API): a clock that stands still
 * while the run is paused, the arrival plan after a rate change, and the ids of VUs added beyond
 * the plan. Nothing here runs a timer or a VU; the worker's ScenarioRunner drives these, and the
 * unit tests replay pauses and rescales against them with a clock they control.
 *
 * Why a held clock rather than "skip the missed arrivals": every executor reads time through
 * ExecutorRunContext.now(). If that time does not move while paused, a ramp resumes where it was,
 * a constant-vus duration is extended by the pause, and an arrival schedule's next iteration is
 * due at its planned scenario time after resume: no backlog, so no catch-up burst.
 */
import type { RateSegment } from './arrival-schedule.js';

/** Scenario time from a wall clock, minus every pause. `wall` is injected (performance.now in a worker). */
export class PausableClock {
  #heldMs = 0;
  #pausedAt: number | undefined;

  constructor(readonly wall: () => number) {}

  get paused(): boolean {
    return this.#pausedAt !== undefined;
  }

  /** Scenario time: wall time minus the time spent paused; it does not move while paused. */
  now(): number {
    return (this.#pausedAt ?? this.wall()) - this.#heldMs;
  }

  /** Total time spent paused so far (the current pause included). */
  get heldMs(): number {
    return this.#heldMs + (this.#pausedAt === undefined ? 0 : this.wall() - this.#pausedAt);
  }

  /** False when it was paused already. */
  pause(): boolean {
    if (this.#pausedAt !== undefined) return false;
    this.#pausedAt = this.wall();
    return true;
  }

  /** False when it was not paused. */
  resume(): boolean {
    if (this.#pausedAt === undefined) return false;
    this.#heldMs += this.wall() - this.#pausedAt;
    this.#pausedAt = undefined;
    return true;
  }
}

/**
 * The arrival plan after the rate is set to `perMs` at `atMs` after the scenario's start (scenario
 * time): the planned segments up to `atMs` as they were (a ramp cut where it stood), then the new
 * rate until the planned end. The cumulative count is continuous at `atMs`, so iteration k keeps
 * its index and those not yet due follow the new rate from that moment.
 */
export function rescaledSegments(segments: readonly RateSegment[], atMs: number, perMs: number): RateSegment[] {
  const out: RateSegment[] = [];
  let t = 0;
  let total = 0;
  for (const s of segments) total += s.durationMs;
  const at = Math.max(0, Math.min(atMs, total));
  for (const s of segments) {
    if (t >= at) break;
    const take = Math.min(s.durationMs, at - t);
    const to = take === s.durationMs ? s.toPerMs : s.fromPerMs + ((s.toPerMs - s.fromPerMs) * take) / s.durationMs;
    out.push({ durationMs: take, fromPerMs: s.fromPerMs, toPerMs: to });
    t += take;
  }
  if (total - at > 0) out.push({ durationMs: total - at, fromPerMs: perMs, toPerMs: perMs });
  return out;
}

/** VU indices [fromIndex, toIndex) of a scenario get ids idBase+1, idBase+2, ... (VUs added beyond its plan). */
export interface VuIdBlock {
  fromIndex: number;
  toIndex: number;
  idBase: number;
}

/**
 * vu.id of the scenario's VU with global index `i`: within the plan idOffset + i + 1 (resolve.ts
 * gives each scenario its own range); beyond it, from the blocks the coordinator handed out past
 * every planned id, so ids stay unique across the test however often a scenario is scaled up.
 */
export function vuIdOf(idOffset: number, plannedVus: number, i: number, blocks: readonly VuIdBlock[]): number {
  if (i < plannedVus) return idOffset + i + 1;
  const b = blocks.find((x) => i >= x.fromIndex && i < x.toIndex);
  // Not reachable when the coordinator sent the blocks with the rescale; still unique against planned ids.
  return b ? b.idBase + (i - b.fromIndex) + 1 : -(i + 1);
}

/**
 * The blocks after scaling a scenario to `vus`: a new block for indices above the highest handed
 * out so far, its ids from `nextId` (the first free id past every planned and granted one).
 */
export function growIdBlocks(blocks: readonly VuIdBlock[], plannedVus: number, vus: number, nextId: number): { blocks: VuIdBlock[]; nextId: number } {
  const high = Math.max(plannedVus, ...blocks.map((b) => b.toIndex));
  if (vus <= high) return { blocks: [...blocks], nextId };
  return { blocks: [...blocks, { fromIndex: high, toIndex: vus, idBase: nextId }], nextId: nextId + (vus - high) };
}

/** What a rescale asks of one scenario: VUs for the VU-based executors, a rate (per its timeUnit) for arrival-rate ones. */
export type SteerKind = 'vus' | 'rate';

/** Which of the two a scenario's executor takes; undefined for the iteration-count executors (their work is fixed). */
export function steerKindOf(executor: string): SteerKind | undefined {
  switch (executor) {
    case 'constant-vus':
    case 'ramping-vus':
      return 'vus';
    case 'constant-arrival-rate':
    case 'ramping-arrival-rate':
      return 'rate';
    default:
      return undefined;
  }
}
