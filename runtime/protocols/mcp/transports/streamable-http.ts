/**
 * Streamable HTTP (2025-03-26 … 2026-07-28) on mcprun's own HTTP/1.1 client: every message is a
 * POST to one endpoint with `Accept: application/json, text/event-stream`; each answer is a JSON
 * body or an SSE stream (priming events, comments, notifications before the result), parsed from
 * the read buffer as it arrives. Legacy sessions: `Mcp-Session-Id` on every request, DELETE on
 * close, optionally the standalone GET stream for server-initiated messages (`openStream`), GET +
 * Last-Event-ID to resume a broken response stream. Connections are kept alive per session.
 *
 * What a held session costs: this object, one pool with one slot and its socket, and the request
 * prefix (request line and every constant header, session id included) built once per session
 * when the era is settled; a request is that prefix plus Content-Length plus the body, one string.
 * The modern era's Mcp-Method / Mcp-Name are appended per call (a concatenation, no cache map).
 */
import type { PendingCall } from '../call.js';
import { McpError, transportError } from '../errors.js';
import type { SseEvent } from '../sse-parser.js';
import type { Era, JsonRpcMessage } from '../types.js';
import type { Endpoint, H1Slot, SlotOptions } from '../../http/h1-client.js';
import { Deadlines } from '../../ws/deadlines.js';
import { USER_AGENT, encodeHeaderValue, errorOfStatus, tryParse, userHeaderList } from './http-common.js';
import { H1Pool, endpointOf, type SharedPools } from './h1-pool.js';
import { H1Request, flat, headerLines, headerValue } from './h1-request.js';
import type { ByteCount, McpTransport, NetOptions, TransportHost } from './types.js';
import type { TokenSource } from '../oauth-client-credentials.js';

export interface HttpTransportOptions extends NetOptions {
  headers?: Record<string, string>;
  /** Connections this session may open in parallel (calls beyond wait, and the wait is measured). */
  maxConnections: number;
  /** `shareConnections`: the worker's pools, one per origin for all its sessions, instead of one per session. */
  shared: SharedPools | undefined;
  connectTimeoutMs: number;
  /** TLS verification and --local-ips, one object for every connection of the worker. */
  slotOptions: SlotOptions;
  /** Legacy era with a session id: open the standalone GET stream after the handshake. */
  openStream: boolean;
  /** OAuth client credentials: the worker's token (its header line is read per request, so a refresh applies at once). */
  auth?: TokenSource | undefined;
}

/** Resumptions (GET + Last-Event-ID) of one request's SSE stream before it counts as failed. */
const MAX_RESUMES = 5;
/** Standalone stream: reconnects in a row that brought no event before it is given up. */
const MAX_STREAM_RETRIES = 5;
/** Standalone stream: the wait before a reconnect when the server gave no `retry:`. */
const STREAM_RETRY_MS = 1000;
const MAX_RETRY_DELAY_MS = 5000;
const DELETE_TIMEOUT_MS = 5000;

/** DELETE on close waits at most DELETE_TIMEOUT_MS: one timer for every session closing at once. */
const deleting = new Deadlines<PostHandler>(deleteTimedOut);
function deleteTimedOut(h: PostHandler): void {
  h.abortNow(new McpError('timeout', `no answer to DELETE within ${DELETE_TIMEOUT_MS} ms`, 'ETIMEDOUT'));
}

/** What every session of one target (and the same user headers) sends alike, built once and shared. */
interface TargetHeads {
  endpoint: Endpoint;
  path: string;
  /** Host, User-Agent and the user's headers, as header lines. */
  common: string;
  /** A POST's request line and constant headers. */
  post: string;
}
const targetHeads = new Map<string, TargetHeads>();
const TARGET_HEADS_MAX = 10_000;

function headsOf(target: string, headers: Record<string, string> | undefined): TargetHeads {
  const user = headerLines(userHeaderList(headers));
  // A user Host header replaces the URL's (servers that accept only `localhost` answer 403 to 127.0.0.1).
  const hostOverride = hostHeader(headers);
  const key = `${target}\u0000${hostOverride ?? ''}\u0000${user}`;
  let h = targetHeads.get(key);
  if (!h) {
    const u = new URL(target);
    const path = `${u.pathname}${u.search}`;
    const common = flat(`host: ${hostOverride ?? u.host}\r\nuser-agent: ${USER_AGENT}\r\n${user}`);
    h = { endpoint: endpointOf(u), path, common, post: flat(`POST ${path} HTTP/1.1\r\n${common}content-type: application/json\r\naccept: application/json, text/event-stream\r\n`) };
    if (targetHeads.size >= TARGET_HEADS_MAX) targetHeads.clear();
    targetHeads.set(key, h);
  }
  return h;
}

