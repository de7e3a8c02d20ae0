/**
 * Targets that misbehave (issue 8, item 3): every failure is a request in http_reqs, a failure in
 * http_req_failed, carries the right error_code tag (checked through thresholds on sub-metrics,
 * which the summary export then lists), timeouts apply, and the run ends within its duration plus
 * the request timeout. Every server listens on 127.0.0.1:0 and is closed by the test; the DNS case
 * uses a name under `.invalid`, which never resolves (RFC 6761).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { resolveConfig } from '../../runtime/config/resolve.js';
import { runCli, type CliResult } from '../support/run-cli.js';
import {
  bigServer,
  refusedUrl,
  resetServer,
  rudeServer,
  silentServer,
  slowServer,
  tlsServer,
  trickleServer,
  type FaultServer,
} from '../fixtures/faults/servers.js';

const FIXTURE = 'test/fixtures/faults/request.ts';
/** Process start-up, bundling and worker start on a busy machine: not part of "the run". */
const STARTUP_SLACK_MS = 10_000;
/** Scheduling noise between the planned end and the summary's end. */
const RUN_SLACK_MS = 3_000;

const servers: FaultServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
async function serve<T extends FaultServer>(p: Promise<T>): Promise<T> {
  const s = await p;
  servers.push(s);
  return s;
}

interface Summary {
  state: { testRunDurationMs: number };
  metrics: Record<string, { values: Record<string, number>; thresholds?: Record<string, { ok: boolean }> }>;
  root_group: { checks: Array<{ name: string; passes: number; fails: number }> };
}

async function run(env: Record<string, string>, opts: { timeoutMs?: number } = {}): Promise<{ r: CliResult; m: Summary }> {
  const dir = mkdtempSync(join(tmpdir(), 'mcprun-faults-'));
  dirs.push(dir);
  const out = join(dir, 'summary.json');
  const args = [FIXTURE, '--summary-export', out, '--no-progress', '--workers', '1'];
  for (const [k, v] of Object.entries(env)) args.push('-e', `${k}=${v}`);
  const r = await runCli(args, { timeoutMs: opts.timeoutMs ?? 90_000 });
  let m: Summary;
  try {
    m = JSON.parse(readFileSync(out, 'utf8')) as Summary;
  } catch {
    throw new Error(`no summary export (exit ${r.code})\nstderr: ${r.stderr}\nstdout: ${r.stdout}`);
  }
  return { r, m };
}

/** Every request failed with `code`: counted in http_reqs and http_req_failed, tagged, checked. */
function expectAllFailedWith(r: CliResult, m: Summary, code: string, requests?: number): void {
  expect(r.code, `${r.stderr}\n${r.stdout}`).toBe(0);
  const reqs = m.metrics.http_reqs.values.count;
  if (requests !== undefined) expect(reqs).toBe(requests);
  expect(reqs).toBeGreaterThan(0);
  expect(m.metrics.http_req_failed.values).toMatchObject({ passes: reqs, fails: 0 });
  const sub = m.metrics[`http_reqs{error_code:${code}}`];
  expect(sub, `the sub-metric http_reqs{error_code:${code}} is in the export`).toBeDefined();
  expect(sub.values.count, `every request is tagged error_code:${code}`).toBe(reqs);
  expect(sub.thresholds).toEqual({ 'count>0': { ok: true } });
  expect(m.metrics[`http_req_failed{error_code:${code}}`].values).toMatchObject({ rate: 1, passes: reqs });
  expect(m.root_group.checks).toEqual([expect.objectContaining({ name: `error_code is ${code}`, passes: reqs, fails: 0 })]);
}

/** The run itself ends within its planned duration plus the timeout; the process within that plus start-up. */
function expectOnTime(r: CliResult, m: Summary, plannedMs: number, timeoutMs: number): void {
  expect(m.state.testRunDurationMs).toBeLessThanOrEqual(plannedMs + timeoutMs + RUN_SLACK_MS);
  expect(r.ms, 'wall time of the whole mcprun process').toBeLessThanOrEqual(plannedMs + timeoutMs + STARTUP_SLACK_MS);
}

