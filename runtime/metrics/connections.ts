/**
 * Connection accounting shared by every protocol client (http, ws, mcp): the gauge
 * `connections_active` and the counters `connections_opened` / `connections_failed`, tagged
 * `proto` (and `error_code` on failures). They make "held connections" and "establishment rate"
 * thresholds like any other: `connections_opened: ['rate>5000/s']`, `connections_active: ['max>=100000']`.
 *
 * Usage (one meter per worker store and protocol, cached; call exactly one of opened()/failed()
 * per attempt, and closed() exactly once per opened()):
 *
 *   const conns = connectionMeter(ctx.store, 'mcp');
 *   conns.opened();            // the connection is up (TCP/TLS, or the WebSocket handshake)
 *   conns.closed();            // it went away, for whatever reason
 *   conns.failed('ECONNREFUSED');
 *
 * The tags are only `proto` (not scenario or group): a connection can outlive an iteration and is
 * shared by requests of different groups. Use the metrics in top-level thresholds.
 */
import type { SeriesHandle, WorkerMetricStore } from './worker-store.js';

export class ConnectionMeter {
  /** Connections of this protocol open in this worker now. */
  active = 0;
  readonly #gauge: SeriesHandle;
  readonly #opened: SeriesHandle;

  constructor(
    readonly store: WorkerMetricStore,
    readonly proto: string,
  ) {
    const tags = { proto };
    this.#gauge = store.series('connections_active', tags);
    this.#opened = store.series('connections_opened', tags);
  }

  opened(): void {
    this.#opened.add(1);
    this.#gauge.add(++this.active);
  }

  closed(): void {
    if (this.active > 0) this.#gauge.add(--this.active);
  }

  failed(errorCode?: string): void {
    this.store.add('connections_failed', 1, errorCode ? { proto: this.proto, error_code: errorCode } : { proto: this.proto });
  }
}

const meters = new WeakMap<WorkerMetricStore, Map<string, ConnectionMeter>>();

/** The meter of `proto` in this worker's store (created on first use). */
export function connectionMeter(store: WorkerMetricStore, proto: string): ConnectionMeter {
  let byProto = meters.get(store);
  if (!byProto) {
    byProto = new Map();
    meters.set(store, byProto);
  }
  let m = byProto.get(proto);
  if (!m) {
    m = new ConnectionMeter(store, proto);
    byProto.set(proto, m);
  }
  return m;
}

/** Connections of every protocol open in this worker now. */
export function activeConnections(store: WorkerMetricStore): number {
  let n = 0;
  for (const m of meters.get(store)?.values() ?? []) n += m.active;
  return n;
}
