/**
 * Where a managed target's stdout and stderr go: `targets/` in the report folder with
 * --report-dir, else a folder of its own under the system's temporary folder, whose path every
 * message about the target gives (removed after a run in which no target failed).
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Output } from '../output/output.js';
import { ReportDirOutput } from '../output/report-outputs.js';

/** `temporary`: removed at the end of the run unless a target failed (its logs are then the evidence). */
export function targetLogDir(outputs: readonly Output[]): { dir: string; temporary: boolean } {
  const report = outputs.find((o): o is ReportDirOutput => o instanceof ReportDirOutput)?.dir;
  if (report) {
    const dir = join(report, 'targets');
    mkdirSync(dir, { recursive: true });
    return { dir, temporary: false };
  }
  return { dir: mkdtempSync(join(tmpdir(), 'mcprun-targets-')), temporary: true };
}
