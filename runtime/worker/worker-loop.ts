/**
 * Everything a worker does, independent of its transport (thread or child process): import the
 * scenario bundle once, run setup/teardown when asked, run its share of each scenario, and post
 * metric snapshots about once a second.
 */
import { pathToFileURL } from 'node:url';
import { McprunError, serializeError } from '../errors.js';
import { realmRegistry } from '../metrics/registry.js';
import { WorkerMetricStore } from '../metrics/worker-store.js';
import { METRIC } from '../metrics/builtin.js';
import { MemoryPerVu, MIN_VUS } from '../metrics/memory-per-vu.js';
import { executorOf } from '../executors/registry.js';
import { GeneratorHealth } from '../metrics/generator-health.js';
import { ProtocolServices } from '../protocols/services.js';
import { userFrame } from '../stack-location.js';
import type { CoordinatorMessage, FatalPhase, WorkerMessage, WorkerPlan } from '../worker-protocol.js';
import { ErrorLog } from './error-log.js';
import { FloatingCalls } from './floating-calls.js';
import { ScenarioRunner } from './scenario-runner.js';
import { scriptFacts } from './script-facts.js';
import { recordStrayError, ScenarioVus, Vu, type IterationFn, type VuDeps } from './vu.js';
import { vuStorage } from './vu-context.js';
import { VuCounts } from './vu-counts.js';
import type { ResolvedScenario } from '../executors/resolved.js';
import { safeTimeout, safeInterval } from '../timers.js';

export interface WorkerTransport {
  post(msg: WorkerMessage): void;
  on(handler: (msg: CoordinatorMessage) => void): void;
  /** Lets the process/thread end once nothing else keeps it alive. */
  close(): void;
}

export class WorkerLoop {
  #plan!: WorkerPlan;
  #module: Record<string, unknown> | undefined;
  #bundlePath: string | undefined;
  /** True while the bundle's top-level code runs: an error thrown then is the import's. */
  #loading = false;
  #loadFailed = false;
  #store = new WorkerMetricStore(realmRegistry);
  #services!: ProtocolServices;
  #errors!: ErrorLog;
  #floating = new FloatingCalls();
  #runners = new Map<string, ScenarioRunner>();
  #flushTimer: NodeJS.Timeout | undefined;
  readonly #counts = new VuCounts();
  /** mcprun_heap_per_vu / mcprun_rss_per_vu, measured by this worker. */
  #memory: MemoryPerVu | undefined;
  #health: GeneratorHealth | undefined;

  constructor(readonly transport: WorkerTransport) {
    transport.on((msg) => {
      this.#handle(msg).catch((err) => this.#fatal('run', err));
    });
  }

