/**
 * Raw TCP: newline-delimited JSON-RPC by default (what erlmcp's code sends), or 4-byte
 * big-endian length-prefixed frames with `framing: 'length-prefix'`.
 */
import net from 'node:net';
import { ProtocolError } from '../../../errors.js';
import { McpError, transportError } from '../errors.js';
import { LengthPrefixDecoder, LineDecoder, encodeLengthPrefixed } from '../framing.js';
import type { TcpFraming } from '../types.js';
import { MessageStreamTransport } from './message-stream.js';
import type { NetOptions, TransportHost } from './types.js';
import { safeTimeout } from '../../../timers.js';

export class TcpTransport extends MessageStreamTransport {
  readonly kind = 'tcp' as const;
  #socket: net.Socket | undefined;
  readonly #decoder: LineDecoder | LengthPrefixDecoder;

  constructor(
    target: string,
    host: TransportHost,
    readonly framing: TcpFraming,
    readonly connectTimeoutMs: number,
    readonly net: NetOptions,
  ) {
    super(target, host);
    this.#decoder = framing === 'length-prefix' ? new LengthPrefixDecoder(this) : new LineDecoder(this);
  }

  open(): Promise<void> {
    const u = new URL(this.target);
    const conns = this.net.conns;
    return new Promise((resolve, reject) => {
      const localAddress = this.net.sources.next();
      const host = u.hostname.replace(/^\[|\]$/g, '');
      const sock = this.net.dial?.(host, Number(u.port)) ?? net.connect({ host, port: Number(u.port), ...(localAddress ? { localAddress } : {}) });
      this.#socket = sock;
      this.socketBytes.track(sock);
      let opened = false;
      sock.setNoDelay(true);
      // Our own timer, not sock.setTimeout (Node's timer: a connectTimeout past ~596 h would fire at once).
      const connectTimer = safeTimeout(() => {
        if (!opened) sock.destroy(new ProtocolError('MCPRUN_NETWORK', `connect timeout after ${this.connectTimeoutMs} ms`, 'ECONNTIMEOUT'));
      }, this.connectTimeoutMs);
      sock.once('connect', () => {
        opened = true;
        conns.opened();
        clearTimeout(connectTimer);
        resolve();
      });
      sock.on('data', (chunk: Buffer) => {
        try {
          this.#decoder.push(chunk);
        } catch (err) {
          this.lost(new McpError('transport_error', `${this.target}: ${(err as Error).message}`, 'EMSGSIZE'));
          sock.destroy();
        }
      });
      sock.on('error', (err) => this.connectionError(transportError(err, `TCP ${this.target}`), opened, conns, reject));
      sock.once('close', () => {
        clearTimeout(connectTimer);
        if (!opened) return;
        conns.closed();
        this.lost(new McpError('transport_error', `TCP connection to ${this.target} closed`, 'ECONNRESET'));
      });
    });
  }

  protected write(text: string): boolean {
    const s = this.#socket;
    if (!s || s.destroyed || !s.writable) return false;
    if (this.framing === 'length-prefix') s.write(encodeLengthPrefixed(text));
    else s.write(`${text}\n`);
    return true;
  }

  close(): Promise<void> {
    const s = this.#socket;
    return this.closeConnection(s && !s.destroyed ? s : undefined, () => s!.end(), () => s!.destroy());
  }
}
