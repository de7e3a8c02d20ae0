/**
 * One MCP session of one VU: id allocation, the pending map (responses are matched by id, in any
 * order, with notifications and server requests interleaved), timeouts with cancellation, the
 * legacy handshake and its 404 re-initialize, the modern `_meta` envelope, and the samples.
 * Calls never throw: they resolve with the result, or with `{ error }` shaped like the result.
 */
import { performance } from 'node:perf_hooks';
import { parseDuration } from '../../duration.js';
import { METRIC } from '../../metrics/builtin.js';
import type { VuResource, VuScope } from '../vu-contract.js';
import { PendingCall, PendingCalls } from './call.js';
import { noteListed } from './coverage.js';
import { McpError } from './errors.js';
import { classifyProbe, type EraDecision } from './era-detect.js';
import {
  JSONRPC_ERRORS,
  META_CLIENT_CAPABILITIES,
  META_CLIENT_INFO,
  META_PROTOCOL_VERSION,
  encodeError,
  encodeNotification,
  encodeRequest,
  encodeResult,
  idKey,
  paramsJson,
} from './jsonrpc.js';
import type { ClientHandlers, HandlerSession } from './handler-types.js';
import { nameTagValue, recordData, recordFailure, recordSuccess, sessionTags, type SessionTagBase } from './metrics.js';
import { answerServerRequest, fulfilInputRequests, type RequestSite } from './server-requests.js';
import { listen } from './subscriptions.js';
import { callToolTask } from './tasks.js';
import { failureValue, toolErrorCode, toolErrorText } from './results.js';
import type { ByteCount, McpTransport, TransportHost } from './transports/types.js';
import type {
  CallOptions,
  CallToolResult,
  Era,
  GetPromptResult,
  JsonRpcMessage,
  ListPromptsResult,
  ListResourcesResult,
  ListToolsResult,
  McpResult,
  McpSession,
  ProgressHandler,
  ProgressParams,
  ReadResourceResult,
  Subscription,
  SubscriptionFilter,
  TaskCallOptions,
  TaskToolResult,
  ToolList,
  TransportKind,
} from './types.js';
import { LATEST_MODERN_VERSION } from './versions.js';
import { safeTimeout } from '../../timers.js';


export interface ResolvedSessionOptions {
  clientInfo: Record<string, unknown>;
  capabilities: Record<string, unknown>;
  timeoutMs: number;
  connectTimeoutMs: number;
  deleteSessionOnClose: boolean;
  tags: Record<string, string> | undefined;
  onNotification: ((msg: JsonRpcMessage) => void) | undefined;
  /** Answers to server requests and MRTR input requests (their capabilities are in `capabilities`). */
  handlers: ClientHandlers | undefined;
  /** After a 404 re-initialize, re-send tools/call too (tools may not be idempotent). */
  retryCallsOnReinit: boolean;
}

/** Requests a 404 re-initialize re-sends: reads that do the same thing twice. */
const IDEMPOTENT = new Set(['tools/list', 'resources/list', 'resources/templates/list', 'resources/read', 'prompts/list', 'prompts/get', 'ping', 'completion/complete', 'server/discover']);

/** MRTR rounds for one call before it fails (the v2 SDK's server default is 8 too). */
const MAX_INPUT_ROUNDS = 8;

export type NotificationListener = (message: JsonRpcMessage) => void;

const EMPTY: Record<string, unknown> = {};

/** Scratch for #account (synchronous): one object for every session. */
const BYTES: ByteCount = { sent: 0, received: 0 };

/** One tag base per transport and era, shared by every session (not one object per session). */
const TAG_BASES = new Map<string, SessionTagBase>();
function tagBaseOf(transport: TransportKind, era: Era): SessionTagBase {
  const key = `${transport}/${era}`;
  let b = TAG_BASES.get(key);
  if (!b) TAG_BASES.set(key, (b = Object.freeze({ transport, era })));
  return b;
}
const MAX_PAGES = 1000;

