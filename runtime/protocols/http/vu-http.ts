/**
 * The HTTP client of one VU, on our own HTTP/1.1 connection slots (h1-client.ts): the request's
 * clock starts when the script asks, so waiting for a connection is part of its duration (no
 * coordinated omission hidden in a pool).
 *
 * Connections: by default every VU owns its keep-alive connection(s) per origin, as a real client
 * does (N VUs hold N connections). With `http.shareConnections` the VUs of a worker share one pool
 * per origin instead, for raw-throughput tests.
 */
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { ProtocolError, UNKNOWN_CODE, errorCodeOf, usageError } from '../../errors.js';
import { METRIC } from '../../metrics/builtin.js';
import { ConnectionMeter } from '../../metrics/connections.js';
import type { Tags } from '../../metrics/types.js';
import type { SeriesHandle, WorkerMetricStore } from '../../metrics/worker-store.js';
import { tagKey } from '../../metrics/series-key.js';
import { SourceAddresses } from '../local-ips.js';
import { SocketBytes } from '../socket-bytes.js';
import { H1Slot, type ConnectRecord, type Endpoint, type H1Exchange, type SlotHooks, type SlotOptions } from './h1-client.js';
import { H2Response, Response } from './response.js';
import { H2Origin, type ExchangeCarrier } from './h2-client.js';
import { cookieHeader, hasSetCookie, setCookieValues, VuCookieJar } from './cookies.js';
import { contentEncoding, decodeBody } from './decode.js';
import { isFailed } from './expected-statuses.js';
import { lookupFor } from '../dns-policy.js';
import { clientCertFor } from './tls-auth.js';
import { printHttpDebug } from './http-debug.js';
import type { HttpConfig, RequestBody, RequestParams, ResponseType, Timings } from './types.js';
import { safeTimeout } from '../../timers.js';

interface ParsedUrl {
  origin: string;
  path: string;
  /** The Host header's value. */
  host: string;
  endpoint: Endpoint;
  /** Request heads for requests without body or extra headers, per method (built on first use). */
  heads: Map<string, Buffer> | null;
}

export const USER_AGENT = 'mcprun/0.1 (+https://www.npmjs.com/package/mcprun)';
const ACCEPT_ENCODING = 'gzip, deflate, br';
const URL_CACHE_MAX = 10_000;
/** Methods whose requests carry a body by definition: sent with `content-length: 0` when empty (as undici and Go do). */
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const BAD_VALUE = /[\r\n\0]/;

/**
 * The connections of one VU (or of a worker, when shared) to one origin. We pick the connection
 * ourselves, with exact in-flight counts: a sequential VU uses exactly one connection.
 */
class OriginPool implements SlotHooks {
  readonly slots: H1Slot[] = [];
  readonly bytes = new SocketBytes();

  constructor(
    readonly endpoint: Endpoint,
    readonly maxConnections: number,
    readonly engine: HttpEngine,
  ) {}

  /** An idle connection, else a new one while under the limit, else the least busy (the request queues: blocked time). */
  acquire(): H1Slot {
    let best: H1Slot | undefined;
    for (const slot of this.slots) {
      const n = slot.inflight;
      if (n === 0) {
        best = slot;
        break;
      }
      if (!best || n < best.inflight) best = slot;
    }
    if (!best || (best.inflight > 0 && this.slots.length < this.maxConnections)) {
      best = new H1Slot(this.endpoint, this.engine.slotOptions, this);
      this.slots.push(best);
    }
    return best;
  }

  opened(socket: Socket): void {
    const conns = this.engine.conns;
    conns.opened();
    this.bytes.track(socket, () => conns.closed());
  }

  failed(err: Error): void {
    this.engine.conns.failed(errorCodeOf(err) ?? UNKNOWN_CODE);
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.close()));
    this.slots.length = 0;
  }

  /** Wire bytes since the previous call (exact: counted by the sockets themselves). */
  takeBytes(): { read: number; written: number } {
    return this.bytes.take();
  }
}

