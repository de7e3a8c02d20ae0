// The MCP bench's mcprun side: N VUs, each with one session kept across iterations, callTool('echo') in a loop.
import { defineScenario, mcp, type Duration, type McpSession, type VU } from 'mcprun';

export const options = defineScenario({
  scenarios: {
    load: { executor: 'constant-vus', vus: Number(process.env.VUS ?? 16), duration: (process.env.DURATION ?? '10s') as Duration },
  },
});

const target = process.env.TARGET!;

export default async function (vu: VU) {
  const s = (vu.state.mcp ??= await mcp.connect(target, { protocolVersion: '2025-11-25' })) as McpSession;
  // No check(): the SDK loop it is compared with checks nothing either (a failed call still counts in mcp_req_failed).
  await s.callTool('echo', { message: 'hello' });
}
