/**
 * HTTP/2 for one VU (or a worker, when shared) and one origin: one connection, its requests
 * multiplexed as streams, on node:http2. Chosen at connect time: a TLS connection offers
 * ALPN ['h2', 'http/1.1']; when the server picks http/1.1 the origin is remembered as HTTP/1.1 for
 * the worker and the request goes again by the HTTP/1.1 client (h1-client.ts), whose fast path
 * this file never touches. With `options.http.h2c` a plain http:// origin speaks HTTP/2 with prior
 * knowledge.
 *
 * A request is the same RequestHandler the HTTP/1.1 slot drives (the H1Exchange callbacks), so
 * timings, tags, redirects, cookies and decoding are the same code. The HTTP/1.1 head it carries
 * is turned into HTTP/2 headers here (h2 requests are rare enough for that to be cheap).
 */
import { connect as h2Connect, constants, type ClientHttp2Session, type ClientHttp2Stream, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http2';
import { STATUS_CODES } from 'node:http';
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { performance } from 'node:perf_hooks';
import { ProtocolError } from '../../errors.js';
import { SocketBytes } from '../socket-bytes.js';
import type { ConnectRecord, Endpoint, H1Exchange, SlotHooks, SlotOptions } from './h1-client.js';

/** What the handler needs of the exchange it was given to (abort on timeout or stop). */
export interface ExchangeCarrier {
  abort(ex: H1Exchange): void;
}

/** A request this origin could not take: the server chose HTTP/1.1 (ALPN). */
export interface H2Exchange extends H1Exchange {
  /** Send again by HTTP/1.1. */
  fallback(): void;
}

/** Connection-level headers HTTP/2 forbids (RFC 9113 §8.2.2). */
const FORBIDDEN = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'host']);

/** "GET /p HTTP/1.1\r\nhost: h\r\nname: value\r\n\r\n" → HTTP/2 headers. */
export function h2Headers(head: Buffer | string, scheme: 'https' | 'http'): OutgoingHttpHeaders {
  const text = typeof head === 'string' ? head : head.toString('latin1');
  const lines = text.split('\r\n');
  const [method, path] = lines[0].split(' ');
  const out: OutgoingHttpHeaders = { ':method': method, ':path': path, ':scheme': scheme };
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (!line) continue;
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'host') out[':authority'] = value;
    else if (!FORBIDDEN.has(name)) {
      const prev = out[name];
      out[name] = prev === undefined ? value : name === 'cookie' ? `${prev as string}; ${value}` : `${prev as string}, ${value}`;
    }
  }
  return out;
}

/** The response's headers as the "Name: value" CRLF block the rest of the client reads. */
function headerBlock(h: IncomingHttpHeaders): string {
  let block = '';
  for (const k in h) {
    if (k.startsWith(':')) continue;
    const v = h[k];
    if (Array.isArray(v)) for (const x of v) block += `${k}: ${x}\r\n`;
    else if (v !== undefined) block += `${k}: ${v}\r\n`;
  }
  return block;
}

type State = 'idle' | 'connecting' | 'h2' | 'h1';

export class H2Origin implements ExchangeCarrier {
  #state: State = 'idle';
  #session: ClientHttp2Session | null = null;
  #rec: ConnectRecord | null = null;
  readonly #waiting: H2Exchange[] = [];
  readonly #streams = new Map<H1Exchange, ClientHttp2Stream>();
  readonly bytes = new SocketBytes();

  constructor(
    readonly endpoint: Endpoint,
    readonly options: SlotOptions,
    readonly hooks: SlotHooks,
    /** h2c prior knowledge (plain TCP); otherwise TLS with ALPN. */
    readonly cleartext: boolean,
    /** Told when the server chose HTTP/1.1, so the worker stops offering h2 to this origin. */
    readonly onHttp1: () => void,
  ) {}

  get inflight(): number {
    return this.#streams.size + this.#waiting.length;
  }

