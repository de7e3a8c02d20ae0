/**
 * `mcprun merge`: summary exports of separate runs (machines, pods, runs of the same test at the
 * same time) back into one aggregate, exactly: counters and rates add up, each trend's cumulative
 * HDR histogram (mcprun.histograms, the buckets as they were) is added bucket by bucket, so the
 * merged percentiles are those of one histogram of every value. The exports hold each metric over
 * all its tags together, so only whole-metric figures merge: a threshold with a tag filter cannot
 * be judged from them (the command refuses it). Pure: parsed exports in, an aggregate out.
 */
import { McprunError } from '../errors.js';
import { MetricAggregate } from '../metrics/aggregate.js';
import { decodeHistogram, encodeTransfer } from '../metrics/hdr.js';
import type { MetricRegistry } from '../metrics/registry.js';
import type { SeriesDelta } from '../metrics/worker-store.js';
import type { SummaryData, SummaryMetric } from './summary-data.js';

export interface MergeInput {
  readonly file: string;
  readonly data: SummaryData;
}

export interface Merged {
  readonly aggregate: MetricAggregate;
  /** The longest of the runs: separate machines ran at the same time, so rates divide by it. */
  readonly testRunDurationMs: number;
}

/** A parsed export, checked to be one mcprun wrote (104 naming the file otherwise). */
export function readExport(file: string, text: string): MergeInput {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new McprunError('MCPRUN_CLI', `${file} is not JSON (${(err as Error).message}): give summary exports written by --summary-export.`);
  }
  const d = data as Partial<SummaryData> | null;
  if (!d || typeof d !== 'object' || typeof d.metrics !== 'object' || !d.mcprun || typeof d.mcprun.histograms !== 'object' || typeof d.state?.testRunDurationMs !== 'number') {
    throw new McprunError('MCPRUN_CLI', `${file} is not an mcprun summary export (no metrics, state.testRunDurationMs and mcprun.histograms): give files written by mcprun run --summary-export.`);
  }
  return { file, data: d as SummaryData };
}

export function mergeExports(inputs: readonly MergeInput[], registry: MetricRegistry): Merged {
  for (const { data } of inputs) {
    for (const [name, m] of Object.entries(data.metrics)) if (!name.includes('{')) registry.define({ name, type: m.type, contains: m.contains });
  }
  const aggregate = new MetricAggregate((n) => registry.get(n));
  inputs.forEach(({ file, data }, source) => {
    const series: SeriesDelta[] = [];
    for (const [name, m] of Object.entries(data.metrics)) {
      // Sub-metrics ('http_req_duration{status:200}') are a threshold's view, already in the whole metric.
      if (!name.includes('{')) series.push(deltaOf(file, name, m, data.mcprun.histograms[name]));
    }
    aggregate.merge(source, { at: 0, series });
  });
  const testRunDurationMs = Math.max(0, ...inputs.map((i) => i.data.state.testRunDurationMs));
  aggregate.elapsedSeconds = testRunDurationMs / 1000;
  return { aggregate, testRunDurationMs };
}

function deltaOf(file: string, metric: string, m: SummaryMetric, histogram: string | undefined): SeriesDelta {
  const v = m.values;
  const base = { metric, tags: {}, type: m.type };
  switch (m.type) {
    case 'counter':
      return { ...base, count: v.count, sum: v.count, min: v.count, max: v.count };
    case 'rate':
      return { ...base, count: v.passes + v.fails, sum: v.passes, min: 0, max: 1 };
    case 'gauge':
      return { ...base, count: 1, sum: v.value, min: v.min, max: v.max };
    case 'trend': {
      if (histogram === undefined) throw new McprunError('MCPRUN_CLI', `${file} has no histogram for ${metric} (mcprun.histograms): it cannot be merged exactly; give exports of mcprun 0.1.0 or later.`);
      return { ...base, count: v.count, sum: v.avg * v.count, min: v.min, max: v.max, hist: encodeTransfer(decodeHistogram(histogram)) };
    }
  }
}
