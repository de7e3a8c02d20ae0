/**
 * Message framing for the socket and process transports: newline-delimited JSON (stdio, TCP,
 * `\n`-joined WebSocket frames) and 4-byte big-endian length-prefixed frames (TCP, optional).
 */
import { ProtocolError } from '../../errors.js';

export interface FrameSink {
  onFrame(text: string): void;
}

/** Splits a byte stream on `\n` (a trailing `\r` is dropped); blank lines are skipped. */
export class LineDecoder {
  #parts: Buffer[] = [];
  #pending = 0;
  /** Largest accepted message, bytes (erlmcp's default is 16 MiB). */
  constructor(
    readonly sink: FrameSink,
    readonly maxBytes = 16 * 1024 * 1024,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl === -1) break;
      let line: Buffer;
      if (this.#parts.length) {
        this.#parts.push(chunk.subarray(start, nl));
        line = Buffer.concat(this.#parts);
        this.#parts = [];
        this.#pending = 0;
      } else line = chunk.subarray(start, nl);
      start = nl + 1;
      let end = line.length;
      if (end && line[end - 1] === 13) end--;
      if (end) this.sink.onFrame(line.toString('utf8', 0, end));
    }
    if (start < chunk.length) {
      this.#parts.push(chunk.subarray(start));
      this.#pending += chunk.length - start;
      if (this.#pending > this.maxBytes) throw new ProtocolError('MCPRUN_MCP_TRANSPORT', `a message exceeded ${this.maxBytes} bytes without a newline`, 'EMSGSIZE');
    }
  }
}

/** 4-byte big-endian length, then that many bytes of UTF-8 JSON. */
export class LengthPrefixDecoder {
  #buf: Buffer = Buffer.alloc(0);
  constructor(
    readonly sink: FrameSink,
    readonly maxBytes = 16 * 1024 * 1024,
  ) {}

  push(chunk: Buffer): void {
    let buf = this.#buf.length ? Buffer.concat([this.#buf, chunk]) : chunk;
    for (;;) {
      if (buf.length < 4) break;
      const n = buf.readUInt32BE(0);
      if (n > this.maxBytes) throw new ProtocolError('MCPRUN_MCP_TRANSPORT', `a frame announced ${n} bytes (more than ${this.maxBytes})`, 'EMSGSIZE');
      if (buf.length < 4 + n) break;
      this.sink.onFrame(buf.toString('utf8', 4, 4 + n));
      buf = buf.subarray(4 + n);
    }
    this.#buf = buf.length ? Buffer.from(buf) : Buffer.alloc(0);
  }
}

export function encodeLengthPrefixed(text: string): Buffer {
  const n = Buffer.byteLength(text);
  const out = Buffer.allocUnsafe(4 + n);
  out.writeUInt32BE(n, 0);
  out.write(text, 4, 'utf8');
  return out;
}
