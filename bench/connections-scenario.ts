// The scenario bench/connections.mjs runs (also usable on its own):
//   ramp to N idle WebSocket VUs at RATE new connections/s, hold HOLD_S seconds, ping every socket
//   once, then close them all at the same moment.
// One iteration per VU (constant-arrival-rate: N iterations spread evenly over N/RATE seconds,
// one new VU each, so the ramp is open-model at exactly RATE/s; an iteration that starts late is
// visible in iteration_lag). The phases after the ramp are per-worker barriers on shared promises,
// so an idle VU holds its socket and one pending promise, and no timer:
//   hold   starts when every connection of this worker is settled (open or failed) — with WORKERS
//          given, each worker knows its share; without, when the ramp's time is over;
//   ping   when the hold is over (every socket once, in parallel);
//   close  when every ping of this worker is settled and the ping window (PING_WINDOW_S, also the
//          ping timeout) is over, so that closing does not compete with the pings of other workers
//          for the CPU: all sockets close at the same moment, and bench_close_ms (per VU, ms from
//          that moment to its close) has the time to close all as max.
// At most MAX_HANDSHAKES handshakes are in flight per worker (default 256, as the reference
// ws-client.js): when the machine cannot open RATE/s, iterations wait for a slot (bench_slot_wait_ms)
// instead of piling up handshakes until they time out, and the achieved rate is what is reported.
//
//   mcprun bench/connections-scenario.ts --workers 6 --pool processes --local-ips 127.0.0.2-127.0.0.33 \
//     -e TARGETS=ws://127.0.0.1:9000,ws://127.0.0.1:9001 -e N=100000 -e RATE=5000 -e WORKERS=6
import { defineScenario, Trend, ws, type WebSocketSession } from 'mcprun';

const N = Number(process.env.N ?? 2000);
const RATE = Number(process.env.RATE ?? 1000);
const HOLD_MS = Number(process.env.HOLD_S ?? 3) * 1000;
const PING_TIMEOUT_MS = Number(process.env.PING_WINDOW_S ?? 10) * 1000;
const WORKERS = Number(process.env.WORKERS ?? 0);
const TARGETS = (process.env.TARGETS ?? 'ws://127.0.0.1:9000').split(',');
const RAMP_MS = Math.max(1, Math.round((N / RATE) * 1000));
const MAX_HANDSHAKES = Number(process.env.MAX_HANDSHAKES ?? 256);

/** Per VU: when its close() completed, ms after its worker's common close moment. */
const closeDone = new Trend('bench_close_ms', true);
/** Per worker: from its first connection attempt until all of its connections were settled. */
const rampDone = new Trend('bench_ramp_ms', true);
/** Per VU: how long its iteration waited for a handshake slot (0 while the machine keeps up). */
const slotWait = new Trend('bench_slot_wait_ms', true);

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
  if (next) next(); // the slot passes on: `handshakes` stays the same
  else handshakes--;
}

export const options = defineScenario({
  scenarios: {
    connections: {
      executor: 'constant-arrival-rate',
      // N iterations over exactly RAMP_MS: k * RAMP_MS / N < RAMP_MS for k = 0..N-1.
      rate: N,
      timeUnit: `${RAMP_MS}ms`,
      duration: `${RAMP_MS}ms`,
      preAllocatedVUs: Math.min(N, 100),
      maxVUs: N,
      gracefulStop: `${HOLD_MS + PING_TIMEOUT_MS + 300_000}ms`,
    },
  },
  thresholds: {
    ws_sessions: [`count==${N}`],
    ws_ping: [`count==${N}`],
  },
});

/** A promise that resolves when `open()` is called; one per worker and phase. */
function barrier(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}

let t0 = 0;
let share = Infinity;
let settled = 0;
let opened = 0;
let pinged = 0;
let closeAt = 0;
const allConnected = barrier();
const allPinged = barrier();
let holdOver: Promise<void> | undefined;

function connectSettled(ok: boolean): void {
  settled++;
  if (ok) opened++;
  if (settled === share) {
    rampDone.add(Date.now() - t0);
    allConnected.open();
  }
}
let pingWindowOver = false;
function pingSettled(): void {
  if (++pinged === opened && pingWindowOver) closeNow();
}
function closeNow(): void {
  closeAt = Date.now();
  allPinged.open();
}

export default async function (vu: { id: number }) {
  // Kept short on purpose: while a VU is idle, this frame (its registers) is what it parks; the
  // helpers it awaited are finished by then.
  const sock = await open(vu);
  await holdOver;
  await ping(sock);
  await allPinged.promise;
  await close(sock);
}

async function open(vu: { id: number }): Promise<WebSocketSession> {
  if (!t0) start(vu);
  const t = Date.now();
  const wait = acquire();
  if (wait) await wait;
  slotWait.add(Date.now() - t);
  let sock;
  try {
    sock = await ws.connect(TARGETS[vu.id % TARGETS.length], { timeout: '60s' });
  } catch (err) {
    connectSettled(false);
    throw err;
  } finally {
    release();
  }
  connectSettled(true);
  return sock;
}

function start(vu: { id: number }): void {
  t0 = Date.now();
  // This worker's index among WORKERS is (vu.id - 1) % WORKERS (arrival-rate VU ids interleave).
  const w = WORKERS ? (vu.id - 1) % WORKERS : 0;
  share = WORKERS ? Math.floor((N - 1 - w) / WORKERS) + 1 : Infinity;
  if (!WORKERS) setTimeout(() => ((share = settled), rampDone.add(Date.now() - t0), allConnected.open()), RAMP_MS + 5000);
  holdOver = allConnected.promise.then(() => new Promise<void>((r) => setTimeout(r, HOLD_MS)));
  void holdOver.then(() =>
    setTimeout(() => {
      pingWindowOver = true;
      if (pinged === opened) closeNow();
    }, PING_TIMEOUT_MS),
  );
}

async function ping(sock: WebSocketSession): Promise<void> {
  try {
    await sock.ping({ timeout: PING_TIMEOUT_MS });
  } finally {
    pingSettled();
  }
}

async function close(sock: WebSocketSession): Promise<void> {
  await sock.close();
  closeDone.add(Date.now() - closeAt);
}
