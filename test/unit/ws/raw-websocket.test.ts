/**
 * mcprun's own RFC 6455 client (runtime/protocols/ws/raw-websocket.ts) against real servers on
 * 127.0.0.1:0: the `ws` package's WebSocketServer (a conforming peer), and raw `net` servers that
 * misbehave on purpose (fragments, pings, abrupt close, a bad Sec-WebSocket-Accept, protocol
 * violations, frames split byte by byte).
 */
import { createHash } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createHttpsServer } from 'node:https';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { upgradeTarget } from '../../../runtime/protocols/ws/handshake.js';
import { RawWebSocket, type RawWsOptions, type WsHandler } from '../../../runtime/protocols/ws/raw-websocket.js';
import { selfSignedCert } from '../../fixtures/faults/servers.js';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** Records everything a connection reports, with promises for the interesting moments. */
class Recorder implements WsHandler {
  opened = false;
  errors: Error[] = [];
  messages: Array<string | Buffer> = [];
  pongs = 0;
  close: { code: number; reason: string } | undefined;
  #waiters: Array<{ cond: () => boolean; resolve: () => void }> = [];

  handleOpen(): void {
    this.opened = true;
    this.#check();
  }
  handleError(err: Error): void {
    this.errors.push(err);
    this.#check();
  }
  handleClose(code: number, reason: string): void {
    this.close = { code, reason };
    this.#check();
  }
  handleMessage(data: string | Buffer): void {
    this.messages.push(data);
    this.#check();
  }
  handlePong(): void {
    this.pongs++;
    this.#check();
  }
  until(cond: () => boolean, ms = 5000): Promise<void> {
    if (cond()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('condition not met in time')), ms);
      this.#waiters.push({
        cond,
        resolve: () => {
          clearTimeout(t);
          resolve();
        },
      });
    });
  }
  #check(): void {
    for (const w of this.#waiters.slice()) {
      if (w.cond()) {
        this.#waiters.splice(this.#waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  }
}

const opts = (o: Partial<RawWsOptions> = {}): RawWsOptions => ({
  protocols: [],
  headers: undefined,
  localAddress: undefined,
  rejectUnauthorized: true,
  closeTimeoutMs: 2000,
  ...o,
});

function connect(url: string, o?: Partial<RawWsOptions>): { raw: RawWebSocket; rec: Recorder } {
  const rec = new Recorder();
  const raw = new RawWebSocket(upgradeTarget(url), rec, opts(o));
  return { raw, rec };
}

/** An unmasked server frame. */
function frame(op: number, payload: Buffer | string, { fin = true, rsv = 0, mask = false } = {}): Buffer {
  const p = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const len = p.length;
  const ext = len < 126 ? 0 : len < 65536 ? 2 : 8;
  const b = Buffer.alloc(2 + ext + (mask ? 4 : 0) + len);
  b[0] = (fin ? 0x80 : 0) | rsv | op;
  b[1] = (mask ? 0x80 : 0) | (len < 126 ? len : len < 65536 ? 126 : 127);
  if (ext === 2) b.writeUInt16BE(len, 2);
  if (ext === 8) b.writeBigUInt64BE(BigInt(len), 2);
  p.copy(b, 2 + ext + (mask ? 4 : 0)); // mask key 0: payload unchanged
  return b;
}

/** Unmasks the client frames in buf: [{ op, payload }]. */
function clientFrames(buf: Buffer): Array<{ op: number; fin: boolean; masked: boolean; payload: Buffer }> {
  const out = [];
  let off = 0;
  while (off + 2 <= buf.length) {
    let len = buf[off + 1] & 0x7f;
    let p = off + 2;
    if (len === 126) {
      len = buf.readUInt16BE(p);
      p += 2;
    } else if (len === 127) {
      len = Number(buf.readBigUInt64BE(p));
      p += 8;
    }
    const masked = (buf[off + 1] & 0x80) !== 0;
    const key = masked ? buf.subarray(p, p + 4) : Buffer.alloc(4);
    if (masked) p += 4;
    if (p + len > buf.length) break;
    const payload = Buffer.alloc(len);
    for (let i = 0; i < len; i++) payload[i] = buf[p + i] ^ key[i & 3];
    out.push({ op: buf[off] & 0x0f, fin: (buf[off] & 0x80) !== 0, masked, payload });
    off = p + len;
  }
  return out;
}

interface RawServer {
  url: string;
  /** Bytes each connection sent after its upgrade request. */
  received: Buffer[];
  requests: string[];
  close(): Promise<void>;
}

/**
 * A raw TCP server: reads the upgrade request, lets `answer` reply (default: a correct 101),
 * then hands the socket to `onOpen`.
 */
async function rawServer(onOpen: (sock: Socket, i: number) => void, answer?: (key: string, sock: Socket) => boolean): Promise<RawServer> {
  const sockets = new Set<Socket>();
  const state = { received: [] as Buffer[], requests: [] as string[] };
  const server: Server = createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => {});
    const i = state.received.length;
    state.received.push(Buffer.alloc(0));
    let head = Buffer.alloc(0);
    let upgraded = false;
    sock.on('data', (d: Buffer) => {
      if (upgraded) {
        state.received[i] = Buffer.concat([state.received[i], d]);
        return;
      }
      head = Buffer.concat([head, d]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      upgraded = true;
      const req = head.toString('latin1', 0, end);
      state.requests.push(req);
      state.received[i] = head.subarray(end + 4);
      const key = /sec-websocket-key: *(.+)/i.exec(req)![1].trim();
      if (answer && !answer(key, sock)) return;
      if (!answer) sock.write(upgradeResponse(key));
      onOpen(sock, i);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `ws://127.0.0.1:${port}/raw`,
    ...state,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

function upgradeResponse(key: string, extra = ''): string {
  const accept = createHash('sha1').update(key + GUID).digest('base64');
  return `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n${extra}\r\n`;
}

describe('against the ws package server', () => {
  let wss: WebSocketServer;
  let url: string;
  const seen: Array<{ ws: WebSocket; headers: Record<string, unknown>; protocol: string; remote: string }> = [];
  /** The payloads of the pongs the server received. */
  const pongsSeen: string[] = [];
  beforeAll(async () => {
    wss = new WebSocketServer({
      host: '127.0.0.1',
      port: 0,
      handleProtocols: (p: Set<string>) => (p.has('b.v2') ? 'b.v2' : false),
    });
    await new Promise<void>((r) => wss.on('listening', () => r()));
    url = `ws://127.0.0.1:${(wss.address() as { port: number }).port}`;
    wss.on('connection', (ws, req) => {
      seen.push({ ws, headers: req.headers, protocol: ws.protocol, remote: req.socket.remoteAddress ?? '' });
      ws.on('pong', (data) => pongsSeen.push(data.toString()));
      ws.on('message', (data, isBinary) => {
        const text = isBinary ? '' : data.toString();
        if (text === 'ping me') ws.ping(Buffer.from('p'));
        else if (text === 'close me') ws.close(4001, 'bye');
        else ws.send(data, { binary: isBinary });
      });
    });
  });
  afterAll(async () => {
    for (const s of seen) s.ws.terminate();
    await new Promise((r) => wss.close(r));
  });

  test('text, binary and a 2 MB message round trip; close handshake with code and reason; wire bytes', async () => {
    const { raw, rec } = connect(`${url}/echo?x=1`);
    await rec.until(() => rec.opened);
    expect(raw.isOpen).toBe(true);
    expect(raw.protocol).toBe('');
    raw.send('héllo');
    raw.send(new Uint8Array([0, 1, 2, 255]));
    const big = Buffer.alloc(2 * 1024 * 1024);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 255;
    raw.send(big);
    const bigText = 'x'.repeat(70_000); // over 65,535: the 64-bit length form
    raw.send(bigText);
    await rec.until(() => rec.messages.length === 4);
    expect(rec.messages[0]).toBe('héllo');
    expect([...(rec.messages[1] as Buffer)]).toEqual([0, 1, 2, 255]);
    expect(Buffer.isBuffer(rec.messages[2])).toBe(true);
    expect((rec.messages[2] as Buffer).equals(big)).toBe(true);
    expect(rec.messages[3]).toBe(bigText);
    raw.close(1000, 'done');
    expect(raw.isOpen).toBe(false);
    await rec.until(() => rec.close !== undefined);
    expect(rec.close).toEqual({ code: 1000, reason: 'done' }); // ws echoes the code and reason
    expect(rec.errors).toEqual([]);
    expect(raw.bytesWritten).toBeGreaterThan(big.length + 70_000);
    expect(raw.bytesRead).toBeGreaterThan(big.length + 70_000);
    expect(seen.at(-1)!.headers['sec-websocket-version']).toBe('13');
  });

  test('a server ping is answered with a pong carrying its payload; our ping gets a pong', async () => {
    const { raw, rec } = connect(url);
    await rec.until(() => rec.opened);
    const before = pongsSeen.length;
    raw.send('ping me');
    await new Promise<void>((resolve) => {
      const t = setInterval(() => pongsSeen.length > before && (clearInterval(t), resolve()), 5);
    });
    expect(pongsSeen.slice(before)).toEqual(['p']);
    raw.ping();
    await rec.until(() => rec.pongs === 1);
    expect(rec.pongs).toBe(1);
    raw.close(1000, '');
    await rec.until(() => rec.close !== undefined);
    expect(rec.close?.code).toBe(1000);
  });

  test('a server-initiated close (4001 "bye") is answered and reported with its code and reason', async () => {
    const { raw, rec } = connect(url);
    await rec.until(() => rec.opened);
    raw.send('close me');
    await rec.until(() => rec.close !== undefined);
    expect(rec.close).toEqual({ code: 4001, reason: 'bye' });
    expect(rec.errors).toEqual([]);
  });

  test('subprotocol negotiation, custom headers (Host too) and the source address', async () => {
    const { raw, rec } = connect(`${url}/p`, {
      protocols: ['a.v1', 'b.v2'],
      headers: { authorization: 'Bearer t', 'x-trace': '42', Host: 'example.test:81', Upgrade: 'ignored' },
      localAddress: '127.0.0.2',
    });
    await rec.until(() => rec.opened);
    expect(raw.protocol).toBe('b.v2');
    const s = seen.at(-1)!;
    expect(s.protocol).toBe('b.v2');
    expect(s.headers.authorization).toBe('Bearer t');
    expect(s.headers['x-trace']).toBe('42');
    expect(s.headers.host).toBe('example.test:81');
    expect(s.headers.upgrade).toBe('websocket');
    expect(s.remote).toBe('127.0.0.2');
    raw.terminate();
    await rec.until(() => rec.close !== undefined);
    expect(rec.close!.code).toBe(1006);
  });

  test('credentials in the URL become Basic authorization, unless an Authorization header is given', async () => {
    const withUrl = connect(url.replace('ws://', 'ws://us%40er:p%3Ass@') + '/auth');
    await withUrl.rec.until(() => withUrl.rec.opened);
    expect(seen.at(-1)!.headers.authorization).toBe(`Basic ${Buffer.from('us@er:p:ss').toString('base64')}`);
    withUrl.raw.terminate();
    const own = connect(url.replace('ws://', 'ws://u:p@') + '/auth', { headers: { Authorization: 'Bearer mine' } });
    await own.rec.until(() => own.rec.opened);
    expect(seen.at(-1)!.headers.authorization).toBe('Bearer mine');
    own.raw.terminate();
  });

  test('offered subprotocols that the server does not pick fail the handshake (ws_subprotocol)', async () => {
    const { rec } = connect(url, { protocols: ['zzz'] });
    await rec.until(() => rec.close !== undefined);
    expect(rec.opened).toBe(false);
    expect((rec.errors[0] as Error & { code: string }).code).toBe('ws_subprotocol');
  });
});

describe('against misbehaving raw servers', () => {
  const servers: RawServer[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });
  const serve = async (...a: Parameters<typeof rawServer>) => {
    const s = await rawServer(...a);
    servers.push(s);
    return s;
  };

  test('a fragmented text message with a ping between the fragments, every byte in its own TCP write', async () => {
    const srv = await serve((sock) => {
      const bytes = Buffer.concat([
        frame(0x1, 'frag', { fin: false }),
        frame(0x9, 'hb'),
        frame(0x0, 'men', { fin: false }),
        frame(0x0, 'ted ✓'),
        frame(0x2, Buffer.from([9, 8, 7]), { fin: false }),
        frame(0x0, Buffer.from([6])),
      ]);
      let i = 0;
      const t = setInterval(() => {
        if (i >= bytes.length || sock.destroyed) return clearInterval(t);
        sock.write(bytes.subarray(i, ++i));
      }, 0);
    });
    const { raw, rec } = connect(srv.url);
    await rec.until(() => rec.messages.length === 2);
    expect(rec.messages[0]).toBe('fragmented ✓');
    expect([...(rec.messages[1] as Buffer)]).toEqual([9, 8, 7, 6]);
    await new Promise((r) => setTimeout(r, 50));
    const frames = clientFrames(srv.received[0]);
    expect(frames).toEqual([{ op: 0xa, fin: true, masked: true, payload: Buffer.from('hb') }]);
    raw.terminate();
  });

  test('the 101 response and the first frames in one TCP segment', async () => {
    const srv = await serve(
      () => {},
      (key, sock) => {
        sock.write(Buffer.concat([Buffer.from(upgradeResponse(key)), frame(0x1, 'first'), frame(0x1, 'second')]));
        return false;
      },
    );
    const { raw, rec } = connect(srv.url);
    await rec.until(() => rec.messages.length === 2);
    expect(rec.opened).toBe(true);
    expect(rec.messages).toEqual(['first', 'second']);
    raw.terminate();
  });

  test('an abrupt close after the handshake is a close with 1006 and no error', async () => {
    const srv = await serve((sock) => setTimeout(() => sock.destroy(), 10));
    const { rec } = connect(srv.url);
    await rec.until(() => rec.close !== undefined);
    expect(rec.opened).toBe(true);
    expect(rec.close).toEqual({ code: 1006, reason: '' });
    expect(rec.errors).toEqual([]);
  });

  test('a connection closed during the handshake is ECONNRESET', async () => {
    const srv = await serve(
      () => {},
      (_key, sock) => {
        sock.destroy();
        return false;
      },
    );
    const { rec } = connect(srv.url);
    await rec.until(() => rec.close !== undefined);
    expect(rec.opened).toBe(false);
    expect((rec.errors[0] as Error & { code: string }).code).toBe('ECONNRESET');
  });

  test('a bad Sec-WebSocket-Accept fails the handshake (ws_handshake)', async () => {
    const srv = await serve(
      () => {},
      (_key, sock) => {
        sock.write(upgradeResponse('not-the-key'));
        return false;
      },
    );
    const { rec } = connect(srv.url);
    await rec.until(() => rec.close !== undefined);
    expect(rec.opened).toBe(false);
    expect(rec.errors).toHaveLength(1);
    expect(rec.errors[0].message).toBe('Invalid Sec-WebSocket-Accept header');
    expect((rec.errors[0] as Error & { code: string }).code).toBe('ws_handshake');
  });

  test('a non-101 answer is ws_status_<n>; an extension nobody asked for is ws_handshake', async () => {
    const s403 = await serve(
      () => {},
      (_key, sock) => {
        sock.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
        return false;
      },
    );
    const a = connect(s403.url);
    await a.rec.until(() => a.rec.close !== undefined);
    expect((a.rec.errors[0] as Error & { code: string }).code).toBe('ws_status_403');

    const sExt = await serve(
      () => {},
      (key, sock) => {
        sock.write(upgradeResponse(key, 'Sec-WebSocket-Extensions: permessage-deflate\r\n'));
        return false;
      },
    );
    const b = connect(sExt.url);
    await b.rec.until(() => b.rec.close !== undefined);
    expect((b.rec.errors[0] as Error & { code: string }).code).toBe('ws_handshake');
  });

  test.each([
    ['a masked server frame', frame(0x1, 'x', { mask: true }), 'WS_ERR_UNEXPECTED_MASK', 1002],
    ['RSV1 without an extension', frame(0x1, 'x', { rsv: 0x40 }), 'WS_ERR_UNEXPECTED_RSV_1', 1002],
    ['an unknown opcode', frame(0x3, 'x'), 'WS_ERR_INVALID_OPCODE', 1002],
    ['a continuation with nothing to continue', frame(0x0, 'x'), 'WS_ERR_INVALID_OPCODE', 1002],
    ['a fragmented ping', frame(0x9, 'x', { fin: false }), 'WS_ERR_EXPECTED_FIN', 1002],
    ['invalid UTF-8 in a text message', frame(0x1, Buffer.from([0xc3, 0x28])), 'WS_ERR_INVALID_UTF8', 1007],
    ['a close code that may not be sent', frame(0x8, Buffer.from([0x03, 0xee])), 'WS_ERR_INVALID_CLOSE_CODE', 1002],
    ['a message over the maximum size', frame(0x2, Buffer.alloc(2000)), 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH', 1009],
  ])('%s is a protocol error: error %s, close frame %i, then close 1006', async (_name, bad, code, status) => {
    const srv = await serve((sock) => sock.write(bad));
    const { rec } = connect(srv.url, { maxPayload: 1000 });
    await rec.until(() => rec.close !== undefined);
    expect(rec.opened).toBe(true);
    expect(rec.errors.map((e) => (e as Error & { code: string }).code)).toEqual([code]);
    expect(rec.close!.code).toBe(1006);
    const frames = clientFrames(srv.received.at(-1)!);
    expect(frames.at(-1)!.op).toBe(0x8);
    expect(frames.at(-1)!.payload.readUInt16BE(0)).toBe(status);
  });

  test('close(): invalid codes and long reasons throw before anything is sent', async () => {
    const srv = await serve(() => {});
    const { raw, rec } = connect(srv.url);
    await rec.until(() => rec.opened);
    expect(() => raw.close(1006, '')).toThrow(TypeError);
    expect(() => raw.close(2000, '')).toThrow(TypeError);
    expect(() => raw.close(1000, 'x'.repeat(124))).toThrow(RangeError);
    expect(raw.isOpen).toBe(true);
    raw.close(4000, 'ok');
    await new Promise((r) => setTimeout(r, 30));
    const frames = clientFrames(srv.received.at(-1)!);
    expect(frames.map((f) => [f.op, f.payload.readUInt16BE(0), f.payload.subarray(2).toString()])).toEqual([[0x8, 4000, 'ok']]);
    // The server never answers: the close timeout (2 s here) destroys the socket.
    await rec.until(() => rec.close !== undefined, 5000);
    expect(rec.close!.code).toBe(1006);
  });
});

describe('wss://', () => {
  let server: ReturnType<typeof createHttpsServer>;
  let wss: WebSocketServer;
  let url: string;
  beforeAll(async () => {
    server = createHttpsServer(selfSignedCert());
    wss = new WebSocketServer({ server });
    wss.on('connection', (ws) => ws.on('message', (d, b) => ws.send(d, { binary: b })));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `wss://127.0.0.1:${(server.address() as { port: number }).port}/tls`;
  });
  afterAll(async () => {
    for (const c of wss.clients) c.terminate();
    await new Promise((r) => wss.close(r));
    await new Promise((r) => server.close(r));
  });

  test('a self-signed certificate is refused unless verification is off (insecureSkipTLSVerify)', async () => {
    const a = connect(url);
    await a.rec.until(() => a.rec.close !== undefined);
    expect(a.rec.opened).toBe(false);
    expect((a.rec.errors[0] as Error & { code: string }).code).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');

    const b = connect(url, { rejectUnauthorized: false });
    await b.rec.until(() => b.rec.opened);
    b.raw.send('over tls');
    await b.rec.until(() => b.rec.messages.length === 1);
    expect(b.rec.messages[0]).toBe('over tls');
    b.raw.close(1000, '');
    await b.rec.until(() => b.rec.close !== undefined);
    expect(b.rec.close!.code).toBe(1000);
  });
});
