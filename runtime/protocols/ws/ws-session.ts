/**
 * One WebSocket session of a VU, on mcprun's own RFC 6455 client (raw-websocket.ts), or on the
 * `ws` package when permessage-deflate is asked for. Built to be cheap when idle, because the
 * stress plan holds 100,000 of them: no closures per socket (the connection's listeners are shared
 * functions), no timers of its own (handshake, `next()`/`ping()` and close timeouts share one
 * timer per duration, deadlines.ts), no
 * message queue until a message needs one.
 *
 * Messages: each one goes to the `on('message')` handlers and to the oldest pending `next()`. When
 * nobody waits and no handler is registered it is queued (up to MAX_QUEUED, then the oldest is
 * dropped) for the next `next()`.
 */
import { performance } from 'node:perf_hooks';
import { UNKNOWN_CODE, errorCodeOf, usageError } from '../../errors.js';
import { parseDuration } from '../../duration.js';
import type { VuResource, VuScope } from '../vu-contract.js';
import { WsError } from './errors.js';
import { Deadlines } from './deadlines.js';
import { upgradeTarget } from './handshake.js';
import { RawWebSocket, type RawWsOptions, type WsConnection, type WsHandler } from './raw-websocket.js';
import type { WaitParams, WebSocketSession, WsConnectParams, WsData, WsEvent, WsMessage } from './types.js';
import { WsPackageConnection } from './ws-package-connection.js';
import { wsMeters, type WsMeters } from './ws-meters.js';

type Handler = (...args: any[]) => unknown;

const MAX_QUEUED = 1000;
const CLOSE_TIMEOUT_MS = 10_000;
export const DEFAULT_WS_TIMEOUT_MS = 60_000;

const enum State {
  Connecting = 0,
  Open = 1,
  Closing = 2,
  Closed = 3,
}

interface Waiter {
  s: WsSession;
  kind: 'next' | 'ping';
  resolve: (v: any) => void;
  reject: (e: Error) => void;
  /** Its timeout (ms): the Deadlines bucket it is in. */
  ms: number;
  /** ping: send time (ms) */
  t0: number;
}

/**
 * Everything a session needs only sometimes (while connecting, waiting, with handlers, after
 * close). An idle open socket has none of it: `#x` is null.
 */
interface Extra {
  settle?: { resolve: (s: WsSession) => void; reject: (e: Error) => void } | null;
  /** The handshake timeout runs (in `connecting`). */
  connectTimer?: boolean;
  timedOut?: boolean;
  queue?: WsMessage[] | null;
  waiters?: Waiter[] | null;
  pings?: Waiter[] | null;
  handlers?: Partial<Record<WsEvent, Handler[]>> | null;
  closed?: { promise: Promise<void>; resolve: () => void } | null;
  errorCode?: string;
  closeCode?: number;
  closeReason?: string;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const NO_PROTOCOLS: readonly string[] = [];

function protocolsOf(p: string | string[] | undefined): readonly string[] {
  if (p === undefined) return NO_PROTOCOLS;
  const list = typeof p === 'string' ? [p] : p;
  if (!Array.isArray(list)) throw usageError('ws.connect(): params.subprotocols must be a string or an array of strings');
  const seen = new Set<string>();
  for (const x of list) {
    if (typeof x !== 'string' || !TOKEN.test(x)) throw usageError(`ws.connect(): invalid subprotocol ${JSON.stringify(x)}; use a token such as "chat.v2"`);
    if (seen.has(x)) throw usageError(`ws.connect(): subprotocol ${JSON.stringify(x)} is listed twice`);
    seen.add(x);
  }
  return list.length ? list : NO_PROTOCOLS;
}

/** One session; the VU owns it from open to close (and closes it, 1001, when it retires). */
export class WsSession implements WsHandler, VuResource, WebSocketSession {
  #ws: WsConnection;
  #ctx: VuScope;
  #m: WsMeters;
  #state = State.Connecting;
  /** Connect start (performance.now()); ws_session_duration runs from here. */
  #t0: number;
  #timeoutMs: number;
  #x: Extra | null;

