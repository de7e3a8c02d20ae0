/**
 * options.targets and options.faults through real `mcprun` runs (issue 15's "Done means"): each
 * fault against a real server on 127.0.0.1 that counts what reaches it, the truth the figures are
 * held against. The load is a constant arrival rate (test/fixtures/faults/faulted.ts), so the
 * number of requests in a fault's window is known; target('api') is the proxy of each worker.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { serverForTest, type Handler } from '../support/http-server.js';
import { runCli } from '../support/run-cli.js';
import { readSummary, summaryPath } from '../support/summary.js';
import { tempDir } from '../support/temp.js';
import { WebSocketServer } from 'ws';
import { startTcpServer, startWsServer } from '../fixtures/mcp/socket-servers.mjs';

const SCENARIO = 'test/fixtures/faults/faulted.ts';

function env(vars: Record<string, string | object>): string[] {
  return Object.entries(vars).flatMap(([k, v]) => ['-e', `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`]);
}

async function faulted(vars: Record<string, string | object>, handler?: Handler, extra: string[] = []) {
  const server = await serverForTest(handler);
  const out = summaryPath('mcprun-faults-');
  const r = await runCli([SCENARIO, '--quiet', '--summary-export', out, ...env({ UPSTREAM: server.url, ...vars }), ...extra], { timeoutMs: 90_000 });
  return { r, server, summary: r.code === 0 || r.code === 99 ? readSummary(out) : undefined };
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

/** A zombie (killed, not yet reaped by an init that may never reap it) is not alive. */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** The processes still alive after up to `ms` (a SIGKILL is delivered at once, but a loaded machine schedules the exit later). */
async function survivors(pids: number[], ms = 3000): Promise<number[]> {
  const end = Date.now() + ms;
  while (pids.some(alive) && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  return pids.filter(alive);
}

describe('network faults in the proxy of each worker', () => {
  test('reset for 3 s at 50 req/s: ~150 failures, every other request reaches the server, recovery_time < 1.5 s', async () => {
    // Answers after 20 ms, so the default latency criterion (2x the p95 before) is not a 1 ms baseline against jitter.
    const slower: Handler = (_q, s) => void setTimeout(() => s.end('ok'), 20);
    const { r, server, summary } = await faulted({ KIND: 'reset', FAULT: { startTime: '3s', duration: '3s' }, DURATION: '10s', THRESHOLDS: { recovery_time: ['max<1.5s'] } }, slower);
    expect(r.code, r.stderr).toBe(0);
    const reqs = summary.metrics.http_reqs.values.count;
    const failed = summary.metrics.http_req_failed.values.passes;
    expect(reqs).toBeGreaterThanOrEqual(495);
    expect(failed).toBeGreaterThanOrEqual(140);
    expect(failed).toBeLessThanOrEqual(160);
    // A reset request never reaches the server (direction upstream): the server saw exactly the others.
    expect(server.requests.length).toBe(reqs - failed);
    const [f] = summary.mcprun.faults;
    expect(f).toMatchObject({ name: 'f', kind: 'reset', target: 'api', state: 'acted', recovery: { state: 'recovered' } });
    expect(f.endMs - f.startMs).toBeGreaterThanOrEqual(2999);
    // The workers flush at each change: the requests counted while it was on are exactly the failed
    // ones, but for one in flight at each edge in each worker (the default 2 here: up to 4).
    expect(f.failed).toBe(failed);
    expect(f.requests - f.failed).toBeLessThanOrEqual(4);
    expect(f.recovery.timeMs).toBeLessThan(1500);
    expect(summary.metrics.recovery_time.values.count).toBe(1);
    expect(summary.metrics.recovery_time.thresholds['max<1.5s'].ok).toBe(true);
    // No request reached the server while the fault was on (a margin for the messages to the workers).
    const [on, off] = [Date.parse(f.start), Date.parse(f.end)];
    expect(server.requests.filter((q) => q.at > on + 100 && q.at < off - 100)).toEqual([]);
  }, 60_000);

  test('latency 200 ms: every response takes at least 200 ms, as set, and not much more', async () => {
    const { r, summary } = await faulted({ KIND: 'latency', FAULT: { latency: '200ms' }, RATE: '20', DURATION: '3s' });
    expect(r.code, r.stderr).toBe(0);
    const d = summary.metrics.http_req_duration.values;
    expect(d.min).toBeGreaterThanOrEqual(199);
    expect(d.med).toBeLessThan(260);
  }, 60_000);

  test('bandwidth 100 kB/s on a 100 kB body: each response takes about a second', async () => {
    const body = Buffer.alloc(100_000, 'x');
    const { r, summary } = await faulted({ KIND: 'bandwidth', FAULT: { bandwidth: '100KB/s' }, RATE: '2', DURATION: '4s', VUS: '10' }, (_q, s) => s.end(body));
    expect(r.code, r.stderr).toBe(0);
    const d = summary.metrics.http_req_duration.values;
    expect(summary.metrics.data_received.values.count).toBeGreaterThanOrEqual(8 * 100_000);
    expect(d.min).toBeGreaterThanOrEqual(850);
    expect(d.med).toBeLessThan(1400);
  }, 60_000);

  test('blackhole for 2 s: nothing reaches the server meanwhile, the requests time out, then it recovers', async () => {
    const { r, server, summary } = await faulted({ KIND: 'blackhole', FAULT: { startTime: '2s', duration: '2s', recovered: { latency: 'p95<400ms' } }, DURATION: '8s', HTTP_TIMEOUT: '500ms' });
    expect(r.code, r.stderr).toBe(0);
    const [f] = summary.mcprun.faults;
    const [on, off] = [Date.parse(f.start), Date.parse(f.end)];
    expect(server.requests.filter((q) => q.at > on + 100 && q.at < off - 100)).toEqual([]);
    const timedOut = summary.metrics['http_req_failed'].values.passes;
    // 2 s at 50/s: ~100 requests sent into the partition, each timed out.
    expect(timedOut).toBeGreaterThanOrEqual(90);
    expect(timedOut).toBeLessThanOrEqual(130);
    // Every request that did not time out reached the server; on a loaded machine a few that did
    // reach it answered after the client's 500 ms, so the server may count a few more.
    const reqs = summary.metrics.http_reqs.values.count;
    expect(server.requests.length).toBeGreaterThanOrEqual(reqs - timedOut);
    expect(server.requests.length).toBeLessThanOrEqual(reqs - 90);
    expect(f.recovery.state).toBe('recovered');
  }, 60_000);

  test('http-error at rate 0.1: 10 % ± 2 % of responses are the injected 503, the others reach the server', async () => {
    const { r, server, summary } = await faulted({ KIND: 'http-error', FAULT: { status: 503, rate: 0.1 }, RATE: '200', DURATION: '10s', VUS: '30' });
    expect(r.code, r.stderr).toBe(0);
    const reqs = summary.metrics.http_reqs.values.count;
    const failed = summary.metrics.http_req_failed.values.passes;
    // A loaded machine may drop a few iterations; the fraction is what is judged.
    expect(reqs).toBeGreaterThanOrEqual(1800);
    expect(failed / reqs).toBeGreaterThanOrEqual(0.08);
    expect(failed / reqs).toBeLessThanOrEqual(0.12);
    expect(server.requests.length).toBe(reqs - failed);
  }, 60_000);

  test('with --pool processes, each worker process has its proxy and target() gives it', async () => {
    const { r, server, summary } = await faulted({ KIND: 'latency', FAULT: { latency: '100ms' }, RATE: '20', DURATION: '2s' }, undefined, ['--pool', 'processes', '--workers', '2']);
    expect(r.code, r.stderr).toBe(0);
    expect(summary.metrics.http_req_duration.values.min).toBeGreaterThanOrEqual(99);
    expect(server.requests.length).toBe(summary.metrics.http_reqs.values.count);
  }, 60_000);
});

describe('WebSocket and MCP through the proxy', () => {
  const LATENCY = 150;

  test('ws.connect(target()): the handshake and each echo are held by the latency fault, every session reaches the server', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    let connections = 0;
    wss.on('connection', (sock) => {
      connections++;
      sock.on('message', (d, binary) => sock.send(d, { binary }));
    });
    await new Promise((r) => wss.once('listening', r));
    const out = summaryPath('mcprun-faults-');
    try {
      const port = (wss.address() as { port: number }).port;
      const r = await runCli(['test/fixtures/faults/protocols.ts', '--quiet', '--summary-export', out, ...env({ UPSTREAM: `ws://127.0.0.1:${port}`, LATENCY: `${LATENCY}ms` })]);
      expect(r.code, r.stderr).toBe(0);
      const s = readSummary(out);
      expect(connections).toBe(5);
      expect(s.metrics.ws_sessions.values.count).toBe(5);
      expect(s.metrics.ws_connecting.values.min).toBeGreaterThanOrEqual(LATENCY - 1);
      // On until the load ended: nothing to recover after, so no verdict either way.
      expect(s.mcprun.faults[0].recovery.state).toBe('not-applicable');
      expect(s.metrics.round_trip.values.min).toBeGreaterThanOrEqual(LATENCY - 1);
      expect(s.metrics.round_trip.values.med).toBeLessThan(LATENCY + 100);
    } finally {
      for (const c of wss.clients) c.terminate();
      await new Promise((r) => wss.close(r));
    }
  }, 30_000);

  test('mcp.connect(target()) over WebSocket: each call is held by the latency fault, every session reaches the server', async () => {
    const server = await startWsServer();
    const out = summaryPath('mcprun-faults-');
    try {
      const u = new URL(server.url);
      const r = await runCli(['test/fixtures/faults/protocols.ts', '--quiet', '--summary-export', out, ...env({ UPSTREAM: u.origin, MCP_PATH: u.pathname, LATENCY: `${LATENCY}ms` })]);
      expect(r.code, r.stderr).toBe(0);
      const s = readSummary(out);
      expect(server.stats().connections).toBe(5);
      expect(s.metrics.round_trip.values.min).toBeGreaterThanOrEqual(LATENCY - 1);
      expect(s.metrics.mcp_req_failed.values.passes).toBe(0);
    } finally {
      await server.close();
    }
  }, 30_000);

  test('mcp.connect(target()) over TCP: each call is held by the latency fault, every session reaches the server', async () => {
    const server = await startTcpServer({ framing: 'ndjson' });
    const out = summaryPath('mcprun-faults-');
    try {
      const r = await runCli(['test/fixtures/faults/protocols.ts', '--quiet', '--summary-export', out, ...env({ UPSTREAM: server.url, LATENCY: `${LATENCY}ms` })]);
      expect(r.code, r.stderr).toBe(0);
      const s = readSummary(out);
      expect(server.stats().connections).toBe(5);
      expect(s.metrics.mcp_sessions.values.count).toBe(5);
      expect(s.metrics.round_trip.values.min).toBeGreaterThanOrEqual(LATENCY - 1);
      expect(s.metrics.mcp_req_failed.values.passes).toBe(0);
    } finally {
      await server.close();
    }
  }, 30_000);
});

