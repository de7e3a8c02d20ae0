/**
 * The HTTP/1.1 client against real servers on 127.0.0.1:0: request framing (bodies, forms,
 * headers), response framing (chunked, HEAD, 1xx, close-delimited), connection reuse and the
 * keep-alive race, and the connection limit per VU.
 */
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { resolveConfig } from '../../../runtime/config/resolve.js';
import { MetricRegistry } from '../../../runtime/metrics/registry.js';
import { WorkerMetricStore } from '../../../runtime/metrics/worker-store.js';
import type { HttpConfig } from '../../../runtime/protocols/http/types.js';
import { HttpEngine, type VuHttp } from '../../../runtime/protocols/http/vu-http.js';
import { startCountingServer, type CountingServer, type Handler } from '../../support/http-server.js';

const TAGS = { scenario: 't' };
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function client(config: Partial<HttpConfig> = {}): VuHttp {
  const engine = new HttpEngine({ timeoutMs: 5000, shareConnections: false, batchPerHost: 6, insecureSkipTLSVerify: false, ...config }, new WorkerMetricStore(new MetricRegistry()));
  const c = engine.client();
  cleanups.push(() => engine.close());
  return c;
}

async function server(handler: Handler): Promise<CountingServer> {
  const s = await startCountingServer(handler);
  cleanups.push(() => s.close());
  return s;
}

/** Echoes what it received as JSON. */
const echo: Handler = (req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') }));
  });
};

