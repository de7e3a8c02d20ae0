/**
 * Issue 14, "Done means" #5 and the OAuth scope: a 401 with a JSON-RPC body and a 401 with a plain
 * body are both `error_kind: auth`; OAuth client credentials get a token, share it among the
 * worker's sessions and refresh it before it expires during the run (ground truth: the token
 * endpoint's count of tokens issued and the MCP server's count of requests it refused). Over the
 * WebSocket transport the token goes in the upgrade request, and each new connection gets the
 * token current when it opens (ground truth: the WebSocket fixture's refused upgrades and the
 * Authorization of every upgrade it let in).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startOAuthServer, type OAuthServer } from '../fixtures/mcp/oauth-server.mjs';
import { startSdkV1Server } from '../fixtures/mcp/sdk-v1-server.mjs';
import { startWsServer, type SocketServer } from '../fixtures/mcp/socket-servers.mjs';
import { startSdkSseServer, type SdkSseServer } from '../fixtures/mcp/sdk-sse-server.mjs';
import { explain, runScenario, type McpRun } from '../fixtures/mcp/harness.js';

type Server = Awaited<ReturnType<typeof startSdkV1Server>>;
let oauth: OAuthServer;
let wsOauth: OAuthServer;
let ws: SocketServer;
let sseOauth: OAuthServer;
let sse: SdkSseServer;
const servers: Record<string, Server> = {};
const runs: Record<string, McpRun> = {};

beforeAll(async () => {
  oauth = await startOAuthServer({ expiresIn: 2 });
  // Its own token endpoint, so that its count of tokens issued is this run's alone.
  wsOauth = await startOAuthServer({ expiresIn: 2 });
  ws = await startWsServer({ auth: { valid: (h) => wsOauth.valid(h) } });
  sseOauth = await startOAuthServer({ expiresIn: 2 });
  sse = await startSdkSseServer({ auth: { valid: (h) => sseOauth.valid(h) } });
  servers.json = await startSdkV1Server({ mode: 'stateful', auth: { valid: () => false, body: 'json' } });
  servers.text = await startSdkV1Server({ mode: 'stateful', auth: { valid: () => false, body: 'text' } });
  servers.oauth = await startSdkV1Server({ mode: 'stateful', json: true, auth: { valid: (h) => oauth.valid(h), body: 'json' } });
  const [json, text, bad, ok, wsRun, sseRun] = await Promise.all([
    runScenario('test/fixtures/mcp/auth.ts', { MCP_URL: servers.json.url, CASE: 'bad-token' }),
    runScenario('test/fixtures/mcp/auth.ts', { MCP_URL: servers.text.url, CASE: 'bad-token' }),
    runScenario('test/fixtures/mcp/auth.ts', { MCP_URL: servers.oauth.url, CASE: 'oauth-bad-secret', TOKEN_URL: oauth.url }),
    runScenario('test/fixtures/mcp/auth.ts', { MCP_URL: servers.oauth.url, CASE: 'oauth', TOKEN_URL: oauth.url, DURATION: '4s' }),
    runScenario('test/fixtures/mcp/auth-ws.ts', { MCP_URL: ws.url, TOKEN_URL: wsOauth.url, DURATION: '4s' }),
    // Sessions held for 4 s over HTTP+SSE: their POSTs outlive the first 2 s token.
    runScenario('test/fixtures/mcp/auth.ts', { MCP_URL: sse.url, CASE: 'oauth', TOKEN_URL: sseOauth.url, DURATION: '4s' }),
  ]);
  Object.assign(runs, { json, text, bad, ok, ws: wsRun, sse: sseRun });
}, 120_000);

afterAll(async () => {
  await Promise.all([...Object.values(servers).map((s) => s.close()), oauth.close(), wsOauth.close(), ws.close(), sseOauth.close(), sse.close()]);
});

describe('authentication', () => {
  test('401 with a JSON-RPC body is error_kind auth', () => {
    const r = runs.json!;
    expect(r.code, explain(r)).toBe(0);
    expect(r.metric('mcp_req_failed{error_kind:auth}')?.values.passes).toBe(1);
    expect(r.metric('mcp_req_failed')?.values.passes).toBe(1);
    expect(servers.json!.stats().unauthorized).toBeGreaterThanOrEqual(1);
  });

  test('401 with a plain-text body is error_kind auth too', () => {
    const r = runs.text!;
    expect(r.code, explain(r)).toBe(0);
    expect(r.metric('mcp_req_failed{error_kind:auth}')?.values.passes).toBe(1);
    expect(r.metric('mcp_req_failed')?.values.passes).toBe(1);
  });

  test('a token endpoint that refuses the client fails connect() as auth, before any MCP request', () => {
    const r = runs.bad!;
    expect(r.code, explain(r)).toBe(0);
    expect(r.metric('mcp_req_failed{error_kind:auth}')?.values.passes).toBe(1);
    expect(oauth.stats().refused).toBe(1);
  });

  test('OAuth client credentials: one token per worker, refreshed before expiry, no request refused', () => {
    const r = runs.ok!;
    expect(r.code, explain(r)).toBe(0);
    expect(r.metric('mcp_req_failed')?.values.passes).toBe(0);
    expect(servers.oauth!.stats().unauthorized ?? 0).toBe(0);
    // 2 s tokens refreshed 1 s before expiry over a 4 s run: about 4 tokens for the worker's
    // 3 sessions (not one per session, and more than the first one).
    const issued = oauth.stats().issued;
    expect(issued).toBeGreaterThanOrEqual(3);
    expect(issued).toBeLessThanOrEqual(8);
    expect(oauth.stats().scopes).toContain('mcp:tools');
  });

  test('OAuth over WebSocket: every upgrade carries a valid token, new connections get the refreshed one', () => {
    const r = runs.ws!;
    expect(r.code, explain(r)).toBe(0);
    expect(r.metric('mcp_req_failed')?.values.passes, explain(r)).toBe(0);
    const s = ws.stats();
    // The first connection too: the token is fetched before the upgrade, not after.
    expect(s.unauthorized, explain(r)).toBe(0);
    expect(s.connections).toBeGreaterThan(8);
    expect(s.authorizations).toHaveLength(s.connections);
    // Never the static header the scenario also gave.
    for (const h of s.authorizations!) expect(h).toMatch(/^Bearer [0-9a-f-]{36}$/);
    // 2 s tokens refreshed 1 s before expiry over 4 s: connections opened later carry newer tokens.
    const distinct = new Set(s.authorizations).size;
    expect(distinct).toBeGreaterThanOrEqual(3);
    // Tokens issued are the ones used (a refresh near the end may go unused): a few per worker, not one per connection.
    expect(distinct).toBeLessThanOrEqual(wsOauth.stats().issued);
    expect(wsOauth.stats().issued).toBeLessThanOrEqual(8);
    expect(r.count('mcp_sessions')).toBe(s.connections);
  });

  test('OAuth over HTTP+SSE: held sessions switch to the refreshed token on their next POST, none refused', () => {
    const r = runs.sse!;
    expect(r.code, explain(r)).toBe(0);
    expect(r.metric('mcp_req_failed')?.values.passes, explain(r)).toBe(0);
    expect(r.count('mcp_sessions'), explain(r)).toBe(3);
    const s = sse.stats();
    expect(s.unauthorized, explain(r)).toBe(0);
    expect(s.streams).toBe(3);
    // 3 sessions opened at the start, calling for 4 s with 2 s tokens: their later POSTs carry newer tokens.
    expect(s.posts).toBeGreaterThan(30);
    expect(new Set(s.authorizations).size).toBeGreaterThanOrEqual(3);
    expect(new Set(s.authorizations).size).toBeLessThanOrEqual(sseOauth.stats().issued);
  });
});
