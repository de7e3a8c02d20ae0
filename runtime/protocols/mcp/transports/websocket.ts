/**
 * WebSocket (not a spec transport; erlmcp and the Python SDK serve it): subprotocol `mcp`, one
 * JSON-RPC message per text frame, and several `\n`-joined messages in one frame tolerated.
 */
import type { Socket } from 'node:net';
import WebSocket from 'ws';
import { McpError, transportError } from '../errors.js';
import { USER_AGENT, userHeaderList } from './http-common.js';
import { MessageStreamTransport } from './message-stream.js';
import type { NetOptions, TransportHost } from './types.js';
import { libraryDelayMs } from '../../../timers.js';

export class WebSocketTransport extends MessageStreamTransport {
  readonly kind = 'ws' as const;
  #ws: WebSocket | undefined;
  #socket: Socket | undefined;

  constructor(
    target: string,
    host: TransportHost,
    readonly headers: Record<string, string> | undefined,
    readonly connectTimeoutMs: number,
    readonly net: NetOptions,
  ) {
    super(target, host);
  }

  open(): Promise<void> {
    const conns = this.net.conns;
    return new Promise((resolve, reject) => {
      const list = userHeaderList(this.headers);
      const headers: Record<string, string> = { 'user-agent': USER_AGENT };
      for (let i = 0; i < list.length; i += 2) headers[list[i]] = list[i + 1];
      let ws: WebSocket;
      try {
        const localAddress = this.net.sources.next();
        ws = new WebSocket(this.target, ['mcp'], { perMessageDeflate: false, headers, handshakeTimeout: libraryDelayMs(this.connectTimeoutMs), ...(localAddress ? { localAddress } : {}) });
      } catch (err) {
        reject(transportError(err, `WebSocket ${this.target}`));
        return;
      }
      this.#ws = ws;
      let opened = false;
      ws.once('open', () => {
        opened = true;
        conns.opened();
        this.#socket = (ws as unknown as { _socket?: Socket })._socket;
        if (this.#socket) this.socketBytes.track(this.#socket);
        resolve();
      });
      ws.once('unexpected-response', (_req, res) => {
        const e = new McpError('http_error', `WebSocket upgrade to ${this.target} was answered HTTP ${res.statusCode}`, undefined, res.statusCode);
        conns.failed(String(res.statusCode));
        opened = true; // the 'error' that follows terminate() is not a second failure
        reject(e);
        ws.terminate();
      });
      ws.on('error', (err) => this.connectionError(transportError(err, `WebSocket ${this.target}`), opened, conns, reject));
      ws.on('message', (data: WebSocket.RawData, isBinary: boolean) => {
        if (isBinary) return;
        const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : data.toString();
        if (text.indexOf('\n') === -1) this.onFrame(text);
        else for (const line of text.split('\n')) if (line.trim()) this.onFrame(line);
      });
      ws.once('close', (code, reason) => {
        if (this.#socket) conns.closed();
        if (opened) this.lost(new McpError('transport_error', `WebSocket ${this.target} closed (${code}${reason.length ? ` ${reason.toString()}` : ''})`, code === 1000 ? 'ECLOSED' : `WS_${code}`));
      });
    });
  }

  protected write(text: string): boolean {
    const ws = this.#ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return false;
    ws.send(text);
    return true;
  }

  close(): Promise<void> {
    const ws = this.#ws;
    return this.closeConnection(
      ws && ws.readyState !== WebSocket.CLOSED ? ws : undefined,
      () => (ws!.readyState === WebSocket.CONNECTING ? ws!.terminate() : ws!.close(1000)),
      () => ws!.terminate(),
    );
  }
}
