/**
 * Open-model executors, phases chained with `after`, scenario-scoped thresholds and graceful stop,
 * judged against what the server itself saw (its own arrival timestamps).
 */
import { describe, expect, test } from 'vitest';
import { serverForTest, type CountingServer } from '../support/http-server.js';
import { readSummary, summaryPath } from '../support/summary.js';
import { runCli } from '../support/run-cli.js';
import { startServerProcess } from '../support/server-process.js';

const fixture = (name: string) => `test/fixtures/phases/${name}`;
const server = serverForTest;
const exportPath = () => summaryPath('mcprun-phases-');
const read = readSummary;

/**
 * Requests per whole second of the scenario, from the server's clock. The scenario's start on the
 * server's clock is estimated from all arrivals (the median of arrival_k − planned_k), not from the
 * first arrival alone, which is late by the first connection's set-up.
 */
function perSecond(arrivals: number[], seconds: number, plannedMs: (k: number) => number): number[] {
  const sorted = [...arrivals].sort((a, b) => a - b);
  const offsets = sorted.map((at, k) => at - plannedMs(k)).sort((a, b) => a - b);
  const t0 = offsets[Math.floor(offsets.length / 2)];
  const out = new Array(seconds).fill(0);
  for (const at of arrivals) {
    const i = Math.floor((at - t0) / 1000);
    if (i < seconds) out[i]++;
  }
  return out;
}

describe('constant-arrival-rate', () => {
  test('200/s for 5 s: 1000 ± 1 % iterations, every second within 5 % of 200', async () => {
    // The server runs in its own process: its clock is the ground truth, undisturbed by the test runner.
    const s = await startServerProcess();
    const out = exportPath();
    const r = await runCli([fixture('constant-rate.ts'), '-e', `TARGET=${s.url}`, '--summary-export', out, '--no-progress']);
    const arrivals = await s.arrivals();
    await s.close();
    expect(r.code, r.stderr).toBe(0);
    const m = read(out);
    expect(Math.abs(m.metrics.iterations.values.count - 1000)).toBeLessThanOrEqual(10);
    expect(Math.abs(arrivals.length - 1000)).toBeLessThanOrEqual(10);
    const secs = perSecond(arrivals, 5, (k) => k * 5);
    for (const n of secs.slice(1)) expect(Math.abs(n - 200), `per-second counts ${secs}`).toBeLessThanOrEqual(10);
    expect(m.metrics.iteration_lag.type).toBe('trend');
    expect(m.metrics.dropped_iterations.values.count, 'opened at 0, none dropped').toBe(0);
  });

  test('maxVUs too small: dropped_iterations > 0 and the summary says why', async () => {
    const s = await server((_q, res) => setTimeout(() => res.end('slow'), 200));
    const out = exportPath();
    const r = await runCli([fixture('constant-rate.ts'), '-e', `TARGET=${s.url}`, '-e', 'RATE=100', '-e', 'DURATION=2s', '-e', 'PREALLOC=2', '-e', 'MAXVUS=5', '--summary-export', out, '--no-progress']);
    expect(r.code, r.stderr).toBe(0);
    const m = read(out);
    // 5 VUs busy 200 ms each can start at most 25 iterations per second out of 100.
    expect(m.metrics.dropped_iterations.values.count).toBeGreaterThan(100);
    expect(m.metrics.iterations.values.count).toBeLessThanOrEqual(60);
    expect(r.stdout).toMatch(/iterations of scenario "open" were dropped: all 5 maxVUs were busy/);
  });
});

