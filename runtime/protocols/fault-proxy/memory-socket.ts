/**
 * A socket pair in memory: how mcprun's own clients in a worker reach that worker's fault proxy
 * without the kernel. Through a loopback TCP hop every request costs two more reads and two more
 * writes in the worker's thread: bench/fault-proxy.mjs measured a worker's capacity through the
 * proxy at 0.4 to 0.56 of direct that way, against 0.8 to 1.0 in memory (no HTTP framing).
 *
 * Each end behaves as much like a connected net.Socket as the clients need: 'connect' on the next
 * tick, write/cork/end/destroy with backpressure ('drain'), half-close, bytesRead/bytesWritten,
 * `resetAndDestroy()` (the peer gets ECONNRESET), `setTimeout`, and net.connect's `onread`
 * option (chunks handed to a callback instead of 'data' events). A chunk written reaches the
 * peer's reader at once, except when that reader is inside its own write() (then a microtask
 * later): no client is ever called back from within its own write, as with a kernel socket.
 */
import { Duplex } from 'node:stream';
import { safeTimeout } from '../../timers.js';

export interface MemorySocketOptions {
  /** As net.connect's: the peer's chunks go to `callback` (returning false pauses until resume()). */
  onread?: { callback: (nread: number, buf: Buffer) => boolean | void };
  /** @default false (net.connect's default: the writable side ends when the peer ends) */
  allowHalfOpen?: boolean;
}

/** Bytes queued for the reader above which the writer is held (its write callback waits). */
const HIGH_WATER = 256 * 1024;

export class MemorySocket extends Duplex {
  bytesRead = 0;
  bytesWritten = 0;
  connecting = true;
  remoteAddress: string;
  remotePort: number;
  readonly localAddress = '127.0.0.1';
  readonly localPort = 0;
  readonly remoteFamily = 'IPv4';
  #peer: MemorySocket | null = null;
  #onread: MemorySocketOptions['onread'];
  /** Calls of this end's write() on the stack: a chunk for this end then waits for a microtask. */
  #inWrite = 0;
  /** The peer wrote past HIGH_WATER on the fast path: it waits for 'drain'. */
  #peerWantsDrain = false;
  /** Chunks for this end's reader, and whether their end (FIN) follows. */
  readonly #inbox: Buffer[] = [];
  #inboxBytes = 0;
  #inboxEnd = false;
  #flushing = false;
  #paused = false;
  /** The peer's write callback, held while this end's inbox is over HIGH_WATER. */
  #heldWriter: (() => void) | null = null;
  #reset = false;
  #idleMs = 0;
  #idleTimer: NodeJS.Timeout | null = null;

