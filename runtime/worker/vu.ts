/**
 * A virtual user: an async loop's identity and context, not a thread. An idle VU costs a few
 * objects, so 10^5 of them fit in one process.
 */
import { setMaxListeners } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { ExecutorVu, StopCause } from '../executors/types.js';
import type { ResolvedScenario } from '../executors/resolved.js';
import { METRIC } from '../metrics/builtin.js';
import type { Tags } from '../metrics/types.js';
import type { SeriesHandle, WorkerMetricStore } from '../metrics/worker-store.js';
import type { VuHttp } from '../protocols/http/vu-http.js';
import type { ProtocolServices } from '../protocols/services.js';
import type { VuResource } from '../protocols/vu-contract.js';
import type { ErrorLog } from './error-log.js';
import type { FloatingCalls, PendingCall, TracedCall } from './floating-calls.js';
import type { VuInfo } from './types.js';
import type { VuCounts } from './vu-counts.js';
import { vuStorage, type VuContext, type VuFrame } from './vu-context.js';

export type IterationFn = (vu: VuInfo, data: unknown) => unknown;
export type IterationOutcome = 'ok' | 'error' | 'interrupted';

class StopSignal extends Error {
  constructor(override readonly cause: StopCause) {
    super(`VU stopped (${cause})`);
    this.name = 'VuStopped';
  }
}

/** What every VU of a worker gets from it. */
export interface VuDeps {
  store: WorkerMetricStore;
  services: ProtocolServices;
  errors: ErrorLog;
  env: Record<string, string>;
  /** The worker's active and allocated VUs, counted as they change. */
  counts: VuCounts;
  /** DSL promises left pending by iterations (un-awaited sleep()...), reported once per call site. */
  floating: FloatingCalls;
}

/** Iterations of a scenario whose pending calls are traced to their call sites, once one left a call pending (floating-calls.ts). */
const TRACED_ITERATIONS = 50;

/** Distinct group paths whose tag objects a scenario keeps (dynamic group names would grow it forever). */
const GROUP_TAGS_MAX = 1000;

/**
 * What every VU of one scenario shares in a worker (one copy, not one per VU): the function it
 * runs and setup()'s data, its environment, its tag objects (one per group path, so the store's
 * caches, keyed on them, hit across VUs and iterations), and the series of its iteration metrics.
 */
export class ScenarioVus {
  readonly env: Record<string, string>;
  readonly baseTags: Tags;
  readonly iterations: SeriesHandle;
  readonly duration: SeriesHandle;
  readonly #groupTags = new Map<string, Tags>();
  /** Iterations left whose calls carry their call site: 0 until one iteration left a call pending, -1 once spent. */
  traceBudget = 0;

  constructor(
    readonly deps: VuDeps,
    readonly scenario: ResolvedScenario,
    readonly fn: IterationFn,
    readonly data: unknown,
  ) {
    this.env = Object.keys(scenario.env).length ? { ...deps.env, ...scenario.env } : deps.env;
    this.baseTags = { ...scenario.tags, scenario: scenario.name };
    this.iterations = deps.store.series(METRIC.iterations, this.baseTags);
    this.duration = deps.store.series(METRIC.iteration_duration, this.baseTags);
  }

  /** The tags inside group `path`: the same object every time. */
  tagsOf(path: string): Tags {
    let t = this.#groupTags.get(path);
    if (!t) {
      if (this.#groupTags.size >= GROUP_TAGS_MAX) this.#groupTags.clear();
      this.#groupTags.set(path, (t = { ...this.baseTags, group: path }));
    }
    return t;
  }
}

/**
 * The context the DSL and the protocols find through AsyncLocalStorage: one plain object per VU
 * with its lazy parts as prototype getters (no closures per VU), and what the VU owns in one field
 * (one resource, the common case, or a set).
 */
class Context implements VuContext, VuFrame {
  readonly groupPath = '';
  #owned: VuResource | Set<VuResource> | undefined;

  constructor(
    readonly owner: Vu,
    readonly vu: VuInfo,
    readonly baseTags: Tags,
  ) {}

  /** The root frame of this VU (vu-context.ts). */
  get context(): VuContext {
    return this;
  }

  get groupTags(): Tags {
    return this.baseTags;
  }

  /** The tags of the code running now: its group's when it runs inside one of this VU's groups. */
  get tags(): Tags {
    const f = vuStorage.getStore();
    return f !== undefined && f.context === this ? f.groupTags : this.baseTags;
  }

  get group(): string {
    const f = vuStorage.getStore();
    return f !== undefined && f.context === this ? f.groupPath : '';
  }

