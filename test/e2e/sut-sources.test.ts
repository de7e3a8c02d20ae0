/**
 * The system under test's sources through real `mcprun` runs, each against a server in its own
 * process that sets the truth: the CPU a half-busy server really burnt (its own getrusage), the
 * RSS a server's prom-client exposition reports against /proc, two series the exposition serves at
 * known values; and the failures: a PID that does not exist (exit 104 before any request), a PID
 * that dies mid-run and a metrics URL that stops answering (a warning in the summary and a gap in
 * the series, the run goes on to its end), a URL that never answers.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { startCountingServer } from '../support/http-server.js';
import { runCli, type CliRun } from '../support/run-cli.js';
import { readSummary } from '../support/summary.js';
import { burnRateBetween, holdingServer, pointsOf, promValue, scrapeUntil, startFixture } from '../support/sut-processes.js';

const SCENARIO = 'test/fixtures/sut/idle-scenario.ts';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mcprun-sut-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const promServer = async (env: Record<string, string> = {}) => {
  const s = await startFixture<{ port: number }>('prom-server.mjs', env);
  cleanups.push(() => s.close());
  return s;
};

/** Resolves once mcprun's own endpoint shows `samples` sut_rss samples: the sampler is running. */
async function sampled(run: CliRun, samples: number): Promise<void> {
  await run.waitForOutput(/Prometheus metrics at http:\/\/\S+\/metrics/);
  const url = /Prometheus metrics at (http:\/\/\S+\/metrics)/.exec(run.output())![1];
  await scrapeUntil(url, (body) => (promValue(body, 'mcprun_sut_rss_bytes_count') ?? 0) >= samples);
}

describe('sut_cpu', () => {
  test('of a server burning half of every 100 ms is within 10 % of what it really burnt over the sampled window (--sut-pid)', async () => {
    const server = await holdingServer({ BURN: 0.5 });
    cleanups.push(() => server.close());
    const dir = tempDir();
    const r = await runCli([SCENARIO, '--sut-pid', String(server.pid), '-e', 'DURATION=5s', '--quiet', '--summary-export', join(dir, 's.json'), '--out', `json=${join(dir, 'ts.json')}`]);
    expect(r.code, r.stderr).toBe(0);
    const ts = readFileSync(join(dir, 'ts.json'), 'utf8');
    // The first sample reads the tree and gives no rate; each later one gives the rate since the previous.
    const from = pointsOf(ts, 'sut_rss')[0].time;
    const to = pointsOf(ts, 'sut_cpu').at(-1)!.time;
    const burnt = await burnRateBetween(server, from, to);
    const cpu = readSummary(join(dir, 's.json')).metrics.sut_cpu.values;
    expect(cpu.count).toBeGreaterThanOrEqual(4);
    expect(burnt, 'the server burnt about half a core').toBeGreaterThan(0.3);
    expect(Math.abs(cpu.avg - burnt) / burnt, `sut_cpu avg ${cpu.avg}, the server burnt ${burnt} CPU-s/s from ${from} to ${to}`).toBeLessThanOrEqual(0.1);
  }, 60_000);
});

describe('the Prometheus source', () => {
  test('gives the same sut_rss as /proc within 5 %, and the selected series at their known values', async () => {
    const server = await promServer();
    const dir = tempDir();
    const url = `http://127.0.0.1:${server.ready.port}/metrics`;
    const [proc, prom] = await Promise.all([
      runCli([SCENARIO, '--sut-pid', String(server.pid), '--quiet', '--summary-export', join(dir, 'proc.json')]),
      runCli([SCENARIO, '-e', `SUT_METRICS=${url}`, '--quiet', '--summary-export', join(dir, 'prom.json')]),
    ]);
    expect(proc.code, proc.stderr).toBe(0);
    expect(prom.code, prom.stderr).toBe(0);
    const fromProc = readSummary(join(dir, 'proc.json'));
    const fromProm = readSummary(join(dir, 'prom.json'));
    expect(fromProm.mcprun.sut.sources).toEqual([`${url} (Prometheus)`]);
    const [a, b] = [fromProc.metrics.sut_rss.values.avg, fromProm.metrics.sut_rss.values.avg];
    expect(Math.abs(b - a) / a, `sut_rss from prom-client ${b}, from /proc ${a}`).toBeLessThanOrEqual(0.05);
    // Only the exposition has GC figures; the selected series are what the server serves.
    expect(fromProm.metrics.sut_gc_rate.values.count).toBeGreaterThan(0);
    expect(fromProm.metrics.sut_fixture_queue_depth.values).toMatchObject({ min: 7, max: 7 });
    expect(Math.abs(fromProm.metrics.sut_errors.values.avg - 50) / 50).toBeLessThanOrEqual(0.05);
    expect(fromProc.metrics.sut_gc_rate).toBeUndefined();
  }, 60_000);
});

