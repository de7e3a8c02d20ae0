/**
 * A comparison as people read it: the terminal table of `mcprun compare` and `run --baseline`,
 * and the section of report.md and report.html. Shown: every row a rule judged, and every change
 * beyond the noise (the rest is counted, not listed: a summary has hundreds of figures).
 */
import { formatMs, formatPercent } from '../format.js';
import type { CompareRow, Comparison } from './types.js';

const MAX_ROWS = 60;

function fig(v: number | null, unit: CompareRow['unit']): string {
  if (v === null) return '-';
  switch (unit) {
    case 'ms':
      return formatMs(v);
    case 'rate':
      return formatPercent(v);
    case 'per_s':
      return `${Number(v.toFixed(2))}/s`;
    default:
      return String(Number(v.toFixed(3)));
  }
}

function change(r: CompareRow): string {
  if (r.delta === null) return '-';
  if (r.delta === 0) return '0';
  const sign = r.delta > 0 ? '+' : '';
  const rel = r.relative === null ? '' : ` (${sign}${(r.relative * 100).toFixed(1)}%)`;
  const abs = r.unit === 'rate' ? `${sign}${(r.delta * 100).toFixed(3)} pt` : `${sign}${fig(r.delta, r.unit)}`;
  return `${abs}${rel}`;
}

/** The rows worth showing, rules first. */
export function shownRows(c: Comparison): CompareRow[] {
  const ruled = c.rows.filter((r) => r.rule !== undefined);
  const moved = c.rows.filter((r) => r.rule === undefined && (r.verdict === 'worse' || r.verdict === 'better'));
  return [...ruled, ...moved].slice(0, MAX_ROWS);
}

export interface CompareCells {
  figure: string;
  baseline: string;
  current: string;
  change: string;
  verdict: string;
  rule: string;
}

export function cellsOf(r: CompareRow): CompareCells {
  return {
    figure: `${r.key} ${r.stat}`,
    baseline: fig(r.baseline, r.unit),
    current: fig(r.current, r.unit),
    change: change(r),
    verdict: r.verdict === 'regression' ? (r.withinNoise ? 'REGRESSION (within noise)' : 'REGRESSION') : r.verdict === 'missing' && r.rule ? 'REGRESSION (no data)' : r.verdict,
    rule: r.rule ?? '',
  };
}

/** One line that says what the comparison found. */
export function compareHeadline(c: Comparison): string {
  const unchanged = c.rows.filter((r) => r.verdict === 'unchanged').length;
  const noise = c.rows.filter((r) => r.verdict === 'within noise').length;
  const head = c.regressions.length ? `${c.regressions.length} regression${c.regressions.length === 1 ? '' : 's'} beyond the allowed margin` : 'no regression beyond the allowed margins';
  const same = c.rows.length && unchanged === c.rows.length ? '; identical figures: no change' : `; ${unchanged} figures unchanged, ${noise} within the run-to-run noise`;
  return `Compared with ${c.baseline}: ${head}${same}.`;
}

/** The terminal table. */
export function compareText(c: Comparison): string {
  const rows = shownRows(c).map(cellsOf);
  const cols: Array<keyof CompareCells> = ['figure', 'baseline', 'current', 'change', 'verdict', 'rule'];
  const head: CompareCells = { figure: 'figure', baseline: 'baseline', current: 'current', change: 'change', verdict: 'verdict', rule: 'rule' };
  const width = (k: keyof CompareCells) => Math.max(...[head, ...rows].map((r) => r[k].length));
  const line = (r: CompareCells) => cols.map((k) => r[k].padEnd(width(k))).join('  ').trimEnd();
  const out = [compareHeadline(c)];
  if (rows.length) out.push('', line(head), ...rows.map(line));
  for (const u of c.unmatched) out.push(`rule ${u}: neither run has this metric`);
  out.push('', 'Percentiles are exact (from both runs\' HDR histograms); "within noise" means the two runs\' own confidence intervals overlap.');
  return `${out.join('\n')}\n`;
}
