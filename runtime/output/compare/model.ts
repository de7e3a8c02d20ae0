/**
 * `mcprun compare` and `run --baseline`: two summary exports, figure by figure, with a verdict.
 * Pure functions over SummaryData; the CLI reads the files, the reports render the result.
 *
 * Exact: percentiles come from the HDR histograms both exports carry (mcprun.histograms, and
 * mcprun.breakdown per tag), not from rounded values. Noise: each run's own spread gives an
 * interval for each figure (a percentile's distribution-free interval from the ranks
 * n·p ± 1.96·√(n·p·(1−p)), a mean's ±1.96·σ/√n, a rate's binomial and a count rate's Poisson
 * interval); a change whose two intervals overlap is reported "within noise". A rule is broken by
 * a change beyond its margin; the row says whether that change was also within the noise.
 */
import { decodeHistogram, HDR_SCALE, type Histogram } from '../../metrics/hdr.js';
import type { SummaryData } from '../summary-data.js';
import type { CompareRow, CompareStat, CompareVerdict, Comparison, RegressionRule } from './types.js';

export type { CompareRow, Comparison } from './types.js';

interface Figure {
  value: number;
  lo: number;
  hi: number;
}

interface Source {
  type: string;
  contains?: string;
  values: Record<string, number>;
  histogram?: string;
}

const Z = 1.96;
const DEFAULT_TREND_STATS: CompareStat[] = ['avg', 'med', 'p(95)', 'p(99)', 'max'];

function sourceOf(s: SummaryData, key: string): Source | undefined {
  const b = s.mcprun?.breakdown?.[key];
  if (b) return b;
  const m = s.metrics[key];
  if (!m) return undefined;
  return { type: m.type, contains: m.contains, values: m.values as Record<string, number>, histogram: s.mcprun?.histograms?.[key] };
}

const histCache = new WeakMap<Source, Histogram | null>();
function histOf(src: Source): Histogram | null {
  let h = histCache.get(src);
  if (h === undefined) {
    h = src.histogram ? decodeHistogram(src.histogram) : null;
    histCache.set(src, h);
  }
  return h;
}

function percentileFigure(h: Histogram, p: number): Figure {
  const n = h.totalCount;
  const value = h.getValueAtPercentile(p) / HDR_SCALE;
  const q = p / 100;
  const spread = Z * Math.sqrt(n * q * (1 - q));
  const rank = (r: number) => (Math.min(100, Math.max(0, (r / n) * 100)));
  return { value, lo: h.getValueAtPercentile(rank(n * q - spread)) / HDR_SCALE, hi: h.getValueAtPercentile(rank(n * q + spread + 1)) / HDR_SCALE };
}

/** A figure of one run and its interval; null when the run has no such figure. */
export function figureOf(src: Source, stat: CompareStat, elapsedSeconds: number): Figure | null {
  const v = src.values;
  const h = src.type === 'trend' ? histOf(src) : null;
  if (stat.startsWith('p(')) {
    if (!h || h.totalCount === 0) return null;
    return percentileFigure(h, Number(stat.slice(2, -1)));
  }
  if (src.type === 'trend') {
    if (stat === 'med') return h && h.totalCount ? percentileFigure(h, 50) : null;
    const value = v[stat];
    if (value === undefined) return null;
    if (stat === 'avg' && h && h.totalCount > 1) {
      const se = (Z * (h.stdDeviation / HDR_SCALE)) / Math.sqrt(h.totalCount);
      return { value, lo: value - se, hi: value + se };
    }
    return { value, lo: value, hi: value };
  }
  if (src.type === 'rate' && stat === 'rate') {
    const n = (v.passes ?? 0) + (v.fails ?? 0);
    const p = v.rate ?? 0;
    const se = n ? Z * Math.sqrt((p * (1 - p)) / n) : 0;
    return { value: p, lo: p - se, hi: p + se };
  }
  if (src.type === 'counter' && (stat === 'rate' || stat === 'count')) {
    const count = v.count ?? 0;
    const se = Z * Math.sqrt(count);
    if (stat === 'count') return { value: count, lo: count - se, hi: count + se };
    const secs = v.rate ? count / v.rate : elapsedSeconds;
    const value = v.rate ?? 0;
    return secs > 0 ? { value, lo: (count - se) / secs, hi: (count + se) / secs } : { value, lo: value, hi: value };
  }
  const value = v[stat];
  return value === undefined ? null : { value, lo: value, hi: value };
}

