/** Who may see and steer a run through the dashboard (output/dashboard/security.ts), rule by rule. */
import { describe, expect, test } from 'vitest';
import { hostOf, isLoopbackHost, presentedToken, refusalOf, TOKEN_COOKIE, type RequestFacts } from '../../../runtime/output/dashboard/security.js';

const req = (method: string, url: string, headers: Record<string, string> = {}): RequestFacts => ({ method, url, headers: { host: '127.0.0.1:8080', ...headers } });

describe('loopback', () => {
  test('127.0.0.0/8, ::1 and localhost are loopback; 0.0.0.0 and other addresses are not', () => {
    expect(['127.0.0.1', '127.3.4.5', '::1', '[::1]', 'localhost', '::ffff:127.0.0.1'].map(isLoopbackHost)).toEqual([true, true, true, true, true, true]);
    expect(['0.0.0.0', '::', '10.0.0.5', '192.168.1.2', 'example.test', '128.0.0.1'].map(isLoopbackHost)).toEqual([false, false, false, false, false, false]);
  });

  test('hostOf strips the port', () => {
    expect([hostOf('127.0.0.1:8080'), hostOf('[::1]:9'), hostOf('example.test')]).toEqual(['127.0.0.1', '::1', 'example.test']);
  });
});

describe('without a token (loopback)', () => {
  test('a page and the API by address are served', () => {
    expect(refusalOf(req('GET', '/'), undefined)).toBeUndefined();
    expect(refusalOf(req('POST', '/api/pause'), undefined)).toBeUndefined();
    expect(refusalOf(req('GET', '/', { host: 'localhost:8080' }), undefined)).toBeUndefined();
  });

  test('a foreign Host header (DNS rebinding) is refused', () => {
    expect(refusalOf(req('GET', '/api/status', { host: 'attacker.example:8080' }), undefined)?.status).toBe(403);
  });
});

describe('with a token', () => {
  const token = 'dash-secret-123';
  test('no token, a wrong one: 401', () => {
    expect(refusalOf(req('GET', '/api/status'), token)?.status).toBe(401);
    expect(refusalOf(req('POST', '/api/pause'), token)?.status).toBe(401);
    expect(refusalOf(req('POST', '/api/pause', { authorization: 'Bearer nope' }), token)?.status).toBe(401);
    expect(refusalOf(req('PATCH', '/api/scenarios/a', { authorization: `Bearer ${token}x` }), token)?.status).toBe(401);
  });

  test('bearer header, cookie, or ?token= on a GET: served', () => {
    expect(refusalOf(req('POST', '/api/pause', { authorization: `Bearer ${token}` }), token)).toBeUndefined();
    expect(refusalOf(req('GET', '/api/events', { cookie: `a=b; ${TOKEN_COOKIE}=${token}` }), token)).toBeUndefined();
    expect(refusalOf(req('GET', `/?token=${token}`), token)).toBeUndefined();
    // Not on a state-changing request: a URL is easily leaked.
    expect(presentedToken(req('POST', `/api/stop?token=${token}`))).toBeUndefined();
    expect(refusalOf(req('POST', `/api/stop?token=${token}`), token)?.status).toBe(401);
  });

  test('any Host is fine once the token is right (the address may be a name)', () => {
    expect(refusalOf(req('GET', '/', { host: 'loadgen.internal:8080', authorization: `Bearer ${token}` }), token)).toBeUndefined();
  });
});

describe('cross-origin requests are refused for POST and PATCH', () => {
  test('Origin of another site, or Sec-Fetch-Site cross-site: 403; the page itself and curl: served', () => {
    expect(refusalOf(req('POST', '/api/stop', { origin: 'http://evil.example' }), undefined)?.status).toBe(403);
    expect(refusalOf(req('PATCH', '/api/scenarios/a', { 'sec-fetch-site': 'cross-site' }), undefined)?.status).toBe(403);
    expect(refusalOf(req('POST', '/api/stop', { 'sec-fetch-site': 'same-site' }), undefined)?.status).toBe(403);
    expect(refusalOf(req('POST', '/api/stop', { origin: 'http://127.0.0.1:8080', 'sec-fetch-site': 'same-origin' }), undefined)).toBeUndefined();
    expect(refusalOf(req('POST', '/api/stop'), undefined)).toBeUndefined();
    // A GET from elsewhere reads nothing it could not read anyway (no CORS headers are sent) and changes nothing.
    expect(refusalOf(req('GET', '/api/status', { origin: 'http://evil.example' }), undefined)).toBeUndefined();
  });
});
