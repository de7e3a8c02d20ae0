/**
 * What the protocol clients of one worker share, created once per worker (worker/worker-loop.ts)
 * and reached by every VU through its scope (vu-contract.ts): the connection meters, the
 * --local-ips round-robin, TLS verification, the HTTP engine (URL cache, shared pools), and MCP's
 * shared pools, era cache and session gauge. One object instead of module globals, so two runs in
 * one process (tests) or two workers in one realm never see each other's state, and a new
 * per-worker service (a fault proxy, a cookie store) is one more member.
 *
 * Not here, on purpose: per-thread machinery that holds no run state (the shared read buffer,
 * deadline timers, URL parse caches, the random pool for WebSocket keys).
 */
import { METRIC } from '../metrics/builtin.js';
import { ActiveGauge, ConnectionMeters } from '../metrics/connections.js';
import type { WorkerMetricStore } from '../metrics/worker-store.js';
import { HttpEngine } from './http/vu-http.js';
import type { HttpConfig } from './http/types.js';
import { SourceAddresses, type LocalIpRange } from './local-ips.js';
import { EraCache } from './mcp/era-detect.js';
import { TokenCache } from './mcp/oauth-client-credentials.js';
import { NameTagCap } from './mcp/tag-cap.js';
import { SharedPools } from './mcp/transports/h1-pool.js';
import { WorkerTargets, type WorkerTarget } from './fault-proxy/worker-targets.js';

export interface ServicesOptions {
  http: HttpConfig;
  /** `--local-ips`, compact. */
  localIps?: readonly LocalIpRange[];
  /** Staggers the source-address round-robin between workers. */
  workerIndex?: number;
  /** options.targets: a fault proxy per proxied target in this worker (started by `targets.start()`). */
  targets?: readonly WorkerTarget[];
  /** Where a warning line goes (without the "mcprun: " prefix). @default stderr */
  warn?: (line: string) => void;
}

/** Distinct warnings printed per worker at most (a handler that throws 10^5 times prints once). */
const MAX_WARNINGS = 100;

export class ProtocolServices {
  readonly connections: ConnectionMeters;
  readonly sources: SourceAddresses;
  /** https:// and wss:// verify certificates unless `options.http.insecureSkipTLSVerify`. */
  readonly rejectUnauthorized: boolean;
  readonly http: HttpEngine;
  readonly mcp: { readonly pools: SharedPools; readonly eras: EraCache; readonly sessions: ActiveGauge; readonly tokens: TokenCache; readonly names: NameTagCap };
  /** The run's targets and this worker's fault proxies; `target(name)` reads their URLs. */
  readonly targets: WorkerTargets;
  /** mcprun's clients connect through this first: in memory to a fault proxy of this worker, else undefined (TCP). */
  readonly dial: WorkerTargets['dial'] | undefined;
  readonly #warn: (line: string) => void;
  readonly #warned = new Set<string>();

  constructor(
    readonly store: WorkerMetricStore,
    opts: ServicesOptions,
  ) {
    this.connections = new ConnectionMeters(store);
    this.sources = new SourceAddresses(opts.localIps, opts.workerIndex ?? 0);
    this.rejectUnauthorized = !opts.http.insecureSkipTLSVerify;
    this.targets = new WorkerTargets(opts.targets);
    // No targets, no hook: the connect path stays what it was.
    this.dial = opts.targets?.some((t) => t.proxy) ? (host, port, o) => this.targets.dial(host, port, o) : undefined;
    this.http = new HttpEngine(opts.http, store, this.connections.of('http'), this.sources, this.dial);
    this.mcp = {
      pools: new SharedPools(this.connections.of('mcp'), this.sources, this.rejectUnauthorized, this.dial),
      eras: new EraCache(),
      sessions: new ActiveGauge(store.series(METRIC.mcp_sessions_active, {})),
      tokens: new TokenCache(this.rejectUnauthorized),
      names: new NameTagCap(),
    };
    this.#warn = opts.warn ?? ((line) => process.stderr.write(`mcprun: ${line}\n`));
  }

  /** Prints `line` the first time it is seen in this worker. */
  warnOnce(line: string): void {
    if (this.#warned.size >= MAX_WARNINGS || this.#warned.has(line)) return;
    this.#warned.add(line);
    this.#warn(line);
  }

  /** The worker shuts down (its VUs have retired): close what is shared. */
  async close(): Promise<void> {
    this.mcp.tokens.close();
    await Promise.all([this.http.close(), this.mcp.pools.destroy()]);
    await this.targets.close();
  }
}