  get #index(): number {
    return this.#plan?.workerIndex ?? -1;
  }

  async #handle(msg: CoordinatorMessage): Promise<void> {
    switch (msg.type) {
      case 'read-script':
        return this.#readScript(msg.bundlePath, msg.env);
      case 'handle-summary':
        return this.#handleSummary(msg.bundlePath, msg.env, msg.data);
      case 'init':
        return this.#init(msg.plan);
      case 'setup':
        return this.#setup(msg.timeoutMs);
      case 'start-scenario':
        return this.#startScenario(msg.name, msg.data);
      case 'stop':
        for (const r of this.#runners.values()) r.stop(!msg.graceful);
        return;
      case 'teardown':
        return this.#teardown(msg.data, msg.timeoutMs);
      case 'shutdown':
        return this.#shutdown();
      default: {
        const never: never = msg;
        throw new McprunError('MCPRUN_INTERNAL', `the worker received an unknown message ${JSON.stringify(never)}.`);
      }
    }
  }

  /** The bundle imported once per worker, with `env` as process.env and __ENV (its top-level code reads them). */
  async #load(bundlePath: string, env: Record<string, string>): Promise<Record<string, unknown> | undefined> {
    if (this.#module && this.#bundlePath === bundlePath) return this.#module;
    for (const [k, v] of Object.entries(env)) process.env[k] = v;
    (globalThis as Record<string, unknown>).__ENV = env;
    this.#loading = true;
    try {
      const mod = (await import(pathToFileURL(bundlePath).href)) as Record<string, unknown>;
      // A rejection nobody handled surfaces after the microtasks: it is the import's failure too.
      await new Promise((r) => setImmediate(r));
      if (this.#loadFailed) return undefined;
      this.#module = commonJsExports(mod);
      this.#bundlePath = bundlePath;
      return this.#module;
    } catch (err) {
      if (!this.#loadFailed) this.#fatal('init', err);
      return undefined;
    } finally {
      this.#loading = false;
    }
  }

  async #readScript(bundlePath: string, env: Record<string, string>): Promise<void> {
    const mod = await this.#load(bundlePath, env);
    if (!mod) return;
    try {
      this.transport.post({ type: 'script-read', facts: scriptFacts(mod, bundlePath) });
    } catch (err) {
      this.#fatal('init', err);
    }
  }

  /** handleSummary(data) runs here, in a worker of its own, never in the coordinator. */
  async #handleSummary(bundlePath: string, env: Record<string, string>, data: unknown): Promise<void> {
    const mod = await this.#load(bundlePath, env);
    if (!mod) return;
    try {
      const result = await (mod.handleSummary as (d: unknown) => unknown)(data);
      this.transport.post({ type: 'summary-handled', result: structuredCloneable(result, 'handleSummary()') });
    } catch (err) {
      this.#fatal('summary', err);
    }
  }

  async #init(plan: WorkerPlan): Promise<void> {
    this.#plan = plan;
    this.#services = new ProtocolServices(this.#store, { http: plan.http, localIps: plan.localIps, workerIndex: plan.workerIndex });
    this.#errors = new ErrorLog();
    if (!(await this.#load(plan.bundlePath, plan.env))) return;
    this.#memory = new MemoryPerVu(this.#store, plan.pool !== 'processes', plan.workerCount, this.#services.connections);
    // The baseline costs a full GC (and a vm context for gc()): only worth it when this worker
    // can reach the VU count from which memory per VU is measured at all.
    const mine = plan.scenarios.reduce((n, sc) => n + Math.ceil(executorOf(sc).maxVUs(sc) / plan.workerCount), 0);
    if (mine >= MIN_VUS) this.#memory.baseline();
    this.#health = new GeneratorHealth(this.#store);
    this.#flushTimer = safeInterval(() => this.#flush(), plan.flushIntervalMs);
    this.transport.post({ type: 'ready', workerIndex: plan.workerIndex });
  }

  #deps(): VuDeps {
    return { store: this.#store, services: this.#services, errors: this.#errors, env: this.#plan.env, counts: this.#counts, floating: this.#floating };
  }

  /** setup() and teardown() run as a VU of their own (so http.* and check work), on worker 0. */
  async #special(name: 'setup' | 'teardown', data: unknown, timeoutMs: number): Promise<unknown> {
    const fn = this.#module![name];
    if (typeof fn !== 'function') return undefined;
    const scenario = { name, tags: {}, env: {}, idOffset: -1 } as unknown as ResolvedScenario;
    const vu = new Vu(new ScenarioVus(this.#deps(), scenario, fn as IterationFn, data), 0);
    let timer: NodeJS.Timeout | undefined;
    try {
      const result = await Promise.race([
        vuStorage.run(vu.ctx, () => (fn as (d: unknown) => unknown)(data)),
        new Promise((_, reject) => {
          timer = safeTimeout(
            () => reject(new McprunError('MCPRUN_TIMEOUT', `${name}() did not finish within ${timeoutMs / 1000}s.`, { hint: `Make it faster or raise options.${name}Timeout.` })),
            timeoutMs,
          );
        }),
      ]);
      return result;
    } finally {
      clearTimeout(timer);
      await vu.retire();
    }
  }

  async #setup(timeoutMs: number): Promise<void> {
    try {
      const data = await this.#special('setup', undefined, timeoutMs);
      this.#flush();
      this.transport.post({ type: 'setup-done', data: structuredCloneable(data, 'setup()') });
    } catch (err) {
      this.#fatal('setup', err);
    }
  }

  async #teardown(data: unknown, timeoutMs: number): Promise<void> {
    try {
      await this.#special('teardown', data, timeoutMs);
      this.transport.post({ type: 'teardown-done' });
    } catch (err) {
      this.#fatal('teardown', err);
    }
  }

  async #startScenario(name: string, data: unknown): Promise<void> {
    const s = this.#plan.scenarios.find((x) => x.name === name);
    if (!s) throw new McprunError('MCPRUN_INTERNAL', `the worker was asked to start scenario ${JSON.stringify(name)}, which is not in its plan.`);
    const fn = this.#module![s.exec] as IterationFn;
    const runner = new ScenarioRunner(s, this.#deps(), this.#plan.workerIndex, this.#plan.workerCount, fn, data);
    this.#runners.set(name, runner);
    try {
      await runner.run();
    } finally {
      this.#runners.delete(name);
    }
    // What the scenario measured reaches the coordinator now: a hook that hangs later (teardown)
    // and ends this worker cannot take it along.
    this.#flush();
    this.transport.post({ type: 'scenario-done', workerIndex: this.#index, name });
  }

  #flush(): void {
    const counts = this.#counts;
    const vus = counts.active;
    const peak = counts.takeActivePeak();
    // Gauges carry the last value and min/max: record the interval's peak, then the value now.
    if (peak > vus) this.#store.add(METRIC.vus, peak, {});
    this.#store.add(METRIC.vus, vus, {});
    // The most VUs this worker has had at once (k6's vus_max): retiring them at the end does not
    // lower it. Nothing before the first VU exists (setup() runs before any).
    if (counts.maxAllocated > 0) this.#store.add(METRIC.vus_max, counts.maxAllocated, {});
    if (this.#plan.http.shareConnections) this.#services.http.accountShared({});
    this.#memory?.sample(counts.allocated);
    this.#health?.sample();
    this.transport.post({
      type: 'metrics',
      workerIndex: this.#index,
      snapshot: this.#store.snapshot(),
      vus: peak,
      vusAllocated: counts.allocated,
      errors: this.#errors.take(),
      warnings: this.#floating.take(),
    });
  }

  async #shutdown(): Promise<void> {
    clearInterval(this.#flushTimer);
    this.#health?.stop();
    await this.#services?.close().catch(() => {});
    if (this.#plan) this.#flush();
    this.transport.post({ type: 'shutdown-done', workerIndex: this.#index });
    this.transport.close();
  }

  #fatal(phase: FatalPhase, err: unknown): void {
    this.transport.post({ type: 'fatal', workerIndex: this.#index, phase, error: serializeError(err) });
  }

  /**
   * An exception nobody caught or a rejection nobody handled (both entries route them here). In a
   * VU (a timer or a floating promise started by an iteration) it is an iteration error with its
   * place; in the scenario's top-level code the coordinator hears of it as the script's error; in
   * mcprun's own code it is a failure of this worker.
   */
  strayError(err: unknown): void {
    if (recordStrayError(vuStorage.getStore()?.context, err)) return;
    if (this.#loading) {
      // Said at once: the import itself may never settle (a top-level await on what threw).
      if (!this.#loadFailed) this.#fatal('init', err);
      this.#loadFailed = true;
      return;
    }
    this.#fatal(userFrame((err as Error | undefined)?.stack) ? 'script' : 'run', err);
  }
}

/**
 * A CommonJS scenario (.cjs, `exports.options = ...`) bundles to an ES module whose only export is
 * `default`, its module.exports: its exports are that object's keys.
 */
function commonJsExports(mod: Record<string, unknown>): Record<string, unknown> {
  const keys = Object.keys(mod);
  const d = mod.default;
  if (keys.length === 1 && keys[0] === 'default' && typeof d === 'object' && d !== null && !Array.isArray(d)) return d as Record<string, unknown>;
  return mod;
}

/** setup()'s result is copied to every worker (handleSummary()'s to the coordinator): say clearly when it cannot be. */
function structuredCloneable(data: unknown, what: string): unknown {
  try {
    return structuredClone(data);
  } catch (err) {
    throw new McprunError(
      'MCPRUN_SCRIPT_EXCEPTION',
      `${what} returned a value that cannot be copied ${what === 'setup()' ? 'to the workers' : 'to mcprun'} (${(err as Error).message}).`,
      { hint: 'Return plain data (objects, arrays, strings, numbers); keep servers, sockets and functions out of it.' },
    );
  }
}
