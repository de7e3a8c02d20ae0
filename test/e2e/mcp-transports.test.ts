/**
 * Issue 4, "Done means" #1: the same scenario (initialize -> listAllTools -> 20 x callTool echo
 * -> close) passes with zero failed requests against every real target, and the samples carry
 * the right `transport` and `era` tags. One mcprun process runs one scenario per target at once
 * (cheap on 2 cores); each test below checks its target's tagged sub-metrics. All servers listen
 * on 127.0.0.1 and are started and stopped here (server-everything as child processes, by PID).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { EVERYTHING_ENTRY, FORCE_LOOPBACK, startEverything } from '../fixtures/mcp/everything.mjs';
import { startSdkV1Server } from '../fixtures/mcp/sdk-v1-server.mjs';
import { startSdkV2Server } from '../fixtures/mcp/sdk-v2-server.mjs';
import { startTcpServer, startWsServer } from '../fixtures/mcp/socket-servers.mjs';
import { explain, runScenario, type McpRun } from '../fixtures/mcp/harness.js';

interface Server {
  url: string;
  close(): Promise<void>;
  stats?: () => Record<string, unknown>;
}

interface Case {
  name: string;
  title: string;
  target: () => unknown;
  transport: string;
  era: string;
  /** tools/list pages per session (the socket fixtures page by 2). */
  pages: number;
  /** initialize requests per session. */
  inits: number;
}

const VUS = 2;
const servers: Record<string, Server> = {};
let run: McpRun;

const cases: Case[] = [
  { name: 'seHttp', title: 'server-everything streamableHttp', target: () => servers.seHttp.url, transport: 'streamable-http', era: 'legacy', pages: 1, inits: 1 },
  // Auto-detected: POST to /sse is refused (404), so the client falls back to HTTP+SSE.
  { name: 'seSse', title: 'server-everything sse (auto-detected)', target: () => servers.seSse.url, transport: 'sse', era: 'legacy', pages: 1, inits: 1 },
  {
    name: 'seStdio',
    title: 'server-everything stdio',
    target: () => ({ command: process.execPath, args: ['-r', FORCE_LOOPBACK, EVERYTHING_ENTRY, 'stdio'] }),
    transport: 'stdio',
    era: 'legacy',
    pages: 1,
    inits: 1,
  },
  { name: 'v1Stateless', title: 'SDK v1 stateless JSON', target: () => servers.v1Stateless.url, transport: 'streamable-http', era: 'legacy', pages: 1, inits: 1 },
  { name: 'v1Stateful', title: 'SDK v1 stateful SSE', target: () => servers.v1Stateful.url, transport: 'streamable-http', era: 'legacy', pages: 1, inits: 1 },
  { name: 'v2Modern', title: 'SDK v2 modern (2026-07-28)', target: () => servers.v2.url, transport: 'streamable-http', era: 'modern', pages: 1, inits: 0 },
  { name: 'ws', title: 'WebSocket fixture (\\n-joined frames)', target: () => servers.ws.url, transport: 'ws', era: 'legacy', pages: 3, inits: 1 },
  { name: 'tcp', title: 'TCP fixture (ndjson)', target: () => servers.tcp.url, transport: 'tcp', era: 'legacy', pages: 3, inits: 1 },
  { name: 'tcpLp', title: 'TCP fixture (length-prefixed)', target: () => ({ url: servers.tcpLp.url, framing: 'length-prefix' }), transport: 'tcp', era: 'legacy', pages: 3, inits: 1 },
];

beforeAll(async () => {
  const [seHttp, seSse, v1Stateless, v1Stateful, v2, ws, tcp, tcpLp] = await Promise.all([
    startEverything('streamableHttp'),
    startEverything('sse'),
    startSdkV1Server({ mode: 'stateless', json: true }),
    startSdkV1Server({ mode: 'stateful', json: false }),
    startSdkV2Server(),
    startWsServer({ joinFrames: true }),
    startTcpServer({ framing: 'ndjson' }),
    startTcpServer({ framing: 'length-prefix' }),
  ]);
  Object.assign(servers, { seHttp, seSse, v1Stateless, v1Stateful, v2, ws, tcp, tcpLp });
  const targets = cases.map((c) => ({ name: c.name, target: c.target(), transport: c.transport, era: c.era }));
  run = await runScenario('test/fixtures/mcp/lifecycle.ts', { MCP_TARGETS: JSON.stringify(targets), VUS: String(VUS) });
}, 120_000);

afterAll(async () => {
  await Promise.all(Object.values(servers).map((s) => s.close()));
});

describe('one lifecycle scenario, every transport and era', () => {
  test('the run passes: zero failed requests, every check true, exit 0', () => {
    expect(run.code, explain(run)).toBe(0);
    expect(run.metric('mcp_req_failed')?.values.passes, explain(run)).toBe(0);
    expect(run.metric('checks')?.values.fails).toBe(0);
    expect(run.metric('mcp_sessions_active')?.values.value).toBe(0);
    expect(run.count('mcp_sessions')).toBe(VUS * cases.length);
    expect(run.metric('mcp_session_duration')?.values.count).toBe(VUS * cases.length);
    // One handshake per legacy session, none for the modern one.
    expect(run.metric('mcp_session_init_duration')?.values.count).toBe(VUS * cases.filter((c) => c.inits).length);
  });

  for (const c of cases) {
    test(`${c.title}: ${c.transport} / ${c.era}, zero failures`, () => {
      const perSession = c.inits + c.pages + 20;
      const tagged = `mcp_reqs{scenario:${c.name},transport:${c.transport},era:${c.era}}`;
      // Every request of this target carries its transport and era tags...
      expect(run.count(tagged), explain(run)).toBe(VUS * perSession);
      expect(run.count(`mcp_reqs{scenario:${c.name}}`)).toBe(VUS * perSession);
      expect(run.count(`mcp_reqs{scenario:${c.name},transport:${c.transport},era:${c.era},method:tools/call,tool:echo}`)).toBe(VUS * 20);
      expect(run.count(`mcp_sessions{scenario:${c.name},transport:${c.transport},era:${c.era}}`)).toBe(VUS);
      // ...and the summary shows each of them as a passed threshold.
      for (const key of [tagged, `mcp_sessions{scenario:${c.name},transport:${c.transport},era:${c.era}}`]) {
        expect(Object.values(run.metric(key)?.thresholds ?? {}).every((t) => t.ok)).toBe(true);
      }
      // The legacy handshake is measured on its own.
      if (c.inits) expect(run.metric(`mcp_session_init_duration{scenario:${c.name}}`)?.values.count).toBe(VUS);
    });
  }
});