function hostHeader(headers: Record<string, string> | undefined): string | undefined {
  if (!headers) return undefined;
  for (const k in headers) if (k.toLowerCase() === 'host' && headers[k] && !/[\r\n\0]/.test(headers[k])) return headers[k];
  return undefined;
}

/** The standalone GET stream of one session, once it is wanted (created then: a held session without one carries nothing). */
class StandaloneStream {
  /** The GET open now. */
  handler: PostHandler | null = null;
  /** Reconnects since it last brought an event. */
  retries = 0;
  /** The last event id (the cursor to resume from). */
  eventId: string | undefined = undefined;
}

export class StreamableHttpTransport implements McpTransport {
  readonly kind = 'streamable-http' as const;
  readonly #heads: TargetHeads;
  readonly #pool: H1Pool;
  readonly #ownsPool: boolean;
  #openStreamAsked: boolean;
  #standalone: StandaloneStream | null = null;
  readonly #auth: TokenSource | undefined;
  /** Mcp-Session-Id and Mcp-Protocol-Version lines, once negotiated ('' before). */
  #sessionLines = '';
  #era: Era = 'legacy';
  #version: string | undefined;
  sessionId: string | undefined;
  /** Requests in flight (created on first use; usually one). */
  #inflight: PostHandler[] | null = null;
  #closed = false;

  constructor(
    readonly target: string,
    readonly host: TransportHost,
    opts: HttpTransportOptions,
  ) {
    const h = (this.#heads = headsOf(target, opts.headers));
    this.#openStreamAsked = opts.openStream;
    this.#auth = opts.auth;
    this.#ownsPool = !opts.shared;
    this.#pool = opts.shared ? opts.shared.of(new URL(target)) : new H1Pool(h.endpoint, opts.maxConnections, opts.slotOptions, opts.conns);
  }

  get path(): string {
    return this.#heads.path;
  }

  async open(): Promise<void> {}

  configure(sessionId: string | undefined, protocolVersion: string | undefined, era: Era): void {
    if (sessionId !== undefined && /[\r\n\0]/.test(sessionId)) sessionId = undefined;
    this.sessionId = sessionId;
    this.#era = era;
    this.#version = protocolVersion;
    let lines = '';
    if (sessionId) lines += `mcp-session-id: ${sessionId}\r\n`;
    if (protocolVersion) lines += `mcp-protocol-version: ${protocolVersion}\r\n`;
    this.#sessionLines = lines ? flat(lines) : '';
  }

  /** Host, User-Agent, the user's headers and the current OAuth token. */
  #common(): string {
    return this.#auth ? this.#heads.common + this.#auth.headerLine : this.#heads.common;
  }