  dispatch(ex: H2Exchange): void {
    if (this.#state === 'h1') return ex.fallback();
    if (this.#state === 'h2' && this.#session && !this.#session.closed && !this.#session.destroyed) return this.#start(ex);
    this.#waiting.push(ex);
    if (this.#state !== 'connecting') this.#connect();
  }

  abort(ex: H1Exchange): void {
    const s = this.#streams.get(ex);
    if (s) {
      this.#streams.delete(ex);
      s.close(constants.NGHTTP2_CANCEL);
      return;
    }
    const i = this.#waiting.indexOf(ex as H2Exchange);
    if (i !== -1) this.#waiting.splice(i, 1);
  }

  #connect(): void {
    this.#state = 'connecting';
    const { hostname, port } = this.endpoint;
    const rec: ConnectRecord = { start: performance.now(), tcpEnd: 0, end: 0 };
    const localAddress = this.options.sources.next();
    const socket: Socket = this.cleartext
      ? netConnect({ host: hostname, port, localAddress, lookup: this.options.lookup, noDelay: true })
      : tlsConnect({
          host: hostname,
          port,
          servername: isIP(hostname) ? undefined : hostname,
          rejectUnauthorized: this.options.rejectUnauthorized,
          ALPNProtocols: ['h2', 'http/1.1'],
          lookup: this.options.lookup,
          ...this.options.clientCert?.(hostname),
          ...({ localAddress } as object),
        });
    socket.once('connect', () => {
      rec.tcpEnd = performance.now();
      if (this.cleartext) this.#ready(socket, rec);
    });
    if (!this.cleartext) socket.once('secureConnect', () => this.#ready(socket, rec));
    socket.once('error', (err) => {
      if (this.#state !== 'connecting') return;
      this.#state = 'idle';
      this.hooks.failed(err);
      for (const w of this.#waiting.splice(0)) w.onError(err);
    });
  }

  #ready(socket: Socket, rec: ConnectRecord): void {
    rec.end = performance.now();
    if (!this.cleartext && (socket as TLSSocket).alpnProtocol !== 'h2') {
      // The server speaks HTTP/1.1 here: this connection is not the HTTP/1.1 client's to use.
      socket.destroy();
      this.#state = 'h1';
      this.onHttp1();
      for (const w of this.#waiting.splice(0)) w.fallback();
      return;
    }
    socket.setNoDelay(true);
    this.hooks.opened(socket);
    this.bytes.track(socket);
    const authority = `${this.cleartext ? 'http' : 'https'}://${this.endpoint.hostname.includes(':') ? `[${this.endpoint.hostname}]` : this.endpoint.hostname}:${this.endpoint.port}`;
    const session = h2Connect(authority, { createConnection: () => socket });
    session.on('error', () => {});
    session.once('close', () => {
      if (this.#session === session) {
        this.#session = null;
        this.#state = 'idle';
      }
    });
    this.#session = session;
    this.#rec = rec;
    this.#state = 'h2';
    for (const w of this.#waiting.splice(0)) this.#start(w);
  }

  #start(ex: H1Exchange): void {
    const session = this.#session!;
    const rec = this.#rec && this.#rec.start >= ex.t0 - 0.001 ? this.#rec : undefined;
    this.#rec = null;
    const body = ex.body && ex.body.byteLength ? ex.body : undefined;
    let stream: ClientHttp2Stream;
    try {
      stream = session.request(h2Headers(ex.head, this.cleartext ? 'http' : 'https'), { endStream: !body });
    } catch (err) {
      ex.onError(new ProtocolError('MCPRUN_NETWORK', `HTTP/2 request failed: ${(err as Error).message}`, 'ECONNRESET', { noStack: true }));
      return;
    }
    this.#streams.set(ex, stream);
    ex.onWrite(performance.now(), rec);
    // Handed to the session's framing: sent, as on HTTP/1.1 a write the socket took at once is
    // (a callback after the flush would run late on a busy event loop and eat into `waiting`).
    if (body) stream.end(body);
    ex.onSent(performance.now());
    stream.on('response', (h) => ex.onHead(Number(h[':status']), STATUS_CODES[Number(h[':status'])] ?? '', headerBlock(h)));
    stream.on('data', (chunk: Buffer) => ex.onBody(chunk));
    stream.once('end', () => {
      if (this.#streams.delete(ex)) ex.onEnd(true);
    });
    stream.once('close', () => {
      if (!this.#streams.delete(ex)) return;
      const code = stream.rstCode;
      ex.onError(new ProtocolError('MCPRUN_NETWORK', `HTTP/2 stream closed before the response was complete (RST_STREAM ${code})`, 'ECONNRESET', { noStack: true }));
    });
    stream.on('error', () => {});
  }

  takeBytes(): { read: number; written: number } {
    return this.bytes.take();
  }

  close(): Promise<void> {
    const s = this.#session;
    this.#session = null;
    this.#state = this.#state === 'h1' ? 'h1' : 'idle';
    if (!s || s.closed || s.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      s.close(() => resolve());
      setTimeout(() => {
        s.destroy();
        resolve();
      }, 1000).unref();
    });
  }
}
