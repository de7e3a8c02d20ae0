/**
 * WebSocket scenarios end to end: the real CLI against a real ws server on 127.0.0.1:0, whose own
 * counts are the ground truth for the summary's ws_* and connections_* figures.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { startWsTestServer, type WsTestServer } from '../fixtures/ws/ws-test-server.js';
import { runCli } from '../support/run-cli.js';
import { tempDir } from '../support/temp.js';

const servers: WsTestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
async function server() {
  const s = await startWsTestServer();
  servers.push(s);
  return s;
}
const exportPath = () => join(tempDir('mcprun-ws-'), 'summary.json');
const read = (p: string) => JSON.parse(readFileSync(p, 'utf8'));

describe('ws scenarios', () => {
  test('sockets kept in vu.state across iterations; figures match the server; retired VUs close their sockets (1001)', async () => {
    const s = await server();
    const out = exportPath();
    const r = await runCli(['test/fixtures/ws/echo-state.ts', '-e', `TARGET=${s.url}`, '--workers', '2', '--summary-export', out, '--no-progress']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    // 3 VUs x 5 iterations over 3 sockets.
    expect(s.connections.length).toBe(3);
    expect(s.connections.every((c) => c.protocol === 'chat.v2')).toBe(true);
    expect(s.messages).toBe(15);
    expect(s.pings).toBe(15);
    expect(s.open).toBe(0);
    expect(s.closes.sort()).toEqual([1001, 1001, 1001]);
    const m = read(out).metrics;
    expect(m.ws_sessions.values.count).toBe(3);
    expect(m.ws_msgs_sent.values.count).toBe(15);
    expect(m.ws_msgs_received.values.count).toBe(15);
    expect(m.ws_ping.values.count).toBe(15);
    expect(m.ws_connecting.values.count).toBe(3);
    expect(m.ws_session_duration.values.count).toBe(3);
    expect(m.checks.values.passes).toBe(30);
    expect(m.connections_opened.values.count).toBe(3);
    expect(m['connections_opened{proto:ws}'].thresholds['count==3'].ok).toBe(true);
    expect(m.connections_active.values).toMatchObject({ value: 0, max: 3 });
    expect(m.ws_errors).toBeUndefined();
    expect(m.connections_failed).toBeUndefined();
  });

  test('--local-ips spreads the sockets over the given source addresses', async () => {
    const s = await server();
    const r = await runCli(['test/fixtures/ws/echo-state.ts', '-e', `TARGET=${s.url}`, '-e', 'VUS=6', '-e', 'ITERATIONS=1', '--workers', '2', '--local-ips', '127.0.0.2-127.0.0.4', '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const addrs = s.connections.map((c) => c.remoteAddress);
    expect(addrs.length).toBe(6);
    expect(new Set(addrs)).toEqual(new Set(['127.0.0.2', '127.0.0.3', '127.0.0.4']));
  });

  test('a bad --local-ips is exit 104 before any connection', async () => {
    const s = await server();
    const bad = await runCli(['test/fixtures/ws/echo-state.ts', '-e', `TARGET=${s.url}`, '--local-ips', '127.0.0.9-127.0.0.2']);
    expect(bad.code).toBe(104);
    expect(bad.stderr).toContain('invalid --local-ips "127.0.0.9-127.0.0.2": "127.0.0.9-127.0.0.2" ends before it starts');
    const foreign = await runCli(['test/fixtures/ws/echo-state.ts', '-e', `TARGET=${s.url}`, '--local-ips', '192.0.2.7']);
    expect(foreign.code).toBe(104);
    expect(foreign.stderr).toContain('"192.0.2.7" cannot be used as a source address on this machine (EADDRNOTAVAIL)');
    expect(s.connections.length).toBe(0);
  });

  test('examples/ws-echo.ts runs and passes its thresholds', async () => {
    const out = exportPath();
    const r = await runCli(['examples/ws-echo.ts', '-e', 'DURATION=2s', '-e', 'VUS=5', '--summary-export', out, '--no-progress']);
    // Latency SLAs depend on how busy this shared machine is: 99 only for them.
    expect([0, 99], r.stdout + r.stderr).toContain(r.code);
    const s = read(out);
    expect(s.metrics.ws_sessions.values.count).toBe(5);
    expect(s.metrics.ws_msgs_received.values.count).toBe(s.metrics.ws_msgs_sent.values.count);
    expect(s.metrics.ws_msgs_sent.values.count).toBeGreaterThan(20);
    expect(s.metrics.checks.values.fails).toBe(0);
    expect(s.metrics.ws_ping.values.count).toBeGreaterThan(0);
    if (r.code === 99) expect(r.stdout).toMatch(/✗ 'p95</);
  });
});
