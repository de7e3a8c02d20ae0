/** The MCP client in-process against real servers on 127.0.0.1: samples, tags, headers, interrupts, cleanup. */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { group } from '../../../dsl/group.js';
import { mcp } from '../../../dsl/mcp.js';
import { startSdkV1Server } from '../../fixtures/mcp/sdk-v1-server.mjs';
import { startSdkV2Server } from '../../fixtures/mcp/sdk-v2-server.mjs';
import { startTcpServer } from '../../fixtures/mcp/socket-servers.mjs';
import { testVu } from '../../support/test-vu.js';

type Srv = { url: string; close(): Promise<void>; stats: () => any };
let v1: Srv;
let v2: Srv;
let tcp: Srv;

beforeAll(async () => {
  [v1, v2, tcp] = (await Promise.all([startSdkV1Server({ mode: 'stateful' }), startSdkV2Server(), startTcpServer()])) as Srv[];
});
afterAll(async () => {
  await Promise.all([v1, v2, tcp].map((s) => s.close()));
});

describe('MCP session in-process', () => {
  test('a call is one sample per metric, tagged method/tool/transport/era/status; ttfb <= duration', async () => {
    const vu = testVu('unit');
    await vu.run(async () => {
      const s = await mcp.connect(v1.url, { tags: { target: 'v1' } });
      expect(s.sessionId).toMatch(/[0-9a-f-]{36}/);
      expect(s.protocolVersion).toBe('2025-11-25');
      expect(s.serverInfo).toMatchObject({ name: 'mcprun-sdk-v1-fixture' });
      for (let i = 0; i < 5; i++) expect((await s.callTool('echo', { message: `m${i}` })).content[0].text).toBe(`m${i}`);
      await s.close();
      expect(s.closed).toBe(true);
    });
    const f = { method: 'tools/call', tool: 'echo', transport: 'streamable-http', era: 'legacy', status: '200', target: 'v1', scenario: 'unit' };
    expect(vu.metric('mcp_reqs', f).count).toBe(5);
    expect(vu.metric('mcp_req_failed', f).count).toBe(5);
    expect(vu.metric('mcp_req_failed', f).passes).toBe(0);
    const d = vu.metric('mcp_req_duration', f);
    const t = vu.metric('mcp_req_ttfb', f);
    expect(d.count).toBe(5);
    expect(t.max).toBeLessThanOrEqual(d.max);
    expect(vu.metric('mcp_reqs', { method: 'initialize' }).count).toBe(1);
    expect(vu.metric('mcp_session_init_duration', { transport: 'streamable-http', era: 'legacy' }).count).toBe(1);
    expect(vu.metric('mcp_sessions').count).toBe(1);
    expect(vu.metric('mcp_sessions_active').last).toBe(0);
    expect(vu.metric('data_sent').count).toBeGreaterThan(1000);
    expect(vu.metric('data_received').count).toBeGreaterThan(1000);
    expect(vu.metric('connections_opened', { proto: 'mcp' }).count).toBeGreaterThan(0);
    expect(v1.stats().sessions).toBe(0);
  });

  test('modern era: no handshake, Mcp-Method/Mcp-Name on every POST, the envelope in _meta', async () => {
    const vu = testVu('unit');
    const before = v2.stats().methods['tools/call'] ?? 0;
    await vu.run(async () => {
      const s = await mcp.connect(v2.url, { protocolVersion: 'auto' });
      expect(s.era).toBe('modern');
      expect(s.protocolVersion).toBe('2026-07-28');
      const r = await s.callTool('echo', { message: 'héllo' });
      expect(r.error).toBeUndefined();
      expect(r.content[0].text).toBe('héllo');
      expect(r.resultType).toBe('complete');
      // An unknown tool is a JSON-RPC error in the v2 SDK (not isError as in v1).
      const bad = await s.callTool('nope', {});
      expect(bad.error?.kind).toBe('jsonrpc_error');
      expect(bad.error?.code).toBe(-32602);
      expect(bad.isError).toBe(true);
      // ping does not exist in 2026-07-28: 404 + -32601.
      const ping = await s.ping();
      expect(ping.error).toMatchObject({ kind: 'jsonrpc_error', code: -32601, status: 404 });
      await s.close();
    });
    expect(v2.stats().methods['tools/call'] - before).toBe(2);
    expect(vu.metric('mcp_session_init_duration').count).toBe(0);
    expect(vu.metric('mcp_reqs', { era: 'modern', method: 'initialize' }).count).toBe(0);
    expect(vu.metric('mcp_req_failed', { error_kind: 'jsonrpc_error', error_code: '-32601', status: '404', method: 'ping' }).passes).toBe(1);
  });

  test('a VU stopped mid-call: the call ends now, nothing is recorded; retire closes the session', async () => {
    const vu = testVu('unit');
    const t0 = performance.now();
    const r = await vu.run(async () => {
      const s = await mcp.connect(tcp.url);
      const pending = s.callTool('sleep', { ms: 5000 });
      setTimeout(() => vu.stop(), 50);
      return pending;
    });
    expect(performance.now() - t0).toBeLessThan(3000);
    expect(r.error?.kind).toBe('interrupted');
    expect(vu.metric('mcp_reqs', { method: 'tools/call' }).count).toBe(0);
    expect(vu.metric('mcp_sessions_active').last).toBe(1);
    await vu.retire();
    expect(vu.metric('mcp_sessions_active').last).toBe(0);
    expect(vu.metric('mcp_session_duration').count).toBe(1);
    await new Promise((r) => setTimeout(r, 50));
    expect(tcp.stats().open).toBe(0);
  });

  test('a closed session fails calls fast with transport_error; close is idempotent', async () => {
    const vu = testVu('unit');
    await vu.run(async () => {
      const s = await mcp.connect(tcp.url);
      await s.close();
      await s.close();
      const r = await s.callTool('echo', { message: 'x' });
      expect(r.error?.kind).toBe('transport_error');
    });
    expect(vu.metric('mcp_req_failed', { error_kind: 'transport_error' }).passes).toBe(1);
  });

  test('connect failures are recorded (method connect) and thrown as McpError', async () => {
    const vu = testVu('unit');
    await vu.run(async () => {
      await expect(mcp.connect('tcp://127.0.0.1:1')).rejects.toMatchObject({ name: 'McpError', kind: 'transport_error', code: 'ECONNREFUSED' });
      await expect(mcp.connect({ command: '/nonexistent/mcp-server' })).rejects.toMatchObject({ kind: 'transport_error', code: 'ENOENT' });
    });
    expect(vu.metric('mcp_req_failed', { method: 'connect', error_code: 'ECONNREFUSED' }).passes).toBe(1);
    expect(vu.metric('mcp_req_failed', { method: 'connect', error_code: 'ENOENT', transport: 'stdio' }).passes).toBe(1);
    expect(vu.metric('connections_failed', { proto: 'mcp' }).count).toBe(1);
  });

  test('listAllTools follows nextCursor; groups and per-call tags reach the samples', async () => {
    const vu = testVu('unit');
    await vu.run(async () => {
      const s = await mcp.connect(tcp.url);
      const tools = await s.listAllTools();
      expect(tools.map((t) => t.name)).toEqual(['echo', 'sleep', 'progress', 'add', 'noop']);
      expect(tools.pages).toBe(3);
      // The session was opened outside the group: a call inside it is tagged with it, the next one not.
      await group('g', () => s.callTool('add', { a: 1, b: 2 }, { tags: { step: 'sum' } }));
      await s.callTool('add', { a: 2, b: 3 }, { tags: { step: 'after' } });
      await s.close();
    });
    expect(vu.metric('mcp_reqs', { method: 'tools/list' }).count).toBe(3);
    expect(vu.metric('mcp_reqs', { group: '::g', tool: 'add', step: 'sum' }).count).toBe(1);
    expect(vu.metric('mcp_reqs', { tool: 'add', step: 'after' }).count).toBe(1);
    expect(vu.metric('mcp_reqs', { group: '::g', step: 'after' }).count).toBe(0);
    // A notification the server sent before the initialize result does not disturb anything.
    expect(vu.metric('mcp_req_failed').passes).toBe(0);
  });

  test('openStream: the standalone GET stream carries server-initiated notifications; without it the session opens none', async () => {
    const vu = testVu('unit');
    const before = v1.stats();
    const got: unknown[] = [];
    await vu.run(async () => {
      const s = await mcp.connect(v1.url, { openStream: true, onNotification: (m) => got.push(m) });
      // The stream is opened after the handshake; wait until the server holds it.
      for (let i = 0; i < 100 && v1.stats().streams === before.streams; i++) await new Promise((r) => setTimeout(r, 10));
      expect(v1.stats().streams).toBe(before.streams + 1);
      expect((await s.callTool('announce')).error).toBeUndefined();
      for (let i = 0; i < 100 && got.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      await s.close();
      const plain = await mcp.connect(v1.url);
      expect((await plain.callTool('announce')).error).toBeUndefined();
      await plain.close();
    });
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' });
    const after = v1.stats();
    expect(after.announced).toBe(before.announced + 2);
    // One GET for the session that asked, none for the other; both were closed with DELETE.
    expect(after.streams).toBe(before.streams + 1);
    expect(after.deletes).toBe(before.deletes + 2);
    expect(after.sessions).toBe(0);
  });
});
