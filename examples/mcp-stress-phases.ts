/**
 * The six-phase stress plan this project exists for, against an MCP server, with an SLA per phase:
 *
 *   baseline ─▶ ramp ──────▶ hold ─────────▶ failure+recovery ─▶ burst ──▶ cooldown
 *   BASE seq.   0→N sessions  N sessions, a   the server fails      2× the    calls/s
 *   tool calls  at R/s        call per PACE s FAULT s, must heal    hold rate → 0
 *
 * Every VU of ramp+hold opens one MCP session (initialize + notifications/initialized, one
 * Mcp-Session-Id) and keeps it, calling `echo` every PACE seconds; the session is closed with
 * DELETE when its VU retires. The ramp and the hold are one scenario (so the N sessions are not
 * dropped and re-opened between them), told apart by a `phase` tag on every call.
 *
 * With no target it starts a lean MCP server of its own (in setup(), on worker 0), and the
 * defaults run the whole plan in about a minute (N=200 sessions):
 *
 *   npx mcprun examples/mcp-stress-phases.ts
 *
 * Against your server, at 100,000 sessions (past ~18K sockets per process use --pool processes,
 * --workers 6+ and --local-ips; the whole plan then runs about 35 minutes: ramp 33 s, hold 15 m,
 * failure 2 m, burst 5 m, cool-down 5 m, plus connect and close time):
 *
 *   npx mcprun examples/mcp-stress-phases.ts --pool processes --workers 6 --local-ips 127.0.0.2-127.0.0.33 \
 *     -e TARGET=http://127.0.0.1:3001/mcp -e N=100000 -e R=3000 -e PACE=10 -e HOLD=15m -e FAIL=2m -e BURST=5m -e COOL=5m
 *
 * With TARGET the failure is yours to cause during the failure phase (restart the server, or
 * point TARGET at a fault proxy); the built-in server answers HTTP 503 for FAULT seconds.
 */
import { createServer, type Server } from 'node:http';
import { defineScenario, http, mcp, type Duration, type McpSession } from 'mcprun';

const env = (k: string, d: string) => process.env[k] ?? d;
const dur = (k: string, d: string) => env(k, d) as Duration;
const N = Number(env('N', '200')); // sessions to ramp to and hold
const R = Number(env('R', '100')); // new sessions per second during the ramp
const PACE = Number(env('PACE', '1')); // seconds between the calls of one held session
const RATE = Math.max(1, Math.round(N / PACE)); // the hold's call rate
const RAMP_S = Math.max(1, Math.ceil(N / R));
const HOLD_S = seconds(env('HOLD', '20s'));
const FAULT_MS = Math.round(Number(env('FAULT', '4')) * 1000);
type TimeText = `${number}${'us' | 'ms' | 's'}`;
const SLA = env('SLA', '100ms') as TimeText; // p95 of a tool call in the calm phases
const SLA_UNIT = SLA.replace(/^[\d.]+/, '') as 'us' | 'ms' | 's';

function seconds(d: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(d);
  if (!m) throw new Error(`HOLD=${d}: expected a duration such as 20s or 15m`);
  return Number(m[1]) * { ms: 0.001, s: 1, m: 60, h: 3600 }[m[2] ?? 's']!;
}

export const options = defineScenario({
  scenarios: {
    baseline: { executor: 'shared-iterations', vus: 1, iterations: Number(env('BASE', '50')), exec: 'call' },
    held: {
      executor: 'ramping-vus', after: 'baseline', startVUs: 0, exec: 'held',
      stages: [{ duration: `${RAMP_S}s`, target: N }, { duration: `${HOLD_S}s`, target: N }],
      gracefulRampDown: '5s', gracefulStop: `${PACE + 5}s`,
    },
    failure: {
      executor: 'constant-arrival-rate', after: 'held', rate: RATE, timeUnit: '1s', duration: dur('FAIL', '10s'),
      preAllocatedVUs: Math.min(N, 50), maxVUs: N, exec: 'failure',
    },
    // Not a phase of its own: turns the built-in server's fault on as `failure` starts.
    inject: { executor: 'shared-iterations', after: 'held', iterations: 1, exec: 'injectFault' },
    burst: {
      executor: 'constant-arrival-rate', after: 'failure', rate: 2 * RATE, timeUnit: '1s', duration: dur('BURST', '10s'),
      preAllocatedVUs: Math.min(2 * N, 100), maxVUs: 2 * N, exec: 'call',
    },
    cooldown: {
      executor: 'ramping-arrival-rate', after: 'burst', startRate: RATE, timeUnit: '1s', exec: 'call',
      stages: [{ duration: dur('COOL', '10s'), target: 0 }], preAllocatedVUs: Math.min(N, 50), maxVUs: N,
    },
  },
  thresholds: {
    'mcp_req_duration{scenario:baseline}': [`p95<${SLA}`],
    'mcp_req_failed{scenario:baseline}': ['rate<0.05%'],
    // Every session of the ramp opened, none failed while opening.
    'mcp_sessions{scenario:held}': [`count>=${N}`],
    'mcp_req_failed{scenario:held,phase:ramp}': ['rate<0.05%'],
    'mcp_req_duration{scenario:held,phase:hold}': [`p95<${SLA}`],
    'mcp_req_failed{scenario:held,phase:hold}': ['rate<0.05%'],
    // Errors are expected while the fault lasts; the SLA is that the service heals after it.
    'mcp_req_failed{scenario:failure,phase:recovery}': ['rate<0.05%'],
    'mcp_req_duration{scenario:burst}': [`p95<${Number.parseFloat(SLA) * 2}${SLA_UNIT}`],
    'mcp_req_failed{scenario:burst}': ['rate<0.05%'],
    'mcp_req_failed{scenario:cooldown}': ['rate<0.05%'],
  },
});

