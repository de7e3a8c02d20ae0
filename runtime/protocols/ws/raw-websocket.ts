/**
 * A minimal RFC 6455 client on a raw `net.Socket` (ws://) or `tls` socket (wss://): what one idle
 * VU of the 100K-connection stress plan holds, so it is built to be small and cheap.
 *
 * - Opening handshake written as one string (handshake.ts), 101 response parsed here; no
 *   `http.request`, no IncomingMessage.
 * - Plain sockets read through `onread` into one buffer shared by every socket of the worker: no
 *   Buffer per read and no readable-stream queue. Whatever outlives a read callback (a partial
 *   frame, a binary message, fragments) is copied out of it.
 * - Per socket: this object and the socket; no closures (the socket's listeners are shared
 *   functions that find this object through a symbol), no timer of its own (close timeouts share
 *   one, deadlines.ts).
 * - Frames: text, binary, fragmented messages (continuation), ping with automatic pong, pong, close
 *   handshake with code and reason, a maximum message size; client frames masked (§5.3).
 * - Errors behave as the `ws` package's: a protocol violation is an 'error' with its `WS_ERR_*`
 *   code, a close frame with the matching status, then a close (1006); a network error after
 *   the handshake is no 'error', only a close with 1006.
 *
 * No extensions: permessage-deflate goes through the `ws` package (ws-package-connection.ts).
 */
