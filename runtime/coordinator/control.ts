/**
 * The control API's verbs on a running test: pause, resume, stop, rescale. Each one is checked
 * (a clear refusal with an HTTP status says why it cannot be done), applied through LoadControl
 * and logged with its time, so the summary, the verdict and the charts say the run was steered.
 * The dashboard's HTTP server (output/dashboard) calls these through the ControlPort it declares;
 * it never sees the schedule or the workers.
 *
 * --paused: the schedule is paused before the test starts, and the workers are told as soon as
 * they exist, so no phase starts until the first resume.
 */
import { executorOf } from '../executors/registry.js';
import type { ResolvedScenario } from '../executors/resolved.js';
import { valueAt, vusAt } from '../executors/stages.js';
import { growIdBlocks, steerKindOf, type VuIdBlock } from '../executors/steering.js';
import type { ControlEvent } from '../output/control-log.js';
import type { ControlAnswer, ControlPort, ControlStatus, ScenarioControlStatus } from '../output/dashboard/control-port.js';
import { DashboardOutput } from '../output/dashboard/dashboard-output.js';
import type { Output } from '../output/output.js';
import type { DashboardHooks } from '../output/dashboard/control-port.js';
import { filesForVus, openFileLimit } from './fd-limit.js';
import type { StopSignals } from './stop-signals.js';
import type { LoadControl } from './load-control.js';
import type { RunState } from './run-state.js';
import type { Phase, ScenarioSchedule } from './scenario-schedule.js';

/** Why the dashboard's stop reads as it does in the summary (exit code 105, as any stop from outside). */
export const DASHBOARD_STOP = 'stopped from the dashboard (POST /api/stop)';
/** More than this many iterations per second for one scenario is surely a typo. */
const MAX_RATE_PER_SECOND = 1_000_000;

export class RunControl implements ControlPort {
  readonly events: ControlEvent[] = [];
  #load: LoadControl | undefined;
  readonly #current = new Map<string, number>();
  readonly #idBlocks = new Map<string, VuIdBlock[]>();
  /** The first vu.id past every planned one: VUs added beyond a scenario's plan take ids from here. */
  #nextId: number;

  constructor(
    readonly schedule: ScenarioSchedule,
    readonly state: RunState,
    readonly processes: number,
  ) {
    this.#nextId = Math.max(0, ...schedule.phases.map((p) => p.scenario.idOffset + executorOf(p.scenario).maxVUs(p.scenario)));
  }

  /** The workers exist: steering reaches them from now on (a --paused hold is passed on at once). */
  attach(load: LoadControl): void {
    this.#load = load;
    if (this.schedule.paused) load.pause();
  }

  /** `--paused`: held before the first phase starts. */
  startPaused(): void {
    this.schedule.pause();
    this.#log({ action: 'pause', by: '--paused' });
  }

