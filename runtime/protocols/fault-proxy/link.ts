/**
 * One proxied connection: the client's socket, the upstream socket, a pipe each way, and the
 * network faults this connection was drawn for (each active fault draws each connection once,
 * with probability `rate`, when it turns on or when the connection opens while it is on).
 */
import type { Duplex } from 'node:stream';
import { covers, type ActiveFault } from './active-fault.js';
import { HttpExchanges, type HttpFaultSource } from './http-exchanges.js';
import { MemorySocket } from './memory-socket.js';
import { Pipe, type PipeFault, type PipeFaults } from './pipe.js';
import { safeTimeout } from '../../timers.js';

/** Either end of a proxied connection: a TCP socket, or a MemorySocket from openConnection(). */
export type ProxiedSocket = Duplex & { resetAndDestroy(): unknown };

/** One network fault acting on one connection. */
class LinkFault implements PipeFault {
  touched = false;
  lostBytes = false;
  timer: NodeJS.Timeout | null = null;

  constructor(readonly active: ActiveFault) {}

  touch(): void {
    if (this.touched) return;
    this.touched = true;
    this.active.counters.connections++;
  }

  dropped(bytes: number): void {
    if (bytes <= 0) return;
    this.lostBytes = true;
    this.active.counters.bytesDropped += bytes;
  }
}

export class Link {
  readonly up: Pipe;
  readonly down: Pipe;
  readonly #faults = new Map<string, LinkFault>();
  readonly #http: HttpExchanges | null;
  /** The reset fault acting on client → upstream / upstream → client data, if any. */
  #resetUp: LinkFault | null = null;
  #resetDown: LinkFault | null = null;
  #closed = false;

