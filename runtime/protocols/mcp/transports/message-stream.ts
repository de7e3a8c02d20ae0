/**
 * What the stdio, WebSocket and TCP transports share: JSON-RPC messages over one ordered
 * connection, matched to requests by id in the session. Lines that are not JSON (a server that
 * logs to stdout) are skipped, not fatal. Once the connection is gone every later call fails fast.
 */
import type { ConnectionMeter } from '../../../metrics/connections.js';
import { SocketBytes } from '../../socket-bytes.js';
import type { PendingCall } from '../call.js';
import { McpError } from '../errors.js';
import type { FrameSink } from '../framing.js';
import type { Era, JsonRpcMessage, TransportKind } from '../types.js';
import type { ByteCount, McpTransport, TransportHost } from './types.js';

const CLOSE_WAIT_MS = 1000;

export abstract class MessageStreamTransport implements McpTransport, FrameSink {
  abstract readonly kind: TransportKind;
  protected sent = 0;
  protected received = 0;
  /** Set once the connection is gone (or closed): the error later calls fail with. */
  protected gone: McpError | undefined;
  /** Frames that were not JSON-RPC (skipped). */
  skipped = 0;

  constructor(
    readonly target: string,
    readonly host: TransportHost,
  ) {}

  abstract open(): Promise<void>;
  /** Write one encoded message; false when the connection is not writable. */
  protected abstract write(text: string): boolean;
  abstract close(deleteSession: boolean): Promise<void>;

  onFrame(text: string): void {
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch {
      this.skipped++;
      return;
    }
    if (Array.isArray(v)) {
      for (const m of v) if (m && typeof m === 'object') this.host.receive(m as JsonRpcMessage, null);
    } else if (v && typeof v === 'object') this.host.receive(v as JsonRpcMessage, null);
    else this.skipped++;
  }

  /** The connection ended: fail everything pending now and every later call. */
  protected lost(err: McpError): void {
    if (this.gone) return;
    this.gone = err;
    this.host.lost(err);
  }

  /** A connection error: before it opened, the attempt failed (counted, `reject`); after, the session lost it. */
  protected connectionError(e: McpError, opened: boolean, conns: ConnectionMeter, reject: (e: McpError) => void): void {
    if (!opened) {
      conns.failed(typeof e.code === 'string' ? e.code : undefined);
      reject(e);
    } else this.lost(e);
  }

  /**
   * close(): later calls fail as closed; `end()` starts a polite close and the connection gets
   * CLOSE_WAIT_MS to emit 'close' before `kill()` drops it.
   */
  protected async closeConnection(conn: { once(event: 'close', fn: () => void): unknown } | undefined, end: () => void, kill: () => void): Promise<void> {
    this.gone ??= new McpError('transport_error', 'the session is closed');
    if (!conn) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        kill();
        resolve();
      }, CLOSE_WAIT_MS);
      conn.once('close', () => {
        clearTimeout(t);
        resolve();
      });
      end();
    });
  }

  request(call: PendingCall): void {
    if (this.gone) {
      this.host.fail(call, this.gone);
      return;
    }
    if (!this.write(call.body)) this.host.fail(call, this.gone ?? new McpError('transport_error', `${this.kind} connection is not writable`, 'EPIPE'));
  }

  notify(body: string): Promise<McpError | undefined> {
    if (this.gone) return Promise.resolve(this.gone);
    return Promise.resolve(this.write(body) ? undefined : (this.gone ?? new McpError('transport_error', `${this.kind} connection is not writable`, 'EPIPE')));
  }

  respond(body: string): void {
    if (!this.gone) this.write(body);
  }

  abandon(_call: PendingCall): void {
    // One shared connection: nothing to abort; the session sends notifications/cancelled.
  }

  configure(_sessionId: string | undefined, _version: string | undefined, _era: Era): void {}

  #socketBytes: SocketBytes | null = null;

  /** Counted by the socket itself for TCP (created on first use; WebSocket reads its client's counters); by this class (sent/received) for stdio. */
  protected get socketBytes(): SocketBytes {
    return (this.#socketBytes ??= new SocketBytes());
  }

  takeBytes(out: ByteCount): void {
    const b = this.#socketBytes?.take();
    out.sent += this.sent + (b ? b.written : 0);
    out.received += this.received + (b ? b.read : 0);
    this.sent = 0;
    this.received = 0;
  }
}
