/**
 * The fault proxy's HTTP faults (protocol 'http'): answers of its own in the right order on
 * keep-alive and pipelined connections, held responses, and framing that leaves every other
 * byte as it was (chunked, close-delimited, WebSocket after a 101).
 */
import { createHash } from 'node:crypto';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { describe, expect, onTestFinished, test } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { HttpFramer, type MessageInfo } from '../../../runtime/protocols/fault-proxy/http-framer.js';
import { serverForTest } from '../../support/http-server.js';
import { engine, fault, get, load, proxyFor, raw, until } from '../../fixtures/faults/proxy-harness.js';

const ERROR = { kind: 'http-error', status: 503, body: 'injected', headers: {} } as const;

/** Echoes method, URL and body. */
async function echoHttp() {
  return serverForTest((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => res.end(`${req.method} ${req.url} ${Buffer.concat(chunks).toString()}`));
  });
}

/** Splits a response stream into responses (status and body), answering `methods` in order. */
function responses(bytes: Buffer, methods: string[]): Array<{ status: number; body: string; fault?: string }> {
  const out: Array<{ status: number; body: string; fault?: string }> = [];
  let i = 0;
  const framer = new HttpFramer(
    'response',
    {
      head: (b: Buffer, start: number, end: number, info: MessageInfo) => out.push({ status: info.status, body: '', fault: /x-mcprun-fault: (\S+)/.exec(b.toString('latin1', start, end))?.[1] }),
      body: (b: Buffer, start: number, end: number) => (out[out.length - 1].body += b.toString('utf8', start, end)),
      end: () => void i++,
      raw: () => {
        throw new Error('unexpected raw bytes');
      },
    },
    () => methods[i],
  );
  framer.feed(bytes);
  return out;
}

describe('http-error', () => {
  test('rate 0.1 answers 10 % ± 2 % of 5,000 requests itself, on the same keep-alive connections', async () => {
    const server = await serverForTest();
    const { proxy, url } = await proxyFor(server.port, { protocol: 'http' });
    await proxy.setFault(fault('oops', ERROR, 0.1));
    const all = await load(url, 20, 250);
    const injected = all.filter((r) => r.status === 503);
    // Binomial(5000, 0.1): ±2 % (±100) is 4.7 standard deviations, one run in ~400,000 outside it;
    // at 2,000 requests it was 3.
    expect(Math.abs(injected.length - 500)).toBeLessThanOrEqual(100);
    expect(injected.every((r) => r.body === 'injected' && r.headers['x-mcprun-fault'] === 'oops')).toBe(true);
    expect(all.filter((r) => r.status === 200)).toHaveLength(5000 - injected.length);
    expect(server.requests).toHaveLength(5000 - injected.length);
    expect(server.totalConnections).toBe(20);
    expect(proxy.counters().oops.requests).toBe(injected.length);
  });

  test('pipelined requests with Content-Length and chunked bodies are answered in order', async () => {
    const server = await echoHttp();
    // One draw per request: forward, answer, forward, answer, forward.
    const draws = [0.9, 0.0, 0.9, 0.0, 0.9];
    const { proxy, port } = await proxyFor(server.port, { protocol: 'http', random: () => draws.shift() ?? 0.9 });
    await proxy.setFault(fault('oops', ERROR, 0.5));
    const c = await raw(port);
    c.socket.write(
      'POST /1 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nfirst' +
        'POST /2 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nlost\r\n0\r\n\r\n' +
        'POST /3 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nthi\r\n2\r\nrd\r\n0\r\n\r\n' +
        'HEAD /4 HTTP/1.1\r\nHost: x\r\n\r\n' +
        'GET /5 HTTP/1.1\r\nHost: x\r\n\r\n',
    );
    const methods = ['POST', 'POST', 'POST', 'HEAD', 'GET'];
    expect(await until(() => responses(c.received(), methods).length === 5 && c.received().toString().endsWith('/5 '))).toBe(true);
    expect(responses(c.received(), methods)).toEqual([
      { status: 200, body: 'POST /1 first', fault: undefined },
      { status: 503, body: 'injected', fault: 'oops' },
      { status: 200, body: 'POST /3 third', fault: undefined },
      { status: 503, body: '', fault: 'oops' },
      { status: 200, body: 'GET /5 ', fault: undefined },
    ]);
    expect(server.requests.map((r) => r.url)).toEqual(['/1', '/3', '/5']);
    expect(proxy.counters().oops).toMatchObject({ requests: 2 });
    expect(proxy.counters().oops.bytesDropped).toBeGreaterThan(60);
  });

  test('a request waiting for 100 Continue is answered and the connection closed', async () => {
    const server = await echoHttp();
    const { proxy, port } = await proxyFor(server.port, { protocol: 'http' });
    await proxy.setFault(fault('oops', ERROR));
    const c = await raw(port);
    c.socket.write('PUT /big HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 100000\r\n\r\n');
    const end = await c.closed;
    expect(end.ended).toBe(true);
    expect(c.received().toString()).toMatch(/^HTTP\/1\.1 503 Service Unavailable\r\n[\s\S]*connection: close\r\n/);
    expect(server.requests).toHaveLength(0);
  });

  test('needs protocol http', async () => {
    const server = await serverForTest();
    const { proxy } = await proxyFor(server.port);
    await expect(proxy.setFault(fault('oops', ERROR))).rejects.toThrow(/needs a proxy created with protocol 'http'/);
  });
});

