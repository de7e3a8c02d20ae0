/**
 * Issue 4, "Done means" (bench): bench/mcp-throughput.mjs measures mcprun's calls/s for
 * callTool('echo') and a loop over the official SDK client against the same server in the same
 * run, and reports the ratio. Here in its quick form (1 s, one round, the fast target, unpinned):
 * the figures themselves are for the README, measured on a quiet machine.
 */
import { spawn } from 'node:child_process';
import { expect, test } from 'vitest';
import { ROOT } from '../support/run-cli.js';

test('the MCP throughput bench runs both clients against one server and reports the ratio', async () => {
  const child = spawn(process.execPath, ['bench/mcp-throughput.mjs', '--json'], {
    cwd: ROOT,
    env: { ...process.env, DURATION: '1', ROUNDS: '1', SERVERS: 'fast', SESSIONS: '4', UNPINNED: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const code = await new Promise((r) => child.on('close', r));
  expect(code, err).toBe(0);
  const r = JSON.parse(out.trim().split('\n').pop()!);
  const fast = r.results.fast;
  expect(fast.mcprun.rps, err).toBeGreaterThan(0);
  expect(fast.sdk.rps, err).toBeGreaterThan(0);
  expect(fast.ratio).toBeCloseTo(fast.mcprun.rps / fast.sdk.rps, 6);
  expect(fast.mcprun.errors + fast.sdk.errors).toBe(0);
  expect(err).toMatch(/fast round 1 mcprun: \d+ calls\/s/);
  expect(err).toMatch(/fast round 1 sdk: \d+ calls\/s/);
}, 60_000);