  constructor(
    readonly client: ProxiedSocket,
    readonly upstream: ProxiedSocket,
    readonly random: () => number,
    http: HttpFaultSource | null,
    readonly onClose: (link: Link) => void,
  ) {
    const close = () => this.close();
    this.up = new Pipe(client, upstream, random, close);
    this.down = new Pipe(upstream, client, random, close);
    this.#http = http ? new HttpExchanges(this.up, this.down, http, random, () => this.endBoth()) : null;
    if (client instanceof MemorySocket) client.setReader((c) => this.#fromClient(c));
    else client.on('data', (c: Buffer) => this.#fromClient(c));
    // The upstream socket's reads arrive through fromUpstream (the proxy connects it with onread).
    client.on('end', () => this.up.end());
    upstream.on('end', () => {
      this.#http?.upstreamEnded();
      this.down.end();
    });
    // An error on one side resets the other, as the peer of a reset connection sees it.
    client.on('error', () => this.#resetAll());
    upstream.on('error', () => this.#resetAll());
    let open = 2;
    const gone = () => {
      if (--open === 0) this.#dispose();
    };
    client.on('close', gone);
    upstream.on('close', gone);
  }

  #fromClient(c: Buffer): void {
    if (this.#resetUp) return this.#reset(this.#resetUp);
    if (this.#http) this.#http.fromClient(c);
    else this.up.push(c);
  }

  /** A chunk the upstream sent (owned by the link: it may be held). */
  fromUpstream(c: Buffer): void {
    if (this.#resetDown) return this.#reset(this.#resetDown);
    if (this.#http) this.#http.fromUpstream(c);
    else this.down.push(c);
  }

  /** A network fault turned on (or was on when this connection opened): draw this connection. */
  faultOn(active: ActiveFault): void {
    if (this.#closed || this.random() >= active.fault.rate) return;
    const lf = new LinkFault(active);
    this.#faults.set(active.name, lf);
    const p = active.fault.params;
    if (p.kind === 'timeout' && p.timeoutMs > 0) {
      lf.timer = safeTimeout(() => (lf.touch(), this.close()), p.timeoutMs);
      lf.timer.unref();
    }
    this.#apply();
  }

  faultOff(name: string): void {
    const lf = this.#faults.get(name);
    if (!lf) return;
    this.#faults.delete(name);
    if (lf.timer) clearTimeout(lf.timer);
    this.#apply();
    const kind = lf.active.fault.params.kind;
    // Bytes were dropped: the stream lost data and cannot resume (Toxiproxy's timeout closes too).
    if (kind === 'timeout' || (kind === 'blackhole' && lf.lostBytes)) this.#resetAll();
  }

  /** Recomputes what each pipe does from the faults this connection is drawn for (the later of two of a kind wins). */
  #apply(): void {
    const up: PipeFaults = { latency: null, bandwidth: null, drop: null, limit: null, slowClose: null };
    const down: PipeFaults = { latency: null, bandwidth: null, drop: null, limit: null, slowClose: null };
    this.#resetUp = null;
    this.#resetDown = null;
    for (const lf of this.#faults.values()) {
      const { params: p, direction } = lf.active.fault;
      for (const [pf, dir] of [[up, 'upstream'], [down, 'downstream']] as const) {
        if (!covers(direction, dir)) continue;
        if (p.kind === 'latency') pf.latency = { fault: lf, latencyMs: p.latencyMs, jitterMs: p.jitterMs };
        else if (p.kind === 'bandwidth') pf.bandwidth = { fault: lf, bytesPerSecond: p.bytesPerSecond };
        else if (p.kind === 'blackhole' || p.kind === 'timeout') pf.drop = lf;
        else if (p.kind === 'limit-data') pf.limit = { fault: lf, left: this.#limitLeft(dir, lf, p.bytes) };
        else if (p.kind === 'slow-close') pf.slowClose = { fault: lf, delayMs: p.delayMs };
        else if (p.kind === 'reset') {
          if (dir === 'upstream') this.#resetUp = lf;
          else this.#resetDown = lf;
        }
      }
    }
    Object.assign(this.up.faults, up);
    Object.assign(this.down.faults, down);
    this.up.refresh();
    this.down.refresh();
  }

  /** limit-data counts from when the fault turned on: keep what is left across a recomputation. */
  #limitLeft(dir: 'upstream' | 'downstream', lf: LinkFault, bytes: number): number {
    const cur = (dir === 'upstream' ? this.up : this.down).faults.limit;
    return cur && cur.fault === lf ? cur.left : bytes;
  }

  #reset(lf: LinkFault): void {
    lf.touch();
    const p = lf.active.fault.params;
    const delay = p.kind === 'reset' ? p.timeoutMs : 0;
    if (delay === 0) return this.#resetAll();
    // Like reset_peer with a timeout: data stops now, the RST follows.
    this.#resetUp = this.#resetDown = null;
    this.up.faults.drop = this.down.faults.drop = lf;
    this.up.refresh();
    this.down.refresh();
    safeTimeout(() => this.#resetAll(), delay).unref();
  }

  /** Both sockets reset (RST): what a client sees when the peer's connection is reset. */
  #resetAll(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const s of [this.client, this.upstream]) if (!s.destroyed) s.resetAndDestroy();
  }

  /** Both sides get a FIN (limit-data reached, timeout elapsed, a synthetic `connection: close` response sent). */
  endBoth(): void {
    this.up.end();
    this.down.end();
  }

  /** Graceful close of the whole connection: FIN both ways, then destroy. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const s of [this.client, this.upstream]) {
      if (!s.destroyed) s.end();
      setTimeout(() => s.destroy(), 1000).unref();
    }
  }

  destroy(): void {
    this.#closed = true;
    this.client.destroy();
    this.upstream.destroy();
  }

  #dispose(): void {
    this.#closed = true;
    for (const lf of this.#faults.values()) if (lf.timer) clearTimeout(lf.timer);
    this.#faults.clear();
    this.up.dispose();
    this.down.dispose();
    this.onClose(this);
  }
}
