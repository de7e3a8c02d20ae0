/**
 * options.targets and options.faults during one run, on the coordinator's side: the managed
 * target processes (started and ready before any worker exists, stopped with the run), the
 * faults switched on and off at the times the timeline gives (timeline.ts, recomputed at every
 * phase event), and recovery_time per occurrence (recovery.ts over request-windows.ts).
 *
 * Network and HTTP faults act in each worker's own proxy: the coordinator only sends `fault`
 * messages (a worker applies them in its loop). Process faults act here, on the one process.
 * fault_active (1 on, 0 off, tag fault) and recovery_time (tags fault, kind, target) are samples
 * of a source of their own, as the system-under-test sampler's are: thresholds, summary, time
 * series and outputs treat them like any other metric.
 */
import { rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { ResolvedFault, ResolvedFaultPlan, ResolvedManaged, ResolvedTarget } from '../config/faults-resolved.js';
import { McprunError } from '../errors.js';
import { formatDuration } from '../duration.js';
import { METRIC } from '../metrics/builtin.js';
import type { MetricRegistry } from '../metrics/registry.js';
import { WorkerMetricStore, type MetricSnapshot } from '../metrics/worker-store.js';
import type { FaultSummary } from '../output/summary-data.js';
import type { ThresholdEntry } from '../thresholds/index.js';
import { safeTimeout } from '../timers.js';
import type { CoordinatorMessage } from '../worker-protocol.js';
import { ManagedTarget, type TargetEvent } from './managed-target.js';
import { recoveryOf, type RecoveryResult } from './recovery.js';
import { RequestWindows } from './request-windows.js';
import { PauseClock } from './pause-clock.js';
import { faultWindows, type PhaseEvent } from './timeline.js';

/** The source index of these samples: no worker has it (workers count from 0; the sampler is -1). */
export const FAULT_SOURCE = -2;

export interface FaultRunHooks {
  /** A snapshot for the aggregate (MetricFeed.ingest). */
  ingest(source: number, snapshot: MetricSnapshot): void;
  /** Said in the summary and on stderr (a target that exited on its own, a restart that failed). */
  warn(text: string): void;
}

interface Occurrence {
  fault: ResolvedFault;
  state: 'waiting' | 'on' | 'off';
  /** ms from the start of the load. */
  on: number | undefined;
  /** `on` on the fault clock (pauses taken out). */
  onClock: number | undefined;
  off: number | undefined;
  onTimer: NodeJS.Timeout | undefined;
  offTimer: NodeJS.Timeout | undefined;
  /** When the off timer is set for. */
  offAt: number | undefined;
  recovery: RecoveryResult | undefined;
  /** Requests completed while it was on: the deltas between the flushes the workers make at its changes. */
  requests: number;
  failed: number;
  liftedByEnd?: boolean;
}

export class FaultRun {
  readonly #targets = new Map<string, ManagedTarget>();
  readonly #occurrences: Occurrence[];
  /** Phase events, on the fault clock. */
  readonly #events: PhaseEvent[] = [];
  readonly #clock = new PauseClock();
  readonly #store: WorkerMetricStore;
  readonly windows: RequestWindows;
  #send: (msg: CoordinatorMessage) => void = () => {};
  #hooks: FaultRunHooks | undefined;
  /** performance.now() at the start of the load; undefined before it. */
  #begunAt: number | undefined;
  #ended = false;
  #logDir: { dir: string; temporary: boolean } | undefined;
  /** A target failed to start, exited on its own or did not come back: its logs are kept. */
  #troubled = false;

  constructor(
    readonly plan: ResolvedFaultPlan,
    registry: MetricRegistry,
    /** Where the managed targets' stdout and stderr go: asked once, as they start (the report folder exists by then). */
    readonly logDir: () => { dir: string; temporary: boolean },
    /** The workers' flush interval: how late a window's last delta may arrive. */
    readonly flushIntervalMs: number,
  ) {
    this.#store = new WorkerMetricStore(registry);
    this.#occurrences = plan.faults.map((fault) => ({ fault, state: 'waiting', on: undefined, onClock: undefined, off: undefined, onTimer: undefined, offTimer: undefined, offAt: undefined, recovery: undefined, requests: 0, failed: 0 }));
    this.windows = new RequestWindows(() => (this.#begunAt === undefined ? undefined : performance.timeOrigin + this.#begunAt), flushIntervalMs);
  }

  /** Names of the managed targets, for messages. */
  get label(): string {
    const managed = this.plan.targets.filter((t) => t.managed).map((t) => t.name);
    return `faults${managed.length ? ` (targets ${managed.join(', ')})` : ''}`;
  }

  /** Starts every managed target and waits until each is ready (exit 104 when one is not); before any worker exists. */
  async start(hooks: FaultRunHooks): Promise<void> {
    this.#hooks = hooks;
    for (const t of this.plan.targets) {
      if (!t.managed) continue;
      this.#logDir ??= this.logDir();
      const m = ManagedTarget.fromResolved(t as ResolvedTarget & { managed: ResolvedManaged }, this.#logDir.dir, (e) => this.#targetEvent(e));
      this.#targets.set(t.name, m);
      try {
        await m.start();
        await m.ready();
      } catch (err) {
        this.#troubled = true;
        await this.#stopTargets();
        throw err;
      }
    }
    this.#record(0);
  }

  /** The PIDs of a managed target's process now (options.sut: { target }). */
  pidsOf(name: string): number[] {
    const pid = this.#targets.get(name)?.pid;
    return pid === undefined ? [] : [pid];
  }

  /** Where `fault` messages go (the worker pool), once it exists. */
  attach(send: (msg: CoordinatorMessage) => void): void {
    this.#send = send;
  }

  /** The load starts (ScenarioSchedule.begin): startTime counts from here (from the first resume under --paused). */
  begin(at: number, paused = false): void {
    this.#begunAt = at;
    if (paused) this.#clock.pause(0);
    this.#replan();
  }

  phaseEvent(type: 'scenario-start' | 'scenario-end', scenario: string, at: number): void {
    if (this.#begunAt === undefined || this.#ended) return;
    this.#events.push({ type, scenario, t: this.#clock.at(at - this.#begunAt) });
    this.#replan();
  }

  /** The run is paused: the fault clock stands still, and nothing turns on or off until resume(). */
  pause(): void {
    if (this.#begunAt === undefined || this.#ended) return;
    this.#clock.pause(this.#now());
    for (const o of this.#occurrences) {
      clearTimeout(o.onTimer);
      clearTimeout(o.offTimer);
      o.onTimer = o.offTimer = o.offAt = undefined;
    }
  }

  resume(): void {
    if (this.#begunAt === undefined || this.#ended) return;
    this.#clock.resume(this.#now());
    this.#replan();
  }

  /** Every merged snapshot: requests for the recovery windows; a recovery is said as soon as it is certain. */
  snapshot(source: number, snap: MetricSnapshot): void {
    if (source === FAULT_SOURCE) return;
    const d = this.windows.add(source, snap);
    if (d) {
      for (const o of this.#occurrences) {
        if (o.on === undefined || d.at < o.on || (o.off !== undefined && d.at >= o.off)) continue;
        o.requests += d.requests;
        o.failed += d.failed;
      }
    }
    if (this.#begunAt !== undefined && !this.#ended) this.#judgeRecoveries(false);
  }

  #now(): number {
    return performance.now() - (this.#begunAt ?? performance.now());
  }

  /** Places what the phase events so far allow, and (re)sets the timers of what is placed (none while paused). */
  #replan(): void {
    if (this.#clock.paused) return;
    const placed = faultWindows(
      this.#occurrences.map((o) => ({ name: o.fault.name, placement: o.fault.placement, durationMs: o.fault.durationMs })),
      this.#events,
    );
    const now = this.#clock.at(this.#now());
    placed.forEach((w, i) => {
      const o = this.#occurrences[i];
      if (w.state !== 'placed' || o.state === 'off') return;
      if (o.state === 'waiting' && !o.onTimer) o.onTimer = safeTimeout(() => void this.#turnOn(o), Math.max(0, w.on! - now));
      const off = offOf(o, w.on!, w.off);
      if (off !== undefined && off !== o.offAt) {
        clearTimeout(o.offTimer);
        o.offAt = off;
        o.offTimer = safeTimeout(() => void this.#turnOff(o), Math.max(0, off - now));
      }
    });
  }

  async #turnOn(o: Occurrence): Promise<void> {
    o.onTimer = undefined;
    if (this.#ended || o.state !== 'waiting') return;
    o.state = 'on';
    o.on = this.#now();
    o.onClock = this.#clock.at(o.on);
    // A late start (a busy event loop) must not shorten the fault: its end counts from now.
    this.#replan();
    this.#record(1, o);
    const f = o.fault;
    if (f.proxy) this.#send({ type: 'fault', target: f.target, fault: f.proxy, on: true });
    const m = this.#targets.get(f.target);
    try {
      if (f.kind === 'kill') await m?.kill();
      else if (f.kind === 'pause') m?.pause();
      else if (f.kind === 'restart') {
        // An instant: the fault is lifted as the restart begins; recovery counts from there.
        const restarting = m?.restart();
        await this.#turnOff(o);
        await restarting;
      }
    } catch (err) {
      this.#hooks?.warn(`fault "${f.name}" (${f.kind} of target "${f.target}"): ${(err as Error).message}`);
    }
  }

  async #turnOff(o: Occurrence): Promise<void> {
    clearTimeout(o.offTimer);
    o.offTimer = undefined;
    if (o.state !== 'on') return;
    o.state = 'off';
    o.off = this.#now();
    this.#record(0, o);
    const f = o.fault;
    if (f.proxy && !this.#ended) this.#send({ type: 'fault', target: f.target, fault: f.proxy, on: false });
    const m = this.#targets.get(f.target);
    if (this.#ended) return;
    try {
      if (f.kind === 'kill') await m?.revive();
      else if (f.kind === 'pause') m?.resume();
    } catch (err) {
      this.#troubled = true;
      this.#hooks?.warn(`target "${f.target}" did not come back after fault "${f.name}": ${(err as Error).message}`);
    }
  }

  /** fault_active: all faults at 0 (start), or one fault's new value. */
  #record(value: 0 | 1, o?: Occurrence): void {
    for (const x of o ? [o] : this.#occurrences) this.#store.add(METRIC.fault_active, value, { fault: x.fault.name });
    this.#flush();
  }

  #flush(): void {
    const snap = this.#store.snapshot();
    if (snap.series.length === 0) return;
    snap.at = Date.now();
    this.#hooks?.ingest(FAULT_SOURCE, snap);
  }

  /** Recoveries that are certain now (or, at the end, final): one recovery_time sample each. */
  #judgeRecoveries(final: boolean): void {
    // A window is complete once every worker's delta for it has arrived: two flushes after its end.
    const windows = final ? this.windows.closed(this.#now(), true) : this.windows.closed(this.#now() - 2 * this.flushIntervalMs);
    let recorded = false;
    for (const o of this.#occurrences) {
      if (o.state !== 'off' || o.recovery || o.liftedByEnd) continue;
      const r = recoveryOf({ fault: o.fault.name, on: o.on!, off: o.off! }, windows, o.fault.recovered, final);
      if (r.state === 'pending') continue;
      o.recovery = r;
      if (r.state === 'recovered') {
        this.#store.add(METRIC.recovery_time, r.recoveryTimeMs!, { fault: o.fault.name, kind: o.fault.kind, target: o.fault.target });
        recorded = true;
      }
    }
    if (recorded) this.#flush();
  }

  /** The load is over: every fault off, the last recoveries judged, every managed target stopped. */
  async stop(): Promise<void> {
    if (this.#ended) return;
    this.#ended = true;
    for (const o of this.#occurrences) {
      clearTimeout(o.onTimer);
      // A fault that never turned on has its end armed too (startTime + duration is known from the start).
      if (o.state !== 'on') clearTimeout(o.offTimer);
      else {
        // Lifted by the end of the load itself: there is no "after" to recover in (not applicable, not a failure).
        o.liftedByEnd = true;
        await this.#turnOff(o);
      }
    }
    if (this.#begunAt !== undefined) this.#judgeRecoveries(true);
    await this.#stopTargets();
  }

  async #stopTargets(): Promise<void> {
    await Promise.all([...this.#targets.values()].map((m) => m.stop().catch(() => {})));
    if (this.#logDir?.temporary && !this.#troubled) rmSync(this.#logDir.dir, { recursive: true, force: true });
  }

  #targetEvent(e: TargetEvent): void {
    if (e.type !== 'exited' || e.expected || this.#ended) return;
    this.#troubled = true;
    const how = e.signal ? `signal ${e.signal}` : `exit code ${e.code}`;
    const when = this.#begunAt === undefined ? 'before the load' : `${formatDuration(Math.round(this.#now()))} into the load`;
    this.#hooks?.warn(`target "${e.target}" (PID ${e.pid}) exited on its own (${how}) ${when}; its output is in ${this.#targets.get(e.target)?.logFiles.stderr}`);
  }

  /**
   * A threshold on recovery_time whose filter matches a fault that did not recover fails, whatever
   * the samples of the others say (a fault that never recovers has no sample to judge).
   */
  failsThreshold(entry: ThresholdEntry): boolean {
    if (entry.metric !== METRIC.recovery_time) return false;
    return this.#occurrences.some((o) => {
      if (o.recovery?.state !== 'not-recovered') return false;
      const tags: Record<string, string> = { fault: o.fault.name, kind: o.fault.kind, target: o.fault.target };
      return Object.entries(entry.filter).every(([k, v]) => tags[k] === v);
    });
  }

  /** For the summary (mcprun.faults). */
  summary(): FaultSummary[] {
    const epoch = (ms: number | undefined) => (ms === undefined || this.#begunAt === undefined ? null : new Date(performance.timeOrigin + this.#begunAt + ms).toISOString());
    return this.#occurrences.map((o) => {
      const r = o.recovery;
      return {
        name: o.fault.name,
        kind: o.fault.kind,
        target: o.fault.target,
        state: o.on === undefined ? 'never' : 'acted',
        startMs: o.on === undefined ? null : Math.round(o.on),
        endMs: o.off === undefined ? null : Math.round(o.off),
        start: epoch(o.on),
        end: epoch(o.off),
        requests: o.requests,
        failed: o.failed,
        recovery: {
          state: r ? (r.state === 'recovered' ? 'recovered' : 'not-recovered') : 'not-applicable',
          timeMs: r?.recoveryTimeMs ?? null,
          failed: r?.criteria.failed ?? null,
          latency: r?.criteria.latency ?? null,
          forMs: r?.criteria.forMs ?? null,
          baseline: { requests: r?.baseline.requests ?? 0, failureRate: r?.baseline.failureRate ?? null, p95: r?.baseline.p95 ?? null },
        },
      };
    });
  }
}

/**
 * When an occurrence turns off: the timeline's end, except that a fault that turned on late lasts
 * its whole `duration` from when it really turned on, unless the end of its scenario or of the
 * run comes first (then the timeline's end is earlier than its planned on + duration). All on
 * the fault clock.
 */
function offOf(o: Occurrence, plannedOn: number, plannedOff: number | undefined): number | undefined {
  const d = o.fault.durationMs;
  if (plannedOff === undefined || o.onClock === undefined || d === undefined || plannedOff < plannedOn + d) return plannedOff;
  return Math.max(plannedOff, o.onClock + d);
}

/** A fault run is only needed when the run has targets. */
export function prepareFaults(plan: ResolvedFaultPlan, registry: MetricRegistry, logDir: () => { dir: string; temporary: boolean }, flushIntervalMs: number): FaultRun | undefined {
  if (plan.targets.length === 0) return undefined;
  for (const t of plan.targets) {
    if (t.managed && !t.managed.executable) throw new McprunError('MCPRUN_INTERNAL', `target "${t.name}" has no executable`);
  }
  return new FaultRun(plan, registry, logDir, flushIntervalMs);
}
