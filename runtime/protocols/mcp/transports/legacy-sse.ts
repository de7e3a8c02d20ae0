/**
 * The deprecated HTTP+SSE transport (2024-11-05): `GET /sse` opens a stream whose first event,
 * `endpoint`, names the POST path; every POST is answered 202 and the JSON-RPC responses arrive
 * as `message` events on the GET stream, matched by id. Each session holds one long-lived GET.
 */
import type { PendingCall } from '../call.js';
import { McpError, transportError } from '../errors.js';
import type { JsonRpcMessage } from '../types.js';
import { SseParser, type SseEvent } from '../sse-parser.js';
import { USER_AGENT, concat, errorOfStatus, readHeads, tryParse, userHeaderList } from './http-common.js';
import type { HttpTransportOptions } from './streamable-http.js';
import { TrackedPool, type PooledHandler } from './http-pool.js';
import type { ByteCount, McpTransport, TransportHost } from './types.js';
import { safeTimeout } from '../../../timers.js';

export class LegacySseTransport implements McpTransport {
  readonly kind = 'sse' as const;
  readonly #url: URL;
  readonly #pools = new Map<string, TrackedPool>();
  readonly #postHeaders: string[];
  readonly #user: string[];
  #endpoint: URL | undefined;
  #stream: StreamHandler | undefined;
  #closed = false;

  constructor(
    readonly target: string,
    readonly host: TransportHost,
    readonly opts: HttpTransportOptions,
  ) {
    this.#url = new URL(target);
    this.#user = userHeaderList(opts.headers);
    this.#postHeaders = ['content-type', 'application/json', 'accept', 'application/json, text/event-stream', 'user-agent', USER_AGENT, ...this.#user];
  }

