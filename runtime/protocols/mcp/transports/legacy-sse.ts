/**
 * The deprecated HTTP+SSE transport (2024-11-05), on mcprun's own HTTP/1.1 client: `GET /sse`
 * opens a stream whose first event, `endpoint`, names the POST path; every POST is answered 202
 * and the JSON-RPC responses arrive as `message` events on the GET stream, matched by id. Each
 * session holds one long-lived GET on a connection of its own (outside the POSTs' rotation, so
 * `maxConnections: 1` still leaves one for POSTs), its events parsed from the read buffer.
 */
import type { PendingCall } from '../call.js';
import { McpError, transportError } from '../errors.js';
import type { JsonRpcMessage } from '../types.js';
import type { SseEvent } from '../sse-parser.js';
import { USER_AGENT, errorOfStatus, tryParse, userHeaderList } from './http-common.js';
import type { HttpTransportOptions } from './streamable-http.js';
import { H1Pool, endpointOf } from './h1-pool.js';
import { H1Request, headerLines, headerValue } from './h1-request.js';
import type { ByteCount, McpTransport, TransportHost } from './types.js';
import { safeTimeout } from '../../../timers.js';

export class LegacySseTransport implements McpTransport {
  readonly kind = 'sse' as const;
  readonly #url: URL;
  /** Per origin: the GET's, and the endpoint's if it names another one (rare). */
  readonly #pools = new Map<string, H1Pool>();
  readonly #user: string;
  /** The POSTs' request line and headers, once the endpoint is known. */
  #postHead = '';
  #endpoint: URL | undefined;
  #stream: StreamHandler | undefined;
  readonly #posts: SsePostHandler[] = [];
  #closed = false;

  constructor(
    readonly target: string,
    readonly host: TransportHost,
    readonly opts: HttpTransportOptions,
  ) {
    this.#url = new URL(target);
    this.#user = `user-agent: ${USER_AGENT}\r\n${headerLines(userHeaderList(opts.headers))}`;
  }

