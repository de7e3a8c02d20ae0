/**
 * The HTTP client of one VU, built on undici's `dispatch` with a small handler (no promise chains,
 * no body streams): the request's clock starts when the script asks, so waiting for a connection
 * is part of its duration (no coordinated omission hidden in a pool).
 *
 * Connections: by default every VU owns its keep-alive connection(s) per origin, as a real client
 * does (N VUs hold N connections). With `http.shareConnections` the VUs of a worker share one pool
 * per origin instead, for raw-throughput tests.
 */
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Client, buildConnector, type Connector, type Dispatcher } from '../undici-core.js';
import { connectionMeter, type ConnectionMeter } from '../../metrics/connections.js';
import type { Tags } from '../../metrics/types.js';
import type { SeriesHandle, WorkerMetricStore } from '../../metrics/worker-store.js';
import { tagKey } from '../../metrics/series-key.js';
import { nextLocalAddress } from '../local-ips.js';
import { errorCodeOf } from './error-codes.js';
import { SocketBytes } from '../socket-bytes.js';
import { Response, type ResponseType, type Timings } from './response.js';

export interface HttpConfig {
  timeoutMs: number;
  shareConnections: boolean;
  batchPerHost: number;
  insecureSkipTLSVerify: boolean;
}

export type RequestBody = string | Uint8Array | ArrayBuffer | Record<string, unknown> | null | undefined;

export interface RequestParams {
  headers?: Record<string, string>;
  tags?: Record<string, string>;
  /** Overrides the default request timeout: "5s", or ms. */
  timeout?: string | number;
  /** 'text' (default), 'binary', or 'none' to drain and discard the body without keeping it. */
  responseType?: ResponseType;
}

interface ParsedUrl {
  origin: string;
  path: string;
  host: string;
}

interface ConnectRecord {
  start: number;
  tcpEnd: number;
  end: number;
}

const USER_AGENT = 'mcprun/0.1 (+https://www.npmjs.com/package/mcprun)';
const URL_CACHE_MAX = 10_000;

/** One undici Client (one connection) and the requests we have in flight on it. */
interface ClientSlot {
  client: Client;
  inflight: number;
}

/**
 * The connections of one VU (or of a worker, when shared) to one origin. We pick the connection
 * ourselves, with exact in-flight counts, rather than through undici's Pool: a Pool marks a client
 * free only after its 'drain' event, so a VU that sends its next request right away would open a
 * second connection. Here a sequential VU uses exactly one connection.
 */
class OriginPool {
  readonly slots: ClientSlot[] = [];
  /** Connections opened and not yet attributed to a request, oldest first. */
  readonly fresh: ConnectRecord[] = [];
  readonly bytes = new SocketBytes();
  readonly #connect: Connector;
  /** connections_active/opened/failed{proto:http} */
  readonly conns: ConnectionMeter;

  constructor(
    readonly origin: string,
    readonly maxConnections: number,
    readonly config: HttpConfig,
    store: WorkerMetricStore,
  ) {
    this.conns = connectionMeter(store, 'http');
    const base = buildConnector({ rejectUnauthorized: !config.insecureSkipTLSVerify, timeout: config.timeoutMs });
    this.#connect = (opts, cb) => {
      const rec: ConnectRecord = { start: performance.now(), tcpEnd: 0, end: 0 };
      // --local-ips: spread new connections over the source addresses (undefined: the kernel picks).
      const localAddress = opts.localAddress ?? nextLocalAddress();
      const sock = base(localAddress ? { ...opts, localAddress } : opts, (err, socket) => {
        if (err || !socket) {
          this.conns.failed(errorCodeOf(err));
          return cb(err, null);
        }
        rec.end = performance.now();
        if (!rec.tcpEnd) rec.tcpEnd = rec.end;
        this.fresh.push(rec);
        this.track(socket as Socket);
        cb(null, socket);
      });
      (sock as unknown as Socket | undefined)?.once?.('connect', () => {
        // Plain TCP: undici's own 'connect' listener ran the callback first; TLS: this is mid-handshake.
        if (!rec.end) rec.tcpEnd = performance.now();
      });
      return sock;
    };
  }

  /** An idle connection, else a new one while under the limit, else the least busy (the request queues: blocked time). */
  acquire(): ClientSlot {
    let best: ClientSlot | undefined;
    for (const slot of this.slots) {
      if (slot.inflight === 0) {
        best = slot;
        break;
      }
      if (!best || slot.inflight < best.inflight) best = slot;
    }
    if (!best || (best.inflight > 0 && this.slots.length < this.maxConnections)) {
      best = {
        client: new Client(this.origin, {
          pipelining: 1,
          connect: this.#connect,
          headersTimeout: this.config.timeoutMs,
          bodyTimeout: this.config.timeoutMs,
        }),
        inflight: 0,
      };
      this.slots.push(best);
    }
    return best;
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.client.close().catch(() => s.client.destroy().catch(() => {}))));
    this.slots.length = 0;
  }

  private track(socket: Socket): void {
    this.conns.opened();
    this.bytes.track(socket, () => this.conns.closed());
  }

  /** Wire bytes since the previous call (exact: counted by the sockets themselves). */
  takeBytes(): { read: number; written: number } {
    return this.bytes.take();
  }

  /** The connection this request waited for, if one was opened while it waited. */
  takeConnect(since: number): ConnectRecord | undefined {
    while (this.fresh.length) {
      const rec = this.fresh.shift()!;
      if (rec.start >= since - 0.001) return rec;
    }
    return undefined;
  }
}

