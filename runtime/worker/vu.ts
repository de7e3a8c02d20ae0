/**
 * A virtual user: an async loop's identity and context, not a thread. An idle VU costs a few
 * objects, so 10^5 of them fit in one process.
 */
import { performance } from 'node:perf_hooks';
import type { ResolvedScenario } from '../config/resolved.js';
import type { Tags } from '../metrics/types.js';
import type { SeriesHandle, WorkerMetricStore } from '../metrics/worker-store.js';
import type { HttpEngine, VuHttp } from '../protocols/http/vu-http.js';
import { vuStorage, type VuContext, type VuInfo } from './vu-context.js';
import type { ErrorLog } from './error-log.js';

export type IterationFn = (vu: VuInfo, data: unknown) => unknown;
export type IterationOutcome = 'ok' | 'error' | 'interrupted';

/** Why a VU was stopped; becomes the `interrupted` tag of `interrupted_iterations`. */
export type StopCause = 'gracefulStop' | 'gracefulRampDown' | 'maxDuration' | 'abort';

class StopSignal extends Error {
  constructor(override readonly cause: StopCause) {
    super(`VU stopped (${cause})`);
    this.name = 'VuStopped';
  }
}

export interface VuDeps {
  store: WorkerMetricStore;
  http: HttpEngine;
  errors: ErrorLog;
  env: Record<string, string>;
}

/** What every VU of one scenario shares in a worker: its environment and base tags (one copy, not one per VU). */
const sharedByScenario = new WeakMap<ResolvedScenario, { env: Record<string, string>; baseTags: Tags }>();
function sharedOf(scenario: ResolvedScenario, deps: VuDeps): { env: Record<string, string>; baseTags: Tags } {
  let s = sharedByScenario.get(scenario);
  if (!s) {
    s = {
      env: Object.keys(scenario.env).length ? { ...deps.env, ...scenario.env } : deps.env,
      baseTags: { ...scenario.tags, scenario: scenario.name },
    };
    sharedByScenario.set(scenario, s);
  }
  return s;
}

export class Vu {
  readonly info: VuInfo;
  readonly ctx: VuContext;
  #controller = new AbortController();
  /** Ends the iteration in flight (set while one runs): how a stop interrupts code that never returns. */
  #interrupt: ((s: StopSignal) => void) | undefined;
  #iterationTags: Tags;
  #series: { iterations: SeriesHandle; duration: SeriesHandle } | undefined;
  busy = false;
  /** Inside a closed-model loop (between iterations too). */
  looping = false;

  constructor(
    readonly deps: VuDeps,
    readonly scenario: ResolvedScenario,
    readonly globalIndex: number,
  ) {
    const shared = sharedOf(scenario, deps);
    this.info = { id: scenario.idOffset + globalIndex + 1, iteration: 0, scenario: scenario.name, state: {}, env: shared.env };
    const baseTags = shared.baseTags;
    this.#iterationTags = baseTags;
    const self = this;
    this.ctx = {
      vu: this.info,
      baseTags,
      group: '',
      tags: baseTags,
      store: deps.store,
      // Created on first use: a VU that only holds a WebSocket or an MCP session has no HTTP client.
      get http(): VuHttp {
        return (self.#http ??= self.#newHttp());
      },
      signal: this.#controller.signal,
      cleanups: [],
    };
  }

  #http: VuHttp | undefined;

  #newHttp(): VuHttp {
    const h = this.deps.http.client();
    if (this.stopped) h.interruptAll();
    return h;
  }

  /** A VU stopped by a ramp-down comes back when the ramp goes up again, with its state kept. */
  revive(): void {
    if (!this.stopped) return;
    this.#controller = new AbortController();
    this.ctx.signal = this.#controller.signal;
    this.#http?.resume();
  }

  get stopped(): boolean {
    return this.#controller.signal.aborted;
  }

  /** Runs one iteration; never throws. */
  async iterate(fn: IterationFn, data: unknown): Promise<IterationOutcome> {
    if (this.stopped) return 'interrupted';
    this.busy = true;
    const ctx = this.ctx;
    const t0 = performance.now();
    let outcome: IterationOutcome = 'ok';
    try {
      const run = vuStorage.run(ctx, fn, this.info, data);
      // Await only what is a promise: a synchronous iteration costs no extra microtask.
      if (run && typeof (run as Promise<unknown>).then === 'function') {
        // Not Promise.race with a long-lived "stopped" promise: every race would leave a reaction
        // on it until the VU stops, a leak of one closure per iteration (found by bench/soak-memory).
        const result = await new Promise<unknown>((resolve, reject) => {
          this.#interrupt = resolve;
          (run as Promise<unknown>).then(resolve, reject);
        });
        if (result instanceof StopSignal && this.stopped) outcome = 'interrupted';
      }
    } catch (err) {
      if (this.stopped) outcome = 'interrupted';
      else {
        outcome = 'error';
        this.deps.errors.add(err, this.scenario.name);
      }
    }
    this.#interrupt = undefined;
    this.info.iteration++;
    this.busy = false;
    if (ctx.group) {
      ctx.group = '';
      ctx.tags = ctx.baseTags;
    }
    const store = this.deps.store;
    if (outcome === 'interrupted') {
      store.add('interrupted_iterations', 1, { ...this.#iterationTags, interrupted: (this.#controller.signal.reason as StopSignal).cause });
    } else {
      const s = (this.#series ??= {
        iterations: store.series('iterations', this.#iterationTags),
        duration: store.series('iteration_duration', this.#iterationTags),
      });
      s.iterations.add(1);
      s.duration.add(performance.now() - t0);
      if (outcome === 'error') store.add('iteration_errors', 1, this.#iterationTags);
    }
    return outcome;
  }

  /** Interrupt now: in-flight requests end, sleeps reject, the iteration counts as interrupted. */
  stop(cause: StopCause): void {
    if (this.stopped) return;
    const signal = new StopSignal(cause);
    this.#controller.abort(signal);
    this.#interrupt?.(signal);
    this.#http?.interruptAll();
  }

  /** Close what this VU opened (connections, sessions). */
  async retire(): Promise<void> {
    for (const c of this.ctx.cleanups.splice(0)) {
      try {
        await c();
      } catch {
        // Closing a session of a server that is already gone is not the user's problem.
      }
    }
    await this.#http?.close();
  }
}