import { isUtf8 } from 'node:buffer';
import { connect as netConnect, type NetConnectOpts, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { sharedReadBuffer } from '../read-buffer.js';
import { Deadlines } from './deadlines.js';
import { encodeClose, encodeFrame, isValidCloseCode, Op } from './frames.js';
import { HandshakeError, checkUpgradeResponse, newKey, requestTail, upgradeRequest, type UpgradeTarget } from './handshake.js';
import { WsProtocolError } from './errors.js';
import { ProtocolError, UNKNOWN_CODE } from '../../errors.js';

/** What a connection reports to (the session). */
export interface WsHandler {
  handleOpen(): void;
  handleError(err: Error): void;
  handleClose(code: number, reason: string): void;
  /** A text message as a string, a binary one as a Buffer the receiver owns. */
  handleMessage(data: string | Buffer, isBinary: boolean): void;
  handlePong(): void;
}

/** What the session drives: this client, or the `ws` package for permessage-deflate. */
export interface WsConnection {
  readonly url: string;
  /** The subprotocol the server chose ('' when none). */
  readonly protocol: string;
  /** Open and no close frame sent or received. */
  readonly isOpen: boolean;
  send(data: string | Uint8Array): void;
  ping(): void;
  /**
   * Close handshake; throws a TypeError/RangeError for a code or reason that cannot be sent, as
   * the `ws` package does (the session turns either into an MCPRUN_USAGE error for the script).
   */
  close(code: number, reason: string): void;
  terminate(): void;
  /** Wire bytes so far (handshake included). */
  readonly bytesRead: number;
  readonly bytesWritten: number;
}

export interface RawWsOptions {
  protocols: readonly string[];
  headers: Record<string, string> | undefined;
  localAddress: string | undefined;
  /** wss:// only: verify the server's certificate (false with `insecureSkipTLSVerify`). */
  rejectUnauthorized: boolean;
  closeTimeoutMs: number;
  /** options.targets: the client end of an in-memory connection when host:port is a fault proxy of this worker (ws:// only). */
  dial?: (host: string, port: number, options: { onread: { callback: (n: number, buf: Buffer) => boolean } }) => Socket | undefined;
  /** Largest message accepted (bytes); a bigger one is WS_ERR_UNSUPPORTED_MESSAGE_LENGTH (1009). */
  maxPayload?: number;
}

export const DEFAULT_MAX_PAYLOAD = 100 * 2 ** 20; // as the `ws` package

const kRaw = Symbol('mcprun.ws.raw');
type RawSocket = Socket & { [kRaw]: RawWebSocket };

const MAX_HANDSHAKE_RESPONSE = 16 * 1024;

const enum S {
  Connecting = 0,
  Open = 1,
  Closing = 2,
  Closed = 3,
}

/** Bytes a frame header needs before the payload, from its second byte. */
function headerLength(b1: number): number {
  const l = b1 & 0x7f;
  return (l < 126 ? 2 : l === 126 ? 4 : 10) + (b1 & 0x80 ? 4 : 0);
}

export class RawWebSocket implements WsConnection {
  readonly url: string;
  protocol = '';
  readonly #h: WsHandler;
  readonly #sock: RawSocket;
  #state = S.Connecting;
  /** While connecting: the request (until the socket connects), the key, the offered subprotocols, and response bytes without their end yet. */
  #hs: { request: string | null; key: string; offered: readonly string[]; head: Buffer | null } | null;
  /** An incomplete frame: the whole frame's size once its header is known (#need), else just its first bytes. */
  #part: Buffer | null = null;
  #have = 0;
  #need = 0;
  /** A fragmented message: its data frames so far (copies), first opcode, total size. */
  #frags: Buffer[] | null = null;
  #fragOp = 0;
  #fragLen = 0;
  #maxPayload: number;
  #closeSent = false;
  /** A close frame arrived (or a protocol error): nothing more is read. */
  #rxDone = false;
  #rxCode = 1006;
  #rxReason = '';
  #errored = false;
  #closeTimeoutMs: number;
  /** In the closing queue (the close timeout runs). */
  #closing = false;

  constructor(target: UpgradeTarget, handler: WsHandler, opts: RawWsOptions) {
    this.url = target.url;
    this.#h = handler;
    this.#maxPayload = opts.maxPayload ?? DEFAULT_MAX_PAYLOAD;
    this.#closeTimeoutMs = opts.closeTimeoutMs;
    const key = newKey();
    const request = upgradeRequest(target, key, requestTail(opts.protocols, opts.headers), opts.headers);
    this.#hs = { request, key, offered: opts.protocols, head: null };
    let sock: Socket;
    if (target.secure) {
      sock = tlsConnect({
        host: target.host,
        port: target.port,
        servername: target.servername,
        rejectUnauthorized: opts.rejectUnauthorized,
        localAddress: opts.localAddress,
      } as ConnectionOptions);
      sock.on('data', onTlsData);
      sock.on('secureConnect', onSocketConnect);
    } else if ((sock = opts.dial?.(target.host, target.port, { onread: { callback: (n, buf) => (this.data(buf, n), true) } }) as Socket)) {
      // A fault proxy of this worker (options.targets): in memory, no loopback hop.
    } else {
      sock = netConnect({
        host: target.host,
        port: target.port,
        localAddress: opts.localAddress,
        onread: { buffer: sharedReadBuffer(), callback: onRead },
      } as unknown as NetConnectOpts);
    }
    const raw = sock as RawSocket;
    raw[kRaw] = this;
    raw.on('error', onSocketError);
    raw.on('close', onSocketClose);
    // The request is written on 'connect' by a shared listener: writing before would go through
    // net's pending-write path (two once() wrappers per socket).
    if (!target.secure) raw.on('connect', onSocketConnect);
    raw.setNoDelay(true);
    this.#sock = raw;
  }

  get isOpen(): boolean {
    return this.#state === S.Open;
  }

  get bytesRead(): number {
    return this.#sock.bytesRead;
  }

  get bytesWritten(): number {
    return this.#sock.bytesWritten;
  }

  send(data: string | Uint8Array): void {
    this.#write(encodeFrame(typeof data === 'string' ? Op.Text : Op.Binary, data));
  }

  ping(): void {
    this.#write(encodeFrame(Op.Ping, null));
  }

  close(code: number, reason: string): void {
    if (!Number.isInteger(code) || !isValidCloseCode(code)) {
      throw new TypeError(`sock.close(${code}): not a close code that can be sent; use 1000 (normal), 1001 (going away) or 3000-4999`);
    }
    if (Buffer.byteLength(reason) > 123) throw new RangeError('sock.close(): the reason must not be longer than 123 bytes');
    if (this.#state === S.Connecting) {
      this.terminate();
      return;
    }
    if (this.#state !== S.Open) return;
    this.#state = S.Closing;
    this.#sendClose(code, reason);
    if (this.#rxDone) this.#sock.end();
  }

  terminate(): void {
    if (this.#state === S.Closed) return;
    if (this.#state === S.Connecting && !this.#errored) {
      this.#errored = true;
      this.#h.handleError(new ProtocolError('MCPRUN_WS_CONNECT', 'WebSocket was closed before the connection was established', UNKNOWN_CODE, { noStack: true }));
    }
    this.#state = S.Closing;
    this.#sock.destroy();
  }

  #write(frame: Buffer): void {
    if (!this.#sock.destroyed) this.#sock.write(frame);
  }

  #sendClose(code: number | undefined, reason: string): void {
    this.#closeSent = true;
    this.#write(encodeClose(code, reason));
    if (!this.#closing) {
      this.#closing = true;
      closing.add(this, this.#closeTimeoutMs);
    }
  }

  /* ---- from the socket (through the shared listeners below) ---- */

  /** @internal bytes [0, end) of buf; buf may be the shared read buffer. */
  data(buf: Buffer, end: number): void {
    if (this.#rxDone) return;
    if (this.#state === S.Connecting) this.#handshake(buf, end);
    else this.#frames(buf, 0, end);
  }

  /** @internal the socket connected (TLS: the TLS handshake is done): send the upgrade request. */
  connected(): void {
    const hs = this.#hs;
    if (!hs?.request || this.#state !== S.Connecting) return;
    const request = hs.request;
    hs.request = null;
    this.#sock.write(request, 'latin1');
  }

  /** @internal */
  socketError(err: Error): void {
    // As `ws`: after the handshake a network error only shows as the abnormal close (1006).
    if (this.#state !== S.Connecting || this.#errored) return;
    this.#errored = true;
    this.#h.handleError(err);
  }

  /** @internal */
  socketClosed(): void {
    const wasConnecting = this.#state === S.Connecting;
    this.#state = S.Closed;
    if (this.#closing) {
      this.#closing = false;
      closing.delete(this, this.#closeTimeoutMs);
    }
    this.#part = null;
    this.#frags = null;
    if (wasConnecting && !this.#errored) {
      this.#errored = true;
      this.#h.handleError(new ProtocolError('MCPRUN_NETWORK', 'socket hang up', 'ECONNRESET', { noStack: true }));
    }
    this.#h.handleClose(this.#rxCode, this.#rxReason);
  }

  /** @internal the close timeout ran out: drop the connection. */
  closeTimedOut(): void {
    this.#closing = false;
    this.#sock.destroy();
  }

  #handshake(chunk: Buffer, end: number): void {
    const hs = this.#hs!;
    let buf = chunk;
    if (hs.head) {
      buf = Buffer.concat([hs.head, chunk.subarray(0, end)]);
      end = buf.length;
      hs.head = null;
    }
    const i = buf.indexOf('\r\n\r\n', 0, 'latin1');
    if (i < 0 || i + 4 > end) {
      if (end > MAX_HANDSHAKE_RESPONSE) this.#failHandshake(new HandshakeError('the upgrade response headers are too large', 'ws_handshake'));
      else hs.head = Buffer.from(buf.subarray(0, end));
      return;
    }
    try {
      this.protocol = checkUpgradeResponse(buf.toString('latin1', 0, i), hs.key, hs.offered);
    } catch (err) {
      this.#failHandshake(err as Error);
      return;
    }
    this.#hs = null;
    this.#state = S.Open;
    this.#h.handleOpen();
    if (i + 4 < end && !this.#rxDone && (this.#state as S) !== S.Closed) this.#frames(buf, i + 4, end);
  }

  #failHandshake(err: Error): void {
    this.#errored = true;
    this.#rxDone = true;
    this.#h.handleError(err);
    this.#sock.destroy();
  }

  /** Parses every complete frame in buf[off, end), keeping (a copy of) an incomplete one. */
  #frames(buf: Buffer, off: number, end: number): void {
    if (this.#part) {
      if (this.#need) {
        const n = Math.min(this.#need - this.#have, end - off);
        buf.copy(this.#part, this.#have, off, off + n);
        this.#have += n;
        off += n;
        if (this.#have < this.#need) return;
        const f = this.#part;
        this.#part = null;
        this.#need = this.#have = 0;
        if (!this.#frame(f, 0, f.length)) return;
      } else {
        buf = Buffer.concat([this.#part, buf.subarray(off, end)]);
        this.#part = null;
        off = 0;
        end = buf.length;
      }
    }
    while (off < end) {
      const avail = end - off;
      if (avail < 2 || avail < headerLength(buf[off + 1])) {
        this.#part = Buffer.from(buf.subarray(off, end));
        return;
      }
      const total = this.#check(buf, off);
      if (total < 0) return;
      if (avail < total) {
        const p = Buffer.allocUnsafe(total);
        buf.copy(p, 0, off, end);
        this.#part = p;
        this.#have = avail;
        this.#need = total;
        return;
      }
      if (!this.#frame(buf, off, total)) return;
      off += total;
    }
  }

  /** Validates the header at off (complete); returns the frame's total size, or -1 after a protocol error. */
  #check(buf: Buffer, off: number): number {
    const b0 = buf[off];
    const b1 = buf[off + 1];
    const op = b0 & 0x0f;
    let len = b1 & 0x7f;
    if (len === 126) len = buf.readUInt16BE(off + 2);
    else if (len === 127) {
      const hi = buf.readUInt32BE(off + 2);
      if (hi > 0x1fffff) return this.#violation('Unsupported WebSocket frame: payload length > 2^53 - 1', 'WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH', 1009);
      len = hi * 2 ** 32 + buf.readUInt32BE(off + 6);
    }
    if (b0 & 0x40) return this.#violation('Invalid WebSocket frame: RSV1 must be clear', 'WS_ERR_UNEXPECTED_RSV_1', 1002);
    if (b0 & 0x30) return this.#violation('Invalid WebSocket frame: RSV2 and RSV3 must be clear', 'WS_ERR_UNEXPECTED_RSV_2_3', 1002);
    if (b1 & 0x80) return this.#violation('Invalid WebSocket frame: MASK must be clear', 'WS_ERR_UNEXPECTED_MASK', 1002);
    if (op === Op.Continuation || op === Op.Text || op === Op.Binary) {
      if ((op === Op.Continuation) !== (this.#frags !== null)) return this.#violation(`Invalid WebSocket frame: invalid opcode ${op}`, 'WS_ERR_INVALID_OPCODE', 1002);
      if (len + this.#fragLen > this.#maxPayload) return this.#violation('Max payload size exceeded', 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH', 1009);
    } else if (op === Op.Close || op === Op.Ping || op === Op.Pong) {
      if (!(b0 & 0x80)) return this.#violation('Invalid WebSocket frame: FIN must be set', 'WS_ERR_EXPECTED_FIN', 1002);
      if (len > 125) return this.#violation(`Invalid WebSocket frame: invalid payload length ${len}`, 'WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH', 1002);
    } else return this.#violation(`Invalid WebSocket frame: invalid opcode ${op}`, 'WS_ERR_INVALID_OPCODE', 1002);
    return headerLength(b1) + len;
  }

  /** Handles one complete, validated frame; false when reading must stop. */
  #frame(buf: Buffer, off: number, total: number): boolean {
    const b0 = buf[off];
    const op = b0 & 0x0f;
    const s = off + headerLength(buf[off + 1]);
    const e = off + total;
    if (op === Op.Text || op === Op.Binary || op === Op.Continuation) {
      if (b0 & 0x80 && op !== Op.Continuation) return this.#message(op, buf, s, e);
      if (op !== Op.Continuation) {
        this.#frags = [];
        this.#fragOp = op;
      }
      this.#frags!.push(Buffer.from(buf.subarray(s, e)));
      this.#fragLen += e - s;
      if (!(b0 & 0x80)) return true;
      const whole = Buffer.concat(this.#frags!, this.#fragLen);
      const first = this.#fragOp;
      this.#frags = null;
      this.#fragLen = 0;
      return this.#message(first, whole, 0, whole.length);
    }
    if (op === Op.Ping) {
      if (this.#state === S.Open) this.#write(encodeFrame(Op.Pong, e > s ? buf.subarray(s, e) : null));
      return true;
    }
    if (op === Op.Pong) {
      this.#h.handlePong();
      return !this.#rxDone && this.#state !== S.Closed;
    }
    // Close.
    let code = 1005;
    let reason = '';
    if (e - s === 1) return this.#violation('Invalid WebSocket frame: invalid payload length 1', 'WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH', 1002) > 0;
    if (e - s >= 2) {
      code = buf.readUInt16BE(s);
      if (!isValidCloseCode(code)) return this.#violation(`Invalid WebSocket frame: invalid status code ${code}`, 'WS_ERR_INVALID_CLOSE_CODE', 1002) > 0;
      const r = buf.subarray(s + 2, e);
      if (!isUtf8(r)) return this.#violation('Invalid WebSocket frame: invalid UTF-8 sequence', 'WS_ERR_INVALID_UTF8', 1007) > 0;
      reason = r.toString('utf8');
    }
    this.#rxDone = true;
    this.#rxCode = code;
    this.#rxReason = reason;
    if (this.#closeSent) {
      // Our close answered: the handshake is complete, nothing more to read or write. Closing
      // the descriptor now (FIN) saves the shutdown() and the wait for the server's FIN that
      // end() would cost, which is most of closing 10^5 sockets at once (RFC 6455 §7.1.1: the
      // client MAY close after sending and receiving a Close).
      this.#sock.destroy();
    } else {
      this.#state = S.Closing;
      this.#sendClose(code === 1005 ? undefined : code, '');
      // The server closes TCP first (§7.1.1); our FIN goes with it, as `ws` does.
      this.#sock.end();
    }
    return false;
  }

  #message(op: number, buf: Buffer, s: number, e: number): boolean {
    if (op === Op.Text) {
      const view = buf.subarray(s, e);
      if (!isUtf8(view)) return this.#violation('Invalid WebSocket frame: invalid UTF-8 sequence', 'WS_ERR_INVALID_UTF8', 1007) > 0;
      this.#h.handleMessage(view.toString('utf8'), false);
    } else {
      // A copy: buf may be the shared read buffer.
      const copy = Buffer.allocUnsafeSlow(e - s);
      buf.copy(copy, 0, s, e);
      this.#h.handleMessage(copy, true);
    }
    return !this.#rxDone && this.#state !== S.Closed;
  }

  /** A protocol error: 'error' with the code, a close frame with the status, stop reading, end. Returns -1. */
  #violation(message: string, code: string, status: number): number {
    this.#rxDone = true;
    this.#part = null;
    this.#frags = null;
    if (!this.#errored) {
      this.#errored = true;
      this.#h.handleError(new WsProtocolError(message, code, status));
    }
    if (this.#state === S.Open) {
      this.#state = S.Closing;
      this.#sendClose(status, '');
    }
    this.#sock.end();
    return -1;
  }
}

/* Shared socket listeners: `this` is the socket, which points to its client. */
function onRead(this: RawSocket, n: number, buf: Buffer): void {
  this[kRaw].data(buf, n);
}
function onTlsData(this: RawSocket, chunk: Buffer): void {
  this[kRaw].data(chunk, chunk.length);
}
function onSocketConnect(this: RawSocket): void {
  this[kRaw].connected();
}
function onSocketError(this: RawSocket, err: Error): void {
  this[kRaw].socketError(err);
}
function onSocketClose(this: RawSocket): void {
  this[kRaw].socketClosed();
}

/** The connections waiting for the end of their close handshake. */
const closing = new Deadlines<RawWebSocket>(closeTimedOut);
function closeTimedOut(raw: RawWebSocket): void {
  raw.closeTimedOut();
}
