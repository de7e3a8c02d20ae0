/**
 * A workload whose tools call back into the client: sampling (the server asks the client's model),
 * elicitation (it asks the user) and roots. Each VU answers with canned handlers — a fixed model
 * reply after a simulated 200 ms of model latency, an accepted form, a fixed roots list — so the
 * server's own path (request → client → answer → result) is what gets loaded and measured.
 * Logging notifications from the server arrive on the standalone stream and are counted.
 *
 *   PORT=3001 npx @modelcontextprotocol/server-everything streamableHttp
 *   npx mcprun examples/mcp-client-handlers.ts -e MCP_URL=http://127.0.0.1:3001/mcp -e VUS=20 -e DURATION=1m
 */
import { check, defineScenario, mcp, type Duration, type McpSession, type VU } from 'mcprun';

const url = process.env.MCP_URL ?? 'http://127.0.0.1:3001/mcp';

export const options = defineScenario({
  scenarios: {
    callbacks: { executor: 'constant-vus', vus: Number(process.env.VUS ?? 5), duration: (process.env.DURATION ?? '10s') as Duration },
  },
  thresholds: {
    mcp_req_failed: ['rate<0.1%'],
    checks: ['rate==1'],
    // The server's round trip through the client, simulated model latency included.
    'mcp_req_duration{tool:trigger-sampling-request}': ['p95<1s'],
    // Every sampling request was answered (none refused, none without a handler).
    'mcp_server_requests{method:sampling/createMessage,outcome:answered}': ['count>0'],
    'mcp_server_request_duration{method:sampling/createMessage}': ['p95<400ms'],
  },
});

export default async function (vu: VU) {
  const s = ((vu.state.mcp as McpSession | undefined) ??= await mcp.connect(url, {
    timeout: '10s',
    // Giving handlers declares sampling, elicitation and roots, and opens the standalone stream.
    handlers: mcp.handlers.canned({ samplingLatency: '200ms', samplingText: 'a canned model reply' }),
  }));
  const sampled = await s.callTool('trigger-sampling-request', { prompt: `question ${vu.iteration}`, maxTokens: 20 });
  check(sampled, { 'the server got the model reply': (r) => !r.error && JSON.stringify(r.content).includes('a canned model reply') });
  const elicited = await s.callTool('trigger-elicitation-request', {});
  check(elicited, { 'the form was accepted': (r) => !r.error && JSON.stringify(r.content).includes('User provided the requested information') });
}
