/**
 * Every run can be stopped, and what was measured is written whatever stops it: a VU spinning in
 * synchronous code, a SIGSTOPped process worker, top-level code that never settles, setup() or
 * teardown() that never return; the scenario's own code throwing later, or leaving rejections
 * behind. Real processes, real signals; the counting server is the ground truth.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { serverForTest } from '../support/http-server.js';
import { readSummary, summaryPath } from '../support/summary.js';
import { commandLine, descendants, until } from '../support/processes.js';
import { runCli, type CliRun } from '../support/run-cli.js';

const fixture = (name: string) => `test/fixtures/reliability/${name}`;

/** Ctrl-C twice, half a second apart; resolves with the result and the ms from the first signal to the exit. */
async function twoSigints(run: CliRun) {
  const sentAt = Date.now();
  run.kill('SIGINT');
  await new Promise((r) => setTimeout(r, 500));
  run.kill('SIGINT');
  const r = await run;
  return { r, ms: Date.now() - sentAt };
}

/** The worker processes of a coordinator (its children that run the runtime bundle). */
const workerProcesses = (pid: number) => descendants(pid).filter((k) => commandLine(k).includes('mcprun-runtime'));

// gracefulStop of the fixtures is 1 s: "within gracefulStop + 10 s" is 11 s.
const BOUND_MS = 11_000;

describe('two SIGINTs end any run within gracefulStop + 10 s, exit 105, with a summary export', () => {
  test('a VU spinning in synchronous code: its worker is terminated, the others\' requests are kept', async () => {
    const s = await serverForTest();
    const out = summaryPath();
    const run = runCli([fixture('spin-vu.ts'), '-e', `TARGET=${s.url}`, '--workers', '2', '--summary-export', out, '--no-progress']);
    await until(() => s.requests.length >= 60);
    const { r, ms } = await twoSigints(run);
    expect(r.code, r.stderr).toBe(105);
    expect(ms).toBeLessThan(BOUND_MS);
    const m = readSummary(out);
    expect(m.mcprun.exitCode).toBe(105);
    expect(m.mcprun.warnings.join('\n')).toMatch(/worker 0 was terminated: it did not stop within 3s of the stop/);
    // What the live worker sent is all there; the spinning one's last second may be missing, never more than the server saw.
    expect(m.metrics.http_reqs.values.count).toBeGreaterThan(20);
    expect(m.metrics.http_reqs.values.count).toBeLessThanOrEqual(s.requests.length);
  });

  test('a spinning VU without any signal: the phase deadline ends its worker, exit 106 with partial results', async () => {
    const s = await serverForTest();
    const out = summaryPath();
    const t0 = Date.now();
    const r = await runCli([fixture('spin-vu.ts'), '-e', `TARGET=${s.url}`, '-e', 'DURATION=2s', '--workers', '2', '--summary-export', out, '--no-progress']);
    expect(r.code, r.stderr).toBe(106);
    // 2 s of load, 1 s gracefulStop, 5 s margin.
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(r.stderr).toMatch(/worker 0 was terminated: it did not finish scenario "s" within 8s/);
    const m = readSummary(out);
    expect(m.mcprun.warnings.join('\n')).toMatch(/results below are partial/);
    expect(m.metrics.http_reqs.values.count).toBeGreaterThan(20);
  });

  test('a SIGSTOPped process worker: SIGKILLed, the run ends with 105', async () => {
    const s = await serverForTest();
    const out = summaryPath();
    const run = runCli([fixture('long-run.ts'), '-e', `TARGET=${s.url}`, '-e', 'GRACEFUL=1s', '--pool', 'processes', '--workers', '2', '--summary-export', out, '--no-progress']);
    await until(() => s.requests.length >= 30);
    const [victim] = workerProcesses(run.pid);
    expect(victim).toBeGreaterThan(0);
    process.kill(victim, 'SIGSTOP');
    const atStop = s.requests.length;
    const { r, ms } = await twoSigints(run);
    expect(r.code, r.stderr).toBe(105);
    expect(ms).toBeLessThan(BOUND_MS);
    const m = readSummary(out);
    expect(m.mcprun.warnings.join('\n')).toMatch(/worker \d was terminated: it did not stop within 3s/);
    // Everything after the SIGSTOP came from the live worker, whose last flush is all there (a
    // request or two per VU the stopped one had in flight may have arrived after its stop).
    expect(m.metrics.http_reqs.values.count).toBeGreaterThanOrEqual(s.requests.length - atStop - 5);
    expect(m.metrics.http_reqs.values.count).toBeLessThanOrEqual(s.requests.length);
    expect(() => process.kill(victim, 0)).toThrow();
  });

  test('top-level code that never settles (with a live handle): stopped while loading, nothing sent', async () => {
    const out = summaryPath();
    const run = runCli([fixture('hang-load.ts'), '--summary-export', out, '--no-progress']);
    await new Promise((r) => setTimeout(r, 1500));
    const { r, ms } = await twoSigints(run);
    expect(r.code, r.stderr).toBe(105);
    expect(ms).toBeLessThan(BOUND_MS);
    expect(r.stderr).toContain('stopped from outside while loading');
    const m = readSummary(out);
    expect(m.mcprun.exitCode).toBe(105);
    expect(m.mcprun.aborted).toMatch(/SIGINT/);
    expect(m.metrics.http_reqs).toBeUndefined();
  });

  test.each(['setup', 'teardown'])('a %s() that never returns', async (hook) => {
    const s = await serverForTest();
    const out = summaryPath();
    const run = runCli([fixture('hang-hooks.ts'), '-e', `TARGET=${s.url}`, '-e', `HANG=${hook}`, '--summary-export', out, '--no-progress']);
    await run.waitForOutput(`${hook} started`);
    const { r, ms } = await twoSigints(run);
    expect(r.code, r.stderr).toBe(105);
    expect(ms).toBeLessThan(BOUND_MS);
    const m = readSummary(out);
    expect(m.mcprun.exitCode).toBe(105);
    expect(m.mcprun.warnings.join('\n')).toContain(`worker 0 was terminated: ${hook}() had not finished when the run was stopped`);
    if (hook === 'teardown') expect(m.metrics.http_reqs.values.count).toBe(s.requests.length);
    else expect(s.requests.length).toBe(0);
  });
});

