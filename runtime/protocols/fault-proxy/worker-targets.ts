/**
 * The targets of options.targets as one worker sees them: a fault proxy per proxied target, in
 * this worker's event loop (proxy.ts), and the base URL VUs use for each (`target(name)`). A
 * target with a proxy is addressed by the proxy's own port on 127.0.0.1, so every client (mcprun's
 * or an npm package in the script, another process) goes through the faults; mcprun's own clients
 * (HTTP, WebSocket, MCP over TCP) skip the loopback hop: `dial()` hands them the client end of an
 * in-memory connection to the proxy when the address they connect to is a proxy's. A target
 * without a proxy (a managed process that only gets process faults) is its upstream as written.
 *
 * One per worker, in ProtocolServices: no module state.
 */
import type { Socket } from 'node:net';
import { McprunError } from '../../errors.js';
import type { MemorySocketOptions } from './memory-socket.js';
import { FaultProxy } from './proxy.js';
import type { FaultCounters, ProxyFault } from './types.js';

/** One target, structured-clone safe (it is part of the worker plan). */
export interface WorkerTarget {
  name: string;
  upstream: { url: string; scheme: 'http' | 'https' | 'ws' | 'wss' | 'tcp'; host: string; port: number };
  /** A fault proxy in front of the upstream ('http' frames requests for HTTP faults); undefined: none. */
  proxy: { protocol: 'tcp' | 'http' } | undefined;
}

/** What a client needs to connect in memory instead of over TCP. */
export interface InMemoryDialer {
  /** The client end of an in-memory connection when `host:port` is a proxy of this worker; otherwise undefined. */
  dial(host: string, port: number, options?: MemorySocketOptions): Socket | undefined;
}

export class WorkerTargets implements InMemoryDialer {
  readonly #targets = new Map<string, WorkerTarget>();
  readonly #proxies = new Map<string, FaultProxy>();
  /** `port` → proxy, for dial() (every proxy listens on 127.0.0.1). */
  readonly #byPort = new Map<number, FaultProxy>();
  readonly #urls = new Map<string, string>();

  constructor(targets: readonly WorkerTarget[] = []) {
    for (const t of targets) this.#targets.set(t.name, t);
  }

  get size(): number {
    return this.#targets.size;
  }

  /** Starts every proxy (before the scenario's code runs). */
  async start(): Promise<void> {
    for (const t of this.#targets.values()) {
      if (!t.proxy) {
        this.#urls.set(t.name, t.upstream.url.replace(/\/+$/, ''));
        continue;
      }
      const proxy = new FaultProxy({ upstream: { host: t.upstream.host, port: t.upstream.port }, protocol: t.proxy.protocol });
      const { port } = await proxy.listen();
      this.#proxies.set(t.name, proxy);
      this.#byPort.set(port, proxy);
      this.#urls.set(t.name, `${t.upstream.scheme}://127.0.0.1:${port}`);
    }
  }

  /** The base URL of a target (no trailing slash): its proxy's, or its upstream when it has none. */
  urlOf(name: string): string {
    const url = this.#urls.get(name);
    if (url !== undefined) return url;
    const names = [...this.#targets.keys()];
    throw new McprunError('MCPRUN_USAGE', `target(${JSON.stringify(name)}): this run has no target of that name${names.length ? `; its targets are ${names.join(', ')}` : ''}.`, {
      hint: names.length ? 'Use one of the names in options.targets.' : "Declare it in options.targets, e.g. targets: { api: { upstream: 'http://127.0.0.1:8080' } }.",
    });
  }

  dial(host: string, port: number, options?: MemorySocketOptions): Socket | undefined {
    if (this.#byPort.size === 0 || (host !== '127.0.0.1' && host !== 'localhost')) return undefined;
    return this.#byPort.get(port)?.openConnection(options) as unknown as Socket | undefined;
  }

  /** Switches a fault on in the target's proxy; resolves once it acts. */
  async faultOn(target: string, fault: ProxyFault): Promise<void> {
    await this.#proxies.get(target)?.setFault(fault);
  }

  async faultOff(target: string, name: string): Promise<void> {
    await this.#proxies.get(target)?.clearFault(name);
  }

  /** What each fault did in this worker, by fault name. */
  counters(): Record<string, FaultCounters> {
    const out: Record<string, FaultCounters> = {};
    for (const p of this.#proxies.values()) Object.assign(out, p.counters());
    return out;
  }

  async close(): Promise<void> {
    await Promise.all([...this.#proxies.values()].map((p) => p.close()));
    this.#proxies.clear();
    this.#byPort.clear();
  }
}
