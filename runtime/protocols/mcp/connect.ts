/**
 * `mcp.connect(target, options)`: open the transport, settle the era (explicit, or detected once
 * per target and cached), run the legacy handshake or set up the modern envelope, and register
 * the session for closing when the VU retires. Throws an McpError when no session could be
 * opened (the failed request is recorded first).
 */
import { performance } from 'node:perf_hooks';
import { parseDuration } from '../../duration.js';
import { VERSION } from '../../version.js';
import type { VuScope } from '../vu-contract.js';
import { McpError, transportError } from './errors.js';
import { explicitEra, type EraDecision } from './era-detect.js';
import { capabilitiesWith } from './server-requests.js';
import { McpSessionImpl, type ResolvedSessionOptions } from './session.js';
import { resolveTarget, type ResolvedTarget } from './target.js';
import { LegacySseTransport } from './transports/legacy-sse.js';
import { StdioTransport } from './transports/stdio.js';
import { StreamableHttpTransport, type HttpTransportOptions } from './transports/streamable-http.js';
import { TcpTransport } from './transports/tcp.js';
import type { McpTransport } from './transports/types.js';
import { WebSocketTransport } from './transports/websocket.js';
import type { ConnectOptions, McpTarget, TransportKind } from './types.js';
import { LATEST_LEGACY_VERSION } from './versions.js';
import type { TokenSource } from './oauth-client-credentials.js';
import { McprunError } from '../../errors.js';

function withoutAuthorization(headers: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!headers) return headers;
  const out: Record<string, string> = {};
  for (const k in headers) if (k.toLowerCase() !== 'authorization') out[k] = headers[k]!;
  return out;
}

function tokenOf(ctx: VuScope, o: ConnectOptions): TokenSource {
  const a = o.auth!;
  const missing = (['tokenUrl', 'clientId', 'clientSecret'] as const).filter((k) => typeof a[k] !== 'string' || a[k] === '');
  if (a.type !== 'client_credentials' || missing.length) {
    throw new McprunError(
      'MCPRUN_USAGE',
      `mcp.connect() option auth ${a.type !== 'client_credentials' ? `has type ${JSON.stringify(a.type)}` : `lacks ${missing.join(', ')}`}: write auth: { type: 'client_credentials', tokenUrl, clientId, clientSecret, scope? } (or send a static token in headers.Authorization)`,
    );
  }
  return ctx.services.mcp.tokens.of(a);
}


const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

const DEFAULT_CLIENT_INFO: Record<string, unknown> = Object.freeze({ name: 'mcprun', version: VERSION });
const DEFAULT_CAPABILITIES: Record<string, unknown> = Object.freeze({});
/** Resolved options without per-session objects in them, shared by every session that gives the same ones. */
const sharedOptions = new Map<string, ResolvedSessionOptions>();

function resolveOptions(o: ConnectOptions | undefined): ResolvedSessionOptions {
  const r = resolveFresh(o);
  if (o?.clientInfo || o?.capabilities || o?.tags || o?.onNotification || o?.handlers) return r;
  const key = `${r.timeoutMs}/${r.connectTimeoutMs}/${r.deleteSessionOnClose}/${r.retryCallsOnReinit}`;
  const shared = sharedOptions.get(key);
  if (shared) return shared;
  if (sharedOptions.size < 256) sharedOptions.set(key, r);
  return r;
}

/** Parsed duration options (a script passes the same few strings to every connect). */
const durations = new Map<string | number, number>();
function durationOf(v: string | number, what: string): number {
  let ms = durations.get(v);
  if (ms === undefined) {
    ms = parseDuration(v, what, { allowZero: false });
    if (durations.size < 256) durations.set(v, ms);
  }
  return ms;
}

function resolveFresh(o: ConnectOptions | undefined): ResolvedSessionOptions {
  return {
    clientInfo: o?.clientInfo ?? DEFAULT_CLIENT_INFO,
    capabilities: o?.capabilities || o?.handlers ? capabilitiesWith(o?.capabilities, o?.handlers) : DEFAULT_CAPABILITIES,
    timeoutMs: o?.timeout === undefined ? DEFAULT_TIMEOUT_MS : durationOf(o.timeout, 'mcp.connect() option timeout'),
    connectTimeoutMs: o?.connectTimeout === undefined ? DEFAULT_CONNECT_TIMEOUT_MS : durationOf(o.connectTimeout, 'mcp.connect() option connectTimeout'),
    deleteSessionOnClose: o?.deleteSessionOnClose ?? true,
    tags: o?.tags,
    onNotification: o?.onNotification,
    handlers: o?.handlers,
    retryCallsOnReinit: o?.retryCallsOnReinit ?? false,
  };
}

