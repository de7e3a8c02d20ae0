/**
 * A virtual user: an async loop's identity and context, not a thread. An idle VU costs a few
 * objects, so 10^5 of them fit in one process.
 */
import { performance } from 'node:perf_hooks';
import type { ResolvedScenario } from '../executors/resolved.js';
import type { Tags } from '../metrics/types.js';
import type { SeriesHandle, WorkerMetricStore } from '../metrics/worker-store.js';
import type { HttpEngine, VuHttp } from '../protocols/http/vu-http.js';
import { setWsInsecureSkipTLSVerify } from '../protocols/ws/ws-session.js';
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

/**
 * What every VU of one scenario shares in a worker: its environment, base tags and the series of
 * its iteration metrics (one copy, not one per VU).
 */
interface ScenarioShared {
  env: Record<string, string>;
  baseTags: Tags;
  series: { store: WorkerMetricStore; iterations: SeriesHandle; duration: SeriesHandle } | undefined;
}
const sharedByScenario = new WeakMap<ResolvedScenario, ScenarioShared>();
function sharedOf(scenario: ResolvedScenario, deps: VuDeps): ScenarioShared {
  let s = sharedByScenario.get(scenario);
  if (!s) {
    // wss:// verifies certificates as https:// does (one setting per worker).
    setWsInsecureSkipTLSVerify(deps.http.config.insecureSkipTLSVerify);
    s = {
      env: Object.keys(scenario.env).length ? { ...deps.env, ...scenario.env } : deps.env,
      baseTags: { ...scenario.tags, scenario: scenario.name },
      series: undefined,
    };
    sharedByScenario.set(scenario, s);
  }
  return s;
}

/**
 * The context the DSL finds through AsyncLocalStorage: one plain object per VU with its lazy parts
 * as prototype getters (no closures per VU), and no cleanup list until something registers one.
 */
class Context implements VuContext {
  group = '';
  tags: Tags;
  #cleanups: Array<() => unknown> | undefined;

  constructor(
    readonly owner: Vu,
    readonly vu: VuInfo,
    readonly baseTags: Tags,
    readonly store: WorkerMetricStore,
  ) {
    this.tags = baseTags;
  }

  /** Created on first use: a VU that only holds a WebSocket or an MCP session has no HTTP client. */
  get http(): VuHttp {
    return this.owner.httpClient();
  }

  get signal(): AbortSignal {
    return this.owner.abortSignal();
  }

  get cleanups(): Array<() => unknown> {
    return (this.#cleanups ??= []);
  }

  /** The cleanups registered so far, emptied. */
  takeCleanups(): Array<() => unknown> {
    const c = this.#cleanups;
    this.#cleanups = undefined;
    return c ?? [];
  }
}

const INTERRUPTED: Promise<IterationOutcome> = Promise.resolve('interrupted');
const RETIRED: Promise<void> = Promise.resolve();

export class Vu {
  readonly info: VuInfo;
  readonly ctx: VuContext;
  /**
   * Created when `ctx.signal` is first read (sleep, HTTP, MCP): a VU that only holds a WebSocket
   * has none. 10^5 idle VUs are the case this is built for.
   */
  #controller: AbortController | undefined;
  /** Why the VU was stopped; undefined while it runs. */
  #stop: StopSignal | undefined;
  /** Settles the iteration in flight (set while one runs); a stop calls it to interrupt code that never returns. */
  #done: ((outcome: IterationOutcome) => void) | undefined;
  /** Start of the iteration in flight (performance.now()). */
  #t0 = 0;
  /** The reactions to an iteration's promise: made once per VU, not per iteration. */
  #onSettled: [(v: unknown) => void, (e: unknown) => void] | undefined;
  readonly #shared: ScenarioShared;
  #http: VuHttp | undefined;
  busy = false;
  /** Inside a closed-model loop (between iterations too). */
  looping = false;

  constructor(
    readonly deps: VuDeps,
    readonly scenario: ResolvedScenario,
    readonly globalIndex: number,
  ) {
    const shared = sharedOf(scenario, deps);
    this.#shared = shared;
    this.info = { id: scenario.idOffset + globalIndex + 1, iteration: 0, scenario: scenario.name, state: {}, env: shared.env };
    this.ctx = new Context(this, this.info, shared.baseTags, deps.store);
  }

  /** @internal ctx.http */
  httpClient(): VuHttp {
    let h = this.#http;
    if (!h) {
      h = this.#http = this.deps.http.client();
      if (this.stopped) h.interruptAll();
    }
    return h;
  }

