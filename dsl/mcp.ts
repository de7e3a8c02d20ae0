/**
 * `mcp` for scenario authors: sessions with MCP servers over streamable HTTP (both protocol eras),
 * legacy HTTP+SSE, stdio, WebSocket and TCP, measured per method and per tool.
 *
 * ```ts
 * const s = (vu.state.mcp ??= await mcp.connect('http://127.0.0.1:3001/mcp'));
 * const r = await s.callTool('echo', { message: 'hi' }, { timeout: '5s' });
 * check(r, { 'not isError': (r) => !r.isError });
 * ```
 * Calls never throw: a failed call resolves with `error` set (and `isError: true` for tools).
 * `mcp.connect()` throws when no session can be opened.
 */
import { connect, type ConnectOptions } from '../runtime/protocols/mcp/connect.js';
import type { CallOptions } from '../runtime/protocols/mcp/session.js';
import type { McpTarget } from '../runtime/protocols/mcp/target.js';
import type { TransportKind } from '../runtime/protocols/mcp/transports/types.js';
import type { Era } from '../runtime/protocols/mcp/versions.js';
import type {
  CallToolResult,
  GetPromptResult,
  ListPromptsResult,
  ListResourcesResult,
  ListToolsResult,
  McpResult,
  ReadResourceResult,
  ToolList,
} from '../runtime/protocols/mcp/results.js';
import { currentVu } from '../runtime/worker/vu-context.js';

export type { ConnectOptions } from '../runtime/protocols/mcp/connect.js';
export type { CallOptions } from '../runtime/protocols/mcp/session.js';
export type { ProgressParams } from '../runtime/protocols/mcp/call.js';
export type { McpTarget, McpTransportName, UrlTarget } from '../runtime/protocols/mcp/target.js';
export type { StdioTarget } from '../runtime/protocols/mcp/transports/stdio.js';
export type { McpError, McpErrorKind } from '../runtime/protocols/mcp/errors.js';
export type { JsonRpcMessage } from '../runtime/protocols/mcp/jsonrpc.js';
export type { ProtocolVersionOption, Era } from '../runtime/protocols/mcp/versions.js';
export type {
  CallToolResult,
  ContentBlock,
  GetPromptResult,
  ListPromptsResult,
  ListResourcesResult,
  ListToolsResult,
  McpResult,
  Prompt,
  ReadResourceResult,
  Resource,
  Tool,
  ToolList,
} from '../runtime/protocols/mcp/results.js';

/** An open MCP session (what `mcp.connect()` resolves to). Keep it in `vu.state` to reuse it across iterations. */
export interface McpSession {
  /** 'streamable-http' | 'sse' | 'stdio' | 'ws' | 'tcp' (the `transport` tag). */
  readonly transportKind: TransportKind;
  /** 'legacy' (initialize handshake) or 'modern' (2026-07-28, no handshake): the `era` tag. */
  readonly era: Era;
  /** The negotiated (legacy) or used (modern) protocol revision. */
  readonly protocolVersion: string;
  /** The `Mcp-Session-Id` the server issued (legacy streamable HTTP), if any. */
  readonly sessionId: string | undefined;
  readonly serverInfo: Record<string, unknown> | undefined;
  readonly serverCapabilities: Record<string, unknown> | undefined;
  readonly instructions: string | undefined;
  readonly closed: boolean;
  /** stdio: the server's process id. */
  readonly pid: number | undefined;
  /** Notifications received that were not progress for a pending call. */
  readonly notifications: number;
  /** stdio: the server's stderr (last 64 KiB). */
  stderr(): string;
  listTools(params?: { cursor?: string }, options?: CallOptions): Promise<ListToolsResult>;
  /** Every page of tools/list (follows nextCursor); each page is one request. */
  listAllTools(options?: CallOptions): Promise<ToolList>;
  callTool(name: string, args?: Record<string, unknown>, options?: CallOptions): Promise<CallToolResult>;
  listResources(params?: { cursor?: string }, options?: CallOptions): Promise<ListResourcesResult>;
  readResource(uri: string, options?: CallOptions): Promise<ReadResourceResult>;
  listPrompts(params?: { cursor?: string }, options?: CallOptions): Promise<ListPromptsResult>;
  getPrompt(name: string, args?: Record<string, string>, options?: CallOptions): Promise<GetPromptResult>;
  /** Legacy era only (modern servers answer -32601). */
  ping(options?: CallOptions): Promise<McpResult>;
  /** Any request; resolves with its result, or `{ error }`. */
  request<T extends McpResult = McpResult>(method: string, params?: Record<string, unknown>, options?: CallOptions): Promise<T>;
  /** A notification (no response); rejects only if it could not be delivered. */
  notify(method: string, params?: Record<string, unknown>): Promise<void>;
  /** End the session. Legacy HTTP sessions are DELETEd unless `deleteSession: false`. Sessions still open when the VU ends are closed for you. */
  close(options?: { deleteSession?: boolean }): Promise<void>;
}

export const mcp = {
  /**
   * Opens a session: `'http://host:port/mcp'` (streamable HTTP; HTTP+SSE fallback), `{ url, transport: 'sse' }`,
   * `'ws://…'`, `'tcp://host:port'`, or `{ command, args, env }` for stdio.
   * Throws an McpError (`kind`, `code`, `status`) when the session cannot be opened.
   */
  connect(target: McpTarget, options?: ConnectOptions): Promise<McpSession> {
    const ctx = currentVu('mcp.connect()');
    return connect(ctx, target, options) as Promise<McpSession>;
  },
};

