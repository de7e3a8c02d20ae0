/**
 * The fallback connection on the `ws` package, used only when a session asks for
 * `perMessageDeflate: true` (the raw client has no extensions). Same shape and the same events
 * as RawWebSocket, so the session does not know which one it drives.
 */
import WebSocket from 'ws';
import type { UpgradeTarget } from './handshake.js';
import type { RawWsOptions, WsConnection, WsHandler } from './raw-websocket.js';

const kHandler = Symbol('mcprun.ws.handler');
type Ws = WebSocket & { [kHandler]?: WsHandler; _socket?: { bytesRead: number; bytesWritten: number } | null };

export class WsPackageConnection implements WsConnection {
  readonly url: string;
  readonly #ws: Ws;

  constructor(target: UpgradeTarget, handler: WsHandler, opts: RawWsOptions) {
    this.url = target.url;
    const o: WebSocket.ClientOptions & { closeTimeout: number } = {
      headers: opts.headers,
      perMessageDeflate: true,
      closeTimeout: opts.closeTimeoutMs,
      followRedirects: false,
      rejectUnauthorized: opts.rejectUnauthorized,
    };
    if (opts.maxPayload !== undefined) o.maxPayload = opts.maxPayload;
    if (opts.localAddress) o.localAddress = opts.localAddress;
    const ws = new WebSocket(target.url, opts.protocols.length ? [...opts.protocols] : undefined, o) as Ws;
    ws[kHandler] = handler;
    ws.on('open', onOpen);
    ws.on('error', onError);
    ws.on('close', onClose);
    ws.on('message', onMessage);
    ws.on('pong', onPong);
    this.#ws = ws;
  }

  get protocol(): string {
    return this.#ws.protocol;
  }
  get isOpen(): boolean {
    return this.#ws.readyState === WebSocket.OPEN;
  }
  get bytesRead(): number {
    return this.#ws._socket?.bytesRead ?? 0;
  }
  get bytesWritten(): number {
    return this.#ws._socket?.bytesWritten ?? 0;
  }
  send(data: string | Uint8Array): void {
    this.#ws.send(data);
  }
  ping(): void {
    this.#ws.ping();
  }
  close(code: number, reason: string): void {
    this.#ws.close(code, reason);
  }
  terminate(): void {
    this.#ws.terminate();
  }
}

function onOpen(this: Ws): void {
  this[kHandler]!.handleOpen();
}
function onError(this: Ws, err: Error): void {
  this[kHandler]!.handleError(err);
}
function onClose(this: Ws, code: number, reason: Buffer): void {
  this[kHandler]!.handleClose(code, reason.length ? reason.toString() : '');
}
function onMessage(this: Ws, data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): void {
  const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
  this[kHandler]!.handleMessage(isBinary ? buf : buf.toString('utf8'), isBinary);
}
function onPong(this: Ws): void {
  this[kHandler]!.handlePong();
}