describe('request framing', () => {
  test('a string body is sent as UTF-8 with its byte length', async () => {
    const s = await server(echo);
    const res = await client().request('POST', `${s.url}/p?q=1`, 'héllo ✓', { headers: { 'Content-Type': 'text/plain' } }, TAGS, undefined);
    const got = res.json();
    expect(got).toMatchObject({ method: 'POST', url: '/p?q=1', body: 'héllo ✓' });
    expect(got.headers['content-length']).toBe(String(Buffer.byteLength('héllo ✓')));
    expect(got.headers['content-type']).toBe('text/plain');
    expect(got.headers.host).toBe(`127.0.0.1:${s.port}`);
    expect(got.headers['user-agent']).toMatch(/^mcprun\//);
  });

  test('an object body is sent as a form; an empty POST carries content-length 0', async () => {
    const s = await server(echo);
    const c = client();
    const form = (await c.request('POST', s.url, { a: 1, b: 'x y' }, undefined, TAGS, undefined)).json();
    expect(form.body).toBe('a=1&b=x+y');
    expect(form.headers['content-type']).toBe('application/x-www-form-urlencoded');
    const empty = (await c.request('POST', s.url, null, undefined, TAGS, undefined)).json();
    expect(empty.headers['content-length']).toBe('0');
    const get = (await c.request('GET', s.url, null, undefined, TAGS, undefined)).json();
    expect(get.headers['content-length']).toBeUndefined();
  });

  test('script headers replace host and user-agent; framing headers stay ours', async () => {
    const s = await server(echo);
    const res = await client().request('PUT', s.url, 'abc', { headers: { Host: 'example.test', 'User-Agent': 'me', 'Content-Length': '999', 'X-Id': '7' } }, TAGS, undefined);
    const got = res.json();
    expect(got.headers).toMatchObject({ host: 'example.test', 'user-agent': 'me', 'content-length': '3', 'x-id': '7' });
    expect(got.body).toBe('abc');
  });

  test('a header that cannot be sent rejects with a clear TypeError and sends nothing', async () => {
    const s = await server(echo);
    const c = client();
    await expect(c.request('GET', s.url, null, { headers: { 'bad name': 'x' } }, TAGS, undefined)).rejects.toThrow(/invalid HTTP header name "bad name"/);
    await expect(c.request('GET', s.url, null, { headers: { 'x-a': 'a\r\nInjected: 1' } }, TAGS, undefined)).rejects.toThrow(/contains a CR, LF or NUL/);
    expect(s.requests).toHaveLength(0);
  });
});

describe('response framing', () => {
  test('chunked bodies are joined; repeated headers are joined with ", "', async () => {
    const s = await server((_q, res) => {
      res.setHeader('set-cookie', ['a=1', 'b=2']);
      res.write('part one, ');
      setTimeout(() => res.end('part two'), 20);
    });
    const res = await client().request('GET', s.url, null, undefined, TAGS, undefined);
    expect(res.status).toBe(200);
    expect(res.body).toBe('part one, part two');
    expect(res.headers['transfer-encoding']).toBe('chunked');
    expect(res.headers['set-cookie']).toBe('a=1, b=2');
  });

  test('binary bodies stay intact after later responses on the same connection (no view of the read buffer escapes)', async () => {
    let n = 0;
    const s = await server((_q, res) => res.end(Buffer.alloc(64, ++n)));
    const c = client();
    const first = (await c.request('GET', s.url, null, { responseType: 'binary' }, TAGS, undefined)).body as Uint8Array;
    const text = await c.request('GET', s.url, null, undefined, TAGS, undefined);
    const third = (await c.request('GET', s.url, null, { responseType: 'binary' }, TAGS, undefined)).body as Uint8Array;
    expect([...first]).toEqual(Array(64).fill(1));
    expect(text.body).toBe('\u0002'.repeat(64));
    expect([...third]).toEqual(Array(64).fill(3));
    expect(s.totalConnections).toBe(1);
  });

  test('HEAD reads no body and keeps the connection', async () => {
    const s = await server((_q, res) => {
      res.setHeader('content-length', '100');
      res.end();
    });
    const c = client();
    const a = await c.request('HEAD', s.url, null, undefined, TAGS, undefined);
    const b = await c.request('HEAD', s.url, null, undefined, TAGS, undefined);
    expect([a.status, a.body, b.status]).toEqual([200, '', 200]);
    expect(a.headers['content-length']).toBe('100');
    expect(s.totalConnections).toBe(1);
  });

  test('103 Early Hints before the final response are skipped', async () => {
    const s = await server((_q, res) => {
      res.writeEarlyHints({ link: '</style.css>; rel=preload' });
      setTimeout(() => res.end('final'), 10);
    });
    const res = await client().request('GET', s.url, null, undefined, TAGS, undefined);
    expect([res.status, res.body]).toEqual([200, 'final']);
  });

  test('a body delimited by the connection closing; then a new connection', async () => {
    const conns: Socket[] = [];
    const raw = await rawServer((sock) => {
      conns.push(sock);
      sock.once('data', () => sock.end('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil close'));
    });
    const c = client();
    const a = await c.request('GET', raw.url, null, undefined, TAGS, undefined);
    const b = await c.request('GET', raw.url, null, undefined, TAGS, undefined);
    expect([a.status, a.body, a.error_code, b.body]).toEqual([200, 'until close', undefined, 'until close']);
    expect(conns).toHaveLength(2);
  });

  test('Connection: close from the server: every request on a new connection, none failed', async () => {
    const s = await server((_q, res) => {
      res.setHeader('connection', 'close');
      res.end('bye');
    });
    const c = client();
    for (let i = 0; i < 5; i++) expect((await c.request('GET', s.url, null, undefined, TAGS, undefined)).body).toBe('bye');
    expect(s.totalConnections).toBe(5);
  });
});

describe('connections', () => {
  test('a kept-alive connection the server closed as we reused it: an idempotent request is sent again, a POST fails', async () => {
    // The server answers the first request on each connection, then drops the connection without
    // answering the second: what a keep-alive timeout racing our write looks like.
    let accepted = 0;
    const raw = await rawServer((sock) => {
      accepted++;
      let n = 0;
      sock.on('data', () => {
        if (++n === 1) sock.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
        else sock.destroy();
      });
    });
    const c = client();
    expect((await c.request('GET', raw.url, null, undefined, TAGS, undefined)).body).toBe('ok');
    const again = await c.request('GET', raw.url, null, undefined, TAGS, undefined);
    expect([again.status, again.body, again.error_code]).toEqual([200, 'ok', undefined]);
    expect(accepted).toBe(2);
    const post = await c.request('POST', raw.url, 'x', undefined, TAGS, undefined);
    expect([post.status, post.error_code]).toEqual([0, 'ECONNRESET']);
  });

  test('timings: the first request pays connecting, the next reuses the connection', async () => {
    const s = await server((_q, res) => res.end('ok'));
    const c = client();
    const a = await c.request('GET', s.url, null, undefined, TAGS, undefined);
    const b = await c.request('GET', s.url, null, undefined, TAGS, undefined);
    expect(a.timings.connecting).toBeGreaterThan(0);
    expect(b.timings.connecting).toBe(0);
    // Plain HTTP: no TLS time at all, on a new connection or a reused one.
    expect([a.timings.tls_handshaking, b.timings.tls_handshaking]).toEqual([0, 0]);
    for (const t of [a.timings, b.timings]) {
      const parts = t.blocked + t.connecting + t.tls_handshaking + t.sending + t.waiting + t.receiving;
      expect(parts).toBeLessThanOrEqual(t.duration + 0.01);
      expect(parts).toBeGreaterThan(t.duration - 1);
    }
  });

  test('parallel requests of one VU use at most batchPerHost connections', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const s = await server((_q, res) => {
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      setTimeout(() => {
        inFlight--;
        res.end('ok');
      }, 30);
    });
    const c = client({ batchPerHost: 2 });
    const all = await Promise.all(Array.from({ length: 6 }, () => c.request('GET', s.url, null, undefined, TAGS, undefined)));
    expect(all.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(s.maxOpenConnections).toBe(2);
    expect(maxInFlight).toBe(2);
    // The queued ones waited for a connection: that is blocked time, inside their duration.
    expect(Math.max(...all.map((r) => r.timings.blocked))).toBeGreaterThan(20);
  });
});

describe('redirects (as k6: followed, each hop a request of its own)', () => {
  test('302 is followed to the final answer; 0 redirects returns the 3xx', async () => {
    const s = await server((req, res) => {
      if (req.url === '/old') {
        res.writeHead(302, { location: '/new?x=1' });
        return res.end();
      }
      res.end(`at ${req.url}`);
    });
    const c = client();
    const res = await c.request('GET', `${s.url}/old`, null, undefined, TAGS, undefined);
    expect([res.status, res.body, res.url]).toEqual([200, 'at /new?x=1', `${s.url}/new?x=1`]);
    expect(s.requests.map((r) => r.url)).toEqual(['/old', '/new?x=1']);
    const raw = await c.request('GET', `${s.url}/old`, null, { redirects: 0 }, TAGS, undefined);
    expect([raw.status, raw.headers.location]).toEqual([302, '/new?x=1']);
  });

  test('303 (and 301/302 after POST) continue with GET and no body; 307 repeats the method and body', async () => {
    const s = await server((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const m = /^\/(\d{3})$/.exec(req.url ?? '');
        if (m) {
          res.writeHead(Number(m[1]), { location: '/done' });
          return res.end();
        }
        res.end(JSON.stringify({ method: req.method, body: Buffer.concat(chunks).toString(), type: req.headers['content-type'] ?? null }));
      });
    });
    const c = client();
    const params = { headers: { 'content-type': 'text/plain' } };
    for (const [code, method, body] of [['303', 'GET', ''], ['302', 'GET', ''], ['301', 'GET', ''], ['307', 'POST', 'payload'], ['308', 'POST', 'payload']]) {
      const res = await c.request('POST', `${s.url}/${code}`, 'payload', params, TAGS, undefined);
      expect(res.json(), `after ${code}`).toEqual({ method, body, type: method === 'GET' ? null : 'text/plain' });
    }
  });

  test('a redirect to another origin drops Authorization and Cookie', async () => {
    const b = await server(echo);
    const a = await server((_q, res) => {
      res.writeHead(307, { location: `${b.url}/there` });
      res.end();
    });
    const res = await client().request('GET', a.url, null, { headers: { Authorization: 'Bearer x', Cookie: 'k=v', 'X-Keep': '1' } }, TAGS, undefined);
    const got = res.json();
    expect(got.url).toBe('/there');
    expect(got.headers.authorization).toBeUndefined();
    expect(got.headers.cookie).toBeUndefined();
    expect(got.headers['x-keep']).toBe('1');
  });

  test('a redirect loop stops after the limit with the last 3xx (the server saw every hop)', async () => {
    const s = await server((_q, res) => {
      res.writeHead(302, { location: '/loop' });
      res.end();
    });
    const engine = new HttpEngine({ timeoutMs: 5000, shareConnections: false, batchPerHost: 6, insecureSkipTLSVerify: false, maxRedirects: 3 }, new WorkerMetricStore(new MetricRegistry()));
    cleanups.push(() => engine.close());
    const res = await engine.client().request('GET', `${s.url}/loop`, null, undefined, TAGS, undefined);
    expect(res.status).toBe(302);
    expect(s.requests).toHaveLength(4);
  });
});

test('options.http.maxRedirects: 10 by default, a whole number >= 0 or a clear error', () => {
  expect(resolveConfig({}).http.maxRedirects).toBe(10);
  expect(resolveConfig({ http: { maxRedirects: 0 } }).http.maxRedirects).toBe(0);
  expect(() => resolveConfig({ http: { maxRedirects: -1 } })).toThrow(/options\.http\.maxRedirects[\s\S]*must be a whole number >= 0/);
});

async function rawServer(onConnection: (sock: Socket) => void): Promise<{ url: string }> {
  const sockets = new Set<Socket>();
  const srv: Server = createNetServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => {});
    onConnection(sock);
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        srv.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(srv.address() as { port: number }).port}/` };
}
