/**
 * Reads a summary export (`--summary-export`) for comparison, and checks the rules against it:
 * a file that is not one, or a rule naming a figure the baseline lacks, is a configuration
 * error (exit 104) before any load, with the nearest names the file does have.
 */
import { readFileSync } from 'node:fs';
import { McprunError } from '../../errors.js';
import type { SummaryData } from '../summary-data.js';
import type { RegressionRule } from './types.js';

export function readSummaryFile(path: string, what: string): SummaryData {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new McprunError('MCPRUN_CONFIG', `${what} ${JSON.stringify(path)} could not be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, {
      hint: 'Give the path of a file written by --summary-export.',
    });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new McprunError('MCPRUN_CONFIG', `${what} ${JSON.stringify(path)} is not JSON (${(err as Error).message})`, { hint: 'Give the path of a file written by --summary-export.' });
  }
  const d = data as Partial<SummaryData>;
  if (!d || typeof d !== 'object' || typeof d.metrics !== 'object' || !d.state) {
    throw new McprunError('MCPRUN_CONFIG', `${what} ${JSON.stringify(path)} is not a summary export (it has no "metrics" and "state")`, {
      hint: 'Give the path of a file written by --summary-export.',
    });
  }
  if (!d.mcprun) (d as { mcprun: unknown }).mcprun = { histograms: {} };
  return d as SummaryData;
}

function keysOf(s: SummaryData): string[] {
  return [...Object.keys(s.metrics), ...Object.keys(s.mcprun?.breakdown ?? {})];
}

/** Every rule names a figure the baseline has. */
export function checkRulesAgainst(baseline: SummaryData, rules: readonly RegressionRule[], path: string): void {
  const keys = new Set(keysOf(baseline));
  for (const r of rules) {
    if (keys.has(r.key)) continue;
    const metric = r.key.replace(/\{.*$/, '');
    const near = [...keys].filter((k) => k.startsWith(metric) || metric.startsWith(k.replace(/\{.*$/, '').slice(0, 6))).slice(0, 6);
    throw new McprunError('MCPRUN_CONFIG', `--max-regression ${JSON.stringify(r.source)}: the baseline ${JSON.stringify(path)} has no figure "${r.key}"`, {
      hint: near.length ? `It has: ${near.join(', ')}.` : `Its metrics are: ${Object.keys(baseline.metrics).slice(0, 12).join(', ')}.`,
    });
  }
}
