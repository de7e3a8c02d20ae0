/**
 * examples/mcp-*.ts run in the suite, shortened through their -e knobs, against
 * server-everything on loopback (streamable HTTP) or spawned over stdio. Latency thresholds
 * depend on how busy this shared machine is (exit 99 allowed for them only); every functional
 * threshold (failures, checks, counts) must hold.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startEverything, type EverythingServer } from '../fixtures/mcp/everything.mjs';
import { explain, runScenario } from '../fixtures/mcp/harness.js';
import { createServer } from 'node:net';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const p = (srv.address() as { port: number }).port;
      srv.close(() => resolve(p));
    });
  });
}

let everything: EverythingServer;

beforeAll(async () => {
  everything = await startEverything('streamableHttp');
});

afterAll(async () => {
  await everything?.close();
});

const LATENCY = /duration|ttfb/;

describe.concurrent('MCP examples', () => {
  test.each([
    ['mcp-tools.ts', ['-e', 'VUS=4', '-e', 'DURATION=1s']],
    ['mcp-session-churn.ts', ['-e', 'VUS=4', '-e', 'DURATION=1s']],
    ['mcp-stdio.ts', ['-e', 'VUS=2', '-e', 'ITERATIONS=3']],
    ['mcp-client-handlers.ts', ['-e', 'VUS=2', '-e', 'DURATION=2s']],
  ])('examples/%s runs and holds its functional thresholds', async (name, args) => {
    const r = await runScenario(`examples/${name}`, { MCP_URL: everything.url }, args as string[]);
    expect([0, 99], explain(r)).toContain(r.code);
    const functional = r.summary.mcprun.thresholds.filter((t) => !LATENCY.test(t.metric));
    expect(functional.length).toBeGreaterThan(1);
    expect(functional.filter((t) => !t.ok), explain(r)).toEqual([]);
    if (r.code === 99) expect(r.summary.mcprun.thresholds.filter((t) => !t.ok).every((t) => LATENCY.test(t.metric))).toBe(true);
    expect(r.count('mcp_reqs')).toBeGreaterThan(5);
    expect(r.metric('mcp_req_failed')?.values.passes).toBe(0);
    expect(r.metric('mcp_sessions_active')?.values.value).toBe(0);
    if (name === 'mcp-session-churn.ts') {
      // One session per iteration, each with its own handshake.
      expect(r.count('mcp_sessions')).toBe(r.count('iterations'));
      expect(r.metric('mcp_session_init_duration')?.values.count).toBe(r.count('iterations'));
    }
    if (name === 'mcp-stdio.ts') {
      expect(r.count('mcp_sessions')).toBe(2);
      expect(r.count('mcp_progress_events')).toBe(4);
    }
  });

  test('examples/mcp-stress-phases.ts runs all six phases against its own server, fault and recovery included', async () => {
    const args = ['-e', 'N=20', '-e', 'R=10', '-e', 'PACE=0.5', '-e', 'HOLD=2s', '-e', 'FAIL=3s', '-e', 'FAULT=1', '-e', 'BURST=1s', '-e', 'COOL=1s', '-e', 'BASE=10'];
    // No TARGET: mcprun starts the example's lean MCP server as a managed target, on a free port.
    const r = await runScenario('examples/mcp-stress-phases.ts', {}, [...args, '-e', `PORT=${await freePort()}`, '-e', 'RECOVERED_FOR=1s']);
    expect([0, 99], explain(r)).toContain(r.code);
    const thresholds = r.summary.mcprun.thresholds;
    const functional = thresholds.filter((t) => !LATENCY.test(t.metric));
    // Every phase has its own failure SLA, the recovery one included.
    for (const scope of ['scenario:baseline', 'scenario:held,phase:ramp', 'scenario:held,phase:hold', 'scenario:failure,phase:recovery', 'scenario:burst', 'scenario:cooldown']) {
      expect(functional.map((t) => t.metric), explain(r)).toContain(`mcp_req_failed{${scope}}`);
    }
    expect(functional.filter((t) => !t.ok), explain(r)).toEqual([]);
    if (r.code === 99) expect(thresholds.filter((t) => !t.ok).every((t) => LATENCY.test(t.metric))).toBe(true);
    // The fault (every connection reset by the proxy for 1 s) did fail calls, and the service recovered.
    expect(r.metric('mcp_req_failed')?.values.passes).toBeGreaterThan(0);
    const [outage] = (r.summary.mcprun as unknown as { faults: Array<{ kind: string; failed: number; recovery: { state: string } }> }).faults;
    expect(outage, explain(r)).toMatchObject({ kind: 'reset', recovery: { state: 'recovered' } });
    expect(outage.failed).toBeGreaterThan(0);
    expect(r.count('mcp_sessions')).toBeGreaterThanOrEqual(21);
    expect(r.metric('mcp_sessions_active')?.values.max).toBeGreaterThanOrEqual(20);
    expect(r.metric('mcp_sessions_active')?.values.value).toBe(0);
  });
});

// The criteria are loosened (RECOVERED_LATENCY, RECOVERED_FAILED): on a shared, overloaded machine "p95 within 2x of a
// few ms" is scheduler noise, and a starved generator times out the odd session.
test('examples/mcp-stress.ts: a real reset of every connection for 1 s through the proxy, and the server serves again within 2 s', async () => {
  const r = await runScenario('examples/mcp-stress.ts', { MCP_URL: everything.url }, ['-e', 'RATE=20', '-e', 'DURATION=9s', '-e', 'FAULT_AT=2s', '-e', 'FAULT=1s', '-e', 'RECOVERED_FOR=2s', '-e', 'RECOVERED_LATENCY=p95<2s', '-e', 'RECOVERED_FAILED=rate<5%']);
  expect([0, 99], explain(r)).toContain(r.code);
  const faults = (r.summary.mcprun as unknown as { faults: Array<{ name: string; kind: string; requests: number; failed: number; recovery: { state: string; timeMs: number } }> }).faults;
  expect(faults[0]).toMatchObject({ name: 'outage', kind: 'reset', recovery: { state: 'recovered' } });
  // ~20 sessions were refused while it lasted (each iteration: initialize, then the call), none before it.
  expect(r.metric('mcp_req_failed')?.values.passes).toBeGreaterThanOrEqual(10);
  expect(r.metric('recovery_time')?.values.count).toBe(1);
  expect(r.metric('recovery_time')?.thresholds?.['max<2s'].ok, explain(r)).toBe(true);
  expect(r.count('mcp_reqs')).toBeGreaterThan(100);
}, 60_000);
