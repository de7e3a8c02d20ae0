/**
 * One HTTP request of an MCP HTTP transport on mcprun's own HTTP/1.1 client: what the slot calls
 * (h1-client.ts H1Exchange) turned into what MCP needs — the status, the two headers MCP reads
 * (Content-Type, Mcp-Session-Id), and the body either kept whole (JSON, error bodies) or fed to
 * an SSE parser straight from the read buffer as it arrives. Subclasses say what the answer
 * means (`head`, `onEvent`, `settle`).
 *
 * The request head is one string built from the transport's prebuilt prefix: with an ASCII body
 * (the usual JSON-RPC message) head and body go out as one latin1 write, no Buffer at all.
 */
import { performance } from 'node:perf_hooks';
import type { ConnectRecord, H1Exchange, H1Slot } from '../../http/h1-client.js';
import type { SseEvent, SseSink } from '../sse-parser.js';
import { SseParser } from '../sse-parser.js';
import { usageError } from '../../../errors.js';

/** Body bytes kept for a non-SSE answer (JSON responses are small; an error page is cut). */
const MAX_KEPT = 64 * 1024 * 1024;

export abstract class H1Request implements H1Exchange, SseSink {
  readonly head: string;
  readonly body: Uint8Array | undefined;
  readonly t0 = performance.now();
  retried = false;
  slot: H1Slot | null = null;
  status = 0;
  statusText = '';
  sse: SseParser | null = null;
  settled = false;
  #chunks: Buffer[] | null = null;
  /** #chunks[0..#copied) are copies; the rest may be views of the shared read buffer. */
  #copied = 0;
  #kept = 0;

  /** `prefix`: request line and headers, without Content-Length and the empty line. */
  constructor(
    readonly method: string,
    prefix: string,
    body: string | undefined,
  ) {
    if (body === undefined) {
      this.head = `${prefix}\r\n`;
      this.body = undefined;
      return;
    }
    const n = Buffer.byteLength(body);
    if (n === body.length) {
      // ASCII: one string, written as latin1 in one write.
      this.head = `${prefix}content-length: ${n}\r\n\r\n${body}`;
      this.body = undefined;
    } else {
      this.head = `${prefix}content-length: ${n}\r\n\r\n`;
      this.body = Buffer.from(body, 'utf8');
    }
  }

  /** The final head arrived; return true to read the body as an event stream. */
  protected abstract onResponse(status: number, headerLines: string): boolean;
  abstract onEvent(ev: SseEvent): void;
  /** The exchange is over (err undefined: the response is complete). Called once. */
  protected abstract settle(err: Error | undefined): void;

  onWrite(_at: number, _conn: ConnectRecord | undefined): void {}
  onSent(_at: number): void {}

  onHead(status: number, statusText: string, headerLines: string): void {
    this.status = status;
    this.statusText = statusText;
    if (this.onResponse(status, headerLines)) this.sse = new SseParser(this);
    else this.#chunks = [];
  }

  onBody(chunk: Buffer): void {
    if (this.sse) {
      this.sse.push(chunk);
      return;
    }
    const c = this.#chunks;
    if (!c || this.#kept + chunk.length > MAX_KEPT) return;
    c.push(chunk);
    this.#kept += chunk.length;
  }

  onReadEnd(): void {
    const c = this.#chunks;
    if (!c) return;
    for (let i = this.#copied; i < c.length; i++) c[i] = Buffer.from(c[i]);
    this.#copied = c.length;
  }

  onEnd(_keepAlive: boolean): void {
    this.#finish(undefined);
  }

  onError(err: Error): void {
    this.#finish(err);
  }

  /** Stop now (timeout, close): the slot drops the connection if this request is on it. */
  abortNow(err: Error): void {
    if (this.settled) return;
    this.slot?.abort(this);
    this.#finish(err);
  }

  /** The kept body as text (call from settle: the views are valid until it returns). */
  text(): string {
    const c = this.#chunks;
    if (!c || c.length === 0) return '';
    if (c.length === 1) return c[0].toString('utf8');
    return Buffer.concat(c).toString('utf8');
  }

  #finish(err: Error | undefined): void {
    if (this.settled) return;
    this.settled = true;
    this.settle(err);
    this.#chunks = null;
  }
}

/**
 * The value of header `name` (lower case) in a header block ("Name: value" lines joined by CRLF),
 * trimmed; undefined when absent. Names are compared by length first: no lower-casing of the block.
 */
export function headerValue(lines: string, name: string): string | undefined {
  const n = name.length;
  let i = 0;
  const len = lines.length;
  while (i < len) {
    let e = lines.indexOf('\r\n', i);
    if (e === -1) e = len;
    if (lines.charCodeAt(i + n) === 58 /* : */ && e > i + n && lines.slice(i, i + n).toLowerCase() === name) {
      return lines.slice(i + n + 1, e).trim();
    }
    i = e + 2;
  }
  return undefined;
}

/** Header values must not break the request: CR, LF and NUL are refused before anything is sent. */
const BAD_VALUE = /[\r\n\0]/;
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** `name: value\r\n` lines of a flat [name, value, ...] list; throws an MCPRUN_USAGE error naming a bad header. */
export function headerLines(list: readonly string[]): string {
  let s = '';
  for (let i = 0; i + 1 < list.length; i += 2) {
    const name = list[i];
    const value = list[i + 1];
    if (!TOKEN.test(name)) throw usageError(`mcp.connect() option headers: ${JSON.stringify(name)} is not a valid HTTP header name`, 'Use letters, digits and - in header names.');
    if (BAD_VALUE.test(value)) throw usageError(`mcp.connect() option headers: the value of ${name} contains CR, LF or NUL`, 'Remove line breaks from header values.');
    s += `${name}: ${value}\r\n`;
  }
  return s;
}

/**
 * A sequential copy of a string that is kept: one built by concatenation is a rope of small nodes,
 * and a slice of a response head keeps the whole head alive.
 */
export function flat(s: string): string {
  return Buffer.from(s, 'latin1').toString('latin1');
}
