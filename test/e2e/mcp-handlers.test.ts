/**
 * Issue 14, "Done means" #1 and #4: server-everything over Streamable HTTP, legacy SSE and stdio
 * asks the client for sampling, roots and elicitation; the scenario's handlers (and the canned
 * ones) answer, the tools return what the handlers said, with no timeout. Logging and
 * resource-update notifications arrive on the standalone GET stream. Servers are the npm package,
 * on 127.0.0.1, started and stopped here by PID.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { EVERYTHING_ENTRY, FORCE_LOOPBACK, startEverything } from '../fixtures/mcp/everything.mjs';
import { explain, runScenario, type McpRun } from '../fixtures/mcp/harness.js';

const servers: Array<{ url: string; close(): Promise<void> }> = [];
let run: McpRun;

const cases = (http: string, sse: string) => [
  { name: 'seHttp', target: http, stream: true },
  { name: 'seSse', target: { url: sse, transport: 'sse' } },
  { name: 'seStdio', target: { command: process.execPath, args: ['-r', FORCE_LOOPBACK, EVERYTHING_ENTRY, 'stdio'] } },
  { name: 'cannedHttp', target: http, canned: true },
];

beforeAll(async () => {
  const [http, sse] = await Promise.all([startEverything('streamableHttp'), startEverything('sse')]);
  servers.push(http, sse);
  run = await runScenario('test/fixtures/mcp/handlers.ts', { MCP_TARGETS: JSON.stringify(cases(http.url, sse.url)) });
}, 120_000);

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

describe('client handlers against server-everything', () => {
  test('every check passes, no request failed, no timeout', () => {
    expect(run.code, explain(run)).toBe(0);
    expect(run.metric('checks')?.values.fails, explain(run)).toBe(0);
    expect(run.metric('mcp_req_failed')?.values.passes, explain(run)).toBe(0);
  });

  for (const name of ['seHttp', 'seSse', 'seStdio', 'cannedHttp']) {
    test(`${name}: sampling, roots and elicitation were answered by the handlers`, () => {
      expect(run.metric(`checks{scenario:${name}}`)?.values.rate, explain(run)).toBe(1);
      expect(run.metric(`mcp_req_failed{scenario:${name}}`)?.values.rate).toBe(0);
      expect(run.count(`mcp_server_requests{scenario:${name},method:sampling/createMessage,outcome:answered}`)).toBe(1);
      expect(run.count(`mcp_server_requests{scenario:${name},method:elicitation/create,outcome:answered}`)).toBe(1);
      // roots/list: once after notifications/initialized, and get-roots-list asks again if that one was lost.
      expect(run.count(`mcp_server_requests{scenario:${name},method:roots/list,outcome:answered}`)).toBeGreaterThanOrEqual(1);
    });
  }

  test('the canned sampling reply waits its simulated latency (handler time >= 200 ms)', () => {
    const d = run.metric('mcp_server_request_duration{scenario:cannedHttp,method:sampling/createMessage}');
    expect(d?.values.count).toBe(1);
    expect(d?.values.min).toBeGreaterThanOrEqual(199);
    // The scenario's own handler answers at once.
    expect(run.metric('mcp_server_request_duration{scenario:seHttp,method:sampling/createMessage}')?.values.max).toBeLessThan(200);
  });

  test('logging and resource-update notifications arrive on the standalone stream', () => {
    expect(run.count('mcp_notifications{scenario:seHttp,method:notifications/message,stream:standalone}'), explain(run)).toBeGreaterThan(0);
    expect(run.count('mcp_notifications{scenario:seHttp,method:notifications/resources/updated,stream:standalone}')).toBeGreaterThan(0);
  });
});