/** Per-worker: URL parsing cache and, in shared mode, the shared pools. */
export class HttpEngine {
  readonly #urls = new Map<string, ParsedUrl>();
  readonly #shared = new Map<string, OriginPool>();
  readonly #clients = new Set<VuHttp>();

  constructor(
    readonly config: HttpConfig,
    readonly store: WorkerMetricStore,
  ) {}

  parseUrl(url: string): ParsedUrl {
    let p = this.#urls.get(url);
    if (!p) {
      let u: URL;
      try {
        u = new URL(url);
      } catch {
        throw new TypeError(`invalid URL ${JSON.stringify(url)}: expected an absolute http:// or https:// URL such as "http://127.0.0.1:8080/health"`);
      }
      if (u.protocol !== 'http:' && u.protocol !== 'https:') {
        throw new TypeError(`unsupported URL scheme in ${JSON.stringify(url)}: http.* takes http:// or https:// URLs (use ws.connect for ws://)`);
      }
      p = { origin: u.origin, path: `${u.pathname}${u.search}`, host: u.host };
      if (this.#urls.size >= URL_CACHE_MAX) this.#urls.clear();
      this.#urls.set(url, p);
    }
    return p;
  }

  readonly #requestSeries = new WeakMap<Tags, Map<string, RequestSeries>>();

  /**
   * Series for a request's tags, cached by the VU context's tag object and a short key, so the hot
   * path builds no tag object and sorts no keys (k6 tags: method, url, name, status, expected_response, error_code).
   */
  requestSeries(h: RequestHandler, status: number, errorCode: string | undefined, failed: boolean): RequestSeries {
    let byKey = this.#requestSeries.get(h.ctxTags);
    if (!byKey) this.#requestSeries.set(h.ctxTags, (byKey = new Map()));
    const user = h.userTags === EMPTY_TAGS ? '' : tagKey(h.userTags);
    const key = `${h.method}\u0000${h.url}\u0000${status}\u0000${errorCode ?? ''}\u0000${user}`;
    let rs = byKey.get(key);
    if (!rs) {
      if (byKey.size >= REQUEST_SERIES_MAX) byKey.clear();
      const tags: Record<string, string> = {
        ...h.ctxTags,
        method: h.method,
        url: h.url,
        name: h.userTags.name ?? h.url,
        status: String(status),
        expected_response: failed ? 'false' : 'true',
        ...h.userTags,
      };
      if (errorCode) tags.error_code = errorCode;
      const st = this.store;
      rs = {
        reqs: st.series('http_reqs', tags),
        failed: st.series('http_req_failed', tags),
        duration: st.series('http_req_duration', tags),
        blocked: st.series('http_req_blocked', tags),
        connecting: st.series('http_req_connecting', tags),
        tls: st.series('http_req_tls_handshaking', tags),
        sending: st.series('http_req_sending', tags),
        waiting: st.series('http_req_waiting', tags),
        receiving: st.series('http_req_receiving', tags),
      };
      byKey.set(key, rs);
    }
    return rs;
  }

  sharedPool(origin: string): OriginPool {
    let p = this.#shared.get(origin);
    if (!p) {
      p = new OriginPool(origin, Number.MAX_SAFE_INTEGER, this.config, this.store);
      this.#shared.set(origin, p);
    }
    return p;
  }

  client(): VuHttp {
    const c = new VuHttp(this);
    this.#clients.add(c);
    return c;
  }

  forget(c: VuHttp): void {
    this.#clients.delete(c);
  }

  /** Shared pools' wire bytes are accounted per flush interval (per request would be O(connections)). */
  accountShared(tags: Tags): void {
    let read = 0;
    let written = 0;
    for (const p of this.#shared.values()) {
      const b = p.takeBytes();
      read += b.read;
      written += b.written;
    }
    if (read) this.store.add('data_received', read, tags);
    if (written) this.store.add('data_sent', written, tags);
  }

  async close(): Promise<void> {
    const all: Promise<unknown>[] = [];
    for (const c of this.#clients) all.push(c.close());
    for (const p of this.#shared.values()) all.push(p.close());
    await Promise.all(all);
  }
}

const EMPTY_TAGS: Record<string, string> = {};
const noTags = (): Tags => EMPTY_TAGS;

/** The nine series one request writes to, resolved once per tag combination. */
interface RequestSeries {
  reqs: SeriesHandle;
  failed: SeriesHandle;
  duration: SeriesHandle;
  blocked: SeriesHandle;
  connecting: SeriesHandle;
  tls: SeriesHandle;
  sending: SeriesHandle;
  waiting: SeriesHandle;
  receiving: SeriesHandle;
}
const REQUEST_SERIES_MAX = 10_000;

/** Receives undici's callbacks for one request; a class, so no closures are allocated per request. */
class RequestHandler implements Dispatcher.DispatchHandler {
  tWrite = 0;
  tSent = 0;
  tHeaders = 0;
  status = 0;
  statusText = '';
  rawHeaders: Buffer[] | null = null;
  chunks: Buffer[] | null = null;
  abortFn: ((err?: Error) => void) | null = null;
  timer: NodeJS.Timeout | null = null;
  done = false;
  resolve!: (r: Response) => void;

  constructor(
    readonly owner: VuHttp,
    readonly op: OriginPool,
    readonly slot: ClientSlot,
    readonly method: string,
    readonly url: string,
    readonly t0: number,
    readonly responseType: ResponseType,
    readonly userTags: Record<string, string>,
    readonly ctxTags: Tags,
  ) {}

  onConnect(abort: (err?: Error) => void): void {
    if (this.done) {
      abort();
      return;
    }
    this.abortFn = abort;
    this.tWrite = performance.now();
  }

  onRequestSent(): void {
    this.tSent = performance.now();
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], _resume: () => void, statusText: string): boolean {
    if (statusCode < 200) return true; // 1xx: wait for the final response
    this.tHeaders = performance.now();
    this.status = statusCode;
    this.statusText = statusText;
    this.rawHeaders = rawHeaders;
    if (this.responseType !== 'none') this.chunks = [];
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.chunks) this.chunks.push(chunk);
    return true;
  }

  onComplete(): void {
    this.finish(undefined);
  }

  onError(err: Error): void {
    this.finish(err);
  }

  timeout(): void {
    const err = Object.assign(new Error(`request timeout: no complete response within the timeout`), { code: 'ETIMEDOUT' });
    this.finish(err);
    this.abortFn?.(err);
  }

  /** The VU was stopped: end the request and record nothing (the iteration counts as interrupted). */
  interrupt(): void {
    if (this.done) return;
    this.done = true;
    if (this.timer) clearTimeout(this.timer);
    this.abortFn?.();
    this.owner.inflight.delete(this);
    this.slot.inflight--;
    this.resolve(this.build(Object.assign(new Error('request interrupted: the VU was stopped'), { code: 'EABORTED' }), performance.now()));
  }

  finish(err: Error | undefined): void {
    if (this.done) return;
    this.done = true;
    if (this.timer) clearTimeout(this.timer);
    this.owner.inflight.delete(this);
    this.slot.inflight--;
    const tEnd = performance.now();
    const res = this.build(err, tEnd);
    this.owner.record(this, res);
    this.resolve(res);
  }

  build(err: Error | undefined, tEnd: number): Response {
    const t0 = this.t0;
    let connecting = 0;
    let tls = 0;
    const written = this.tWrite || tEnd;
    const conn = this.op.takeConnect(t0);
    if (conn && conn.end <= written + 0.001) {
      connecting = conn.tcpEnd - conn.start;
      tls = conn.end - conn.tcpEnd;
    }
    const sent = this.tSent || written;
    const headers = this.tHeaders || tEnd;
    const timings: Timings = {
      blocked: Math.max(0, written - t0 - connecting - tls),
      connecting,
      tls_handshaking: tls,
      sending: Math.max(0, sent - written),
      waiting: Math.max(0, headers - sent),
      receiving: this.tHeaders ? tEnd - this.tHeaders : 0,
      duration: tEnd - t0,
    };
    let body: string | Uint8Array | null = null;
    if (!err && this.chunks) {
      const buf = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
      body = this.responseType === 'binary' ? new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength) : buf.toString('utf8');
    }
    this.chunks = null;
    return new Response({
      url: this.url,
      status: err ? 0 : this.status,
      statusText: err ? '' : this.statusText,
      rawHeaders: err ? null : this.rawHeaders,
      body,
      timings,
      error: err ? err.message : undefined,
      error_code: err ? errorCodeOf(err) : undefined,
      request: { method: this.method, url: this.url },
    });
  }
}

