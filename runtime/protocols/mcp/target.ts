/**
 * What `mcp.connect()` accepts as its target, resolved to one transport:
 *   'http(s)://…'                       streamable HTTP (auto: falls back to HTTP+SSE if POST is refused)
 *   { url, transport: 'sse' }           legacy HTTP+SSE (GET stream + POST endpoint)
 *   'ws(s)://…'                         WebSocket, subprotocol `mcp`
 *   'tcp://host:port'                   TCP, newline-delimited JSON (or framing: 'length-prefix')
 *   { command, args, env, cwd }         stdio: spawn the server
 */
import { usageError } from '../../errors.js';
import type { McpTarget, McpTransportName, StdioTarget, TcpFraming, TransportKind } from './types.js';




export interface ResolvedTarget {
  kind: TransportKind;
  url?: string;
  stdio?: StdioTarget;
  framing: TcpFraming;
  /** Era cache key: the URL, or the command line. */
  key: string;
  /** 'auto' streamable HTTP may switch to legacy SSE when POST is refused. */
  sseFallback: boolean;
}

const ALIASES: Record<McpTransportName, TransportKind> = {
  'streamable-http': 'streamable-http',
  http: 'streamable-http',
  sse: 'sse',
  stdio: 'stdio',
  ws: 'ws',
  websocket: 'ws',
  tcp: 'tcp',
};

/** URL targets resolved so far (one object, and one URL string, for every session of a target). */
const resolved = new Map<string, ResolvedTarget>();
const RESOLVED_MAX = 10_000;

export function resolveTarget(target: McpTarget, transport?: McpTransportName, framing?: TcpFraming): ResolvedTarget {
  if (typeof target !== 'string') return resolveUncached(target, transport, framing);
  const key = `${target}\u0000${transport ?? ''}\u0000${framing ?? ''}`;
  let r = resolved.get(key);
  if (!r) {
    r = resolveUncached(target, transport, framing);
    if (resolved.size >= RESOLVED_MAX) resolved.clear();
    resolved.set(key, r);
  }
  return r;
}

function resolveUncached(target: McpTarget, transport?: McpTransportName, framing?: TcpFraming): ResolvedTarget {
  if (target && typeof target === 'object' && 'command' in target) {
    if (typeof target.command !== 'string' || !target.command) throw usageError('mcp.connect({ command }): command must be a non-empty string, e.g. { command: "node", args: ["server.js"] }');
    if (target.args !== undefined && (!Array.isArray(target.args) || target.args.some((a) => typeof a !== 'string'))) {
      throw usageError('mcp.connect({ args }): args must be an array of strings');
    }
    return { kind: 'stdio', stdio: target, framing: 'ndjson', key: JSON.stringify(['stdio', target.command, target.args ?? []]), sseFallback: false };
  }
  const url = typeof target === 'string' ? target : target?.url;
  if (typeof url !== 'string') {
    throw usageError(`mcp.connect(): expected a URL ('http://127.0.0.1:3001/mcp', 'ws://…', 'tcp://host:port'), { url, transport } or { command, args } for stdio; got ${JSON.stringify(target)}`);
  }
  const name = (typeof target === 'object' ? target.transport : undefined) ?? transport;
  const fr = (typeof target === 'object' ? target.framing : undefined) ?? framing ?? 'ndjson';
  if (fr !== 'ndjson' && fr !== 'length-prefix') throw usageError(`mcp.connect(): framing must be 'ndjson' or 'length-prefix', got ${JSON.stringify(fr)}`);
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw usageError(`mcp.connect(): invalid URL ${JSON.stringify(url)}; expected e.g. 'http://127.0.0.1:3001/mcp'`);
  }
  let kind: TransportKind;
  if (name !== undefined) {
    kind = ALIASES[name];
    if (!kind) throw usageError(`mcp.connect(): unknown transport ${JSON.stringify(name)}; use one of ${Object.keys(ALIASES).join(', ')}`);
  } else if (u.protocol === 'http:' || u.protocol === 'https:') kind = 'streamable-http';
  else if (u.protocol === 'ws:' || u.protocol === 'wss:') kind = 'ws';
  else if (u.protocol === 'tcp:') kind = 'tcp';
  else throw usageError(`mcp.connect(): unsupported URL scheme ${JSON.stringify(u.protocol)} in ${JSON.stringify(url)}; use http(s)://, ws(s)://, tcp:// or { command } for stdio`);
  const expect: Record<string, string[]> = { 'streamable-http': ['http:', 'https:'], sse: ['http:', 'https:'], ws: ['ws:', 'wss:'], tcp: ['tcp:'] };
  if (kind === 'stdio') throw usageError('mcp.connect(): the stdio transport takes { command, args }, not a URL');
  if (!expect[kind].includes(u.protocol)) throw usageError(`mcp.connect(): transport '${kind}' needs a ${expect[kind].join(' or ')} URL, got ${JSON.stringify(url)}`);
  if (kind === 'tcp' && !u.port) throw usageError(`mcp.connect(): ${JSON.stringify(url)} has no port; write tcp://host:port`);
  return { kind, url: u.href, framing: fr, key: `${kind}:${u.href}`, sseFallback: kind === 'streamable-http' && name === undefined };
}
