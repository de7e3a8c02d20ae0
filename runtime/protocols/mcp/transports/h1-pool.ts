/**
 * The HTTP/1.1 connections of one MCP session (or, with `shareConnections`, of every session of a
 * worker per origin), on mcprun's own client (../../http/h1-client.ts): keep-alive slots created
 * on demand up to a maximum; a request goes to an idle slot, else a new one, else the least busy
 * (it queues there, and the wait is part of its duration). A session that calls one tool at a
 * time holds exactly one socket.
 *
 * Why not undici (what this replaced): a Client per session plus its connector and kQueue cost
 * ~16 KB of heap per held session; a slot is one object and its socket. The pool knows its
 * sockets, so wire bytes (data_sent / data_received) are exact, counted without a closure per
 * socket: the close listener is one shared function that finds its pool through a symbol.
 */
import type { Socket } from 'node:net';
import type { ConnectionMeter } from '../../../metrics/connections.js';
import { UNKNOWN_CODE, errorCodeOf } from '../../../errors.js';
import { H1Slot, type Endpoint, type H1Exchange, type SlotHooks, type SlotOptions } from '../../http/h1-client.js';
import type { SourceAddresses } from '../../local-ips.js';
import type { ByteCount } from './types.js';

const kPool = Symbol('mcprun.mcp.pool');
const kRead = Symbol('mcprun.mcp.read');
const kWritten = Symbol('mcprun.mcp.written');
type TrackedSocket = Socket & { [kPool]: H1Pool; [kRead]: number; [kWritten]: number };

export class H1Pool implements SlotHooks {
  /** Created on the first request: a session that never sends holds no slot. */
  #slots: H1Slot[] | null = null;
  #dedicated: H1Slot[] | null = null;
  /** Open sockets (one per busy slot, usually one). */
  readonly #sockets: TrackedSocket[] = [];
  #closedRead = 0;
  #closedWritten = 0;

  constructor(
    readonly endpoint: Endpoint,
    readonly max: number,
    readonly options: SlotOptions,
    readonly conns: ConnectionMeter,
  ) {}

  /** The slot a request goes on: idle, else new (under the maximum), else the least busy. */
  slot(): H1Slot {
    const slots = (this.#slots ??= []);
    let best: H1Slot | undefined;
    for (let i = 0; i < slots.length; i++) {
      const s = slots[i];
      const n = s.inflight;
      if (n === 0) return s;
      if (!best || n < best.inflight) best = s;
    }
    if (!best || slots.length < this.max) {
      best = new H1Slot(this.endpoint, this.options, this);
      slots.push(best);
    }
    return best;
  }

  /** A connection outside the rotation, for a long-lived stream (the GET of an SSE session): closed with the pool. */
  dedicated(): H1Slot {
    const s = new H1Slot(this.endpoint, this.options, this);
    (this.#dedicated ??= []).push(s);
    return s;
  }

  send(ex: H1Exchange): H1Slot {
    const s = this.slot();
    s.dispatch(ex);
    return s;
  }

  opened(socket: Socket): void {
    const s = socket as TrackedSocket;
    s[kPool] = this;
    s[kRead] = 0;
    s[kWritten] = 0;
    this.#sockets.push(s);
    this.conns.opened();
    // `on`, not `once`: a socket closes once, and once() would wrap the listener in an object per socket.
    s.on('close', onSocketClose);
  }

  failed(err: Error): void {
    this.conns.failed(errorCodeOf(err) ?? UNKNOWN_CODE);
  }

  /** @internal a tracked socket closed: keep its last bytes, drop it. */
  socketClosed(s: TrackedSocket): void {
    this.#closedRead += s.bytesRead - s[kRead];
    this.#closedWritten += s.bytesWritten - s[kWritten];
    const i = this.#sockets.indexOf(s);
    if (i !== -1) {
      const last = this.#sockets.pop()!;
      if (last !== s) this.#sockets[i] = last;
    }
    this.conns.closed();
  }

  /** Wire bytes since the previous call. */
  takeBytes(out: ByteCount): void {
    let read = this.#closedRead;
    let written = this.#closedWritten;
    this.#closedRead = 0;
    this.#closedWritten = 0;
    for (const s of this.#sockets) {
      const r = s.bytesRead;
      const w = s.bytesWritten;
      read += r - s[kRead];
      written += w - s[kWritten];
      s[kRead] = r;
      s[kWritten] = w;
    }
    out.received += read;
    out.sent += written;
  }

  /** Closes idle connections now and busy ones once their request is done (abort those first if they must not finish). */
  async close(): Promise<void> {
    const slots = this.#dedicated ? [...(this.#slots ?? []), ...this.#dedicated] : this.#slots;
    if (!slots) return;
    if (slots.length === 1) await slots[0].close();
    else await Promise.all(slots.map((s) => s.close()));
  }

  destroy(): void {
    if (this.#slots) for (const s of this.#slots) s.destroy();
    if (this.#dedicated) for (const s of this.#dedicated) s.destroy();
  }
}

function onSocketClose(this: TrackedSocket): void {
  this[kPool].socketClosed(this);
}

/** Where an http(s):// URL connects (brackets of an IPv6 literal removed). */
export function endpointOf(u: URL): Endpoint {
  const tls = u.protocol === 'https:';
  const hostname = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
  return Object.freeze({ tls, hostname, port: u.port ? Number(u.port) : tls ? 443 : 80 });
}

/** Pools shared by every session of one worker, per origin (`shareConnections: true`); in its protocol services. */
export class SharedPools {
  readonly #byOrigin = new Map<string, H1Pool>();
  readonly options: SlotOptions;

  constructor(
    readonly conns: ConnectionMeter,
    sources: SourceAddresses,
    rejectUnauthorized = true,
  ) {
    this.options = { rejectUnauthorized, sources };
  }

  of(u: URL): H1Pool {
    let p = this.#byOrigin.get(u.origin);
    if (!p) this.#byOrigin.set(u.origin, (p = new H1Pool(endpointOf(u), Number.MAX_SAFE_INTEGER, this.options, this.conns)));
    return p;
  }

  /** The worker shuts down: its VUs have retired, nothing is waited for. */
  destroy(): Promise<void> {
    for (const p of this.#byOrigin.values()) p.destroy();
    this.#byOrigin.clear();
    return Promise.resolve();
  }
}
