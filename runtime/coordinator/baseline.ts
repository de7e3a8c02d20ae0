/**
 * `run --baseline FILE [--max-regression RULE]...`: the baseline is read and the rules checked
 * against it before any load (exit 104 on bad input); at the end the summary gets the comparison
 * (summary, reports), and a broken rule makes a passing run exit 99, as a failed threshold does.
 */
import { McprunError } from '../errors.js';
import { EXIT_CODES } from '../exit-codes.js';
import { compareSummaries } from '../output/compare/model.js';
import { parseRule } from '../output/compare/rules.js';
import { checkRulesAgainst, readSummaryFile } from '../output/compare/summary-file.js';
import type { SummaryData } from '../output/summary-data.js';

export interface Baseline {
  /** Adds the comparison to the summary and, on a regression, sets exit code 99 (unless the run failed otherwise). */
  apply(summary: SummaryData): void;
}

export function prepareBaseline(path: string | undefined, rules: readonly string[] | undefined): Baseline | undefined {
  if (!path) {
    if (rules?.length) throw new McprunError('MCPRUN_CLI', '--max-regression needs --baseline FILE: there is nothing to compare with', { hint: 'Add --baseline with a summary export of an earlier run.' });
    return undefined;
  }
  const parsed = (rules ?? []).map(parseRule);
  const baseline = readSummaryFile(path, 'the baseline');
  checkRulesAgainst(baseline, parsed, path);
  return {
    apply(summary) {
      const c = compareSummaries(baseline, summary, parsed, path);
      summary.mcprun.comparison = c;
      if (c.regressions.length && summary.mcprun.exitCode === EXIT_CODES.OK) summary.mcprun.exitCode = EXIT_CODES.THRESHOLDS_FAILED;
    },
  };
}