describe('the scenario\'s own code cannot take the measurements with it', () => {
  test('setup() spinning in synchronous code: its timeout ends the worker, exit 107 naming setup()', async () => {
    const s = await serverForTest();
    const r = await runCli([fixture('hang-hooks.ts'), '-e', `TARGET=${s.url}`, '-e', 'HANG=setup', '-e', 'SPIN=1', '-e', 'HOOK_TIMEOUT=1s', '--no-progress']);
    expect(r.code, r.stderr).toBe(107);
    expect(r.stderr).toMatch(/setup\(\) did not finish within 6s and its worker did not answer \(synchronous code that never returns\?\): worker 0 was terminated/);
    expect(r.stderr).not.toMatch(/internal|bug in mcprun/);
    expect(s.requests.length).toBe(0);
  });

  test('a throw from top-level code after loading: exit 107 with file:line, the export has what was measured', async () => {
    const s = await serverForTest();
    const out = summaryPath();
    const r = await runCli([fixture('late-throw.ts'), '-e', `TARGET=${s.url}`, '--summary-export', out, '--no-progress']);
    expect(r.code, r.stderr).toBe(107);
    expect(r.stderr).toContain('Error: late init failure (at test/fixtures/reliability/late-throw.ts:5:9)');
    const m = readSummary(out);
    expect(m.mcprun.exitCode).toBe(107);
    expect(m.mcprun.aborted).toContain('late-throw.ts:5:9');
    expect(m.metrics.http_reqs.values.count).toBeGreaterThan(10);
    expect(m.metrics.http_reqs.values.count).toBeLessThanOrEqual(s.requests.length);
  });

  test('floating rejections and timer throws inside VUs are iteration errors with their place; the worker lives', async () => {
    const s = await serverForTest();
    const out = summaryPath();
    const r = await runCli([fixture('stray-errors.ts'), '-e', `TARGET=${s.url}`, '--summary-export', out, '--no-progress']);
    expect(r.code, r.stderr).toBe(0);
    const m = readSummary(out);
    expect(s.requests.length).toBe(20);
    expect(m.metrics.http_reqs.values.count).toBe(20);
    expect(m.metrics.iteration_errors.values.count).toBe(40);
    const errors = Object.fromEntries(m.mcprun.errors.map((e: { message: string; count: number }) => [e.message, e.count]));
    expect(errors['Error: floating rejection (at test/fixtures/reliability/stray-errors.ts:8:23, scenario s)']).toBe(20);
    expect(errors['Error: timer throw (at test/fixtures/reliability/stray-errors.ts:10:11, scenario s)']).toBe(20);
  });

  test.each([
    ['process.exit(3) at the top level', 'exit-at-load.ts', /ended its worker while loading .*exit code 3, from process\.exit\(\)/],
    ['an unhandled Promise.reject at the top level', 'reject-at-load.ts', /the scenario threw while loading .*Error: rejected at load \(at test\/fixtures\/reliability\/reject-at-load\.ts:4:\d+\)/],
    ['a getter in options that throws', 'throwing-getter.ts', /while mcprun read options\.vus: Error: no vus for you \(at test\/fixtures\/reliability\/throwing-getter\.ts:\d+:\d+\)/],
  ])('%s: exit 107 with its place, before any load', async (_what, file, message) => {
    const r = await runCli([fixture(file), '--no-progress']);
    expect(r.code, r.stderr).toBe(107);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/internal|bug in mcprun|^\s+at /m);
  });

  test('options given as a Promise: refused with the fix', async () => {
    const r = await runCli([fixture('promise-options.ts'), '--no-progress']);
    expect(r.code, r.stderr).toBe(107);
    expect(r.stderr).toMatch(/exports "options" as a Promise.*top-level await/);
  });
});

