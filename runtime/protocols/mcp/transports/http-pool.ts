/**
 * An undici Pool for one MCP session (or, with `shareConnections`, one per origin per worker) that
 * knows its sockets, so every request's wire bytes feed data_sent/data_received exactly.
 * No undici timeouts: SSE streams are long-lived and every call has its own timer.
 */
import type { Socket } from 'node:net';
import { Pool, buildConnector } from 'undici';
import type { ConnectionMeter } from '../../../metrics/connections.js';
import { nextLocalAddress } from '../../local-ips.js';
import { errorCodeOf } from '../../http/error-codes.js';
import type { ByteCount } from './types.js';

export class TrackedPool {
  readonly pool: Pool;
  readonly #sockets = new Set<Socket>();
  readonly #seen = new WeakMap<Socket, { read: number; written: number }>();
  #closedRead = 0;
  #closedWritten = 0;

  constructor(
    origin: string,
    connections: number,
    connectTimeoutMs: number,
    readonly conns: ConnectionMeter,
  ) {
    const base = buildConnector({ timeout: connectTimeoutMs });
    const connect: buildConnector.connector = (opts, cb) => {
      // --local-ips: spread new connections over the source addresses (undefined: the kernel picks).
      const localAddress = opts.localAddress ?? nextLocalAddress();
      return base(localAddress ? { ...opts, localAddress } : opts, (err, socket) => {
        if (err || !socket) {
          this.conns.failed(errorCodeOf(err));
          return cb(err, null);
        }
        this.#track(socket as Socket);
        cb(null, socket);
      });
    };
    this.pool = new Pool(origin, { connections, pipelining: 1, connect, headersTimeout: 0, bodyTimeout: 0 });
  }

  #track(socket: Socket): void {
    this.#sockets.add(socket);
    this.#seen.set(socket, { read: 0, written: 0 });
    this.conns.opened();
    socket.once('close', () => {
      this.conns.closed();
      const last = this.#seen.get(socket);
      if (last) {
        this.#closedRead += socket.bytesRead - last.read;
        this.#closedWritten += socket.bytesWritten - last.written;
      }
      this.#sockets.delete(socket);
    });
  }

  takeBytes(out: ByteCount): void {
    let read = this.#closedRead;
    let written = this.#closedWritten;
    this.#closedRead = 0;
    this.#closedWritten = 0;
    for (const s of this.#sockets) {
      const last = this.#seen.get(s)!;
      const r = s.bytesRead;
      const w = s.bytesWritten;
      read += r - last.read;
      written += w - last.written;
      last.read = r;
      last.written = w;
    }
    out.received += read;
    out.sent += written;
  }

  async close(): Promise<void> {
    await this.pool.close().catch(() => this.pool.destroy().catch(() => {}));
  }

  async destroy(): Promise<void> {
    await this.pool.destroy().catch(() => {});
  }
}

/** Pools shared by every session of this worker, per origin (`shareConnections: true`). */
const shared = new Map<string, TrackedPool>();

export function sharedPool(origin: string, connectTimeoutMs: number, conns: ConnectionMeter): TrackedPool {
  let p = shared.get(origin);
  if (!p) {
    p = new TrackedPool(origin, Number.MAX_SAFE_INTEGER, connectTimeoutMs, conns);
    shared.set(origin, p);
  }
  return p;
}
