/** The types of `ws.*` as scenario authors see them (re-exported by dsl/ws.ts). */

export type WsMessage = string | Uint8Array;
export type WsData = string | Uint8Array | ArrayBuffer;

export interface WsConnectParams {
  /** Extra headers of the upgrade request. */
  headers?: Record<string, string>;
  /** Offered subprotocols (`Sec-WebSocket-Protocol`); the server's choice is `sock.protocol`. */
  subprotocols?: string | string[];
  /** Added to every ws_* sample of this session. */
  tags?: Record<string, string>;
  /** Opening handshake timeout (and the default of `next()`/`ping()`): "10s" or ms. @default 60s */
  timeout?: string | number;
  /**
   * permessage-deflate costs ~300 KB of zlib state per busy socket; off unless asked for. When on,
   * the session runs on the `ws` package instead of mcprun's own client. @default false
   */
  perMessageDeflate?: boolean;
}

export interface WaitParams {
  /** "5s" or ms; @default the session's timeout */
  timeout?: string | number;
}

export type WsEvent = 'message' | 'close' | 'error';

/** An open WebSocket session (what `ws.connect` resolves with). Sockets still open when the VU retires are closed for it (1001). */
export interface WebSocketSession {
  readonly url: string;
  readonly readyState: 'connecting' | 'open' | 'closing' | 'closed';
  /** The subprotocol the server chose ('' when none). */
  readonly protocol: string;
  /** Messages received and not yet taken by `next()`. */
  readonly queued: number;
  /** Close code once closed (1000 normal, 1006 abnormal, ...). */
  readonly closeCode: number | undefined;
  readonly closeReason: string | undefined;
  /** Sends a text (string) or binary message; throws a WsError (ws_not_open) when the socket is not open. */
  send(data: WsData): void;
  /** The next message (string for text frames, Uint8Array for binary); rejects on timeout or close. */
  next(params?: WaitParams): Promise<WsMessage>;
  /** Sends a ping; resolves with the round trip (ms) when the pong arrives, recorded in ws_ping. */
  ping(params?: WaitParams): Promise<number>;
  /** Registers a handler: 'message' (data, isBinary), 'close' (code, reason), 'error' (err). */
  on(event: WsEvent, fn: (...args: any[]) => unknown): this;
  off(event: WsEvent, fn: (...args: any[]) => unknown): this;
  /** Closes with `code` (1000, or 3000-4999) and `reason`; resolves once the socket is closed. */
  close(code?: number, reason?: string): Promise<void>;
  /** Drops the connection without a close handshake (as a crashed client would). */
  terminate(): void;
}
