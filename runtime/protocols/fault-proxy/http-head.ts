/**
 * What an HTTP/1.x message head says about its framing, read from the head's bytes: the start line
 * (method or status, and the version), and the Content-Length, Transfer-Encoding, Connection and
 * Expect headers. No string is built for a head and nothing is allocated per head: the proxy
 * frames every message of a target an HTTP fault names, fault on or not, and a latin1 copy of
 * each head with regular expressions run over it was most of that cost (bench/fault-proxy.mjs,
 * memory-http against node:http: 0.73x direct's capacity before, 0.84x with this and the
 * framer's repeated-head compare). The rules are those of the expressions it replaced:
 *   request line  ^([token]+) \S+ HTTP/1\.([01])$
 *   status line   ^HTTP/1\.([01]) (\d{3})(?: |$)
 *   a header      \r\n(content-length|transfer-encoding|connection|expect)[ \t]*:[ \t]*([^\r\n]*)
 *                 (names in any case; a later header of a name overrides an earlier one)
 *   Content-Length as parseInt(value, 10), -1 when it has no digits; chunked when the value ends
 *   with the word `chunked`; close with the word `close` (HTTP/1.1) or without the word
 *   `keep-alive` (HTTP/1.0, which closes by default); Expect: exactly `100-continue`.
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

/** One head's framing, filled in place by parseHead (one object per framer, reused). */
export interface ParsedHead {
  info: MessageInfo;
  chunked: boolean;
  /** -1 without a usable Content-Length. */
  length: number;
}

/** parseHead: the head does not end within the bytes given. */
export const INCOMPLETE = -1;
/** parseHead: the start line is complete and is not HTTP/1.x. */
export const NOT_HTTP = -2;

const CR = 13;
const LF = 10;
const SP = 32;
const HT = 9;
const COLON = 58;

const ascii = (s: string): Uint8Array => Uint8Array.from(s, (ch) => ch.charCodeAt(0));
const byteSet = (chars: string, extra: number[] = []): Uint8Array => {
  const t = new Uint8Array(256);
  for (const b of [...ascii(chars), ...extra]) t[b] = 1;
  return t;
};
const ALNUM = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const TOKEN = byteSet(`${ALNUM}!#$%&'*+.^_\`|~-`);
const WORD = byteSet(`${ALNUM}_`);
/** What \s and parseInt take for white space, among latin1 bytes. */
const SPACE = byteSet(' ', [9, 10, 11, 12, 13, 0xa0]);
const HTTP1 = ascii('HTTP/1.');
const CONTENT_LENGTH = ascii('content-length');
const CONNECTION = ascii('connection');
const TRANSFER_ENCODING = ascii('transfer-encoding');
const EXPECT = ascii('expect');
const CHUNKED = ascii('chunked');
const CLOSE = ascii('close');
const KEEP_ALIVE = ascii('keep-alive');
const CONTINUE = ascii('100-continue');
/** Methods named without a string built per request. */
const METHODS = ['GET', 'POST', 'PUT', 'HEAD', 'DELETE', 'PATCH', 'OPTIONS', 'CONNECT', 'TRACE'].map((m) => ({ name: m, bytes: ascii(m) }));

export function emptyHead(): ParsedHead {
  return { info: { method: '', status: 0, close: false, expectContinue: false, hasBody: false }, chunked: false, length: -1 };
}

/**
 * Reads the head that starts at `from` (not at a CR or LF), within `limit`, into `out`. Returns
 * where the head ends (after its empty line), INCOMPLETE, or NOT_HTTP.
 */
export function parseHead(side: 'request' | 'response', buf: Buffer, from: number, limit: number, out: ParsedHead): number {
  const lineEnd = lineEndFrom(buf, from, limit);
  if (lineEnd < 0) return INCOMPLETE;
  const info = out.info;
  const minor = side === 'request' ? requestLine(buf, from, lineEnd, info) : statusLine(buf, from, lineEnd, info);
  if (minor < 0) return NOT_HTTP;
  info.close = minor === 0;
  info.expectContinue = false;
  out.chunked = false;
  out.length = -1;
  let p = lineEnd + 2;
  for (;;) {
    if (p + 1 >= limit) return INCOMPLETE;
    if (buf[p] === CR && buf[p + 1] === LF) break;
    const end = headerLine(buf, p, limit, minor, out);
    if (end < 0) return INCOMPLETE;
    p = end + 2;
  }
  info.hasBody = out.chunked || out.length > 0;
  return p + 2;
}

/** Where the CRLF that ends the line at `i` is, or -1. (Buffer#indexOf: a loop over the bytes in JS costs far more.) */
function lineEndFrom(buf: Buffer, i: number, limit: number): number {
  for (;;) {
    const cr = buf.indexOf(CR, i);
    if (cr < 0 || cr + 1 >= limit) return -1;
    if (buf[cr + 1] === LF) return cr;
    i = cr + 1;
  }
}

/** The minor version, or -1 when [s, e) is not a request line. */
function requestLine(buf: Buffer, s: number, e: number, info: MessageInfo): number {
  let i = s;
  while (i < e && TOKEN[buf[i]]) i++;
  if (i === s || i >= e || buf[i] !== SP) return -1;
  const methodEnd = i++;
  const target = i;
  while (i < e && !SPACE[buf[i]]) i++;
  if (i === target || i >= e || buf[i] !== SP) return -1;
  i++;
  if (e - i !== HTTP1.length + 1 || !matches(buf, i, HTTP1)) return -1;
  const minor = buf[e - 1] - 48;
  if (minor !== 0 && minor !== 1) return -1;
  info.method = methodName(buf, s, methodEnd);
  info.status = 0;
  return minor;
}

