/** Where a test asks mcprun to write --summary-export, and reading it back. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './temp.js';

export function summaryPath(prefix = 'mcprun-test-'): string {
  return join(tempDir(prefix), 'summary.json');
}

// The summary is JSON written by mcprun; tests index into it freely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function readSummary(path: string): any {
  return JSON.parse(readFileSync(path, 'utf8'));
}
