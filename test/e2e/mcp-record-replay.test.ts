/**
 * mcprun record between the official SDK client and server-everything, then mcp.replay of that
 * recording by 10 VUs at 2x through a second recorder, whose file is the ground truth of what the
 * replay sent: per session, the same methods in the same order, with the session's own ids and
 * session id. A server whose answers changed since the recording is reported as divergence.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { mcp } from '../../dsl/mcp.js';
import { startEverything, type EverythingServer } from '../fixtures/mcp/everything.mjs';
import { explain, runScenario } from '../fixtures/mcp/harness.js';
import { startSchemaToolsServer, type SchemaToolsServer } from '../fixtures/mcp/schema-tools-server.mjs';
import { runCli, type CliRun } from '../support/run-cli.js';
import { tempDir } from '../support/temp.js';
import { testVu } from '../support/test-vu.js';

const tmp = tempDir('mcprun-record-');
let everything: EverythingServer;
let everythingSse: EverythingServer;
let tools: SchemaToolsServer;

beforeAll(async () => {
  [everything, everythingSse, tools] = await Promise.all([startEverything('streamableHttp'), startEverything('sse'), startSchemaToolsServer()]);
});
afterAll(async () => {
  await Promise.all([everything?.close(), everythingSse?.close(), tools?.close()]);
});

async function startRecorder(upstream: string, out: string): Promise<{ url: string; run: CliRun }> {
  const run = runCli(['record', '--upstream', upstream, '--listen', '127.0.0.1:0', '--out', out], { timeoutMs: 120_000 });
  await run.waitForOutput(/listening on http:\/\/127\.0\.0\.1:\d+\S*/, 15_000);
  const url = /listening on (http:\/\/127\.0\.0\.1:\d+\S*)/.exec(run.output())![1];
  return { url, run };
}

