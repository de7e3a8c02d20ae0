/**
 * The shapes of a comparison (`mcprun compare`, `run --baseline`), apart from the code so the
 * summary can carry one (summary-data.ts) without importing the comparison itself.
 */
export type CompareStat = 'avg' | 'min' | 'med' | 'max' | 'count' | 'rate' | 'value' | `p(${number})`;

export interface RegressionRule {
  /** As written, for messages. */
  source: string;
  /** `metric` or `metric{tag:value}`: a key of the summary's metrics or breakdown. */
  key: string;
  stat: CompareStat;
  /** +1: higher is worse; -1: lower is worse. */
  direction: 1 | -1;
  /** The allowed change: a fraction of the baseline (relative) or an amount in the stat's unit. */
  margin: number;
  relative: boolean;
}

export type CompareVerdict = 'unchanged' | 'within noise' | 'better' | 'worse' | 'regression' | 'missing';

export interface CompareRow {
  key: string;
  stat: CompareStat;
  baseline: number | null;
  current: number | null;
  /** current − baseline. */
  delta: number | null;
  /** delta / baseline (null when the baseline is 0). */
  relative: number | null;
  /** The two runs' intervals overlap. */
  withinNoise: boolean;
  verdict: CompareVerdict;
  /** The rule that judged this row, as written. */
  rule?: string;
  /** Time values are ms. */
  unit: 'ms' | 'rate' | 'count' | 'per_s' | 'value';
}

export interface Comparison {
  baseline: string;
  rows: CompareRow[];
  /** Rules broken: a regression beyond its margin. */
  regressions: CompareRow[];
  /** Rules whose metric neither run has. */
  unmatched: string[];
}

