/**
 * WebSocket echo: each VU opens one socket on its first iteration and keeps it in `vu.state`; every
 * iteration sends a message and waits for the echo (a custom Trend times the round trip), and
 * every 5th iteration also pings. Sockets still open when the test ends are closed for you.
 *
 *   npx mcprun examples/ws-echo.ts                          # against an echo server started in setup()
 *   npx mcprun examples/ws-echo.ts -e TARGET=ws://127.0.0.1:8080/echo -e VUS=200 -e DURATION=1m
 *
 * Metrics: ws_sessions, ws_connecting, ws_session_duration, ws_msgs_sent, ws_msgs_received,
 * ws_ping, ws_errors{error_code}, and connections_active / connections_opened / connections_failed
 * tagged proto:ws.
 */
import { WebSocketServer } from 'ws';
import { check, defineScenario, sleep, Trend, ws, type Duration, type VU, type WebSocketSession } from 'mcprun';

export const options = defineScenario({
  scenarios: {
    chat: { executor: 'constant-vus', vus: Number(process.env.VUS ?? 20), duration: (process.env.DURATION ?? '10s') as Duration },
  },
  thresholds: {
    checks: ['rate==1'],
    echo_rtt: ['p95<100ms'],
    ws_connecting: ['p95<500ms'],
    ws_ping: ['p95<100ms'],
    // One socket per VU, reused: as many sessions as VUs, no reconnects.
    ws_sessions: [`count==${Number(process.env.VUS ?? 20)}`],
  },
});

const echoRtt = new Trend('echo_rtt', true);

// setup() runs once, on worker 0; the echo server lives there until teardown().
let server: WebSocketServer | undefined;

export async function setup() {
  if (process.env.TARGET) return { target: process.env.TARGET };
  server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  server.on('connection', (sock) => sock.on('message', (data, isBinary) => sock.send(data, { binary: isBinary })));
  await new Promise((resolve) => server!.once('listening', resolve));
  return { target: `ws://127.0.0.1:${(server.address() as { port: number }).port}/echo` };
}

export default async function (vu: VU & { state: { sock?: WebSocketSession } }, data: { target: string }) {
  if (!vu.state.sock) {
    vu.state.sock = await ws.connect(data.target, { timeout: '5s', tags: { name: 'echo' } });
  }
  const sock = vu.state.sock;
  const text = JSON.stringify({ vu: vu.id, n: vu.iteration });
  const t0 = performance.now();
  sock.send(text);
  const reply = await sock.next({ timeout: '5s' });
  echoRtt.add(performance.now() - t0);
  check(reply, { 'echo is identical': (r) => r === text });
  if (vu.iteration % 5 === 0) await sock.ping({ timeout: '5s' });
  await sleep(0.1);
}

export async function teardown() {
  if (!server) return;
  for (const c of server.clients) c.terminate();
  await new Promise((resolve) => server!.close(resolve));
}
