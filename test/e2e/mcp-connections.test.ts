/**
 * Issue 21, the suite's bounded version of bench/mcp-connections.mjs: 2,000 MCP sessions over
 * Streamable HTTP held by one command, in both eras, each calling a tool, against the bench's lean
 * server in its own process. Every count mcprun reports is checked against the server's own:
 * sessions issued and initialized, tool calls seen, DELETEs (every legacy session closed with
 * one), connections left open. No speed or memory figure is asserted (those are the bench's, on a
 * quiet machine).
 */
import { spawn } from 'node:child_process';
import { expect, test } from 'vitest';
import { ROOT } from '../support/run-cli.js';

const N = 2000;

test('2,000 MCP sessions held in both eras: mcprun counts what the server counts, every legacy session closed with DELETE', async () => {
  const args = ['bench/mcp-connections.mjs', '--n', String(N), '--rate', '1000', '--hold', '3', '--period', '1', '--era', 'both', '--servers', '1', '--workers', '1', '--local-ips', 'none', '--quiet'];
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const code = await new Promise((r) => child.on('close', r));
  expect(code, err + out.slice(-2000)).toBe(0);
  const report = JSON.parse(out);
  const [legacy, modern] = report.results;
  for (const r of [legacy, modern]) {
    expect(r.exitCode, JSON.stringify(r)).toBe(0);
    expect(r.held.mcprun_mcp_sessions).toBe(N);
    expect(r.held.mcprun_mcp_sessions_active_max).toBe(N);
    expect(r.held.mcprun_connections_active_max).toBe(N);
    expect(r.failures).toEqual({ mcp_req_failed: 0, connections_failed: 0, bench_call_failures: 0, servers_unknown_session: 0, servers_bad_requests: 0 });
    // Every session called its tool at least once, and the server saw exactly the calls mcprun made.
    expect(r.calls.bench_calls).toBeGreaterThanOrEqual(N);
    expect(r.calls.servers_saw_tools_call).toBe(r.calls.bench_calls);
    expect(r.close.left_open_on_servers).toBe(0);
  }
  expect(legacy.era).toBe('legacy');
  expect(legacy.servers.initializes).toBe(N);
  expect(legacy.servers.initialized).toBe(N);
  expect(legacy.held.servers_sessions_sampled_max).toBeLessThanOrEqual(N);
  // initialize is a recorded request; notifications/initialized is not.
  expect(legacy.calls.mcp_reqs).toBe(legacy.calls.bench_calls + N);
  expect(legacy.close.servers_deletes).toBe(N);
  expect(legacy.close.servers_sessions_left).toBe(0);
  expect(legacy.servers.requests).toBe(legacy.calls.bench_calls + 3 * N);
  expect(modern.era).toBe('modern');
  expect(modern.servers.initializes).toBe(0);
  expect(modern.close.servers_deletes).toBe(0);
  expect(modern.calls.mcp_reqs).toBe(modern.calls.bench_calls);
  expect(modern.servers.requests).toBe(modern.calls.bench_calls);
}, 180_000);