  /** The handshake is done (first, or after a re-initialize): open the standalone stream if asked (legacy era, with a session id). */
  ready(): void {
    if (!this.#openStreamAsked) return;
    const st = (this.#standalone ??= new StandaloneStream());
    st.eventId = undefined;
    st.retries = 0;
    const old = st.handler;
    if (old) {
      // The previous session's stream.
      st.handler = null;
      old.abortNow(new McpError('transport_error', 'the session was initialized again'));
    }
    this.#openStream();
  }

  /** s.on(): the standalone stream is wanted from now on. */
  openStream(): void {
    if (this.#openStreamAsked) return;
    this.#openStreamAsked = true;
    this.#standalone ??= new StandaloneStream();
    this.#openStream();
  }

  /** The modern era names the method (and tool, prompt or resource) in headers. */
  #headFor(method: string, name: string | undefined): string {
    const head = this.#auth ? this.#heads.post + this.#auth.headerLine + this.#sessionLines : this.#heads.post + this.#sessionLines;
    if (this.#era !== 'modern') return head;
    return name === undefined ? `${head}mcp-method: ${method}\r\n` : `${head}mcp-method: ${method}\r\nmcp-name: ${encodeHeaderValue(name)}\r\n`;
  }

  request(call: PendingCall): void {
    if (this.#closed) {
      this.host.fail(call, new McpError('transport_error', 'the session is closed'));
      return;
    }
    call.sentSessionId = this.sessionId;
    this.#dispatch(new PostHandler(this, call, null, 'POST', this.#headFor(call.method, call.name), call.body));
  }

  notify(body: string, method: string): Promise<McpError | undefined> {
    if (this.#closed) return Promise.resolve(new McpError('transport_error', 'the session is closed'));
    return new Promise((resolve) => this.#dispatch(new PostHandler(this, null, resolve, 'POST', this.#headFor(method, undefined), body)));
  }

  respond(body: string): void {
    void this.notify(body, 'response');
  }

  #dispatch(h: PostHandler, slot?: H1Slot): void {
    (this.#inflight ??= []).push(h);
    if (h.call) h.call.carrier = h;
    if (slot) {
      h.slot = slot;
      slot.dispatch(h);
    } else h.slot = this.#pool.send(h);
  }

  /** The standalone GET stream: server-initiated requests and notifications, on a connection of its own. */
  #openStream(): void {
    const st = this.#standalone;
    if (!st || st.handler || this.#closed || this.#era !== 'legacy' || !this.sessionId) return;
    const resume = st.eventId && !/[\r\n\0]/.test(st.eventId) ? `last-event-id: ${st.eventId}\r\n` : '';
    const head = `GET ${this.#heads.path} HTTP/1.1\r\n${this.#common()}accept: text/event-stream\r\n${resume}${this.#sessionLines}`;
    const h = new PostHandler(this, null, null, 'GET', head, undefined, true);
    st.handler = h;
    this.#dispatch(h, this.#pool.dedicated());
  }

  /** An event on the standalone stream: keep its id (the resume cursor). */
  streamEvent(id: string | undefined): void {
    const st = this.#standalone;
    if (!st) return;
    st.retries = 0;
    if (id) st.eventId = id;
  }

  /**
   * The standalone stream ended. 405 (the server has none), 404 (the session is gone; a
   * re-initialize opens a new one), 409 (one is open already), 401/403 end it; otherwise it is
   * reconnected after the server's `retry:` (or 1 s) with Last-Event-ID, per the spec's
   * resumability rules, until MAX_STREAM_RETRIES reconnects in a row bring no event.
   */
  streamEnded(h: PostHandler, status: number, retryMs: number | undefined): void {
    const st = this.#standalone;
    if (!st || st.handler !== h) return;
    st.handler = null;
    if (this.#closed || status === 405 || status === 404 || status === 409 || status === 401 || status === 403) return;
    if (++st.retries > MAX_STREAM_RETRIES) return;
    setTimeout(reopenStream, Math.min(retryMs ?? STREAM_RETRY_MS, MAX_RETRY_DELAY_MS), this).unref();
  }

  reopenStream(): void {
    this.#openStream();
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
    if (this.#closed || /[\r\n\0]/.test(lastEventId)) {
      this.host.fail(call, new McpError('transport_error', this.#closed ? 'the session is closed' : 'the stream gave an event id that cannot be sent back'));
      return;
    }
    const head = `GET ${this.#heads.path} HTTP/1.1\r\n${this.#common()}accept: text/event-stream\r\nlast-event-id: ${lastEventId}\r\n${this.#sessionLines}`;
    this.#dispatch(new PostHandler(this, call, null, 'GET', head, undefined));
  }

  done(h: PostHandler): void {
    const list = this.#inflight;
    if (!list) return;
    const i = list.indexOf(h);
    if (i === -1) return;
    const last = list.pop()!;
    if (last !== h) list[i] = last;
  }

  abandon(call: PendingCall): void {
    const c = call.carrier;
    call.carrier = null;
    c?.abortNow(new McpError('transport_error', 'request abandoned'));
  }

  takeBytes(out: ByteCount): void {
    this.#pool.takeBytes(out);
  }

  async close(deleteSession: boolean): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // The standalone stream is not waited for.
    if (this.#inflight?.length) for (const h of [...this.#inflight]) if (h.standalone) h.abortNow(new McpError('transport_error', 'session closed'));
    if (deleteSession && this.sessionId && this.#era === 'legacy') {
      await new Promise<McpError | undefined>((resolve) => {
        const head = `DELETE ${this.#heads.path} HTTP/1.1\r\n${this.#common()}${this.#sessionLines}`;
        const h = new PostHandler(this, null, resolve, 'DELETE', head, undefined);
        deleting.add(h, DELETE_TIMEOUT_MS);
        h.onSettled = deleteSettled;
        this.#dispatch(h);
      });
    }
    if (this.#inflight?.length) {
      const err = new McpError('transport_error', 'session closed');
      for (const h of [...this.#inflight]) h.abortNow(err);
    }
    // Nothing is in flight any more: no FIN handshake to wait for.
    if (this.#ownsPool) this.#pool.destroy();
  }
}

function deleteSettled(h: PostHandler): void {
  deleting.delete(h, DELETE_TIMEOUT_MS);
}

function resumeNow(t: StreamableHttpTransport, call: PendingCall, lastEventId: string): void {
  t.resumeNow(call, lastEventId);
}

function reopenStream(t: StreamableHttpTransport): void {
  t.reopenStream();
}

/** One HTTP exchange: a request (call set), a notification/response or a DELETE (done set), or the standalone stream. */
export class PostHandler extends H1Request {
  onSettled: ((h: PostHandler) => void) | null = null;

  constructor(
    readonly t: StreamableHttpTransport,
    readonly call: PendingCall | null,
    readonly done: ((err: McpError | undefined) => void) | null,
    method: string,
    prefix: string,
    body: string | undefined,
    readonly standalone = false,
  ) {
    super(method, prefix, body);
  }

  protected onResponse(status: number, lines: string): boolean {
    const call = this.call;
    const sse = status < 300 && (headerValue(lines, 'content-type') ?? '').toLowerCase().startsWith('text/event-stream');
    if (!call) return sse;
    call.status = status;
    this.t.host.firstByte(call);
    if (call.method === 'initialize') {
      const id = headerValue(lines, 'mcp-session-id');
      if (id) this.t.host.sessionIdIssued(flat(id));
    }
    return sse;
  }

  /** SSE event on a response stream: a JSON-RPC message (priming events have empty data). */
  onEvent(ev: SseEvent): void {
    if (this.standalone) this.t.streamEvent(ev.lastEventId);
    if (!ev.data || ev.event !== 'message') return;
    this.#deliver(tryParse(ev.data));
  }

  #deliver(v: unknown): boolean {
    if (Array.isArray(v)) {
      for (const m of v) this.#deliver(m);
      return v.length > 0;
    }
    if (!v || typeof v !== 'object') return false;
    this.t.host.receive(v as JsonRpcMessage, this.call, this.standalone);
    return true;
  }

  protected settle(err: Error | undefined): void {
    this.t.done(this);
    this.onSettled?.(this);
    if (this.standalone) {
      this.sse?.end();
      this.t.streamEnded(this, err ? 0 : this.status, this.sse?.retryMs);
      return;
    }
    const call = this.call;
    if (call && call.carrier === this) call.carrier = null;
    const sse = this.sse;
    if (call && !call.done && sse && sse.lastEventId && !(err instanceof McpError) && this.t.canResume(call)) {
      // The stream ended (or broke) before the response, but the server gave us a cursor.
      sse.end();
      this.t.resume(call, sse.lastEventId, sse.retryMs);
      return;
    }
    if (err) {
      const e = err instanceof McpError ? err : transportError(err, `${this.method} ${this.t.target}`);
      if (call) {
        if (!call.done) this.t.host.fail(call, e);
      } else this.done?.(e);
      return;
    }
    const status = this.status;
    if (sse) sse.end();
    else if (status >= 200 && status < 300) {
      const text = call ? this.text() : '';
      if (call && text) {
        const v = tryParse(text);
        if (!this.#deliver(v) && !call.done) {
          this.t.host.fail(call, new McpError('transport_error', `the response (HTTP ${status}) is not JSON-RPC: ${text.slice(0, 120)}`, 'EPROTO', status));
        }
      }
    } else {
      const { error, message } = errorOfStatus(status, this.statusText, this.text());
      if (call) {
        if (!call.done) {
          // 404 to a request that carried a session id: the session is gone, whatever the body
          // (the official SDK answers {"error":{"code":-32001,"message":"Session not found"}}).
          if (status === 404 && call.sentSessionId) this.t.host.expired(call, error);
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
