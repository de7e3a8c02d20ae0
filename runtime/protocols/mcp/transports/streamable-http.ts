/**
 * Streamable HTTP (2025-03-26 … 2026-07-28): every message is a POST to one endpoint with
 * `Accept: application/json, text/event-stream`; each answer is a JSON body or an SSE stream
 * (priming events, comments, notifications before the result). Built on undici's dispatch with
 * one handler object per request; headers are pre-built per session (and per method/name in the
 * modern era, which needs `Mcp-Method` / `Mcp-Name`).
 */
import type { Dispatcher } from 'undici';
import type { PendingCall } from '../call.js';
import { McpError, transportError } from '../errors.js';
import { SseParser, type SseEvent } from '../sse-parser.js';
import type { Era, JsonRpcMessage } from '../types.js';
import { USER_AGENT, concat, encodeHeaderValue, errorOfStatus, readHeads, tryParse, userHeaderList } from './http-common.js';
import { TrackedPool, type PooledHandler, type SharedPools } from './http-pool.js';
import type { ByteCount, McpTransport, NetOptions, TransportHost } from './types.js';

export interface HttpTransportOptions extends NetOptions {
  headers?: Record<string, string>;
  /** Connections this session may open in parallel (calls beyond wait, and the wait is measured). */
  maxConnections: number;
  /** `shareConnections`: the worker's pools, one per origin for all its sessions, instead of one per session. */
  shared: SharedPools | undefined;
  connectTimeoutMs: number;
}

const HEADER_CACHE_MAX = 512;
/** Resumptions (GET + Last-Event-ID) of one request's SSE stream before it counts as failed. */
const MAX_RESUMES = 5;
const MAX_RETRY_DELAY_MS = 5000;

export class StreamableHttpTransport implements McpTransport {
  readonly kind = 'streamable-http' as const;
  readonly origin: string;
  readonly path: string;
  readonly #pool: TrackedPool;
  readonly #ownsPool: boolean;
  readonly #user: string[];
  /** Headers of every POST (session id and version once negotiated). */
  #headers: string[];
  #era: Era = 'legacy';
  #version: string | undefined;
  sessionId: string | undefined;
  /** Modern era: full header lists per method + name. */
  readonly #perCall = new Map<string, string[]>();
  readonly #inflight = new Set<PostHandler>();
  #closed = false;

  constructor(
    readonly target: string,
    readonly host: TransportHost,
    readonly opts: HttpTransportOptions,
  ) {
    const u = new URL(target);
    this.origin = u.origin;
    this.path = `${u.pathname}${u.search}`;
    this.#user = userHeaderList(opts.headers);
    this.#headers = this.#base();
    this.#ownsPool = !opts.shared;
    this.#pool = opts.shared ? opts.shared.of(this.origin, opts.connectTimeoutMs) : new TrackedPool(this.origin, opts.maxConnections, opts.connectTimeoutMs, opts.conns, opts.sources);
  }

  #base(): string[] {
    return ['content-type', 'application/json', 'accept', 'application/json, text/event-stream', 'user-agent', USER_AGENT, ...this.#user];
  }

  async open(): Promise<void> {}

  configure(sessionId: string | undefined, protocolVersion: string | undefined, era: Era): void {
    this.sessionId = sessionId;
    this.#era = era;
    this.#version = protocolVersion;
    const h = this.#base();
    if (sessionId) h.push('mcp-session-id', sessionId);
    if (protocolVersion) h.push('mcp-protocol-version', protocolVersion);
    this.#headers = h;
    this.#perCall.clear();
  }

