/**
 * Session churn: connect -> one call -> close, as fast as the VUs go. Every iteration pays the
 * session set-up (legacy era: initialize + notifications/initialized, then DELETE on close), so
 * mcp_session_init_duration next to mcp_req_duration shows what a session costs the server.
 * Stateful servers that never see DELETE leak sessions; mcprun always sends it (deleteSession).
 *
 *   PORT=3001 npx @modelcontextprotocol/server-everything streamableHttp
 *   npx mcprun examples/mcp-session-churn.ts -e VUS=20 -e DURATION=30s
 *   npx mcprun examples/mcp-session-churn.ts -e MCP_URL=http://127.0.0.1:8080/mcp
 */
import { check, defineScenario, mcp, type Duration } from 'mcprun';

const url = process.env.MCP_URL ?? 'http://127.0.0.1:3001/mcp';

export const options = defineScenario({
  scenarios: {
    churn: { executor: 'constant-vus', vus: Number(process.env.VUS ?? 10), duration: (process.env.DURATION ?? '10s') as Duration },
  },
  thresholds: {
    mcp_req_failed: ['rate<0.1%'],
    checks: ['rate==1'],
    // Set-up vs work: the handshake may cost more than the call, but not without bound.
    mcp_session_init_duration: ['p95<1s'],
    'mcp_req_duration{method:tools/call}': ['p95<250ms'],
    mcp_sessions: ['count>0'],
  },
});

export default async function () {
  const s = await mcp.connect(url, { timeout: '5s' });
  const r = await s.callTool('echo', { message: 'churn' });
  check(r, { 'echo ok': (x) => !x.isError && String(x.content[0]?.text).includes('churn') });
  await s.close(); // sends DELETE for a legacy session with an Mcp-Session-Id
}
