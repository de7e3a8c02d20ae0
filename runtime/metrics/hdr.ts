/**
 * HDR histograms for every Trend. Values are recorded as integers in thousandths of the metric's
 * unit (microseconds for time trends), so 3 significant digits of HDR precision apply to values
 * down to 1 µs. Histograms cross threads and machines as compressed base64 and merge exactly.
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

/** Percentile p in 0..100, in the metric's own unit. */
export function percentileOf(h: Histogram, p: number): number {
  if (h.totalCount === 0) return 0;
  return h.getValueAtPercentile(p) / HDR_SCALE;
}
