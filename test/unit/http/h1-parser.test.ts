import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { H1Parser, HttpParseError, type ResponseSink } from '../../../runtime/protocols/http/h1-parser.js';

interface Parsed {
  status: number;
  statusText: string;
  headers: string;
  body: string;
  keepAlive: boolean | undefined;
  ended: boolean;
}

class Collect implements ResponseSink {
  r: Parsed = { status: 0, statusText: '', headers: '', body: '', keepAlive: undefined, ended: false };
  onHead(status: number, statusText: string, headerLines: string): void {
    Object.assign(this.r, { status, statusText, headers: headerLines });
  }
  onBody(chunk: Buffer): void {
    this.r.body += chunk.toString('latin1');
  }
  onEnd(keepAlive: boolean): void {
    this.r.keepAlive = keepAlive;
    this.r.ended = true;
  }
}

/** Feed `wire` in pieces cut at `cuts`; returns what the sink saw and the bytes left over. */
function parse(wire: string, cuts: number[] = [], method = 'GET', close = false): Parsed & { left: number } {
  const p = new H1Parser();
  const sink = new Collect();
  p.start(sink, method);
  const buf = Buffer.from(wire, 'latin1');
  const points = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b);
  let from = 0;
  let left = 0;
  for (const at of [...points, buf.length]) {
    if (at <= from) continue;
    // A fresh Buffer per read, then scribbled over, as the shared read buffer is reused.
    const piece = Buffer.from(buf.subarray(from, at));
    left += p.execute(piece);
    piece.fill(0x78);
    from = at;
  }
  if (close) p.finish();
  return { ...sink.r, left };
}

const RESPONSES: Array<[name: string, wire: string, expected: Partial<Parsed>, method?: string, close?: boolean]> = [
  ['content-length', 'HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Length: 13\r\n\r\nhello world!\n', { status: 200, statusText: 'OK', body: 'hello world!\n', keepAlive: true }],
  ['empty body', 'HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n', { status: 200, body: '', keepAlive: true }],
  [
    'chunked with extensions and trailers',
    'HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\nA\r\n, chunked!\r\n0\r\nX-Trailer: 1\r\n\r\n',
    { status: 201, statusText: 'Created', body: 'hello, chunked!', keepAlive: true },
  ],
  ['connection: close', 'HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok', { body: 'ok', keepAlive: false }],
  ['HTTP/1.0 without keep-alive', 'HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok', { body: 'ok', keepAlive: false }],
  ['HTTP/1.0 with keep-alive', 'HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 2\r\n\r\nok', { body: 'ok', keepAlive: true }],
  ['1xx before the final response', 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx', { status: 200, body: 'x' }],
  ['204 has no body', 'HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n', { status: 204, body: '', keepAlive: true }],
  ['304 has no body', 'HTTP/1.1 304 Not Modified\r\n\r\n', { status: 304, body: '' }],
  ['HEAD has no body', 'HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n', { status: 200, body: '' }, 'HEAD'],
  ['no framing: until close', 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nall of it', { body: 'all of it', keepAlive: false }, 'GET', true],
  ['a status without reason phrase', 'HTTP/1.1 404\r\nContent-Length: 0\r\n\r\n', { status: 404, statusText: '' }],
];

describe('H1Parser', () => {
  test.each(RESPONSES)('%s', (_name, wire, expected, method, close) => {
    const r = parse(wire, [], method, close);
    expect(r).toMatchObject({ ...expected, ended: true, left: 0 });
  });

  test('every response parses the same however the bytes are split (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...RESPONSES), fc.array(fc.nat(), { maxLength: 12 }), ([, wire, expected, method, close], cuts) => {
        expect(parse(wire, cuts, method, close)).toMatchObject({ ...expected, ended: true, left: 0 });
      }),
      { numRuns: 400 },
    );
  });

  test('the header block is handed over as received (names and values split only on demand)', () => {
    const r = parse('HTTP/1.1 200 OK\r\nX-A: 1\r\nSet-Cookie: a=b\r\nContent-Length: 0\r\n\r\n');
    expect(r.headers).toBe('X-A: 1\r\nSet-Cookie: a=b\r\nContent-Length: 0');
  });

  test('one connection, many responses: a repeated head gives the same result, a changed one is parsed anew', () => {
    const p = new H1Parser();
    const seq: Array<[string, string, Partial<Parsed>]> = [
      ['GET', 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok', { status: 200, body: 'ok', keepAlive: true }],
      ['GET', 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nno', { status: 200, body: 'no', keepAlive: true }],
      ['HEAD', 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n', { status: 200, body: '', keepAlive: true }],
      ['GET', 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc', { status: 200, body: 'abc', keepAlive: true }],
      ['GET', 'HTTP/1.1 503 Busy\r\nContent-Length: 3\r\n\r\nabc', { status: 503, statusText: 'Busy', body: 'abc' }],
      ['GET', 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok', { status: 200, body: 'ok', keepAlive: false }],
      ['GET', 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok', { status: 200, body: 'ok', keepAlive: true }],
    ];
    for (const [method, wire, expected] of seq) {
      const sink = new Collect();
      p.start(sink, method);
      expect(p.execute(Buffer.from(wire, 'latin1'))).toBe(0);
      expect(sink.r).toMatchObject({ ...expected, ended: true });
    }
  });

  test('bytes after a complete response are reported as left over', () => {
    expect(parse('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA').left).toBe(5);
  });

  test('an unframed body is not complete until the connection ends', () => {
    expect(parse('HTTP/1.1 200 OK\r\n\r\npartial').ended).toBe(false);
  });

  test.each([
    ['not HTTP at all', 'SSH-2.0-OpenSSH_9.2\r\n', /not HTTP/],
    ['garbage split before the head ends', 'HELLO', /not HTTP/],
    ['HTTP/2 preface answer', 'HTTP/2 200\r\n\r\n', /not HTTP\/1\.x/],
    ['bad status code', 'HTTP/1.1 2x0 OK\r\n\r\n', /invalid status code/],
    ['header without colon', 'HTTP/1.1 200 OK\r\nBroken\r\n\r\n', /invalid header line/],
    ['bad content-length', 'HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n', /invalid Content-Length/],
    ['conflicting content-length', 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n', /conflicting/],
    ['bad chunk size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', /invalid chunk size/],
    ['chunk without CRLF', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nxY', /missing CRLF/],
    ['101 on a plain request', 'HTTP/1.1 101 Switching Protocols\r\n\r\n', /switched protocols/],
  ])('%s: an EPROTO parse error', (_name, wire, message) => {
    let err: unknown;
    try {
      parse(wire);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(HttpParseError);
    expect((err as HttpParseError).code).toBe('EPROTO');
    expect((err as Error).message).toMatch(message);
  });

  test('a head larger than 64 KB is refused', () => {
    const wire = `HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(70_000)}\r\n\r\n`;
    expect(() => parse(wire, [1000, 30_000])).toThrow(/larger than 64 KB/);
  });
});