/** Per-worker (in its protocol services): URL parsing cache and, in shared mode, the shared pools. */
export class HttpEngine {
  readonly #urls = new Map<string, ParsedUrl>();
  readonly #shared = new Map<string, OriginPool>();
  readonly #clients = new Set<VuHttp>();
  /** TLS origins whose server chose HTTP/1.1 when offered h2 (asked once per worker). */
  readonly http1Origins = new Set<string>();
  /** Connection metrics of HTTP/2 connections (their bytes are counted per origin, h2-client.ts). */
  readonly h2Hooks: SlotHooks = {
    opened: (socket: Socket) => {
      this.conns.opened();
      socket.once('close', () => this.conns.closed());
    },
    failed: (err: Error) => this.conns.failed(errorCodeOf(err) ?? UNKNOWN_CODE),
  };
  /** One for every connection of the worker: TLS verification and --local-ips source addresses. */
  readonly slotOptions: SlotOptions;

  constructor(
    readonly config: HttpConfig,
    readonly store: WorkerMetricStore,
    /** connections_active/opened/failed{proto:http} */
    readonly conns: ConnectionMeter = new ConnectionMeter(store, 'http'),
    sources: SourceAddresses = new SourceAddresses(undefined),
    /** options.targets: connections to a fault proxy of this worker go in memory. */
    dial?: SlotOptions['dial'],
  ) {
    this.slotOptions = { rejectUnauthorized: !config.insecureSkipTLSVerify, sources, dial, lookup: lookupFor(config.dnsPolicy), clientCert: clientCertFor(config.tlsAuth) };
  }

