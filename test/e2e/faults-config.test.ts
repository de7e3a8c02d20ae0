/**
 * options.targets and options.faults through real `mcprun` runs (issue 15's "Done means"): each
 * fault against a real server on 127.0.0.1 that counts what reaches it, the truth the figures are
 * held against. The load is a constant arrival rate (test/fixtures/faults/faulted.ts), so the
 * number of requests in a fault's window is known; target('api') is the proxy of each worker.
 * This file: bad fault configuration refused before load, a managed target that is never
 * ready, and Ctrl-C stopping a managed target with the run.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { SCENARIO, env, faulted, reportFolder, running, survivors } from '../support/faults.js';
import { freePort } from '../support/instances.js';
import { runCli } from '../support/run-cli.js';
import { tempDir } from '../support/temp.js';

describe('bad fault configuration: exit 104 before any load, with the place and the fix', () => {
  test.each([
    ['an unknown target', { KIND: 'reset', FAULT: { target: 'apj' } }, /faults\.f\.target names a target that does not exist: "apj"; did you mean "api"\?/],
    ['an unknown kind', { KIND: 'rest' }, /faults\.f\.kind "rest" is not a fault kind; did you mean "reset"\?/],
    ['a fault outside every scenario', { KIND: 'reset', FAULT: { startTime: '1m', duration: '5s' }, DURATION: '5s' }, /faults\.f\.startTime places the fault at 1m for 5s, when no scenario runs.*Move it into that span/],
    ['a managed command that does not exist', { KIND: 'kill', COMMAND: ['no-such-program-mcprun'] }, /targets\.api\.command\[0\] "no-such-program-mcprun" cannot be started: it is not an executable on PATH\. Install it, or write its full path\./],
  ])('%s', async (_what, vars, message) => {
    const { r, server } = await faulted(vars as Record<string, string | object>);
    expect(r.code, r.stderr).toBe(104);
    expect(r.stderr).toMatch(message);
    expect(server.requests).toEqual([]);
  }, 30_000);

  test('a managed target that never becomes ready: exit 104, no load, its process gone, its logs named', async () => {
    const port = await freePort();
    const dir = tempDir('mcprun-faults-');
    const r = await runCli([SCENARIO, '--quiet', '--report-dir', dir, ...env({ UPSTREAM: `http://127.0.0.1:${port}`, COMMAND: ['node', 'target-server.mjs'], TARGET_ENV: { READY_DELAY_MS: '60000' }, READY_TIMEOUT: '1s', KIND: 'kill', FAULT: { startTime: '1s', duration: '1s' } })], { timeoutMs: 30_000 });
    expect(r.code, r.stderr).toBe(104);
    expect(r.stderr).toMatch(/target "api" was not ready within 1s: waited for a TCP connection to 127\.0\.0\.1:\d+/);
    expect(r.stderr).toMatch(/raise targets\.api\.ready\.timeout/);
    expect(r.stderr).not.toMatch(/http_reqs/);
    const logs = readFileSync(join(reportFolder(dir), 'targets', 'api.stdout.log'), 'utf8');
    const pid = Number(/pid=(\d+)/.exec(logs)![1]);
    expect(await survivors([pid])).toEqual([]);
  }, 30_000);
});

describe('stopping', () => {
  test('Ctrl-C during the load stops the managed target with the run', async () => {
    const port = await freePort();
    const dir = tempDir('mcprun-faults-');
    const run = runCli([SCENARIO, '--report-dir', dir, ...env({ UPSTREAM: `http://127.0.0.1:${port}`, COMMAND: ['node', 'target-server.mjs'], TARGET_ENV: { CHILD: '1' }, KIND: 'kill', FAULT: { startTime: '20s', duration: '1s' }, DURATION: '30s' })], { timeoutMs: 30_000 });
    const logs = () => {
      try {
        return readFileSync(join(reportFolder(dir), 'targets', 'api.stdout.log'), 'utf8');
      } catch {
        return '';
      }
    };
    for (let i = 0; i < 100 && !/healthy-at=/.test(logs()); i++) await new Promise((r) => setTimeout(r, 100));
    // Into the load.
    await new Promise((r) => setTimeout(r, 1500));
    const [, pid, child] = /pid=(\d+) child=(\d+)/.exec(logs())!.map(Number);
    expect([pid, child].every(running)).toBe(true);
    run.kill('SIGINT');
    const t0 = Date.now();
    const r = await run;
    expect(r.code).toBe(105);
    // Nothing of the fault schedule (its start at 20 s) holds the process once the run has stopped.
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(await survivors([pid, child])).toEqual([]);
  }, 40_000);
});
