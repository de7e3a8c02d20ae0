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
 * still open when the VU retires are closed for it (1001). The types are in
 * runtime/protocols/ws/types.ts (exported by dsl/index.ts).
 */
import type { WebSocketSession, WsConnectParams } from '../runtime/protocols/ws/types.js';
import { connectWs } from '../runtime/protocols/ws/ws-session.js';
import { currentVu, tracked } from '../runtime/worker/vu-context.js';

export { WsError } from '../runtime/protocols/ws/errors.js';

export const ws = {
  /** Opens a WebSocket; resolves once the handshake is done. */
  connect(url: string, params?: WsConnectParams): Promise<WebSocketSession> {
    const ctx = currentVu('ws.connect()');
    return tracked(ctx, 'ws.connect()', connectWs(ctx, url, params));
  },
};
