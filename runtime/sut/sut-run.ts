/**
 * The system under test during one run, on the coordinator's side (never in a worker): the
 * checks of its inputs before any load (a PID that does not exist, a URL beyond loopback, a bad
 * series selection: exit 104), then the sampler's samples as metric snapshots of a source of
 * their own, so the aggregate, thresholds, summary, time series, reports and Prometheus output
 * treat sut_* like any other metric; its warnings for the summary; at the end, what was sampled
 * and sut_memory_per_connection per phase.
 *
 * A sample becomes one snapshot: the same store the workers use, one value per metric, its time
 * the sample's. A sample without values (the PID exited, the URL stopped answering) is no
 * snapshot at all: that interval has no sut_* point, a gap, and the summary says why.
 */
import type { ResolvedSut } from '../config/resolve.js';
import { McprunError } from '../errors.js';
import type { MetricRegistry } from '../metrics/registry.js';
import { WorkerMetricStore, type MetricSnapshot } from '../metrics/worker-store.js';
import type { SutSummary } from '../output/summary-data.js';
import { memoryPerConnectionByPhase, type PhaseWindow } from './memory-per-connection.js';
import { checkMetricsUrl, checkSeriesSelections, checkSutPids } from './sut-config.js';
import { SutSampler, type SutSamplerOptions } from './sut-sampler.js';
import type { SutSample, SutWarning } from './types.js';

/** The source index of the sampler's snapshots: no worker has it (workers count from 0). */
export const SUT_SOURCE = -1;

export interface SutRunHooks {
  /** A snapshot for the aggregate (MetricFeed.ingest). */
  ingest(source: number, snapshot: MetricSnapshot): void;
  warn(warning: SutWarning): void;
}

/**
 * The sampler the resolved options ask for, its inputs checked (exit 104) and its metrics
 * defined in `registry`; undefined without a system under test. Nothing is sampled yet.
 */
export function prepareSut(sut: ResolvedSut | undefined, registry: MetricRegistry, intervalMs: number, targetPids?: (name: string) => readonly number[]): SutRun | undefined {
  if (!sut) return undefined;
  if (sut.target && !targetPids) {
    // config/sut-options.ts accepts a target only once the run has managed targets to name.
    throw new McprunError('MCPRUN_INTERNAL', `${sut.target.place}: the managed target ${JSON.stringify(sut.target.name)} is not run by this run.`);
  }
  const name = sut.target?.name;
  const opts: SutSamplerOptions = {
    intervalMs,
    pids: sut.pids && checkSutPids(sut.pids.values, sut.pids.place),
    // The target's process starts with the run, before the sampler: its PID is asked for then, and at every sample after.
    rootPids: name === undefined ? undefined : () => targetPids!(name),
    prometheus: prometheusOptions(sut.prometheus),
  };
  const sources = name === undefined ? describeSources(opts) : [`target "${name}" (its process and children, /proc)`, ...describeSources(opts)];
  const sampler = new SutSampler(opts);
  for (const d of sampler.definitions) registry.define(d);
  return new SutRun(sampler, registry, sources);
}

function prometheusOptions(p: ResolvedSut['prometheus']): SutSamplerOptions['prometheus'] {
  if (!p) return undefined;
  const url = checkMetricsUrl(p.url, p.place, { allowRemote: p.allowRemote, allowRemoteHint: 'allowRemote: true in options.sut' });
  checkSeriesSelections(p.series, p.seriesPlace);
  return { url: url.href, series: p.series };
}

function describeSources(o: SutSamplerOptions): string[] {
  const pids = (o.pids ?? []).map((pid) => `PID ${pid} and its children (/proc)`);
  return o.prometheus ? [...pids, `${o.prometheus.url} (Prometheus)`] : pids;
}

export class SutRun {
  readonly #store: WorkerMetricStore;
  #hooks: SutRunHooks | undefined;

  constructor(
    readonly sampler: SutSampler,
    registry: MetricRegistry,
    /** What is sampled, in words. */
    readonly sources: readonly string[],
  ) {
    this.#store = new WorkerMetricStore(registry);
    sampler.on('sample', (s) => this.#ingest(s));
    sampler.on('warning', (w) => this.#hooks?.warn(w));
  }

  /** The baseline and the first exact connection count, then a sample every interval; before any load. */
  async start(hooks: SutRunHooks): Promise<void> {
    this.#hooks = hooks;
    await this.sampler.start();
  }

  async stop(): Promise<void> {
    await this.sampler.stop();
  }

  /** What was sampled and sut_memory_per_connection per phase (windows in epoch ms), for the summary. */
  summary(phases: readonly PhaseWindow[]): { summary: SutSummary; memoryPerConnectionByPhase: Record<string, number | null> } {
    const measured = this.sampler.measurements;
    const byPhase = memoryPerConnectionByPhase(measured, phases);
    const census = this.sampler.census;
    return {
      summary: {
        sources: [...this.sources],
        plateaus: measured.map(({ time, ...m }) => ({ at: new Date(time).toISOString(), ...m })),
        ...(census ? { censuses: { count: census.count, lastCostMs: census.last ? round3(census.last.costMs) : null } } : {}),
      },
      memoryPerConnectionByPhase: Object.fromEntries(Object.entries(byPhase).map(([name, m]) => [name, m?.perConnection ?? null])),
    };
  }

  #ingest(s: SutSample): void {
    for (const [metric, value] of Object.entries(s.values)) if (Number.isFinite(value)) this.#store.add(metric, value, {});
    const snapshot = this.#store.snapshot();
    if (snapshot.series.length === 0) return;
    snapshot.at = s.time;
    this.#hooks?.ingest(SUT_SOURCE, snapshot);
  }
}

function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}