  inGroup(path: string): VuFrame {
    return { context: this, groupPath: path, groupTags: this.owner.shared.tagsOf(path) };
  }

  get store(): WorkerMetricStore {
    return this.owner.shared.deps.store;
  }

  callStarted(what: string): PendingCall {
    return this.owner.callStarted(what);
  }

  callSettled(call: PendingCall): void {
    this.owner.callSettled(call);
  }

  get services(): ProtocolServices {
    return this.owner.shared.deps.services;
  }

  /** Created on first use: a VU that only holds a WebSocket or an MCP session has no HTTP client. */
  get http(): VuHttp {
    return this.owner.httpClient();
  }

  get stopped(): boolean {
    return this.owner.stopped;
  }

  get signal(): AbortSignal {
    return this.owner.abortSignal();
  }

  own(r: VuResource): void {
    const o = this.#owned;
    if (o === undefined) this.#owned = r;
    else if (o instanceof Set) o.add(r);
    else if (o !== r) this.#owned = new Set([o, r]);
  }

  disown(r: VuResource): void {
    const o = this.#owned;
    if (o === r) this.#owned = undefined;
    else if (o instanceof Set) o.delete(r);
  }

  /** What the VU owns now, as a list (a copy: releasing a resource disowns it). */
  owned(): VuResource[] {
    const o = this.#owned;
    return o === undefined ? NONE : o instanceof Set ? [...o] : [o];
  }

  /** Empties what the VU owns and returns it. */
  takeOwned(): VuResource[] {
    const list = this.owned();
    this.#owned = undefined;
    return list;
  }
}

/**
 * An error that escaped an iteration after it returned (a timer's callback threw, a promise it did
 * not await rejected): counted as an iteration error of the VU it came from, with its place, as an
 * exception inside the iteration is. False when `ctx` is not a VU's (the caller reports it otherwise).
 */
export function recordStrayError(ctx: VuContext | undefined, err: unknown): boolean {
  if (!(ctx instanceof Context)) return false;
  const shared = ctx.owner.shared;
  shared.deps.errors.add(err, shared.scenario.name);
  shared.deps.store.add(METRIC.iteration_errors, 1, ctx.baseTags);
  return true;
}

const NONE: VuResource[] = [];
const INTERRUPTED: Promise<IterationOutcome> = Promise.resolve('interrupted');
const RETIRED: Promise<void> = Promise.resolve();

export class Vu implements ExecutorVu {
  readonly info: VuInfo;
  readonly ctx: Context;
  /**
   * Created when `ctx.signal` is first read (sleep): a VU that only holds a WebSocket has none.
   * 10^5 idle VUs are the case this is built for.
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
  #http: VuHttp | undefined;
  /** DSL calls of the iteration in flight that have not settled yet. */
  #pending = 0;
  /** The same calls with their call sites, while the scenario traces them. */
  #traced: TracedCall[] | undefined;
  #busy = false;
  #looping = false;

  constructor(
    readonly shared: ScenarioVus,
    readonly globalIndex: number,
    /** Beyond the plan (a rescale), the coordinator's id (executors/steering.ts vuIdOf). */
    id = shared.scenario.idOffset + globalIndex + 1,
  ) {
    this.info = { id, iteration: 0, scenario: shared.scenario.name, state: {}, env: shared.env };
    this.ctx = new Context(this, this.info, shared.baseTags);
  }

  /** In an iteration now. */
  get busy(): boolean {
    return this.#busy;
  }

  /** Inside a closed-model loop (between iterations too). */
  get looping(): boolean {
    return this.#looping;
  }

  set looping(v: boolean) {
    this.#setActivity(this.#busy, v);
  }

  /** Busy or looping, counted in the worker's active VUs (the `vus` gauge) as it changes. */
  #setActivity(busy: boolean, looping: boolean): void {
    const was = this.#busy || this.#looping;
    this.#busy = busy;
    this.#looping = looping;
    if ((busy || looping) !== was) this.shared.deps.counts.changeActive(was ? -1 : 1);
  }

  /** @internal ctx.http: the VU owns its client like any other resource (interrupted, resumed, released with it). */
  httpClient(): VuHttp {
    let h = this.#http;
    if (!h) {
      h = this.#http = this.shared.deps.services.http.client();
      this.ctx.own(h);
      if (this.stopped) h.interrupt();
    }
    return h;
  }

