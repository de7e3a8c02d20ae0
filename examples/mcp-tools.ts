/**
 * A tool-calling workload against an MCP server: each VU opens one session (kept in vu.state
 * across iterations), lists the tools once, then loops over tool calls. Latency is judged per
 * tool; any failure (HTTP, JSON-RPC error, isError result, timeout) counts in mcp_req_failed.
 *
 *   PORT=3001 npx @modelcontextprotocol/server-everything streamableHttp   # a reference server
 *   npx mcprun examples/mcp-tools.ts                                       # http://127.0.0.1:3001/mcp
 *   npx mcprun examples/mcp-tools.ts -e MCP_URL=http://127.0.0.1:8080/mcp -e VUS=50 -e DURATION=1m
 *
 * The era is detected once per target (protocolVersion: 'auto'): a 2026-07-28 server gets
 * stateless requests with the `_meta` envelope, an older one the initialize handshake.
 * Sessions still open at the end are closed for you (DELETE), so the server leaks nothing.
 */
import { check, defineScenario, group, mcp, type Duration, type VU } from 'mcprun';

const url = process.env.MCP_URL ?? 'http://127.0.0.1:3001/mcp';

export const options = defineScenario({
  scenarios: {
    tools: { executor: 'constant-vus', vus: Number(process.env.VUS ?? 10), duration: (process.env.DURATION ?? '10s') as Duration },
  },
  thresholds: {
    // Functional: nothing may fail.
    mcp_req_failed: ['rate<0.1%'],
    checks: ['rate==1'],
    // Latency per tool (tags: method, tool, transport, era, status).
    'mcp_req_duration{tool:echo}': ['p95<250ms'],
    'mcp_req_duration{tool:get-sum}': ['p95<250ms'],
    // The handshake is measured apart from the calls.
    mcp_session_init_duration: ['p95<1s'],
  },
});

export default async function (vu: VU) {
  if (!vu.state.mcp) {
    const s = await mcp.connect(url, { timeout: '5s' });
    vu.state.mcp = s;
    const tools = await s.listAllTools();
    check(tools, { 'server has echo and get-sum': (t) => t.some((x) => x.name === 'echo') && t.some((x) => x.name === 'get-sum') });
  }
  const s = vu.state.mcp as Awaited<ReturnType<typeof mcp.connect>>;

  await group('echo', async () => {
    const r = await s.callTool('echo', { message: `hello from VU ${vu.id}` });
    check(r, { 'echo: not isError': (x) => !x.isError, 'echo: says hello': (x) => String(x.content[0]?.text).includes('hello from VU') });
  });

  await group('sum', async () => {
    const a = vu.iteration;
    const r = await s.callTool('get-sum', { a, b: 40 });
    check(r, { 'get-sum: right answer': (x) => String(x.content[0]?.text).includes(String(a + 40)) });
  });
}
