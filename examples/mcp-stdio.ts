/**
 * MCP over stdio: every VU spawns its own server process and speaks newline-delimited JSON-RPC
 * on its stdin/stdout (the server's stderr is kept, never an error). Here the server is the
 * reference server-everything; set MCP_COMMAND/MCP_ARGS for yours.
 *
 *   npx mcprun examples/mcp-stdio.ts                      # spawns node_modules' server-everything
 *   npx mcprun examples/mcp-stdio.ts -e MCP_COMMAND=python -e MCP_ARGS='["server.py"]'
 *
 * A process per VU is heavy (tens of MB): stdio tests are about a server's per-request cost and
 * correctness under concurrency, not about 10^5 clients. The long-running tool reports progress
 * (mcp_progress_events) before its result, which is still matched to its request by id.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { check, defineScenario, mcp, type McpStdioTarget, type VU } from 'mcprun';

function server(): McpStdioTarget {
  if (process.env.MCP_COMMAND) return { command: process.env.MCP_COMMAND, args: JSON.parse(process.env.MCP_ARGS ?? '[]') as string[] };
  try {
    // server-everything from the current project's node_modules (mcprun's own devDependency).
    const pkg = createRequire(pathToFileURL(join(process.cwd(), 'package.json'))).resolve('@modelcontextprotocol/server-everything/package.json');
    return { command: process.execPath, args: [join(dirname(pkg), 'dist/index.js'), 'stdio'] };
  } catch {
    return { command: 'npx', args: ['-y', '@modelcontextprotocol/server-everything@2026.8.31', 'stdio'] };
  }
}

export const options = defineScenario({
  scenarios: {
    stdio: { executor: 'per-vu-iterations', vus: Number(process.env.VUS ?? 4), iterations: Number(process.env.ITERATIONS ?? 20), maxDuration: '2m' },
  },
  thresholds: {
    mcp_req_failed: ['rate==0'],
    checks: ['rate==1'],
    'mcp_req_duration{transport:stdio,tool:echo}': ['p95<250ms'],
    'mcp_progress_events{tool:trigger-long-running-operation}': ['count>0'],
  },
});

export default async function (vu: VU) {
  // One process per VU, started on the VU's first iteration and stopped when the test ends.
  const s = (vu.state.mcp ??= await mcp.connect(server(), { timeout: '10s', connectTimeout: '30s' })) as Awaited<ReturnType<typeof mcp.connect>>;
  const echo = await s.callTool('echo', { message: `stdio ${vu.iteration}` });
  check(echo, { 'echo: matched by id': (r) => String(r.content[0]?.text).endsWith(`stdio ${vu.iteration}`) });
  if (vu.iteration === 0) {
    let events = 0;
    const long = await s.callTool('trigger-long-running-operation', { duration: 0.2, steps: 2 }, { onProgress: () => events++ });
    check(long, { 'long-running: progress then result': (r) => !r.isError && events === 2 });
  }
}
