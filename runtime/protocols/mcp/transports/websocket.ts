/**
 * WebSocket (not a spec transport; erlmcp and the Python SDK serve it): subprotocol `mcp`, one
 * JSON-RPC message per text frame, and several `\n`-joined messages in one frame tolerated.
 *
 * On mcprun's own RFC 6455 client (../../ws/raw-websocket.ts), the one that holds 10^5 WebSocket
 * VUs: this object is its handler (no closures), the connect timeout is a shared deadline, the
 * close handshake's timeout is the client's own shared one, and wire bytes are the socket's
 * counters read as deltas (no per-session socket set).
 */
import { McpError, transportError } from '../errors.js';
import { RawWebSocket, type WsHandler } from '../../ws/raw-websocket.js';
import { HandshakeError, upgradeTarget } from '../../ws/handshake.js';
import { Deadlines } from '../../ws/deadlines.js';
import { USER_AGENT, userHeaderList } from './http-common.js';
import { MessageStreamTransport } from './message-stream.js';
import type { ByteCount, NetOptions, TransportHost } from './types.js';
import type { TokenSource } from '../oauth-client-credentials.js';

const CLOSE_TIMEOUT_MS = 1000;
const PROTOCOLS = ['mcp'];

/** Handshakes that must finish within their connect timeout: one timer per distinct timeout. */
const connecting = new Deadlines<WebSocketTransport>(connectTimedOut);
function connectTimedOut(t: WebSocketTransport): void {
  t.connectTimedOut();
}

interface Settle {
  resolve: () => void;
  reject: (e: McpError) => void;
}

export class WebSocketTransport extends MessageStreamTransport implements WsHandler {
  readonly kind = 'ws' as const;
  #ws: RawWebSocket | undefined;
  /** While connecting: open()'s promise. */
  #settle: Settle | null = null;
  #opened = false;
  #closed = false;
  /** close() waits for the socket's end. */
  #closeWait: (() => void) | null = null;
  #read = 0;
  #written = 0;

  constructor(
    target: string,
    host: TransportHost,
    readonly headers: Record<string, string> | undefined,
    readonly connectTimeoutMs: number,
    readonly net: NetOptions & { rejectUnauthorized: boolean },
    /** OAuth client credentials: read at open(), so each connection's upgrade carries the token current then. */
    readonly auth?: TokenSource,
  ) {
    super(target, host);
  }

  open(): Promise<void> {
    return new Promise((resolve, reject) => {
      const list = userHeaderList(this.headers);
      const headers: Record<string, string> = { 'User-Agent': USER_AGENT };
      for (let i = 0; i < list.length; i += 2) {
        if (list[i] === 'user-agent') delete headers['User-Agent'];
        headers[list[i]] = list[i + 1];
      }
      // connect() made sure of a valid token just before; the user's own Authorization was left out.
      if (this.auth?.authorization) headers.authorization = this.auth.authorization;
      try {
        this.#ws = new RawWebSocket(upgradeTarget(this.target), this, {
          protocols: PROTOCOLS,
          headers,
          localAddress: this.net.sources.next(),
          rejectUnauthorized: this.net.rejectUnauthorized,
          closeTimeoutMs: CLOSE_TIMEOUT_MS,
          dial: this.net.dial,
        });
      } catch (err) {
        reject(transportError(err, `WebSocket ${this.target}`));
        return;
      }
      this.#settle = { resolve, reject };
      connecting.add(this, this.connectTimeoutMs);
    });
  }

  /** @internal */
  connectTimedOut(): void {
    if (!this.#settle) return;
    this.#fail(new McpError('timeout', `WebSocket ${this.target}: no handshake within ${this.connectTimeoutMs} ms`, 'ECONNTIMEOUT'));
    this.#ws?.terminate();
  }

  #fail(e: McpError): void {
    const s = this.#settle;
    if (!s) return;
    this.#settle = null;
    connecting.delete(this, this.connectTimeoutMs);
    this.net.conns.failed(typeof e.code === 'string' ? e.code : e.status ? String(e.status) : undefined);
    s.reject(e);
  }

  handleOpen(): void {
    const s = this.#settle;
    this.#settle = null;
    connecting.delete(this, this.connectTimeoutMs);
    this.#opened = true;
    this.net.conns.opened();
    s?.resolve();
  }

  handleError(err: Error): void {
    if (!this.#settle) return; // after the handshake a broken connection shows as its close
    const m = err instanceof HandshakeError && typeof err.code === 'string' ? /^ws_status_(\d+)$/.exec(err.code) : null;
    if (m) this.#fail(new McpError(m[1] === '401' ? 'auth' : 'http_error', `WebSocket upgrade to ${this.target} was answered HTTP ${m[1]}`, undefined, Number(m[1])));
    else this.#fail(transportError(err, `WebSocket ${this.target}`));
  }

  handleClose(code: number, reason: string): void {
    this.#fail(new McpError('transport_error', `WebSocket ${this.target} closed during the handshake`, 'ECONNRESET'));
    const ws = this.#ws;
    if (ws) {
      // The socket's final counts, for the last takeBytes.
      this.#readTotal = ws.bytesRead;
      this.#writtenTotal = ws.bytesWritten;
    }
    if (this.#opened) {
      this.#opened = false;
      this.net.conns.closed();
      if (!this.#closed) this.lost(new McpError('transport_error', `WebSocket ${this.target} closed (${code}${reason ? ` ${reason}` : ''})`, code === 1000 ? 'ECLOSED' : `WS_${code}`));
    }
    this.gone ??= new McpError('transport_error', 'the session is closed');
    const w = this.#closeWait;
    this.#closeWait = null;
    w?.();
  }

  #readTotal = -1;
  #writtenTotal = -1;

  handleMessage(data: string | Buffer, isBinary: boolean): void {
    if (isBinary) return;
    const text = data as string;
    if (text.indexOf('\n') === -1) this.onFrame(text);
    else for (const line of text.split('\n')) if (line.trim()) this.onFrame(line);
  }

  handlePong(): void {}

  protected write(text: string): boolean {
    const ws = this.#ws;
    if (!ws || !ws.isOpen) return false;
    ws.send(text);
    return true;
  }

  override takeBytes(out: ByteCount): void {
    const ws = this.#ws;
    if (!ws) return;
    const r = this.#readTotal >= 0 ? this.#readTotal : ws.bytesRead;
    const w = this.#writtenTotal >= 0 ? this.#writtenTotal : ws.bytesWritten;
    out.received += r - this.#read;
    out.sent += w - this.#written;
    this.#read = r;
    this.#written = w;
  }

  close(): Promise<void> {
    this.#closed = true;
    this.gone ??= new McpError('transport_error', 'the session is closed');
    const ws = this.#ws;
    if (!ws || this.#readTotal >= 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.#closeWait = resolve;
      if (ws.isOpen) ws.close(1000, '');
      else ws.terminate();
    });
  }
}
