import { describe, expect, test } from 'vitest';
import { LengthPrefixDecoder, LineDecoder, encodeLengthPrefixed } from '../../../runtime/protocols/mcp/framing.js';

function lines(chunks: Buffer[], max?: number) {
  const out: string[] = [];
  const d = new LineDecoder({ onFrame: (t) => out.push(t) }, max);
  for (const c of chunks) d.push(c);
  return out;
}

describe('newline-delimited JSON', () => {
  test('messages split anywhere, several per chunk, CRLF, blank lines and multi-byte characters', () => {
    const text = '{"id":1}\n\r\n{"t":"é🎉"}\r\n{"id":3}\n';
    const buf = Buffer.from(text);
    const want = ['{"id":1}', '{"t":"é🎉"}', '{"id":3}'];
    expect(lines([buf])).toEqual(want);
    for (let i = 1; i < buf.length; i++) expect(lines([buf.subarray(0, i), buf.subarray(i)]), `split at ${i}`).toEqual(want);
    expect(lines([...buf].map((b) => Buffer.from([b])))).toEqual(want);
  });

  test('a message longer than the limit without a newline is an error, not unbounded memory', () => {
    expect(() => lines([Buffer.alloc(100, 'x')], 50)).toThrow(/exceeded 50 bytes/);
  });
});

describe('4-byte length-prefixed frames', () => {
  test('round trip, frames split anywhere and several per chunk', () => {
    const msgs = ['{"id":1}', '{"t":"é🎉"}', '{}'];
    const buf = Buffer.concat(msgs.map(encodeLengthPrefixed));
    expect(buf.readUInt32BE(0)).toBe(8);
    for (let i = 0; i <= buf.length; i++) {
      const out: string[] = [];
      const d = new LengthPrefixDecoder({ onFrame: (t) => out.push(t) });
      d.push(buf.subarray(0, i));
      d.push(buf.subarray(i));
      expect(out, `split at ${i}`).toEqual(msgs);
    }
  });

  test('a frame announcing more than the limit is refused', () => {
    const d = new LengthPrefixDecoder({ onFrame: () => {} }, 10);
    const head = Buffer.alloc(4);
    head.writeUInt32BE(11);
    expect(() => d.push(head)).toThrow(/announced 11 bytes/);
  });
});
