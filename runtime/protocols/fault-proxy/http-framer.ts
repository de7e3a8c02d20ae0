/**
 * Where HTTP/1.1 messages begin and end in a byte stream, for the fault proxy: it must know which
 * bytes belong to which request and response to answer one request itself (http-error) or hold one
 * response (http-delay) and keep the keep-alive connection usable. Framing only: a head is read for
 * its method or status and its Content-Length, Transfer-Encoding, Connection and Expect
 * headers; bodies (Content-Length, chunked with extensions and trailers, or until close for a
 * response) are passed on as views of the bytes read, never copied. Bytes after a 101 (or a
 * CONNECT's 2xx), or that are not HTTP, are passed on raw.
 *
 * Why not the client's H1Parser (protocols/http/h1-parser.ts): it parses responses only and hands
 * header text to a Response; the proxy needs both directions and only the boundaries.
 */

export interface MessageInfo {
  /** Requests: the method; responses: ''. */
  method: string;
  /** Responses: the status; requests: 0. */
  status: number;
  /** The sender asked to close the connection after this message (or spoke HTTP/1.0 without keep-alive). */
  close: boolean;
  /** A request with `Expect: 100-continue`. */
  expectContinue: boolean;
  /** A request that carries a body (Content-Length > 0 or chunked). */
  hasBody: boolean;
}

/**
 * What the framer found, as ranges [start, end) of the buffer it was fed (or of a copy holding a
 * head that arrived in pieces): no view is allocated unless the receiver makes one.
 */
export interface FramerSink {
  /** A complete head. */
  head(buf: Buffer, start: number, end: number, info: MessageInfo): void;
  /** Bytes of the current message's body, chunk framing included. */
  body(buf: Buffer, start: number, end: number): void;
  /** The current message is complete. */
  end(): void;
  /** Bytes outside HTTP framing: after an upgrade, or once the stream turned out not to be HTTP. */
  raw(buf: Buffer, start: number, end: number): void;
}

const enum State {
  Head,
  Length,
  ChunkSize,
  ChunkData,
  ChunkDataEnd,
  Trailers,
  UntilClose,
  Raw,
}

const MAX_HEAD = 64 * 1024;
const MAX_LINE = 4096;
const CR = 13;
const LF = 10;
const CRLFCRLF = Buffer.from('\r\n\r\n');

export class HttpFramer {
  #state = State.Head;
  #pending: Buffer | null = null;
  #remaining = 0;
  /** Bytes of the current chunk-size or trailer line, CR not counted (0 at LF: an empty line). */
  #line = 0;
  #digits = 0;
  #inExtension = false;

  /**
   * `side` 'request' frames what a client sends; 'response' what a server sends, and then
   * `methodOfNext` names the request the next response answers (HEAD and CONNECT change framing).
   */
  constructor(
    readonly side: 'request' | 'response',
    readonly sink: FramerSink,
    readonly methodOfNext: () => string = () => 'GET',
  ) {}

  /** Framing is over (after an upgrade): every byte is raw from now on. */
  get raw(): boolean {
    return this.#state === State.Raw;
  }

  feed(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length) {
      const before = at;
      at = this.#step(chunk, at);
      if (at === before && this.#state !== State.Head) break;
    }
  }

  /** The stream ended: a response read until close is complete. */
  finish(): void {
    if (this.#state === State.UntilClose) {
      this.#state = State.Head;
      this.sink.end();
    }
  }

  /** Consumes from `at`; returns where it stopped. */
  #step(c: Buffer, at: number): number {
    switch (this.#state) {
      case State.Head:
        return this.#readHead(c, at);
      case State.Length: {
        const n = Math.min(this.#remaining, c.length - at);
        this.#remaining -= n;
        this.sink.body(c, at, at + n);
        if (this.#remaining === 0) this.#done();
        return at + n;
      }
      case State.UntilClose:
      case State.Raw:
        if (this.#state === State.Raw) this.sink.raw(c, at, c.length);
        else this.sink.body(c, at, c.length);
        return c.length;
      default:
        return this.#readChunked(c, at);
    }
  }

  #readHead(c: Buffer, at: number): number {
    // Empty lines before a message are tolerated (RFC 9112 §2.2) and passed on as they are.
    if (this.#pending === null) {
      let skip = at;
      while (skip < c.length && (c[skip] === CR || c[skip] === LF)) skip++;
      if (skip > at) {
        this.sink.raw(c, at, skip);
        return skip;
      }
    }
    let buf = c;
    let from = at;
    let searchFrom = at;
    if (this.#pending !== null) {
      searchFrom = Math.max(0, this.#pending.length - 3);
      buf = Buffer.concat([this.#pending, c.subarray(at)]);
      from = 0;
    }
    const end = buf.indexOf(CRLFCRLF, searchFrom);
    if (end < 0) {
      if (buf.length - from > MAX_HEAD) return this.#giveUp(buf, from, c.length);
      this.#pending = Buffer.from(buf.subarray(from));
      return c.length;
    }
    const headEnd = end + 4;
    const consumed = this.#pending === null ? headEnd : headEnd - this.#pending.length + at;
    this.#pending = null;
    this.#startMessage(buf, from, headEnd);
    return consumed;
  }

  /** Not HTTP (no head end in 64 KiB, or a start line that is not one): pass the rest through. */
  #giveUp(buf: Buffer, from: number, consumed: number): number {
    this.#pending = null;
    this.#state = State.Raw;
    this.sink.raw(buf, from, buf.length);
    return consumed;
  }

  #startMessage(buf: Buffer, start: number, end: number): void {
    const h = analyzeHead(this.side, buf.toString('latin1', start, end));
    if (h === undefined) {
      this.#pending = null;
      this.#state = State.Raw;
      this.sink.raw(buf, start, end);
      return;
    }
    this.sink.head(buf, start, end, h.info);
    if (this.side === 'request') return this.#startBody(h.chunked, h.length, false);
    const method = this.methodOfNext();
    const status = h.info.status;
    if (status === 101 || (method === 'CONNECT' && status >= 200 && status < 300)) {
      this.#state = State.Raw;
      this.sink.end();
      return;
    }
    if (status < 200) return this.sink.end();
    const bodyless = method === 'HEAD' || status === 204 || status === 304;
    if (bodyless) return this.#startBody(false, 0, false);
    this.#startBody(h.chunked, h.length, !h.chunked && h.length < 0);
  }

  /** `length` -1: no Content-Length (0 for a request, until close for a response). */
  #startBody(chunked: boolean, length: number, untilClose: boolean): void {
    if (chunked) this.#beginSizeLine();
    else if (untilClose) this.#state = State.UntilClose;
    else if (length > 0) {
      this.#state = State.Length;
      this.#remaining = length;
    } else this.#done();
  }

  #done(): void {
    this.#state = State.Head;
    this.sink.end();
  }