describe('a managed target', () => {
  test('killed for 2 s, then 503 for its first 2 s: recovery_time within one window of the truth, sampled, not left running', async () => {
    const port = await freePort();
    const dir = tempDir('mcprun-faults-');
    const out = join(dir, 'summary.json');
    const r = await runCli(
      [
        SCENARIO,
        '--quiet',
        '--summary-export',
        out,
        '--report-dir',
        dir,
        ...env({
          UPSTREAM: `http://127.0.0.1:${port}`,
          COMMAND: ['node', 'target-server.mjs'],
          TARGET_ENV: { UNHEALTHY_MS: '2000' },
          READY_URL: '/',
          KIND: 'kill',
          // The failure criterion is the one the server's truth controls; latency on a shared machine is scheduler noise.
          FAULT: { startTime: '3s', duration: '2s', recovered: { latency: 'p95<1s' } },
          DURATION: '12s',
          SUT: '1',
          THRESHOLDS: { recovery_time: ['max<4s'] },
        }),
      ],
      { timeoutMs: 90_000 },
    );
    expect(r.code, r.stderr).toBe(0);
    const summary = readSummary(out);
    const [f] = summary.mcprun.faults;
    expect(f).toMatchObject({ kind: 'kill', state: 'acted', recovery: { state: 'recovered' } });
    // The truth, from the server's own log: when its second start began answering 200.
    const logs = readFileSync(join(reportFolder(dir), 'targets', 'api.stdout.log'), 'utf8');
    const healthy = [...logs.matchAll(/healthy-at=(\d+)/g)].map((m) => Number(m[1]));
    const pids = [...logs.matchAll(/pid=(\d+)/g)].map((m) => Number(m[1]));
    expect(healthy).toHaveLength(2);
    const truth = healthy[1] - Date.parse(f.end);
    expect(truth).toBeGreaterThan(1900);
    // Window resolution: the healthy stretch starts on a 1 s window boundary after the truth, and a
    // worker's delta (about 1 s of samples) is placed by its middle, which can move the last 503s
    // half a window either way: the measure lies in [truth - 0.5 s, truth + 1.5 s).
    const err = f.recovery.timeMs - truth;
    expect(err, `recovery_time ${f.recovery.timeMs} ms, the server was unhealthy ${truth} ms after the fault`).toBeGreaterThanOrEqual(-500);
    expect(err, `recovery_time ${f.recovery.timeMs} ms, the server was unhealthy ${truth} ms after the fault`).toBeLessThan(1500);
    // The process was sampled (options.sut: { target }), across the restart too.
    expect(summary.metrics.sut_rss.values.count).toBeGreaterThanOrEqual(8);
    expect(pids).toHaveLength(2);
    expect(await survivors(pids)).toEqual([]);
  }, 90_000);
});

