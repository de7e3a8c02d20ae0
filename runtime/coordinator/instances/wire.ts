/**
 * Frames over one TCP connection between two instances: a 4-byte big-endian length, then the
 * body. The first frame each way is JSON (the hello and its answer: nothing an unauthenticated
 * peer sends is ever handed to the structured-clone reader); every later frame is v8.serialize,
 * the structured clone that Node's IPC channel uses with `serialization: 'advanced'` between the
 * coordinator and its worker processes, so the same messages cross with the same fidelity
 * (Float64Array histogram buckets exactly, setup() data as the workers see it). Own code rather
 * than a framing library: the whole format is these lines, and what crosses is the
 * worker-protocol's own messages.
 */
import type { Socket } from 'node:net';
import { deserialize, serialize } from 'node:v8';

/** A frame larger than this is a broken or hostile peer: the connection is closed. */
const MAX_FRAME_BYTES = 256 * 1024 * 1024;

export class Wire<In, Out> {
  #buf: Buffer = Buffer.alloc(0);
  #json = true;
  #closed = false;
  readonly #messages = new Set<(m: In) => void>();
  /** Frames that came while nobody listened (between the hello's answer and the session's start): kept for the next listener. */
  readonly #backlog: In[] = [];
  readonly #closes = new Set<(why: string) => void>();

  constructor(readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#data(chunk));
    socket.on('error', (err) => this.#close(err.message));
    socket.on('close', () => this.#close('the connection closed'));
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** After the hello: both sides switch to structured clones. */
  upgrade(): void {
    this.#json = false;
  }

  send(msg: Out): void {
    if (this.#closed) return;
    const body = this.#json ? Buffer.from(JSON.stringify(msg)) : serialize(msg);
    const head = Buffer.alloc(4);
    head.writeUInt32BE(body.length);
    this.socket.write(Buffer.concat([head, body]));
  }

  /** Sends the last frame and closes once it is written. */
  end(msg?: Out): void {
    if (msg !== undefined) this.send(msg);
    this.#closed = true;
    this.socket.end();
  }

  destroy(why: string): void {
    this.socket.destroy();
    this.#close(why);
  }

  onMessage(fn: (m: In) => void): () => void {
    this.#messages.add(fn);
    while (this.#backlog.length && this.#messages.has(fn)) fn(this.#backlog.shift()!);
    return () => this.#messages.delete(fn);
  }

  onClose(fn: (why: string) => void): () => void {
    this.#closes.add(fn);
    return () => this.#closes.delete(fn);
  }

  #data(chunk: Buffer): void {
    this.#buf = this.#buf.length ? Buffer.concat([this.#buf, chunk]) : chunk;
    while (this.#buf.length >= 4) {
      const len = this.#buf.readUInt32BE(0);
      if (len > MAX_FRAME_BYTES) return this.destroy(`a frame of ${len} bytes (more than ${MAX_FRAME_BYTES})`);
      if (this.#buf.length < 4 + len) return;
      const body = this.#buf.subarray(4, 4 + len);
      this.#buf = this.#buf.subarray(4 + len);
      let msg: In;
      try {
        msg = (this.#json ? JSON.parse(body.toString('utf8')) : deserialize(body)) as In;
      } catch {
        return this.destroy('a frame that could not be read');
      }
      if (!this.#messages.size) this.#backlog.push(msg);
      for (const l of [...this.#messages]) l(msg);
    }
  }

  #close(why: string): void {
    const first = !this.#closed || this.#closes.size > 0;
    this.#closed = true;
    if (!first) return;
    const listeners = [...this.#closes];
    this.#closes.clear();
    for (const l of listeners) l(why);
  }
}