function createTransport(kind: TransportKind, t: ResolvedTarget, s: McpSessionImpl, o: ConnectOptions | undefined, r: ResolvedSessionOptions, token: TokenSource | undefined): McpTransport {
  const services = s.ctx.services;
  // With `auth`, the token is the Authorization (a static one in `headers` is left out). The
  // transport reads it when it sends (Streamable HTTP and SSE: per request; WebSocket: at the
  // upgrade), not here: the transport is made before connect() has fetched the worker's first
  // token, and a refreshed token must reach connections opened later.
  const headers = token ? withoutAuthorization(o?.headers) : o?.headers;
  const http: HttpTransportOptions = {
    headers,
    auth: token,
    maxConnections: Math.max(1, o?.maxConnections ?? 4),
    shared: o?.shareConnections ? services.mcp.pools : undefined,
    connectTimeoutMs: r.connectTimeoutMs,
    conns: services.connections.of('mcp'),
    sources: services.sources,
    dial: services.dial,
    slotOptions: services.mcp.pools.options,
    // A session that answers server requests or listens to notifications needs the stream the
    // server sends them on when they belong to no call (roots/list after initialized, logging).
    openStream: o?.openStream ?? (r.onNotification !== undefined || Object.keys(r.capabilities).length > 0),
  };
  switch (kind) {
    case 'streamable-http':
      return new StreamableHttpTransport(t.url!, s, http);
    case 'sse':
      return new LegacySseTransport(t.url!, s, http);
    case 'stdio':
      return new StdioTransport(t.stdio!, s);
    case 'ws':
      return new WebSocketTransport(t.url!, s, headers, r.connectTimeoutMs, { conns: http.conns, sources: http.sources, rejectUnauthorized: services.rejectUnauthorized }, token);
    case 'tcp':
      return new TcpTransport(t.url!, s, t.framing, r.connectTimeoutMs, http);
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

export async function connect(ctx: VuScope, target: McpTarget, options?: ConnectOptions): Promise<McpSessionImpl> {
  const t0 = performance.now();
  const spec = resolveTarget(target, options?.transport, options?.framing);
  const resolved = resolveOptions(options);
  const s = new McpSessionImpl(ctx, resolved, t0);
  let kind = spec.kind;
  const token = options?.auth ? tokenOf(ctx, options) : undefined;
  s.attach(createTransport(kind, spec, s, options, resolved, token));
  if (token) {
    const e = await token.ensure();
    if (e) {
      s.recordConnectFailure(e);
      throw new McpError(e.kind, `mcp.connect(${s.transport.target}) failed: ${e.message}`, e.code, e.status);
    }
  }
  // Owned from now on: a VU stopped mid-handshake interrupts it, a retiring VU closes it.
  ctx.own(s);
  try {
    await openTransport(s);
  } catch (err) {
    ctx.disown(s);
    throw err;
  }

  let decision: EraDecision | undefined = explicitEra(options?.protocolVersion);
  if (kind === 'sse') decision = { era: 'legacy', version: decision?.era === 'legacy' ? decision.version : LATEST_LEGACY_VERSION };
  try {
    if (!decision) {
      const { decision: d } = ctx.services.mcp.eras.get(spec.key, () => s.probe());
      decision = await d;
    }
    if (decision.sse && spec.sseFallback) {
      await s.transport.close(false);
      kind = 'sse';
      s.attach(createTransport(kind, spec, s, options, resolved, token));
      await openTransport(s);
    }
    if (decision.era === 'modern') s.startModern(decision.version, decision.discover);
    else await s.startLegacy(decision.version);
  } catch (err) {
    ctx.disown(s);
    await s.transport.close(false).catch(() => {});
    const e = err instanceof McpError ? err : transportError(err, `connect to ${s.transport.target}`);
    s.recordConnectFailure(e);
    throw new McpError(e.kind, `mcp.connect(${s.transport.target}) failed: ${e.message}`, e.code, e.status, e.data);
  }
  s.opened();
  return s;
}
