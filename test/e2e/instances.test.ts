/**
 * One run over three instances (processes on 127.0.0.1 playing the pods of an Indexed Job, their
 * index from JOB_COMPLETION_INDEX) against a counting server: the server's count is the truth.
 * The shares add up to one process's run for every executor, setup() and teardown() run once,
 * thresholds are judged on the merged results and every instance exits with the run's code, and an
 * abortOnFail tripped by one instance's errors stops all three. instances-failures.test.ts has
 * the instances that die, start late, come back, or do not belong.
 */
import { describe, expect, test } from 'vitest';
import { FIXTURE, count, runThree, server, summaryOf } from '../support/instances.js';
import { runCli } from '../support/run-cli.js';

describe('three instances', () => {
  // Planned counts: the same as one process makes (test/e2e/core pins those), from the server's side.
  test.each([
    ['shared-iterations', 37],
    ['per-vu-iterations', 35],
    ['constant-arrival-rate', 20],
    ['ramping-arrival-rate', 20],
  ])('%s: exactly the planned requests, setup() and teardown() once, setup data on every instance', async (exec, planned) => {
    const { s, out, results } = await runThree(exec);
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    expect(count(s, '/load')).toBe(planned);
    expect(count(s, '/setup')).toBe(1);
    expect(count(s, '/teardown')).toBe(1);
    expect(s.requests.filter((r) => r.url.startsWith('/load')).every((r) => r.url === '/load?from=setup')).toBe(true);
    const summary = summaryOf(out);
    expect(summary.metrics.iterations.values.count).toBe(planned);
    expect(summary.metrics.http_reqs.values.count).toBe(planned + 2);
    // The arrival-rate scenarios have maxVUs 2 for 3 instances' workers: some own none, and none are dropped.
    expect(summary.metrics.dropped_iterations?.values.count ?? 0).toBe(0);
  });

  test('shared-iterations over three instances equals one process', async () => {
    const s = await server();
    const one = await runCli(['run', FIXTURE, '--workers', '2', '--no-progress'], { env: { TARGET: s.url, EXEC: 'shared-iterations' } });
    expect(one.code, one.stderr).toBe(0);
    const single = count(s, '/load');
    const { s: s3 } = await runThree('shared-iterations');
    expect(count(s3, '/load')).toBe(single);
  });

  test.each(['constant-vus', 'ramping-vus'])('%s: the merged counts are every instance\'s requests, from all three', async (exec) => {
    const { s, out, results } = await runThree(exec);
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    const summary = summaryOf(out);
    expect(count(s, '/load')).toBeGreaterThan(0);
    expect(summary.metrics.iterations.values.count).toBe(count(s, '/load'));
    expect(summary.metrics.http_reqs.values.count).toBe(s.requests.length);
    expect(count(s, '/setup')).toBe(1);
    expect(count(s, '/teardown')).toBe(1);
    // Its VUs were on all three instances: 4-5 VUs over 6 workers, each instance's two workers.
    expect(summary.metrics.vus_max.values.max).toBeGreaterThanOrEqual(4);
  });
});

describe('thresholds judged on the merged results', () => {
  test('a count that only the merged results reach passes on all three (exit 0)', async () => {
    // Each instance alone makes about 12 of the 37 + 2 requests.
    const { results, out } = await runThree('shared-iterations', { env: { THRESHOLDS: JSON.stringify({ http_reqs: ['count>=39'] }) } });
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    expect(summaryOf(out).metrics.http_reqs.thresholds?.['count>=39'].ok).toBe(true);
  });

  test('a count every instance passes alone but the merged results fail exits 99 on all three', async () => {
    const { results, out } = await runThree('shared-iterations', { env: { THRESHOLDS: JSON.stringify({ http_reqs: ['count<20'] }) } });
    for (const r of results) expect(r.code, r.stderr).toBe(99);
    expect(summaryOf(out).metrics.http_reqs.values.count).toBe(39);
  });

  test("an abortOnFail tripped by one instance's errors stops all three with 108", async () => {
    const thresholds = { http_req_failed: [{ threshold: 'rate<0.01', abortOnFail: true }] };
    const t0 = Date.now();
    const { s, results, out } = await runThree('long', { env: { THRESHOLDS: JSON.stringify(thresholds) }, envOf: (i): Record<string, string> => (i === 2 ? { BAD: '1' } : {}) });
    for (const r of results) expect(r.code, r.stderr).toBe(108);
    // Stopped long before the 30 s of the scenario.
    expect(Date.now() - t0).toBeLessThan(25_000);
    expect(count(s, '/bad')).toBeGreaterThan(0);
    expect(count(s, '/load')).toBeGreaterThan(0);
    const summary = summaryOf(out);
    expect(summary.mcprun.aborted).toMatch(/http_req_failed.*abortOnFail/);
    // An abort does not wait: a request of each of the 3 VUs per instance may have been in flight.
    expect(summary.metrics.http_reqs.values.count).toBeLessThanOrEqual(s.requests.length);
    expect(summary.metrics.http_reqs.values.count).toBeGreaterThanOrEqual(s.requests.length - 9);
  });
});
