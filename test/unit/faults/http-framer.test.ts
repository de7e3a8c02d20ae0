/**
 * The fault proxy's HTTP framing: message boundaries in request and response streams, whatever
 * the split of the bytes into reads (every split point is tried), and every byte accounted for.
 */
import { describe, expect, test } from 'vitest';
import { HttpFramer, type MessageInfo } from '../../../runtime/protocols/fault-proxy/http-framer.js';

interface Event {
  type: 'head' | 'body' | 'end' | 'raw';
  text: string;
  info?: MessageInfo;
}

/** Feeds `stream` in reads cut at `cuts`; returns the events with adjacent body/raw views merged. */
function frame(side: 'request' | 'response', stream: string, cuts: number[], methods: string[] = []): Event[] {
  const events: Event[] = [];
  const push = (type: Event['type'], b: Buffer, info?: MessageInfo) => {
    const last = events[events.length - 1];
    if (last && last.type === type && (type === 'body' || type === 'raw')) last.text += b.toString('latin1');
    else events.push({ type, text: b.toString('latin1'), ...(info ? { info: { ...info } } : {}) }); // info is reused by the framer
  };
  // As the proxy does: the method of the request the response answers, which a 1xx does not complete.
  let next = 0;
  let status = 0;
  const framer = new HttpFramer(
    side,
    {
      head: (b, start, end, info) => ((status = info.status), push('head', b.subarray(start, end), info)),
      body: (b, start, end) => push('body', b.subarray(start, end)),
      end: () => (status >= 200 && next++, events.push({ type: 'end', text: '' })),
      raw: (b, start, end) => push('raw', b.subarray(start, end)),
    },
    () => methods[next] ?? 'GET',
  );
  const bytes = Buffer.from(stream, 'latin1');
  let at = 0;
  for (const c of [...cuts, bytes.length]) {
    framer.feed(bytes.subarray(at, c));
    at = c;
  }
  framer.finish();
  return events;
}

/** The same events for reads split at every position (and in two-byte steps, for CRLF pairs). */
function expectEverySplit(side: 'request' | 'response', stream: string, methods: string[] = []): Event[] {
  const whole = frame(side, stream, [], methods);
  for (let i = 1; i < stream.length; i++) expect(frame(side, stream, [i], methods), `split at ${i}`).toEqual(whole);
  const pairs = Array.from({ length: Math.floor(stream.length / 2) }, (_, i) => 2 * i + 1);
  expect(frame(side, stream, pairs, methods)).toEqual(whole);
  // Nothing lost or added: the views add up to the stream.
  expect(whole.map((e) => e.text).join('')).toBe(stream);
  return whole;
}

const GET = 'GET /a HTTP/1.1\r\nHost: x\r\n\r\n';
const POST_CL = 'POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello';
const POST_CHUNKED = 'POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\nA\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n';

describe('requests', () => {
  test('pipelined GET, Content-Length and chunked (extensions, trailers) requests split anywhere', () => {
    const events = expectEverySplit('request', GET + POST_CL + POST_CHUNKED);
    expect(events.map((e) => e.type)).toEqual(['head', 'end', 'head', 'body', 'end', 'head', 'body', 'end']);
    expect(events.filter((e) => e.type === 'head').map((e) => [e.info!.method, e.info!.hasBody])).toEqual([
      ['GET', false],
      ['POST', true],
      ['POST', true],
    ]);
    expect(events[6].text).toBe('5;ext=1\r\nhello\r\nA\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n');
  });

  test('connection: close, HTTP/1.0 and Expect: 100-continue are reported', () => {
    const close = frame('request', 'GET / HTTP/1.1\r\nConnection: close\r\n\r\n', []);
    expect(close[0].info).toMatchObject({ close: true, expectContinue: false });
    expect(frame('request', 'GET / HTTP/1.0\r\n\r\n', [])[0].info!.close).toBe(true);
    expect(frame('request', 'GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n', [])[0].info!.close).toBe(false);
    const expectContinue = frame('request', 'PUT / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc', []);
    expect(expectContinue[0].info).toMatchObject({ expectContinue: true, hasBody: true });
  });

  test('HTTP/1.0, Connection: close and a Content-Length without digits frame as they say, split anywhere', () => {
    const stream = 'GET /1 HTTP/1.0\r\n\r\nPOST /2 HTTP/1.1\r\nConnection: keep-alive, close\r\ncontent-length : 3\r\n\r\nabc' + 'POST /3 HTTP/1.1\r\nContent-Length: many\r\n\r\n' + GET;
    const events = expectEverySplit('request', stream);
    expect(events.map((e) => e.type)).toEqual(['head', 'end', 'head', 'body', 'end', 'head', 'end', 'head', 'end']);
    expect(events.filter((e) => e.type === 'head').map((e) => [e.info!.method, e.info!.close, e.info!.hasBody])).toEqual([
      ['GET', true, false],
      ['POST', true, true],
      ['POST', false, false],
      ['GET', false, false],
    ]);
  });

  test('a start line that is not HTTP turns the stream raw at once, without waiting for an empty line', () => {
    const events: string[] = [];
    const framer = new HttpFramer('request', {
      head: () => events.push('head'),
      body: () => events.push('body'),
      end: () => events.push('end'),
      raw: (b, start, end) => events.push(`raw ${b.toString('latin1', start, end)}`),
    });
    framer.feed(Buffer.from('SSH-2.0-Open'));
    expect(events).toEqual([]);
    framer.feed(Buffer.from('SSH_9.6\r\n\x00\x01'));
    expect(events).toEqual(['raw SSH-2.0-OpenSSH_9.6\r\n\x00\x01']);
    expect(framer.raw).toBe(true);
  });

  test('empty lines between requests are passed on raw; bytes that are not HTTP turn the stream raw', () => {
    const events = frame('request', `\r\n${GET}`, []);
    expect(events.map((e) => e.type)).toEqual(['raw', 'head', 'end']);
    const garbage = frame('request', 'SSH-2.0-OpenSSH\r\n\r\nmore bytes', [3]);
    expect(garbage.map((e) => e.type)).toEqual(['raw']);
    expect(garbage[0].text).toBe('SSH-2.0-OpenSSH\r\n\r\nmore bytes');
  });
});