  /** @internal ctx.signal */
  abortSignal(): AbortSignal {
    let c = this.#controller;
    if (!c) {
      c = this.#controller = new AbortController();
      // Each pending sleep() listens on it: un-awaited ones pile up, and are reported as such
      // (floating-calls.ts), not as Node's generic MaxListenersExceededWarning.
      setMaxListeners(0, c.signal);
      if (this.#stop) c.abort(this.#stop);
    }
    return c.signal;
  }

  /** @internal ctx.callStarted: the token is the iteration's number; with a call site once the scenario traces them. */
  callStarted(what: string): PendingCall {
    if (!this.#busy) return -1;
    this.#pending++;
    if (this.shared.traceBudget <= 0) return this.info.iteration;
    const call: TracedCall = { iteration: this.info.iteration, what, site: new Error(what), settled: false };
    (this.#traced ??= []).push(call);
    return call;
  }

  /** @internal ctx.callSettled: counts only within the iteration that made the call. */
  callSettled(call: PendingCall): void {
    let iteration: number;
    if (typeof call === 'number') iteration = call;
    else {
      call.settled = true;
      iteration = call.iteration;
    }
    if (iteration === this.info.iteration && this.#busy) this.#pending--;
  }

  /** The iteration ended with calls still pending: trace the scenario's next iterations, or report the sites traced. */
  #floating(outcome: IterationOutcome): void {
    const traced = this.#traced;
    const pending = this.#pending;
    this.#traced = undefined;
    this.#pending = 0;
    const shared = this.shared;
    // Spent (-1) after TRACED_ITERATIONS: the sites of a loop's calls show in its first iterations.
    if (shared.traceBudget > 0 && traced && --shared.traceBudget === 0) shared.traceBudget = -1;
    if (pending === 0 || outcome === 'interrupted') return;
    if (shared.traceBudget === 0) shared.traceBudget = TRACED_ITERATIONS;
    else if (traced) shared.deps.floating.report(traced, shared.scenario.name);
  }

  /** A VU stopped by a ramp-down comes back when the ramp goes up again, with its state kept. */
  revive(): void {
    if (!this.stopped) return;
    this.#stop = undefined;
    this.#controller = undefined;
    for (const r of this.ctx.owned()) r.resume?.();
  }

  get stopped(): boolean {
    return this.#stop !== undefined;
  }

  /**
   * Runs one iteration; the promise never rejects. Not an async function: an iteration that waits
   * (an idle VU holding its socket) parks as its own promise plus one reaction to it and the
   * promise returned here, not as an extra suspended frame and wrapper promise.
   */
  iterate(): Promise<IterationOutcome> {
    if (this.stopped) return INTERRUPTED;
    this.#setActivity(true, this.#looping);
    this.#t0 = performance.now();
    let run: unknown;
    let p: Promise<IterationOutcome> | undefined;
    try {
      run = vuStorage.run(this.ctx, this.shared.fn, this.info, this.shared.data);
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
    this.shared.deps.errors.add(err, this.shared.scenario.name);
    return 'error';
  }

  /** Book-keeping at the end of an iteration; returns the outcome. */
  #end(outcome: IterationOutcome): IterationOutcome {
    if (this.#pending !== 0 || this.#traced) this.#floating(outcome);
    this.info.iteration++;
    this.#http?.endIteration();
    this.#setActivity(false, this.#looping);
    const ctx = this.ctx;
    const shared = this.shared;
    const store = shared.deps.store;
    if (outcome === 'interrupted') {
      store.add(METRIC.interrupted_iterations, 1, { ...ctx.baseTags, interrupted: this.#stop!.cause });
    } else {
      shared.iterations.add(1);
      shared.duration.add(performance.now() - this.#t0);
      if (outcome === 'error') store.add(METRIC.iteration_errors, 1, ctx.baseTags);
    }
    return outcome;
  }

  /** Interrupt now: what the VU owns ends its in-flight work, sleeps reject, the iteration counts as interrupted. */
  stop(cause: StopCause): void {
    if (this.stopped) return;
    const signal = new StopSignal(cause);
    this.#stop = signal;
    this.#controller?.abort(signal);
    for (const r of this.ctx.owned()) r.interrupt?.();
    const done = this.#done;
    if (done) {
      this.#done = undefined;
      done(this.#end('interrupted'));
    }
  }

  /** Release what this VU still owns (connections, sessions). */
  retire(): Promise<void> {
    const owned = this.ctx.takeOwned();
    this.#http = undefined;
    // The common case at the end of a 10^5-VU run: nothing left open, no async frame needed.
    if (!owned.length) return RETIRED;
    return release(owned);
  }
}

async function release(owned: VuResource[]): Promise<void> {
  for (const r of owned) {
    try {
      await r.release();
    } catch {
      // Closing a session of a server that is already gone is not the user's problem.
    }
  }
}
