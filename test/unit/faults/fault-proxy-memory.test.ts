/**
 * Connections to the proxy in memory (openConnection): what mcprun's own clients will use in a
 * worker. A real HTTP client (node:http with the socket handed in) and raw exchanges against
 * real servers on 127.0.0.1:0; the faults act on them as on TCP connections.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Agent, request, type IncomingMessage } from 'node:http';
import { describe, expect, onTestFinished, test } from 'vitest';
import type { FaultProxy } from '../../../runtime/protocols/fault-proxy/proxy.js';
import { MemorySocket } from '../../../runtime/protocols/fault-proxy/memory-socket.js';
import { serverForTest } from '../../support/http-server.js';
import { echoServer, fault, hashServer, proxyFor, until } from '../../fixtures/faults/proxy-harness.js';

/** A keep-alive node:http agent whose connections are the proxy's in-memory ones. */
function agentFor(proxy: FaultProxy, maxSockets = 10): Agent {
  const agent = new Agent({ keepAlive: true, maxSockets });
  (agent as unknown as { createConnection: () => unknown }).createConnection = () => proxy.openConnection();
  onTestFinished(() => agent.destroy());
  return agent;
}

interface Result {
  status: number;
  body: string;
  error?: string;
  ms: number;
  headers: IncomingMessage['headers'];
}

function call(agent: Agent, port: number, path = '/', body?: Buffer): Promise<Result> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, agent, method: body ? 'POST' : 'GET' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString(), ms: performance.now() - t0, headers: res.headers }));
    });
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ status: 0, body: '', error: e.code, ms: performance.now() - t0, headers: {} }));
    req.end(body);
  });
}

describe('in memory, no fault on', () => {
  test('requests and a 4 MiB body pass through; connections are kept alive; nothing touches the listening socket', async () => {
    const server = await hashServer();
    const { proxy, port } = await proxyFor(server.port);
    const agent = agentFor(proxy, 5);
    const all = await Promise.all(Array.from({ length: 200 }, () => call(agent, port)));
    expect(all.every((r) => r.status === 200)).toBe(true);
    expect(server.requests).toHaveLength(200);
    expect(server.totalConnections).toBe(5);
    const big = randomBytes(4 << 20);
    expect((await call(agent, port, '/big', big)).body).toBe(createHash('sha256').update(big).digest('hex'));
  });
});

describe('in memory, with faults', () => {
  test('reset: every request fails with ECONNRESET while on, none reaches the server', async () => {
    const server = await serverForTest();
    const { proxy, port } = await proxyFor(server.port);
    await proxy.setFault(fault('rst', { kind: 'reset', timeoutMs: 0 }, 1, 'upstream'));
    const during = await Promise.all(Array.from({ length: 20 }, () => call(agentFor(proxy), port)));
    expect(during.map((r) => r.error)).toEqual(Array(20).fill('ECONNRESET'));
    expect(server.requests).toHaveLength(0);
    await proxy.clearFault('rst');
    expect((await call(agentFor(proxy), port)).status).toBe(200);
  });

  test('refuse: openConnection fails with ECONNREFUSED, then works again', async () => {
    const server = await serverForTest();
    const { proxy, port } = await proxyFor(server.port);
    await proxy.setFault(fault('down', { kind: 'refuse' }));
    expect((await call(agentFor(proxy), port)).error).toBe('ECONNREFUSED');
    await proxy.clearFault('down');
    expect((await call(agentFor(proxy), port)).status).toBe(200);
  });

  test('latency downstream 150 ms; http-error 10 % ± 3 % of 600 on keep-alive connections', async () => {
    const server = await serverForTest();
    const { proxy, port } = await proxyFor(server.port, { protocol: 'http' });
    await proxy.setFault(fault('slow', { kind: 'latency', latencyMs: 150, jitterMs: 0 }, 1, 'downstream'));
    const slow = await call(agentFor(proxy), port);
    expect(slow.ms).toBeGreaterThanOrEqual(149);
    await proxy.clearFault('slow');
    await proxy.setFault(fault('oops', { kind: 'http-error', status: 503, body: 'x', headers: {} }, 0.1));
    const agent = agentFor(proxy, 6);
    const all = await Promise.all(Array.from({ length: 600 }, () => call(agent, port)));
    const injected = all.filter((r) => r.status === 503 && r.headers['x-mcprun-fault'] === 'oops').length;
    // Binomial(600, 0.1): within 4.5 standard deviations (±33), so a run in ~150,000 fails it.
    expect(Math.abs(injected - 60)).toBeLessThanOrEqual(33);
    // The one request of the latency part, and those the proxy did not answer itself.
    expect(server.requests).toHaveLength(1 + 600 - injected);
    expect(server.totalConnections).toBeLessThanOrEqual(7);
  });

  test('blackhole: no byte reaches the server', async () => {
    const echo = await echoServer();
    const { proxy } = await proxyFor(echo.port);
    await proxy.setFault(fault('cut', { kind: 'blackhole' }));
    const s = proxy.openConnection();
    const got: Buffer[] = [];
    s.on('data', (c: Buffer) => got.push(c));
    const reset = new Promise<NodeJS.ErrnoException>((r) => s.once('error', r));
    s.write('lost');
    await new Promise((r) => setTimeout(r, 200));
    expect(echo.received).toBe(0);
    expect(got).toHaveLength(0);
    await proxy.clearFault('cut');
    // It lost bytes: reset when the partition ends.
    expect((await reset).code).toBe('ECONNRESET');
    expect(await until(() => s.destroyed)).toBe(true);
  });
});