  /** @internal use ws.connect() */
  constructor(ctx: VuScope, url: string, params: WsConnectParams | undefined, timeoutMs: number) {
    this.#ctx = ctx;
    const services = ctx.services;
    this.#m = wsMeters(ctx.store, ctx.tags, url, params?.tags, services.connections.of('ws'));
    this.#timeoutMs = timeoutMs;
    this.#t0 = performance.now();
    const target = upgradeTarget(url);
    const opts: RawWsOptions = {
      protocols: protocolsOf(params?.subprotocols),
      headers: params?.headers,
      localAddress: services.sources.next(),
      // wss:// verifies certificates as https:// does (options.http.insecureSkipTLSVerify).
      rejectUnauthorized: services.rejectUnauthorized,
      closeTimeoutMs: CLOSE_TIMEOUT_MS,
      dial: services.dial,
    };
    // The handshake timer is ours (below), dropped once the socket is open.
    this.#ws = params?.perMessageDeflate ? new WsPackageConnection(target, this, opts) : new RawWebSocket(target, this, opts);
    connecting.add(this, timeoutMs);
    this.#x = { connectTimer: true };
  }

  /** @internal */
  opened(): Promise<WsSession> {
    return new Promise((resolve, reject) => {
      this.#extra().settle = { resolve, reject };
    });
  }

  #extra(): Extra {
    return (this.#x ??= {});
  }

  /** Drops the extra state once nothing in it matters any more (an idle open socket). */
  #trim(): void {
    const x = this.#x;
    if (x && !x.settle && !x.connectTimer && !x.queue?.length && !x.waiters?.length && !x.pings?.length && !x.handlers && !x.closed && this.#state === State.Open) {
      this.#x = null;
    }
  }

  get url(): string {
    return this.#ws.url;
  }

