/**
 * Issue 14, "Done means" #2: a server on the official v1 SDK that forgets its sessions answers
 * 404 with a JSON-RPC body (-32001 "Session not found", from the SDK itself); mcprun initializes
 * again exactly once, re-sends idempotent requests (tools/call only with retryCallsOnReinit), and
 * counts it in mcp_session_reinit. Ground truth: the server's own count of initialize requests
 * and of requests that met a forgotten session.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startSdkV1Server } from '../fixtures/mcp/sdk-v1-server.mjs';
import { explain, runScenario, type McpRun } from '../fixtures/mcp/harness.js';

type Server = Awaited<ReturnType<typeof startSdkV1Server>>;
const servers: Record<string, Server> = {};
const runs: Record<string, McpRun> = {};

beforeAll(async () => {
  for (const c of ['read', 'call', 'retry-calls']) servers[c] = await startSdkV1Server({ mode: 'stateful', json: false, forget: 'sdk' });
  await Promise.all(Object.keys(servers).map(async (c) => (runs[c] = await runScenario('test/fixtures/mcp/reinit.ts', { MCP_URL: servers[c]!.url, CASE: c }))));
}, 120_000);

afterAll(async () => {
  await Promise.all(Object.values(servers).map((s) => s.close()));
});

describe('404 with a JSON-RPC body re-initializes the session', () => {
  test('tools/list after the expiry: one re-initialize, re-sent, no failure', () => {
    const r = runs.read!;
    expect(r.code, explain(r)).toBe(0);
    expect(r.count('mcp_session_reinit')).toBe(1);
    expect(r.metric('mcp_req_failed')?.values.passes).toBe(0);
    expect(servers.read!.stats().initializes).toBe(2);
    // The SDK answered the forgotten session once (the 404 that started the re-initialize).
    expect(servers.read!.stats().notFound).toBe(1);
  });

  test('tools/call after the expiry is not re-sent: it fails once, the next call succeeds', () => {
    const r = runs.call!;
    expect(r.code, explain(r)).toBe(0);
    expect(r.metric('checks')?.values.fails, explain(r)).toBe(0);
    expect(r.count('mcp_session_reinit')).toBe(1);
    expect(r.metric('mcp_req_failed{method:tools/call}')?.values.passes).toBe(1);
    expect(r.metric('mcp_req_failed{method:tools/call,error_code:-32001,status:404}')?.values.passes).toBe(1);
    expect(servers.call!.stats().initializes).toBe(2);
  });

  test('retryCallsOnReinit: the tools/call is re-sent on the new session', () => {
    const r = runs['retry-calls']!;
    expect(r.code, explain(r)).toBe(0);
    expect(r.metric('checks')?.values.fails, explain(r)).toBe(0);
    expect(r.count('mcp_session_reinit')).toBe(1);
    expect(r.metric('mcp_req_failed')?.values.passes).toBe(0);
    expect(servers['retry-calls']!.stats().initializes).toBe(2);
  });
});
