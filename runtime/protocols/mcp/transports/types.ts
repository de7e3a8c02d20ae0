/** The contract between a session and the transport that carries its messages. */
import type { ConnectionMeter } from '../../../metrics/connections.js';
import type { SourceAddresses } from '../../local-ips.js';
import type { PendingCall } from '../call.js';
import type { McpError } from '../errors.js';
import type { Era, JsonRpcMessage, TransportKind } from '../types.js';

/** What every transport that opens connections gets from the worker's protocol services. */
export interface NetOptions {
  /** connections_active/opened/failed{proto:mcp} */
  conns: ConnectionMeter;
  /** --local-ips */
  sources: SourceAddresses;
  /** options.targets: a connection to a fault proxy of this worker goes in memory (fault-proxy/worker-targets.ts). */
  dial?: (host: string, port: number) => import('node:net').Socket | undefined;
}


/** What a transport calls back into (the session implements it). */
export interface TransportHost {
  /**
   * A message from the server; `via` is the call whose HTTP response carried it, if any;
   * `standalone`: it came on the standalone GET stream of Streamable HTTP.
   */
  receive(msg: JsonRpcMessage, via: PendingCall | null, standalone?: boolean): void;
  /** The first byte that belongs to `call` arrived (ttfb). */
  firstByte(call: PendingCall): void;
  /** `call` failed at the HTTP or transport level (its response never came). */
  fail(call: PendingCall, err: McpError): void;
  /** HTTP 404 on a session request: the server expired the session (`answer`: the error the 404 carried). */
  expired(call: PendingCall, answer?: McpError): void;
  /** The initialize response carried `Mcp-Session-Id`. */
  sessionIdIssued(id: string): void;
  /** The connection, stream or process is gone: every pending call fails with `err`. */
  lost(err: McpError): void;
}

export interface ByteCount {
  sent: number;
  received: number;
}

export interface McpTransport {
  readonly kind: TransportKind;
  /** The URL or command line, for messages. */
  readonly target: string;
  /** Connect, spawn, or open the SSE stream. HTTP: nothing to do. */
  open(): Promise<void>;
  /** Send a request; its response comes back through `host.receive` (or `host.fail`). */
  request(call: PendingCall): void;
  /** Send a notification; resolves once it was accepted (HTTP 202) or written. */
  notify(body: string, method: string): Promise<McpError | undefined>;
  /** Send a response to a server-initiated request. */
  respond(body: string): void;
  /** Stop waiting for `call` (timeout, interrupt): abort the HTTP request that carries it. */
  abandon(call: PendingCall): void;
  /** Wire bytes since the previous call. */
  takeBytes(out: ByteCount): void;
  /** HTTP: the headers every later request carries (session id, negotiated version, era). */
  configure(sessionId: string | undefined, protocolVersion: string | undefined, era: Era): void;
  /** The session is open (handshake done): the standalone GET stream of Streamable HTTP opens here, if wanted. */
  ready?(): void;
  /** Streamable HTTP, legacy era: open the standalone GET stream now (if not open), and after every re-initialize. */
  openStream?(): void;
  /** End the session: DELETE (legacy HTTP with a session id, unless told not to), close sockets, stop the process. */
  close(deleteSession: boolean): Promise<void>;
  /** Process id of a stdio server. */
  readonly pid?: number;
  /** The stdio server's captured stderr (tail). */
  stderrText?(): string;
}
