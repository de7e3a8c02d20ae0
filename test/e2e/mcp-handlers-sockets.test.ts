/**
 * Issue 14, scope item 1 ("stdio, SSE, WebSocket and TCP alike"): a server-to-client request sent
 * in the middle of a tools/call over mcprun's WebSocket transport and its TCP transport (both
 * framings) is answered on that connection by the scenario's handler, and the server receives
 * exactly what the handler returned. The socket fixtures (test/fixtures/mcp/socket-servers.mjs,
 * 127.0.0.1 port 0, in this process) are the ground truth: how many requests they sent per
 * method, every answer they received, and the capabilities the client declared.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTcpServer, startWsServer, type SocketServer } from '../fixtures/mcp/socket-servers.mjs';
import { explain, runScenario, type McpRun } from '../fixtures/mcp/harness.js';

const VUS = 2;
const ITERATIONS = 3;
const SESSIONS = VUS * ITERATIONS;
const servers: Record<string, SocketServer> = {};
let run: McpRun;

const KINDS: Record<string, string> = { ws: 'ws', tcp: 'tcp', tcpLp: 'tcp' };

beforeAll(async () => {
  const [ws, tcp, tcpLp] = await Promise.all([startWsServer(), startTcpServer({ framing: 'ndjson' }), startTcpServer({ framing: 'length-prefix' })]);
  Object.assign(servers, { ws, tcp, tcpLp });
  const targets = [
    { name: 'ws', target: ws.url },
    { name: 'tcp', target: tcp.url },
    { name: 'tcpLp', target: { url: tcpLp.url, framing: 'length-prefix' } },
  ];
  run = await runScenario('test/fixtures/mcp/handlers-sockets.ts', { MCP_TARGETS: JSON.stringify(targets), VUS: String(VUS), ITERATIONS: String(ITERATIONS) });
}, 120_000);

afterAll(async () => {
  await Promise.all(Object.values(servers).map((s) => s.close()));
});

describe('client handlers over the WebSocket and TCP transports', () => {
  test('the run passes: every check true, no request failed', () => {
    expect(run.code, explain(run)).toBe(0);
    expect(run.metric('checks')?.values.fails, explain(run)).toBe(0);
    expect(run.metric('mcp_req_failed')?.values.passes, explain(run)).toBe(0);
  });

  for (const name of Object.keys(KINDS)) {
    test(`${name}: giving handlers declares sampling, elicitation and roots at initialize`, () => {
      const s = servers[name]!.stats();
      expect(s.initializes).toBe(SESSIONS);
      expect(s.capabilities).toEqual({ sampling: {}, elicitation: { form: {} }, roots: {} });
    });

    test(`${name}: the server received each handler's answer, built from its own params on this transport`, () => {
      const s = servers[name]!.stats();
      const kind = KINDS[name];
      expect(s.asked).toEqual({ 'sampling/createMessage': SESSIONS, 'roots/list': SESSIONS, 'elicitation/create': 2 * SESSIONS });
      const of = (m: string) => s.answers.filter((a) => a.method === m);
      for (const a of of('sampling/createMessage')) expect(a.result).toMatchObject({ role: 'assistant', model: 'socket-model', content: { type: 'text', text: expect.stringMatching(new RegExp(`^sampled over ${kind}: hello vu\\d+-it\\d+$`)) } });
      expect(of('sampling/createMessage')).toHaveLength(SESSIONS);
      // Every VU x iteration asked once: the texts are all different, so each answer went back on the connection that asked.
      expect(new Set(of('sampling/createMessage').map((a) => (a.result?.content as { text: string }).text)).size).toBe(SESSIONS);
      expect(of('roots/list').map((a) => a.result)).toEqual(Array.from({ length: SESSIONS }, () => ({ roots: [{ uri: 'file:///srv/socket-root', name: `root over ${kind}` }] })));
      const accepted = of('elicitation/create').filter((a) => a.result);
      expect(accepted).toHaveLength(SESSIONS);
      for (const a of accepted) expect(a.result).toMatchObject({ action: 'accept', content: { name: `Ada over ${kind}` } });
      const refused = of('elicitation/create').filter((a) => a.error);
      expect(refused.map((a) => a.error)).toEqual(Array.from({ length: SESSIONS }, () => ({ code: -32042, message: 'the scenario refuses' })));
    });

    test(`${name}: mcp_server_requests{method} counts what the server sent, by outcome`, () => {
      const asked = servers[name]!.stats().asked;
      for (const m of ['sampling/createMessage', 'roots/list', 'elicitation/create']) {
        expect(run.count(`mcp_server_requests{scenario:${name},method:${m}}`), `${m}\n${explain(run)}`).toBe(asked[m]);
      }
      expect(run.count(`mcp_server_requests{scenario:${name},method:elicitation/create,outcome:answered}`)).toBe(SESSIONS);
      expect(run.count(`mcp_server_requests{scenario:${name},method:elicitation/create,outcome:refused}`)).toBe(SESSIONS);
      expect(run.metric(`mcp_server_request_duration{scenario:${name},method:sampling/createMessage}`)?.values.count).toBe(SESSIONS);
    });
  }
});
