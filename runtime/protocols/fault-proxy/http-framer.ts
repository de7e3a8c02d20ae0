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
 * header text to a Response; the proxy needs both directions and only the boundaries. Heads are
 * read from their bytes (http-head.ts), without a string per head.
 */
import { emptyHead, INCOMPLETE, NOT_HTTP, parseHead, type MessageInfo } from './http-head.js';

export type { MessageInfo } from './http-head.js';

/**
 * What the framer found, as ranges [start, end) of the buffer it was fed (or of a copy holding a
 * head that arrived in pieces): no view is allocated unless the receiver makes one.
 */
export interface FramerSink {
  /** A complete head. `info` is valid during the call only: the framer fills the same object for every head. */
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
/** Heads longer than this are not kept for comparison with the next one. */
const MAX_SEEN = 4096;
const CR = 13;
const LF = 10;
const CRLF = Buffer.from('\r\n');
const CRLFCRLF = Buffer.from('\r\n\r\n');

export class HttpFramer {
  #state = State.Head;
  #pending: Buffer | null = null;
  #remaining = 0;
  /** Bytes of the current chunk-size or trailer line, CR not counted (0 at LF: an empty line). */
  #line = 0;
  #digits = 0;
  #inExtension = false;
  /** The head being read, filled in place (nothing is allocated per message). */
  readonly #head = emptyHead();
  /** The pending head's start line was seen whole (and is HTTP). */
  #startLineRead = false;
  /** The bytes of the last head read whole from one read (#seenLength of them; 0: none), which #head describes. */
  #seen: Buffer | null = null;
  #seenLength = 0;

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
    if (this.#pending !== null) return this.#readHeadInPieces(c, at);
    // Empty lines before a message are tolerated (RFC 9112 §2.2) and passed on as they are.
    let skip = at;
    while (skip < c.length && (c[skip] === CR || c[skip] === LF)) skip++;
    if (skip > at) {
      this.sink.raw(c, at, skip);
      return skip;
    }
    // The same head as the last one (a keep-alive client repeating its request, a server its
    // answer within the second of its Date): what it says is known. One compare, no scan.
    const seen = this.#seenLength;
    if (seen > 0 && c.length - at >= seen && c.compare(this.#seen!, 0, seen, at, at + seen) === 0) {
      this.#startMessage(c, at, at + seen);
      return at + seen;
    }
    // The common case otherwise: the whole head is in this read, and is read where it lies.
    this.#seenLength = 0;
    const end = parseHead(this.side, c, at, c.length, this.#head);
    if (end === NOT_HTTP) return this.#giveUp(c, at, c.length);
    if (end !== INCOMPLETE) {
      this.#remember(c, at, end);
      this.#startMessage(c, at, end);
      return end;
    }
    if (c.length - at > MAX_HEAD) return this.#giveUp(c, at, c.length);
    this.#pending = Buffer.from(c.subarray(at));
    this.#startLineRead = false;
    return c.length;
  }

  /** Keeps a copy of the head just read (#head holds what it says until the next parse). */
  #remember(c: Buffer, start: number, end: number): void {
    const n = end - start;
    if (n > MAX_SEEN) return;
    if (this.#seen === null || this.#seen.length < n) this.#seen = Buffer.allocUnsafe(Math.max(256, 2 ** Math.ceil(Math.log2(n))));
    c.copy(this.#seen, 0, start, end);
    this.#seenLength = n;
  }

  /** A head in pieces: look for its end only in what is new (the head is read once it is whole). */
  #readHeadInPieces(c: Buffer, at: number): number {
    this.#seenLength = 0;
    const pending = this.#pending!;
    const buf = Buffer.concat([pending, c.subarray(at)]);
    const found = buf.indexOf(CRLFCRLF, Math.max(0, pending.length - 3));
    if (found < 0) {
      if (buf.length > MAX_HEAD || this.#notHttpYet(buf)) return this.#giveUp(buf, 0, c.length);
      this.#pending = buf;
      return c.length;
    }
    this.#pending = null;
    const end = parseHead(this.side, buf, 0, found + 4, this.#head);
    if (end < 0) return this.#giveUp(buf, 0, c.length);
    this.#startMessage(buf, 0, end);
    return end - pending.length + at;
  }

  /** A head in pieces whose start line is complete and not HTTP: the stream need not wait for the head's end to go raw. */
  #notHttpYet(buf: Buffer): boolean {
    if (this.#startLineRead) return false;
    const lineEnd = buf.indexOf(CRLF);
    if (lineEnd < 0) return false;
    this.#startLineRead = true;
    return parseHead(this.side, buf, 0, lineEnd + 2, this.#head) === NOT_HTTP;
  }

  /** Not HTTP (no head end in 64 KiB, or a start line that is not one): pass the rest through. */
  #giveUp(buf: Buffer, from: number, consumed: number): number {
    this.#pending = null;
    this.#state = State.Raw;
    this.sink.raw(buf, from, buf.length);
    return consumed;
  }

  #startMessage(buf: Buffer, start: number, end: number): void {
    const h = this.#head;
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
