/**
 * `mcp.connect(target, options)`: open the transport, settle the era (explicit, or detected once
 * per target and cached), run the legacy handshake or set up the modern envelope, and register
 * the session for closing when the VU retires. Throws an McpError when no session could be
 * opened (the failed request is recorded first).
 */
import { performance } from 'node:perf_hooks';
import { parseDuration } from '../../duration.js';
import { connectionMeter } from '../../metrics/connections.js';
import { VERSION } from '../../version.js';
import type { VuContext } from '../../worker/vu-context.js';
import { McpError, transportError } from './errors.js';
import { cachedEra, explicitEra, type EraDecision } from './era-detect.js';
import type { JsonRpcMessage } from './jsonrpc.js';
import { McpSessionImpl, type ResolvedSessionOptions } from './session.js';
import { resolveTarget, type McpTarget, type McpTransportName, type ResolvedTarget } from './target.js';
import { LegacySseTransport } from './transports/legacy-sse.js';
import { StdioTransport } from './transports/stdio.js';
import { StreamableHttpTransport, type HttpTransportOptions } from './transports/streamable-http.js';
import { TcpTransport, type TcpFraming } from './transports/tcp.js';
import type { McpTransport, TransportKind } from './transports/types.js';
import { WebSocketTransport } from './transports/websocket.js';
import { LATEST_LEGACY_VERSION, type ProtocolVersionOption } from './versions.js';
import { trackSession, untrackSession } from './vu-sessions.js';

export interface ConnectOptions {
  /** 'auto' (default) detects the era once per target; or a revision ('2025-11-25', '2026-07-28'), 'legacy', 'modern'. */
  protocolVersion?: ProtocolVersionOption;
  /** Extra HTTP headers (HTTP transports and the WebSocket upgrade), e.g. Authorization. */
  headers?: Record<string, string>;
  /** @default { name: 'mcprun', version: <mcprun's version> } */
  clientInfo?: { name: string; version: string; [key: string]: unknown };
  /** Client capabilities to declare. @default {} */
  capabilities?: Record<string, unknown>;
  /** Default timeout of every call ("5s", or ms). @default '60s' */
  timeout?: string | number;
  /** Timeout of opening the session (connect, spawn, handshake, era probe). @default '10s' */
  connectTimeout?: string | number;
  /** Force a transport for a URL target ('sse' for HTTP+SSE, 'streamable-http' to disable the SSE fallback). */
  transport?: McpTransportName;
  /** TCP framing. @default 'ndjson' */
  framing?: TcpFraming;
  /** HTTP connections one session may use in parallel. @default 4 */
  maxConnections?: number;
  /** Share one connection pool per origin among all sessions of a worker (throughput tests). @default false */
  shareConnections?: boolean;
  /** close() sends DELETE (legacy HTTP sessions). @default true */
  deleteSessionOnClose?: boolean;
  /** Tags added to every sample of this session. */
  tags?: Record<string, string>;
  /** Notifications that are not progress for a pending call (list_changed, logging, ...). */
  onNotification?: (message: JsonRpcMessage) => void;
}

const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

function resolveOptions(o: ConnectOptions | undefined): ResolvedSessionOptions {
  return {
    clientInfo: o?.clientInfo ?? { name: 'mcprun', version: VERSION },
    capabilities: o?.capabilities ?? {},
    timeoutMs: o?.timeout === undefined ? DEFAULT_TIMEOUT_MS : parseDuration(o.timeout, 'mcp.connect() option timeout', { allowZero: false }),
    connectTimeoutMs: o?.connectTimeout === undefined ? DEFAULT_CONNECT_TIMEOUT_MS : parseDuration(o.connectTimeout, 'mcp.connect() option connectTimeout', { allowZero: false }),
    deleteSessionOnClose: o?.deleteSessionOnClose ?? true,
    tags: o?.tags,
    onNotification: o?.onNotification,
  };
}

function createTransport(kind: TransportKind, t: ResolvedTarget, s: McpSessionImpl, o: ConnectOptions | undefined, r: ResolvedSessionOptions): McpTransport {
  const http: HttpTransportOptions = {
    headers: o?.headers,
    maxConnections: Math.max(1, o?.maxConnections ?? 4),
    shareConnections: o?.shareConnections ?? false,
    connectTimeoutMs: r.connectTimeoutMs,
    conns: connectionMeter(s.ctx.store, 'mcp'),
  };
  switch (kind) {
    case 'streamable-http':
      return new StreamableHttpTransport(t.url!, s, http);
    case 'sse':
      return new LegacySseTransport(t.url!, s, http);
    case 'stdio':
      return new StdioTransport(t.stdio!, s);
    case 'ws':
      return new WebSocketTransport(t.url!, s, o?.headers, r.connectTimeoutMs, http.conns);
    case 'tcp':
      return new TcpTransport(t.url!, s, t.framing, r.connectTimeoutMs, http.conns);
  }
}

async function openTransport(s: McpSessionImpl): Promise<void> {
  try {
    await s.transport.open();
  } catch (err) {
    const e = err instanceof McpError ? err : transportError(err, `connect to ${s.transport.target}`);
    s.recordConnectFailure(e);
    await s.transport.close(false).catch(() => {});
    throw e;
  }
}

export async function connect(ctx: VuContext, target: McpTarget, options?: ConnectOptions): Promise<McpSessionImpl> {
  const t0 = performance.now();
  const spec = resolveTarget(target, options?.transport, options?.framing);
  const resolved = resolveOptions(options);
  const s = new McpSessionImpl(ctx, resolved, t0);
  let kind = spec.kind;
  s.attach(createTransport(kind, spec, s, options, resolved));
  // Tracked from now on: a VU stopped mid-handshake interrupts it, a retiring VU closes it.
  trackSession(ctx, s);
  try {
    await openTransport(s);
  } catch (err) {
    untrackSession(ctx, s);
    throw err;
  }

  let decision: EraDecision | undefined = explicitEra(options?.protocolVersion);
  if (kind === 'sse') decision = { era: 'legacy', version: decision?.era === 'legacy' ? decision.version : LATEST_LEGACY_VERSION };
  try {
    if (!decision) {
      const { decision: d } = cachedEra(spec.key, () => s.probe());
      decision = await d;
    }
    if (decision.sse && spec.sseFallback) {
      await s.transport.close(false);
      kind = 'sse';
      s.attach(createTransport(kind, spec, s, options, resolved));
      await openTransport(s);
    }
    if (decision.era === 'modern') s.startModern(decision.version);
    else await s.startLegacy(decision.version);
  } catch (err) {
    untrackSession(ctx, s);
    await s.transport.close(false).catch(() => {});
    const e = err instanceof McpError ? err : transportError(err, `connect to ${s.transport.target}`);
    s.recordConnectFailure(e);
    throw new McpError(e.kind, `mcp.connect(${s.transport.target}) failed: ${e.message}`, e.code, e.status, e.data);
  }
  s.opened();
  return s;
}