  /** The modern era's per-request headers, cached per method and name. */
  #headersFor(method: string, name: string | undefined): string[] {
    if (this.#era !== 'modern') return this.#headers;
    const key = name === undefined ? method : `${method}\u0000${name}`;
    let h = this.#perCall.get(key);
    if (!h) {
      h = name === undefined ? [...this.#headers, 'mcp-method', method] : [...this.#headers, 'mcp-method', method, 'mcp-name', encodeHeaderValue(name)];
      if (this.#perCall.size >= HEADER_CACHE_MAX) this.#perCall.clear();
      this.#perCall.set(key, h);
    }
    return h;
  }

  request(call: PendingCall): void {
    if (this.#closed) {
      this.host.fail(call, new McpError('transport_error', 'the session is closed'));
      return;
    }
    call.sentSessionId = this.sessionId;
    const h = new PostHandler(this, call, null);
    this.#dispatch('POST', this.#headersFor(call.method, call.name), call.body, h);
  }

  notify(body: string, method: string): Promise<McpError | undefined> {
    if (this.#closed) return Promise.resolve(new McpError('transport_error', 'the session is closed'));
    return new Promise((resolve) => {
      const h = new PostHandler(this, null, resolve);
      this.#dispatch('POST', this.#headersFor(method, undefined), body, h);
    });
  }

  respond(body: string): void {
    void this.notify(body, 'response');
  }

  #dispatch(method: Dispatcher.HttpMethod, headers: string[], body: string | undefined, h: PostHandler): void {
    this.#inflight.add(h);
    this.#pool.send({ origin: this.origin, path: this.path, method, headers, body }, h);
  }

  /**
   * 2025-11-25 resumability: the server ended a request's SSE stream (after a priming event with an
   * id, perhaps a `retry:`) before the response. Reconnect with GET + Last-Event-ID, after the
   * retry delay; the rest of the stream, response included, is replayed there.
   */
  canResume(call: PendingCall): boolean {
    return !this.#closed && this.#era === 'legacy' && !!this.sessionId && call.resumes < MAX_RESUMES;
  }

  resume(call: PendingCall, lastEventId: string, retryMs: number | undefined): void {
    call.resumes++;
    setTimeout(resumeNow, Math.min(retryMs ?? 0, MAX_RETRY_DELAY_MS), this, call, lastEventId);
  }

  resumeNow(call: PendingCall, lastEventId: string): void {
    if (call.done) return;
    if (this.#closed) {
      this.host.fail(call, new McpError('transport_error', 'the session is closed'));
      return;
    }
    const headers = ['accept', 'text/event-stream', 'user-agent', USER_AGENT, ...this.#user, 'last-event-id', lastEventId];
    if (this.sessionId) headers.push('mcp-session-id', this.sessionId);
    if (this.#version) headers.push('mcp-protocol-version', this.#version);
    this.#dispatch('GET', headers, undefined, new PostHandler(this, call, null));
  }

  done(h: PostHandler): void {
    this.#inflight.delete(h);
    this.#pool.finished(h);
  }

  abandon(call: PendingCall): void {
    const abort = call.abort;
    call.abort = null;
    abort?.(new McpError('transport_error', 'request abandoned'));
  }

  takeBytes(out: ByteCount): void {
    this.#pool.takeBytes(out);
  }

  async close(deleteSession: boolean): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (deleteSession && this.sessionId && this.#era === 'legacy') {
      await new Promise<McpError | undefined>((resolve) => {
        const h = new PostHandler(this, null, resolve);
        const timer = setTimeout(() => h.abortNow(), 5000);
        h.onSettled = () => clearTimeout(timer);
        this.#dispatch('DELETE', this.#headers, undefined, h);
      });
    }
    for (const h of this.#inflight) h.abortNow();
    if (this.#ownsPool) await this.#pool.close();
  }
}

function resumeNow(t: StreamableHttpTransport, call: PendingCall, lastEventId: string): void {
  t.resumeNow(call, lastEventId);
}

/** One HTTP exchange: a request (call set), a notification/response or a DELETE (done set). */
export class PostHandler implements PooledHandler {
  poolSlot = -1;
  status = 0;
  statusText = '';
  #sse: SseParser | null = null;
  #chunks: Buffer[] = [];
  #abort: ((err?: Error) => void) | null = null;
  #settled = false;
  onSettled: (() => void) | null = null;

  constructor(
    readonly t: StreamableHttpTransport,
    readonly call: PendingCall | null,
    readonly done: ((err: McpError | undefined) => void) | null,
  ) {}

  onConnect(abort: (err?: Error) => void): void {
    this.#abort = abort;
    if (this.call) {
      if (this.call.done) {
        abort();
        return;
      }
      this.call.abort = abort;
    }
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], _resume: () => void, statusText: string): boolean {
    if (statusCode < 200) return true;
    this.status = statusCode;
    this.statusText = statusText;
    const call = this.call;
    if (!call) return true;
    call.status = statusCode;
    this.t.host.firstByte(call);
    const heads = readHeads(rawHeaders);
    if (heads.sessionId && call.method === 'initialize') this.t.host.sessionIdIssued(heads.sessionId);
    if (statusCode < 300 && heads.contentType.startsWith('text/event-stream')) this.#sse = new SseParser(this);
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.#sse) this.#sse.push(chunk);
    else this.#chunks.push(chunk);
    return true;
  }

  /** SSE event on a POST's response stream: a JSON-RPC message (priming events have empty data). */
  onEvent(ev: SseEvent): void {
    if (!ev.data || ev.event !== 'message') return;
    this.#deliver(tryParse(ev.data));
  }

  #deliver(v: unknown): boolean {
    if (Array.isArray(v)) {
      for (const m of v) this.#deliver(m);
      return v.length > 0;
    }
    if (!v || typeof v !== 'object') return false;
    this.t.host.receive(v as JsonRpcMessage, this.call);
    return true;
  }

  onComplete(): void {
    this.#settle(undefined);
  }

  onError(err: Error): void {
    this.#settle(err);
  }

  abortNow(): void {
    if (this.#abort) this.#abort(new McpError('transport_error', 'session closed'));
    else this.#settle(new McpError('transport_error', 'session closed'));
  }

  #settle(err: Error | undefined): void {
    if (this.#settled) return;
    this.#settled = true;
    this.t.done(this);
    this.onSettled?.();
    const call = this.call;
    if (call && call.abort === this.#abort) call.abort = null;
    const sse = this.#sse;
    if (call && !call.done && sse && sse.lastEventId && !(err instanceof McpError) && this.t.canResume(call)) {
      // The stream ended (or broke) before the response, but the server gave us a cursor.
      sse.end();
      this.t.resume(call, sse.lastEventId, sse.retryMs);
      return;
    }
    if (err) {
      const e = err instanceof McpError ? err : transportError(err, `POST ${this.t.target}`);
      if (call) {
        if (!call.done) this.t.host.fail(call, e);
      } else this.done?.(e);
      return;
    }
    const status = this.status;
    if (this.#sse) {
      this.#sse.end();
    } else if (status >= 200 && status < 300) {
      if (call && this.#chunks.length) {
        const text = concat(this.#chunks);
        const v = tryParse(text);
        if (!this.#deliver(v) && !call.done) {
          this.t.host.fail(call, new McpError('transport_error', `the response (HTTP ${status}) is not JSON-RPC: ${text.slice(0, 120)}`, 'EPROTO', status));
        }
      }
    } else {
      const { error, message } = errorOfStatus(status, this.statusText, concat(this.#chunks));
      if (call) {
        if (!call.done) {
          if (status === 404 && !message && call.sentSessionId) this.t.host.expired(call);
          else if (message) this.t.host.receive({ ...message, id: call.id }, call);
          else this.t.host.fail(call, error);
        }
      } else this.done?.(error);
      return;
    }
    if (call) {
      if (!call.done) this.t.host.fail(call, new McpError('transport_error', `the response (HTTP ${status}) ended without the JSON-RPC response to request ${call.id}`, 'EPROTO', status));
    } else this.done?.(undefined);
  }
}
