/**
 * WebSocket failures carry a short, stable `error_code` tag on `ws_errors` and
 * `connections_failed`: Node's errno codes when the network said no (ECONNREFUSED, ECONNRESET,
 * EADDRNOTAVAIL, EMFILE), the `ws` package's `WS_ERR_*` codes for protocol violations, and a few
 * of mcprun's for what has no code (rows of the error table, runtime/errors.ts):
 *
 * | code                 | meaning                                                         | row                    |
 * | ---                  | ---                                                             | ---                    |
 * | ETIMEDOUT            | the opening handshake did not finish within `timeout`           | MCPRUN_WS_CONNECT      |
 * | ws_status_<n>        | the server answered the upgrade with HTTP status n, not 101     | MCPRUN_WS_CONNECT      |
 * | ws_subprotocol       | the server picked no subprotocol, or one that was not offered   | MCPRUN_WS_CONNECT      |
 * | ws_handshake         | the upgrade response is not a valid 101                         | MCPRUN_WS_CONNECT      |
 * | ws_abnormal_close    | the connection ended without a close frame (1006)               | MCPRUN_WS_CONNECT      |
 * | ws_not_open          | send()/ping() on a socket that is not open                      | MCPRUN_WS_NOT_OPEN     |
 * | ws_closed            | next()/ping() waited on a socket that closed                    | MCPRUN_WS_CLOSED       |
 * | ws_next_timeout      | `next()` saw no message within its timeout                      | MCPRUN_WS_NEXT_TIMEOUT |
 * | ws_ping_timeout      | `ping()` saw no pong within its timeout                         | MCPRUN_WS_PING_TIMEOUT |
 * | ws_handler_exception | an `on(...)` handler threw (counted, never thrown)              |                        |
 */
import { ProtocolError, type McprunErrorCode } from '../../errors.js';

/** An error `ws.connect`, `next`, `ping` or `send` rejects/throws with; `code` is the error_code tag. */
export class WsError extends ProtocolError {
  /** The close code when the socket closed (1000, 1006, ...). */
  readonly closeCode: number | undefined;

  /** @internal */
  constructor(mcprunCode: McprunErrorCode, message: string, code?: string, closeCode?: number) {
    // Created in socket event handlers: their stack never shows the script's line (see noStack).
    super(mcprunCode, message, code, { noStack: true });
    this.name = 'WsError';
    this.closeCode = closeCode;
  }
}

/** A protocol violation by the server, with the `ws` package's code and the close status to send. */
export class WsProtocolError extends ProtocolError {
  constructor(
    message: string,
    code: string,
    readonly status: number,
  ) {
    super('MCPRUN_WS_PROTOCOL', message, code, { noStack: true });
    this.name = 'WsProtocolError';
  }
}
