/**
 * The system under test, sampled beside the load: /proc for local PIDs, a Prometheus endpoint, or
 * both, once per interval (1 s), merged into one sample of sut_* values, with
 * sut_memory_per_connection measured at each plateau of the connections.
 *
 * Run by the coordinator: `start()` before any load (the baseline of memory per connection and
 * the first connection census are taken then), 'sample' and 'warning' events while it runs,
 * `stop()` at the end. Nothing here throws once started: a PID that exits or a URL that stops
 * answering is a warning and a gap. The timer is unref'd, so it never keeps a process alive.
 *
 * With both sources, /proc supplies the process series (it is exact and needs no cooperation)
 * and the exposition the rest (GC, selected series), unless told otherwise.
 */
import { EventEmitter } from 'node:events';
import type { MetricDefinition } from '../metrics/types.js';
import { SUT_METRIC, sutMetricDefinitions } from '../metrics/sut-catalogue.js';
import { MemoryPerConnection, type MemoryPerConnectionOptions, type PlateauMeasurement } from './memory-per-connection.js';
import { ProcSampler } from './proc-sampler.js';
import type { SocketCensus } from './socket-census.js';
import { PrometheusSource, type PrometheusSourceOptions } from './prometheus-source.js';
import type { SutSample, SutValues, SutWarning } from './types.js';
import { safeInterval } from '../timers.js';

export interface SutSamplerOptions {
  /** Checked PIDs (checkSutPids); their descendants are included. */
  readonly pids?: readonly number[];
  /**
   * A managed target (options.sut: { target }): its PIDs now, asked at every sample, so a process
   * that a kill or restart fault replaced is followed to its new PID. Replaces `pids`.
   */
  readonly rootPids?: () => readonly number[];
  /** A checked URL (checkMetricsUrl) and what to map. */
  readonly prometheus?: PrometheusSourceOptions;
  readonly intervalMs?: number;
  readonly memoryPerConnection?: MemoryPerConnectionOptions;
  /** Share of real time the /proc connection census may use (proc-sampler.ts). */
  readonly censusBudget?: number;
}

interface SutEvents {
  sample: [SutSample];
  warning: [SutWarning];
}

export class SutSampler extends EventEmitter<SutEvents> {
  readonly intervalMs: number;
  readonly definitions: MetricDefinition[];
  #proc: ProcSampler | undefined;
  readonly #rootPids: (() => readonly number[]) | undefined;
  readonly #censusBudget: number | undefined;
  readonly #prom: PrometheusSource | undefined;
  readonly #memory: MemoryPerConnection;
  #timer: NodeJS.Timeout | undefined;
  #inFlight: Promise<SutSample> | undefined;
  #census: Promise<void> | undefined;

  constructor(opts: SutSamplerOptions) {
    super();
    if (!opts.pids?.length && !opts.rootPids && !opts.prometheus) throw new RangeError('the system under test needs PIDs, a metrics URL, or both');
    this.intervalMs = opts.intervalMs ?? 1000;
    this.#rootPids = opts.rootPids;
    this.#censusBudget = opts.censusBudget;
    const pids = opts.rootPids?.() ?? opts.pids;
    this.#proc = pids?.length ? new ProcSampler(pids, { censusBudget: opts.censusBudget }) : undefined;
    this.#prom = opts.prometheus
      ? new PrometheusSource({ processSeries: this.#proc === undefined && !opts.rootPids, ...opts.prometheus })
      : undefined;
    this.#memory = new MemoryPerConnection(opts.memoryPerConnection);
    this.definitions = sutMetricDefinitions(opts.prometheus?.series);
  }

  /** How the /proc connection count was kept exact: censuses taken, and the last one (its cost, its count). */
  get census(): { count: number; last: SocketCensus | undefined } | undefined {
    return this.#proc && { count: this.#proc.censuses, last: this.#proc.lastCensus };
  }

  /** Plateaus measured so far (sut_memory_per_connection), for the summary and the per-phase table. */
  get measurements(): readonly PlateauMeasurement[] {
    return this.#memory.measurements;
  }

  /** Takes the first census and the first sample, then samples every interval. */
  async start(): Promise<void> {
    this.#followRoots();
    await this.#proc?.census();
    await this.sample();
    this.#timer = safeInterval(() => {
      if (!this.#inFlight) void this.sample();
    }, this.intervalMs);
    this.#timer.unref();
  }

  /** One sample now from every source, emitted as 'sample' (and its warnings as 'warning'). */
  sample(): Promise<SutSample> {
    this.#inFlight ??= this.#take().finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  async stop(): Promise<readonly PlateauMeasurement[]> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#inFlight;
    await this.#census;
    this.#prom?.close();
    return this.measurements;
  }

  /** A managed target that was killed or restarted has a new root PID: sample that one from now on. */
  #followRoots(): void {
    const now = this.#rootPids?.();
    if (!now?.length) return;
    const roots = this.#proc?.roots ?? [];
    if (roots.length === now.length && now.every((p) => roots.includes(p))) return;
    this.#proc = new ProcSampler(now, { censusBudget: this.#censusBudget });
  }

  async #take(): Promise<SutSample> {
    this.#followRoots();
    const time = Date.now();
    const scraping = this.#prom?.scrape(time);
    const proc = this.#proc?.sample(performance.now(), time);
    const scraped = await scraping;
    const values: SutValues = { ...scraped?.values, ...proc?.values };
    // A managed target's process that exits is said by the fault run (expected after a kill fault, a warning otherwise).
    const procWarnings = (proc?.warnings ?? []).filter((w) => !this.#rootPids || w.code !== 'sut_pid_exited');
    for (const w of [...procWarnings, ...(scraped?.warnings ?? [])]) this.emit('warning', w);
    const rss = values[SUT_METRIC.rss];
    const connections = values[SUT_METRIC.connections];
    if (rss !== undefined && connections !== undefined) {
      const m = this.#memory.observe(time, rss, connections);
      if (m) values[SUT_METRIC.memoryPerConnection] = m.perConnection;
    }
    this.#census ??= this.#proc?.maybeCensus()?.finally(() => {
      this.#census = undefined;
    });
    const sample = { time, values };
    this.emit('sample', sample);
    return sample;
  }
}