describe('a response body too large to keep', () => {
  test('a 1 GB body and an endless chunked one: counted as body_too_large, the worker lives on, RSS bounded', async () => {
    const chunk = Buffer.alloc(64 * 1024, 120);
    let bytesSent = 0;
    const pump = (res: import('node:http').ServerResponse) => {
      const more = () => {
        while (!res.destroyed) {
          bytesSent += chunk.length;
          if (!res.write(chunk)) break;
        }
        if (!res.destroyed) res.once('drain', more);
      };
      res.on('close', () => res.removeAllListeners('drain'));
      more();
    };
    const s = await serverForTest((req, res) => {
      if (req.url === '/big') {
        res.writeHead(200, { 'content-length': String(1024 ** 3) });
        pump(res);
      } else if (req.url === '/endless') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        pump(res);
      } else res.end('ok');
    });
    const out = summaryPath();
    const run = runCli([fixture('huge-bodies.ts'), '-e', `TARGET=${s.url}`, '--summary-export', out, '--no-progress', '--workers', '1'], { timeoutMs: 90_000 });
    let peakKb = 0;
    const sampler = setInterval(() => {
      try {
        const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${run.pid}/status`, 'utf8'))?.[1] ?? 0);
        peakKb = Math.max(peakKb, kb);
      } catch {
        // gone
      }
    }, 50);
    const r = await run;
    clearInterval(sampler);
    expect(r.code, r.stderr).toBe(0);
    const m = readSummary(out);
    expect(s.requests.map((q) => q.url)).toEqual(['/big', '/big', '/big', '/endless', '/endless', '/ok']);
    expect(m.metrics.http_reqs.values.count).toBe(6);
    // http_req_failed is a rate of failures: its passes are the failed requests.
    expect(m.metrics.http_req_failed.values.passes).toBe(5);
    expect(m.metrics['http_reqs{error_code:body_too_large}'].values.count).toBe(5);
    expect(m.metrics.checks.values.fails).toBe(0);
    // Each huge response stopped near 64 MiB: the process never held a gigabyte.
    console.log(`huge bodies: peak RSS ${Math.round(peakKb / 1024)} MiB, ${Math.round(bytesSent / 1024 ** 2)} MiB sent by the server`);
    expect(peakKb).toBeLessThan(600 * 1024);
    // Five bodies cut near 64 MiB each (plus what the socket buffers held), not 3 GB and more.
    expect(bytesSent).toBeGreaterThan(5 * 64 * 1024 ** 2);
    expect(bytesSent).toBeLessThan(5 * 100 * 1024 ** 2);
  }, 90_000);
});
