/**
 * One HTTP/1.1 keep-alive connection slot: it opens a TCP (or TLS) socket when it has work,
 * writes one request at a time (no pipelining: a load generator must not let one slow response
 * delay the next request's clock), parses the response with H1Parser, and reconnects when the
 * server closes between requests. Requests that wait for the slot queue here; their clock has
 * started, so the wait shows up as `blocked` time.
 *
 * Why not undici's Client: per request it builds a Request object, validates headers, runs a wasm
 * parser with JS callbacks per header and schedules `_resume` passes; at full speed that was a
 * quarter of a worker's CPU. Here a request is one pre-built buffer (cached per method and URL when
 * the script adds no headers) and one `write`.
 */
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { performance } from 'node:perf_hooks';
import { ProtocolError } from '../../errors.js';
import { sharedReadBuffer } from '../read-buffer.js';
import { H1Parser, type ResponseSink } from './h1-parser.js';

/** Where a slot connects. */
export interface Endpoint {
  readonly tls: boolean;
  readonly hostname: string;
  readonly port: number;
}

/** When the socket a request went out on was opened, if that request opened it. */
export interface ConnectRecord {
  start: number;
  tcpEnd: number;
  end: number;
}

/** One request on the wire, as the slot sees it. */
export interface H1Exchange extends ResponseSink {
  readonly method: string;
  /** Status line and headers, CRLF-terminated (a cached Buffer, or a string sent as latin1). */
  readonly head: Buffer | string;
  readonly body: Uint8Array | undefined;
  /** The script asked for it at this performance.now(). */
  readonly t0: number;
  /** Retried once on a fresh connection after a reused one died before answering (idempotent methods). */
  retried: boolean;
  /** Written to the socket: `conn` is set when this request opened the connection. */
  onWrite(at: number, conn: ConnectRecord | undefined): void;
  /** The last byte of the request left for the kernel. */
  onSent(at: number): void;
  onError(err: Error): void;
  /** A read ended mid-response: body views handed to onBody must be copied now if kept. */
  onReadEnd(): void;
}

/** What the slot tells its owner about sockets (connection metrics, byte counting). */
export interface SlotHooks {
  opened(socket: Socket): void;
  failed(err: Error): void;
}

export interface SlotOptions {
  rejectUnauthorized: boolean;
  /** --local-ips: where each new connection comes from (undefined: the kernel picks). */
  sources: { next(): string | undefined };
}

const kSlot = Symbol('mcprun.h1.slot');
type SlotSocket = Socket & { [kSlot]: H1Slot };

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);

function connectionError(message: string, code: string): Error {
  return new ProtocolError('MCPRUN_NETWORK', message, code, { noStack: true });
}

export class H1Slot implements ResponseSink {
  #socket: Socket | null = null;
  #connected = false;
  #rec: ConnectRecord | null = null;
  /** The socket has carried a complete response (a reused connection may have been closed by the server meanwhile). */
  #reused = false;
  #gotBytes = false;
  #error: Error | null = null;
  readonly #queue: H1Exchange[] = [];
  #current: H1Exchange | null = null;
  readonly #parser = new H1Parser();
  #ended = false;
  #keepAlive = true;
  #waitDrain = false;
  #closing: (() => void) | null = null;
  /** The connect record of the socket being opened (until it connects). */
  #openRec: ConnectRecord | null = null;

  constructor(
    readonly endpoint: Endpoint,
    readonly options: SlotOptions,
    readonly hooks: SlotHooks,
  ) {}

  /** Requests on this slot: the one on the wire plus the queued ones. */
  get inflight(): number {
    return this.#queue.length + (this.#current ? 1 : 0);
  }

