/**
 * An MCP server under a steady rate of sessions while its network fails: each iteration opens a
 * session, calls `echo`, and closes it; FAULT_AT into the run a fault proxy in each worker resets
 * every connection to the server for FAULT (a real network fault, docs/faults.md), and the
 * server must be serving again within 2 s of the fault's end (recovery_time).
 *
 *   PORT=3001 npx @modelcontextprotocol/server-everything streamableHttp   # a reference server
 *   npx mcprun examples/mcp-stress.ts                                      # http://127.0.0.1:3001/mcp
 *   npx mcprun examples/mcp-stress.ts -e MCP_URL=http://127.0.0.1:8080/mcp -e RATE=500 -e DURATION=5m \
 *     -e FAULT_KIND=blackhole -e FAULT_AT=2m -e FAULT=30s
 *
 * VUs reach the server through target('mcp'), the proxy's address in their worker; the path of
 * MCP_URL is kept. FAULT_KIND may be any network fault: reset, blackhole, latency (with
 * LATENCY), refuse, timeout. RECOVERED_LATENCY (e.g. 'p95<500ms') and RECOVERED_FAILED (e.g.
 * 'rate<1%') replace the default criteria of recovery (p95 at most 2x, and a failure rate no
 * worse than, what they were before the fault).
 */
import { check, defineScenario, mcp, target, type Duration, type FaultOptions } from 'mcprun';

const env = (k: string, d: string) => process.env[k] ?? d;
const url = new URL(env('MCP_URL', 'http://127.0.0.1:3001/mcp'));
const kind = env('FAULT_KIND', 'reset') as FaultOptions['kind'];
const rate = Number(env('RATE', '20'));

export const options = defineScenario({
  targets: { mcp: { upstream: url.origin } },
  faults: {
    outage: {
      target: 'mcp',
      kind,
      startTime: env('FAULT_AT', '10s') as Duration,
      duration: env('FAULT', '5s') as Duration,
      ...(kind === 'latency' ? { latency: env('LATENCY', '500ms') as Duration } : {}),
      // Healthy again: by default no more failures than before and p95 within 2x of before (docs/faults.md).
      recovered: { for: env('RECOVERED_FOR', '3s') as Duration, ...(process.env.RECOVERED_LATENCY ? { latency: process.env.RECOVERED_LATENCY } : {}), ...(process.env.RECOVERED_FAILED ? { failed: process.env.RECOVERED_FAILED } : {}) },
    },
  },
  scenarios: {
    sessions: {
      executor: 'constant-arrival-rate',
      rate,
      timeUnit: '1s',
      duration: env('DURATION', '30s') as Duration,
      preAllocatedVUs: Math.max(4, rate),
      maxVUs: Math.max(8, 4 * rate),
    },
  },
  thresholds: {
    // Failures are expected while the fault lasts; the SLA is the recovery.
    recovery_time: ['max<2s'],
    mcp_req_failed: ['rate<50%'],
  },
});

export default async function () {
  let s: Awaited<ReturnType<typeof mcp.connect>> | undefined;
  try {
    s = await mcp.connect(`${target('mcp')}${url.pathname}`, { timeout: env('TIMEOUT', '5s') as Duration, connectTimeout: '2s' });
    const r = await s.callTool('echo', { message: 'ping' });
    check(r, { 'echo answers': (x) => !x.isError });
  } catch {
    // Counted already (mcp_req_failed with its error_kind); the next iteration opens a new session.
    check(null, { 'echo answers': () => false });
  } finally {
    await s?.close().catch(() => {});
  }
}
