/**
 * Raw TCP: newline-delimited JSON-RPC by default (what erlmcp's code sends), or 4-byte
 * big-endian length-prefixed frames with `framing: 'length-prefix'`.
 */
import net from 'node:net';
import type { ConnectionMeter } from '../../../metrics/connections.js';
import { nextLocalAddress } from '../../local-ips.js';
import { McpError, transportError } from '../errors.js';
import { LengthPrefixDecoder, LineDecoder, encodeLengthPrefixed } from '../framing.js';
import { MessageStreamTransport } from './message-stream.js';
import type { TransportHost } from './types.js';

export type TcpFraming = 'ndjson' | 'length-prefix';

export class TcpTransport extends MessageStreamTransport {
  readonly kind = 'tcp' as const;
  #socket: net.Socket | undefined;
  readonly #decoder: LineDecoder | LengthPrefixDecoder;

  constructor(
    target: string,
    host: TransportHost,
    readonly framing: TcpFraming,
    readonly connectTimeoutMs: number,
    readonly conns: ConnectionMeter,
  ) {
    super(target, host);
    this.#decoder = framing === 'length-prefix' ? new LengthPrefixDecoder(this) : new LineDecoder(this);
  }

  open(): Promise<void> {
    const u = new URL(this.target);
    return new Promise((resolve, reject) => {
      const localAddress = nextLocalAddress();
      const sock = net.connect({ host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port), ...(localAddress ? { localAddress } : {}) });
      this.#socket = sock;
      this.socketBytes.track(sock);
      let opened = false;
      sock.setNoDelay(true);
      sock.setTimeout(this.connectTimeoutMs, () => {
        if (!opened) sock.destroy(Object.assign(new Error(`connect timeout after ${this.connectTimeoutMs} ms`), { code: 'ECONNTIMEOUT' }));
      });
      sock.once('connect', () => {
        opened = true;
        this.conns.opened();
        sock.setTimeout(0);
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
      sock.on('error', (err) => {
        const e = transportError(err, `TCP ${this.target}`);
        if (!opened) {
          this.conns.failed(typeof e.code === 'string' ? e.code : undefined);
          reject(e);
        }
        else this.lost(e);
      });
      sock.once('close', () => {
        if (opened) this.conns.closed();
        if (opened) this.lost(new McpError('transport_error', `TCP connection to ${this.target} closed`, 'ECONNRESET'));
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

  async close(): Promise<void> {
    const s = this.#socket;
    if (!this.gone) this.gone = new McpError('transport_error', 'the session is closed');
    if (!s || s.destroyed) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        s.destroy();
        resolve();
      }, 1000);
      s.once('close', () => {
        clearTimeout(t);
        resolve();
      });
      s.end();
    });
  }
}
