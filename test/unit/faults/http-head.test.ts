/**
 * The fault proxy's byte-level head reader (http-head.ts) against the regular expressions it
 * replaced, kept here as the reference: named cases, then 20,000 generated heads (start lines
 * valid and not, framing headers in any case and spacing, good and bad values, other headers
 * around them) that must read the same both ways.
 */
import { describe, expect, test } from 'vitest';
import { emptyHead, INCOMPLETE, NOT_HTTP, parseHead, type MessageInfo } from '../../../runtime/protocols/fault-proxy/http-head.js';

type Side = 'request' | 'response';
interface Read {
  info: MessageInfo;
  chunked: boolean;
  length: number;
}

const REQUEST_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) \S+ HTTP\/1\.([01])$/;
const STATUS_LINE = /^HTTP\/1\.([01]) (\d{3})(?: |$)/;
const FRAMING_HEADERS = /\r\n(content-length|transfer-encoding|connection|expect)[ \t]*:[ \t]*([^\r\n]*)/gi;

/** The framer's head analysis as it was, on the latin1 text of a whole head. */
function reference(side: Side, text: string): Read | undefined {
  const m = side === 'request' ? REQUEST_LINE.exec(text.slice(0, text.indexOf('\r\n'))) : STATUS_LINE.exec(text.slice(0, text.indexOf('\r\n')));
  if (!m) return undefined;
  const minor = side === 'request' ? m[2] : m[1];
  let chunked = false;
  let length = -1;
  let close = minor === '0';
  let expectContinue = false;
  for (const h of text.matchAll(FRAMING_HEADERS)) {
    const [name, value] = [h[1].toLowerCase(), h[2]];
    if (name === 'content-length') length = Number.parseInt(value, 10);
    else if (name === 'transfer-encoding') chunked = /\bchunked\s*$/i.test(value);
    else if (name === 'connection') close = minor === '0' ? !/\bkeep-alive\b/i.test(value) : /\bclose\b/i.test(value);
    else expectContinue = /^100-continue\s*$/i.test(value);
  }
  if (Number.isNaN(length)) length = -1;
  const info = { method: side === 'request' ? m[1] : '', status: side === 'request' ? 0 : Number(m[2]), close, expectContinue, hasBody: chunked || length > 0 };
  return { info, chunked, length };
}

/** parseHead on the head placed inside other bytes (it must read only its own range). */
function read(side: Side, text: string): Read | undefined | 'incomplete' {
  const bytes = Buffer.from(`\r\n\r\nxx${text}yy\r\n\r\n`, 'latin1');
  const out = emptyHead();
  const end = parseHead(side, bytes, 6, 6 + text.length, out);
  if (end === NOT_HTTP) return undefined;
  if (end === INCOMPLETE) return 'incomplete';
  expect(end).toBe(6 + text.length);
  return { info: { ...out.info }, chunked: out.chunked, length: out.length };
}

const req = (headers: string, line = 'GET /x HTTP/1.1') => `${line}\r\n${headers}\r\n`;
const res = (headers: string, line = 'HTTP/1.1 200 OK') => `${line}\r\n${headers}\r\n`;