describe('connection failures', () => {
  test('connection refused: ECONNREFUSED, every request counted and failed', async () => {
    const { r, m } = await run({ TARGET: await refusedUrl(), ITERATIONS: '20', VUS: '2', EXPECT_CODE: 'ECONNREFUSED', HTTP_TIMEOUT: '5s' });
    expectAllFailedWith(r, m, 'ECONNREFUSED', 20);
    expectOnTime(r, m, 0, 5000);
  });

  test('reset in the middle of the response body: ECONNRESET', async () => {
    const s = await serve(resetServer());
    const { r, m } = await run({ TARGET: s.url, ITERATIONS: '5', EXPECT_CODE: 'ECONNRESET', HTTP_TIMEOUT: '5s' });
    expectAllFailedWith(r, m, 'ECONNRESET', 5);
    expect(s.connections, 'a reset connection is not reused').toBe(5);
    expectOnTime(r, m, 0, 5000);
  });

  test('closed right after accept, before any response: ECONNRESET', async () => {
    const s = await serve(rudeServer('close'));
    const { r, m } = await run({ TARGET: s.url, ITERATIONS: '3', EXPECT_CODE: 'ECONNRESET', HTTP_TIMEOUT: '5s' });
    expectAllFailedWith(r, m, 'ECONNRESET', 3);
    expectOnTime(r, m, 0, 5000);
  });

  test('an answer that is not HTTP: EPROTO', async () => {
    const s = await serve(rudeServer('garbage'));
    const { r, m } = await run({ TARGET: s.url, ITERATIONS: '3', EXPECT_CODE: 'EPROTO', HTTP_TIMEOUT: '5s' });
    expectAllFailedWith(r, m, 'EPROTO', 3);
    expectOnTime(r, m, 0, 5000);
  });

  test('DNS failure (a name under .invalid): ENOTFOUND', async () => {
    const { r, m } = await run({ TARGET: 'http://mcprun-test.invalid/', ITERATIONS: '3', EXPECT_CODE: 'ENOTFOUND', HTTP_TIMEOUT: '10s' });
    expectAllFailedWith(r, m, 'ENOTFOUND', 3);
    expectOnTime(r, m, 0, 10_000);
  });
});

describe('timeouts', () => {
  test('the default request timeout is 60 s', () => {
    expect(resolveConfig({}).http.timeoutMs).toBe(60_000);
    expect(resolveConfig({ http: { timeout: '2s' } }).http.timeoutMs).toBe(2000);
  });

  test('a server that accepts and never answers: ETIMEDOUT after options.http.timeout; the run ends within duration + timeout', async () => {
    const s = await serve(silentServer());
    const { r, m } = await run({ TARGET: s.url, DURATION: '3s', VUS: '2', HTTP_TIMEOUT: '1s', EXPECT_CODE: 'ETIMEDOUT' });
    expectAllFailedWith(r, m, 'ETIMEDOUT');
    // 2 VUs, one request each per second for 3 s; the last ones end by timing out after the 3 s.
    expect(m.metrics.http_reqs.values.count).toBeGreaterThanOrEqual(4);
    expect(m.metrics.http_reqs.values.count).toBeLessThanOrEqual(8);
    expect(m.metrics.http_req_duration.values.min).toBeGreaterThanOrEqual(990);
    expect(m.metrics.http_req_duration.values.max).toBeLessThan(1000 + RUN_SLACK_MS);
    expectOnTime(r, m, 3000, 1000);
  });

  test('the request`s own timeout param overrides options.http.timeout', async () => {
    const s = await serve(silentServer());
    const { r, m } = await run({ TARGET: s.url, ITERATIONS: '2', HTTP_TIMEOUT: '30s', REQ_TIMEOUT: '700ms', EXPECT_CODE: 'ETIMEDOUT' });
    expectAllFailedWith(r, m, 'ETIMEDOUT', 2);
    expect(m.metrics.http_req_duration.values.min).toBeGreaterThanOrEqual(690);
    expect(m.metrics.http_req_duration.values.max).toBeLessThan(700 + RUN_SLACK_MS);
    expectOnTime(r, m, 2 * 700, 0);
  });

  // Was a bug: the connection's undici Client had headersTimeout/bodyTimeout = options.http.timeout,
  // which cut a longer per-request timeout short; vu-http.ts now passes the request's own timeout
  // in each dispatch.
  test('a request`s own timeout longer than options.http.timeout is honoured', async () => {
    const s = await serve(slowServer(2500));
    const { r, m } = await run({ TARGET: s.url, ITERATIONS: '1', HTTP_TIMEOUT: '1s', REQ_TIMEOUT: '10s' });
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(m.metrics.http_req_failed.values).toMatchObject({ rate: 0 });
    expect(m.metrics.http_req_duration.values.min).toBeGreaterThanOrEqual(2490);
  });

  test('a server that trickles the body slower than the timeout: ETIMEDOUT (a byte now and then does not keep it alive)', async () => {
    const s = await serve(trickleServer('body', 100));
    const { r, m } = await run({ TARGET: s.url, DURATION: '2s', HTTP_TIMEOUT: '1s', EXPECT_CODE: 'ETIMEDOUT' });
    expectAllFailedWith(r, m, 'ETIMEDOUT');
    expect(m.metrics.http_req_duration.values.max).toBeLessThan(1000 + RUN_SLACK_MS);
    expectOnTime(r, m, 2000, 1000);
  });

  test('a server that trickles the status line and headers: ETIMEDOUT', async () => {
    const s = await serve(trickleServer('headers', 100));
    const { r, m } = await run({ TARGET: s.url, ITERATIONS: '2', HTTP_TIMEOUT: '1s', EXPECT_CODE: 'ETIMEDOUT' });
    expectAllFailedWith(r, m, 'ETIMEDOUT', 2);
    expectOnTime(r, m, 2000, 0);
  });
});

