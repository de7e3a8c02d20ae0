/**
 * An incremental HTTP/1.x response parser for the hot path: status line and headers, then the
 * body framed by Content-Length, chunked transfer coding, or the connection's end. It takes the
 * bytes as the socket delivers them (any split, including mid-line) and calls its sink; it never
 * copies body bytes, and builds no header object (the raw name/value list goes to the Response,
 * which builds one only if the script reads it).
 *
 * Why our own: undici's wasm llhttp plus its request machinery was a quarter of a worker's CPU at
 * full speed; a load generator only needs the response side, and only the framing rules.
 */
import { ProtocolError } from '../../errors.js';

export interface ResponseSink {
  /**
   * The final (non-1xx) head of the response. `headerLines` is the header block as received
   * ("Name: value" lines joined by CRLF, no status line): split into names and values only if the
   * script reads `res.headers`.
   */
  onHead(status: number, statusText: string, headerLines: string): void;
  /** A view of the bytes as read: valid only during the call (the read buffer may be reused), so copy what you keep. */
  onBody(chunk: Buffer): void;
  /** The response is complete; `keepAlive` says whether the connection can carry another. */
  onEnd(keepAlive: boolean): void;
}

/** The server's answer is not HTTP/1.x: `code` is EPROTO (the error_code tag). */
export class HttpParseError extends ProtocolError {
  constructor(message: string) {
    super('MCPRUN_HTTP_PROTOCOL', message, undefined, { noStack: true });
    this.name = 'HttpParseError';
  }
}

const MAX_HEAD_BYTES = 64 * 1024;
const MAX_CHUNK_LINE = 4096;
const CRLFCRLF = Buffer.from('\r\n\r\n');

interface Head {
  status: number;
  statusText: string;
  headerLines: string;
  contentLength: number;
  chunked: boolean;
  keepAlive: boolean;
}

const enum State {
  Head = 0,
  /** Content-Length body: `remaining` bytes to go. */
  Length = 1,
  /** Reading a chunk-size line. */
  ChunkSize = 2,
  /** Inside a chunk: `remaining` bytes to go. */
  ChunkData = 3,
  /** After a chunk's data: expecting its CRLF. */
  ChunkDataEnd = 4,
  /** After the last chunk: trailer lines up to an empty line. */
  Trailers = 5,
  /** No framing: the body runs until the server closes the connection. */
  UntilClose = 6,
  /** Between responses (or after an error): bytes here are unexpected. */
  Done = 7,
}

export class H1Parser {
  #state = State.Done;
  #sink: ResponseSink | null = null;
  #head: Buffer | null = null;
  #line = '';
  #remaining = 0;
  #keepAlive = true;
  #noBody = false;
  #lastHead: Buffer | null = null;
  #last: Head | null = null;

  /** Expect a new response, to a request of `method`. */
  start(sink: ResponseSink, method: string): void {
    this.#sink = sink;
    this.#state = State.Head;
    this.#head = null;
    this.#line = '';
    this.#noBody = method === 'HEAD';
  }

