import { describe, expect, test } from 'vitest';
import { SseParser, type SseEvent } from '../../../runtime/protocols/mcp/sse-parser.js';

function parse(chunks: Array<string | Buffer>) {
  const events: SseEvent[] = [];
  const comments: string[] = [];
  const retries: number[] = [];
  const p = new SseParser({ onEvent: (e) => events.push(e), onComment: (c) => comments.push(c), onRetry: (r) => retries.push(r) });
  for (const c of chunks) p.push(c);
  p.end();
  return { events, comments, retries, p };
}

/** Every way of cutting `text` into two chunks must give the same events. */
function everySplit(text: string) {
  const whole = parse([text]).events;
  const buf = Buffer.from(text);
  for (let i = 1; i < buf.length; i++) {
    expect(parse([buf.subarray(0, i), buf.subarray(i)]).events, `split at byte ${i}`).toEqual(whole);
  }
  return whole;
}

describe('SSE parser', () => {
  test('a server-everything answer: priming event (id, empty data), then the message', () => {
    const text = 'id: 45fabe3c\ndata: \n\nevent: message\nid: 2b210be4\ndata: {"result":{},"jsonrpc":"2.0","id":1}\n\n';
    const events = everySplit(text);
    expect(events).toEqual([
      { event: 'message', data: '', lastEventId: '45fabe3c' },
      { event: 'message', data: '{"result":{},"jsonrpc":"2.0","id":1}', lastEventId: '2b210be4' },
    ]);
  });

  test('comments, retry, CRLF and CR line ends, multi-line data, unknown fields', () => {
    const text = ': keep-alive\r\nretry: 3000\r\nfoo: bar\r\nevent: message\rdata: a\r\ndata: b\n\n';
    const r = parse([text]);
    expect(r.events).toEqual([{ event: 'message', data: 'a\nb', lastEventId: '' }]);
    expect(r.comments).toEqual([' keep-alive']);
    expect(r.retries).toEqual([3000]);
    expect(everySplit(text)).toEqual(r.events);
  });

  test('a CR at the end of one chunk and the LF at the start of the next make one line end', () => {
    const r = parse(['data: x\r', '\n\r', '\n']);
    expect(r.events.map((e) => e.data)).toEqual(['x']);
  });

  test('UTF-8 characters split across chunks, and a leading BOM', () => {
    const text = '\uFEFFdata: {"text":"héllo 🎉"}\n\n';
    expect(everySplit(text)).toEqual([{ event: 'message', data: '{"text":"héllo 🎉"}', lastEventId: '' }]);
  });

  test('notifications before the result arrive as separate events, in order', () => {
    const n = (i: number) => `event: message\ndata: {"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":1,"progress":${i}}}\n\n`;
    const text = `${n(1)}${n(2)}event: message\ndata: {"jsonrpc":"2.0","id":1,"result":{}}\n\n`;
    const events = everySplit(text);
    expect(events.map((e) => JSON.parse(e.data).method ?? 'result')).toEqual(['notifications/progress', 'notifications/progress', 'result']);
  });

  test('named events, "data" without a colon, an event cut off by the end of the stream', () => {
    const r = parse(['event: endpoint\ndata: /message?sessionId=abc\n\ndata\n\ndata: never finished']);
    expect(r.events).toEqual([
      { event: 'endpoint', data: '/message?sessionId=abc', lastEventId: '' },
      { event: 'message', data: '', lastEventId: '' },
    ]);
  });

  test('an id with NUL is ignored; the last event id persists across events', () => {
    const r = parse(['id: a\ndata: 1\n\nid: b\u0000c\ndata: 2\n\ndata: 3\n\n']);
    expect(r.events.map((e) => e.lastEventId)).toEqual(['a', 'a', 'a']);
    expect(r.p.lastEventId).toBe('a');
  });

  test('an event with only an id and no data is not dispatched', () => {
    const r = parse(['id: 7\n\nevent: message\n\n']);
    expect(r.events).toEqual([]);
    expect(r.p.lastEventId).toBe('7');
  });

  test('one byte at a time', () => {
    const text = 'event: message\r\nid: 1\r\ndata: {"a":1}\r\n\r\n';
    const r = parse([...Buffer.from(text)].map((b) => Buffer.from([b])));
    expect(r.events).toEqual([{ event: 'message', data: '{"a":1}', lastEventId: '1' }]);
  });
});