async function stopRecorder(r: { run: CliRun }): Promise<void> {
  r.run.kill('SIGINT');
  const res = await r.run;
  expect(res.code, res.stderr).toBe(0);
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

function lines(file: string): any[] {
  return readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
}

/** The official SDK client's session: a few calls with pauses between them. */
async function sdkSession(url: string, calls: (c: Client) => Promise<void>): Promise<void> {
  const client = new Client({ name: 'recorded-client', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(url));
  await client.connect(transport);
  await calls(client);
  await transport.terminateSession();
  await client.close();
}

describe('record and replay', () => {
  test('record the SDK client against server-everything; replay at 2x with 10 VUs: same methods in order per VU, ids remapped, 0 divergence', async () => {
    const recording = join(tmp, 'session.jsonl');
    const rec = await startRecorder(everything.url, recording);
    await sdkSession(rec.url, async (c) => {
      await c.listTools();
      await pause(150);
      await c.callTool({ name: 'echo', arguments: { message: 'hello' } });
      await pause(150);
      const res = await c.listResources();
      await c.readResource({ uri: res.resources[0].uri });
      await pause(150);
      await c.listPrompts();
      await c.callTool({ name: 'get-sum', arguments: { a: 2, b: 3 } });
      await pause(150);
      await c.ping();
    });
    await stopRecorder(rec);
    const recorded = lines(recording);
    expect(recorded[0]).toMatchObject({ type: 'meta', version: 1, upstream: everything.url });
    const sent = recorded.filter((l) => l.dir === 'c2s' && l.msg?.method);
    const methods = sent.map((l) => l.msg.method).filter((m) => m !== 'initialize' && m !== 'notifications/initialized');
    expect(methods).toEqual(['tools/list', 'tools/call', 'resources/list', 'resources/read', 'prompts/list', 'tools/call', 'ping']);
    // Every request has its answer in the file, with timing.
    for (const l of sent.filter((x) => x.msg.id !== undefined)) expect(recorded.some((x) => x.dir === 's2c' && x.msg?.id === l.msg.id && (x.msg.result || x.msg.error))).toBe(true);
    const spanMs = sent.at(-1).t - sent.find((l) => l.msg.method === 'tools/list').t;
    expect(spanMs).toBeGreaterThan(550);
    const recordedSession = sent.find((l) => l.session)?.session;

    // The replay goes through a second recorder: what it writes is what the VUs sent.
    const truth = join(tmp, 'replayed.jsonl');
    const rec2 = await startRecorder(everything.url, truth);
    const r = await runScenario('test/fixtures/mcp-workloads/replay.ts', { RECORDING: recording, TARGET: rec2.url, REPLAY_VUS: '10', SPEED: '2' });
    await stopRecorder(rec2);
    expect(r.code, explain(r)).toBe(0);
    expect(r.stdout).not.toMatch(/DIVERGENCE/);
    expect(r.count('mcp_replay_divergence')).toBe(0);
    // At 2x the steps are spread over half the recorded span (never faster).
    expect(r.metric('iteration_duration')!.values.min).toBeGreaterThanOrEqual((spanMs / 2) * 0.9);

    // server/discover: mcprun's own era probe, once per target before any session.
    const replayed = lines(truth).filter((l) => l.dir === 'c2s' && l.msg?.method && !['initialize', 'notifications/initialized', 'server/discover'].includes(l.msg.method));
    const bySession = new Map<string, any[]>();
    for (const l of replayed) bySession.set(l.session, [...(bySession.get(l.session) ?? []), l]);
    expect(bySession.size).toBe(10);
    for (const [sid, ls] of bySession) {
      expect(sid).not.toBe(recordedSession);
      expect(ls.map((l) => l.msg.method)).toEqual(methods);
      // The session's own ids, one per request, increasing: not the recording's.
      const ids = ls.filter((l) => l.msg.id !== undefined).map((l) => l.msg.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    }
  }, 120_000);

  test('a server whose answer changed since the recording: the replay reports the divergence', async () => {
    const recording = join(tmp, 'tools.jsonl');
    await tools.reset();
    const rec = await startRecorder(tools.url, recording);
    await sdkSession(rec.url, async (c) => {
      await c.callTool({ name: 'add_ints', arguments: { a: 1, b: 2 } });
      await c.callTool({ name: 'echo_text', arguments: { text: 'same' } });
    });
    await stopRecorder(rec);

    const vu = testVu('replay');
    const clean = await vu.run(() => mcp.replay(recording, { speed: 0 }));
    expect(clean.divergences).toEqual([]);
    expect(clean.methods).toEqual(['tools/call', 'tools/call']);
    // Other arguments, the same shape of answer ('add_ints ok 14' for '... ok 13', the length of
    // the arguments' JSON): a divergence only when values are compared.
    const other = (method: string, params: Record<string, unknown> | undefined) => (method === 'tools/call' && params?.name === 'add_ints' ? { ...params, arguments: { a: 10, b: 2 } } : params);
    expect((await vu.run(() => mcp.replay(recording, { speed: 0, vary: other }))).divergences).toEqual([]);
    const strict = await vu.run(() => mcp.replay(recording, { speed: 0, vary: other, compare: 'values' }));
    expect(strict.divergences).toHaveLength(1);
    expect(strict.divergences[0]).toMatchObject({ index: 0, method: 'tools/call' });
    expect(strict.divergences[0].expected).toContain('add_ints ok 13');
    expect(strict.divergences[0].actual).toContain('add_ints ok 14');
    expect((await vu.run(() => mcp.replay(recording, { speed: 0, compare: 'values' }))).divergences).toEqual([]);

    await tools.mutate();
    const changed = await vu.run(() => mcp.replay(recording, { speed: 0 }));
    expect(changed.divergences).toHaveLength(1);
    expect(changed.divergences[0]).toMatchObject({ index: 1, method: 'tools/call' });
    expect(changed.divergences[0].actual).toMatch(/structuredContent/);
    expect(vu.metric('mcp_replay_divergence', { method: 'tools/call' }).count).toBe(2);
    await vu.retire();
  }, 60_000);

  test('the legacy SSE transport: the SDK client recorded through its GET stream and POSTs, each message once under the session the server named; replayed with 0 divergence', async () => {
    const recording = join(tmp, 'sse.jsonl');
    const rec = await startRecorder(everythingSse.url, recording);
    const client = new Client({ name: 'recorded-client', version: '1.0.0' });
    await client.connect(new SSEClientTransport(new URL(rec.url)));
    await client.listTools();
    await client.callTool({ name: 'echo', arguments: { message: 'over sse' } });
    await client.callTool({ name: 'get-sum', arguments: { a: 4, b: 5 } });
    await client.close();
    await stopRecorder(rec);

    const recorded = lines(recording);
    const sent = recorded.filter((l) => l.dir === 'c2s' && l.msg?.method);
    expect(sent.map((l) => l.msg.method)).toEqual(['initialize', 'notifications/initialized', 'tools/list', 'tools/call', 'tools/call']);
    // The answers came on the GET stream, not the POSTs' 202s: each request's answer once.
    for (const l of sent.filter((x) => x.msg.id !== undefined)) expect(recorded.filter((x) => x.dir === 's2c' && x.msg?.id === l.msg.id && x.msg.result).length).toBe(1);
    // The SSE session is the sessionId of the endpoint the server gave, on both directions.
    const sessions = new Set(recorded.filter((l) => l.dir).map((l) => l.session));
    expect(sessions.size).toBe(1);
    expect([...sessions][0]).toMatch(/\S{8,}/);

    const vu = testVu('replay-sse');
    const r = await vu.run(() => mcp.replay(recording, { speed: 0 }));
    expect(r.methods).toEqual(['tools/list', 'tools/call', 'tools/call']);
    expect(r.divergences).toEqual([]);
    await vu.retire();
  }, 60_000);
});
