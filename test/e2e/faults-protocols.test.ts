/**
 * options.targets and options.faults through real `mcprun` runs (issue 15's "Done means"): each
 * fault against a real server on 127.0.0.1 that counts what reaches it, the truth the figures are
 * held against. The load is a constant arrival rate (test/fixtures/faults/faulted.ts), so the
 * number of requests in a fault's window is known; target('api') is the proxy of each worker.
 * This file: WebSocket and MCP sessions through the proxy (a latency fault each call must wait).
 */
import { describe, expect, test } from 'vitest';
import { env } from '../support/faults.js';
import { runCli } from '../support/run-cli.js';
import { readSummary, summaryPath } from '../support/summary.js';
import { WebSocketServer } from 'ws';
import { startTcpServer, startWsServer } from '../fixtures/mcp/socket-servers.mjs';

describe('WebSocket and MCP through the proxy', () => {
  const LATENCY = 150;

  test('ws.connect(target()): the handshake and each echo are held by the latency fault, every session reaches the server', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    let connections = 0;
    wss.on('connection', (sock) => {
      connections++;
      sock.on('message', (d, binary) => sock.send(d, { binary }));
    });
    await new Promise((r) => wss.once('listening', r));
    const out = summaryPath('mcprun-faults-');
    try {
      const port = (wss.address() as { port: number }).port;
      const r = await runCli(['test/fixtures/faults/protocols.ts', '--quiet', '--summary-export', out, ...env({ UPSTREAM: `ws://127.0.0.1:${port}`, LATENCY: `${LATENCY}ms` })]);
      expect(r.code, r.stderr).toBe(0);
      const s = readSummary(out);
      expect(connections).toBe(5);
      expect(s.metrics.ws_sessions.values.count).toBe(5);
      expect(s.metrics.ws_connecting.values.min).toBeGreaterThanOrEqual(LATENCY - 1);
      // On until the load ended: nothing to recover after, so no verdict either way.
      expect(s.mcprun.faults[0].recovery.state).toBe('not-applicable');
      expect(s.metrics.round_trip.values.min).toBeGreaterThanOrEqual(LATENCY - 1);
      expect(s.metrics.round_trip.values.med).toBeLessThan(LATENCY + 100);
    } finally {
      for (const c of wss.clients) c.terminate();
      await new Promise((r) => wss.close(r));
    }
  }, 30_000);

  test('mcp.connect(target()) over WebSocket: each call is held by the latency fault, every session reaches the server', async () => {
    const server = await startWsServer();
    const out = summaryPath('mcprun-faults-');
    try {
      const u = new URL(server.url);
      const r = await runCli(['test/fixtures/faults/protocols.ts', '--quiet', '--summary-export', out, ...env({ UPSTREAM: u.origin, MCP_PATH: u.pathname, LATENCY: `${LATENCY}ms` })]);
      expect(r.code, r.stderr).toBe(0);
      const s = readSummary(out);
      expect(server.stats().connections).toBe(5);
      expect(s.metrics.round_trip.values.min).toBeGreaterThanOrEqual(LATENCY - 1);
      expect(s.metrics.mcp_req_failed.values.passes).toBe(0);
    } finally {
      await server.close();
    }
  }, 30_000);

  test('mcp.connect(target()) over TCP: each call is held by the latency fault, every session reaches the server', async () => {
    const server = await startTcpServer({ framing: 'ndjson' });
    const out = summaryPath('mcprun-faults-');
    try {
      const r = await runCli(['test/fixtures/faults/protocols.ts', '--quiet', '--summary-export', out, ...env({ UPSTREAM: server.url, LATENCY: `${LATENCY}ms` })]);
      expect(r.code, r.stderr).toBe(0);
      const s = readSummary(out);
      expect(server.stats().connections).toBe(5);
      expect(s.metrics.mcp_sessions.values.count).toBe(5);
      expect(s.metrics.round_trip.values.min).toBeGreaterThanOrEqual(LATENCY - 1);
      expect(s.metrics.mcp_req_failed.values.passes).toBe(0);
    } finally {
      await server.close();
    }
  }, 30_000);
});
