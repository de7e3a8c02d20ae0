/**
 * Global setup: the whole suite (tests and every mcprun they start) writes its temporary folders
 * into one private TMPDIR, and the suite fails if any mcprun-* folder is left there at the end:
 * the count before and after is zero, whatever else runs on the machine. The private folder goes.
 *
 * Each project of vitest.config.ts runs this setup (in one process, each with its own copy of
 * this module): the first makes the folder, the others use it, and the last teardown checks it.
 * The count of users is kept in the environment, which the copies share.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const DIR = 'MCPRUN_SUITE_TMP';
const USERS = 'MCPRUN_SUITE_TMP_USERS';

export default function setup(): () => void {
  if (!process.env[DIR]) {
    process.env[`${DIR}_OUTER`] = tmpdir();
    process.env[DIR] = mkdtempSync(join(tmpdir(), 'suite-tmp-'));
  }
  const mine = process.env[DIR]!;
  process.env.TMPDIR = mine;
  process.env[USERS] = String(Number(process.env[USERS] ?? 0) + 1);
  return () => {
    const users = Number(process.env[USERS]) - 1;
    process.env[USERS] = String(users);
    if (users > 0) return;
    process.env.TMPDIR = process.env[`${DIR}_OUTER`];
    delete process.env[DIR];
    const left = readdirSync(mine).filter((f) => f.startsWith('mcprun-'));
    rmSync(mine, { recursive: true, force: true });
    if (!left.length) return;
    // A throw here is printed but leaves the exit code 0: set it.
    process.exitCode = 1;
    throw new Error(`the suite left ${left.length} temporary folder(s) behind: ${left.join(', ')}; remove them in the test that made them`);
  };
}