describe('responses', () => {
  const OK = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';
  const CHUNKED = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n';
  const NO_CONTENT = 'HTTP/1.1 204 No Content\r\n\r\n';
  const HEAD = 'HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n';

  test('Content-Length, chunked, 204, a HEAD answer and a 100 Continue split anywhere', () => {
    const stream = `HTTP/1.1 100 Continue\r\n\r\n${OK}${CHUNKED}${NO_CONTENT}${HEAD}${OK}`;
    const events = expectEverySplit('response', stream, ['POST', 'GET', 'GET', 'HEAD', 'GET']);
    expect(events.map((e) => e.type)).toEqual(['head', 'end', 'head', 'body', 'end', 'head', 'body', 'end', 'head', 'end', 'head', 'end', 'head', 'body', 'end']);
    expect(events.filter((e) => e.type === 'head').map((e) => e.info!.status)).toEqual([100, 200, 200, 204, 200, 200]);
  });

  test('1xx before the answer, a 304 with a Content-Length, and an HTTP/1.0 answer until close, split anywhere', () => {
    const stream = 'HTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\nHTTP/1.1 200 OK\r\nTRANSFER-ENCODING: gzip, Chunked\r\n\r\n2;a="b;c"\r\nok\r\n0\r\nT: 1\r\nU: 2\r\n\r\n' + 'HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\n' + 'HTTP/1.0 200 OK\r\n\r\nto the end';
    const events = expectEverySplit('response', stream, ['GET', 'GET', 'GET']);
    expect(events.map((e) => e.type)).toEqual(['head', 'end', 'head', 'body', 'end', 'head', 'end', 'head', 'body', 'end']);
    expect(events.filter((e) => e.type === 'head').map((e) => e.info!.status)).toEqual([103, 200, 304, 200]);
    expect(events[3].text).toBe('2;a="b;c"\r\nok\r\n0\r\nT: 1\r\nU: 2\r\n\r\n');
    expect(events[8].text).toBe('to the end');
  });

  test('a head repeated (as a server repeats it within a second) frames by what it says and by the method it answers', () => {
    const headOfOk = OK.slice(0, -2);
    const stream = `${OK}${headOfOk}${OK}${OK}HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n${'x'.repeat(20)}`;
    const events = expectEverySplit('response', stream, ['GET', 'HEAD', 'GET', 'GET', 'GET']);
    expect(events.map((e) => e.type)).toEqual(['head', 'body', 'end', 'head', 'end', 'head', 'body', 'end', 'head', 'body', 'end', 'head', 'body', 'end']);
    expect(events.filter((e) => e.type === 'body').map((e) => e.text)).toEqual(['ok', 'ok', 'ok', 'x'.repeat(20)]);
  });

  test('a response without length runs until the connection closes', () => {
    const events = frame('response', 'HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nall of this until EOF', [20, 40]);
    expect(events.map((e) => e.type)).toEqual(['head', 'body', 'end']);
    expect(events[1].text).toBe('all of this until EOF');
  });

  test('after a 101 every byte is raw', () => {
    const events = expectEverySplit('response', 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\x81\x02hi\r\n\r\nHTTP/1.1 200 OK\r\n\r\n');
    expect(events.map((e) => e.type)).toEqual(['head', 'end', 'raw']);
    expect(events[2].text).toBe('\x81\x02hi\r\n\r\nHTTP/1.1 200 OK\r\n\r\n');
  });
});
