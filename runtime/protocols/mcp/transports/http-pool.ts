/**
 * The HTTP connections of one MCP session (or, with `shareConnections`, of every session of a
 * worker per origin): undici Clients created on demand up to a maximum, each request sent on an
 * idle one (or, when all are busy, queued on the least busy). A small pool of our own instead of
 * undici's Pool, whose fixed queue costs ~20 KiB per instance: an idle session holds ~6 KiB of
 * client state. The pool knows its sockets, so every request's wire bytes feed
 * data_sent/data_received exactly. No undici timeouts: SSE streams are long-lived and every call
 * has its own timer.
 */
import type { Socket } from 'node:net';
import { undici, type Client, type Connector, type Dispatcher } from '../../undici-core.js';
import { SocketBytes } from '../../socket-bytes.js';
import type { ConnectionMeter } from '../../../metrics/connections.js';
import { UNKNOWN_CODE, errorCodeOf } from '../../../errors.js';
import type { SourceAddresses } from '../../local-ips.js';
import type { ByteCount } from './types.js';

/** A dispatch handler that remembers which connection carries it. */
export interface PooledHandler extends Dispatcher.DispatchHandler {
  poolSlot: number;
}

export class TrackedPool {
  readonly #clients: Client[] = [];
  /** Requests in flight per client (ours: every dispatch goes through dispatch()/release()). */
  readonly #load: number[] = [];
  /** Clients with nothing in flight. */
  readonly #idle: number[] = [];
  readonly #connect: Connector;
  readonly #bytes = new SocketBytes();
  #next = 0;

  constructor(
    readonly origin: string,
    readonly max: number,
    connectTimeoutMs: number,
    readonly conns: ConnectionMeter,
    sources: SourceAddresses,
  ) {
    const base = undici().buildConnector({ timeout: connectTimeoutMs });
    this.#connect = (opts, cb) => {
      // --local-ips: spread new connections over the source addresses (undefined: the kernel picks).
      const localAddress = opts.localAddress ?? sources.next();
      return base(localAddress ? { ...opts, localAddress } : opts, (err, socket) => {
        if (err || !socket) {
          this.conns.failed(errorCodeOf(err) ?? UNKNOWN_CODE);
          return cb(err, null);
        }
        this.#track(socket as Socket);
        cb(null, socket);
      });
    };
  }

  /** Sends a request on an idle connection (a new one up to the maximum, else the next busy one). */
  send(opts: Dispatcher.DispatchOptions, h: PooledHandler): void {
    let slot = this.#idle.pop();
    if (slot === undefined) {
      if (this.#clients.length < this.max) {
        slot = this.#clients.length;
        this.#clients.push(new (undici().Client)(this.origin, { pipelining: 1, connect: this.#connect, headersTimeout: 0, bodyTimeout: 0 }));
        this.#load.push(0);
      } else {
        // Every connection is busy: queue on the next one (round robin); the wait is measured.
        slot = this.#next++ % this.#clients.length;
      }
    }
    this.#load[slot]++;
    h.poolSlot = slot;
    try {
      this.#clients[slot].dispatch(opts, h);
    } catch (err) {
      h.onError?.(err as Error);
    }
  }

  /** The handler is done with its connection (call once, from its completion or error). */
  finished(h: PooledHandler): void {
    const slot = h.poolSlot;
    h.poolSlot = -1;
    if (slot < 0 || this.#load[slot] === undefined) return;
    if (--this.#load[slot] === 0) this.#idle.push(slot);
  }

  #track(socket: Socket): void {
    this.conns.opened();
    this.#bytes.track(socket, () => this.conns.closed());
  }

  takeBytes(out: ByteCount): void {
    const b = this.#bytes.take();
    out.received += b.read;
    out.sent += b.written;
  }

  /** Lets in-flight requests finish (the caller aborts them first if it must not wait). */
  async close(): Promise<void> {
    await Promise.all(this.#clients.map((c) => c.close().catch(() => c.destroy().catch(() => {}))));
  }

  async destroy(): Promise<void> {
    await Promise.all(this.#clients.map((c) => c.destroy().catch(() => {})));
  }
}

/** Pools shared by every session of one worker, per origin (`shareConnections: true`); in its protocol services. */
export class SharedPools {
  readonly #byOrigin = new Map<string, TrackedPool>();

  constructor(
    readonly conns: ConnectionMeter,
    readonly sources: SourceAddresses,
  ) {}

  of(origin: string, connectTimeoutMs: number): TrackedPool {
    let p = this.#byOrigin.get(origin);
    if (!p) this.#byOrigin.set(origin, (p = new TrackedPool(origin, Number.MAX_SAFE_INTEGER, connectTimeoutMs, this.conns, this.sources)));
    return p;
  }

  /** The worker shuts down: its VUs have retired, nothing is waited for. */
  async destroy(): Promise<void> {
    await Promise.all([...this.#byOrigin.values()].map((p) => p.destroy()));
    this.#byOrigin.clear();
  }
}
