/**
 * Issue 14, "Done means" #5 and the OAuth scope: a 401 with a JSON-RPC body and a 401 with a plain
 * body are both `error_kind: auth`; OAuth client credentials get a token, share it among the
 * worker's sessions and refresh it before it expires during the run (ground truth: the token
 * endpoint's count of tokens issued and the MCP server's count of requests it refused).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startOAuthServer, type OAuthServer } from '../fixtures/mcp/oauth-server.mjs';
import { startSdkV1Server } from '../fixtures/mcp/sdk-v1-server.mjs';
import { explain, runScenario, type McpRun } from '../fixtures/mcp/harness.js';

type Server = Awaited<ReturnType<typeof startSdkV1Server>>;
let oauth: OAuthServer;
const servers: Record<string, Server> = {};
const runs: Record<string, McpRun> = {};

beforeAll(async () => {
  oauth = await startOAuthServer({ expiresIn: 2 });
  servers.json = await startSdkV1Server({ mode: 'stateful', auth: { valid: () => false, body: 'json' } });
  servers.text = await startSdkV1Server({ mode: 'stateful', auth: { valid: () => false, body: 'text' } });
  servers.oauth = await startSdkV1Server({ mode: 'stateful', json: true, auth: { valid: (h) => oauth.valid(h), body: 'json' } });
  const [json, text, bad, ok] = await Promise.all([
    runScenario('test/fixtures/mcp/auth.ts', { MCP_URL: servers.json.url, CASE: 'bad-token' }),
    runScenario('test/fixtures/mcp/auth.ts', { MCP_URL: servers.text.url, CASE: 'bad-token' }),
    runScenario('test/fixtures/mcp/auth.ts', { MCP_URL: servers.oauth.url, CASE: 'oauth-bad-secret', TOKEN_URL: oauth.url }),
    runScenario('test/fixtures/mcp/auth.ts', { MCP_URL: servers.oauth.url, CASE: 'oauth', TOKEN_URL: oauth.url, DURATION: '4s' }),
  ]);
  Object.assign(runs, { json, text, bad, ok });
}, 120_000);

afterAll(async () => {
  await Promise.all([...Object.values(servers).map((s) => s.close()), oauth.close()]);
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
});
