/**
 * The types of `mcp.*` as scenario authors see them (re-exported once, by dsl/index.ts through
 * dsl/mcp.ts): options, targets, results, the session. Implementation classes (McpSessionImpl,
 * the transports) stay in their own files, out of the API.
 */
import type { McpError } from './errors.js';
import type { ClientHandlers, OAuthClientCredentials } from './handler-types.js';

import type { Era, ProtocolVersionOption } from './versions.js';

export type { Era, ProtocolVersionOption } from './versions.js';
export type * from './handler-types.js';

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
  /** Modern era: the `server/discover` result (from the era probe, or the last `discover()`). */
  readonly discovered: Record<string, unknown> | undefined;
  /** stdio: the server's stderr (last 64 KiB). */
  stderr(): string;
  /**
   * Calls `fn` with every notification of `method` ('*': every one that is not progress for a
   * call), counted in mcp_notifications. On Streamable HTTP (legacy era) it opens the standalone
   * GET stream if it is not open. Returns a function that removes the listener.
   */
  on(method: string, fn: (message: JsonRpcMessage) => void): () => void;
  /** `server/discover` (modern era); the result is kept on the session. */
  discover(options?: CallOptions): Promise<McpResult>;
  /**
   * A task-augmented `tools/call` (2025-11-25 tasks): `tasks/get` polling at the server's
   * pollInterval until the task ends, then `tasks/result`; the whole is one mcp_task_duration sample.
   */
  callToolTask(name: string, args?: Record<string, unknown>, options?: TaskCallOptions): Promise<TaskToolResult>;
  /**
   * `subscriptions/listen` (2026-07-28): resolves once the server acknowledged; the notifications
   * come to s.on() listeners and mcp_notifications{stream:subscription}. `close()` ends it.
   */
  listen(notifications: SubscriptionFilter, options?: CallOptions): Promise<Subscription>;
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

export interface ConnectOptions {
  /** 'auto' (default) detects the era once per target; or a revision ('2025-11-25', '2026-07-28'), 'legacy', 'modern'. */
  protocolVersion?: ProtocolVersionOption;
  /** Extra HTTP headers (HTTP transports and the WebSocket upgrade), e.g. Authorization. */
  headers?: Record<string, string>;
  /** @default { name: 'mcprun', version: <mcprun's version> } */
  clientInfo?: { name: string; version: string; [key: string]: unknown };
  /** Client capabilities to declare (each handler adds its own). @default {} */
  capabilities?: Record<string, unknown>;
  /**
   * Answers to what the server asks: `sampling`, `elicitation`, `roots` (or `mcp.handlers.canned()`).
   * Each one given declares its capability. Legacy era: server-to-client requests, answered on the
   * channel they came on; modern era: the input requests of `input_required` results (MRTR).
   */
  handlers?: ClientHandlers;
  /** After a 404 re-initialize, re-send a tools/call too (off: tools may not be idempotent). @default false */
  retryCallsOnReinit?: boolean;
  /** OAuth 2.1 client credentials: a bearer token from the token endpoint, cached per worker, refreshed before expiry. */
  auth?: OAuthClientCredentials;
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
  /**
   * Legacy Streamable HTTP with a session id: after the handshake, open the standalone GET stream
   * for server-initiated requests and notifications (one more connection per session); it is
   * reconnected with Last-Event-ID when it ends, and a 405 is accepted.
   * @default true when handlers, capabilities or onNotification are given; else false (`s.on()` opens it)
   */
  openStream?: boolean;
  /** Tags added to every sample of this session. */
  tags?: Record<string, string>;
  /** Notifications that are not progress for a pending call (list_changed, logging, ...). */
  onNotification?: (message: JsonRpcMessage) => void;
}

export interface CallOptions {
  /** This call's timeout ("5s", or ms); on expiry the request is cancelled. @default the session's `timeout` */
  timeout?: string | number;
  /** Receives `notifications/progress` for this call (sends a progress token). */
  onProgress?: (progress: ProgressParams) => void;
  /** Ask for progress notifications (counted in mcp_progress_events) without a callback. */
  progress?: boolean;
  /** Progress restarts the timeout clock (the spec's MAY); the timeout is then per silence. */
  resetTimeoutOnProgress?: boolean;
  /** Extra tags for this call's samples. */
  tags?: Record<string, string>;
  /** Entries for the request's `params._meta` (e.g. traceparent). */
  meta?: Record<string, unknown>;
}

