/**
 * HDR histograms for every Trend. Values are recorded as integers in thousandths of the metric's
 * unit (microseconds for time trends), so 3 significant digits of HDR precision apply to values
 * down to 1 µs. Histograms cross from workers to the coordinator as their non-empty buckets
 * (HistogramTransfer, below) and merge exactly; the summary export writes the standard compressed
 * base64 form (encodeHistogram).
 */
// Deep imports: the package index also loads its log reader/writer, whose module init builds
// Intl.NumberFormat instances (~20 ms of every start, in the CLI and in each worker).
import { build } from 'hdr-histogram-js/dist/HistogramBuilder.js';
import { decodeFromCompressedBase64, encodeIntoCompressedBase64 } from 'hdr-histogram-js/dist/encoding.js';
import type { Histogram } from 'hdr-histogram-js';

export type { Histogram };

/** Values are stored ×1000: a time trend in ms is recorded in µs. */
export const HDR_SCALE = 1000;
const SIGNIFICANT_DIGITS = 3;

export function createHistogram(): Histogram {
  return build({ bitBucketSize: 32, autoResize: true, numberOfSignificantValueDigits: SIGNIFICANT_DIGITS });
}

/** HDR cannot hold negative numbers; those count as 0 in the histogram (exact min/max are kept beside it). */
export function recordScaled(h: Histogram, value: number): void {
  const v = value > 0 ? Math.round(value * HDR_SCALE) : 0;
  h.recordValue(v);
}

export function encodeHistogram(h: Histogram): string {
  return encodeIntoCompressedBase64(h);
}

export function decodeHistogram(encoded: string): Histogram {
  return decodeFromCompressedBase64(encoded, 32, false) as Histogram;
}

/**
 * A histogram as it crosses from a worker to the coordinator: `[value, count, value, count, ...]`
 * of its non-empty buckets, each value its bucket's lowest, so recording it again lands in the same
 * bucket and merging stays exact. Not the compressed HdrHistogram format: a structured clone is a
 * memcpy, while deflate + base64 of every trend once a second stalled a worker's event loop for
 * milliseconds, which showed in the p99 of the latency-accuracy bench. (The summary export keeps
 * the standard format: encodeHistogram.)
 */
export type HistogramTransfer = Float64Array;

interface Buckets {
  maxValue: number;
  countsArrayIndex(value: number): number;
  getCountAtIndex(index: number): number;
  valueFromIndex(index: number): number;
}

const NO_BUCKETS = new Float64Array(0);

export function encodeTransfer(h: Histogram): HistogramTransfer {
  if (h.totalCount === 0) return NO_BUCKETS;
  const b = h as unknown as Buckets;
  const pairs: number[] = [];
  // Up to the interval's largest value only: reset() keeps the counts array as large as the
  // largest value ever recorded (one 60 s timeout would make every later flush walk ~45k buckets).
  const n = b.countsArrayIndex(b.maxValue) + 1;
  for (let i = 0; i < n; i++) {
    const c = b.getCountAtIndex(i);
    if (c !== 0) pairs.push(b.valueFromIndex(i), c);
  }
  return Float64Array.from(pairs);
}

/** Adds a transferred histogram into `target`. */
export function addTransfer(target: Histogram, t: HistogramTransfer): void {
  for (let i = 0; i + 1 < t.length; i += 2) target.recordValueWithCount(t[i], t[i + 1]);
}

/** Percentile p in 0..100, in the metric's own unit. */
export function percentileOf(h: Histogram, p: number): number {
  if (h.totalCount === 0) return 0;
  return h.getValueAtPercentile(p) / HDR_SCALE;
}