describe('arrival striping: each worker starts the arrivals of the VU slots it owns', () => {
  // Ground truth: the plan (5/s for 2 s = 10 iterations, 200 ms apart: a 1 ms request leaves the
  // one VU idle long before the next is due, even on a loaded machine) and the server's own count.
  const cases = [1, 2, 3].flatMap((maxVUs) => [2, 3].map((workers) => ({ maxVUs, workers })));
  /** `open` at 5/s for 2 s with maxVUs (all pre-allocated), beside 3 filler VUs that send nothing. */
  const striping = (target: string, maxVUs: number) =>
    ['-e', `TARGET=${target}`, '-e', 'RATE=5', '-e', 'DURATION=2s', '-e', `PREALLOC=${maxVUs}`, '-e', `MAXVUS=${maxVUs}`, '-e', 'FILLER=3'];
  test.each(cases)('maxVUs $maxVUs on $workers workers against a 1 ms server: all 10 run, 0 dropped', async ({ maxVUs, workers }) => {
    const s = await server((req, res) => setTimeout(() => res.end('ok'), 1));
    const out = exportPath();
    const r = await runCli([fixture('constant-rate.ts'), ...striping(s.url, maxVUs), '--workers', String(workers), '--summary-export', out, '--no-progress']);
    expect(r.code, r.stderr).toBe(0);
    const m = read(out);
    expect(m.mcprun.workers).toBe(workers);
    expect(s.requests.filter((q) => q.url === '/').length, 'the server saw every planned iteration').toBe(10);
    const open = m.mcprun.scenarios.find((x: { name: string }) => x.name === 'open');
    expect(open.iterations).toBe(10);
    expect(open.droppedIterations).toBe(0);
    expect(r.stdout).not.toMatch(/were dropped/);
    // vus_max: the VUs allocated, the open scenario's (all pre-allocated) beside the filler's 3.
    expect(m.metrics.vus_max.values.value).toBe(maxVUs + 3);
  });

  test('a slow server: the one VU is really busy, so the arrivals due meanwhile are dropped (and only those)', async () => {
    // 300 ms per request, one due every 200 ms: the VU takes every other arrival (0, 400, 800, ... ms).
    const s = await server((_q, res) => setTimeout(() => res.end('slow'), 300));
    const out = exportPath();
    const r = await runCli([fixture('constant-rate.ts'), ...striping(s.url, 1), '--workers', '2', '--summary-export', out, '--no-progress']);
    expect(r.code, r.stderr).toBe(0);
    const m = read(out);
    const open = m.mcprun.scenarios.find((x: { name: string }) => x.name === 'open');
    const served = s.requests.filter((q) => q.url === '/').length;
    expect(open.iterations).toBe(served);
    expect(served + open.droppedIterations, 'started + dropped = the plan').toBe(10);
    // 5 when each request takes its 300 ms; a slower machine makes it fewer, never more.
    expect(served).toBeGreaterThanOrEqual(3);
    expect(served).toBeLessThanOrEqual(5);
    expect(r.stdout).toMatch(/iterations of scenario "open" were dropped: all 1 maxVUs were busy/);
  });
});

describe('ramping-arrival-rate', () => {
  test('0 → 400/s over 4 s: per-second starts follow the ramp within 5 %', async () => {
    const s = await startServerProcess();
    const out = exportPath();
    const r = await runCli([fixture('ramping-rate.ts'), '-e', `TARGET=${s.url}`, '--summary-export', out, '--no-progress']);
    const arrivals = await s.arrivals();
    await s.close();
    expect(r.code, r.stderr).toBe(0);
    const m = read(out);
    expect(Math.abs(m.metrics.iterations.values.count - 800)).toBeLessThanOrEqual(8);
    // N(t) = 50 t² → 50, 150, 250, 350 per second.
    const secs = perSecond(arrivals, 4, (k) => Math.sqrt(k / 50) * 1000);
    [50, 150, 250, 350].forEach((want, i) => {
      expect(Math.abs(secs[i] - want), `per-second counts ${secs}`).toBeLessThanOrEqual(Math.max(3, want * 0.05));
    });
  });
});

describe('latency under stalls (no coordinated omission)', () => {
  // Every 5 s the server stalls for 1 s: a request arriving in [2 s, 3 s) of each 5 s window waits
  // until the window ends + 1 s… simply: its response is delayed by 1 s.
  const stallingServer = async () => {
    let t0 = 0;
    return server((_q, res) => {
      const now = Date.now();
      t0 ||= now;
      const inStall = (now - t0) % 5000 >= 2000 && (now - t0) % 5000 < 3000;
      if (inStall) setTimeout(() => res.end('late'), 1000);
      else res.end('ok');
    });
  };
  const arrivalsDuringStalls = (s: CountingServer) => {
    const t0 = s.requests[0].at;
    return s.requests.filter((r) => (r.at - t0) % 5000 >= 2050 && (r.at - t0) % 5000 < 2950).length;
  };

  test('open model reports the stall in p99; a closed model sends far fewer requests into it', async () => {
    const open = await stallingServer();
    const outOpen = exportPath();
    const closed = await stallingServer();
    const outClosed = exportPath();
    const [ro, rc] = await Promise.all([
      runCli([fixture('constant-rate.ts'), '-e', `TARGET=${open.url}`, '-e', 'RATE=100', '-e', 'DURATION=10s', '-e', 'PREALLOC=50', '-e', 'MAXVUS=300', '--summary-export', outOpen, '--no-progress']),
      runCli([fixture('stall-closed.ts'), '-e', `TARGET=${closed.url}`, '--summary-export', outClosed, '--no-progress']),
    ]);
    expect(ro.code, ro.stderr).toBe(0);
    expect(rc.code, rc.stderr).toBe(0);
    const o = read(outOpen).metrics.http_req_duration.values;
    const c = read(outClosed).metrics.http_req_duration.values;
    // ~18 % of the open model's requests arrive in a stall and each reports its full wait.
    expect(o['p(99)']).toBeGreaterThanOrEqual(900);
    expect(o['p(90)']).toBeGreaterThanOrEqual(900);
    // The open model kept sending ~100 req/s into the stalls; 10 closed-model VUs could send 10 at most.
    expect(arrivalsDuringStalls(open)).toBeGreaterThan(120);
    expect(arrivalsDuringStalls(closed)).toBeLessThanOrEqual(22);
    // …so the closed model's own statistics hide most of the stall.
    expect(c['p(90)']).toBeLessThan(500);
  }, 40_000);
});