  parseUrl(url: string): ParsedUrl {
    let p = this.#urls.get(url);
    if (!p) {
      let u: URL;
      try {
        u = new URL(url);
      } catch {
        throw usageError(`http: invalid URL ${JSON.stringify(url)}: expected an absolute http:// or https:// URL such as "http://127.0.0.1:8080/health"`);
      }
      if (u.protocol !== 'http:' && u.protocol !== 'https:') {
        throw usageError(`http: unsupported URL scheme in ${JSON.stringify(url)}: http.* takes http:// or https:// URLs (use ws.connect for ws://)`);
      }
      const tls = u.protocol === 'https:';
      // URL keeps IPv6 literals bracketed; the socket wants them bare.
      const hostname = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
      const endpoint: Endpoint = { tls, hostname, port: u.port ? Number(u.port) : tls ? 443 : 80 };
      p = { origin: u.origin, path: `${u.pathname}${u.search}`, host: u.host, endpoint, heads: null };
      if (this.#urls.size >= URL_CACHE_MAX) this.#urls.clear();
      this.#urls.set(url, p);
    }
    return p;
  }

  /**
   * Series for a request's tags, cached on the VU context's tag object and a short key (the
   * store's one hot-path cache), so the hot path builds no tag object and sorts no keys (k6 tags:
   * method, url, name, status, expected_response, error_code).
   */
  requestSeries(h: RequestHandler, status: number, errorCode: string | undefined, failed: boolean): RequestSeries {
    const user = h.userTags === EMPTY_TAGS ? '' : tagKey(h.userTags);
    // With a `name` the URL is not part of the series (its `url` tag is the name): one entry per name.
    const key = `${h.method}\u0000${h.userTags.name ?? h.url}\u0000${status}\u0000${errorCode ?? ''}\u0000${user}`;
    return this.store.cached<RequestSeries>(h.ctxTags, 'http.request', key) ?? this.store.cache(h.ctxTags, 'http.request', key, this.#newSeries(h, status, errorCode, failed));
  }

  #newSeries(h: RequestHandler, status: number, errorCode: string | undefined, failed: boolean): RequestSeries {
    // k6's rule: with a `name` tag, `url` takes the name too, so URLs that vary (ids, query strings)
    // make one series per name in every output and the summary, not one per URL.
    const urlTag = h.userTags.name ?? h.url;
    const tags: Record<string, string> = {
      ...h.ctxTags,
      method: h.method,
      url: urlTag,
      name: urlTag,
      status: String(status),
      expected_response: failed ? 'false' : 'true',
      ...h.userTags,
    };
    if (errorCode) tags.error_code = errorCode;
    const st = this.store;
    return {
      reqs: st.series(METRIC.http_reqs, tags),
      failed: st.series(METRIC.http_req_failed, tags),
      duration: st.series(METRIC.http_req_duration, tags),
      blocked: st.series(METRIC.http_req_blocked, tags),
      connecting: st.series(METRIC.http_req_connecting, tags),
      tls: st.series(METRIC.http_req_tls_handshaking, tags),
      sending: st.series(METRIC.http_req_sending, tags),
      waiting: st.series(METRIC.http_req_waiting, tags),
      receiving: st.series(METRIC.http_req_receiving, tags),
    };
  }

  sharedPool(u: ParsedUrl): OriginPool {
    let p = this.#shared.get(u.origin);
    if (!p) {
      p = new OriginPool(u.endpoint, Number.MAX_SAFE_INTEGER, this);
      this.#shared.set(u.origin, p);
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
    if (read) this.store.add(METRIC.data_received, read, tags);
    if (written) this.store.add(METRIC.data_sent, written, tags);
  }

  async close(): Promise<void> {
    const all: Promise<unknown>[] = [];
    for (const c of this.#clients) all.push(c.close());
    for (const p of this.#shared.values()) all.push(p.close());
    await Promise.all(all);
  }
}

const EMPTY_TAGS: Record<string, string> = {};
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Headers a redirect to another origin must not carry (as Go's client, which k6 uses). */
const CREDENTIALS = new Set(['authorization', 'cookie', 'proxy-authorization']);
const noTags = (): Tags => EMPTY_TAGS;
/** Request failures are reported, not thrown: their stack would show only this file. */
const NO_STACK = { noStack: true } as const;

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

/** One request: what the slot writes and the callbacks it calls; a class, so no closures are allocated per request. */
class RequestHandler implements H1Exchange {
  tWrite = 0;
  tSent = 0;
  tHeaders = 0;
  status = 0;
  statusText = '';
  rawHeaders: string | null = null;
  chunks: Buffer[] | null = null;
  /** chunks[0..copied) are copies; the rest may be views of the shared read buffer. */
  copied = 0;
  conn: ConnectRecord | undefined = undefined;
  timer: NodeJS.Timeout | null = null;
  done = false;
  retried = false;
  resolve!: (r: Response) => void;
  // What a redirect's next hop needs (plain fields: no object per request on the hot path).
  redirectsLeft = 0;
  origBody: RequestBody = null;
  params: RequestParams | undefined = undefined;
  timeoutMs: number | undefined = undefined;
  /** Body bytes kept so far (text and binary responses). */
  kept = 0;
  /** Sent as an HTTP/2 stream (h2-client.ts). */
  h2 = false;

  constructor(
    readonly owner: VuHttp,
    /** Where its wire bytes are counted: the HTTP/1.1 pool, or the HTTP/2 origin. */
    readonly op: { takeBytes(): { read: number; written: number } },
    readonly slot: ExchangeCarrier,
    readonly method: string,
    readonly url: string,
    readonly head: Buffer | string,
    readonly body: Uint8Array | undefined,
    readonly t0: number,
    readonly responseType: ResponseType,
    readonly userTags: Record<string, string>,
    readonly ctxTags: Tags,
  ) {}

  onWrite(at: number, conn: ConnectRecord | undefined): void {
    this.tWrite = at;
    this.conn = conn;
  }

  onSent(at: number): void {
    this.tSent = at;
  }

  onHead(status: number, statusText: string, rawHeaders: string): void {
    this.tHeaders = performance.now();
    this.status = status;
    this.statusText = statusText;
    this.rawHeaders = rawHeaders;
    if (this.responseType !== 'none') this.chunks = [];
  }

  onBody(chunk: Buffer): void {
    // A view of the read buffer: kept as is while the response completes within this read (the
    // usual case: decoded before the buffer is reused), copied by onReadEnd otherwise.
    if (!this.chunks) return;
    this.chunks.push(chunk);
    this.kept += chunk.length;
    if (this.kept > (this.owner.engine.config.maxResponseSize ?? Infinity)) this.tooLarge();
  }

  /** Over options.http.maxResponseSize: nothing more is kept or read (a 1 GB body, an endless chunked one); the connection closes. */
  tooLarge(): void {
    if (this.done) return;
    this.chunks = null;
    const limit = this.owner.engine.config.maxResponseSize!;
    const err = new ProtocolError('MCPRUN_HTTP_BODY_TOO_LARGE', `response body larger than options.http.maxResponseSize (${limit} bytes): not kept; raise the limit, or use responseType 'none' to read and discard it`, undefined, NO_STACK);
    this.slot.abort(this);
    this.finish(err);
  }

  onReadEnd(): void {
    const c = this.chunks;
    if (!c) return;
    for (let i = this.copied; i < c.length; i++) c[i] = Buffer.from(c[i]);
    this.copied = c.length;
  }

  onEnd(): void {
    this.finish(undefined);
  }

  /** HTTP/2 was offered and the server chose HTTP/1.1: the request goes again, by HTTP/1.1, with a clock of its own. */
  fallback(): void {
    if (this.done) return;
    this.done = true;
    if (this.timer) clearTimeout(this.timer);
    this.owner.inflight.delete(this);
    this.owner.request(this.method, this.url, this.origBody, this.params, this.ctxTags, this.timeoutMs).then(this.resolve);
  }

  onError(err: Error): void {
    this.finish(err);
  }

  timeout(): void {
    if (this.done) return;
    const err = new ProtocolError('MCPRUN_HTTP_TIMEOUT', 'request timeout: no complete response within the timeout', undefined, NO_STACK);
    this.slot.abort(this);
    this.finish(err);
  }

  /** The VU was stopped: end the request and record nothing (the iteration counts as interrupted). */
  interrupt(): void {
    if (this.done) return;
    this.done = true;
    if (this.timer) clearTimeout(this.timer);
    this.slot.abort(this);
    this.owner.inflight.delete(this);
    this.resolve(this.build(new ProtocolError('MCPRUN_HTTP_INTERRUPTED', 'request interrupted: the VU was stopped', undefined, NO_STACK), performance.now()));
  }

  finish(err: Error | undefined): void {
    if (this.done) return;
    this.done = true;
    if (this.timer) clearTimeout(this.timer);
    this.owner.inflight.delete(this);
    const tEnd = performance.now();
    const res = this.build(err, tEnd);
    // No cookie work unless the head mentions one (hasSetCookie is one indexOf).
    if (this.rawHeaders !== null && res.status && hasSetCookie(this.rawHeaders) && this.params?.jar !== null) this.owner.storeCookies(this.url, this.rawHeaders, this.params?.jar);
    this.owner.record(this, res);
    const debug = this.owner.engine.config.debug;
    if (debug) printHttpDebug({ head: this.head, requestBody: this.body, proto: 'HTTP/1.1', status: res.status, statusText: res.statusText, rawHeaders: this.rawHeaders, responseBody: res.body, error: res.error }, debug === 'full');
    if (!err && this.redirectsLeft > 0 && REDIRECTS.has(res.status)) {
      const next = this.owner.follow(this, res);
      if (next) {
        next.then(this.resolve);
        return;
      }
    }
    this.resolve(res);
  }

  build(err: Error | undefined, tEnd: number): Response {
    const t0 = this.t0;
    let connecting = 0;
    let tls = 0;
    const written = this.tWrite || tEnd;
    const conn = this.conn;
    if (conn) {
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
    const encoding = !err && this.chunks && this.rawHeaders !== null && this.owner.engine.config.compression !== false ? contentEncoding(this.rawHeaders) : undefined;
    if (encoding) {
      try {
        const decoded = decodeBody(Buffer.concat(this.chunks!), encoding, this.owner.engine.config.maxResponseSize ?? 2 ** 31 - 1);
        this.chunks = [decoded];
        this.copied = 1;
      } catch (e) {
        err = e as Error;
      }
    }
    if (!err && this.chunks) {
      const one = this.chunks.length === 1;
      if (this.responseType === 'binary') {
        // The script keeps the bytes: never a view of the shared read buffer.
        const buf = one ? (this.copied ? this.chunks[0] : Buffer.from(this.chunks[0])) : Buffer.concat(this.chunks);
        body = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
      } else body = (one ? this.chunks[0] : Buffer.concat(this.chunks)).toString('utf8');
    }
    this.chunks = null;
    const R = this.h2 ? H2Response : Response;
    return err
      ? new R(this.url, this.method, 0, '', null, null, timings, err.message, errorCodeOf(err) ?? UNKNOWN_CODE)
      : new R(this.url, this.method, this.status, this.statusText, this.rawHeaders, body, timings, undefined, undefined);
  }
}

/** The request's status line and headers; throws an MCPRUN_USAGE error naming a header that cannot be sent. */
function buildHead(
  method: string,
  u: ParsedUrl,
  headers: Record<string, string> | undefined,
  payload: Uint8Array | undefined,
  form: boolean,
  config: HttpConfig,
  cookie: string,
): string {
  let host = u.host;
  let agent = config.userAgent ?? USER_AGENT;
  let encoding = config.compression === false ? '' : ACCEPT_ENCODING;
  let extra = '';
  let contentType = form ? 'application/x-www-form-urlencoded' : '';
  if (headers) {
    for (const name in headers) {
      const value = String(headers[name]);
      if (!TOKEN.test(name)) throw usageError(`http: invalid HTTP header name ${JSON.stringify(name)}: names are tokens (letters, digits and !#$%&'*+.^_\`|~-)`);
      if (BAD_VALUE.test(value)) throw usageError(`http: invalid value for HTTP header ${JSON.stringify(name)}: it contains a CR, LF or NUL character`);
      const lower = name.toLowerCase();
      // Framing is ours to write: a script's content-length or transfer-encoding could only contradict the body.
      if (lower === 'content-length' || lower === 'transfer-encoding') continue;
      if (lower === 'host') host = value;
      else if (lower === 'user-agent') agent = value;
      else if (lower === 'content-type') contentType = value;
      else if (lower === 'accept-encoding') encoding = value;
      else if (lower === 'cookie' && cookie) cookie = `${value}; ${cookie}`;
      else extra += `${name}: ${value}\r\n`;
    }
  }
  let head = `${method} ${u.path} HTTP/1.1\r\nhost: ${host}\r\n${agent ? `user-agent: ${agent}\r\n` : ''}${encoding ? `accept-encoding: ${encoding}\r\n` : ''}${extra}`;
  if (cookie) head += `cookie: ${cookie}\r\n`;
  if (contentType) head += `content-type: ${contentType}\r\n`;
  if (payload) head += `content-length: ${payload.byteLength}\r\n`;
  else if (BODY_METHODS.has(method)) head += 'content-length: 0\r\n';
  return `${head}\r\n`;
}

export class VuHttp {
  readonly #pools = new Map<string, OriginPool>();
  readonly inflight = new Set<RequestHandler>();
  #aborted = false;
  #lastSeries: RequestSeries | null = null;
  #lastTags: Tags | null = null;
  #lastUrl = '';
  #lastMethod = '';
  #lastUser: Record<string, string> | null = null;
  #lastStatus = -1;
  #lastCode: string | undefined = undefined;
  /** Created when a response first sets a cookie, or the script asks for it. */
  #jar: VuCookieJar | undefined;
  /** HTTP/2 connections of this VU, one per origin (created when an origin is first asked for by h2). */
  #h2: Map<string, H2Origin> | undefined;

  constructor(readonly engine: HttpEngine) {}

  /** http.cookieJar(): this VU's jar. */
  cookieJar(): VuCookieJar {
    return (this.#jar ??= new VuCookieJar());
  }

  /** The end of an iteration: the next starts with an empty jar, as in k6 (unless options.http.noCookiesReset). */
  endIteration(): void {
    if (this.#jar !== undefined && !this.engine.config.noCookiesReset) this.#jar = undefined;
  }

  /** A response's Set-Cookie headers, into the request's jar (params.jar) or this VU's. */
  storeCookies(url: string, rawHeaders: string, jar: unknown): void {
    const values = setCookieValues(rawHeaders);
    if (!values.length) return;
    (jar instanceof VuCookieJar ? jar : this.cookieJar()).store(url, values);
  }

  /** The Cookie header for a request ('' without a jar and per-request cookies: the usual case). */
  #cookie(url: string, params: RequestParams | undefined): string {
    const own = params?.jar;
    const jar = own === undefined ? this.#jar : own instanceof VuCookieJar ? own : undefined;
    if (!jar && !params?.cookies) return '';
    return cookieHeader(jar ? jar.header(url) : '', params?.cookies);
  }

  #pool(u: ParsedUrl): OriginPool {
    if (this.engine.config.shareConnections) return this.engine.sharedPool(u);
    let p = this.#pools.get(u.origin);
    if (!p) {
      p = new OriginPool(u.endpoint, this.engine.config.batchPerHost, this.engine);
      this.#pools.set(u.origin, p);
    }
    return p;
  }

  request(method: string, url: string, body: RequestBody, params: RequestParams | undefined, tags: Tags, timeoutMs: number | undefined): Promise<Response> {
    const t0 = performance.now();
    const u = this.engine.parseUrl(url);
    const op = this.#pool(u);
    let payload: Uint8Array | undefined;
    let form = false;
    if (body !== null && body !== undefined) {
      if (typeof body === 'string') payload = Buffer.from(body, 'utf8');
      else if (body instanceof Uint8Array) payload = body;
      else if (body instanceof ArrayBuffer) payload = new Uint8Array(body);
      else {
        // As in k6: a plain object is sent as an HTML form.
        payload = Buffer.from(new URLSearchParams(Object.entries(body).map(([k, v]): [string, string] => [k, String(v)])).toString(), 'utf8');
        form = true;
      }
    }
    const headers = params?.headers;
    const cookie = this.#jar !== undefined || params !== undefined ? this.#cookie(url, params) : '';
    let head: Buffer | string;
    if (!payload && !headers && !cookie) {
      // The common load-test request: the same bytes every time, built once.
      const heads = (u.heads ??= new Map());
      let h = heads.get(method);
      if (!h) heads.set(method, (h = Buffer.from(buildHead(method, u, undefined, undefined, false, this.engine.config, ''), 'latin1')));
      head = h;
    } else {
      try {
        head = buildHead(method, u, headers, payload, form, this.engine.config, cookie);
      } catch (err) {
        return Promise.reject(err);
      }
    }
    const cfg = this.engine.config;
    // HTTP/2 is decided per origin at connect time (ALPN; h2c when asked): plain http:// stays on the HTTP/1.1 path below.
    if ((u.endpoint.tls ? cfg.http2 !== false : cfg.h2c === true) && !this.engine.http1Origins.has(u.origin)) {
      const origin = this.#h2Origin(u);
      const h2 = new RequestHandler(this, origin, origin, method, url, head, payload, t0, params?.responseType ?? 'text', params?.tags ?? EMPTY_TAGS, tags);
      h2.h2 = true;
      return this.#send(h2, body, params, timeoutMs, origin);
    }
    const slot = op.acquire();
    const h = new RequestHandler(this, op, slot, method, url, head, payload, t0, params?.responseType ?? 'text', params?.tags ?? EMPTY_TAGS, tags);
    return this.#send(h, body, params, timeoutMs, slot);
  }

  #h2Origin(u: ParsedUrl): H2Origin {
    const map = (this.#h2 ??= new Map());
    let o = map.get(u.origin);
    if (!o) {
      const engine = this.engine;
      o = new H2Origin(u.endpoint, engine.slotOptions, engine.h2Hooks, !u.endpoint.tls, () => engine.http1Origins.add(u.origin));
      map.set(u.origin, o);
    }
    return o;
  }

  /** Common to both protocols; the carrier is passed, not a closure: no allocation per request for it. */
  #send(h: RequestHandler, body: RequestBody, params: RequestParams | undefined, timeoutMs: number | undefined, carrier: { dispatch(ex: RequestHandler): void }): Promise<Response> {
    h.redirectsLeft = params?.redirects ?? this.engine.config.maxRedirects ?? 10;
    h.origBody = body;
    h.params = params;
    h.timeoutMs = timeoutMs;
    return new Promise<Response>((resolve) => {
      h.resolve = resolve;
      if (this.#aborted) {
        h.interrupt();
        return;
      }
      this.inflight.add(h);
      h.timer = safeTimeout(timeoutHandler, timeoutMs ?? this.engine.config.timeoutMs, h);
      carrier.dispatch(h);
    });
  }

  /**
   * The next hop of a redirect, as a request of its own (its own metrics, as in k6), or undefined
   * when the response is the answer (no usable Location). 303, and 301/302 after a POST, continue
   * with GET and no body; 307/308 repeat the method and body. Credentials stay on the same origin.
   */
  follow(h: RequestHandler, res: Response): Promise<Response> | undefined {
    const location = res.headers.location;
    if (!location) return undefined;
    let next: URL;
    try {
      next = new URL(location, h.url);
    } catch {
      return undefined;
    }
    if (next.protocol !== 'http:' && next.protocol !== 'https:') return undefined;
    let method = h.method;
    let body = h.origBody;
    const toGet = (res.status === 303 && method !== 'HEAD') || ((res.status === 301 || res.status === 302) && method === 'POST');
    if (toGet) {
      method = 'GET';
      body = null;
    }
    let headers = h.params?.headers;
    const crossOrigin = next.origin !== this.engine.parseUrl(h.url).origin;
    if (headers && (toGet || crossOrigin)) {
      const kept: Record<string, string> = {};
      for (const k in headers) {
        const lower = k.toLowerCase();
        if (toGet && lower === 'content-type') continue;
        if (crossOrigin && CREDENTIALS.has(lower)) continue;
        kept[k] = headers[k];
      }
      headers = kept;
    }
    return this.request(method, next.href, body, { ...h.params, headers, redirects: h.redirectsLeft - 1 }, h.ctxTags, h.timeoutMs);
  }

  /** Called by the handler when a request ends (not when it is interrupted). */
  record(h: RequestHandler, res: Response): void {
    const failed = isFailed(res.status, h.params?.responseCallback);
    // A VU mostly repeats the same request with the same outcome: compare identities before
    // building the engine's cache key.
    let rs = this.#lastSeries;
    if (!rs || h.ctxTags !== this.#lastTags || h.url !== this.#lastUrl || h.method !== this.#lastMethod || h.userTags !== this.#lastUser || res.status !== this.#lastStatus || res.error_code !== this.#lastCode) {
      rs = this.#lastSeries = this.engine.requestSeries(h, res.status, res.error_code, failed);
      this.#lastTags = h.ctxTags;
      this.#lastUrl = h.url;
      this.#lastMethod = h.method;
      this.#lastUser = h.userTags;
      this.#lastStatus = res.status;
      this.#lastCode = res.error_code;
    }
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
    if (!this.engine.config.shareConnections || h.h2) {
      const b = h.op.takeBytes();
      const store = this.engine.store;
      if (b.read) store.derived(METRIC.data_received, h.ctxTags, '', noTags).add(b.read);
      if (b.written) store.derived(METRIC.data_sent, h.ctxTags, '', noTags).add(b.written);
    }
  }

  /* ---- the VU owns this client (protocols/vu-contract.ts) ---- */

  /** Stop every in-flight request now (the VU is being stopped); later ones end at once until resume(). */
  interrupt(): void {
    this.#aborted = true;
    for (const h of [...this.inflight]) h.interrupt();
  }

  /** The VU runs again after a ramp-down interrupted it. */
  resume(): void {
    this.#aborted = false;
  }

  /** The VU retires: close its connections. */
  release(): Promise<void> {
    return this.close();
  }

  async close(): Promise<void> {
    this.engine.forget(this);
    const all: Promise<unknown>[] = [];
    for (const p of this.#pools.values()) all.push(p.close());
    this.#pools.clear();
    if (this.#h2) for (const o of this.#h2.values()) all.push(o.close());
    this.#h2 = undefined;
    await Promise.all(all);
  }
}

function timeoutHandler(h: RequestHandler): void {
  h.timeout();
}
