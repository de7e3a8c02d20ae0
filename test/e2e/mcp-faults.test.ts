/**
 * Issue 4, "Done means" #2-#5 against real servers: an unknown tool is a failed request with
 * error_kind tool_error, an unknown method jsonrpc_error, a killed stdio server transport_error,
 * and none of them crashes the run; a session the server expired (404) is re-initialized and
 * counted in mcp_session_reinit; progress notifications are counted and the result still matched;
 * sessions the script leaves open are DELETEd, so the stateful server ends with zero sessions.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startEverything } from '../fixtures/mcp/everything.mjs';
import { startSdkV1Server } from '../fixtures/mcp/sdk-v1-server.mjs';
import { startSdkV2Server } from '../fixtures/mcp/sdk-v2-server.mjs';
import { startTcpServer } from '../fixtures/mcp/socket-servers.mjs';
import { explain, runScenario, type McpRun } from '../fixtures/mcp/harness.js';

const STDIO_SERVER = new URL('../fixtures/mcp/stdio-server.mjs', import.meta.url).pathname;

type Started = { url: string; close(): Promise<void>; stats: () => Record<string, number> };
let errorsServer: Started;
let expireServer: Started;
let leftopenServer: Started;
let resumable: Started;
let v2: Started;
let everything: { url: string; close(): Promise<void> };
let tcp: Started;
let run: McpRun;

beforeAll(async () => {
  [errorsServer, expireServer, leftopenServer, v2, everything, tcp, resumable] = await Promise.all([
    startSdkV1Server({ mode: 'stateful', json: false }),
    startSdkV1Server({ mode: 'stateful', json: true }),
    startSdkV1Server({ mode: 'stateful', json: false }),
    startSdkV2Server(),
    startEverything('streamableHttp'),
    startTcpServer(),
    startSdkV1Server({ mode: 'stateful', json: false, resumable: true }),
  ] as const) as unknown as [Started, Started, Started, Started, { url: string; close(): Promise<void> }, Started, Started];
  const faults = {
    errorsUrl: errorsServer.url,
    stdio: { command: process.execPath, args: [STDIO_SERVER] },
    expireUrl: expireServer.url,
    expireAdmin: expireServer.url.replace(/\/mcp$/, '/admin/expire'),
    progressV1: errorsServer.url,
    progressV2: v2.url,
    everythingUrl: everything.url,
    tcpUrl: tcp.url,
    leftopenUrl: leftopenServer.url,
    resumableUrl: resumable.url,
  };
  run = await runScenario('test/fixtures/mcp/faults.ts', { MCP_FAULTS: JSON.stringify(faults) });
  if (process.env.MCP_DEBUG) console.log(run.stdout, run.stderr);
}, 120_000);

afterAll(async () => {
  await Promise.all([errorsServer, expireServer, leftopenServer, v2, everything, tcp, resumable].map((s) => s?.close()));
});

const failed = (key: string) => run.metric(key)?.values.passes ?? 0;

describe('failures are measured, never fatal', () => {
  test('the run completes: every check holds, no iteration threw, exit 0', () => {
    expect(run.code, explain(run)).toBe(0);
    expect(run.metric('checks')?.values.fails, explain(run)).toBe(0);
    expect(run.count('iterations')).toBe(6 + 12);
    expect(run.count('iteration_errors')).toBe(0);
  });

  test('unknown tool: failed request, error_kind tool_error (the v1 SDK answers isError)', () => {
    expect(failed('mcp_req_failed{scenario:errors,error_kind:tool_error}')).toBe(1);
  });

  test('unknown method: failed request, error_kind jsonrpc_error', () => {
    expect(failed('mcp_req_failed{scenario:errors,error_kind:jsonrpc_error}')).toBe(1);
  });

  test('a timed-out call is a failed request (error_kind timeout) and the session keeps working', () => {
    expect(failed('mcp_req_failed{scenario:errors,error_kind:timeout}')).toBe(1);
    expect(run.metric('mcp_req_failed{scenario:errors,method:tools/call,tool:echo}')?.values.fails).toBe(1);
  });

  test('killed stdio server: the in-flight and the next call fail with transport_error', () => {
    expect(failed('mcp_req_failed{scenario:killed,error_kind:transport_error}')).toBe(2);
    expect(run.count('mcp_reqs{scenario:killed,error_kind:transport_error}')).toBe(2);
  });

  test('a session expired by the server (404) is re-initialized once and counted', () => {
    expect(run.count('mcp_session_reinit{scenario:expire}')).toBe(1);
    expect(run.metric('mcp_req_failed{scenario:expire}')?.values.passes).toBe(0);
    const st = expireServer.stats();
    expect(st.initializes).toBe(2);
    // The new session was DELETEd at close; the expired one was already gone.
    expect(st.sessions).toBe(0);
  });

  test('progress notifications before the result are counted; the result is still matched', () => {
    // 3 each from the SDK v1 (SSE), SDK v2 (modern, SSE upgrade) and server-everything's long-running tool.
    expect(run.count('mcp_progress_events{scenario:progress}')).toBe(9);
    expect(run.metric('mcp_req_failed{scenario:progress}')?.values.passes).toBe(0);
  });

  test('out-of-order responses are matched by id; a timeout sends notifications/cancelled', () => {
    expect(run.metric('mcp_req_failed{scenario:ordering,tool:echo}')?.values.passes).toBe(0);
    expect(failed('mcp_req_failed{scenario:ordering,error_kind:timeout}')).toBe(1);
    expect(tcp.stats().cancelled).toBe(1);
  });

  test('a request stream the server closes mid-call is resumed with GET + Last-Event-ID; the response is still matched', () => {
    expect(run.metric('mcp_req_failed{scenario:resume}')?.values.passes).toBe(0);
    expect(run.count('mcp_progress_events{scenario:resume}')).toBe(2);
    expect(resumable.stats().dropped).toBe(1);
    expect(resumable.stats().resumes).toBeGreaterThanOrEqual(1);
  });

  test('sessions left open by the script are closed with DELETE: the stateful server holds zero sessions', () => {
    expect(run.count('mcp_sessions{scenario:leftopen}')).toBe(3);
    const st = leftopenServer.stats();
    expect(st.initializes).toBe(3);
    expect(st.deletes).toBe(3);
    expect(st.sessions).toBe(0);
    // And every other session of the run was closed too.
    expect(errorsServer.stats().sessions).toBe(0);
    expect(run.metric('mcp_sessions_active')?.values.value).toBe(0);
  });
});