describe('MemorySocket', () => {
  const at = { host: '127.0.0.1', port: 1 };

  test("onread hands chunks to the callback; returning false pauses until resume(); nothing comes before 'connect'", async () => {
    const seen: string[] = [];
    let pause = true;
    const [client, server] = MemorySocket.pair(at, { onread: { callback: (n, buf) => (seen.push(buf.subarray(0, n).toString()), !pause) } });
    let connected = false;
    client.once('connect', () => (connected = true));
    server.write('a');
    server.write('b');
    expect([connected, seen]).toEqual([false, []]);
    await new Promise((r) => setTimeout(r, 5));
    expect(connected).toBe(true);
    expect(seen).toEqual(['a']);
    pause = false;
    client.resume();
    await new Promise((r) => setTimeout(r, 5));
    expect(seen).toEqual(['a', 'b']);
    // Once connected, a chunk reaches the reader inside the writer's write(), as a read would.
    server.write('c');
    expect(seen).toEqual(['a', 'b', 'c']);
    expect([client.bytesRead, server.bytesWritten]).toEqual([3, 3]);
  });

  test('a reader is never called back from within its own write()', async () => {
    const order: string[] = [];
    const [client, server] = MemorySocket.pair(at, { onread: { callback: (_n, buf) => void order.push(`client got ${buf}`) } });
    server.setReader((c) => {
      order.push(`server got ${c}`);
      server.write('answer');
    });
    await new Promise((r) => setTimeout(r, 5));
    client.write('ask');
    order.push('client write returned');
    await Promise.resolve();
    expect(order).toEqual(['server got ask', 'client write returned', 'client got answer']);
  });

  test('half-close, reset, and the idle timeout', async () => {
    const [client, server] = MemorySocket.pair(at, {}, { allowHalfOpen: true });
    const ended = new Promise((r) => server.once('end', r));
    server.resume();
    client.end('bye');
    await ended;
    expect(server.writable).toBe(true);
    const [a, b] = MemorySocket.pair(at);
    const err = new Promise<NodeJS.ErrnoException>((r) => a.once('error', r));
    b.resetAndDestroy();
    expect((await err).code).toBe('ECONNRESET');
    const [c] = MemorySocket.pair(at);
    const t0 = Date.now();
    await new Promise<void>((r) => c.setTimeout(50, () => r()));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(45);
    c.destroy();
  });
});