describe('TLS', () => {
  test('a self-signed certificate fails verification by default with a TLS error_code', async () => {
    const s = await serve(tlsServer());
    const { r, m } = await run({ TARGET: s.url, ITERATIONS: '2', HTTP_TIMEOUT: '5s', EXPECT_CODE: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    expectAllFailedWith(r, m, 'DEPTH_ZERO_SELF_SIGNED_CERT', 2);
    expectOnTime(r, m, 0, 5000);
  });

  test('options.http.insecureSkipTLSVerify: true accepts it', async () => {
    const s = await serve(tlsServer());
    const { r, m } = await run({ TARGET: s.url, ITERATIONS: '2', HTTP_TIMEOUT: '5s', INSECURE: '1' });
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(m.metrics.http_reqs.values.count).toBe(2);
    expect(m.metrics.http_req_failed.values).toMatchObject({ rate: 0, fails: 2 });
    expect(m.metrics.http_req_tls_handshaking.values.max).toBeGreaterThan(0);
  });
});

describe('a 10 MB response', () => {
  const SIZE = 10 * 1024 * 1024;

  test.each(['text', 'binary', 'none'] as const)('responseType %s: body intact (or drained), data_received exact', async (type) => {
    const s = await serve(bigServer(SIZE));
    const kind = type === 'binary' ? 'binary' : 'text';
    const { r, m } = await run({
      TARGET: `${s.url}/${kind}`,
      ITERATIONS: '3',
      RESPONSE_TYPE: type,
      HTTP_TIMEOUT: '30s',
      EXPECT_BYTES: String(SIZE),
      EXPECT_SHA256: s.bodies[kind].sha256,
    });
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(m.metrics.http_reqs.values.count).toBe(3);
    expect(m.root_group.checks).toEqual([
      expect.objectContaining({ name: 'status is 200', passes: 3, fails: 0 }),
      expect.objectContaining({ name: 'body intact', passes: 3, fails: 0 }),
    ]);
    // Exactly the bytes the server wrote: three bodies plus three header blocks.
    expect(m.metrics.data_received.values.count).toBe(s.bytesWritten());
    expect(m.metrics.data_received.values.count).toBeGreaterThan(3 * SIZE);
    expect(m.metrics.data_received.values.count).toBeLessThan(3 * SIZE + 3 * 1024);
    // A drained (or read) body leaves the connection reusable: one VU, one connection.
    expect(s.connections).toBe(1);
  });
});
