/**
 * When each scenario starts: at its startTime after the test start, or, with `after`, at its
 * startTime after the named scenario has fully finished on every worker (graceful stop included).
 * It is also the run's one definition of elapsed time (thresholds, summary, rates and progress
 * read it), and where the control API holds the run: while paused, phases that are not due yet
 * wait that much longer (their startTime counts scenario time, not wall time).
 */
import type { ResolvedScenario } from '../executors/resolved.js';
import { safeTimeout } from '../timers.js';

export type PhaseState = 'waiting' | 'running' | 'done' | 'skipped';

export interface Phase {
  scenario: ResolvedScenario;
  state: PhaseState;
  startedAt: number;
  endedAt: number;
  doneWorkers: Set<number>;
}

export class ScenarioSchedule {
  readonly phases: Phase[];
  /** Pending starts: each timer with its phase and when it is due (or, while paused, how long it had left). */
  #timers = new Map<NodeJS.Timeout, { p: Phase; dueAt: number; leftMs: number }>();
  #pausedAt: number | undefined;
  #pausedMs = 0;
  #stopped = false;
  readonly #lost = new Set<number>();
  #startPhase: (p: Phase) => void = () => {};
  readonly #startListeners = new Set<(p: Phase) => void>();
  readonly #endListeners = new Set<(p: Phase) => void>();
  readonly #beginListeners = new Set<(at: number) => void>();
  #resolveAll!: () => void;
  readonly allDone: Promise<void>;
  /** When begin() was called (0 before): the test's start, before any startTime. */
  begunAt = 0;
  /** How far ahead of the moment it is sent a phase start is delivered (instances/deferred-starts.ts): the phase starts then. */
  startLeadMs = 0;