/** The minor version, or -1 when [s, e) is not a status line. */
function statusLine(buf: Buffer, s: number, e: number, info: MessageInfo): number {
  if (e - s < 12 || !matches(buf, s, HTTP1)) return -1;
  const minor = buf[s + 7] - 48;
  if ((minor !== 0 && minor !== 1) || buf[s + 8] !== SP) return -1;
  let status = 0;
  for (let i = s + 9; i < s + 12; i++) {
    const d = buf[i] - 48;
    if (d < 0 || d > 9) return -1;
    status = status * 10 + d;
  }
  if (s + 12 < e && buf[s + 12] !== SP) return -1;
  info.method = '';
  info.status = status;
  return minor;
}

function methodName(buf: Buffer, s: number, e: number): string {
  for (const m of METHODS) if (m.bytes.length === e - s && matches(buf, s, m.bytes)) return m.name;
  return buf.toString('latin1', s, e);
}

/**
 * A header line at `p`: reads it when framing depends on it. Returns where its CRLF is, or -1 when
 * the line does not end within `limit`.
 */
function headerLine(buf: Buffer, p: number, limit: number, minor: number, out: ParsedHead): number {
  const first = buf[p] | 0x20;
  let name: Uint8Array | null = null;
  if (first === 0x63) name = nameAt(buf, p, limit, CONTENT_LENGTH) ? CONTENT_LENGTH : nameAt(buf, p, limit, CONNECTION) ? CONNECTION : null;
  else if (first === 0x74) name = nameAt(buf, p, limit, TRANSFER_ENCODING) ? TRANSFER_ENCODING : null;
  else if (first === 0x65) name = nameAt(buf, p, limit, EXPECT) ? EXPECT : null;
  let v = -1;
  if (name !== null) {
    let i = p + name.length;
    while (i < limit && (buf[i] === SP || buf[i] === HT)) i++;
    if (i < limit && buf[i] === COLON) {
      i++;
      while (i < limit && (buf[i] === SP || buf[i] === HT)) i++;
      v = i;
    }
  }
  if (v < 0) return lineEndFrom(buf, p, limit);
  let ve = v;
  while (ve < limit && buf[ve] !== CR && buf[ve] !== LF) ve++;
  const end = lineEndFrom(buf, ve, limit);
  if (end < 0) return -1;
  if (name === CONTENT_LENGTH) out.length = contentLength(buf, v, ve);
  else if (name === TRANSFER_ENCODING) out.chunked = endsWithWord(buf, v, ve, CHUNKED);
  else if (name === CONNECTION) out.info.close = minor === 0 ? !hasWord(buf, v, ve, KEEP_ALIVE) : hasWord(buf, v, ve, CLOSE);
  else out.info.expectContinue = ve - v >= CONTINUE.length && matches(buf, v, CONTINUE) && onlySpace(buf, v + CONTINUE.length, ve);
  return end;
}

/** `lower` (lower-case ASCII) at `i`, letters in any case. */
function matches(buf: Buffer, i: number, lower: Uint8Array): boolean {
  for (let k = 0; k < lower.length; k++) {
    const x = buf[i + k];
    const c = lower[k];
    if (x !== c && !(c >= 0x61 && c <= 0x7a && (x | 0x20) === c)) return false;
  }
  return true;
}

function nameAt(buf: Buffer, p: number, limit: number, name: Uint8Array): boolean {
  return p + name.length <= limit && matches(buf, p, name);
}

/** As Number.parseInt(value, 10), with -1 for NaN. */
function contentLength(buf: Buffer, s: number, e: number): number {
  let i = s;
  while (i < e && SPACE[buf[i]]) i++;
  const signed = i < e && (buf[i] === 0x2d || buf[i] === 0x2b);
  const start = i;
  if (signed) i++;
  const digits = i;
  let n = 0;
  for (; i < e && buf[i] >= 48 && buf[i] <= 57; i++) n = n * 10 + buf[i] - 48;
  if (i === digits) return -1;
  // Beyond 2^53 the sum above rounds differently from parseInt: let it do those.
  if (i - digits > 15) return Number.parseInt(buf.toString('latin1', start, i), 10);
  return signed && buf[start] === 0x2d ? -n : n;
}

/** /\bword\s*$/i over [s, e). */
function endsWithWord(buf: Buffer, s: number, e: number, word: Uint8Array): boolean {
  while (e > s && SPACE[buf[e - 1]]) e--;
  const at = e - word.length;
  return at >= s && matches(buf, at, word) && (at === s || !WORD[buf[at - 1]]);
}

/** /\bword\b/i over [s, e). */
function hasWord(buf: Buffer, s: number, e: number, word: Uint8Array): boolean {
  for (let at = s; at + word.length <= e; at++) {
    if (!matches(buf, at, word)) continue;
    const after = at + word.length;
    if ((at === s || !WORD[buf[at - 1]]) && (after === e || !WORD[buf[after]])) return true;
  }
  return false;
}

function onlySpace(buf: Buffer, s: number, e: number): boolean {
  for (let i = s; i < e; i++) if (!SPACE[buf[i]]) return false;
  return true;
}
