/**
 * `--pool processes` passes the core checks that threads pass (exact counts against the server,
 * connections per VU), plus what only processes have: separate pids, and exit/terminate handling
 * for workers that die or are stopped from outside.
 */
import { describe, expect, test } from 'vitest';
import { serverForTest } from '../support/http-server.js';
import { readSummary, summaryPath } from '../support/summary.js';
import { runCli } from '../support/run-cli.js';
import { alive } from '../support/processes.js';

const server = serverForTest;
const exportPath = () => summaryPath('mcprun-pool-');
const read = readSummary;

// The same core checks as test/e2e/core.test.ts (which runs them on threads), on processes.
describe('--pool processes passes the core checks', () => {
  const pool = 'processes';
  test('shared-iterations: 100 iterations are exactly 100 requests; connections_* match the server', async () => {
    const s = await server();
    const out = exportPath();
    const r = await runCli(['test/fixtures/core/shared-iterations.ts', '-e', `TARGET=${s.url}`, '--workers', '2', '--pool', pool, '--summary-export', out, '--no-progress']);
    expect(r.code, r.stderr).toBe(0);
    expect(s.requests.length).toBe(100);
    const m = read(out).metrics;
    expect(m.http_reqs.values.count).toBe(100);
    expect(m.iterations.values.count).toBe(100);
    expect(m.checks.values.passes).toBe(100);
    // One keep-alive connection per VU: 10 VUs, 10 connections, all closed at the end.
    expect(m.connections_opened.values.count).toBe(s.totalConnections);
    expect(s.totalConnections).toBe(10);
    expect(m.connections_active.values.value).toBe(0);
    expect(m.connections_active.values.max).toBeLessThanOrEqual(10);
  });

  test('constant-vus: 10 VUs never hold more than 10 connections', async () => {
    const s = await server();
    const out = exportPath();
    const r = await runCli(['test/fixtures/core/constant-vus.ts', '-e', `TARGET=${s.url}`, '--pool', pool, '--summary-export', out, '--no-progress']);
    expect(r.code, r.stderr).toBe(0);
    expect(s.maxOpenConnections).toBeLessThanOrEqual(10);
    expect(s.maxOpenConnections).toBeGreaterThanOrEqual(9);
    const m = read(out).metrics;
    expect(m.vus_max.values.max).toBe(10);
    expect(m.http_reqs.values.count).toBe(s.requests.length);
    expect(m.connections_opened.values.count).toBe(s.totalConnections);
  });
});

describe.each(['threads', 'processes'])('--pool %s', (pool) => {
  test('workers run where the pool says; none outlives the run', async () => {
    const s = await server();
    const run = runCli(['test/fixtures/ws/pool-pids.ts', '-e', `TARGET=${s.url}`, '--workers', '2', '--pool', pool, '--quiet']);
    const r = await run;
    expect(r.code, r.stderr).toBe(0);
    const who = s.requests.map((q) => new URL(q.url, 'http://x').searchParams);
    expect(who.length).toBe(4);
    const pids = new Set(who.map((p) => Number(p.get('pid'))));
    const threads = new Set(who.map((p) => `${p.get('pid')}/${p.get('thread')}`));
    expect(threads.size).toBe(2);
    if (pool === 'threads') {
      expect([...pids]).toEqual([run.pid]);
    } else {
      expect(pids.size).toBe(2);
      expect(pids.has(run.pid)).toBe(false);
      for (const pid of pids) expect(alive(pid), `worker process ${pid} is gone`).toBe(false);
    }
  });

  // Threads: a dying worker thread is covered by the core runner's tests; here the process pool's exit path.
  test.runIf(pool === 'processes')('a worker that exits mid-run: exit 106, the rest is reported, nothing hangs', async () => {
    const s = await server();
    const out = exportPath();
    const run = runCli(['test/fixtures/ws/pool-crash.ts', '-e', `TARGET=${s.url}`, '--workers', '2', '--pool', pool, '--summary-export', out, '--no-progress'], { timeoutMs: 30_000 });
    const r = await run;
    expect(r.code, r.stderr).toBe(106);
    expect(r.stdout + r.stderr).toMatch(/worker \d .*exit code 3/);
    const m = read(out).metrics;
    expect(m.http_reqs.values.count).toBeGreaterThan(0);
    expect(m.http_reqs.values.count).toBeLessThanOrEqual(s.requests.length);
    const pids = new Set(s.requests.map((q) => Number(new URL(q.url, 'http://x').searchParams.get('pid'))));
    for (const pid of pids) if (pid !== run.pid) expect(alive(pid)).toBe(false);
  });
});

test('--pool processes: SIGINT stops gracefully (105) with the summary written', async () => {
  const s = await server();
  const out = exportPath();
  const run = runCli(['test/fixtures/core/constant-vus.ts', '-e', `TARGET=${s.url}`, '--pool', 'processes', '--summary-export', out, '--no-progress']);
  await new Promise((r) => setTimeout(r, 200));
  while (s.requests.length === 0) await new Promise((r) => setTimeout(r, 20));
  run.kill('SIGINT');
  const r = await run;
  expect(r.code, r.stderr).toBe(105);
  const m = read(out).metrics;
  expect(m.http_reqs.values.count).toBeGreaterThan(0);
  expect(m.http_reqs.values.count).toBe(s.requests.length);
});

test('an invalid --pool is exit 104', async () => {
  const r = await runCli(['test/fixtures/core/constant-vus.ts', '--pool', 'fibers']);
  expect(r.code).toBe(104);
  expect(r.stderr).toContain('fibers');
});
