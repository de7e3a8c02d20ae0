/**
 * `ws` for scenario authors:
 *
 *   const sock = await ws.connect('ws://127.0.0.1:8080/echo', { subprotocols: ['chat'], tags: { name: 'echo' } });
 *   sock.send('hello');
 *   const reply = await sock.next({ timeout: '5s' });   // string (text) or Uint8Array (binary)
 *   sock.on('message', (msg) => check(msg, { 'is json': (m) => typeof m === 'string' && m.startsWith('{') }));
 *   await sock.ping();                                   // round trip in ws_ping
 *   await sock.close();                                  // 1000 by default
 *
 * `ws.connect` rejects with an error whose `code` is the `error_code` tag (ECONNREFUSED,
 * ws_status_404, ETIMEDOUT, ...). A socket may be kept in `vu.state` across iterations; sockets
 * still open when the VU retires are closed for it (1001).
 */
import { connectWs, type WsConnectParams, type WsSession } from '../runtime/protocols/ws/ws-session.js';
import { currentVu } from '../runtime/worker/vu-context.js';

export type { WsConnectParams, WsMessage, WsData, WaitParams, WsEvent } from '../runtime/protocols/ws/ws-session.js';
export { WsError } from '../runtime/protocols/ws/error-codes.js';
/** An open WebSocket session (what `ws.connect` resolves with). */
export type WebSocketSession = WsSession;

export const ws = {
  /** Opens a WebSocket; resolves once the handshake is done. */
  connect(url: string, params?: WsConnectParams): Promise<WsSession> {
    return connectWs(currentVu('ws.connect()'), url, params);
  },
};
