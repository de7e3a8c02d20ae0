/** `--summary-trend-stats` / `options.summaryTrendStats`: which stats of each trend the summary shows (k6's names). */
import type { ConfigIssue } from '../executors/types.js';

export const DEFAULT_TREND_STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'];
const STAT = /^(avg|min|med|max|count|p\((\d+(?:\.\d+)?)\))$/;

export function resolveTrendStats(raw: unknown, path: string, issues: ConfigIssue[]): string[] {
  if (raw === undefined) return [...DEFAULT_TREND_STATS];
  const list = typeof raw === 'string' ? raw.split(',') : Array.isArray(raw) ? raw : undefined;
  if (!list || list.length === 0) {
    issues.push({ path, message: 'must list trend stats, e.g. "avg,min,med,max,p(95),p(99.9)"' });
    return [...DEFAULT_TREND_STATS];
  }
  const out: string[] = [];
  for (const item of list) {
    const s = typeof item === 'string' ? item.trim() : '';
    const m = STAT.exec(s);
    if (!m || (m[2] !== undefined && Number(m[2]) > 100)) {
      issues.push({ path, message: `${JSON.stringify(item)} is not a trend stat: use avg, min, med, max, count or p(N) with 0 <= N <= 100, e.g. "avg,p(95),p(99.9)"` });
      continue;
    }
    out.push(s);
  }
  return out.length ? out : [...DEFAULT_TREND_STATS];
}