  constructor(
    scenarios: readonly ResolvedScenario[],
    readonly workerCount: number,
    readonly now: () => number,
  ) {
    this.phases = scenarios.map((scenario) => ({ scenario, state: 'waiting', startedAt: 0, endedAt: 0, doneWorkers: new Set() }));
    this.allDone = new Promise((r) => (this.#resolveAll = r));
  }

  /** Starts the clock; `startPhase` tells the workers when a phase is due. */
  begin(startPhase: (p: Phase) => void): void {
    this.#startPhase = startPhase;
    this.begunAt = this.now();
    for (const l of this.#beginListeners) l(this.begunAt);
    for (const p of this.phases) if (!p.scenario.after) this.#startIn(p, p.scenario.startTimeMs);
    this.#check();
  }

  #startIn(p: Phase, ms: number): void {
    if (this.#pausedAt !== undefined) {
      this.#held.push({ p, leftMs: ms });
      return;
    }
    const t = safeTimeout(() => {
      this.#timers.delete(t);
      if (this.#stopped || p.state !== 'waiting') return;
      p.state = 'running';
      p.startedAt = this.now() + this.startLeadMs;
      for (const w of this.#lost) p.doneWorkers.add(w);
      this.#startPhase(p);
      for (const l of this.#startListeners) l(p);
    }, ms);
    this.#timers.set(t, { p, dueAt: this.now() + ms, leftMs: ms });
  }

  /** Phase starts held by a pause, with the time each had left. */
  #held: Array<{ p: Phase; leftMs: number }> = [];

  get paused(): boolean {
    return this.#pausedAt !== undefined;
  }

  /** Time spent paused so far, the current pause included. */
  get pausedMs(): number {
    return this.#pausedMs + (this.#pausedAt === undefined ? 0 : this.now() - this.#pausedAt);
  }

  /** Holds every pending start; false when already paused or stopped. Callable before begin() (--paused). */
  pause(): boolean {
    if (this.#pausedAt !== undefined || this.#stopped) return false;
    this.#pausedAt = this.now();
    for (const [t, x] of this.#timers) {
      clearTimeout(t);
      this.#held.push({ p: x.p, leftMs: Math.max(0, x.dueAt - this.#pausedAt) });
    }
    this.#timers.clear();
    return true;
  }

  resume(): boolean {
    if (this.#pausedAt === undefined) return false;
    this.#pausedMs += this.now() - this.#pausedAt;
    this.#pausedAt = undefined;
    const held = this.#held;
    this.#held = [];
    if (!this.#stopped) for (const h of held) this.#startIn(h.p, h.leftMs);
    return true;
  }

  /** Called as each phase starts (after its workers were told). Returns the undo. */
  onPhaseStart(fn: (p: Phase) => void): () => void {
    this.#startListeners.add(fn);
    return () => this.#startListeners.delete(fn);
  }

  /** Called once when begin() starts the clock (with begunAt). Returns the undo. */
  onBegin(fn: (at: number) => void): () => void {
    this.#beginListeners.add(fn);
    return () => this.#beginListeners.delete(fn);
  }

  /** Called as each phase is done on every worker. Returns the undo. */
  onPhaseEnd(fn: (p: Phase) => void): () => void {
    this.#endListeners.add(fn);
    return () => this.#endListeners.delete(fn);
  }

  workerDone(name: string, worker: number): void {
    const p = this.phases.find((x) => x.scenario.name === name);
    if (!p || p.state !== 'running') return;
    p.doneWorkers.add(worker);
    if (p.doneWorkers.size < this.workerCount) return;
    p.state = 'done';
    p.endedAt = this.now();
    for (const l of this.#endListeners) l(p);
    for (const next of this.phases) {
      if (next.scenario.after !== name || next.state !== 'waiting') continue;
      if (this.gate && !this.gate(p, next)) this.#skipChain(next);
      else this.#startIn(next, next.scenario.startTimeMs);
    }
    this.#check();
  }

  /**
   * Decides whether a phase chained `after` a finished one starts (a capacity search stops at its
   * first step that did not hold: coordinator/capacity-gate.ts). Absent: every chained phase starts.
   */
  gate: ((done: Phase, next: Phase) => boolean) | undefined;

  /** `p` will not start, nor anything chained after it. */
  #skipChain(p: Phase): void {
    p.state = 'skipped';
    for (const next of this.phases) if (next.scenario.after === p.scenario.name && next.state === 'waiting') this.#skipChain(next);
  }

  /** A worker is gone: it will not report, so stop waiting for it. */
  workerLost(worker: number): void {
    this.#lost.add(worker);
    for (const p of this.phases) if (p.state === 'running') this.workerDone(p.scenario.name, worker);
  }

  /** No more starts; phases that did not start are skipped. */
  stop(): void {
    this.#stopped = true;
    for (const t of this.#timers.keys()) clearTimeout(t);
    this.#timers.clear();
    this.#held = [];
    if (this.#pausedAt !== undefined) this.#pausedMs += this.now() - this.#pausedAt;
    this.#pausedAt = undefined;
    for (const p of this.phases) if (p.state === 'waiting') p.state = 'skipped';
    this.#check();
  }

  /** Every phase is done or skipped: the load is over. */
  get settled(): boolean {
    return this.phases.every((p) => p.state === 'done' || p.state === 'skipped');
  }

  #check(): void {
    if (this.settled) this.#resolveAll();
  }

  get firstStart(): number {
    const starts = this.phases.filter((p) => p.startedAt).map((p) => p.startedAt);
    return starts.length ? Math.min(...starts) : this.now();
  }

  get lastEnd(): number {
    const ends = this.phases.filter((p) => p.endedAt).map((p) => p.endedAt);
    return ends.length ? Math.max(...ends) : this.now();
  }

  /** From the first phase's start to now, or to the last end once the load is over (0 if nothing started). */
  testElapsedMs(): number {
    if (this.settled) return Math.max(0, this.lastEnd - this.firstStart);
    return this.now() - this.firstStart;
  }

  /** From the phase's start to its end, or to now while it runs; 0 before it starts. */
  phaseElapsedMs(p: Phase): number {
    if (!p.startedAt) return 0;
    return (p.endedAt || (this.settled ? this.lastEnd : this.now())) - p.startedAt;
  }

  /** What a counter's rate divides by: a `{scenario:x}` filter's own phase, the test otherwise. */
  elapsedSecondsFor(filter: Readonly<Record<string, string>>): number {
    const p = filter.scenario ? this.phases.find((x) => x.scenario.name === filter.scenario) : undefined;
    return (p ? this.phaseElapsedMs(p) : this.testElapsedMs()) / 1000;
  }
}