describe('process faults: pause and restart', () => {
  // Answers after 20 ms: recovery's default latency criterion (p95 at most 2x the 10 s before the
  // fault) then compares ~20 ms with ~20 ms, not a 1 ms baseline with a loaded machine's jitter.
  const SLOWER = { TARGET_ENV: { RESPONSE_DELAY_MS: '20' } };
  async function managed(kind: string, fault: object, extra: Record<string, string | object> = {}) {
    const port = await freePort();
    const dir = tempDir('mcprun-faults-');
    const out = join(dir, 'summary.json');
    const r = await runCli([SCENARIO, '--quiet', '--summary-export', out, '--report-dir', dir, ...env({ UPSTREAM: `http://127.0.0.1:${port}`, COMMAND: ['node', 'target-server.mjs'], KIND: kind, FAULT: fault, DURATION: '8s', ...extra })], { timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    const logs = readFileSync(join(reportFolder(dir), 'targets', 'api.stdout.log'), 'utf8');
    return { summary: readSummary(out), pids: [...logs.matchAll(/pid=(\d+)/g)].map((m) => Number(m[1])) };
  }

  test('pause for 1 s (SIGSTOP, SIGCONT): requests made meanwhile wait for it and then succeed; the same process serves throughout', async () => {
    const { summary, pids } = await managed('pause', { startTime: '2s', duration: '1s' }, SLOWER);
    const d = summary.metrics.http_req_duration.values;
    expect(summary.metrics.http_req_failed.values.passes).toBe(0);
    // The first request into the pause waits it out whole (less the time the messages took).
    expect(d.max).toBeGreaterThanOrEqual(850);
    expect(d.max).toBeLessThan(1500);
    expect(pids).toHaveLength(1);
    expect(summary.mcprun.faults[0]).toMatchObject({ kind: 'pause', recovery: { state: 'recovered' } });
    expect(await survivors(pids)).toEqual([]);
  }, 60_000);

  test('restart: a new process serves after the old one is stopped, and the service recovers', async () => {
    const { summary, pids } = await managed('restart', { startTime: '2s' }, SLOWER);
    expect(pids).toHaveLength(2);
    expect(pids[0]).not.toBe(pids[1]);
    const [f] = summary.mcprun.faults;
    expect(f).toMatchObject({ kind: 'restart', state: 'acted', recovery: { state: 'recovered' } });
    // An instant: lifted as the restart begins (a millisecond or two of bookkeeping, more on a
    // loaded machine), not a window of its own.
    expect(f.endMs - f.startMs).toBeLessThanOrEqual(50);
    expect(await survivors(pids)).toEqual([]);
  }, 60_000);
});

/** The run's folder inside --report-dir. */
function reportFolder(dir: string): string {
  const sub = readdirSync(dir).find((d) => statSync(join(dir, d)).isDirectory());
  return join(dir, sub ?? '-');
}

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
    expect([pid, child].every(alive)).toBe(true);
    run.kill('SIGINT');
    const t0 = Date.now();
    const r = await run;
    expect(r.code).toBe(105);
    // Nothing of the fault schedule (its start at 20 s) holds the process once the run has stopped.
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(await survivors([pid, child])).toEqual([]);
  }, 40_000);

  test('a fault that never recovers before the run ends fails its recovery_time threshold, and the reports say so', async () => {
    const dir = tempDir('mcprun-faults-');
    const { r, summary } = await faulted({ KIND: 'http-error', FAULT: { startTime: '1s', duration: '2s' }, DURATION: '4s', THRESHOLDS: { recovery_time: ['max<10s'] } }, undefined, ['--report-dir', dir]);
    expect(r.code, r.stderr).toBe(99);
    const [f] = summary.mcprun.faults;
    expect(f).toMatchObject({ name: 'f', kind: 'http-error', target: 'api', state: 'acted', recovery: { state: 'not-recovered', timeMs: null } });
    // 2 s at 50/s, every request answered 503 by the proxy.
    expect(f.failed).toBeGreaterThanOrEqual(90);
    expect(summary.metrics.recovery_time.thresholds['max<10s'].ok).toBe(false);
    const md = readFileSync(join(reportFolder(dir), 'report.md'), 'utf8');
    expect(md).toMatch(/## Faults\n\n\| Fault \| Kind \| Target \|.*\n.*\n\| f \| http-error \| api \| [\d.]+s \| [\d.]+s \| \d+ \| \d+ \| NOT recovered \| FAIL 1\/1 \|/);
    const html = readFileSync(join(reportFolder(dir), 'report.html'), 'utf8');
    expect(html).toContain('<section id="faults">');
    // Each fault's window goes to the charts to be shaded.
    expect(html).toMatch(/"faults":\[\{"name":"f","start":[\d.]+,"end":[\d.]+\}\]/);
  }, 30_000);
});
