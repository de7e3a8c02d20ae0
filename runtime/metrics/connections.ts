/**
 * Connection accounting shared by every protocol client (http, ws, mcp): the gauge
 * `connections_active` and the counters `connections_opened` / `connections_failed`, tagged
 * `proto` (and `error_code` on failures). They make "held connections" and "establishment rate"
 * thresholds like any other: `connections_opened: ['rate>5000/s']`, `connections_active: ['max>=100000']`.
 *
 * One ConnectionMeters per worker (in its protocol services); one meter per protocol in it. Call
 * exactly one of opened()/failed() per attempt, and closed() exactly once per opened():
 *
 *   const conns = services.connections.of('mcp');
 *   conns.opened();            // the connection is up (TCP/TLS, or the WebSocket handshake)
 *   conns.closed();            // it went away, for whatever reason
 *   conns.failed('ECONNREFUSED');
 *
 * The tags are only `proto` (not scenario or group): a connection can outlive an iteration and is
 * shared by requests of different groups. Use the metrics in top-level thresholds.
 */
import { METRIC } from './builtin.js';
import type { Tags } from './types.js';
import type { SeriesHandle, WorkerMetricStore } from './worker-store.js';

/** How many of something are open in this worker now, recorded as a gauge at every change. */
export class ActiveGauge {
  active = 0;

  constructor(readonly series: SeriesHandle) {}

  inc(): void {
    this.series.add(++this.active);
  }

  dec(): void {
    if (this.active > 0) this.series.add(--this.active);
  }
}

export class ConnectionMeter {
  readonly #gauge: ActiveGauge;
  readonly #opened: SeriesHandle;
  readonly #tags: Tags;

  constructor(
    readonly store: WorkerMetricStore,
    readonly proto: string,
  ) {
    this.#tags = { proto };
    this.#gauge = new ActiveGauge(store.series(METRIC.connections_active, this.#tags));
    this.#opened = store.series(METRIC.connections_opened, this.#tags);
  }

  /** Connections of this protocol open in this worker now. */
  get active(): number {
    return this.#gauge.active;
  }

  opened(): void {
    this.#opened.add(1);
    this.#gauge.inc();
  }

  closed(): void {
    this.#gauge.dec();
  }

  failed(errorCode?: string): void {
    this.store.add(METRIC.connections_failed, 1, errorCode ? { proto: this.proto, error_code: errorCode } : this.#tags);
  }
}

/** The connection meters of one worker, one per protocol (created on first use). */
export class ConnectionMeters {
  readonly #byProto = new Map<string, ConnectionMeter>();

  constructor(readonly store: WorkerMetricStore) {}

  of(proto: string): ConnectionMeter {
    let m = this.#byProto.get(proto);
    if (!m) this.#byProto.set(proto, (m = new ConnectionMeter(this.store, proto)));
    return m;
  }

  /** Connections of every protocol open in this worker now. */
  get active(): number {
    let n = 0;
    for (const m of this.#byProto.values()) n += m.active;
    return n;
  }
}
