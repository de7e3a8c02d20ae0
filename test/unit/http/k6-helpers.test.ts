/** The small pure parts behind k6's HTTP habits: the res.json selector, --http-debug masking, Set-Cookie pre-check, Content-Encoding. */
import { gzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { selectJson } from '../../../runtime/protocols/http/json-selector.js';
import { maskHead } from '../../../runtime/protocols/http/http-debug.js';
import { cookieHeader, hasSetCookie, setCookieValues } from '../../../runtime/protocols/http/cookies.js';
import { contentEncoding, decodeBody } from '../../../runtime/protocols/http/decode.js';
import { h2Headers } from '../../../runtime/protocols/http/h2-client.js';

describe('res.json(selector)', () => {
  const doc = { user: { name: 'ada', tags: ['a', 'b'] }, items: [{ id: 1 }, { id: 2 }], 'a.b': 1, n: null };
  test.each([
    ['user.name', 'ada'],
    ['user.tags.1', 'b'],
    ['items.#', 2],
    ['items.#.id', [1, 2]],
    ['a\\.b', 1],
    ['n', null],
    ['user.nope', undefined],
    ['items.9.id', undefined],
    ['user.name.length', undefined],
  ])('%s', (sel, want) => expect(selectJson(doc, sel)).toEqual(want));

  test('an empty selector is a usage error naming the syntax', () => {
    expect(() => selectJson(doc, '')).toThrow(/"user.name"/);
  });
});

describe('--http-debug masking', () => {
  test('credentials are masked, cookie names and Set-Cookie attributes stay, other headers are left alone', () => {
    const head = 'GET / HTTP/1.1\r\nAuthorization: Bearer abc.def\r\nx-api-key: k123\r\nCookie: sid=s1; lang=en\r\nSet-Cookie: sid=s2; Path=/; HttpOnly\r\nAccept: */*';
    const m = maskHead(head);
    expect(m).toBe('GET / HTTP/1.1\nAuthorization: Bearer ***\nx-api-key: ***\nCookie: sid=***; lang=***\nSet-Cookie: sid=***; Path=/; HttpOnly\nAccept: */*');
  });
});

describe('cookies', () => {
  test('the pre-check finds Set-Cookie in any case; only set-cookie lines are values', () => {
    expect(hasSetCookie('content-type: text/plain\r\ncontent-length: 2')).toBe(false);
    expect(hasSetCookie('SET-COOKIE: a=1')).toBe(true);
    expect(setCookieValues('Vary: Cookie\r\nSet-Cookie: a=1; Path=/\r\nset-cookie: b=2')).toEqual(['a=1; Path=/', 'b=2']);
  });

  test('per-request cookies add to the jar, replace: true wins over it', () => {
    expect(cookieHeader('sid=1; theme=dark', { lang: 'en' })).toBe('sid=1; theme=dark; lang=en');
    expect(cookieHeader('sid=1; theme=dark', { sid: { value: '2', replace: true } })).toBe('theme=dark; sid=2');
    expect(cookieHeader('', { a: 'x' })).toBe('a=x');
  });
});

describe('Content-Encoding', () => {
  test('found in any case, identity ignored; listed codings undone from the last', () => {
    expect(contentEncoding('Content-Encoding: GZIP\r\nx: y')).toBe('gzip');
    expect(contentEncoding('transfer-encoding: chunked')).toBeUndefined();
    expect(contentEncoding('content-encoding: identity')).toBeUndefined();
    const twice = gzipSync(gzipSync(Buffer.from('hello')));
    expect(decodeBody(twice, 'gzip, gzip', 1e6).toString()).toBe('hello');
    expect(() => decodeBody(Buffer.from('not gzip'), 'gzip', 1e6)).toThrow(/could not be decoded \(Content-Encoding: gzip\)/);
  });
});

describe('HTTP/2 headers from the HTTP/1.1 head', () => {
  test('host becomes :authority, connection-level headers are dropped, cookies joined with "; "', () => {
    const h = h2Headers('POST /p?q=1 HTTP/1.1\r\nhost: api:8443\r\nuser-agent: a\r\nconnection: keep-alive\r\ncookie: a=1\r\ncookie: b=2\r\ncontent-length: 3\r\n\r\n', 'https');
    expect(h).toEqual({ ':method': 'POST', ':path': '/p?q=1', ':scheme': 'https', ':authority': 'api:8443', 'user-agent': 'a', cookie: 'a=1; b=2', 'content-length': '3' });
  });
});
