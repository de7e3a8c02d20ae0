/** Builds the outputs a run asked for (--out, --report-dir, --junit, --metrics-addr, handleSummary). */
import type { RunOptions } from '../coordinator/run.js';
import type { Output } from './output.js';

export function createOutputs(_opts: RunOptions, _module: Record<string, unknown>): Output[] {
  return [];
}