  /** The connection ended: completes an unframed body; otherwise the caller treats it as an error. */
  finish(): boolean {
    if (this.#state !== State.UntilClose) return false;
    this.#complete(false);
    return true;
  }

  /**
   * Feed bytes. Returns the number of bytes left over after a complete response (bytes the server
   * sent that no request asked for), or throws HttpParseError.
   */
  execute(buf: Buffer): number {
    let off = 0;
    const len = buf.length;
    while (off < len) {
      switch (this.#state) {
        case State.Head: {
          off = this.#readHead(buf, off);
          break;
        }
        case State.Length: {
          const n = Math.min(this.#remaining, len - off);
          this.#sink!.onBody(off === 0 && n === len ? buf : buf.subarray(off, off + n));
          off += n;
          this.#remaining -= n;
          if (this.#remaining === 0) this.#complete(this.#keepAlive);
          break;
        }
        case State.UntilClose: {
          this.#sink!.onBody(off === 0 ? buf : buf.subarray(off));
          off = len;
          break;
        }
        case State.ChunkSize:
        case State.Trailers: {
          const nl = buf.indexOf(10, off); // '\n'
          const end = nl === -1 ? len : nl + 1;
          this.#line += buf.toString('latin1', off, end);
          off = end;
          if (nl === -1) {
            if (this.#line.length > MAX_CHUNK_LINE) throw new HttpParseError('chunk-size or trailer line too long');
            break;
          }
          const line = this.#line.trimEnd();
          this.#line = '';
          if (this.#state === State.Trailers) {
            if (line === '') this.#complete(this.#keepAlive);
            break;
          }
          const semi = line.indexOf(';');
          const hex = (semi === -1 ? line : line.slice(0, semi)).trim();
          if (!/^[0-9a-fA-F]{1,15}$/.test(hex)) throw new HttpParseError(`invalid chunk size ${JSON.stringify(hex.slice(0, 20))}`);
          const size = parseInt(hex, 16);
          if (size === 0) this.#state = State.Trailers;
          else {
            this.#remaining = size;
            this.#state = State.ChunkData;
          }
          break;
        }
        case State.ChunkData: {
          const n = Math.min(this.#remaining, len - off);
          this.#sink!.onBody(buf.subarray(off, off + n));
          off += n;
          this.#remaining -= n;
          if (this.#remaining === 0) {
            this.#state = State.ChunkDataEnd;
            this.#remaining = 2;
          }
          break;
        }
        case State.ChunkDataEnd: {
          // Exactly CRLF after each chunk's data (tolerate a bare LF, as llhttp's lenient mode).
          const c = buf[off];
          if (this.#remaining === 2 && c === 13) {
            this.#remaining = 1;
            off++;
          } else if (c === 10) {
            off++;
            this.#state = State.ChunkSize;
          } else throw new HttpParseError('missing CRLF after chunk data');
          break;
        }
        case State.Done:
          return len - off;
      }
    }
    return 0;
  }

  #readHead(buf: Buffer, off: number): number {
    const carried = this.#head;
    if (!carried) {
      const end = buf.indexOf(CRLFCRLF, off);
      if (end !== -1) {
        if (end - off > MAX_HEAD_BYTES) throw new HttpParseError('response head larger than 64 KB');
        // The same bytes as this connection's previous head (a server repeats itself; Date
        // changes once a second): one memcmp instead of decoding and parsing it again.
        const last = this.#lastHead;
        if (last && last.length === end - off && buf.compare(last, 0, last.length, off, end) === 0) this.#applyHead(this.#last!);
        else {
          const h = this.#parseHead(buf.toString('latin1', off, end));
          if (h.status >= 200) {
            this.#lastHead = Buffer.from(buf.subarray(off, end));
            this.#last = h;
          }
          this.#applyHead(h);
        }
        return end + 4;
      }
      this.#checkPrefix(buf, off);
      if (buf.length - off > MAX_HEAD_BYTES) throw new HttpParseError('response head larger than 64 KB');
      this.#head = Buffer.from(buf.subarray(off)); // a copy: the head is parsed once it is whole
      return buf.length;
    }
    // A head split across reads: search from where a split terminator could start.
    const data = Buffer.concat([carried, off === 0 ? buf : buf.subarray(off)]);
    const end = data.indexOf(CRLFCRLF, Math.max(0, carried.length - 3));
    if (end === -1) {
      this.#checkPrefix(data, 0);
      if (data.length > MAX_HEAD_BYTES) throw new HttpParseError('response head larger than 64 KB');
      this.#head = data;
      return buf.length;
    }
    this.#head = null;
    if (end > MAX_HEAD_BYTES) throw new HttpParseError('response head larger than 64 KB');
    this.#applyHead(this.#parseHead(data.toString('latin1', 0, end)));
    return off + (end + 4 - carried.length);
  }

  #checkPrefix(data: Buffer, from: number): void {
    const have = data.toString('latin1', from, Math.min(data.length, from + 5));
    if (!'HTTP/'.startsWith(have)) throw new HttpParseError(`the server's answer is not HTTP: it starts with ${JSON.stringify(have)}`);
  }

  /** The head as parsed: kept per connection, because a server mostly repeats the same one. */
  #applyHead(h: Head): void {
    if (h.status < 200) {
      // 1xx (100 Continue, 103 Early Hints): informational, the final response follows. 101 would
      // switch protocols, which no http.* request asks for.
      if (h.status === 101) throw new HttpParseError('the server switched protocols (101) on a plain HTTP request');
      this.#state = State.Head;
      return;
    }
    const keepAlive = h.keepAlive;
    this.#keepAlive = keepAlive;
    this.#sink!.onHead(h.status, h.statusText, h.headerLines);
    if (this.#noBody || h.status === 204 || h.status === 304) this.#complete(keepAlive);
    else if (h.chunked) {
      this.#state = State.ChunkSize;
      this.#line = '';
    } else if (h.contentLength >= 0) {
      if (h.contentLength === 0) this.#complete(keepAlive);
      else {
        this.#remaining = h.contentLength;
        this.#state = State.Length;
      }
    } else {
      this.#keepAlive = false;
      this.#state = State.UntilClose;
    }
  }

  #parseHead(text: string): Head {
    const eol = text.indexOf('\r\n');
    const lineEnd = eol === -1 ? text.length : eol;
    // "HTTP/1.1 200 OK", read by char codes: no substring for the common case.
    if (lineEnd < 12 || !text.startsWith('HTTP/1.') || text.charCodeAt(8) !== 32 || (lineEnd > 12 && text.charCodeAt(12) !== 32)) {
      throw new HttpParseError(`the server's answer is not HTTP/1.x: status line ${JSON.stringify(text.slice(0, Math.min(lineEnd, 40)))}`);
    }
    const minor = text.charCodeAt(7) - 48;
    const d0 = text.charCodeAt(9) - 48;
    const d1 = text.charCodeAt(10) - 48;
    const d2 = text.charCodeAt(11) - 48;
    if (d0 < 1 || d0 > 9 || d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9) throw new HttpParseError(`invalid status code in ${JSON.stringify(text.slice(0, Math.min(lineEnd, 40)))}`);
    const status = d0 * 100 + d1 * 10 + d2;
    const statusText = lineEnd > 13 ? text.slice(13, lineEnd) : '';
    let contentLength = -1;
    let chunked = false;
    let keepAlive = minor >= 1;
    const headersAt = eol === -1 ? text.length : eol + 2;
    let pos = headersAt;
    while (pos < text.length) {
      let next = text.indexOf('\r\n', pos);
      if (next === -1) next = text.length;
      const colon = text.indexOf(':', pos);
      if (colon === -1 || colon > next) throw new HttpParseError(`invalid header line ${JSON.stringify(text.slice(pos, Math.min(next, pos + 40)))}`);
      // Only three headers decide the framing: look at a name only when its length and first
      // letter match one of them, so the other headers cost no string at all.
      const nl = colon - pos;
      const c = text.charCodeAt(pos) | 0x20;
      if (c === 99 /* c */ && nl === 14 && nameIs(text, pos, 'content-length')) {
        const n = digits(text, colon + 1, next);
        if (n < 0) throw new HttpParseError(`invalid Content-Length ${JSON.stringify(text.slice(colon + 1, next).trim())}`);
        if (contentLength !== -1 && contentLength !== n) throw new HttpParseError('conflicting Content-Length headers');
        contentLength = n;
      } else if (c === 116 /* t */ && nl === 17 && nameIs(text, pos, 'transfer-encoding')) {
        chunked = /(?:^|,)\s*chunked\s*$/i.test(text.slice(colon + 1, next).trim());
      } else if (c === 99 && nl === 10 && nameIs(text, pos, 'connection')) {
        const v = text.slice(colon + 1, next).toLowerCase();
        if (v.includes('close')) keepAlive = false;
        else if (v.includes('keep-alive')) keepAlive = true;
      }
      pos = next + 2;
    }
    return { status, statusText, headerLines: headersAt < text.length ? text.slice(headersAt) : '', contentLength, chunked, keepAlive };
  }


  #complete(keepAlive: boolean): void {
    this.#state = State.Done;
    const sink = this.#sink!;
    this.#sink = null;
    sink.onEnd(keepAlive);
  }
}

/** Whether the header name at `pos` is `lower` (ASCII case-insensitive; the caller checked the length). */
function nameIs(text: string, pos: number, lower: string): boolean {
  for (let i = 0; i < lower.length; i++) {
    const c = text.charCodeAt(pos + i);
    // Letters compare case-insensitively; '-' (45) only equals itself.
    if ((c >= 65 && c <= 90 ? c | 0x20 : c) !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/** A decimal header value between `from` and `to`, optional spaces around it; -1 if it is not one. */
function digits(text: string, from: number, to: number): number {
  while (from < to && (text.charCodeAt(from) === 32 || text.charCodeAt(from) === 9)) from++;
  while (to > from && (text.charCodeAt(to - 1) === 32 || text.charCodeAt(to - 1) === 9)) to--;
  if (from === to || to - from > 15) return -1;
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}
