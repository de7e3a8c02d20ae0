/** A capacity search as the summary and the reports show it: the conclusion, then one row per step. */
import type { CapacityResult } from './capacity-summary.js';
import { formatMs } from './format.js';

export interface CapacityRow {
  step: string;
  rate: string;
  achieved: string;
  lag: string;
  dropped: string;
  verdict: string;
  why: string;
}

export function capacityRows(c: CapacityResult): CapacityRow[] {
  const unit = c.timeUnitMs === 1000 ? '/s' : ` per ${c.timeUnitMs / 1000}s`;
  return c.steps.map((s) => ({
    step: `${s.step} (${s.scenario})`,
    rate: `${s.rate}${unit}`,
    achieved: s.achievedRate === null ? '-' : `${s.achievedRate.toFixed(1)}/s`,
    lag: s.lagP95 === null ? '-' : formatMs(s.lagP95),
    dropped: String(s.droppedIterations),
    verdict: s.verdict.toUpperCase(),
    why: s.reasons.join('; '),
  }));
}

export const CAPACITY_HEADER: CapacityRow = { step: 'step', rate: 'rate', achieved: 'achieved', lag: 'start lag p95', dropped: 'dropped', verdict: 'verdict', why: 'why' };

export function capacityText(c: CapacityResult, ind: string): string[] {
  const rows = capacityRows(c);
  const cols = Object.keys(CAPACITY_HEADER) as Array<keyof CapacityRow>;
  const width = (k: keyof CapacityRow) => Math.max(...[CAPACITY_HEADER, ...rows].map((r) => r[k].length));
  const line = (r: CapacityRow) => ind + cols.map((k) => r[k].padEnd(width(k))).join('  ').trimEnd();
  return [`${ind}${c.search}: ${c.conclusion}`, '', line(CAPACITY_HEADER), ...rows.map(line)];
}
