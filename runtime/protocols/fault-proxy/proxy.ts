/**
 * The fault proxy: one per proxied target in each worker, in the worker's own event loop, on
 * 127.0.0.1 by default. It forwards every connection to the upstream and applies the faults that
 * are switched on (`setFault` / `clearFault`, called when the coordinator says so).
 *
 * Layout, from bench/fault-proxy.mjs: in the worker's loop rather than a thread beside it (a
 * thread on the same core cost more: cross-thread wakeups), and reached by mcprun's own clients
 * in memory (`openConnection`) rather than over loopback TCP, which doubled the kernel's work per
 * request. The TCP listener serves every other client (npm packages in the script, other
 * processes). With no fault on, a chunk costs one write each way (in 'http' mode also a look at
 * each message head).
 */
import { connect, createServer, type AddressInfo, type Server } from 'node:net';
import { McprunError } from '../../errors.js';
import { ActiveFault, emptyCounters } from './active-fault.js';
import type { HttpFaultSource } from './http-exchanges.js';
import { Link, type ProxiedSocket } from './link.js';
import { MemorySocket, type MemorySocketOptions } from './memory-socket.js';
import { HTTP_FAULT_KINDS, type FaultCounters, type FaultProxyOptions, type ProxyFault } from './types.js';

/** Attempts to listen again on the same port after a `refuse` fault (another socket may hold it for a moment). */
const RELISTEN_TRIES = 40;
const RELISTEN_PAUSE_MS = 50;

export class FaultProxy implements HttpFaultSource {
  readonly #options: FaultProxyOptions;
  readonly #random: () => number;
  readonly #links = new Set<Link>();
  readonly #active = new Map<string, ActiveFault>();
  readonly #counters = new Map<string, FaultCounters>();
  #httpFaults: ActiveFault[] = [];
  #server: Server | null = null;
  #address: { host: string; port: number } | null = null;
  #closed = false;

  constructor(options: FaultProxyOptions) {
    this.#options = options;
    this.#random = options.random ?? Math.random;
  }

  get httpFaults(): readonly ActiveFault[] {
    return this.#httpFaults;
  }

  /** Open connections through the proxy. */
  get connections(): number {
    return this.#links.size;
  }

  /** Starts listening; resolves with the address VUs connect to. */
  async listen(): Promise<{ host: string; port: number }> {
    const host = this.#options.host ?? '127.0.0.1';
    const port = await this.#listenOn(host, this.#options.port ?? 0);
    this.#address = { host, port };
    return this.#address;
  }