describe('a system under test that is not there, or goes away', () => {
  test('a PID that does not exist is exit 104 before any request, from the flag and from options.sut', async () => {
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    const target = await startCountingServer();
    cleanups.push(() => target.close());
    const [flag, option] = await Promise.all([
      runCli([SCENARIO, '--sut-pid', String(dead), '-e', `TARGET=${target.url}`]),
      runCli([SCENARIO, '-e', `SUT_PID=${dead}`, '-e', `TARGET=${target.url}`]),
    ]);
    expect(flag.code).toBe(104);
    expect(flag.stderr).toBe(`mcprun: --sut-pid: no process has PID ${dead}. Start the server first and pass its current PID (e.g. "$(pgrep -n my-server)"); a PID from an earlier start is stale.\n`);
    expect(option.code).toBe(104);
    expect(option.stderr).toContain(`mcprun: options.sut.pid: no process has PID ${dead}.`);
    expect(target.requests).toHaveLength(0);
  });

  test('a PID that dies mid-run is a warning and a gap, and the run goes on to its end', async () => {
    const server = await holdingServer({});
    const dir = tempDir();
    const run = runCli([SCENARIO, '--sut-pid', String(server.pid), '-e', 'DURATION=5s', '--no-progress', '--metrics-addr', '127.0.0.1:0', '--summary-export', join(dir, 's.json'), '--out', `json=${join(dir, 'ts.json')}`]);
    await sampled(run, 3);
    const killedAt = Date.now();
    await server.close('SIGKILL');
    const r = await run;
    expect(r.code, r.stderr).toBe(0);
    const warning = `the system under test, PID ${server.pid}, exited; its sut_* series stop here (a gap until the end of the run)`;
    expect(sutWarnings(readSummary(join(dir, 's.json')).mcprun.warnings)).toEqual([expect.stringContaining(warning)]);
    expect(r.stderr).toContain(`mcprun: warning: ${warning}`);
    expect(r.stdout).toContain(`WARN ${warning}`);
    const ts = readFileSync(join(dir, 'ts.json'), 'utf8');
    const rss = pointsOf(ts, 'sut_rss');
    const iterations = pointsOf(ts, 'iterations');
    expect(rss.length).toBeGreaterThanOrEqual(3);
    // No sut_* point after the death (one interval of rounding), while the load's points go on.
    expect(rss.at(-1)!.time).toBeLessThanOrEqual(killedAt + 1000);
    expect(iterations.at(-1)!.time).toBeGreaterThan(killedAt + 1500);
  }, 60_000);

  test('a metrics URL that stops answering is a warning and a gap until it answers again; one that never answers, a warning', async () => {
    const first = await promServer();
    const port = first.ready.port;
    const dir = tempDir();
    const run = runCli([SCENARIO, '--sut-metrics', `http://127.0.0.1:${port}/metrics`, '-e', 'DURATION=7s', '--no-progress', '--metrics-addr', '127.0.0.1:0', '--summary-export', join(dir, 's.json'), '--out', `json=${join(dir, 'ts.json')}`]);
    const nowhere = runCli([SCENARIO, '--sut-metrics', `http://127.0.0.1:${first.ready.port === 1 ? 2 : 1}/metrics`, '-e', 'DURATION=2s', '--quiet', '--summary-export', join(dir, 'nowhere.json')]);
    await sampled(run, 2);
    await first.close('SIGKILL');
    const stoppedAt = Date.now();
    await new Promise((r) => setTimeout(r, 2500));
    await promServer({ PORT: String(port) });
    const answersAgainAt = Date.now();
    const [r, n] = await Promise.all([run, nowhere]);

    expect(r.code, r.stderr).toBe(0);
    const warnings = sutWarnings(readSummary(join(dir, 's.json')).mcprun.warnings);
    expect(warnings).toEqual([
      expect.stringMatching(new RegExp(`^scraping http://127.0.0.1:${port}/metrics failed \\(.+\\); its sut_\\* series have a gap until it answers again`)),
      expect.stringContaining(`the metrics URL http://127.0.0.1:${port}/metrics answers again; the gap in its sut_* series ends here`),
    ]);
    const times = pointsOf(readFileSync(join(dir, 'ts.json'), 'utf8'), 'sut_rss').map((p) => p.time);
    const before = times.filter((t) => t <= stoppedAt + 1000);
    const after = times.filter((t) => t > answersAgainAt);
    expect(before.length).toBeGreaterThanOrEqual(2);
    expect(after.length).toBeGreaterThanOrEqual(1);
    // The gap: at least one interval without a point between the two.
    expect(after[0] - before.at(-1)!).toBeGreaterThanOrEqual(2000);

    expect(n.code, n.stderr).toBe(0);
    const nothing = readSummary(join(dir, 'nowhere.json'));
    expect(sutWarnings(nothing.mcprun.warnings)).toEqual([expect.stringMatching(/^scraping http:\/\/127\.0\.0\.1:\d+\/metrics failed \(connect ECONNREFUSED .+\); its sut_\* series have a gap until it answers again \(before the load started\)\.$/)]);
    expect(nothing.metrics.sut_rss).toBeUndefined();
  }, 60_000);
});

/** The warnings about the system under test: a loaded machine may add the generator's own saturation warning. */
function sutWarnings(warnings: string[]): string[] {
  return warnings.filter((w) => !w.startsWith('the load generator was saturated'));
}
