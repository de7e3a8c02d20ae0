/**
 * WebSocket failures become a short, stable `error_code` tag on `ws_errors` and
 * `connections_failed`: Node's errno codes when the network said no (ECONNREFUSED, ECONNRESET,
 * EADDRNOTAVAIL, EMFILE), the `ws` package's own `WS_ERR_*` codes for protocol violations, and a
 * few of mcprun's for what has no code:
 *
 * | code                 | meaning                                                         |
 * | ---                  | ---                                                             |
 * | ETIMEDOUT            | the opening handshake did not finish within `timeout`           |
 * | ws_status_<n>        | the server answered the upgrade with HTTP status n, not 101     |
 * | ws_subprotocol       | the server picked no subprotocol, or one that was not offered   |
 * | ws_abnormal_close    | the connection ended without a close frame (1006), after open   |
 * | ws_next_timeout      | `next()` saw no message within its timeout                      |
 * | ws_ping_timeout      | `ping()` saw no pong within its timeout                         |
 * | ws_handler_exception | an `on(...)` handler threw                                      |
 */

/** An error `ws.connect`, `next`, `ping` or `send` rejects/throws with; `code` is the error_code tag. */
export class WsError extends Error {
  readonly code: string;
  /** The close code when the socket closed (1000, 1006, ...). */
  readonly closeCode: number | undefined;

  constructor(message: string, code: string, closeCode?: number) {
    // These errors are created in socket event handlers: their stack never shows the script's
    // line, and formatting it through source maps costs ~1 ms, which 10^5 failed connections
    // (a server that went away) would spend blocking the worker. So no stack frames.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      super(message);
    } finally {
      Error.stackTraceLimit = limit;
    }
    this.name = 'WsError';
    this.code = code;
    this.closeCode = closeCode;
  }
}

export function wsErrorCode(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown; cause?: { code?: unknown } } | undefined;
  if (typeof e?.code === 'string' && e.code) return e.code;
  if (typeof e?.cause?.code === 'string') return e.cause.code;
  const msg = typeof e?.message === 'string' ? e.message : '';
  const status = /Unexpected server response: (\d+)/.exec(msg);
  if (status) return `ws_status_${status[1]}`;
  if (/handshake has timed out/i.test(msg)) return 'ETIMEDOUT';
  if (/subprotocol/i.test(msg)) return 'ws_subprotocol';
  return 'EUNKNOWN';
}