/** One session; the VU owns it from connect() until close() (interrupts it when stopped, closes it when it retires). */
export class McpSessionImpl implements TransportHost, VuResource, McpSession, RequestSite {
  readonly pending = new PendingCalls();
  transport!: McpTransport;
  era: Era = 'legacy';
  protocolVersion = '';
  sessionId: string | undefined;
  serverInfo: Record<string, unknown> | undefined;
  serverCapabilities: Record<string, unknown> | undefined;
  instructions: string | undefined;
  /** Notifications received that were not progress for a pending call. */
  notifications = 0;
  /** Responses whose request had already timed out (or was unknown). */
  lateResponses = 0;
  #nextId = 1;
  #envelope = '';
  #tagBase: SessionTagBase = tagBaseOf('streamable-http', 'legacy');
  #closed = false;
  #closing: Promise<void> | undefined;
  #opened = false;
  #reinit: Promise<McpError | undefined> | null = null;
  #requestedVersion = '';
  /** Parsed per-call `timeout` strings (created on first use: idle sessions stay small). */
  #durations: Map<string | number, number> | undefined;
  /** Errors already recorded as a failed request (connect() records the others as method `connect`). */
  #recorded: WeakSet<McpError> | undefined;
  /** s.on(method, fn) listeners (created on first use). */
  #listeners: Map<string, NotificationListener[]> | undefined;
  /** The modern era's `server/discover` result (`s.discover`). */
  discovered: Record<string, unknown> | undefined;

  constructor(
    readonly ctx: VuScope,
    readonly opts: ResolvedSessionOptions,
    /** performance.now() when the script called connect(). */
    readonly t0: number,
  ) {}

  attach(t: McpTransport): void {
    this.transport = t;
    this.#tagBase = tagBaseOf(t.kind, this.era);
  }

  get transportKind(): TransportKind {
    return this.transport.kind;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get pid(): number | undefined {
    return this.transport.pid;
  }

  stderr(): string {
    return this.transport.stderrText?.() ?? '';
  }

  // ---------------------------------------------------------------- era set-up (connect.ts)

  /** `server/discover` with the modern envelope, not recorded; decides the era. */
  async probe(): Promise<EraDecision> {
    this.transport.configure(undefined, LATEST_MODERN_VERSION, 'modern');
    this.#setEnvelope(LATEST_MODERN_VERSION);
    const v = await this.#send('server/discover', undefined, undefined, undefined, false, this.opts.connectTimeoutMs);
    this.#envelope = '';
    this.transport.configure(undefined, undefined, 'legacy');
    if (v.error) {
      if (v.error.kind === 'transport_error' || v.error.kind === 'interrupted') throw v.error;
      return classifyProbe({ error: v.error });
    }
    const d = classifyProbe({ result: v });
    if (d.era === 'modern') d.discover = v;
    return d;
  }

  /** The `server/discover` result kept on the session: server info, capabilities, instructions. */
  #keepDiscover(v: Record<string, unknown>): void {
    this.discovered = v;
    const meta = v._meta as Record<string, unknown> | undefined;
    const info = meta?.['io.modelcontextprotocol/serverInfo'];
    if (info && typeof info === 'object') this.serverInfo = info as Record<string, unknown>;
    if (v.capabilities && typeof v.capabilities === 'object') this.serverCapabilities = v.capabilities as Record<string, unknown>;
    if (typeof v.instructions === 'string') this.instructions = v.instructions;
  }

  startModern(version: string, discover?: Record<string, unknown>): void {
    if (discover) this.#keepDiscover(discover);
    this.era = 'modern';
    this.protocolVersion = version;
    this.#tagBase = tagBaseOf(this.transport.kind, 'modern');
    this.#setEnvelope(version);
    this.transport.configure(undefined, version, 'modern');
  }