  /** 'connecting' | 'open' | 'closing' | 'closed' */
  get readyState(): 'connecting' | 'open' | 'closing' | 'closed' {
    return (['connecting', 'open', 'closing', 'closed'] as const)[this.#state];
  }

  /** The subprotocol the server chose ('' when none). */
  get protocol(): string {
    return this.#ws.protocol;
  }

  /** Messages received and not yet taken by `next()`. */
  get queued(): number {
    return this.#x?.queue?.length ?? 0;
  }

  /** Close code once closed (1000 normal, 1006 abnormal, ...). */
  get closeCode(): number | undefined {
    return this.#x?.closeCode;
  }

  get closeReason(): string | undefined {
    return this.#x?.closeReason;
  }

  /** Sends a text (string) or binary message; throws when the socket is not open. */
  send(data: WsData): void {
    if (this.#state !== State.Open || !this.#ws.isOpen) throw this.#notOpen('send()');
    this.#ws.send(data instanceof ArrayBuffer ? new Uint8Array(data) : data);
    this.#m.msgsSent.add(1);
  }

  /** The next message (string for text frames, Uint8Array for binary); rejects on timeout or close. */
  next(params?: WaitParams): Promise<WsMessage> {
    const q = this.#x?.queue;
    if (q && q.length) {
      const m = q.shift()!;
      if (!q.length) {
        this.#x!.queue = null;
        this.#trim();
      }
      return Promise.resolve(m);
    }
    if (this.#state >= State.Closing) return Promise.reject(this.#closedError('next()'));
    const ms = this.#wait(params, 'sock.next()');
    return new Promise((resolve, reject) => {
      const w: Waiter = { s: this, kind: 'next', resolve, reject, t0: 0, ms };
      waiting.add(w, ms);
      (this.#extra().waiters ??= []).push(w);
    });
  }

  /** Sends a ping; resolves with the round trip (ms) when the pong arrives, recorded in ws_ping. */
  ping(params?: WaitParams): Promise<number> {
    if (this.#state !== State.Open || !this.#ws.isOpen) return Promise.reject(this.#notOpen('ping()'));
    const ms = this.#wait(params, 'sock.ping()');
    return new Promise((resolve, reject) => {
      const w: Waiter = { s: this, kind: 'ping', resolve, reject, t0: performance.now(), ms };
      waiting.add(w, ms);
      (this.#extra().pings ??= []).push(w);
      this.#ws.ping();
    });
  }

  /** Registers a handler: 'message' (data, isBinary), 'close' (code, reason), 'error' (err). */
  on(event: WsEvent, fn: Handler): this {
    if (event !== 'message' && event !== 'close' && event !== 'error') {
      throw usageError(`sock.on(${JSON.stringify(event)}): unknown event; use 'message', 'close' or 'error'`);
    }
    if (typeof fn !== 'function') throw usageError(`sock.on('${event}', fn): fn must be a function`);
    const x = this.#extra();
    const h = (x.handlers ??= {});
    (h[event] ??= []).push(fn);
    if (event === 'message' && x.queue) {
      // Queued messages were waiting for someone: hand them over in order.
      const q = x.queue;
      x.queue = null;
      for (const m of q) this.#emit('message', m, typeof m !== 'string');
    }
    return this;
  }

  off(event: WsEvent, fn: Handler): this {
    const list = this.#x?.handlers?.[event];
    const i = list ? list.indexOf(fn) : -1;
    if (i >= 0) list!.splice(i, 1);
    return this;
  }

  /** Closes with `code` (1000, or 3000-4999) and `reason`; resolves once the socket is closed. */
  close(code = 1000, reason = ''): Promise<void> {
    if (this.#state === State.Closed) return Promise.resolve();
    if (this.#state === State.Open) {
      try {
        this.#ws.close(code, reason);
      } catch (err) {
        // Both connections check the code and the reason as the `ws` package does (TypeError, RangeError).
        if (err instanceof TypeError || err instanceof RangeError) throw usageError(err.message);
        throw err;
      }
      this.#state = State.Closing;
    }
    return (this.#extra().closed ??= deferred()).promise;
  }

  /** @internal the VU retires: close what it still holds ("going away"), CLOSE_TIMEOUT_MS at most. */
  release(): Promise<void> {
    return this.close(1001, 'VU finished');
  }

  /** Drops the connection without a close handshake (as a crashed client would). */
  terminate(): void {
    if (this.#state !== State.Closed) this.#ws.terminate();
  }

  #stopConnectTimer(x: Extra): void {
    if (!x.connectTimer) return;
    x.connectTimer = false;
    connecting.delete(this, this.#timeoutMs);
  }

  #wait(params: WaitParams | undefined, what: string): number {
    return params?.timeout === undefined ? this.#timeoutMs : parseDuration(params.timeout, `${what} timeout`, { allowZero: false });
  }

  /* ---- events from the connection ---- */

  /** @internal */
  handleOpen(): void {
    const now = performance.now();
    this.#state = State.Open;
    const m = this.#m;
    m.connecting.add(now - this.#t0);
    m.sessions.add(1);
    m.conns.opened();
    this.#ctx.own(this);
    const x = this.#x!;
    this.#stopConnectTimer(x);
    const s = x.settle!;
    x.settle = null;
    this.#trim();
    s.resolve(this);
  }

  /** @internal */
  handleError(err: Error): void {
    const x = this.#extra();
    const code = x.timedOut ? 'ETIMEDOUT' : (errorCodeOf(err) ?? UNKNOWN_CODE);
    x.errorCode = code;
    this.#m.error(code);
    if (this.#state === State.Connecting) {
      this.#m.conns.failed(code);
      this.#state = State.Closed;
      this.#stopConnectTimer(x);
      const s = x.settle;
      x.settle = null;
      const why = x.timedOut ? `the opening handshake did not finish within ${this.#timeoutMs / 1000}s` : err.message;
      s?.reject(new WsError('MCPRUN_WS_CONNECT', `ws.connect(${JSON.stringify(this.url)}) failed: ${why} (${code})`, code));
      return;
    }
    this.#emit('error', new WsError('MCPRUN_WS_PROTOCOL', err.message, code));
  }

  /** @internal */
  connectTimedOut(): void {
    const x = this.#extra();
    x.connectTimer = false;
    if (this.#state !== State.Connecting) return;
    x.timedOut = true;
    this.#ws.terminate(); // emits 'error' (handled above as ETIMEDOUT), then 'close'
  }

  /** @internal */
  handleClose(code: number, reason: string): void {
    const x = this.#extra();
    if (this.#state === State.Connecting || (this.#state === State.Closed && x.closeCode === undefined)) {
      // Never opened: 'error' normally settled ws.connect() already.
      this.#state = State.Closed;
      this.#stopConnectTimer(x);
      const s = x.settle;
      if (s) {
        x.settle = null;
        const c = x.errorCode ?? 'ws_abnormal_close';
        this.#m.conns.failed(c);
        this.#m.error(c);
        s.reject(new WsError('MCPRUN_WS_CONNECT', `ws.connect(${JSON.stringify(this.url)}) failed: the connection closed during the handshake (${code})`, c, code));
      }
      return;
    }
    this.#state = State.Closed;
    x.closeCode = code;
    x.closeReason = reason;
    const m = this.#m;
    m.sessionDuration.add(performance.now() - this.#t0);
    m.conns.closed();
    const conn = this.#ws;
    m.dataReceived.add(conn.bytesRead);
    m.dataSent.add(conn.bytesWritten);
    if (code === 1006 && x.errorCode === undefined) m.error('ws_abnormal_close');
    this.#ctx.disown(this);
    if (x.waiters?.length || x.pings?.length) {
      const err = this.#closedError('the socket');
      for (const w of [...(x.waiters ?? []), ...(x.pings ?? [])]) {
        waiting.delete(w, w.ms);
        w.reject(err);
      }
    }
    x.waiters = null;
    x.pings = null;
    this.#emit('close', code, x.closeReason);
    x.closed?.resolve();
  }

  /** @internal */
  handleMessage(data: string | Buffer, isBinary: boolean): void {
    this.#m.msgsReceived.add(1);
    const msg: WsMessage = typeof data === 'string' ? data : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    const x = this.#x;
    const w = x?.waiters?.shift();
    if (w) {
      waiting.delete(w, w.ms);
      if (!x!.waiters!.length) x!.waiters = null;
      w.resolve(msg);
    }
    if (x?.handlers?.message?.length) this.#emit('message', msg, isBinary);
    else if (!w) {
      const q = (this.#extra().queue ??= []);
      if (q.length >= MAX_QUEUED) q.shift();
      q.push(msg);
    } else this.#trim();
  }

  /** @internal */
  handlePong(): void {
    const x = this.#x;
    const w = x?.pings?.shift();
    if (!w) return;
    if (!x!.pings!.length) x!.pings = null;
    waiting.delete(w, w.ms);
    const rtt = performance.now() - w.t0;
    this.#m.ping.add(rtt);
    this.#trim();
    w.resolve(rtt);
  }

  /** @internal */
  timedOut(w: Waiter, kind: 'next' | 'ping'): void {
    const x = this.#x;
    const list = kind === 'next' ? x?.waiters : x?.pings;
    const i = list ? list.indexOf(w) : -1;
    if (i < 0) return;
    list!.splice(i, 1);
    if (!list!.length) {
      if (kind === 'next') x!.waiters = null;
      else x!.pings = null;
    }
    this.#trim();
    const err =
      kind === 'next'
        ? new WsError('MCPRUN_WS_NEXT_TIMEOUT', `sock.next(): no message within the timeout (${this.url})`)
        : new WsError('MCPRUN_WS_PING_TIMEOUT', `sock.ping(): no pong within the timeout (${this.url})`);
    this.#m.error(err.code);
    w.reject(err);
  }

  #emit(event: WsEvent, ...args: unknown[]): void {
    const list = this.#x?.handlers?.[event];
    if (!list) return;
    for (const fn of list.slice()) {
      try {
        const r = fn.apply(this, args);
        if (r && typeof (r as Promise<unknown>).then === 'function') (r as Promise<unknown>).then(undefined, (e) => this.#handlerFailed(event, e));
      } catch (e) {
        this.#handlerFailed(event, e);
      }
    }
  }

  #handlerFailed(event: string, e: unknown): void {
    this.#m.error('ws_handler_exception');
    this.#ctx.services.warnOnce(`sock.on('${event}') handler threw: ${(e as Error)?.message ?? String(e)}`);
  }

  #notOpen(what: string): WsError {
    const code = this.closeCode;
    return new WsError('MCPRUN_WS_NOT_OPEN', `sock.${what} on a WebSocket that is ${this.readyState}${code !== undefined ? ` (close code ${code})` : ''} (${this.url})`, undefined, code);
  }

  #closedError(what: string): WsError {
    const code = this.closeCode;
    const reason = this.closeReason;
    return new WsError('MCPRUN_WS_CLOSED', `${what}: the WebSocket closed${code !== undefined ? ` (code ${code}${reason ? ` "${reason}"` : ''})` : ''} (${this.url})`, undefined, code);
  }
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const connecting = new Deadlines<WsSession>((s) => s.connectTimedOut());
const waiting = new Deadlines<Waiter>((w) => w.s.timedOut(w, w.kind));

/** `ws.connect()`: resolves with an open session, rejects with a WsError (code = error_code). */
export function connectWs(ctx: VuScope, url: string, params?: WsConnectParams): Promise<WebSocketSession> {
  if (typeof url !== 'string' || !/^wss?:\/\//i.test(url)) {
    throw usageError(`ws.connect(${JSON.stringify(url)}): expected a ws:// or wss:// URL such as "ws://127.0.0.1:8080/socket"`);
  }
  const timeoutMs = params?.timeout === undefined ? DEFAULT_WS_TIMEOUT_MS : parseDuration(params.timeout, 'ws.connect() params.timeout', { allowZero: false });
  const s = new WsSession(ctx, url, params, timeoutMs);
  return s.opened();
}