  /**
   * Chunked body: size lines (hex, then optional `;extensions`), data, CRLF, and after the 0-size
   * chunk trailer lines up to an empty one. Every byte is passed on as body, in one view per read.
   */
  #readChunked(c: Buffer, at: number): number {
    let i = at;
    while (i < c.length) {
      if (this.#state === State.ChunkData) {
        const n = Math.min(this.#remaining, c.length - i);
        i += n;
        this.#remaining -= n;
        if (this.#remaining === 0) this.#state = State.ChunkDataEnd;
        continue;
      }
      const b = c[i++];
      if (this.#state === State.ChunkDataEnd) {
        if (b === LF) this.#beginSizeLine();
        continue;
      }
      if (b === LF) {
        const emptyLine = this.#line === 0;
        this.#line = 0;
        if (this.#state === State.Trailers) {
          if (!emptyLine) continue;
          this.sink.body(c, at, i);
          this.#done();
          return i;
        }
        if (!this.#digits) return this.#giveUp(c, at, c.length);
        this.#state = this.#remaining > 0 ? State.ChunkData : State.Trailers;
        continue;
      }
      if (b === CR) continue;
      if (++this.#line > MAX_LINE) return this.#giveUp(c, at, c.length);
      if (this.#state !== State.ChunkSize || this.#inExtension) continue;
      const d = hexValue(b);
      if (d < 0) this.#inExtension = true;
      else {
        this.#remaining = this.#remaining * 16 + d;
        this.#digits++;
      }
    }
    this.sink.body(c, at, i);
    return i;
  }

  #beginSizeLine(): void {
    this.#state = State.ChunkSize;
    this.#remaining = 0;
    this.#line = 0;
    this.#digits = 0;
    this.#inExtension = false;
  }

  /** The other side switched protocols: stop framing this side too. */
  switchToRaw(): void {
    this.#pending = null;
    this.#state = State.Raw;
  }
}

function hexValue(b: number): number {
  if (b >= 48 && b <= 57) return b - 48;
  if (b >= 97 && b <= 102) return b - 87;
  if (b >= 65 && b <= 70) return b - 55;
  return -1;
}

const REQUEST_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) \S+ HTTP\/1\.([01])$/;
const STATUS_LINE = /^HTTP\/1\.([01]) (\d{3})(?: |$)/;
/** The headers framing depends on, found in one pass over the head. */
const FRAMING_HEADERS = /\r\n(content-length|transfer-encoding|connection|expect)[ \t]*:[ \t]*([^\r\n]*)/gi;
const CHUNKED_LAST = /\bchunked\s*$/i;
const KEEP_ALIVE = /\bkeep-alive\b/i;
const CLOSE = /\bclose\b/i;
const CONTINUE = /^100-continue\s*$/i;

interface Head {
  info: MessageInfo;
  chunked: boolean;
  /** -1 without Content-Length. */
  length: number;
}

function analyzeHead(side: 'request' | 'response', text: string): Head | undefined {
  const line = text.slice(0, text.indexOf('\r\n'));
  const m = side === 'request' ? REQUEST_LINE.exec(line) : STATUS_LINE.exec(line);
  if (!m) return undefined;
  const minor = side === 'request' ? m[2] : m[1];
  let chunked = false;
  let length = -1;
  let close = minor === '0';
  let expectContinue = false;
  // exec in a loop: matchAll would clone the regex on every head.
  FRAMING_HEADERS.lastIndex = 0;
  for (let h = FRAMING_HEADERS.exec(text); h !== null; h = FRAMING_HEADERS.exec(text)) {
    const value = h[2];
    switch (h[1].length) {
      case 14: // content-length
        length = Number.parseInt(value, 10);
        break;
      case 17: // transfer-encoding
        chunked = CHUNKED_LAST.test(value);
        break;
      case 10: // connection
        close = minor === '0' ? !KEEP_ALIVE.test(value) : CLOSE.test(value);
        break;
      default: // expect
        expectContinue = CONTINUE.test(value);
    }
  }
  if (Number.isNaN(length)) length = -1;
  const info: MessageInfo = {
    method: side === 'request' ? m[1] : '',
    status: side === 'request' ? 0 : Number(m[2]),
    close,
    expectContinue,
    hasBody: chunked || length > 0,
  };
  return { info, chunked, length };
}
