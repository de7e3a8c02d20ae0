/**
 * Issue 14, "Done means" #3: a server on the v2 SDK (@modelcontextprotocol/server 2.4.0) whose
 * tools return `inputRequired(...)` (2026-07-28 MRTR). The call is retried with the handlers'
 * answers and succeeds as one logical call (mcp_mrtr_rounds counts the rounds); a handler that
 * declines makes it a counted failure (the server's isError), one that throws a handler_error.
 * Ground truth: the server's own count of each tool's rounds.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startSdkV2Server } from '../fixtures/mcp/sdk-v2-server.mjs';
import { explain, runScenario, type McpRun } from '../fixtures/mcp/harness.js';

type Server = Awaited<ReturnType<typeof startSdkV2Server>>;
const servers: Record<string, Server> = {};
const runs: Record<string, McpRun> = {};

beforeAll(async () => {
  for (const c of ['accept', 'decline', 'throw']) servers[c] = await startSdkV2Server();
  await Promise.all(Object.keys(servers).map(async (c) => (runs[c] = await runScenario('test/fixtures/mcp/mrtr.ts', { MCP_URL: servers[c]!.url, CASE: c }))));
}, 120_000);

afterAll(async () => {
  await Promise.all(Object.values(servers).map((s) => s.close()));
});

describe('MRTR (input_required) against the v2 SDK', () => {
  test('answered and retried: both calls succeed, one sample each', () => {
    const r = runs.accept!;
    expect(r.code, explain(r)).toBe(0);
    expect(r.metric('mcp_req_failed')?.values.passes).toBe(0);
    expect(r.count('mcp_reqs{method:tools/call}')).toBe(2);
    expect(r.count('mcp_mrtr_rounds{tool:confirm}')).toBe(1);
    expect(r.count('mcp_mrtr_rounds{tool:summarize}')).toBe(2);
    expect(servers.accept!.stats().rounds).toEqual({ 'confirm:ask': 1, 'confirm:answered': 1, 'summarize:1': 1, 'summarize:2': 1, 'summarize:done': 1 });
    // sampling + roots, then sampling + roots + elicitation, plus confirm's elicitation.
    expect(r.count('mcp_server_requests{via:input_required}')).toBe(6);
  });

  test('a declining handler: the retry carries the decline, the server refuses, a counted failure', () => {
    const r = runs.decline!;
    expect(r.code, explain(r)).toBe(0);
    expect(r.metric('mcp_req_failed{tool:confirm,error_kind:tool_error}')?.values.passes).toBe(1);
    expect(servers.decline!.stats().rounds).toEqual({ 'confirm:ask': 1, 'confirm:answered': 1 });
  });

  test('a throwing handler: handler_error, the call is not retried', () => {
    const r = runs.throw!;
    expect(r.code, explain(r)).toBe(0);
    expect(r.metric('mcp_req_failed{tool:confirm,error_kind:handler_error}')?.values.passes).toBe(1);
    expect(servers.throw!.stats().rounds).toEqual({ 'confirm:ask': 1 });
  });
});