export class VuHttp {
  readonly #pools = new Map<string, OriginPool>();
  readonly inflight = new Set<RequestHandler>();
  #aborted = false;

  constructor(readonly engine: HttpEngine) {}

  #pool(origin: string): OriginPool {
    if (this.engine.config.shareConnections) return this.engine.sharedPool(origin);
    let p = this.#pools.get(origin);
    if (!p) {
      p = new OriginPool(origin, this.engine.config.batchPerHost, this.engine.config, this.engine.store);
      this.#pools.set(origin, p);
    }
    return p;
  }

  request(method: string, url: string, body: RequestBody, params: RequestParams | undefined, tags: Tags, timeoutMs: number | undefined): Promise<Response> {
    const t0 = performance.now();
    const u = this.engine.parseUrl(url);
    const op = this.#pool(u.origin);
    const headers: Record<string, string> = { 'user-agent': USER_AGENT };
    let payload: string | Uint8Array | undefined;
    if (body !== null && body !== undefined) {
      if (typeof body === 'string' || body instanceof Uint8Array) payload = body;
      else if (body instanceof ArrayBuffer) payload = new Uint8Array(body);
      else {
        // As in k6: a plain object is sent as an HTML form.
        payload = new URLSearchParams(Object.entries(body).map(([k, v]): [string, string] => [k, String(v)])).toString();
        headers['content-type'] = 'application/x-www-form-urlencoded';
      }
    }
    if (params?.headers) for (const k in params.headers) headers[k.toLowerCase()] = params.headers[k];
    const slot = op.acquire();
    slot.inflight++;
    const h = new RequestHandler(this, op, slot, method, url, t0, params?.responseType ?? 'text', params?.tags ?? EMPTY_TAGS, tags);
    return new Promise<Response>((resolve) => {
      h.resolve = resolve;
      if (this.#aborted) {
        h.interrupt();
        return;
      }
      this.inflight.add(h);
      const limit = timeoutMs ?? this.engine.config.timeoutMs;
      h.timer = setTimeout(timeoutHandler, limit, h);
      // undici's own header/body timeouts follow this request's timeout (the connection's defaults
      // would cut a request that asked for longer).
      slot.client.dispatch({ origin: u.origin, path: u.path, method: method as Dispatcher.HttpMethod, headers, body: payload, headersTimeout: limit, bodyTimeout: limit }, h);
    });
  }

  /** Called by the handler when a request ends (not when it is interrupted). */
  record(h: RequestHandler, res: Response): void {
    const failed = res.status === 0 || res.status >= 400;
    const rs = this.engine.requestSeries(h, res.status, res.error_code, failed);
    const t = res.timings;
    rs.reqs.add(1);
    rs.failed.add(failed ? 1 : 0);
    rs.duration.add(t.duration);
    rs.blocked.add(t.blocked);
    rs.connecting.add(t.connecting);
    rs.tls.add(t.tls_handshaking);
    rs.sending.add(t.sending);
    rs.waiting.add(t.waiting);
    rs.receiving.add(t.receiving);
    if (!this.engine.config.shareConnections) {
      const b = h.op.takeBytes();
      const store = this.engine.store;
      if (b.read) store.derived('data_received', h.ctxTags, '', noTags).add(b.read);
      if (b.written) store.derived('data_sent', h.ctxTags, '', noTags).add(b.written);
    }
  }

  /** Stop every in-flight request now (the VU is being stopped). */
  interruptAll(): void {
    this.#aborted = true;
    for (const h of [...this.inflight]) h.interrupt();
  }

  /** The VU runs again after a ramp-down interrupted it. */
  resume(): void {
    this.#aborted = false;
  }

  async close(): Promise<void> {
    this.engine.forget(this);
    const all: Promise<unknown>[] = [];
    for (const p of this.#pools.values()) all.push(p.close());
    this.#pools.clear();
    await Promise.all(all);
  }
}

function timeoutHandler(h: RequestHandler): void {
  h.timeout();
}
