/**
 * Issue 14's scope beyond "Done means", against real servers: the Host header, server/discover
 * kept, subscriptions/listen (v2 SDK), tasks (server-everything), time to first progress, the
 * name-tag cap with its summary warning, and report.md's MCP rows (phase table and handshake).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startEverything } from '../fixtures/mcp/everything.mjs';
import { startSdkV1Server } from '../fixtures/mcp/sdk-v1-server.mjs';
import { startSdkV2Server } from '../fixtures/mcp/sdk-v2-server.mjs';
import { explain, runScenario, type McpRun } from '../fixtures/mcp/harness.js';
import { tempDir } from '../support/temp.js';

const servers: Array<{ close(): Promise<void> }> = [];
const reports = tempDir('mcprun-mcp-extras-');
let run: McpRun;
let hostServer: Awaited<ReturnType<typeof startSdkV1Server>>;

beforeAll(async () => {
  const [se, v1, v2, host] = await Promise.all([startEverything('streamableHttp'), startSdkV1Server({ mode: 'stateful' }), startSdkV2Server(), startSdkV1Server({ mode: 'stateful', allowedHosts: ['mcp.internal.test'] })]);
  servers.push(se, v1, v2, host);
  hostServer = host;
  run = await runScenario('test/fixtures/mcp/extras.ts', { SE_URL: se.url, V1_URL: v1.url, V2_URL: v2.url, HOST_URL: host.url }, ['--report-dir', reports]);
}, 150_000);

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

describe('MCP extras', () => {
  test('every check passes', () => {
    expect(run.code, explain(run)).toBe(0);
    expect(run.metric('checks')?.values.fails, explain(run)).toBe(0);
  });

  test('a user Host header is sent instead of the URL host', () => {
    expect(run.metric('checks{scenario:host}')?.values.rate, explain(run)).toBe(1);
    // Both initialize requests reached the server; the SDK refused the one with the URL's host (403).
    expect(hostServer.stats().initializes).toBe(2);
    expect(hostServer.stats().sessions).toBe(0);
  });

  test('server/discover is kept; subscriptions/listen delivers what it asked for', () => {
    expect(run.metric('checks{scenario:modern}')?.values.rate, explain(run)).toBe(1);
    expect(run.count('mcp_notifications{scenario:modern,stream:subscription,method:notifications/resources/updated}')).toBe(1);
  });

  test('a task-augmented call is polled to its result, timed end to end', () => {
    expect(run.metric('checks{scenario:tasks}')?.values.rate, explain(run)).toBe(1);
    const d = run.metric('mcp_task_duration{tool:simulate-research-query,status:completed}');
    expect(d?.values.count).toBe(1);
    // Four 1-second stages on the server.
    expect(d?.values.min).toBeGreaterThanOrEqual(3900);
    expect(run.count('mcp_reqs{scenario:tasks,method:tasks/get}')).toBeGreaterThanOrEqual(2);
  });

  test('time to first progress: at least the 60 ms the server waits before it', () => {
    const d = run.metric('mcp_req_first_progress{tool:progress}');
    expect(d?.values.count).toBe(1);
    expect(d?.values.min).toBeGreaterThanOrEqual(59);
    expect(d?.values.min).toBeLessThan(run.metric('mcp_req_duration{tool:progress}')?.values.min ?? 0);
  });

  test('beyond 1000 distinct URIs the name tag is "other", and the summary says so', () => {
    // Per worker: 1100 URIs plus the other scenarios' 4 tool names, 1000 kept.
    const other = run.count('mcp_reqs{scenario:cap,method:resources/read,tag_overflow:true}');
    expect(other).toBeGreaterThanOrEqual(100);
    expect(other).toBeLessThanOrEqual(104);
    expect(run.summary.mcprun.warnings.some((w: string) => w.includes(`${other} MCP requests were tagged tool/name "other"`)), JSON.stringify(run.summary.mcprun.warnings)).toBe(true);
  });

  test('report.md counts MCP calls in the phase table and has the handshake row', () => {
    // --report-dir writes into a folder per run (<scenario>-<timestamp>).
    const [folder] = readdirSync(reports);
    const md = readFileSync(join(reports, folder!, 'report.md'), 'utf8');
    const cap = md.split('\n').find((l) => l.startsWith('| cap '));
    // 1100 reads + initialize (the era probe is not a request).
    expect(cap, md).toMatch(/\| 1101 \|/);
    expect(md).toContain('## MCP requests');
    expect(md).toMatch(/\| handshake \(initialize \+ initialized\) \| \d+ \| 1 \|/);
    expect(md).toMatch(/\| `resources\/read` \| 1100 \| 0 \|/);
  });
});
