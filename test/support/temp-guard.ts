/**
 * Global setup: the whole suite (tests and every mcprun they start) writes its temporary folders
 * into one private TMPDIR, and the suite fails if any mcprun-* folder is left there at the end:
 * the count before and after is zero, whatever else runs on the machine. The private folder goes.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const outer = tmpdir();
  const mine = mkdtempSync(join(outer, 'suite-tmp-'));
  process.env.TMPDIR = mine;
  return () => {
    process.env.TMPDIR = outer;
    const left = readdirSync(mine).filter((f) => f.startsWith('mcprun-'));
    rmSync(mine, { recursive: true, force: true });
    if (!left.length) return;
    // A throw here is printed but leaves the exit code 0: set it.
    process.exitCode = 1;
    throw new Error(`the suite left ${left.length} temporary folder(s) behind: ${left.join(', ')}; remove them in the test that made them`);
  };
}
