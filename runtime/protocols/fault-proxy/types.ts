/**
 * What a fault proxy is told to do: the network and HTTP faults it can inject, already resolved
 * (times in ms, sizes in bytes), structured-clone safe so the coordinator can send them to workers.
 * Semantics follow Toxiproxy's toxics where they overlap (latency ± jitter per chunk, bandwidth,
 * reset_peer, timeout, slow_close, limit_data; `rate` is Toxiproxy's `toxicity`, `direction` its
 * `stream`) and xk6-disruptor's HTTP faults for `http-error` / `http-delay`.
 */

/** Which bytes a fault acts on: client → upstream, upstream → client, or both. */
export type FaultDirection = 'upstream' | 'downstream' | 'both';

export type ProxyFaultParams =
  /** Each chunk is held `latencyMs` ± up to `jitterMs` (uniform); order is kept. */
  | { kind: 'latency'; latencyMs: number; jitterMs: number }
  /** At most this many bytes per second per connection and direction. */
  | { kind: 'bandwidth'; bytesPerSecond: number }
  /** On the first data of an affected connection (after `timeoutMs`), both sockets are reset (RST). */
  | { kind: 'reset'; timeoutMs: number }
  /** The proxy stops listening (new connections are refused by the kernel), then listens again on the same port. */
  | { kind: 'refuse' }
  /** A partition: every byte is dropped, connections stay open; those that lost bytes are closed when it ends. */
  | { kind: 'blackhole' }
  /** Data stops; the connection is closed after `timeoutMs` (0: only when the fault ends). */
  | { kind: 'timeout'; timeoutMs: number }
  /** A close (FIN) is passed on `delayMs` late. */
  | { kind: 'slow-close'; delayMs: number }
  /** The connection is closed once `bytes` have passed (counted from when the fault turned on). */
  | { kind: 'limit-data'; bytes: number }
  /** Affected requests are answered by the proxy (never reach the upstream); the connection stays usable. */
  | { kind: 'http-error'; status: number; body: string; headers: Record<string, string> }
  /** Affected responses are held `delayMs` ± up to `jitterMs` before their first byte is passed on. */
  | { kind: 'http-delay'; delayMs: number; jitterMs: number };

export type ProxyFaultKind = ProxyFaultParams['kind'];

export const PROXY_FAULT_KINDS: readonly ProxyFaultKind[] = [
  'latency',
  'bandwidth',
  'reset',
  'refuse',
  'blackhole',
  'timeout',
  'slow-close',
  'limit-data',
  'http-error',
  'http-delay',
];

/** Kinds that act per HTTP request (their `rate` is a fraction of requests); they need `protocol: 'http'`. */
export const HTTP_FAULT_KINDS: ReadonlySet<ProxyFaultKind> = new Set(['http-error', 'http-delay']);

/** One fault as the proxy applies it. */
export interface ProxyFault {
  /** The fault's name in `options.faults`: the key of its counters. */
  name: string;
  params: ProxyFaultParams;
  /** Fraction (0..1] of connections (network kinds) or of requests (HTTP kinds) affected. */
  rate: number;
  direction: FaultDirection;
}

/**
 * What the proxy did, per fault, since it was created (the wiring turns these into metrics).
 * `refuse` counts nothing: the kernel refuses those connections, the proxy never sees them.
 */
export interface FaultCounters {
  /** Connections the fault acted on (delayed, throttled, dropped bytes of, reset, closed). */
  connections: number;
  /** Requests the fault acted on (HTTP kinds). */
  requests: number;
  /** Bytes the fault discarded (blackhole, timeout, limit-data, the bodies of requests answered by http-error). */
  bytesDropped: number;
}

export interface FaultProxyOptions {
  /** Where the proxy forwards to. */
  upstream: { host: string; port: number };
  /** @default '127.0.0.1' */
  host?: string;
  /** @default 0 (any free port) */
  port?: number;
  /**
   * 'http' frames HTTP/1.1 requests and responses on every connection so that HTTP faults can act
   * per request on keep-alive connections; 'tcp' passes bytes through unparsed (cheaper).
   * @default 'tcp'
   */
  protocol?: 'tcp' | 'http';
  /** Random numbers in [0, 1) for the `rate` draws. @default Math.random */
  random?: () => number;
}
