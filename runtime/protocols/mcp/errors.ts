/**
 * The failure of one MCP request, at whichever level it happened. Calls never throw it: they
 * resolve with `{ error }` (and `isError: true` for tool calls), as http.* resolves with status 0,
 * so a load test keeps measuring. `mcp.connect()` throws it when no session could be opened.
 */

/**
 * - `http_error`: an HTTP status >= 400 without a JSON-RPC error body.
 * - `jsonrpc_error`: a JSON-RPC `error` response (whatever the HTTP status).
 * - `tool_error`: a tool result with `isError: true`.
 * - `timeout`: no response within the call's timeout (the request was cancelled).
 * - `transport_error`: the connection, stream or process failed, or the answer was not JSON-RPC.
 * - `interrupted`: the VU was stopped while the call was in flight (never recorded as a sample).
 */
export type McpErrorKind = 'http_error' | 'jsonrpc_error' | 'tool_error' | 'timeout' | 'transport_error' | 'interrupted';

export class McpError extends Error {
  override readonly name = 'McpError';
  constructor(
    readonly kind: McpErrorKind,
    message: string,
    /** JSON-RPC error code (jsonrpc_error), or the system/undici code of a transport failure (e.g. 'ECONNREFUSED'). */
    readonly code?: number | string,
    /** HTTP status of the response, when there was one. */
    readonly status?: number,
    /** JSON-RPC `error.data`. */
    readonly data?: unknown,
  ) {
    super(message);
  }

  /** The `error_code` tag value. */
  get tagCode(): string | undefined {
    if (this.code !== undefined) return String(this.code);
    if (this.kind === 'http_error' && this.status) return String(this.status);
    return undefined;
  }
}

export function transportError(err: unknown, what: string): McpError {
  const e = err as { code?: unknown; message?: unknown; cause?: { code?: unknown } } | undefined;
  let code = typeof e?.code === 'string' ? e.code : undefined;
  if ((code === undefined || code === 'UND_ERR_SOCKET') && typeof e?.cause?.code === 'string') code = e.cause.code;
  const msg = typeof e?.message === 'string' ? e.message : String(err);
  return new McpError('transport_error', `${what}: ${msg}`, code);
}
