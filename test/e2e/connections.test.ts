/**
 * Connections at scale, end to end: the open-file budget check (a plan that cannot fit is refused
 * with exit 104 and advice, and the advice works), and bench/connections.mjs at N = 2,000 (its own
 * echo server processes, mcprun with --pool processes), every figure checked against the servers.
 */
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, test } from 'vitest';
import { startWsTestServer, type WsTestServer } from '../fixtures/ws/ws-test-server.js';
import { BIN, ROOT } from '../support/run-cli.js';

const servers: WsTestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** Runs a command to the end (killed by pid after timeoutMs), collecting its output. */
function run(cmd: string, args: string[], timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(t);
      resolve({ code, stdout, stderr });
    });
  });
}

/** mcprun under a lowered open-file limit (`ulimit -n` can always be lowered). */
const mcprunWithLimit = (limit: number, args: string[]) => run('/bin/sh', ['-c', `ulimit -n ${limit} && exec "$0" "$@"`, process.execPath, BIN, ...args], 60_000);

describe('open-file budget', () => {
  test('1,000 sockets under a limit of 400 are refused on threads (104, nothing sent); the advised --workers 4 --pool processes holds all 1,000', async () => {
    const s = await startWsTestServer();
    servers.push(s);
    const scenario = ['bench/connections-scenario.ts', '-e', 'N=1000', '-e', 'RATE=2000', '-e', 'HOLD_S=3', '-e', `TARGETS=${s.url}/silent`, '--no-progress'];

    const refused = await mcprunWithLimit(400, [...scenario, '--workers', '2']);
    expect(refused.code, refused.stderr).toBe(104);
    expect(refused.stderr).toContain('the plan needs more sockets than the open-file limit allows: up to 1,000 VUs at once (scenario "connections")');
    expect(refused.stderr).toContain('the open-file limit (ulimit -n) is 400');
    expect(refused.stderr).toContain('Run with --workers 4 --pool processes');
    expect(s.connections.length).toBe(0);

    const ok = await mcprunWithLimit(400, [...scenario, '--workers', '4', '--pool', 'processes', '-e', 'WORKERS=4']);
    expect(ok.code, ok.stderr + ok.stdout).toBe(0);
    expect(s.maxOpen, `${ok.stdout}\n${ok.stderr}`).toBe(1000);
    expect(s.connections.length).toBe(1000);
    expect(s.pings).toBe(1000);
    expect(s.open).toBe(0);
  });
});

describe('bench/connections.mjs', () => {
  test('N = 2,000: all held at once, pinged, closed; memory per VU reported by the workers', async () => {
    const r = await run(process.execPath, ['bench/connections.mjs', '--n', '2000', '--rate', '2000', '--hold', '2.5', '--ping-timeout', '5', '--timeout', '90', '--quiet'], 100_000);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const rep = JSON.parse(r.stdout);
    expect(rep.exitCode).toBe(0);
    expect(rep.concurrent.mcprun_connections_active_max).toBe(2000);
    expect(rep.concurrent.servers_sampled_max).toBeGreaterThanOrEqual(1990);
    expect(rep.connections).toMatchObject({ opened_by_mcprun: 2000, accepted_by_servers: 2000, failed: 0, ws_errors: 0, dropped_iterations: 0 });
    expect(rep.pings).toMatchObject({ mcprun_ws_ping_count: 2000, servers_saw: 2000 });
    expect(rep.close).toMatchObject({ closed_by_servers: 2000, close_codes: { 1000: 2000 }, left_open_on_servers: 0 });
    // Measured by the workers themselves; generous bounds (a loaded 2-core machine, 1,000 VUs per worker).
    expect(rep.memory_per_vu.heap_bytes.value).toBeGreaterThan(1000);
    expect(rep.memory_per_vu.heap_bytes.value).toBeLessThan(64 * 1024);
    expect(rep.memory_per_vu.rss_bytes.value).toBeGreaterThan(0);
  });
});