  #setEnvelope(version: string): void {
    this.#envelope = `${JSON.stringify(META_PROTOCOL_VERSION)}:${JSON.stringify(version)},${JSON.stringify(META_CLIENT_CAPABILITIES)}:${JSON.stringify(this.opts.capabilities)},${JSON.stringify(META_CLIENT_INFO)}:${JSON.stringify(this.opts.clientInfo)}`;
  }

  /** The legacy handshake: initialize, then notifications/initialized. Throws the McpError on failure. */
  async startLegacy(version: string): Promise<void> {
    this.era = 'legacy';
    this.#requestedVersion = version;
    this.#tagBase = tagBaseOf(this.transport.kind, 'legacy');
    const err = await this.#handshake(this.t0);
    if (err) throw err;
  }

  async #handshake(t0: number): Promise<McpError | undefined> {
    this.sessionId = undefined;
    this.transport.configure(undefined, undefined, 'legacy');
    const v = await this.#send(
      'initialize',
      { protocolVersion: this.#requestedVersion, capabilities: this.opts.capabilities, clientInfo: this.opts.clientInfo },
      undefined,
      undefined,
      true,
      this.opts.connectTimeoutMs,
    );
    if (v.error) return v.error;
    this.protocolVersion = typeof v.protocolVersion === 'string' ? v.protocolVersion : this.#requestedVersion;
    this.serverInfo = v.serverInfo as Record<string, unknown> | undefined;
    this.serverCapabilities = v.capabilities as Record<string, unknown> | undefined;
    this.instructions = typeof v.instructions === 'string' ? v.instructions : undefined;
    this.transport.configure(this.sessionId, this.protocolVersion, 'legacy');
    const e = await this.transport.notify(encodeNotification('notifications/initialized'), 'notifications/initialized');
    if (e) return e;
    this.ctx.store.add(METRIC.mcp_session_init_duration, performance.now() - t0, sessionTags(this.ctx.tags, this.#tagBase, this.opts.tags));
    return undefined;
  }

  /** The session is ready: count it, and make sure it is closed when the VU retires. */
  opened(): void {
    this.#opened = true;
    const ctx = this.ctx;
    ctx.store.add(METRIC.mcp_sessions, 1, sessionTags(ctx.tags, this.#tagBase, this.opts.tags));
    ctx.services.mcp.sessions.inc();
    this.#account();
    this.transport.ready?.();
  }

  wasRecorded(err: McpError): boolean {
    return this.#recorded?.has(err) ?? false;
  }

  #markRecorded(err: McpError): void {
    (this.#recorded ??= new WeakSet()).add(err);
  }

  /** connect() failed other than by a recorded request: one failed sample with method `connect`. */
  recordConnectFailure(err: McpError): void {
    if (err.kind === 'interrupted' || this.wasRecorded(err)) return;
    this.#markRecorded(err);
    const now = performance.now();
    recordFailure(this.ctx, this.ctx.tags, { transport: this.transport.kind, era: 'unknown' }, 'connect', undefined, 0, err, now - this.t0, -1, this.opts.tags);
    this.#account();
  }

  // ---------------------------------------------------------------- requests

  #timeoutOf(t: string | number | undefined): number {
    if (t === undefined) return this.opts.timeoutMs;
    const cache = (this.#durations ??= new Map());
    let ms = cache.get(t);
    if (ms === undefined) {
      ms = parseDuration(t, 'mcp call option timeout', { allowZero: false });
      if (cache.size > 64) cache.clear();
      cache.set(t, ms);
    }
    return ms;
  }

  /** Sends one request; resolves with the result (or `{ error }`), never rejects. */
  #send(method: string, params: Record<string, unknown> | undefined, name: string | undefined, o: CallOptions | undefined, recorded: boolean, timeoutMs?: number): Promise<McpResult> {
    const t0 = performance.now();
    if (this.ctx.stopped) return Promise.resolve(failureValue(method, new McpError('interrupted', 'the VU was stopped')));
    const id = this.#nextId++;
    let onProgress: ProgressHandler | undefined;
    let token: number | undefined;
    if (o) {
      onProgress = o.onProgress;
      if (onProgress || o.progress) token = id;
      if (o.meta) params = { ...params, _meta: { ...((params?._meta as Record<string, unknown>) ?? EMPTY), ...o.meta } };
    }
    const ms = timeoutMs ?? this.#timeoutOf(o?.timeout);
    const body = encodeRequest(id, method, paramsJson(params, token, this.#envelope));
    const userTags = o?.tags ? (this.opts.tags ? { ...this.opts.tags, ...o.tags } : o.tags) : this.opts.tags;
    const call = new PendingCall(id, method, name, body, t0, ms, onProgress, userTags, recorded, o?.resetTimeoutOnProgress ?? false);
    // Read now: the response arrives in a socket's callback, outside the group the call was made in.
    call.vuTags = this.ctx.tags;
    if (this.era === 'modern' && recorded) {
      // Kept for an `input_required` retry (MRTR).
      call.params = params;
      call.progress = token !== undefined;
    }
    const p = new Promise<McpResult>((resolve) => {
      call.resolve = resolve as (value: unknown) => void;
    });
    this.pending.set(call);
    call.timer = safeTimeout(onCallTimeout, ms, this, call);
    if (this.#closed) this.fail(call, new McpError('transport_error', 'the session is closed'));
    else if (this.#reinit && method !== 'initialize') {
      // A re-initialize is under way: send with the new session id once it is done.
      void this.#reinit.then(() => this.#resend(call));
    } else this.transport.request(call);
    return p;
  }

  // ---------------------------------------------------------------- TransportHost

  receive(msg: JsonRpcMessage, via: PendingCall | null, standalone?: boolean): void {
    const method = msg.method;
    const id = msg.id;
    if (method === undefined) {
      let call = id === undefined || id === null ? undefined : this.pending.get(idKey(id));
      // An error without an id (parse error, "Server not initialized") on a request's own response.
      if (!call && (id === undefined || id === null) && msg.error && via && !via.done) call = via;
      if (!call) {
        this.lateResponses++;
        return;
      }
      this.#settle(call, msg);
      return;
    }
    if (id !== undefined && id !== null) {
      this.#serverRequest(method, id, msg.params, via);
      return;
    }
    if (method === 'notifications/progress') {
      const params = msg.params as ProgressParams | undefined;
      const call = params ? this.pending.get(idKey(params.progressToken)) : undefined;
      if (call && !call.done) {
        const first = call.progressEvents++ === 0;
        const now = performance.now();
        if (!call.tFirst) call.tFirst = now;
        if (call.recorded) {
          const tags = sessionTags(call.vuTags, this.#tagBase, call.userTags ? { ...call.userTags, method: call.method } : { method: call.method });
          if (call.name !== undefined && call.method === 'tools/call') (tags as Record<string, string>).tool = nameTagValue(this.ctx, call.name)!;
          this.ctx.store.add(METRIC.mcp_progress_events, 1, tags);
          if (first) this.ctx.store.add(METRIC.mcp_req_first_progress, now - call.t0, tags);
        }
        if (call.resetTimeoutOnProgress && call.timer) call.timer.refresh();
        if (call.onProgress) {
          try {
            call.onProgress(params!);
          } catch {
            // A throwing progress callback must not lose the call's result.
          }
        }
        return;
      }
    }
    this.#notification(method, msg, via ? (via.method === 'subscriptions/listen' ? 'subscription' : 'request') : standalone ? 'standalone' : this.transport.kind === 'streamable-http' ? 'request' : 'session');
  }

  /** A notification: counted (tags `method`, `stream`), then given to onNotification and the s.on() listeners. */
  #notification(method: string, msg: JsonRpcMessage, stream: 'request' | 'standalone' | 'session' | 'subscription'): void {
    this.notifications++;
    this.ctx.store.add(METRIC.mcp_notifications, 1, sessionTags(this.ctx.tags, this.#tagBase, this.opts.tags ? { ...this.opts.tags, method, stream } : { method, stream }));
    if (this.opts.onNotification) deliver(this.opts.onNotification, msg);
    const l = this.#listeners;
    if (!l) return;
    const exact = l.get(method);
    if (exact) for (const fn of exact) deliver(fn, msg);
    const any = l.get('*');
    if (any) for (const fn of any) deliver(fn, msg);
  }

  /** Server-to-client requests: answered by the scenario's handlers (ping by mcprun), on the channel they came on. */
  #serverRequest(method: string, id: string | number, params: Record<string, unknown> | undefined, via: PendingCall | null): void {
    const call = via ? { method: via.method, name: via.name } : undefined;
    void answerServerRequest(this, this.opts.handlers, method, params, call).then((a) => {
      if (this.#closed) return;
      this.transport.respond('error' in a ? encodeError(id, a.error.code, a.error.message) : encodeResult(id, a.result));
      this.#account();
    });
  }

  /** RequestSite: the tags of this session's samples. */
  tags(): Record<string, string> {
    return sessionTags(this.ctx.tags, this.#tagBase, this.opts.tags) as Record<string, string>;
  }

  get session(): HandlerSession {
    return this;
  }

  /** Listen to notifications of `method` ('*': all that are not progress for a call). Streamable HTTP opens the standalone stream for them. */
  on(method: string, fn: NotificationListener): () => void {
    const l = (this.#listeners ??= new Map());
    const list = l.get(method) ?? [];
    list.push(fn);
    l.set(method, list);
    if (!this.#closed && this.era === 'legacy') this.transport.openStream?.();
    return () => {
      const i = list.indexOf(fn);
      if (i !== -1) list.splice(i, 1);
    };
  }

  firstByte(call: PendingCall): void {
    if (!call.tFirst) call.tFirst = performance.now();
  }

  #settle(call: PendingCall, msg: JsonRpcMessage): void {
    if (call.done) return;
    if (!msg.error && msg.result?.resultType === 'input_required' && this.era === 'modern') {
      this.#inputRequired(call, msg.result);
      return;
    }
    call.done = true;
    this.pending.delete(call.id);
    if (call.timer) clearTimeout(call.timer);
    const now = performance.now();
    const duration = now - call.t0;
    const ttfb = (call.tFirst || now) - call.t0;
    if (msg.error) {
      const e = msg.error;
      const err = new McpError(call.status === 401 ? 'auth' : 'jsonrpc_error', `JSON-RPC error ${e.code}: ${e.message}${call.status >= 300 ? ` (HTTP ${call.status})` : ''}`, e.code, call.status || undefined, e.data);
      if (call.recorded) {
        recordFailure(this.ctx, call.vuTags, this.#tagBase, call.method, call.name, call.status, err, duration, ttfb, call.userTags);
        this.#markRecorded(err);
      }
      this.#account();
      call.resolve(failureValue(call.method, err));
      return;
    }
    const result = (msg.result && typeof msg.result === 'object' ? msg.result : {}) as McpResult;
    if (call.method === 'tools/call' && result.isError === true) {
      const text = toolErrorText(result);
      const err = new McpError('tool_error', text, toolErrorCode(text), call.status || undefined);
      result.error = err;
      if (call.recorded) recordFailure(this.ctx, call.vuTags, this.#tagBase, call.method, call.name, call.status, err, duration, ttfb, call.userTags);
    } else if (call.recorded) {
      recordSuccess(this.ctx, call.vuTags, this.#tagBase, call.method, call.name, call.status, duration, ttfb, call.userTags);
    }
    this.#account();
    if (call.recorded && call.method.endsWith('/list')) noteListed(this.ctx, call.method, result);
    call.resolve(result);
  }

  /**
   * 2026-07-28 MRTR: the server needs input before it can answer. This round's request is over
   * (not recorded); the handlers answer the input requests and the same call is sent again, with
   * `inputResponses` and the echoed `requestState`, under a new id. The retries and the first
   * request are one logical call: one sample, timed from the script's ask, plus mcp_mrtr_rounds.
   */
  #inputRequired(call: PendingCall, result: Record<string, unknown>): void {
    call.done = true;
    this.pending.delete(call.id);
    if (call.timer) clearTimeout(call.timer);
    const next = new PendingCall(this.#nextId++, call.method, call.name, '', call.t0, call.timeoutMs, call.onProgress, call.userTags, call.recorded, call.resetTimeoutOnProgress);
    next.vuTags = call.vuTags;
    next.resolve = call.resolve;
    next.progress = call.progress;
    next.rounds = call.rounds + 1;
    next.progressEvents = call.progressEvents;
    next.tFirst = call.tFirst;
    const fail = (err: McpError): void => {
      this.pending.set(next);
      this.fail(next, err);
    };
    if (next.rounds > MAX_INPUT_ROUNDS) return fail(new McpError('handler_error', `${call.method}${call.name ? ` ${call.name}` : ''} still needed input after ${MAX_INPUT_ROUNDS} rounds`));
    if (result.inputRequests === undefined && typeof result.requestState !== 'string') {
      return fail(new McpError('transport_error', `an input_required result for ${call.method} carries neither inputRequests nor requestState`, 'EPROTO'));
    }
    void fulfilInputRequests(this, this.opts.handlers, result.inputRequests, { method: call.method, name: call.name }).then((a) => {
      if ('error' in a) return fail(a.error);
      if (this.#closed || this.ctx.stopped) return fail(new McpError('interrupted', 'the VU was stopped'));
      const params: Record<string, unknown> = { ...call.params, inputResponses: a.responses };
      if (typeof result.requestState === 'string') params.requestState = result.requestState;
      else delete params.requestState;
      next.params = params;
      next.body = encodeRequest(next.id, next.method, paramsJson(params, next.progress ? next.id : undefined, this.#envelope));
      if (call.recorded) {
        const tags = sessionTags(call.vuTags, this.#tagBase, call.userTags ? { ...call.userTags, method: call.method } : { method: call.method });
        if (call.name !== undefined && call.method === 'tools/call') (tags as Record<string, string>).tool = nameTagValue(this.ctx, call.name)!;
        this.ctx.store.add(METRIC.mcp_mrtr_rounds, 1, tags);
      }
      this.pending.set(next);
      next.timer = safeTimeout(onCallTimeout, next.timeoutMs, this, next);
      this.transport.request(next);
    });
  }

  fail(call: PendingCall, err: McpError): void {
    if (call.done) return;
    call.done = true;
    this.pending.delete(call.id);
    if (call.timer) clearTimeout(call.timer);
    const now = performance.now();
    if (call.recorded && err.kind !== 'interrupted') {
      recordFailure(this.ctx, call.vuTags, this.#tagBase, call.method, call.name, call.status, err, now - call.t0, call.tFirst ? call.tFirst - call.t0 : -1, call.userTags);
      this.#markRecorded(err);
    }
    this.#account();
    call.resolve(failureValue(call.method, err));
  }

  /** Timer callback: fail the call, then cancel it (notifications/cancelled, abort the HTTP request). */
  timeout(call: PendingCall): void {
    if (call.done) return;
    this.fail(call, new McpError('timeout', `no response to ${call.method}${call.name ? ` ${call.name}` : ''} within ${call.timeoutMs} ms`, 'ETIMEDOUT', call.status || undefined));
    // initialize must not be cancelled; modern HTTP cancels by closing the stream.
    if (call.method !== 'initialize' && !(this.era === 'modern' && this.transport.kind === 'streamable-http')) {
      void this.transport.notify(encodeNotification('notifications/cancelled', { requestId: call.id, reason: `timeout after ${call.timeoutMs} ms` }), 'notifications/cancelled');
    }
    this.transport.abandon(call);
  }

  /**
   * HTTP 404 to a request that carried a session id (with or without a JSON-RPC body): the
   * server forgot the session. It is initialized again once (concurrent 404s share it); the call
   * is re-sent if it is idempotent (reads, ping; tools/call with `retryCallsOnReinit`), else it
   * fails as it was answered.
   */
  expired(call: PendingCall, answer?: McpError): void {
    if (call.done) return;
    const gone = answer ?? new McpError('http_error', `HTTP 404: the server no longer knows session ${call.sentSessionId}`, undefined, 404);
    if (this.era !== 'legacy' || call.retried || call.method === 'initialize' || this.#closed || !this.sessionId) {
      this.fail(call, gone);
      return;
    }
    call.retried = true;
    const retry = IDEMPOTENT.has(call.method) || (call.method === 'tools/call' && this.opts.retryCallsOnReinit);
    if (!retry) {
      this.fail(call, gone);
      if (!this.#reinit && call.sentSessionId === this.sessionId) this.#startReinit();
      return;
    }
    if (!this.#reinit && call.sentSessionId !== this.sessionId) {
      // Sent before a re-initialize that has finished since: just send it again.
      this.#resend(call);
      return;
    }
    if (!this.#reinit) this.#startReinit();
    void this.#reinit!.then((err) => {
      if (err) this.fail(call, new McpError(err.kind, `re-initialize after HTTP 404 failed: ${err.message}`, err.code, err.status, err.data));
      else this.#resend(call);
    });
  }

  #startReinit(): void {
    this.ctx.store.add(METRIC.mcp_session_reinit, 1, sessionTags(this.ctx.tags, this.#tagBase, this.opts.tags));
    this.#reinit = this.#handshake(performance.now()).then((err) => {
      // The new session's standalone stream (if the old one had one).
      if (!err && !this.#closed) this.transport.ready?.();
      return err;
    });
    void this.#reinit.finally(() => {
      this.#reinit = null;
    });
  }

  #resend(call: PendingCall): void {
    if (call.done) return;
    call.status = 0;
    call.tFirst = 0;
    this.transport.request(call);
  }

  sessionIdIssued(id: string): void {
    this.sessionId = id;
  }

  lost(err: McpError): void {
    if (this.pending.size) for (const call of this.pending.list()) this.fail(call, err);
  }

  /** @internal the VU was stopped: end every call now, record nothing. */
  interrupt(): void {
    if (!this.pending.size) return;
    const err = new McpError('interrupted', 'the VU was stopped');
    for (const call of this.pending.list()) {
      this.fail(call, err);
      this.transport.abandon(call);
    }
  }

  #account(): void {
    const b = BYTES;
    this.transport.takeBytes(b);
    if (b.sent || b.received) {
      recordData(this.ctx, b.sent, b.received);
      b.sent = 0;
      b.received = 0;
    }
  }

  // ---------------------------------------------------------------- public API

  request<T extends McpResult = McpResult>(method: string, params?: Record<string, unknown>, options?: CallOptions): Promise<T> {
    const name = method === 'tools/call' || method === 'prompts/get' ? (params?.name as string | undefined) : method === 'resources/read' ? (params?.uri as string | undefined) : undefined;
    return this.#send(method, params, name, options, true) as Promise<T>;
  }

  async notify(method: string, params?: Record<string, unknown>): Promise<void> {
    if (this.#closed) return;
    const err = await this.transport.notify(encodeNotification(method, params), method);
    this.#account();
    if (err) throw err;
  }

  callTool(name: string, args?: Record<string, unknown>, options?: CallOptions): Promise<CallToolResult> {
    return this.#send('tools/call', args === undefined ? { name } : { name, arguments: args }, name, options, true) as Promise<CallToolResult>;
  }

  listTools(params?: { cursor?: string }, options?: CallOptions): Promise<ListToolsResult> {
    return this.#send('tools/list', params?.cursor === undefined ? undefined : { cursor: params.cursor }, undefined, options, true) as Promise<ListToolsResult>;
  }

  /** Every page of tools/list (follows nextCursor); each page is one request. */
  async listAllTools(options?: CallOptions): Promise<ToolList> {
    const tools = [] as unknown as ToolList;
    tools.pages = 0;
    const seen = new Set<string>();
    let cursor: string | undefined;
    do {
      const page = await this.listTools(cursor === undefined ? undefined : { cursor }, options);
      tools.pages++;
      if (page.error) {
        tools.error = page.error;
        break;
      }
      if (Array.isArray(page.tools)) for (const t of page.tools) tools.push(t);
      cursor = typeof page.nextCursor === 'string' && page.nextCursor !== '' ? page.nextCursor : undefined;
      if (cursor !== undefined) {
        if (seen.has(cursor) || tools.pages >= MAX_PAGES) {
          tools.error = new McpError('transport_error', `tools/list pagination does not end (cursor ${JSON.stringify(cursor)} after ${tools.pages} pages)`, 'ELOOP');
          break;
        }
        seen.add(cursor);
      }
    } while (cursor !== undefined);
    return tools;
  }

  listResources(params?: { cursor?: string }, options?: CallOptions): Promise<ListResourcesResult> {
    return this.#send('resources/list', params?.cursor === undefined ? undefined : { cursor: params.cursor }, undefined, options, true) as Promise<ListResourcesResult>;
  }

  readResource(uri: string, options?: CallOptions): Promise<ReadResourceResult> {
    return this.#send('resources/read', { uri }, uri, options, true) as Promise<ReadResourceResult>;
  }

  listPrompts(params?: { cursor?: string }, options?: CallOptions): Promise<ListPromptsResult> {
    return this.#send('prompts/list', params?.cursor === undefined ? undefined : { cursor: params.cursor }, undefined, options, true) as Promise<ListPromptsResult>;
  }

  getPrompt(name: string, args?: Record<string, string>, options?: CallOptions): Promise<GetPromptResult> {
    return this.#send('prompts/get', args === undefined ? { name } : { name, arguments: args }, name, options, true) as Promise<GetPromptResult>;
  }

  /** A task-augmented tools/call: polled with tasks/get until done, then tasks/result (mcp_task_duration). */
  callToolTask(name: string, args?: Record<string, unknown>, options?: TaskCallOptions): Promise<TaskToolResult> {
    return callToolTask(this, name, args, options);
  }

  /**
   * 2026-07-28 `subscriptions/listen`: a long-lived request whose stream carries the notifications
   * asked for (counted in mcp_notifications, given to s.on() listeners). Resolves once the server
   * acknowledged; `close()` ends the subscription (closing its stream is the cancel).
   */
  listen(notifications: SubscriptionFilter, options?: CallOptions): Promise<Subscription> {
    return listen(this, notifications, options);
  }

  /** @internal listen(): send a request that is not a sample until it ends, and stop it. */
  openRequest(method: string, params: Record<string, unknown>, options: CallOptions | undefined): { id: number; done: Promise<McpResult>; cancel(): void } {
    const id = this.#nextId;
    const done = this.#send(method, params, undefined, options, false, 2 ** 31 - 1);
    return {
      id,
      done,
      cancel: () => {
        const call = this.pending.get(id);
        if (!call) return;
        this.fail(call, new McpError('interrupted', 'subscription closed'));
        this.transport.abandon(call);
      },
    };
  }

  /** `server/discover` (modern era): the result is also kept (serverInfo, serverCapabilities, instructions, `discovered`). */
  async discover(options?: CallOptions): Promise<McpResult> {
    const v = await this.#send('server/discover', undefined, undefined, options, true);
    if (!v.error) this.#keepDiscover(v);
    return v;
  }

  /** Legacy era only (modern servers answer -32601). */
  ping(options?: CallOptions): Promise<McpResult> {
    return this.#send('ping', undefined, undefined, options, true);
  }

  /** @internal the VU retires: the session is closed for it. */
  release(): Promise<void> {
    return this.close();
  }

  /** Ends the session: pending calls fail, DELETE is sent (legacy HTTP with a session id) unless `deleteSession: false`. */
  close(options?: { deleteSession?: boolean }): Promise<void> {
    if (this.#closing) return this.#closing;
    this.#closed = true;
    this.#closing = this.#close(options?.deleteSession ?? this.opts.deleteSessionOnClose);
    return this.#closing;
  }

  async #close(deleteSession: boolean): Promise<void> {
    if (this.pending.size) {
      const err = new McpError('transport_error', 'the session was closed while the request was in flight');
      for (const call of this.pending.list()) {
        this.fail(call, err);
        this.transport.abandon(call);
      }
    }
    try {
      await this.transport.close(deleteSession);
    } catch {
      // A server that is gone cannot be told goodbye.
    }
    this.ctx.disown(this);
    if (this.#opened) {
      const ctx = this.ctx;
      this.#account();
      ctx.store.add(METRIC.mcp_session_duration, performance.now() - this.t0, sessionTags(ctx.tags, this.#tagBase, this.opts.tags));
      ctx.services.mcp.sessions.dec();
    }
  }
}

function deliver(fn: NotificationListener, msg: JsonRpcMessage): void {
  try {
    fn(msg);
  } catch {
    // A throwing listener must not break the session.
  }
}

function onCallTimeout(s: McpSessionImpl, call: PendingCall): void {
  s.timeout(call);
}