describe('named cases', () => {
  test.each([
    ['plain GET', req('Host: x\r\n'), { method: 'GET', close: false, hasBody: false }, -1, false],
    ['a method not in the usual list', req('', 'PROPFIND /d HTTP/1.1'), { method: 'PROPFIND' }, -1, false],
    ['a lower-case method (a token all the same)', req('', 'get / HTTP/1.1'), { method: 'get' }, -1, false],
    ['HTTP/1.0 closes by default', req('', 'GET / HTTP/1.0'), { close: true }, -1, false],
    ['HTTP/1.0 with keep-alive', req('Connection: Keep-Alive\r\n', 'GET / HTTP/1.0'), { close: false }, -1, false],
    ['HTTP/1.0 with keep-alive as part of a word', req('Connection: keep-alives\r\n', 'GET / HTTP/1.0'), { close: true }, -1, false],
    ['Connection: close among tokens', req('connection: keep-alive, Close\r\n'), { close: true }, -1, false],
    ['Connection: closed is not close', req('Connection: closed\r\n'), { close: false }, -1, false],
    ['the last Connection header wins', req('Connection: close\r\nConnection: keep-alive\r\n'), { close: false }, -1, false],
    ['CONTENT-LENGTH in capitals, space before the colon', req('CONTENT-LENGTH : 12\r\n', 'POST / HTTP/1.1'), { hasBody: true }, 12, false],
    ['a Content-Length with junk after its digits (parseInt)', req('Content-Length: 7abc\r\n', 'POST / HTTP/1.1'), { hasBody: true }, 7, false],
    ['a Content-Length without digits', req('Content-Length: abc\r\n', 'POST / HTTP/1.1'), { hasBody: false }, -1, false],
    ['a negative Content-Length', req('Content-Length: -5\r\n', 'POST / HTTP/1.1'), { hasBody: false }, -5, false],
    ['a Content-Length past 2^53', req('Content-Length: 123456789012345678901\r\n', 'POST / HTTP/1.1'), { hasBody: true }, 123456789012345678901, false],
    ['the last Content-Length wins', req('Content-Length: 5\r\ncontent-length: 0\r\n', 'POST / HTTP/1.1'), { hasBody: false }, 0, false],
    ['Content-Length-Extra is another header', req('Content-Length-Extra: 5\r\n', 'POST / HTTP/1.1'), { hasBody: false }, -1, false],
    ['chunked last among codings', req('Transfer-Encoding: gzip, Chunked \t\r\n', 'POST / HTTP/1.1'), { hasBody: true }, -1, true],
    ['chunked not last', req('Transfer-Encoding: chunked, gzip\r\n', 'POST / HTTP/1.1'), { hasBody: false }, -1, false],
    ['xchunked is not chunked', req('Transfer-Encoding: xchunked\r\n', 'POST / HTTP/1.1'), { hasBody: false }, -1, false],
    ['Expect: 100-continue', req('Expect: 100-Continue  \r\nContent-Length: 3\r\n', 'PUT / HTTP/1.1'), { expectContinue: true, hasBody: true }, 3, false],
    ['Expect with more after it', req('Expect: 100-continue, x\r\n', 'PUT / HTTP/1.1'), { expectContinue: false }, -1, false],
    ['a folded line is not a framing header', req('X-A: 1\r\n Content-Length: 5\r\n', 'POST / HTTP/1.1'), { hasBody: false }, -1, false],
    ['a bare LF inside a line', req('X-A: 1\nContent-Length: 5\r\n', 'POST / HTTP/1.1'), { hasBody: false }, -1, false],
  ])('request: %s', (_name, head, info, length, chunked) => {
    const got = read('request', head);
    expect(got).toEqual(reference('request', head));
    expect(got).toMatchObject({ info, length, chunked });
  });

  test.each([
    ['200 with a reason', res('Content-Length: 2\r\n'), 200, 2, false],
    ['200 without a reason', res('Content-Length: 2\r\n', 'HTTP/1.1 200'), 200, 2, false],
    ['a 1xx', res('Link: </a>\r\n', 'HTTP/1.1 103 Early Hints'), 103, -1, false],
    ['a reason with odd bytes', res('', 'HTTP/1.0 404 N\ro\nt \xff'), 404, -1, false],
    ['chunked', res('transfer-encoding:chunked\r\n'), 200, -1, true],
  ])('response: %s', (_name, head, status, length, chunked) => {
    const got = read('response', head);
    expect(got).toEqual(reference('response', head));
    expect(got).toMatchObject({ info: { status, method: '' }, length, chunked });
  });

  test.each([
    ['request', 'GET / HTTP/2.0\r\n\r\n'],
    ['request', 'GET  / HTTP/1.1\r\n\r\n'],
    ['request', 'GET / http/1.1\r\n\r\n'],
    ['request', 'GET /a b HTTP/1.1\r\n\r\n'],
    ['request', 'GET\xa0/ HTTP/1.1\r\n\r\n'],
    ['request', 'GET / HTTP/1.1 \r\n\r\n'],
    ['request', 'SSH-2.0-OpenSSH_9.6\r\n\r\n'],
    ['response', 'HTTP/1.1 20 OK\r\n\r\n'],
    ['response', 'HTTP/1.1 200OK\r\n\r\n'],
    ['response', 'HTTP/1.2 200 OK\r\n\r\n'],
    ['response', 'GET / HTTP/1.1\r\n\r\n'],
  ] as const)('not HTTP (%s): %j', (side, head) => {
    expect(reference(side, head)).toBeUndefined();
    expect(read(side, head)).toBeUndefined();
  });

  test('a head is incomplete until its empty line, and not HTTP as soon as its start line is complete', () => {
    const head = req('Host: x\r\nContent-Length: 3\r\n', 'POST / HTTP/1.1');
    for (let n = 0; n < head.length; n++) {
      expect(parseHead('request', Buffer.from(head.slice(0, n), 'latin1'), 0, n, emptyHead()), `first ${n} bytes`).toBe(INCOMPLETE);
    }
    expect(parseHead('request', Buffer.from('SSH-2.0-x\r\nmore', 'latin1'), 0, 15, emptyHead())).toBe(NOT_HTTP);
    expect(parseHead('request', Buffer.from('SSH-2.0-x', 'latin1'), 0, 9, emptyHead())).toBe(INCOMPLETE);
  });
});

