/**
 * Nothing measured is lost and nothing hangs: Ctrl-C (once and twice), a worker that dies, and a
 * saturated generator that must say so. Real processes, real signals, real servers.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { serverForTest, startCountingServer } from '../support/http-server.js';
import { readSummary, summaryPath } from '../support/summary.js';
import { until } from '../support/processes.js';
import { runCli } from '../support/run-cli.js';

const fixture = (name: string) => `test/fixtures/reliability/${name}`;
const server = serverForTest;
const exportPath = () => summaryPath('mcprun-rel-');
describe('durations past Node\'s longest timer (2^31-1 ms, ~596 h) mean what they say', () => {
  // Ground truth: the server's count over time and the clock. Node alone arms such a timer for
  // 1 ms: `duration: '600h'` ended after one request and passed.
  const running = [
    { mode: 'duration', d: '600h' },
    { mode: 'duration', d: '1000000h' },
    { mode: 'maxDuration', d: '600h' },
    { mode: 'arrival', d: '600h' },
  ];
  test.concurrent.each(running)('$mode $d: still sending after 1.5 s, until SIGINT (exit 105, never a PASS)', async ({ mode, d }) => {
    const s = await startCountingServer();
    try {
      const out = exportPath();
      const run = runCli([fixture('../core/long-durations.ts'), '-e', `TARGET=${s.url}`, '-e', `MODE=${mode}`, '-e', `D=${d}`, '--summary-export', out, '--no-progress']);
      let exited = false;
      void run.then(() => (exited = true));
      await until(() => s.requests.length >= 3);
      const before = s.requests.length;
      await new Promise((r) => setTimeout(r, 1500));
      expect(exited, 'the run did not end by itself').toBe(false);
      expect(s.requests.length, 'requests kept coming').toBeGreaterThan(before + 5);
      run.kill('SIGINT');
      const r = await run;
      expect(r.code, r.stderr).toBe(105);
      expect(r.stdout).toContain('RESULT ABORTED');
      expect(r.stderr).not.toContain('TimeoutOverflowWarning');
      expect(readSummary(out).metrics.http_reqs.values.count).toBeGreaterThan(before);
    } finally {
      await s.close();
    }
  });

  test.concurrent.each(['600h', '1000000h'])('startTime %s: nothing starts within 1.5 s of the run; SIGINT ends it (105, the scenario did not start)', async (d) => {
    const s = await startCountingServer();
    try {
      const out = exportPath();
      const run = runCli([fixture('../core/long-durations.ts'), '-e', `TARGET=${s.url}`, '-e', 'MODE=startTime', '-e', `D=${d}`, '--summary-export', out, '--no-progress']);
      let exited = false;
      void run.then(() => (exited = true));
      await until(() => s.requests.length >= 1);
      await new Promise((r) => setTimeout(r, 1500));
      expect(exited).toBe(false);
      expect(s.requests.map((q) => q.url), 'no request of "late" before its start time').toEqual(['/early']);
      run.kill('SIGINT');
      const r = await run;
      expect(r.code, r.stderr).toBe(105);
      expect(r.stdout).toContain('scenario "late" did not start');
    } finally {
      await s.close();
    }
  });

  test('--interval 600h: no flush storm, the counts still match the server at the end', async () => {
    const s = await server();
    const out = exportPath();
    const r = await runCli([fixture('../core/constant-vus.ts'), '-e', `TARGET=${s.url}`, '--interval', '600h', '--summary-export', out, '--no-progress']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('TimeoutOverflowWarning');
    expect(readSummary(out).metrics.http_reqs.values.count).toBe(s.requests.length);
  });
});

describe('signals', () => {
  test('SIGINT: graceful stop, teardown, full summary and export, exit 105', async () => {
    const s = await server();
    const out = exportPath();
    const run = runCli([fixture('long-run.ts'), '-e', `TARGET=${s.url}`, '--summary-export', out, '--no-progress']);
    await until(() => s.requests.length >= 50);
    const sentAt = Date.now();
    run.kill('SIGINT');
    const r = await run;
    expect(r.code, r.stderr).toBe(105);
    expect(Date.now() - sentAt, 'stops within its 2 s graceful stop plus shutdown').toBeLessThan(8000);
    expect(r.stderr).toContain('SIGINT: stopping');
    expect(r.stdout).toContain('teardown ran');
    expect(r.stdout).toContain('RESULT ABORTED');
    expect(r.stdout).toMatch(/http_reqs\.+: \d+/);
    const m = JSON.parse(readFileSync(out, 'utf8'));
    expect(m.mcprun.exitCode).toBe(105);
    expect(m.mcprun.aborted).toMatch(/SIGINT/);
    // Everything the server answered is in the summary (requests cut by the stop are not counted).
    expect(m.metrics.http_reqs.values.count).toBeGreaterThanOrEqual(50);
    expect(m.metrics.http_reqs.values.count).toBeLessThanOrEqual(s.requests.length);
    expect(m.metrics.http_req_failed.thresholds['rate==0'].ok).toBe(true);
  });

  test('a second SIGINT skips the graceful wait but still writes the summary', async () => {
    const s = await server();
    const out = exportPath();
    // Iterations think for 20 s, and the graceful stop is 30 s: only the second Ctrl-C ends it soon.
    const run = runCli([fixture('long-run.ts'), '-e', `TARGET=${s.url}`, '-e', 'THINK=20', '-e', 'GRACEFUL=30s', '--summary-export', out, '--no-progress']);
    await until(() => s.requests.length >= 5);
    run.kill('SIGINT');
    await run.waitForOutput('SIGINT: stopping');
    await new Promise((r) => setTimeout(r, 300));
    const sentAt = Date.now();
    run.kill('SIGINT');
    const r = await run;
    expect(r.code, r.stderr).toBe(105);
    expect(Date.now() - sentAt).toBeLessThan(8000);
    expect(r.stderr).toContain('again: stopping now');
    const m = JSON.parse(readFileSync(out, 'utf8'));
    expect(m.metrics.interrupted_iterations.values.count).toBe(5);
    expect(m.metrics.http_reqs.values.count).toBe(5);
  });
});

describe('worker failure', () => {
  test('a worker that calls process.exit mid-run: the run ends within 10 s with partial results, exit 106', async () => {
    const s = await server();
    const out = exportPath();
    const t0 = Date.now();
    const r = await runCli([fixture('worker-exit.ts'), '-e', `TARGET=${s.url}`, '--workers', '2', '--summary-export', out, '--no-progress']);
    expect(r.code, r.stderr).toBe(106);
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(r.stderr).toMatch(/worker 1 died \(exit code 3\)/);
    const m = JSON.parse(readFileSync(out, 'utf8'));
    expect(m.mcprun.exitCode).toBe(106);
    expect(m.metrics.http_reqs.values.count).toBeGreaterThan(20);
    expect(m.mcprun.warnings.join('\n')).toMatch(/results below are partial/);
  });

  test('--continue-on-worker-error: the other workers finish the run', async () => {
    const s = await server();
    const out = exportPath();
    // A shorter run: 30 s is the fixture's duration; the flag keeps worker 0 going to the end.
    const r = await runCli([fixture('worker-exit.ts'), '-e', `TARGET=${s.url}`, '--workers', '2', '--duration', '3s', '--vus', '4', '--summary-export', out, '--no-progress', '--continue-on-worker-error']);
    expect(r.code, r.stderr).toBe(0);
    const m = JSON.parse(readFileSync(out, 'utf8'));
    expect(m.state.testRunDurationMs).toBeGreaterThanOrEqual(3000);
    expect(m.mcprun.warnings.join('\n')).toMatch(/worker 1 died .*went on with the other workers/);
  });
});

describe('overload honesty', () => {
  test('a saturated worker is reported, with mcprun_event_loop_delay exported', async () => {
    const out = exportPath();
    const r = await runCli([fixture('busy-loop.ts'), '--summary-export', out, '--no-progress', '--workers', '1']);
    expect(r.code, r.stderr).toBe(0);
    const m = JSON.parse(readFileSync(out, 'utf8'));
    expect(m.metrics.mcprun_event_loop_delay.values['p(99)']).toBeGreaterThan(50);
    expect(m.metrics.mcprun_event_loop_utilization.values.max).toBeGreaterThan(0.9);
    expect(r.stdout).toMatch(/WARN the load generator was saturated/);
    expect(existsSync(out)).toBe(true);
  });
});