  /** @internal ctx.signal */
  abortSignal(): AbortSignal {
    let c = this.#controller;
    if (!c) {
      c = this.#controller = new AbortController();
      if (this.#stop) c.abort(this.#stop);
    }
    return c.signal;
  }

  /** A VU stopped by a ramp-down comes back when the ramp goes up again, with its state kept. */
  revive(): void {
    if (!this.stopped) return;
    this.#stop = undefined;
    this.#controller = undefined;
    this.#http?.resume();
  }

  get stopped(): boolean {
    return this.#stop !== undefined;
  }

  /**
   * Runs one iteration; the promise never rejects. Not an async function: an iteration that waits
   * (an idle VU holding its socket) parks as its own promise plus one reaction to it and the
   * promise returned here, not as an extra suspended frame and wrapper promise.
   */
  iterate(fn: IterationFn, data: unknown): Promise<IterationOutcome> {
    if (this.stopped) return INTERRUPTED;
    this.busy = true;
    this.#t0 = performance.now();
    let run: unknown;
    let p: Promise<IterationOutcome> | undefined;
    try {
      run = vuStorage.run(this.ctx, fn, this.info, data);
      // Only what is a promise is waited for: a synchronous iteration costs no extra microtask.
      if (run && typeof (run as Promise<unknown>).then === 'function') {
        // Not Promise.race with a long-lived "stopped" promise: every race would leave a reaction
        // on it until the VU stops, a leak of one closure per iteration (found by bench/soak-memory).
        const [ok, fail] = (this.#onSettled ??= [() => this.#settle(undefined, false), (e) => this.#settle(e, true)]);
        p = new Promise<IterationOutcome>((resolve) => (this.#done = resolve));
        (run as Promise<unknown>).then(ok, fail); // a thenable may call back at once: #done is set first
        return p;
      }
    } catch (err) {
      if (p) {
        // then() itself threw (a broken thenable): settle the promise made for it.
        this.#settle(err, true);
        return p;
      }
      return Promise.resolve(this.#end(this.#failed(err)));
    }
    return Promise.resolve(this.#end('ok'));
  }

  #settle(err: unknown, failed: boolean): void {
    const done = this.#done;
    if (!done) return; // interrupted already
    this.#done = undefined;
    done(this.#end(failed ? this.#failed(err) : 'ok'));
  }

  #failed(err: unknown): IterationOutcome {
    if (this.stopped) return 'interrupted';
    this.deps.errors.add(err, this.scenario.name);
    return 'error';
  }

  /** Book-keeping at the end of an iteration; returns the outcome. */
  #end(outcome: IterationOutcome): IterationOutcome {
    this.info.iteration++;
    this.busy = false;
    const ctx = this.ctx;
    if (ctx.group) {
      ctx.group = '';
      ctx.tags = ctx.baseTags;
    }
    const store = this.deps.store;
    if (outcome === 'interrupted') {
      store.add('interrupted_iterations', 1, { ...ctx.baseTags, interrupted: this.#stop!.cause });
    } else {
      const shared = this.#shared;
      let s = shared.series;
      if (s?.store !== store) {
        s = shared.series = {
          store,
          iterations: store.series('iterations', ctx.baseTags),
          duration: store.series('iteration_duration', ctx.baseTags),
        };
      }
      s.iterations.add(1);
      s.duration.add(performance.now() - this.#t0);
      if (outcome === 'error') store.add('iteration_errors', 1, ctx.baseTags);
    }
    return outcome;
  }

  /** Interrupt now: in-flight requests end, sleeps reject, the iteration counts as interrupted. */
  stop(cause: StopCause): void {
    if (this.stopped) return;
    const signal = new StopSignal(cause);
    this.#stop = signal;
    this.#controller?.abort(signal);
    const done = this.#done;
    if (done) {
      this.#done = undefined;
      done(this.#end('interrupted'));
    }
    this.#http?.interruptAll();
  }

  /** Close what this VU opened (connections, sessions). */
  retire(): Promise<void> {
    const cleanups = (this.ctx as Context).takeCleanups();
    // The common case at the end of a 10^5-VU run: nothing left open, no async frame needed.
    if (!cleanups.length && !this.#http) return RETIRED;
    return this.#retire(cleanups);
  }

  async #retire(cleanups: Array<() => unknown>): Promise<void> {
    for (const c of cleanups) {
      try {
        await c.call(this.ctx); // `this` is the VU context (ws registers one shared function, not a closure per VU)
      } catch {
        // Closing a session of a server that is already gone is not the user's problem.
      }
    }
    await this.#http?.close();
  }
}
