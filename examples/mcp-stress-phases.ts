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
 * With no target mcprun starts a lean MCP server of its own (examples/servers/mcp-lean-target.mjs
 * on PORT, default 18081), and the defaults run the whole plan in about a minute (N=200 sessions):
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
 * The failure is done to the server, not asked of it (docs/faults.md): for FAULT seconds at the
 * start of `failure`, a fault proxy in each worker resets every connection to it, TARGET or the
 * built-in server alike (sessions survive on the server; the calls in flight fail). The service
 * must be healthy again within 2 s of the fault's end (recovery_time).
 */
import { defineScenario, mcp, target, type Duration, type McpSession, type TargetOptions } from 'mcprun';

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
const PORT = env('PORT', '18081');
const url = new URL(process.env.TARGET ?? `http://127.0.0.1:${PORT}/mcp`);
const server: TargetOptions = process.env.TARGET
  ? { upstream: url.origin }
  : { upstream: url.origin, command: ['node', 'servers/mcp-lean-target.mjs'], env: { PORT }, ready: { timeout: '10s' } };

function seconds(d: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(d);
  if (!m) throw new Error(`HOLD=${d}: expected a duration such as 20s or 15m`);
  return Number(m[1]) * { ms: 0.001, s: 1, m: 60, h: 3600 }[m[2] ?? 's']!;
}

export const options = defineScenario({
  targets: { mcp: server },
  faults: {
    outage: { target: 'mcp', kind: 'reset', during: 'failure', duration: `${FAULT_MS / 1000}s` as Duration, recovered: { for: dur('RECOVERED_FOR', '3s') } },
  },
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
    recovery_time: ['max<2s'],
    'mcp_req_duration{scenario:burst}': [`p95<${Number.parseFloat(SLA) * 2}${SLA_UNIT}`],
    'mcp_req_failed{scenario:burst}': ['rate<0.05%'],
    'mcp_req_failed{scenario:cooldown}': ['rate<0.05%'],
  },
});

type Vu = { state: { mcp?: McpSession; next?: number; t0?: number } };

async function session(vu: Vu): Promise<McpSession> {
  return (vu.state.mcp ??= await mcp.connect(`${target('mcp')}${url.pathname}`, { protocolVersion: '2025-11-25', transport: 'streamable-http' }));
}

/** One tool call on the VU's session (baseline, burst, cool-down: one per iteration). */
export async function call(vu: Vu, _data?: unknown, tags?: Record<string, string>) {
  const s = await session(vu);
  await s.callTool('echo', { message: 'hi' }, tags ? { tags } : undefined);
}

/** Ramp and hold: one session per VU, a call every PACE seconds, tagged with the phase it falls in. */
let heldStart = 0;
export async function held(vu: Vu) {
  const now = Date.now();
  heldStart ||= now;
  vu.state.next ??= now + Math.random() * PACE * 1000; // spread the sessions over the first period
  if (vu.state.next > now) await new Promise((r) => setTimeout(r, vu.state.next! - now));
  vu.state.next! += PACE * 1000;
  await call(vu, undefined, { phase: Date.now() - heldStart < RAMP_S * 1000 ? 'ramp' : 'hold' });
}

/** Calls during the fault are tagged `fault`, the ones after it (plus a second to settle) `recovery`. */
let failStart = 0;
export async function failure(vu: Vu) {
  failStart ||= Date.now();
  await call(vu, undefined, { phase: Date.now() - failStart < FAULT_MS + 1000 ? 'fault' : 'recovery' });
}
