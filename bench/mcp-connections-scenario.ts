// The scenario bench/mcp-connections.mjs runs (also usable on its own): ramp to N MCP sessions
// over Streamable HTTP at RATE new sessions/s, hold them HOLD_S seconds with each one calling
// the `echo` tool every PERIOD_S seconds, then close them all at the same moment (DELETE in the
// legacy era).
//
//   ERA=legacy  protocolVersion 2025-11-25: initialize + notifications/initialized, one
//               Mcp-Session-Id per session, DELETE on close
//   ERA=modern  protocolVersion 2026-07-28: stateless, the envelope in _meta, calls over the
//               session's kept-alive connection
//
// One iteration per VU (constant-arrival-rate: N iterations spread evenly over N/RATE seconds,
// so the ramp is open-model at exactly RATE/s; a late start shows in iteration_lag). The phases
// are per-worker barriers on shared promises, and the periodic calls are driven by one timer per
// worker that wakes TICKS groups of sessions in turn (session i calls on tick i % TICKS): a held
// session waits on a shared promise and owns no timer, so what it costs is what mcprun costs.
//   hold   starts when every session of this worker is settled (open or failed), or when the ramp's
//          time is over plus 5 s without WORKERS;
//   calls  every PERIOD_S seconds per session during the hold (bench_calls counts them);
//   close  when the hold is over: all sessions close at the same moment; bench_close_ms (per
//          session, ms from that moment to its close() resolving) has the time to close all as max.
// At most MAX_HANDSHAKES connects are in flight per worker (default 256): when the machine cannot
// open RATE/s, iterations wait for a slot (bench_slot_wait_ms) and the achieved rate is reported.
//
//   mcprun bench/mcp-connections-scenario.ts --workers 6 --pool processes --local-ips 127.0.0.2-127.0.0.33 \
//     -e TARGETS=http://127.0.0.1:9000/mcp,http://127.0.0.1:9001/mcp -e N=100000 -e RATE=3000 -e WORKERS=6
import { Counter, defineScenario, mcp, Trend, type McpSession } from 'mcprun';

const N = Number(process.env.N ?? 2000);
const RATE = Number(process.env.RATE ?? 1000);
const HOLD_MS = Number(process.env.HOLD_S ?? 10) * 1000;
const PERIOD_MS = Number(process.env.PERIOD_S ?? 5) * 1000;
const TICKS = Math.max(1, Number(process.env.TICKS ?? 50));
const WORKERS = Number(process.env.WORKERS ?? 0);
const ERA = process.env.ERA === 'modern' ? 'modern' : 'legacy';
const TARGETS = (process.env.TARGETS ?? 'http://127.0.0.1:9000/mcp').split(',');
const RAMP_MS = Math.max(1, Math.round((N / RATE) * 1000));
const MAX_HANDSHAKES = Number(process.env.MAX_HANDSHAKES ?? 256);
const VERSION = ERA === 'modern' ? '2026-07-28' : '2025-11-25';

const closeDone = new Trend('bench_close_ms', true);
const rampDone = new Trend('bench_ramp_ms', true);
const slotWait = new Trend('bench_slot_wait_ms', true);
const calls = new Counter('bench_calls');
const callFailures = new Counter('bench_call_failures');

let handshakes = 0;
const slotQueue: Array<() => void> = [];
function acquire(): Promise<void> | undefined {
  if (handshakes < MAX_HANDSHAKES) {
    handshakes++;
    return undefined;
  }
  return new Promise<void>((r) => slotQueue.push(r));
}
function release(): void {
  const next = slotQueue.shift();
  if (next) next();
  else handshakes--;
}

export const options = defineScenario({
  scenarios: {
    sessions: {
      executor: 'constant-arrival-rate',
      rate: N,
      timeUnit: `${RAMP_MS}ms`,
      duration: `${RAMP_MS}ms`,
      preAllocatedVUs: Math.min(N, 100),
      maxVUs: N,
      gracefulStop: `${HOLD_MS + 300_000}ms`,
    },
  },
  thresholds: {
    mcp_sessions: [`count==${N}`],
  },
});

interface Barrier {
  promise: Promise<void>;
  open: () => void;
}
function barrier(): Barrier {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}

let t0 = 0;
let share = Infinity;
let settled = 0;
let closeAt = 0;
let holding = false;
let closingAll = false;
const allConnected = barrier();
/** The next wake-up of each tick group (replaced after it fires). */
const ticks: Barrier[] = Array.from({ length: TICKS }, barrier);

function connectSettled(): void {
  if (++settled === share) startHold();
}

function startHold(): void {
  if (holding) return;
  holding = true;
  rampDone.add(Date.now() - t0);
  allConnected.open();
  // One timer per worker: every PERIOD_MS / TICKS it wakes the next group of sessions.
  let k = 0;
  const every = Math.max(1, Math.floor(PERIOD_MS / TICKS));
  const timer = setInterval(() => {
    const g = k++ % TICKS;
    const b = ticks[g];
    ticks[g] = barrier();
    b.open();
  }, every);
  setTimeout(() => {
    clearInterval(timer);
    closeAt = Date.now();
    closingAll = true;
    // Every waiting session wakes up, sees closingAll, and closes.
    for (const b of ticks) b.open();
  }, HOLD_MS);
}

export default async function (vu: { id: number }) {
  const s = await open(vu);
  await allConnected.promise;
  const group = vu.id % TICKS;
  for (;;) {
    await ticks[group].promise;
    if (closingAll) break;
    await call(s);
  }
  await s.close();
  closeDone.add(Date.now() - closeAt);
}

async function call(s: McpSession): Promise<void> {
  const r = await s.callTool('echo', { message: 'hi' });
  calls.add(1);
  if (r.error) callFailures.add(1);
}

async function open(vu: { id: number }): Promise<McpSession> {
  if (!t0) start(vu);
  const t = Date.now();
  const wait = acquire();
  if (wait) await wait;
  slotWait.add(Date.now() - t);
  try {
    const s = await mcp.connect(TARGETS[vu.id % TARGETS.length], { protocolVersion: VERSION, transport: 'streamable-http', timeout: '60s', connectTimeout: '60s' });
    // Stateless: nothing is sent until the first request, which opens the session's kept-alive connection.
    if (ERA === 'modern') await call(s);
    return s;
  } finally {
    release();
    connectSettled();
  }
}

function start(vu: { id: number }): void {
  t0 = Date.now();
  // This worker's index among WORKERS is (vu.id - 1) % WORKERS (arrival-rate VU ids interleave).
  const w = WORKERS ? (vu.id - 1) % WORKERS : 0;
  share = WORKERS ? Math.floor((N - 1 - w) / WORKERS) + 1 : Infinity;
  if (!WORKERS) setTimeout(startHold, RAMP_MS + 5000);
}
