/**
 * Line formats of the time series files: NDJSON (`--out json=FILE`) and CSV (`--out csv=FILE`,
 * `timeseries.csv` in the report folder). One line per tracked series per closed interval.
 */
import type { MetricSnapshot } from '../metrics/worker-store.js';
import type { ClosedInterval, TimeSeriesPoint } from './timeseries.js';

/** Six decimals are plenty (a nanosecond for time trends) and keep files small. */
export function round6(v: number): number {
  return Number.isInteger(v) ? v : Math.round(v * 1e6) / 1e6;
}

const POINT_KEYS = ['value', 'count', 'perSecond', 'passes', 'sum', 'min', 'max', 'p50', 'p90', 'p95', 'p99'] as const;

/**
 * NDJSON, as k6's JSON output: a `Metric` line the first time a metric appears, then `Point` lines.
 * `{"type":"Point","metric":"http_reqs","data":{"time":"…","interval":1,"tags":{},"value":12,"count":12,"perSecond":12}}`
 */
export class NdjsonFormatter {
  readonly #seen = new Set<string>();

  interval(c: ClosedInterval): string {
    let out = '';
    const time = new Date(c.time).toISOString();
    for (const p of c.points) {
      if (!this.#seen.has(p.metric)) {
        this.#seen.add(p.metric);
        out += `${JSON.stringify({ type: 'Metric', metric: p.metric, data: { name: p.metric, type: p.type, contains: p.contains } })}\n`;
      }
      const data: Record<string, unknown> = { time, interval: c.intervalMs / 1000, tags: p.tags };
      for (const k of POINT_KEYS) if (p[k] !== undefined) data[k] = round6(p[k]!);
      out += `${JSON.stringify({ type: 'Point', metric: p.metric, data })}\n`;
    }
    return out;
  }

  /**
   * `raw`: samples never cross threads one by one (each worker aggregates them), so the finest data
   * there is is each worker's per-series delta with its full tag set, as it arrived.
   */
  raw(worker: number, snap: MetricSnapshot): string {
    let out = '';
    const time = new Date(snap.at).toISOString();
    for (const d of snap.series) {
      const data: Record<string, unknown> = { time, worker, tags: d.tags, count: round6(d.count), sum: round6(d.sum) };
      if (d.type === 'trend' || d.type === 'gauge') {
        data.min = round6(d.min);
        data.max = round6(d.max);
      }
      out += `${JSON.stringify({ type: 'WorkerDelta', metric: d.metric, data })}\n`;
    }
    return out;
  }
}

export const CSV_HEADER = ['timestamp', 'metric', 'type', 'tags', 'interval_s', ...POINT_KEYS.map((k) => (k === 'perSecond' ? 'per_second' : k))];

export function csvField(v: string | number | undefined): string {
  if (v === undefined) return '';
  const s = typeof v === 'number' ? String(round6(v)) : v;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** `scenario=ramp&tool=echo` (names sorted; `&`, `=` and `%` in values percent-encoded). */
export function encodeTags(tags: Readonly<Record<string, string>>): string {
  const enc = (s: string) => s.replace(/[%&=]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return Object.keys(tags)
    .sort()
    .map((k) => `${enc(k)}=${enc(tags[k])}`)
    .join('&');
}

export function csvHeader(): string {
  return `${CSV_HEADER.join(',')}\n`;
}

export function csvLines(c: ClosedInterval): string {
  let out = '';
  const ts = c.time / 1000;
  for (const p of c.points) out += `${csvRow(ts, c.intervalMs / 1000, p)}\n`;
  return out;
}

function csvRow(ts: number, intervalS: number, p: TimeSeriesPoint): string {
  return [csvField(ts), csvField(p.metric), p.type, csvField(encodeTags(p.tags)), csvField(intervalS), ...POINT_KEYS.map((k) => csvField(p[k]))].join(',');
}