describe('phases', () => {
  test('after chains three phases strictly in order (server-side timestamps do not overlap)', async () => {
    const s = await server();
    const out = exportPath();
    const r = await runCli([fixture('chain.ts'), '-e', `TARGET=${s.url}`, '--summary-export', out, '--no-progress']);
    expect(r.code, r.stderr).toBe(0);
    const times = (p: string) => s.requests.filter((q) => q.url === p).map((q) => q.at);
    const [a, b, c] = [times('/first'), times('/second'), times('/third')];
    expect(a.length).toBe(40);
    expect(b.length).toBeGreaterThanOrEqual(28);
    expect(c.length).toBeGreaterThan(10);
    expect(Math.max(...a)).toBeLessThanOrEqual(Math.min(...b));
    // startTime: '200ms' after the end of `first`.
    expect(Math.min(...b) - Math.max(...a)).toBeGreaterThanOrEqual(190);
    expect(Math.max(...b)).toBeLessThanOrEqual(Math.min(...c));
    const m = read(out);
    expect(m.mcprun.scenarios.map((x: { name: string }) => x.name)).toEqual(['first', 'second', 'third']);
    expect(r.stdout.indexOf('first ')).toBeLessThan(r.stdout.indexOf('second '));
  });

  test('a cycle of after is exit 104 naming both scenarios, before any load', async () => {
    const r = await runCli([fixture('cycle.ts')]);
    expect(r.code).toBe(104);
    expect(r.stderr).toMatch(/forms a cycle: (ping → pong → ping|pong → ping → pong)/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  test('a scenario-scoped threshold fails only its own phase, and the per-phase table shows it', async () => {
    const s = await server((q, res) => (q.url === '/slow' ? setTimeout(() => res.end('slow'), 300) : res.end('fast')));
    const out = exportPath();
    const r = await runCli([fixture('scoped.ts'), '-e', `TARGET=${s.url}`, '--summary-export', out, '--no-progress']);
    expect(r.code, r.stderr).toBe(99);
    const m = read(out);
    const byName = Object.fromEntries(m.mcprun.scenarios.map((x: { name: string }) => [x.name, x]));
    expect(byName.fast.thresholds).toEqual([expect.objectContaining({ metric: 'http_req_duration{scenario:fast}', ok: true })]);
    expect(byName.slow.thresholds).toEqual([expect.objectContaining({ metric: 'http_req_duration{scenario:slow}', ok: false })]);
    expect(byName.slow.p95).toBeGreaterThanOrEqual(300);
    expect(byName.fast.httpReqs).toBe(200);
    expect(m.metrics['http_req_duration{scenario:slow}'].thresholds['p95<150ms'].ok).toBe(false);
    expect(m.metrics['http_req_duration{scenario:fast}'].thresholds['p95<150ms'].ok).toBe(true);
    expect(r.stdout).toMatch(/SCENARIOS/);
    expect(r.stdout).toMatch(/\n\s+slow\s.*✗ 1\/1/);
    expect(r.stdout).toMatch(/\n\s+fast\s.*✓ 1/);
  });

  test('graceful stop: iterations still running are interrupted, counted, and not reported as done', async () => {
    const out = exportPath();
    const r = await runCli([fixture('graceful.ts'), '--summary-export', out, '--no-progress']);
    expect(r.code, r.stderr).toBe(0);
    const m = read(out);
    expect(m.metrics.interrupted_iterations.values.count).toBe(4);
    expect(m.metrics.iterations).toBeUndefined();
    // 300 ms of duration plus 200 ms of graceful stop, not the 5 s the iterations wanted.
    expect(m.state.testRunDurationMs).toBeLessThan(1500);
    expect(m.mcprun.scenarios[0].interruptedIterations).toBe(4);
  });
});
