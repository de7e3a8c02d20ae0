/**
 * The ws API against a real WebSocket server on 127.0.0.1:0: every figure is compared with what
 * the server saw or did.
 */
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ws, WsError, type WebSocketSession } from '../../../dsl/index.js';
import { startWsTestServer, type WsTestServer } from '../../fixtures/ws/ws-test-server.js';
import { testVu } from '../../support/test-vu.js';

let srv: WsTestServer;
beforeAll(async () => {
  srv = await startWsTestServer();
});
afterAll(async () => {
  await srv.close();
});

const until = async (cond: () => boolean, ms = 3000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('echo', () => {
  test('text and binary round trips, with every ws_* and connections_* figure', async () => {
    const vu = testVu();
    const before = srv.connections.length;
    const sock = await vu.run(() => ws.connect(`${srv.url}/echo`, { tags: { name: 'echo' } }));
    expect(sock.readyState).toBe('open');
    sock.send('hello');
    expect(await sock.next({ timeout: '2s' })).toBe('hello');
    sock.send(new Uint8Array([1, 2, 3]));
    const bin = await sock.next();
    expect(bin).toBeInstanceOf(Uint8Array);
    expect([...(bin as Uint8Array)]).toEqual([1, 2, 3]);
    expect(vu.metric('connections_active', { proto: 'ws' }).last).toBe(1);
    await sock.close();
    expect(sock.readyState).toBe('closed');
    expect(sock.closeCode).toBe(1000);
    expect(srv.connections.length).toBe(before + 1);
    await until(() => srv.closes.length > 0 && srv.open === 0);

    expect(vu.metric('ws_sessions').count).toBe(1);
    expect(vu.metric('ws_sessions', { scenario: 'test', name: 'echo', url: `${srv.url}/echo` }).count).toBe(1);
    expect(vu.metric('ws_msgs_sent').count).toBe(2);
    expect(vu.metric('ws_msgs_received').count).toBe(2);
    expect(vu.metric('ws_connecting').count).toBe(1);
    const dur = vu.metric('ws_session_duration');
    expect(dur.count).toBe(1);
    expect(dur.max).toBeGreaterThanOrEqual(vu.metric('ws_connecting').max);
    expect(vu.metric('ws_errors').count).toBe(0);
    expect(vu.metric('connections_opened', { proto: 'ws' }).count).toBe(1);
    expect(vu.metric('connections_active', { proto: 'ws' }).last).toBe(0);
    expect(vu.metric('connections_active', { proto: 'ws' }).max).toBe(1);
    // Exact wire bytes: handshake plus frames, both ways.
    expect(vu.metric('data_sent').count).toBeGreaterThan(100);
    expect(vu.metric('data_received').count).toBeGreaterThan(100);
    // No leftovers: the closed socket removed itself from what the VU owns.
    expect(vu.owned()).toEqual([]);
    await vu.retire();
  });

  test('send() after close throws a WsError with code ws_not_open', async () => {
    const vu = testVu();
    const sock = await vu.run(() => ws.connect(`${srv.url}/echo`));
    await sock.close();
    expect(() => sock.send('x')).toThrow(WsError);
    expect(() => sock.send('x')).toThrow(/closed/);
    await expect(sock.ping()).rejects.toMatchObject({ code: 'ws_not_open' });
  });
});

describe('server-initiated messages', () => {
  test('messages that arrive before next() are queued in order', async () => {
    const vu = testVu();
    const sock = await vu.run(() => ws.connect(`${srv.url}/push?n=3`));
    await until(() => sock.queued === 3);
    expect([await sock.next(), await sock.next(), await sock.next()]).toEqual(['push-1', 'push-2', 'push-3']);
    expect(vu.metric('ws_msgs_received').count).toBe(3);
    await sock.close();
  });

  test("on('message') handlers get every message, in the VU's context", async () => {
    const vu = testVu();
    const got: unknown[] = [];
    let sock!: WebSocketSession;
    await vu.run(async () => {
      sock = await ws.connect(`${srv.url}/push?n=5`);
      sock.on('message', (m: unknown, isBinary: boolean) => got.push([m, isBinary]));
    });
    await until(() => got.length === 5);
    expect(got.map((g) => (g as unknown[])[0])).toEqual(['push-1', 'push-2', 'push-3', 'push-4', 'push-5']);
    expect(got.every((g) => (g as unknown[])[1] === false)).toBe(true);
    expect(sock.queued).toBe(0);
    await sock.close();
  });

  test('a handler that throws is counted in ws_errors{error_code:ws_handler_exception} and does not break the socket', async () => {
    const vu = testVu();
    const sock = await vu.run(() => ws.connect(`${srv.url}/echo`));
    sock.on('message', () => {
      throw new Error('handler bug');
    });
    sock.send('a');
    expect(await sock.next()).toBe('a');
    expect(vu.metric('ws_errors', { error_code: 'ws_handler_exception' }).count).toBe(1);
    expect(sock.readyState).toBe('open');
    await sock.close();
  });
});

describe('closing', () => {
  test('a server close (4001 "bye") reaches on(close) and rejects a pending next(); it is not an error', async () => {
    const vu = testVu();
    const sock = await vu.run(() => ws.connect(`${srv.url}/close?code=4001&reason=bye`));
    const closes: unknown[] = [];
    sock.on('close', (code: number, reason: string) => closes.push([code, reason]));
    const pending = sock.next({ timeout: '5s' });
    sock.send('please close');
    const err = await pending.catch((e) => e);
    expect(err).toBeInstanceOf(WsError);
    expect(err).toMatchObject({ code: 'ws_closed', closeCode: 4001 });
    expect(err.message).toContain('bye');
    expect(closes).toEqual([[4001, 'bye']]);
    expect(sock.closeCode).toBe(4001);
    expect(vu.metric('ws_errors').count).toBe(0);
    expect(vu.metric('ws_session_duration').count).toBe(1);
    expect(vu.metric('connections_active', { proto: 'ws' }).last).toBe(0);
    await sock.close(); // already closed: resolves at once
  });

  test('an abrupt reset (no close frame) is close code 1006 and ws_errors{error_code:ws_abnormal_close}', async () => {
    const vu = testVu();
    const sock = await vu.run(() => ws.connect(`${srv.url}/reset`));
    const pending = sock.next({ timeout: '5s' });
    sock.send('reset me');
    await expect(pending).rejects.toMatchObject({ code: 'ws_closed', closeCode: 1006 });
    expect(sock.readyState).toBe('closed');
    expect(vu.metric('ws_errors', { error_code: 'ws_abnormal_close' }).count).toBe(1);
    expect(vu.metric('connections_active', { proto: 'ws' }).last).toBe(0);
  });

  test('sockets still open when the VU retires are closed (1001) through what the VU owns', async () => {
    const vu = testVu();
    const closesBefore = srv.closes.length;
    await vu.run(async () => {
      vu.ctx.vu.state.a = await ws.connect(`${srv.url}/echo`);
      vu.ctx.vu.state.b = await ws.connect(`${srv.url}/silent`);
      const c = await ws.connect(`${srv.url}/echo`);
      await c.close(); // closed by the script: not closed again
    });
    expect(vu.owned().length).toBe(2); // the two still open, not the one the script closed
    await vu.retire();
    expect(vu.ctx.vu.state.a.readyState).toBe('closed');
    expect(vu.ctx.vu.state.b.readyState).toBe('closed');
    await until(() => srv.closes.length === closesBefore + 3);
    expect(srv.closes.slice(closesBefore).sort()).toEqual([1000, 1001, 1001]);
    expect(vu.metric('connections_active', { proto: 'ws' }).last).toBe(0);
    expect(vu.metric('ws_sessions').count).toBe(3);
  });
});

describe('ping/pong', () => {
  test('ping() resolves with the round trip and records ws_ping; the server saw the pings', async () => {
    const vu = testVu();
    const pings = srv.pings;
    const sock = await vu.run(() => ws.connect(`${srv.url}/silent`));
    const rtts = await Promise.all([sock.ping(), sock.ping(), sock.ping()]);
    for (const r of rtts) {
      expect(r).toBeGreaterThan(0);
      expect(r).toBeLessThan(2000);
    }
    expect(srv.pings - pings).toBe(3);
    const p = vu.metric('ws_ping');
    expect(p.count).toBe(3);
    expect(p.max).toBeCloseTo(Math.max(...rtts), 0);
    await sock.close();
  });
});

describe('subprotocols', () => {
  test('the server picks one of the offered subprotocols', async () => {
    const vu = testVu();
    const sock = await vu.run(() => ws.connect(`${srv.url}/echo`, { subprotocols: ['chat.v1', 'chat.v2'] }));
    expect(sock.protocol).toBe('chat.v2');
    expect(srv.connections.at(-1)!.protocol).toBe('chat.v2');
    await sock.close();
  });

  test('no subprotocol picked when some were required fails ws.connect with ws_subprotocol', async () => {
    const vu = testVu();
    const err = await vu.run(() => ws.connect(`${srv.url}/echo?noproto`, { subprotocols: ['chat.v1'] })).catch((e) => e);
    expect(err).toBeInstanceOf(WsError);
    expect(err.code).toBe('ws_subprotocol');
    expect(vu.metric('connections_failed', { proto: 'ws', error_code: 'ws_subprotocol' }).count).toBe(1);
    expect(vu.metric('ws_sessions').count).toBe(0);
  });

  test('perMessageDeflate: true runs on the ws package and offers the extension', async () => {
    const vu = testVu();
    const sock = await vu.run(() => ws.connect(`${srv.url}/echo`, { perMessageDeflate: true }));
    expect(srv.connections.at(-1)!.headers['sec-websocket-extensions']).toContain('permessage-deflate');
    sock.send('deflate?');
    expect(await sock.next({ timeout: '2s' })).toBe('deflate?');
    await sock.close();
    expect(sock.closeCode).toBe(1000);
    expect(vu.metric('ws_errors').count).toBe(0);
  });

  test('headers reach the server', async () => {
    const vu = testVu();
    const sock = await vu.run(() => ws.connect(`${srv.url}/echo`, { headers: { authorization: 'Bearer t0k3n' } }));
    expect(srv.connections.at(-1)!.headers.authorization).toBe('Bearer t0k3n');
    // permessage-deflate is off unless asked for (it costs zlib state per socket).
    expect(srv.connections.at(-1)!.headers['sec-websocket-extensions']).toBeUndefined();
    await sock.close();
  });
});

describe('timeouts and failures', () => {
  test('next({ timeout }) rejects with ws_next_timeout after about the timeout and the socket stays usable', async () => {
    const vu = testVu();
    const sock = await vu.run(() => ws.connect(`${srv.url}/echo`));
    const t0 = performance.now();
    const err = await sock.next({ timeout: 150 }).catch((e) => e);
    const took = performance.now() - t0;
    expect(err).toMatchObject({ code: 'ws_next_timeout' });
    expect(took).toBeGreaterThanOrEqual(145);
    expect(took).toBeLessThan(1500);
    expect(vu.metric('ws_errors', { error_code: 'ws_next_timeout' }).count).toBe(1);
    sock.send('still here');
    expect(await sock.next({ timeout: '2s' })).toBe('still here');
    await sock.close();
  });

  test('a refused connection rejects with ECONNREFUSED and counts in connections_failed', async () => {
    const port = await new Promise<number>((resolve) => {
      const s: Server = createServer();
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const vu = testVu();
    const err = await vu.run(() => ws.connect(`ws://127.0.0.1:${port}/`)).catch((e) => e);
    expect(err).toBeInstanceOf(WsError);
    expect(err.code).toBe('ECONNREFUSED');
    expect(vu.metric('connections_failed', { proto: 'ws', error_code: 'ECONNREFUSED' }).count).toBe(1);
    expect(vu.metric('ws_errors', { error_code: 'ECONNREFUSED' }).count).toBe(1);
    expect(vu.metric('connections_opened').count).toBe(0);
  });

  test('an upgrade answered with 403 is ws_status_403', async () => {
    const vu = testVu();
    const err = await vu.run(() => ws.connect(`${srv.url}/forbidden`)).catch((e) => e);
    expect(err.code).toBe('ws_status_403');
    expect(vu.metric('connections_failed', { error_code: 'ws_status_403' }).count).toBe(1);
  });

  test('a handshake that never completes times out (ETIMEDOUT) after the connect timeout', async () => {
    const vu = testVu();
    const t0 = performance.now();
    const err = await vu.run(() => ws.connect(`${srv.url}/hang`, { timeout: '200ms' })).catch((e) => e);
    expect(err.code).toBe('ETIMEDOUT');
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(vu.metric('connections_failed', { proto: 'ws', error_code: 'ETIMEDOUT' }).count).toBe(1);
  });

  test('a non-ws URL is a TypeError that says what to use', async () => {
    const vu = testVu();
    await expect(vu.run(() => ws.connect('http://127.0.0.1:1/'))).rejects.toThrow(/expected a ws:\/\/ or wss:\/\/ URL/);
  });
});
