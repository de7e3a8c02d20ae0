/**
 * One run over three instances (processes on 127.0.0.1 playing pods) when pods fail: a killed
 * instance ends the run with 106 and a partial summary, a killed coordinator stops the others, a
 * late pod still joins, a SIGTERM stops all gracefully, a pod that comes back is turned away, an
 * instance that does not belong is refused before load, and a pause holds every instance.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { FIXTURE, count, freePort, server, startInstances, summaryOf } from '../support/instances.js';
import { alive, until } from '../support/processes.js';
import { ROOT, runCli } from '../support/run-cli.js';
import { tempDir } from '../support/temp.js';

describe('failures', () => {
  test('SIGKILL of one instance ends the run within 10 s with 106 and a partial summary on the coordinator', async () => {
    const s = await server();
    const out = join(tempDir('mcprun-instances-'), 'summary.json');
    // A killed process cannot remove its bundle folder: it gets a TMPDIR of its own, removed after the file.
    const runs = await startInstances(3, ['run', FIXTURE, '--workers', '2', '--summary-export', out], { env: { TARGET: s.url, EXEC: 'long' }, envOf: (i): Record<string, string> => (i === 2 ? { TMPDIR: tempDir() } : {}) });
    await until(() => count(s, '/load') > 50, 30_000, 'load from the instances');
    const killedAt = Date.now();
    runs[2].kill('SIGKILL');
    const [coordinator, other] = await Promise.all([runs[0], runs[1]]);
    expect(Date.now() - killedAt).toBeLessThan(10_000);
    expect(coordinator.code, coordinator.stderr).toBe(106);
    expect(other.code, other.stderr).toBe(106);
    expect(coordinator.stderr).toMatch(/instance 2 .* was lost/);
    const summary = summaryOf(out);
    expect(summary.mcprun.exitCode).toBe(106);
    // Partial: what the others measured is there, less than the server saw (the killed one's last interval).
    expect(summary.metrics.http_reqs.values.count).toBeGreaterThan(0);
    expect(summary.metrics.http_reqs.values.count).toBeLessThanOrEqual(s.requests.length);
    // Never replayed: after the end nothing more arrives.
    const after = s.requests.length;
    await new Promise((r) => setTimeout(r, 500));
    expect(s.requests.length).toBe(after);
  });

  test('SIGKILL of the coordinator stops the other instances (106), and their load with them', async () => {
    const s = await server();
    const runs = await startInstances(3, ['run', FIXTURE, '--workers', '2'], { env: { TARGET: s.url, EXEC: 'long' }, envOf: (i): Record<string, string> => (i === 0 ? { TMPDIR: tempDir() } : {}) });
    await until(() => count(s, '/load') > 50, 30_000, 'load from the instances');
    const killedAt = Date.now();
    runs[0].kill('SIGKILL');
    const others = await Promise.all([runs[1], runs[2]]);
    expect(Date.now() - killedAt).toBeLessThan(10_000);
    for (const r of others) {
      expect(r.code, r.stderr).toBe(106);
      expect(r.stderr).toMatch(/the coordinator at 127\.0\.0\.1:\d+ is gone/);
    }
    for (const r of runs) expect(alive(r.pid)).toBe(false);
    const after = s.requests.length;
    await new Promise((r) => setTimeout(r, 500));
    expect(s.requests.length).toBe(after);
    expect(existsSync(join(ROOT, 'summary.json'))).toBe(false);
  });
});

describe('pods that start apart, and a stop on one pod', () => {
  test('an instance that starts 7 s after the others (past the heartbeat limit) still joins, and the run counts exactly', async () => {
    const s = await server();
    const port = await freePort();
    const start = (i: number) => runCli(['run', FIXTURE, '--workers', '2', '--instances', '3', '--coordinator', `127.0.0.1:${port}`, '--no-progress'], { env: { TARGET: s.url, EXEC: 'shared-iterations', JOB_COMPLETION_INDEX: String(i) } });
    const early = [start(0), start(1)];
    await early[0].waitForOutput('instance 1 joined');
    await new Promise((r) => setTimeout(r, 7000));
    const results = await Promise.all([...early, start(2)]);
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    expect(count(s, '/load')).toBe(37);
  });

  test('SIGTERM on one instance stops the whole run gracefully: 105 on all three, the summary written', async () => {
    const s = await server();
    const out = join(tempDir('mcprun-instances-'), 'summary.json');
    const runs = await startInstances(3, ['run', FIXTURE, '--workers', '2', '--summary-export', out], { env: { TARGET: s.url, EXEC: 'long' } });
    await until(() => count(s, '/load') > 50, 30_000, 'load from the instances');
    runs[1].kill('SIGTERM');
    const results = await Promise.all(runs);
    for (const r of results) expect(r.code, r.stderr).toBe(105);
    const summary = summaryOf(out);
    expect(summary.mcprun.aborted).toMatch(/stopped from outside/);
    expect(summary.metrics.http_reqs.values.count).toBe(s.requests.length);
  });
});

describe('a pod that comes back', () => {
  test('an instance that connects after the run started is turned away (104) and the run goes on, its share never run twice', async () => {
    const s = await server();
    const runs = await startInstances(3, ['run', FIXTURE, '--workers', '2'], { env: { TARGET: s.url, EXEC: 'long' } });
    await until(() => count(s, '/load') > 50, 30_000, 'load from the instances');
    const port = /--coordinator 127\.0\.0\.1:(\d+)/.exec(runs[0].output()) ?? /listens on 127\.0\.0\.1:(\d+)/.exec(runs[0].output());
    const late = await runCli(['run', FIXTURE, '--workers', '2', '--instances', '3', '--coordinator', `127.0.0.1:${port![1]}`, '--no-progress'], { env: { TARGET: s.url, EXEC: 'long', JOB_COMPLETION_INDEX: '1' } });
    expect(late.code).toBe(104);
    expect(late.stderr).toMatch(/connected to the coordinator at 127\.0\.0\.1:\d+ after the run had started: a share is never run twice/);
    for (const r of runs) expect(alive(r.pid)).toBe(true);
    runs[0].kill('SIGTERM');
    const results = await Promise.all(runs);
    for (const r of results) expect(r.code, r.stderr).toBe(105);
    expect(results[0].stderr).toMatch(/instance 1 connected from .* after the run had started; it was turned away/);
  });
});

describe('refused before load (104 on every instance)', () => {
  test('an instance with a different scenario (its -e changes the thresholds)', async () => {
    const s = await server();
    const port = await freePort();
    const start = (i: number, env: Record<string, string> = {}) =>
      runCli(['run', FIXTURE, '--workers', '1', '--instances', '3', '--coordinator', `127.0.0.1:${port}`, '--no-progress'], { env: { TARGET: s.url, JOB_COMPLETION_INDEX: String(i), ...env } });
    // The odd one joins last, so that every instance is there to be told.
    const coordinator = start(0);
    const good = start(1);
    await coordinator.waitForOutput('instance 1 joined');
    const odd = start(2, { THRESHOLDS: JSON.stringify({ http_reqs: ['count>1'] }) });
    const results = await Promise.all([coordinator, good, odd]);
    for (const r of results) expect(r.code, r.stderr).toBe(104);
    expect(results[0].stderr).toMatch(/instance 2 has a different scenario .*; the run was refused on every instance and no load was sent/);
    expect(results[1].stderr).toMatch(/instance 2 has a different scenario/);
    expect(results[2].stderr).toMatch(/instance 2 has a different scenario/);
    expect(s.requests.length).toBe(0);
  });

  test('the same index twice', async () => {
    const s = await server();
    const runs = await startInstances(3, ['run', FIXTURE, '--workers', '1'], { env: { TARGET: s.url }, envOf: (i): Record<string, string> => (i === 2 ? { JOB_COMPLETION_INDEX: "1" } : {}) });
    const results = await Promise.all(runs);
    for (const r of results) expect(r.code, r.stderr).toBe(104);
    expect(results[0].stderr).toMatch(/two instances connected with index 1 .*each index must be given once/);
    expect(s.requests.length).toBe(0);
  });

  test("an instance without the run's token is turned away; the coordinator goes on waiting", async () => {
    const s = await server();
    const runs = await startInstances(2, ['run', FIXTURE, '--workers', '1'], { env: { TARGET: s.url }, envOf: (i) => ({ MCPRUN_TOKEN: i === 0 ? 'the-runs-token-0123456789' : 'another-token-0123456789' }) });
    const stranger = await runs[1];
    expect(stranger.code).toBe(104);
    expect(stranger.stderr).toMatch(/instance 1 was refused by the coordinator at 127\.0\.0\.1:\d+: MCPRUN_TOKEN is missing or is not the run's token/);
    expect(stranger.stderr).not.toContain('the-runs-token');
    await runs[0].waitForOutput(/refused: it did not give the run's token/);
    runs[0].kill('SIGINT');
    const coordinator = await runs[0];
    expect(coordinator.code).toBe(105);
    expect(s.requests.length).toBe(0);
  });
});

describe('steering', () => {
  test('a pause from the coordinator\'s dashboard holds every instance, and the plan is still made in full', async () => {
    const s = await server();
    const out = join(tempDir('mcprun-instances-'), 'summary.json');
    // --dashboard on every pod, as one manifest gives them: only the coordinator serves it.
    const runs = await startInstances(2, ['run', join(ROOT, 'test/fixtures/dashboard/rate.ts'), '--workers', '1', '--dashboard', '--summary-export', out], { env: { TARGET: s.url, RATE: '40', DURATION: '6s' } });
    await runs[0].waitForOutput(/dashboard at http:\/\/\S+\//);
    const api = `${/dashboard at (http:\/\/\S+\/)/.exec(runs[0].output())![1]}api/`;
    await until(() => count(s, '/ok') >= 40, 30_000, 'load from the instances');
    const post = (verb: string) => fetch(api + verb, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }).then((r) => r.status);
    expect(await post('pause')).toBe(200);
    // Iterations in flight finish (1 ms each); after that nothing arrives from either instance.
    await new Promise((r) => setTimeout(r, 300));
    const held = count(s, '/ok');
    await new Promise((r) => setTimeout(r, 1500));
    expect(count(s, '/ok')).toBe(held);
    expect(await post('resume')).toBe(200);
    const [coordinator, other] = await Promise.all(runs);
    expect(coordinator.code, coordinator.stderr).toBe(0);
    expect(other.code, other.stderr).toBe(0);
    // 6 s at 40/s: the pause moved the schedule, it did not drop or add iterations.
    expect(count(s, '/ok')).toBe(240);
    expect(summaryOf(out).metrics.iterations.values.count).toBe(240);
  });
});