  address(): { host: string; port: number } {
    if (!this.#address) throw new McprunError('MCPRUN_INTERNAL', 'the fault proxy is not listening yet: await listen() first');
    return this.#address;
  }

  /** Switches a fault on (or replaces the one of that name). Resolves once it is in effect. */
  async setFault(fault: ProxyFault): Promise<void> {
    if (HTTP_FAULT_KINDS.has(fault.params.kind) && this.#options.protocol !== 'http') {
      throw new McprunError('MCPRUN_INTERNAL', `fault "${fault.name}" (${fault.params.kind}) needs a proxy created with protocol 'http'`);
    }
    if (this.#active.has(fault.name)) await this.clearFault(fault.name);
    let counters = this.#counters.get(fault.name);
    if (!counters) this.#counters.set(fault.name, (counters = emptyCounters()));
    const active = new ActiveFault(fault, counters);
    this.#active.set(fault.name, active);
    if (HTTP_FAULT_KINDS.has(fault.params.kind)) this.#httpFaults = [...this.#httpFaults, active];
    else if (fault.params.kind === 'refuse') this.#stopListening();
    else for (const l of this.#links) l.faultOn(active);
  }

  /** Switches a fault off; a no-op when it is not on. Resolves once the proxy listens again after `refuse`. */
  async clearFault(name: string): Promise<void> {
    const active = this.#active.get(name);
    if (!active) return;
    this.#active.delete(name);
    const kind = active.fault.params.kind;
    if (HTTP_FAULT_KINDS.has(kind)) this.#httpFaults = this.#httpFaults.filter((f) => f !== active);
    else if (kind === 'refuse') {
      if (![...this.#active.values()].some((f) => f.fault.params.kind === 'refuse') && !this.#closed) {
        const { host, port } = this.address();
        await this.#listenOn(host, port);
      }
    } else for (const l of this.#links) l.faultOff(name);
  }

  /**
   * A connection to the proxy that does not go through the kernel: the client end of an in-memory
   * socket pair (memory-socket.ts), for mcprun's own clients in this worker. Faults act on it as on
   * a TCP connection; while `refuse` is on (or after close) it fails with ECONNREFUSED.
   */
  openConnection(options: MemorySocketOptions = {}): MemorySocket {
    const address = this.address();
    if (this.#closed || this.#server === null) return MemorySocket.refused(address);
    const [client, server] = MemorySocket.pair(address, options, { allowHalfOpen: true });
    server.pause();
    this.#accept(server);
    return client;
  }

  /** Names of the faults that are on. */
  activeFaults(): string[] {
    return [...this.#active.keys()];
  }

  /** What each fault did so far (copies). */
  counters(): Record<string, FaultCounters> {
    return Object.fromEntries([...this.#counters].map(([k, c]) => [k, { ...c }]));
  }

  /** Stops listening and closes every connection. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#active.clear();
    this.#httpFaults = [];
    const server = this.#server;
    this.#server = null;
    for (const l of this.#links) l.destroy();
    this.#links.clear();
    if (server) await new Promise<void>((r) => server.close(() => r()));
  }

  async #listenOn(host: string, port: number): Promise<number> {
    for (let attempt = 1; ; attempt++) {
      const server = createServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true }, (s) => this.#accept(s));
      try {
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen({ host, port, backlog: 4096 }, () => resolve());
        });
      } catch (err) {
        const again = port !== 0 && (err as NodeJS.ErrnoException).code === 'EADDRINUSE' && attempt < RELISTEN_TRIES;
        if (!again) throw err;
        await new Promise((r) => setTimeout(r, RELISTEN_PAUSE_MS));
        continue;
      }
      server.on('error', () => {});
      if (this.#closed) {
        server.close();
        return port;
      }
      this.#server = server;
      return (server.address() as AddressInfo).port;
    }
  }

  #stopListening(): void {
    const server = this.#server;
    this.#server = null;
    // Closing the listening socket makes the kernel refuse new connections; accepted ones live on.
    server?.close();
  }

  #accept(client: ProxiedSocket): void {
    if (this.#closed) {
      client.destroy();
      return;
    }
    const { host, port } = this.#options.upstream;
    let link: Link | null = null;
    // onread (as the HTTP client does): no Readable queue per upstream read. The buffer is shared by
    // every upstream socket of this thread; a chunk is copied out of it since the pipes may hold it.
    const upstream = connect({
      host,
      port,
      allowHalfOpen: true,
      noDelay: true,
      onread: {
        buffer: upstreamReadBuffer(),
        callback: (n: number, buf: Uint8Array) => {
          link?.fromUpstream(Buffer.from(buf.subarray(0, n)));
          return true;
        },
      },
    });
    upstream.pause();
    link = new Link(client, upstream, this.#random, this.#options.protocol === 'http' ? this : null, (l) => this.#links.delete(l));
    this.#links.add(link);
    for (const f of this.#active.values()) if (!HTTP_FAULT_KINDS.has(f.fault.params.kind) && f.fault.params.kind !== 'refuse') link.faultOn(f);
    upstream.once('connect', () => {
      client.resume();
      upstream.resume();
    });
  }
}

let readBuffer: Buffer | null = null;

function upstreamReadBuffer(): Buffer {
  return (readBuffer ??= Buffer.allocUnsafe(64 * 1024));
}
