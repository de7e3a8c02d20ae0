/**
 * Temporary folders for tests: removed once the test file has run (test/support/temp-cleanup.ts,
 * a setup file, holds the afterAll). Per file rather than per test: concurrent tests would each
 * remove the others' folders.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made = new Set<string>();

export function tempDir(prefix = 'mcprun-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.add(dir);
  return dir;
}

/** Every folder tempDir() made in this file, removed. */
export function removeTempDirs(): void {
  for (const d of made) rmSync(d, { recursive: true, force: true });
  made.clear();
}