type Data = { target: string; faultUrl?: string };
type Vu = { state: { mcp?: McpSession; next?: number; t0?: number } };

async function session(vu: Vu, data: Data): Promise<McpSession> {
  return (vu.state.mcp ??= await mcp.connect(data.target, { protocolVersion: '2025-11-25', transport: 'streamable-http' }));
}

/** One tool call on the VU's session (baseline, burst, cool-down: one per iteration). */
export async function call(vu: Vu, data: Data, tags?: Record<string, string>) {
  const s = await session(vu, data);
  await s.callTool('echo', { message: 'hi' }, tags ? { tags } : undefined);
}

/** Ramp and hold: one session per VU, a call every PACE seconds, tagged with the phase it falls in. */
let heldStart = 0;
export async function held(vu: Vu, data: Data) {
  const now = Date.now();
  heldStart ||= now;
  vu.state.next ??= now + Math.random() * PACE * 1000; // spread the sessions over the first period
  if (vu.state.next > now) await new Promise((r) => setTimeout(r, vu.state.next! - now));
  vu.state.next! += PACE * 1000;
  await call(vu, data, { phase: Date.now() - heldStart < RAMP_S * 1000 ? 'ramp' : 'hold' });
}

/** Calls during the fault are tagged `fault`, the ones after it (plus a second to settle) `recovery`. */
let failStart = 0;
export async function failure(vu: Vu, data: Data) {
  failStart ||= Date.now();
  await call(vu, data, { phase: Date.now() - failStart < FAULT_MS + 1000 ? 'fault' : 'recovery' });
}

export async function injectFault(_vu: unknown, data: Data) {
  if (data.faultUrl) await http.post(`${data.faultUrl}?ms=${FAULT_MS}`);
}

// ---- the built-in target: a lean stateful MCP server (JSON answers) on worker 0, setup() to teardown().
let server: Server | undefined;

export async function setup(): Promise<Data> {
  if (process.env.TARGET) return { target: process.env.TARGET };
  const sessions = new Set<string>();
  let next = 0;
  let faultUntil = 0;
  server = createServer((req, res) => {
    const send = (status: number, body?: unknown, sid?: string) => {
      const text = body === undefined ? '' : JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json', ...(sid ? { 'mcp-session-id': sid } : {}) }).end(text);
    };
    if (req.url?.startsWith('/fault')) {
      faultUntil = Date.now() + Number(new URL(req.url, 'http://x').searchParams.get('ms') ?? 1000);
      return send(200, {});
    }
    const sid = req.headers['mcp-session-id'] as string | undefined;
    if (req.method === 'DELETE') return send(sid && sessions.delete(sid) ? 200 : 404);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const msg = JSON.parse(Buffer.concat(chunks).toString() || '{}');
      if (msg.method === 'initialize') {
        const id = `s${++next}`;
        sessions.add(id);
        return send(200, { jsonrpc: '2.0', id: msg.id, result: { protocolVersion: msg.params.protocolVersion, capabilities: { tools: {} }, serverInfo: { name: 'lean', version: '1' } } }, id);
      }
      if (!sid || !sessions.has(sid)) return send(404);
      if (msg.id === undefined) return send(202);
      if (Date.now() < faultUntil) return send(503);
      send(200, { jsonrpc: '2.0', id: msg.id, result: { content: [{ type: 'text', text: msg.params?.arguments?.message ?? '' }] } });
    });
  });
  server.keepAliveTimeout = 120_000;
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return { target: `${base}/mcp`, faultUrl: `${base}/fault` };
}

export async function teardown() {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
}
