/**
 * What a scraped exposition means as sut_* values. The standard process series (the same names
 * in prom-client, client_golang, client_python, prometheus.erl's process collector, the JVM
 * clients) map onto the /proc names; GC figures come from the one GC family present:
 *
 * | runtime             | family                                                   | gives                     |
 * | ------------------- | -------------------------------------------------------- | ------------------------- |
 * | Node (prom-client)  | `nodejs_gc_duration_seconds` (histogram, per `kind`)     | pause, time, rate         |
 * | Go (client_golang)  | `go_gc_duration_seconds` (summary: stop-the-world pauses)| pause, time, rate         |
 * | JVM (simpleclient)  | `jvm_gc_collection_seconds` (summary, per `gc`)          | pause, time, rate         |
 * | JVM (Micrometer)    | `jvm_gc_pause_seconds` (summary/histogram)               | pause, time, rate         |
 * | Erlang (prometheus.erl) | `erlang_vm_statistics_garbage_collection_number_of_gcs` | rate only: BEAM collects per process and exposes no pause times |
 *
 * sut_gc_pause = delta _sum / delta _count (the mean pause in the interval, ms; absent when there
 * was no collection), sut_gc_time = delta _sum per real second, sut_gc_rate = delta _count per
 * real second. Counters become rates over the real time between scrapes; a counter that went
 * down (the server restarted) gives no rate for that interval. Selected series are summed over
 * the samples whose labels include the selection's.
 *
 * Pure but stateful: it keeps the previous scrape's counters.
 */
import { SUT_METRIC, selectionMetric } from '../metrics/sut-catalogue.js';
import type { ExpositionSample } from './prometheus-text.js';
import type { SeriesSelection, SutValues } from './types.js';

const PROCESS_GAUGES: readonly (readonly [metric: string, series: readonly string[]])[] = [
  [SUT_METRIC.rss, ['process_resident_memory_bytes']],
  [SUT_METRIC.openFds, ['process_open_fds']],
  [SUT_METRIC.threads, ['process_threads', 'process_threads_total', 'go_threads', 'jvm_threads_live_threads', 'jvm_threads_current']],
];
const CPU_COUNTER = 'process_cpu_seconds_total';
const GC_FAMILIES = ['nodejs_gc_duration_seconds', 'go_gc_duration_seconds', 'jvm_gc_collection_seconds', 'jvm_gc_pause_seconds'];
const GC_COUNT_ONLY = 'erlang_vm_statistics_garbage_collection_number_of_gcs';

export interface MappingOptions {
  /** Map the process_* series (false when /proc already measures the same process). */
  readonly processSeries?: boolean;
  readonly series?: readonly SeriesSelection[];
}

export class ExpositionMapper {
  readonly #process: boolean;
  readonly #selections: readonly SeriesSelection[];
  /** Counter key -> last value and its time (ms). */
  #counters = new Map<string, { value: number; at: number }>();

  constructor(opts: MappingOptions = {}) {
    this.#process = opts.processSeries ?? true;
    this.#selections = opts.series ?? [];
  }

  /** The series names this mapper reads: the parser skips every other line. */
  wants(name: string): boolean {
    if (this.#selections.some((s) => s.name === name)) return true;
    if (name === GC_COUNT_ONLY || GC_FAMILIES.some((f) => name === `${f}_sum` || name === `${f}_count`)) return true;
    return this.#process && (name === CPU_COUNTER || PROCESS_GAUGES.some(([, names]) => names.includes(name)));
  }

  /** Values from one scrape taken at `at` (monotonic ms). */
  map(samples: readonly ExpositionSample[], at: number): SutValues {
    const sums = sumByName(samples);
    const values: SutValues = {};
    if (this.#process) {
      for (const [metric, names] of PROCESS_GAUGES) {
        const name = names.find((n) => sums.has(n));
        if (name !== undefined) values[metric] = sums.get(name)!;
      }
      this.#rate(CPU_COUNTER, sums.get(CPU_COUNTER), at, (r) => (values[SUT_METRIC.cpu] = r));
    }
    this.#gc(sums, at, values);
    for (const s of this.#selections) {
      const v = sumMatching(samples, s);
      if (v === undefined) continue;
      const metric = selectionMetric(s);
      if (s.as === 'gauge') values[metric] = v;
      else this.#rate(`sel:${metric}`, v, at, (r) => (values[metric] = r));
    }
    return values;
  }

  #gc(sums: Map<string, number>, at: number, values: SutValues): void {
    const family = GC_FAMILIES.find((f) => sums.has(`${f}_count`));
    if (family === undefined) {
      this.#rate('gc:count', sums.get(GC_COUNT_ONLY), at, (r) => (values[SUT_METRIC.gcRate] = r));
      return;
    }
    const sum = this.#delta('gc:sum', sums.get(`${family}_sum`), at);
    const count = this.#delta('gc:count', sums.get(`${family}_count`), at);
    if (sum === undefined || count === undefined) return;
    values[SUT_METRIC.gcTime] = sum.increase / sum.seconds;
    values[SUT_METRIC.gcRate] = count.increase / count.seconds;
    if (count.increase > 0) values[SUT_METRIC.gcPause] = (sum.increase / count.increase) * 1000;
  }

  #rate(key: string, value: number | undefined, at: number, set: (perSecond: number) => void): void {
    const d = this.#delta(key, value, at);
    if (d !== undefined) set(d.increase / d.seconds);
  }

  /** The counter's increase since the previous scrape; undefined at the first one and after a reset. */
  #delta(key: string, value: number | undefined, at: number): { increase: number; seconds: number } | undefined {
    if (value === undefined) return undefined;
    const prev = this.#counters.get(key);
    this.#counters.set(key, { value, at });
    if (prev === undefined || value < prev.value || at <= prev.at) return undefined;
    return { increase: value - prev.value, seconds: (at - prev.at) / 1000 };
  }
}

function sumByName(samples: readonly ExpositionSample[]): Map<string, number> {
  const sums = new Map<string, number>();
  for (const s of samples) sums.set(s.name, (sums.get(s.name) ?? 0) + s.value);
  return sums;
}

function sumMatching(samples: readonly ExpositionSample[], sel: SeriesSelection): number | undefined {
  let total: number | undefined;
  for (const s of samples) {
    if (s.name !== sel.name) continue;
    if (sel.labels && !Object.entries(sel.labels).every(([k, v]) => s.labels[k] === v)) continue;
    total = (total ?? 0) + s.value;
  }
  return total;
}