  status(): ControlStatus {
    const s = this.schedule;
    const state = !s.begunAt && !s.paused ? 'starting' : s.settled ? 'finished' : this.state.aborted ? 'stopping' : s.paused ? 'paused' : 'running';
    return {
      state,
      elapsedMs: s.begunAt ? s.now() - s.begunAt : 0,
      pausedMs: s.pausedMs,
      scenarios: s.phases.map((p) => this.#scenarioStatus(p)),
      events: [...this.events],
    };
  }

  pause(by = 'api'): ControlAnswer {
    const busy = this.#refuseUnlessRunning('pause');
    if (busy) return busy;
    if (this.schedule.paused) return refused(409, 'the run is paused already; POST /api/resume goes on');
    if (this.#load) this.#load.pause();
    else this.schedule.pause();
    this.#log({ action: 'pause', by });
    return done('paused: no iteration starts and every scenario\'s clock stands still until POST /api/resume');
  }

  resume(by = 'api'): ControlAnswer {
    const busy = this.#refuseUnlessRunning('resume');
    if (busy) return busy;
    if (!this.schedule.paused) return refused(409, 'the run is not paused');
    if (this.#load) this.#load.resume();
    else this.schedule.resume();
    this.#log({ action: 'resume', by });
    return done('resumed: every scenario goes on from where its clock stood');
  }

  stop(by = 'api'): ControlAnswer {
    if (this.schedule.settled) return refused(409, 'the load is over already');
    if (!this.#load) return refused(409, 'the workers are still starting; try again in a moment');
    if (!this.state.abort(DASHBOARD_STOP)) return refused(409, `the run is stopping already (${this.state.aborted})`);
    this.#log({ action: 'stop', by });
    this.#load.stop(true);
    return done('stopping: in-flight iterations get their gracefulStop, then the summary is written');
  }

  rescale(name: string, body: unknown, by = 'api'): ControlAnswer {
    const p = this.schedule.phases.find((x) => x.scenario.name === name);
    if (!p) return refused(404, `there is no scenario ${JSON.stringify(name)}; the scenarios are ${this.schedule.phases.map((x) => JSON.stringify(x.scenario.name)).join(', ')}`);
    const sc = p.scenario;
    const kind = steerKindOf(sc.executor);
    if (!kind) return refused(409, `scenario "${name}" (${sc.executor}) runs a fixed number of iterations and cannot be rescaled; only constant-vus and ramping-vus ({ "vus": N }) and the arrival-rate executors ({ "rate": N }) can`);
    const value = readValue(body, kind, sc);
    if (typeof value === 'string') return refused(400, value);
    if (p.state !== 'running' || !this.#load) return refused(409, `scenario "${name}" is ${p.state === 'running' ? 'starting' : p.state}; only a running scenario can be rescaled`);
    if (kind === 'vus') {
      const tooMany = this.#overFileBudget(p, value);
      if (tooMany) return refused(409, tooMany);
    }
    const from = this.#valueNow(p);
    let blocks = this.#idBlocks.get(name) ?? [];
    if (kind === 'vus') {
      const grown = growIdBlocks(blocks, executorOf(sc).maxVUs(sc), value, this.#nextId);
      blocks = grown.blocks;
      this.#nextId = grown.nextId;
      this.#idBlocks.set(name, blocks);
    }
    this.#current.set(name, value);
    this.#load.rescale(name, kind === 'vus' ? { vus: value } : { rate: value }, blocks);
    this.#log({ action: 'rescale', scenario: name, from, to: value, unit: kind === 'vus' ? 'VUs' : 'iterations/timeUnit', by });
    return done(`scenario "${name}" now runs ${value} ${kind === 'vus' ? 'VUs' : `iterations per ${(sc as { timeUnitMs: number }).timeUnitMs / 1000}s`}`);
  }

  get steered(): boolean {
    return this.events.some((e) => e.action === 'pause' || e.action === 'rescale');
  }

  #refuseUnlessRunning(verb: string): ControlAnswer | undefined {
    if (this.schedule.settled) return refused(409, 'the load is over already');
    if (this.state.aborted) return refused(409, `the run is stopping (${this.state.aborted}); there is nothing to ${verb}`);
    return undefined;
  }

  #log(e: Omit<ControlEvent, 'atMs' | 'at'>): void {
    const s = this.schedule;
    this.events.push({ ...e, atMs: s.begunAt ? Math.round(s.now() - s.begunAt) : 0, at: new Date().toISOString() });
  }

  /** What the scenario runs now: the last rescale, or its plan at this moment. */
  #valueNow(p: Phase): number | null {
    const set = this.#current.get(p.scenario.name);
    if (set !== undefined) return set;
    const sc = p.scenario;
    const t = p.startedAt ? this.schedule.phaseElapsedMs(p) : 0;
    switch (sc.executor) {
      case 'constant-vus':
        return sc.vus;
      case 'ramping-vus':
        return vusAt(sc.stages, sc.startVUs, t);
      case 'constant-arrival-rate':
        return sc.rate;
      case 'ramping-arrival-rate':
        return Math.round(valueAt(sc.stages, sc.startRate, t) * 1000) / 1000;
      default:
        return null;
    }
  }

  /** The open-file limit holds for VUs added at run time as for planned ones (fd-limit.ts); a refusal says how many fit. */
  #overFileBudget(p: Phase, vus: number): string | undefined {
    const limit = openFileLimit();
    if (limit === undefined) return undefined;
    let others = 0;
    for (const q of this.schedule.phases) {
      if (q === p || q.state !== 'running') continue;
      const v = this.#valueNow(q);
      others += steerKindOf(q.scenario.executor) === 'vus' && v !== null ? v : executorOf(q.scenario).maxVUs(q.scenario);
    }
    if (filesForVus(Math.ceil((others + vus) / this.processes)) <= limit) return undefined;
    return `${vus} VUs for "${p.scenario.name}" (with ${others} VUs of the other running scenarios) need more open files than the limit (ulimit -n ${limit}) allows in ${this.processes === 1 ? 'this process' : `each of ${this.processes} processes`}; ask for fewer, or start the run with more --workers and --pool processes`;
  }

  #scenarioStatus(p: Phase): ScenarioControlStatus {
    const sc = p.scenario;
    const steer = steerKindOf(sc.executor) ?? null;
    return {
      name: sc.name,
      executor: sc.executor,
      state: p.state,
      steer,
      value: steer ? this.#valueNow(p) : null,
      rescaled: this.#current.has(sc.name),
      timeUnitMs: 'timeUnitMs' in sc ? sc.timeUnitMs : undefined,
    };
  }
}

/** Hands the dashboard (when the run has one) the run's control and live summary. */
export function connectDashboard(outputs: readonly Output[], hooks: DashboardHooks): void {
  for (const o of outputs) if (o instanceof DashboardOutput) o.connect(hooks);
}

/**
 * What ends --linger: Ctrl-C after the load is over. When the load itself was stopped by Ctrl-C,
 * that stop must not end the lingering page at once: the next (hard) one does.
 */
export function lingerStop(stops: StopSignals, fn: () => void): () => void {
  return stops.onStop(fn, stops.requested);
}

/** The body of PATCH /api/scenarios/<name>: `{ "vus": N }` or `{ "rate": N }`, whichever the executor takes; a string says what is wrong. */
function readValue(body: unknown, kind: 'vus' | 'rate', sc: ResolvedScenario): number | string {
  const example = kind === 'vus' ? '{ "vus": 20 }' : '{ "rate": 100 }';
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return `the body must be a JSON object such as ${example}`;
  const keys = Object.keys(body);
  const v = (body as Record<string, unknown>)[kind];
  if (keys.length !== 1 || v === undefined) return `scenario "${sc.name}" (${sc.executor}) takes ${example}, received ${JSON.stringify(body)}`;
  if (kind === 'vus') {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) return `"vus" must be a whole number >= 0, received ${JSON.stringify(v)}`;
    return v;
  }
  const perSecond = typeof v === 'number' ? (v * 1000) / (sc as { timeUnitMs: number }).timeUnitMs : NaN;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) return `"rate" must be a number > 0 (iterations per the scenario's timeUnit), received ${JSON.stringify(v)}; POST /api/pause holds the run instead`;
  if (perSecond > MAX_RATE_PER_SECOND) return `"rate" ${v} is ${perSecond} iterations per second, more than ${MAX_RATE_PER_SECOND}; give a smaller rate`;
  return v;
}

function done(message: string): ControlAnswer {
  return { status: 200, body: { ok: true, message } };
}

function refused(status: number, message: string): ControlAnswer {
  return { status, body: { ok: false, message } };
}