  constructor(address: { host: string; port: number }, options: MemorySocketOptions = {}) {
    super({ allowHalfOpen: options.allowHalfOpen ?? false });
    this.remoteAddress = address.host;
    this.remotePort = address.port;
    this.#onread = options.onread;
    // With onread no one reads the Readable side but its end: let it flow.
    if (this.#onread) super.resume();
  }

  /** Hands every chunk to `callback` from now on (as the onread option does). */
  setReader(callback: (chunk: Buffer) => void): void {
    this.#onread = { callback: (_n, buf) => callback(buf) };
    super.resume();
    this.#schedule();
  }

  /**
   * The common case without the Writable machinery: not corked and nothing queued in it, the bytes
   * go straight to the peer's inbox. Otherwise (cork, a write still queued) the Writable keeps the order.
   */
  override write(chunk: string | Uint8Array, encoding?: BufferEncoding | ((err?: Error | null) => void), cb?: (err?: Error | null) => void): boolean {
    if (typeof encoding === 'function') (cb = encoding), (encoding = undefined);
    const peer = this.#peer;
    if (!peer || this.writableCorked || this.writableLength > 0 || this.writableEnded || this.destroyed) return super.write(chunk, encoding as BufferEncoding, cb);
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, encoding ?? 'utf8') : Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    this.bytesWritten += bytes.length;
    this.#touch();
    if (cb) queueMicrotask(() => cb(null));
    if (peer.destroyed) return true;
    this.#handOver(peer, bytes);
    if (peer.#inboxBytes <= HIGH_WATER) return true;
    peer.#peerWantsDrain = true;
    return false;
  }

  /** Two connected ends: [client, server]. */
  static pair(address: { host: string; port: number }, client: MemorySocketOptions = {}, server: MemorySocketOptions = {}): [MemorySocket, MemorySocket] {
    const a = new MemorySocket(address, client);
    const b = new MemorySocket(address, server);
    a.#peer = b;
    b.#peer = a;
    process.nextTick(() => {
      for (const s of [a, b]) s.connecting = false;
      if (!a.destroyed) a.emit('connect'), a.emit('ready');
      // Bytes written before the connect is reported wait for it.
      for (const s of [a, b]) if (s.#inbox.length) s.#schedule();
    });
    return [a, b];
  }

  /** A client end whose connect fails (what net.connect does when nobody listens). */
  static refused(address: { host: string; port: number }): MemorySocket {
    const s = new MemorySocket(address);
    const err = Object.assign(new Error(`connect ECONNREFUSED ${address.host}:${address.port}`), { code: 'ECONNREFUSED', errno: -111, syscall: 'connect', address: address.host, port: address.port });
    process.nextTick(() => s.destroy(err));
    return s;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    const peer = this.#peer;
    this.bytesWritten += chunk.length;
    this.#touch();
    if (!peer || peer.destroyed) return callback();
    this.#handOver(peer, chunk);
    if (peer.#inboxBytes > HIGH_WATER) peer.#heldWriter = () => callback();
    else callback();
  }

  override _final(callback: (error?: Error | null) => void): void {
    const peer = this.#peer;
    if (peer && !peer.destroyed) {
      peer.#inboxEnd = true;
      peer.#schedule();
    }
    callback();
  }

  override _read(): void {
    // With onread the Readable side only carries the end: only resume() unpauses.
    if (this.#onread) return;
    this.#paused = false;
    this.#schedule();
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    this.#clearIdle();
    const peer = this.#peer;
    this.#peer = null;
    if (peer && !peer.destroyed) {
      peer.#peer = null;
      // A reset reaches the peer as ECONNRESET; a plain close as the end of its stream.
      if (this.#reset) peer.destroy(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET', errno: -104, syscall: 'read' }));
      else {
        peer.#inboxEnd = true;
        peer.#schedule();
      }
    }
    this.#heldWriter?.();
    callback(err);
  }

  override pause(): this {
    this.#paused = true;
    return this.#onread ? this : super.pause();
  }

  override resume(): this {
    this.#paused = false;
    this.#schedule();
    return this.#onread ? this : super.resume();
  }

  /** Closes at once; the peer sees ECONNRESET (a TCP RST). */
  resetAndDestroy(): this {
    this.#reset = true;
    return this.destroy();
  }

  setNoDelay(): this {
    return this;
  }

  setKeepAlive(): this {
    return this;
  }

  ref(): this {
    return this;
  }

  unref(): this {
    return this;
  }

  /** As net.Socket's: 'timeout' after `ms` without reads or writes (0 turns it off). */
  setTimeout(ms: number, callback?: () => void): this {
    if (callback) this.once('timeout', callback);
    this.#idleMs = ms;
    this.#touch();
    return this;
  }

  address(): { address: string; port: number; family: string } {
    return { address: this.localAddress, port: this.localPort, family: 'IPv4' };
  }

  #handOver(peer: MemorySocket, chunk: Buffer): void {
    this.#inWrite++;
    try {
      peer.#receive(chunk);
    } finally {
      this.#inWrite--;
    }
  }

  /**
   * A chunk is handed to the reader at once, as a socket read would be, unless the reader is itself
   * inside a write() (its peer answered synchronously): then in a microtask, so that no reader is
   * ever called back from within its own write.
   */
  #receive(chunk: Buffer): void {
    this.#inbox.push(chunk);
    this.#inboxBytes += chunk.length;
    if (this.connecting) return;
    if (this.#inWrite === 0 && !this.#flushing && this.#inbox.length === 1) this.#flush();
    else this.#schedule();
  }

  #schedule(): void {
    if (this.#flushing) return;
    this.#flushing = true;
    queueMicrotask(() => {
      this.#flushing = false;
      this.#flush();
    });
  }

  /** Hands queued chunks to the reader until it pauses; then the end, when it was sent. */
  #flush(): void {
    if (this.connecting) return;
    while (this.#inbox.length && !this.#paused && !this.destroyed) {
      const chunk = this.#inbox.shift()!;
      this.#inboxBytes -= chunk.length;
      this.bytesRead += chunk.length;
      this.#touch();
      if (this.#onread) this.#paused = this.#onread.callback(chunk.length, chunk) === false;
      else this.#paused = !this.push(chunk);
    }
    if (this.#inboxBytes <= HIGH_WATER / 2) {
      const release = this.#heldWriter;
      this.#heldWriter = null;
      release?.();
      if (this.#peerWantsDrain) {
        this.#peerWantsDrain = false;
        this.#peer?.emit('drain');
      }
    }
    if (this.#inboxEnd && this.#inbox.length === 0 && !this.destroyed) {
      this.#inboxEnd = false;
      this.push(null);
    }
  }

  #touch(): void {
    if (this.#idleMs <= 0) return this.#clearIdle();
    this.#clearIdle();
    this.#idleTimer = safeTimeout(() => this.emit('timeout'), this.#idleMs);
    this.#idleTimer.unref();
  }

  #clearIdle(): void {
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    this.#idleTimer = null;
  }
}