  dispatch(ex: H1Exchange): void {
    this.#queue.push(ex);
    if (!this.#current) this.#pump();
  }

  /** Give up on one request (timeout, VU stopped): a request on the wire takes its connection with it. */
  abort(ex: H1Exchange): void {
    if (this.#current === ex) {
      this.#current = null;
      this.#socket?.destroy();
      this.#detach();
      this.#pump();
      return;
    }
    const i = this.#queue.indexOf(ex);
    if (i !== -1) this.#queue.splice(i, 1);
  }

  /** Close the connection once idle (or now, when nothing is in flight). */
  close(): Promise<void> {
    if (!this.#socket) return Promise.resolve();
    if (!this.#current && this.#queue.length === 0) {
      const s = this.#socket;
      return new Promise((resolve) => {
        s.once('close', () => resolve());
        s.end();
        // A peer that never acknowledges our FIN must not hold the run's end.
        setTimeout(() => s.destroy(), 1000).unref();
      });
    }
    return new Promise((resolve) => {
      this.#closing = resolve;
    });
  }

  destroy(): void {
    this.#queue.length = 0;
    this.#current = null;
    this.#socket?.destroy();
    this.#detach();
  }

  #pump(): void {
    if (this.#current || this.#queue.length === 0) {
      if (!this.#current && this.#closing) {
        const done = this.#closing;
        this.#closing = null;
        void this.close().then(done);
      }
      return;
    }
    if (!this.#socket) {
      this.#open();
      return;
    }
    if (!this.#connected) return; // the connect callback pumps
    const ex = this.#queue.shift()!;
    this.#current = ex;
    this.#ended = false;
    this.#gotBytes = false;
    this.#parser.start(this, ex.method);
    const rec = this.#rec && this.#rec.start >= ex.t0 - 0.001 ? this.#rec : undefined;
    this.#rec = null;
    ex.onWrite(performance.now(), rec);
    const s = this.#socket;
    if (ex.body && ex.body.byteLength) {
      s.cork();
      if (typeof ex.head === 'string') s.write(ex.head, 'latin1');
      else s.write(ex.head);
      s.write(ex.body);
      s.uncork();
    } else if (typeof ex.head === 'string') s.write(ex.head, 'latin1');
    else s.write(ex.head);
    if (s.writableLength === 0) ex.onSent(performance.now());
    else this.#waitDrain = true;
  }

  #open(): void {
    const { tls, hostname, port } = this.endpoint;
    const localAddress = this.options.sources.next();
    const rec: ConnectRecord = { start: performance.now(), tcpEnd: 0, end: 0 };
    this.#rec = rec;
    this.#openRec = rec;
    this.#error = null;
    this.#reused = false;
    this.#connected = false;
    let s: Socket;
    // The socket's listeners are shared functions that find this slot through a symbol: a held
    // connection costs no closures (10^5 MCP sessions hold one each).
    if (tls) {
      s = tlsConnect({
        host: hostname,
        port,
        servername: isIP(hostname) ? undefined : hostname,
        rejectUnauthorized: this.options.rejectUnauthorized,
        ALPNProtocols: ['http/1.1'],
        // tls.connect passes socket options through to net; its typings omit them.
        ...({ localAddress } as object),
      });
      s.on('connect', onTcpConnect);
      s.on('secureConnect', onSecureConnect);
      s.on('data', onTlsData);
    } else {
      // Plain TCP reads into one buffer shared by every socket of the thread (`onread`): no
      // allocation per read and no Readable stream machinery; what a response keeps is copied.
      s = netConnect({
        host: hostname,
        port,
        localAddress,
        noDelay: true,
        onread: { buffer: sharedReadBuffer(), callback: onPlainRead },
      });
      s.on('connect', onPlainConnect);
    }
    (s as SlotSocket)[kSlot] = this;
    this.#socket = s;
    s.on('drain', onSocketDrain);
    s.on('error', onSocketError);
    s.on('close', onSocketClose);
  }

  /** @internal the TCP connection is up (TLS: the handshake starts now). */
  tcpConnected(s: Socket): void {
    if (this.#socket === s && this.#openRec) this.#openRec.tcpEnd = performance.now();
  }

  /** @internal the connection is ready for requests. */
  connected(s: Socket): void {
    if (this.#socket !== s) return;
    const rec = this.#openRec;
    this.#openRec = null;
    if (rec) this.#onConnect(s, rec);
  }

  /** @internal */
  data(s: Socket, chunk: Buffer): void {
    this.#onData(s, chunk);
  }

  /** @internal */
  drained(s: Socket): void {
    this.#onDrain(s);
  }

  /** @internal */
  socketError(s: Socket, err: Error): void {
    if (this.#socket === s) this.#error = err;
  }

  /** @internal */
  socketClosed(s: Socket): void {
    this.#onClose(s);
  }

  #onConnect(s: Socket, rec: ConnectRecord): void {
    if (this.#socket !== s) return;
    // Plain TCP: connected means set up (no TLS time, not even the microseconds between two clock reads).
    rec.end = this.endpoint.tls || !rec.tcpEnd ? performance.now() : rec.tcpEnd;
    if (!rec.tcpEnd) rec.tcpEnd = rec.end;
    this.#connected = true;
    if (this.endpoint.tls) s.setNoDelay(true);
    this.hooks.opened(s);
    this.#pump();
  }

  #onDrain(s: Socket): void {
    if (this.#socket !== s || !this.#waitDrain) return;
    this.#waitDrain = false;
    this.#current?.onSent(performance.now());
  }

  #onData(s: Socket, chunk: Buffer): void {
    if (this.#socket !== s) return;
    const ex = this.#current;
    if (!ex) {
      // Bytes nobody asked for (e.g. a 408 before an idle close): this connection is not usable.
      s.destroy();
      this.#detach();
      return;
    }
    this.#gotBytes = true;
    let left: number;
    try {
      left = this.#parser.execute(chunk);
    } catch (err) {
      this.#current = null;
      s.destroy();
      this.#detach();
      ex.onError(err as Error);
      this.#pump();
      return;
    }
    if (!this.#ended) {
      // The response goes on in a later read, which may reuse the read buffer.
      ex.onReadEnd();
      return;
    }
    this.#current = null;
    this.#reused = true;
    if (!this.#keepAlive || left > 0) {
      s.destroy();
      this.#detach();
    }
    ex.onEnd(this.#keepAlive);
    this.#pump();
  }

  // The parser's sink: forwards to the request on the wire, and notes the end for #onData.
  onHead(status: number, statusText: string, headerLines: string): void {
    this.#current?.onHead(status, statusText, headerLines);
  }

  onBody(chunk: Buffer): void {
    this.#current?.onBody(chunk);
  }

  onEnd(keepAlive: boolean): void {
    this.#ended = true;
    this.#keepAlive = keepAlive;
  }

  #onClose(s: Socket): void {
    if (this.#socket !== s) return;
    const wasConnected = this.#connected;
    const reused = this.#reused;
    this.#detach();
    const ex = this.#current;
    this.#current = null;
    if (ex) {
      // A body without framing ends with the connection: that is its normal end.
      if (this.#parser.finish()) ex.onEnd(false);
      else if (reused && !this.#gotBytes && !ex.retried && IDEMPOTENT.has(ex.method)) {
        // The server closed a kept-alive connection as we reused it (its idle timeout raced our
        // write): nothing was processed, so send it again on a new connection, as browsers and Go do.
        ex.retried = true;
        this.#queue.unshift(ex);
      } else {
        ex.onError(this.#error ?? connectionError('socket closed by the server before the response was complete', 'ECONNRESET'));
      }
    } else if (!wasConnected) {
      // The connection could not be opened: every request waiting for it fails with that reason (as undici does).
      const err = this.#error ?? connectionError('connection closed while connecting', 'ECONNRESET');
      this.hooks.failed(err);
      const waiting = this.#queue.splice(0);
      for (const w of waiting) w.onError(err);
    }
    this.#pump();
  }

  #detach(): void {
    this.#socket = null;
    this.#connected = false;
    this.#waitDrain = false;
  }
}

/* Shared socket listeners: `this` is the socket, which points to its slot. */
function onPlainRead(this: SlotSocket, n: number, buf: Uint8Array): boolean {
  this[kSlot].data(this, (buf as Buffer).subarray(0, n));
  return true;
}
function onTlsData(this: SlotSocket, chunk: Buffer): void {
  this[kSlot].data(this, chunk);
}
function onPlainConnect(this: SlotSocket): void {
  const slot = this[kSlot];
  slot.tcpConnected(this);
  slot.connected(this);
}
function onTcpConnect(this: SlotSocket): void {
  this[kSlot].tcpConnected(this);
}
function onSecureConnect(this: SlotSocket): void {
  this[kSlot].connected(this);
}
function onSocketDrain(this: SlotSocket): void {
  this[kSlot].drained(this);
}
function onSocketError(this: SlotSocket, err: Error): void {
  this[kSlot].socketError(this, err);
}
function onSocketClose(this: SlotSocket): void {
  this[kSlot].socketClosed(this);
}