export type ProgressHandler = (progress: ProgressParams) => void;

export interface ProgressParams {
  progressToken: number | string;
  progress: number;
  total?: number;
  message?: string;
  [key: string]: unknown;
}

export type McpTransportName = 'streamable-http' | 'http' | 'sse' | 'stdio' | 'ws' | 'websocket' | 'tcp';

export interface UrlTarget {
  url: string;
  transport?: McpTransportName;
  /** TCP only. @default 'ndjson' */
  framing?: TcpFraming;
}

export type McpTarget = string | UrlTarget | StdioTarget;

export interface StdioTarget {
  command: string;
  args?: string[];
  env?: Record<string, string>;
  cwd?: string;
}

export type TcpFraming = 'ndjson' | 'length-prefix';

export type TransportKind = 'streamable-http' | 'sse' | 'stdio' | 'ws' | 'tcp';

export type JsonRpcId = number | string;

export interface JsonRpcErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

/** A parsed incoming message: a response (id + result|error), a notification (method, no id) or a server request. */
export interface JsonRpcMessage {
  jsonrpc?: string;
  id?: JsonRpcId | null;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: JsonRpcErrorObject;
}

export interface ContentBlock {
  type: 'text' | 'image' | 'audio' | 'resource_link' | 'resource' | (string & {});
  text?: string;
  data?: string;
  mimeType?: string;
  uri?: string;
  [key: string]: unknown;
}

/** Present on every result when the request failed (HTTP, JSON-RPC, isError, timeout, transport). */
export interface Failure {
  error?: McpError;
}

export interface McpResult extends Failure {
  _meta?: Record<string, unknown>;
  /** Modern era: 'complete' | 'input_required'. */
  resultType?: string;
  [key: string]: unknown;
}

export interface Tool {
  name: string;
  title?: string;
  description?: string;
  inputSchema?: Record<string, unknown>;
  outputSchema?: Record<string, unknown>;
  annotations?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface ListToolsResult extends McpResult {
  tools: Tool[];
  nextCursor?: string;
}

/** All pages of tools/list; `error` when a page failed (the tools of earlier pages are kept). */
export type ToolList = Tool[] & Failure & { pages: number };

export interface CallToolResult extends McpResult {
  content: ContentBlock[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
}

export interface Resource {
  uri: string;
  name?: string;
  mimeType?: string;
  [key: string]: unknown;
}

export interface ListResourcesResult extends McpResult {
  resources: Resource[];
  nextCursor?: string;
}

export interface ReadResourceResult extends McpResult {
  contents: Array<{ uri: string; mimeType?: string; text?: string; blob?: string; [key: string]: unknown }>;
}

export interface Prompt {
  name: string;
  description?: string;
  arguments?: Array<{ name: string; description?: string; required?: boolean }>;
  [key: string]: unknown;
}

export interface ListPromptsResult extends McpResult {
  prompts: Prompt[];
  nextCursor?: string;
}

export interface GetPromptResult extends McpResult {
  description?: string;
  messages: Array<{ role: string; content: ContentBlock }>;
}

/** `s.callToolTask()` (tasks.ts). */
export interface TaskCallOptions extends CallOptions {
  /** Task lifetime asked of the server ("60s", or ms). */
  ttl?: string | number;
  /** Poll interval when the server gives none. @default '500ms' */
  pollInterval?: string | number;
  /** Give up (and record a timeout) after this long. @default '5m' */
  maxDuration?: string | number;
}

export interface TaskInfo {
  taskId: string;
  status: string;
  statusMessage?: string;
  pollInterval?: number;
  [key: string]: unknown;
}

export type TaskToolResult = CallToolResult & { task?: TaskInfo; polls?: number };

/** `s.listen()` (subscriptions.ts). */
export interface SubscriptionFilter {
  toolsListChanged?: boolean;
  promptsListChanged?: boolean;
  resourcesListChanged?: boolean;
  resourceSubscriptions?: string[];
}

export interface Subscription {
  /** The subscription id (the listen request's JSON-RPC id). */
  readonly id: number;
  /** What the server agreed to send (from its acknowledgement). */
  readonly acknowledged: SubscriptionFilter;
  /** Notifications received on this subscription so far. */
  readonly received: number;
  /** Resolves when the server ends the subscription (or it is closed). */
  readonly ended: Promise<McpResult>;
  close(): void;
}