  #pool(origin: string): TrackedPool {
    let p = this.#pools.get(origin);
    if (!p) {
      // The GET stream holds one connection for the whole session; POSTs need others.
      p = new TrackedPool(origin, Math.max(2, this.opts.maxConnections + 1), this.opts.connectTimeoutMs, this.opts.conns, this.opts.sources);
      this.#pools.set(origin, p);
    }
    return p;
  }

  open(): Promise<void> {
    return new Promise((resolve, reject) => {
      const h = new StreamHandler(this, resolve, reject);
      this.#stream = h;
      const timer = safeTimeout(() => h.abortNow(new McpError('timeout', `no \`endpoint\` event from ${this.target} within ${this.opts.connectTimeoutMs} ms`)), this.opts.connectTimeoutMs);
      h.onOpened = () => clearTimeout(timer);
      h.pool = this.#pool(this.#url.origin);
      h.pool.send(
        {
          origin: this.#url.origin,
          path: `${this.#url.pathname}${this.#url.search}`,
          method: 'GET',
          headers: ['accept', 'text/event-stream', 'cache-control', 'no-cache', 'user-agent', USER_AGENT, ...this.#user],
        },
        h,
      );
    });
  }

  /** The stream named the POST endpoint (relative to the SSE URL). */
  endpoint(data: string): boolean {
    try {
      this.#endpoint = new URL(data.trim(), this.#url);
      return true;
    } catch {
      return false;
    }
  }

  configure(): void {}

  request(call: PendingCall): void {
    this.#post(call.body, new SsePostHandler(this, call, null));
  }

  notify(body: string): Promise<McpError | undefined> {
    return new Promise((resolve) => this.#post(body, new SsePostHandler(this, null, resolve)));
  }

  respond(body: string): void {
    void this.notify(body);
  }

  #post(body: string, h: SsePostHandler): void {
    const ep = this.#endpoint;
    if (this.#closed || !ep) {
      h.onError(new McpError('transport_error', this.#closed ? 'the session is closed' : 'the SSE stream has not named its endpoint'));
      return;
    }
    h.pool = this.#pool(ep.origin);
    h.pool.send({ origin: ep.origin, path: `${ep.pathname}${ep.search}`, method: 'POST', headers: this.#postHeaders, body }, h);
  }

  abandon(call: PendingCall): void {
    const abort = call.abort;
    call.abort = null;
    abort?.();
  }

  takeBytes(out: ByteCount): void {
    for (const p of this.#pools.values()) p.takeBytes(out);
  }

  streamEnded(err: McpError): void {
    if (!this.#closed) this.host.lost(err);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#stream?.abortNow(new McpError('transport_error', 'session closed'));
    await Promise.all([...this.#pools.values()].map((p) => p.destroy()));
  }
}

/** The long-lived GET: endpoint first, then every response and notification. */
class StreamHandler implements PooledHandler {
  poolSlot = -1;
  pool: TrackedPool | null = null;
  #sse: SseParser | null = null;
  #abort: ((err?: Error) => void) | null = null;
  #opened = false;
  #ended = false;
  #status = 0;
  #statusText = '';
  #chunks: Buffer[] = [];
  onOpened: (() => void) | null = null;

  constructor(
    readonly t: LegacySseTransport,
    readonly resolve: () => void,
    readonly reject: (err: McpError) => void,
  ) {}

  onConnect(abort: (err?: Error) => void): void {
    this.#abort = abort;
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], _resume: () => void, statusText: string): boolean {
    if (statusCode < 200) return true;
    this.#status = statusCode;
    this.#statusText = statusText;
    if (statusCode === 200 && readHeads(rawHeaders).contentType.startsWith('text/event-stream')) this.#sse = new SseParser(this);
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.#sse) this.#sse.push(chunk);
    else if (this.#chunks.length < 64) this.#chunks.push(chunk);
    return true;
  }

  onEvent(ev: SseEvent): void {
    if (ev.event === 'endpoint') {
      if (!this.#opened && this.t.endpoint(ev.data)) {
        this.#opened = true;
        this.onOpened?.();
        this.resolve();
      }
      return;
    }
    if (ev.event !== 'message' || !ev.data) return;
    const v = tryParse(ev.data);
    if (Array.isArray(v)) for (const m of v) this.t.host.receive(m as JsonRpcMessage, null);
    else if (v && typeof v === 'object') this.t.host.receive(v as JsonRpcMessage, null);
  }

  onComplete(): void {
    this.#end(undefined);
  }

  onError(err: Error): void {
    this.#end(err);
  }

  abortNow(err: McpError): void {
    if (this.#abort) this.#abort(err);
    else this.#end(err);
  }

  #end(err: Error | undefined): void {
    if (this.#ended) return;
    this.#ended = true;
    this.pool?.finished(this);
    this.onOpened?.();
    let e: McpError;
    if (err) e = err instanceof McpError ? err : transportError(err, `GET ${this.t.target}`);
    else if (!this.#sse) e = errorOfStatus(this.#status, this.#statusText, concat(this.#chunks)).error;
    else e = new McpError('transport_error', `the SSE stream of ${this.t.target} ended`, 'ECONNRESET');
    if (!this.#opened) this.reject(e);
    else this.t.streamEnded(e);
  }
}

/** A POST to the endpoint: 202 means accepted (the answer comes on the stream). */
class SsePostHandler implements PooledHandler {
  poolSlot = -1;
  pool: TrackedPool | null = null;
  #status = 0;
  #statusText = '';
  #chunks: Buffer[] = [];
  #settled = false;

  constructor(
    readonly t: LegacySseTransport,
    readonly call: PendingCall | null,
    readonly done: ((err: McpError | undefined) => void) | null,
  ) {}

  onConnect(abort: (err?: Error) => void): void {
    if (this.call) {
      if (this.call.done) abort();
      else this.call.abort = abort;
    }
  }

  onHeaders(statusCode: number, _raw: Buffer[], _resume: () => void, statusText: string): boolean {
    if (statusCode < 200) return true;
    this.#status = statusCode;
    this.#statusText = statusText;
    if (this.call) this.call.status = statusCode;
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.#status >= 300) this.#chunks.push(chunk);
    return true;
  }

  onComplete(): void {
    this.#settle(undefined);
  }

  onError(err: Error): void {
    this.#settle(err);
  }

  #settle(err: Error | undefined): void {
    if (this.#settled) return;
    this.#settled = true;
    this.pool?.finished(this);
    const call = this.call;
    if (call) call.abort = null;
    let e: McpError | undefined;
    if (err) e = err instanceof McpError ? err : transportError(err, 'POST to the SSE endpoint');
    else if (this.#status >= 300) {
      const r = errorOfStatus(this.#status, this.#statusText, concat(this.#chunks));
      if (call && r.message && !call.done) {
        this.t.host.receive({ ...r.message, id: call.id }, call);
        return;
      }
      e = r.error;
    }
    if (call) {
      if (e && !call.done) this.t.host.fail(call, e);
    } else this.done?.(e);
  }
}