function unitOf(src: Source | undefined, stat: CompareStat): CompareRow['unit'] {
  if (!src) return 'value';
  if (src.type === 'trend' && stat !== 'count') return src.contains === 'time' ? 'ms' : 'value';
  if (src.type === 'rate') return 'rate';
  if (src.type === 'counter') return stat === 'rate' ? 'per_s' : 'count';
  return 'value';
}

function row(key: string, stat: CompareStat, a: SummaryData, b: SummaryData, rule?: RegressionRule): CompareRow {
  const sa = sourceOf(a, key);
  const sb = sourceOf(b, key);
  const fa = sa ? figureOf(sa, stat, a.state.testRunDurationMs / 1000) : null;
  const fb = sb ? figureOf(sb, stat, b.state.testRunDurationMs / 1000) : null;
  const unit = unitOf(sa ?? sb, stat);
  if (!fa || !fb) return { key, stat, baseline: fa?.value ?? null, current: fb?.value ?? null, delta: null, relative: null, withinNoise: false, verdict: 'missing', rule: rule?.source, unit };
  const delta = fb.value - fa.value;
  const relative = fa.value !== 0 ? delta / Math.abs(fa.value) : null;
  const withinNoise = fb.lo <= fa.hi && fa.lo <= fb.hi;
  let verdict: CompareVerdict;
  if (delta === 0) verdict = 'unchanged';
  else if (withinNoise) verdict = 'within noise';
  else {
    const worseDir = rule ? rule.direction : defaultDirection(key, sa ?? sb!, stat);
    verdict = Math.sign(delta) === worseDir ? 'worse' : 'better';
  }
  if (rule && delta !== 0 && Math.sign(delta) === rule.direction) {
    const allowed = rule.relative ? rule.margin * Math.abs(fa.value) : rule.margin;
    // The margin decides (what the user allowed); the noise is said beside it (withinNoise), so a
    // gate on a machine whose runs spread widely still fails a change larger than it allows.
    if (Math.abs(delta) > allowed) verdict = 'regression';
  }
  return { key, stat, baseline: fa.value, current: fb.value, delta, relative, withinNoise, verdict, rule: rule?.source, unit };
}

/** Without a rule, which way is worse: lower for throughput and pass rates, higher for the rest. */
function defaultDirection(key: string, src: Source, stat: CompareStat): 1 | -1 {
  const metric = key.replace(/\{.*$/, '');
  if (src.type === 'counter' && stat === 'rate') return -1;
  if (src.type === 'rate' && !/fail|error/.test(metric)) return -1;
  return 1;
}

function defaultRows(a: SummaryData, b: SummaryData): Array<[string, CompareStat]> {
  const keys = new Set([...Object.keys(a.metrics), ...Object.keys(a.mcprun?.breakdown ?? {})]);
  const out: Array<[string, CompareStat]> = [];
  for (const key of [...keys].sort()) {
    const src = sourceOf(a, key) ?? sourceOf(b, key);
    if (!src) continue;
    if (src.type === 'trend') for (const st of DEFAULT_TREND_STATS) out.push([key, st]);
    else if (src.type === 'rate' || src.type === 'counter') out.push([key, 'rate']);
  }
  return out;
}

/** Every figure of the baseline against the current run; rules decide regressions. */
export function compareSummaries(baseline: SummaryData, current: SummaryData, rules: readonly RegressionRule[], baselineName = 'baseline'): Comparison {
  const ruled = new Map<string, RegressionRule>();
  for (const r of rules) ruled.set(`${r.key}\u0000${r.stat}`, r);
  const rows: CompareRow[] = [];
  const done = new Set<string>();
  for (const [key, stat] of defaultRows(baseline, current)) {
    const id = `${key}\u0000${stat}`;
    done.add(id);
    rows.push(row(key, stat, baseline, current, ruled.get(id)));
  }
  const unmatched: string[] = [];
  for (const r of rules) {
    const id = `${r.key}\u0000${r.stat}`;
    if (done.has(id)) continue;
    if (!sourceOf(baseline, r.key) && !sourceOf(current, r.key)) {
      unmatched.push(r.source);
      continue;
    }
    rows.push(row(r.key, r.stat, baseline, current, r));
  }
  return { baseline: baselineName, rows, regressions: rows.filter((r) => r.verdict === 'regression' || (r.rule !== undefined && r.verdict === 'missing')), unmatched };
}
