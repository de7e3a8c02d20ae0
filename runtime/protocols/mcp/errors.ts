/**
 * The failure of one MCP request, at whichever level it happened. Calls never throw it: they
 * resolve with `{ error }` (and `isError: true` for tool calls), as http.* resolves with status 0,
 * so a load test keeps measuring. `mcp.connect()` throws it when no session could be opened.
 */
import { McprunError, errorCodeOf, type McprunErrorCode } from '../../errors.js';

/**
 * The `error_kind` tag (one row of the error table, runtime/errors.ts, each):
 * - `auth`: HTTP 401, whatever the body (JSON-RPC error or plain text), or no token from the OAuth token endpoint.
 * - `http_error`: an HTTP status >= 400 without a JSON-RPC error body.
 * - `jsonrpc_error`: a JSON-RPC `error` response (whatever the HTTP status).
 * - `tool_error`: a tool result with `isError: true`.
 * - `handler_error`: a 2026-07-28 input request could not be answered (no handler, the handler refused).
 * - `timeout`: no response within the call's timeout (the request was cancelled).
 * - `transport_error`: the connection, stream or process failed, or the answer was not JSON-RPC.
 * - `interrupted`: the VU was stopped while the call was in flight (never recorded as a sample).
 */
export type McpErrorKind = 'auth' | 'handler_error' | 'http_error' | 'jsonrpc_error' | 'tool_error' | 'timeout' | 'transport_error' | 'interrupted';

const ROW: Record<McpErrorKind, McprunErrorCode> = {
  auth: 'MCPRUN_MCP_AUTH',
  handler_error: 'MCPRUN_MCP_HANDLER',
  http_error: 'MCPRUN_MCP_HTTP',
  jsonrpc_error: 'MCPRUN_MCP_JSONRPC',
  tool_error: 'MCPRUN_MCP_TOOL',
  timeout: 'MCPRUN_MCP_TIMEOUT',
  transport_error: 'MCPRUN_MCP_TRANSPORT',
  interrupted: 'MCPRUN_MCP_INTERRUPTED',
};

export class McpError extends McprunError<number | string | undefined> {
  constructor(
    readonly kind: McpErrorKind,
    message: string,
    /** JSON-RPC error code (jsonrpc_error), or the system/undici code of a transport failure (e.g. 'ECONNREFUSED'). */
    code?: number | string,
    /** HTTP status of the response, when there was one. */
    readonly status?: number,
    /** JSON-RPC `error.data`. */
    readonly data?: unknown,
  ) {
    super(ROW[kind], message, {}, code);
    this.name = 'McpError';
  }

  /** The `error_code` tag value. */
  get tagCode(): string | undefined {
    if (this.code !== undefined) return String(this.code);
    if ((this.kind === 'http_error' || this.kind === 'auth') && this.status) return String(this.status);
    return undefined;
  }

  override get tag(): string | undefined {
    return this.tagCode;
  }
}

export function transportError(err: unknown, what: string): McpError {
  const msg = typeof (err as { message?: unknown })?.message === 'string' ? (err as Error).message : String(err);
  return new McpError('transport_error', `${what}: ${msg}`, errorCodeOf(err));
}