  #pool(u: URL): H1Pool {
    let p = this.#pools.get(u.origin);
    if (!p) {
      p = new H1Pool(endpointOf(u), Math.max(1, this.opts.maxConnections), this.opts.slotOptions, this.opts.conns);
      this.#pools.set(u.origin, p);
    }
    return p;
  }

  open(): Promise<void> {
    return new Promise((resolve, reject) => {
      const u = this.#url;
      const head = `GET ${u.pathname}${u.search} HTTP/1.1\r\nhost: ${u.host}\r\naccept: text/event-stream\r\ncache-control: no-cache\r\n${this.#user}${this.#authLine()}`;
      const h = new StreamHandler(this, resolve, reject, head);
      this.#stream = h;
      h.timer = safeTimeout(endpointTimeout, this.opts.connectTimeoutMs, this, h);
      const slot = this.#pool(u).dedicated();
      h.slot = slot;
      slot.dispatch(h);
    });
  }

  /** The stream named the POST endpoint (relative to the SSE URL). */
  endpoint(data: string): boolean {
    try {
      const ep = new URL(data.trim(), this.#url);
      if (ep.protocol !== 'http:' && ep.protocol !== 'https:') return false;
      this.#endpoint = ep;
      this.#postHead = `POST ${ep.pathname}${ep.search} HTTP/1.1\r\nhost: ${ep.host}\r\ncontent-type: application/json\r\naccept: application/json, text/event-stream\r\n${this.#user}`;
      return true;
    } catch {
      return false;
    }
  }

  configure(): void {}

  /** OAuth client credentials: the token current now (read per request, so a refresh applies at once). */
  #authLine(): string {
    return this.opts.auth?.headerLine ?? '';
  }

  request(call: PendingCall): void {
    this.#post(new SsePostHandler(this, call, null, this.#postHead + this.#authLine(), call.body));
  }

  notify(body: string): Promise<McpError | undefined> {
    return new Promise((resolve) => this.#post(new SsePostHandler(this, null, resolve, this.#postHead + this.#authLine(), body)));
  }

  respond(body: string): void {
    void this.notify(body);
  }

  #post(h: SsePostHandler): void {
    const ep = this.#endpoint;
    if (this.#closed || !ep) {
      h.abortNow(new McpError('transport_error', this.#closed ? 'the session is closed' : 'the SSE stream has not named its endpoint'));
      return;
    }
    this.#posts.push(h);
    if (h.call) h.call.carrier = h;
    h.slot = this.#pool(ep).send(h);
  }

  postDone(h: SsePostHandler): void {
    const i = this.#posts.indexOf(h);
    if (i === -1) return;
    const last = this.#posts.pop()!;
    if (last !== h) this.#posts[i] = last;
  }

  abandon(call: PendingCall): void {
    const c = call.carrier;
    call.carrier = null;
    c?.abortNow(new McpError('transport_error', 'request abandoned'));
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
    for (const h of [...this.#posts]) h.abortNow(new McpError('transport_error', 'session closed'));
    for (const p of this.#pools.values()) p.destroy();
  }
}

function endpointTimeout(t: LegacySseTransport, h: StreamHandler): void {
  h.timer = null;
  h.abortNow(new McpError('timeout', `no \`endpoint\` event from ${t.target} within ${t.opts.connectTimeoutMs} ms`));
}

/** The long-lived GET: endpoint first, then every response and notification. */
class StreamHandler extends H1Request {
  timer: NodeJS.Timeout | null = null;
  #opened = false;

  constructor(
    readonly t: LegacySseTransport,
    readonly resolve: () => void,
    readonly reject: (err: McpError) => void,
    head: string,
  ) {
    super('GET', head, undefined);
  }

  protected onResponse(status: number, lines: string): boolean {
    return status === 200 && (headerValue(lines, 'content-type') ?? '').toLowerCase().startsWith('text/event-stream');
  }

  onEvent(ev: SseEvent): void {
    if (ev.event === 'endpoint') {
      if (!this.#opened && this.t.endpoint(ev.data)) {
        this.#opened = true;
        this.#clearTimer();
        this.resolve();
      }
      return;
    }
    if (ev.event !== 'message' || !ev.data) return;
    const v = tryParse(ev.data);
    if (Array.isArray(v)) for (const m of v) this.t.host.receive(m as JsonRpcMessage, null);
    else if (v && typeof v === 'object') this.t.host.receive(v as JsonRpcMessage, null);
  }

  #clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  protected settle(err: Error | undefined): void {
    this.#clearTimer();
    let e: McpError;
    if (err) e = err instanceof McpError ? err : transportError(err, `GET ${this.t.target}`);
    else if (!this.sse) e = errorOfStatus(this.status, this.statusText, this.text()).error;
    else e = new McpError('transport_error', `the SSE stream of ${this.t.target} ended`, 'ECONNRESET');
    if (!this.#opened) this.reject(e);
    else this.t.streamEnded(e);
  }
}

/** A POST to the endpoint: 202 means accepted (the answer comes on the stream). */
class SsePostHandler extends H1Request {
  constructor(
    readonly t: LegacySseTransport,
    readonly call: PendingCall | null,
    readonly done: ((err: McpError | undefined) => void) | null,
    head: string,
    body: string,
  ) {
    super('POST', head, body);
  }

  protected onResponse(status: number): boolean {
    if (this.call) this.call.status = status;
    return false;
  }

  onEvent(): void {}

  protected settle(err: Error | undefined): void {
    this.t.postDone(this);
    const call = this.call;
    if (call && call.carrier === this) call.carrier = null;
    let e: McpError | undefined;
    if (err) e = err instanceof McpError ? err : transportError(err, 'POST to the SSE endpoint');
    else if (this.status >= 300) {
      const r = errorOfStatus(this.status, this.statusText, this.text());
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
