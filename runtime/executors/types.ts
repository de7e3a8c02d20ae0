/**
 * An executor has two halves (k6's lib/executor): a pure half that validates and resolves the
 * user's options and describes the plan, and a running half that drives VUs inside one worker.
 */
import type { ResolvedScenario } from './resolved.js';

/** One problem found while resolving options; all are collected and shown as one list. */
export interface ConfigIssue {
  /** Option path, e.g. `scenarios.ramp.stages[1].duration`. */
  path: string;
  message: string;
}

/** Why a VU was stopped; becomes the `interrupted` tag of `interrupted_iterations`. */
export type StopCause = 'gracefulStop' | 'gracefulRampDown' | 'maxDuration' | 'abort';

/** A change of a running scenario from the control API: its VUs or its rate per timeUnit from now on. */
export interface Rescale {
  vus?: number;
  rate?: number;
}

/** A VU as an executor drives it (worker/vu.ts implements it). */
export interface ExecutorVu {
  /** Runs one iteration of the scenario's function; never rejects. */
  iterate(): Promise<unknown>;
  /** Stopped (by stop()) and not revived since: it starts no iteration. */
  readonly stopped: boolean;
  /** Inside a closed-model loop (between iterations too): counted in the `vus` gauge. */
  looping: boolean;
  /** A VU stopped by a ramp-down comes back, with its state kept. */
  revive(): void;
  /** Interrupt now: in-flight work ends, the iteration counts as interrupted. */
  stop(cause: StopCause): void;
}

/** What an executor needs from the worker to run its share of a scenario. */
export interface ExecutorRunContext<S extends ResolvedScenario = ResolvedScenario> {
  readonly scenario: S;
  readonly workerIndex: number;
  readonly workerCount: number;
  /** The VU with this global index (0-based within the scenario); created on first use. */
  vu(globalIndex: number): ExecutorVu;
  /** The scenario's clock, ms: local monotonic time that stands still while the run is paused (steering.ts). */
  now(): number;
  /**
   * Resolves at scenario time `t` (later by any pause) or when the scenario is told to end
   * (whichever is first); with `untilRescale`, also on a rescale (the arrival loop recomputes its next due time).
   */
  sleepUntil(t: number, untilRescale?: boolean): Promise<void>;
  /** The run is paused: start no iteration until `resumed()` resolves. */
  readonly paused: boolean;
  /** Resolves on resume, or at once when not paused or ending. */
  resumed(): Promise<void>;
  /** Called on each rescale from the control API (`vus` or `rate`, as steerKindOf says). Returns the undo. */
  onRescale(fn: (change: Rescale) => void): () => void;
  /** The latest rescale of this scenario, if any. */
  readonly rescaled: Rescale | undefined;
  /** True once the scenario must not start new iterations (its end, or a stop from outside). */
  readonly ending: boolean;
  /** Ends the scenario now: no new iterations; in-flight ones get `gracefulStopMs`. */
  end(): void;
  /** Waits up to the graceful stop for `loops`, then interrupts every VU still busy and waits again. */
  finish(loops: Promise<unknown>[]): Promise<void>;
  /** Counted in `dropped_iterations` (arrival-rate executors). */
  dropped(n: number): void;
  /** Records the start lag of an arrival-rate iteration (actual start minus scheduled start). */
  lag(ms: number): void;
}

export interface ExecutorDefinition<S extends ResolvedScenario> {
  readonly type: S['executor'];
  /** Fill defaults, convert durations, collect problems; `base` holds the fields every executor shares. */
  resolve(raw: Record<string, unknown>, base: BaseFields, path: string, issues: ConfigIssue[]): S;
  /** VUs this scenario may use at most (for allocation, vu ids and worker count). */
  maxVUs(s: S): number;
  /** Planned duration without graceful stop, when known in advance (progress display). */
  plannedDurationMs(s: S): number | undefined;
  /** One line for the start banner: "100 iterations shared among 10 VUs". */
  describe(s: S): string;
  run(ctx: ExecutorRunContext<S>): Promise<void>;
}

/** Fields every resolved scenario has, whatever its executor. */
export type BaseFields = Pick<ResolvedScenario, 'name' | 'executor' | 'exec' | 'env' | 'tags' | 'startTimeMs' | 'after' | 'gracefulStopMs' | 'thresholds' | 'idOffset'>;