/** A seeded generator (mulberry32), so a failure names a head that can be reproduced. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const REQUEST_LINES = ['GET / HTTP/1.1', 'POST /a?b=c HTTP/1.0', 'HEAD * HTTP/1.1', 'CONNECT h:443 HTTP/1.1', 'M-SEARCH * HTTP/1.1', 'DELETE /x HTTP/1.2', 'GET /x HTTP/1.1 ', 'GET\t/ HTTP/1.1', '(GET) / HTTP/1.1', 'OPTIONS / HTTP/1.0'];
const STATUS_LINES = ['HTTP/1.1 200 OK', 'HTTP/1.0 204', 'HTTP/1.1 101 Switching Protocols', 'HTTP/1.1 304 Not Modified', 'HTTP/1.1 99 Low', 'HTTP/1.1 2000 Big', 'HTTP/1.1 100 Continue', 'HTTP/1.0 500\tX', 'http/1.1 200 OK'];
const NAMES = ['content-length', 'transfer-encoding', 'connection', 'expect', 'content-type', 'connectionx', 'expected', 'x-content-length', 'keep-alive'];
const VALUES = ['0', '13', ' 42 ', '+7', '-1', '1e3', '0x10', 'abc', '', '99999999999999999', 'chunked', 'xchunked', 'de-chunked', 'gzip, chunked', 'chunked ,', 'CHUNKED\t', 'close', 'Keep-Alive', 'keep-alive, close', 'upgrade', 'closer', '100-continue', '100-CONTINUE ', '100-continue;x', '\xa012', '12\xa0'];

function randomCase(s: string, r: () => number): string {
  return [...s].map((ch) => (r() < 0.3 ? ch.toUpperCase() : ch)).join('');
}

function randomHead(side: Side, r: () => number): string {
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)];
  let text = `${pick(side === 'request' ? REQUEST_LINES : STATUS_LINES)}\r\n`;
  const n = Math.floor(r() * 6);
  for (let i = 0; i < n; i++) {
    const before = pick(['', '', ' ', '\t', ' \t']);
    const after = pick(['', ' ', ' ', '\t']);
    text += `${randomCase(pick(NAMES), r)}${before}:${after}${pick(VALUES)}${pick(['', '', '', ' ', '\n', '\r'])}\r\n`;
  }
  return `${text}\r\n`;
}

describe('generated heads', () => {
  test.each(['request', 'response'] as const)('%s heads read as the regular expressions read them', (side) => {
    const r = rng(side === 'request' ? 1 : 2);
    for (let i = 0; i < 10_000; i++) {
      const head = randomHead(side, r);
      const want = reference(side, head);
      const got = read(side, head);
      if (JSON.stringify(got) !== JSON.stringify(want)) expect({ head, got }).toEqual({ head, got: want });
    }
  });
});
