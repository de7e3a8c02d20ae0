/**
 * "scenario.ts:12:7": the first frame of a (source-mapped) stack that belongs to the user's code,
 * for error messages from the coordinator (load, setup, teardown) and from iterations in workers.
 */
import { DIST_DIR, PACKAGE_ROOT } from './paths.js';

const FRAME = /\(?((?:file:\/\/)?[^()\s]+):(\d+):(\d+)\)?\s*$/;

/**
 * mcprun's own code: its built files and its sources (a source map can point back to them), plus
 * unmapped frames of the scenario bundle. Its examples/ and test fixtures are user code.
 */
function isMcprunFile(file: string): boolean {
  return file.startsWith(`${DIST_DIR}/`) || file.startsWith(`${PACKAGE_ROOT}/runtime/`) || file.startsWith(`${PACKAGE_ROOT}/dsl/`) || file.endsWith('/scenario.mjs');
}

export function userFrame(stack: string | undefined): string | undefined {
  if (!stack) return undefined;
  for (const line of stack.split('\n').slice(1)) {
    const m = FRAME.exec(line.trim());
    if (!m) continue;
    const file = m[1].replace(/^file:\/\//, '');
    if (file.startsWith('node:') || file.includes('/node_modules/') || isMcprunFile(file)) continue;
    return `${file.replace(`${process.cwd()}/`, '')}:${m[2]}:${m[3]}`;
  }
  return undefined;
}