describe('http-delay', () => {
  test('holds responses 300 ms; the server gets the request at once', async () => {
    const server = await serverForTest();
    const { proxy, url } = await proxyFor(server.port, { protocol: 'http' });
    await proxy.setFault(fault('late', { kind: 'http-delay', delayMs: 300, jitterMs: 0 }));
    const c = engine().client();
    const durations: number[] = [];
    for (let i = 0; i < 3; i++) {
      const sent = Date.now();
      const res = await get(c, `${url}/${i}`);
      expect(res.status).toBe(200);
      expect(server.requests[i].at - sent).toBeLessThan(50);
      expect(res.timings.duration).toBeGreaterThanOrEqual(299);
      durations.push(res.timings.duration);
    }
    expect(durations.sort((a, b) => a - b)[1]).toBeLessThan(380);
    await proxy.clearFault('late');
    expect((await get(c, url)).timings.duration).toBeLessThan(150);
    expect(proxy.counters().late.requests).toBe(3);
  });
});

describe('framing leaves other bytes alone', () => {
  test('chunked and close-delimited responses arrive intact', async () => {
    const piece = Buffer.alloc(10_000, 'abcdefghij');
    const chunked = await serverForTest((_req, res) => {
      for (let i = 0; i < 10; i++) res.write(piece);
      res.end();
    });
    const { url } = await proxyFor(chunked.port, { protocol: 'http' });
    const c = engine().client();
    for (let i = 0; i < 3; i++) expect((await get(c, url)).body).toBe(piece.toString().repeat(10));

    const untilClose = createNetServer((s) => s.once('data', () => s.end('HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n' + 'z'.repeat(50_000))));
    await new Promise<void>((r) => untilClose.listen(0, '127.0.0.1', r));
    const closing = await proxyFor((untilClose.address() as { port: number }).port, { protocol: 'http' });
    const res = await get(engine().client(), closing.url);
    untilClose.close();
    expect(res.status).toBe(200);
    expect(createHash('sha256').update(res.body as string).digest('hex')).toBe(createHash('sha256').update('z'.repeat(50_000)).digest('hex'));
  });

  test('a WebSocket works through the proxy after its 101, with an HTTP fault on', async () => {
    const wss = new WebSocketServer({ noServer: true });
    const hs = createHttpServer();
    hs.on('upgrade', (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => ws.on('message', (m) => ws.send(m))));
    await new Promise<void>((r) => hs.listen(0, '127.0.0.1', r));
    onTestFinished(() => (wss.close(), void hs.close()));
    // The upgrade request is drawn (and forwarded); every later draw would answer a request itself.
    const draws = [0.9];
    const { proxy, port } = await proxyFor((hs.address() as { port: number }).port, { protocol: 'http', random: () => draws.shift() ?? 0 });
    await proxy.setFault(fault('oops', ERROR, 0.5));
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
    onTestFinished(() => ws.terminate());
    await new Promise((r, j) => (ws.once('open', r), ws.once('error', j)));
    for (let i = 0; i < 20; i++) {
      const echoed = new Promise<string>((r) => ws.once('message', (m) => r(String(m))));
      ws.send(`GET /${i} HTTP/1.1\r\nHost: x\r\n\r\n`);
      expect(await echoed).toBe(`GET /${i} HTTP/1.1\r\nHost: x\r\n\r\n`);
    }
    // Frames after the 101 are not HTTP messages, whatever they contain: none was drawn.
    expect(proxy.counters().oops.requests).toBe(0);
  });
});
