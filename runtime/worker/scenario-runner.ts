/**
 * Runs this worker's share of one scenario: builds the executor's context and tracks its VUs.
 * Steering from the control API lands here: pause and resume hold the scenario's clock
 * (executors/steering.ts), a rescale is handed to the executor, which decides what it means.
 */
import { performance } from 'node:perf_hooks';
import type { ResolvedScenario } from '../executors/resolved.js';
import { executorOf } from '../executors/registry.js';
import { PausableClock, vuIdOf, type VuIdBlock } from '../executors/steering.js';
import type { ExecutorRunContext, Rescale, StopCause } from '../executors/types.js';
import { METRIC } from '../metrics/builtin.js';
import type { SeriesHandle } from '../metrics/worker-store.js';
import { ScenarioVus, Vu, type IterationFn, type VuDeps } from './vu.js';
import { safeTimeout } from '../timers.js';

export class ScenarioRunner {
  readonly vus = new Map<number, Vu>();
  readonly #shared: ScenarioVus;
  #ending = false;
  #endWaiters = new Set<() => void>();
  #lagSeries: SeriesHandle | undefined;
  /** Set by a stop from outside: graceful (gracefulStop applies) or hard (interrupt now). */
  #hardStop = false;
  readonly #clock = new PausableClock(() => performance.now());
  /** Sleeps re-arm their timers on pause and resume; resume() and the end release the held loops. */
  readonly #clockWatchers = new Set<() => void>();
  #resumeWaiters = new Set<() => void>();
  readonly #rescaleListeners = new Set<(r: Rescale) => void>();
  /** Sleeps that a rescale ends early (sleepUntil(t, true)). */
  readonly #rescaleWaiters = new Set<() => void>();
  #rescaled: Rescale | undefined;
  #idBlocks: readonly VuIdBlock[] = [];

  constructor(
    readonly scenario: ResolvedScenario,
    readonly deps: VuDeps,
    readonly workerIndex: number,
    readonly workerCount: number,
    fn: IterationFn,
    data: unknown,
  ) {
    this.#shared = new ScenarioVus(deps, scenario, fn, data);
    // Opened at 0: "no iteration threw" is a count, so `iteration_errors: ['count==0']` has data.
    deps.store.add(METRIC.iteration_errors, 0, this.#shared.baseTags);
  }

  async run(): Promise<void> {
    const ctx = this.#context();
    try {
      await executorOf(this.scenario).run(ctx);
    } finally {
      await Promise.all([...this.vus.values()].map((v) => v.retire()));
      this.deps.counts.changeAllocated(-this.vus.size);
    }
  }

  /** From outside (Ctrl-C, abortOnFail): stop starting iterations; hard = interrupt in-flight ones too. */
  stop(hard: boolean): void {
    if (hard) {
      this.#hardStop = true;
      for (const v of this.vus.values()) v.stop('abort');
    }
    this.#end();
  }

  #end(): void {
    if (this.#ending) return;
    this.#ending = true;
    for (const w of this.#endWaiters) w();
    this.#endWaiters.clear();
    this.#releaseHeld();
  }

  /** The run is paused: no iteration starts, the scenario's clock stands still. */
  pause(): void {
    if (!this.#clock.pause()) return;
    for (const w of this.#clockWatchers) w();
  }

  resume(): void {
    if (!this.#clock.resume()) return;
    for (const w of this.#clockWatchers) w();
    this.#releaseHeld();
  }

  /** A rescale from the control API; `idBlocks` are the ids of VUs beyond the plan. */
  rescale(change: Rescale, idBlocks: readonly VuIdBlock[]): void {
    this.#idBlocks = idBlocks;
    this.#rescaled = change;
    for (const l of this.#rescaleListeners) l(change);
    for (const w of [...this.#rescaleWaiters]) w();
  }

  #releaseHeld(): void {
    const waiters = this.#resumeWaiters;
    this.#resumeWaiters = new Set();
    for (const w of waiters) w();
  }

  /** Until scenario time `t`: the timer is re-armed on resume (cleared on pause), released at the end. */
  #sleepUntil(t: number, untilRescale = false): Promise<void> {
    const clock = this.#clock;
    if (this.#ending || (!clock.paused && t - clock.now() <= 0)) return Promise.resolve();
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const arm = () => {
        clearTimeout(timer);
        timer = clock.paused ? undefined : safeTimeout(done, Math.max(0, t - clock.now()));
      };
      const done = () => {
        clearTimeout(timer);
        this.#endWaiters.delete(done);
        this.#clockWatchers.delete(arm);
        if (untilRescale) this.#rescaleWaiters.delete(done);
        resolve();
      };
      this.#endWaiters.add(done);
      this.#clockWatchers.add(arm);
      if (untilRescale) this.#rescaleWaiters.add(done);
      arm();
    });
  }

  #context(): ExecutorRunContext {
    const self = this;
    const s = this.scenario;
    return {
      scenario: s,
      workerIndex: this.workerIndex,
      workerCount: this.workerCount,
      vu(i: number): Vu {
        let v = self.vus.get(i);
        if (!v) {
          v = new Vu(self.#shared, i, vuIdOf(s.idOffset, executorOf(s).maxVUs(s), i, self.#idBlocks));
          self.vus.set(i, v);
          self.deps.counts.changeAllocated(1);
          if (self.#hardStop) v.stop('abort');
        }
        return v;
      },
      now: () => self.#clock.now(),
      sleepUntil: (t, untilRescale) => self.#sleepUntil(t, untilRescale),
      get paused() {
        return self.#clock.paused;
      },
      resumed(): Promise<void> {
        if (!self.#clock.paused || self.#ending) return Promise.resolve();
        return new Promise((resolve) => self.#resumeWaiters.add(resolve));
      },
      onRescale(fn) {
        self.#rescaleListeners.add(fn);
        return () => self.#rescaleListeners.delete(fn);
      },
      get rescaled() {
        return self.#rescaled;
      },
      get ending() {
        return self.#ending;
      },
      end: () => this.#end(),
      async finish(loops: Promise<unknown>[]): Promise<void> {
        const all = Promise.all(loops);
        // Loops that end by themselves (iterations used up) need no graceful stop.
        if (!self.#ending) {
          const ended = new Promise<'ended'>((resolve) => self.#endWaiters.add(() => resolve('ended')));
          if ((await Promise.race([all, ended])) !== 'ended') {
            self.#end();
            return;
          }
        }
        let timer: NodeJS.Timeout | undefined;
        const graceful = new Promise<'timeout'>((resolve) => {
          timer = safeTimeout(resolve, self.#hardStop ? 0 : s.gracefulStopMs, 'timeout' as const);
        });
        const first = await Promise.race([all, graceful]);
        clearTimeout(timer);
        if (first === 'timeout') {
          const cause: StopCause = self.#hardStop ? 'abort' : 'gracefulStop';
          for (const v of self.vus.values()) v.stop(cause);
          await all;
        }
      },
      dropped(n: number) {
        self.deps.store.add(METRIC.dropped_iterations, n, self.#shared.baseTags);
      },
      lag(ms: number) {
        // Once per arrival: a pre-resolved series, no key built per sample.
        (self.#lagSeries ??= self.deps.store.series(METRIC.iteration_lag, self.#shared.baseTags)).add(ms);
      },
    };
  }
}
