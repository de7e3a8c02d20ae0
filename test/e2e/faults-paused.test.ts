/**
 * A pause from the control API holds the fault schedule with the scenarios: a fault not yet on
 * turns on at its planned point of the (paused) load, and one that is on stays on for its whole
 * duration of unpaused time. The truth: the test server's own arrival times (a reset fault lets
 * nothing through) and the test's own pause.
 */
import { describe, expect, test } from 'vitest';
import { startCountingServer, type CountingServer } from '../support/http-server.js';
import { until } from '../support/processes.js';
import { runCli } from '../support/run-cli.js';
import { readSummary, summaryPath } from '../support/summary.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function post(url: string): Promise<number> {
  return (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status;
}

/**
 * Pauses for `ms` through the API. The run was paused for at least `shortest` (from the pause's
 * answer to the resume's request) and at most `longest` (from the pause's request to the resume's
 * answer): on a loaded machine each request may take a second.
 */
async function pauseFor(api: string, ms: number): Promise<{ shortest: number; longest: number }> {
  const asked = Date.now();
  expect(await post(`${api}pause`)).toBe(200);
  const held = Date.now();
  await sleep(ms);
  const resuming = Date.now();
  expect(await post(`${api}resume`)).toBe(200);
  return { shortest: resuming - held, longest: Date.now() - asked };
}

/** A reset fault on target api; `steer` pauses and resumes through the dashboard's API. */
async function pausedRun(fault: object, steer: (api: string, server: CountingServer) => Promise<void>) {
  const server = await startCountingServer();
  const out = summaryPath('mcprun-faults-paused-');
  const vars = { UPSTREAM: server.url, KIND: 'reset', FAULT: JSON.stringify(fault), DURATION: '8s' };
  const run = runCli(['test/fixtures/faults/faulted.ts', ...Object.entries(vars).flatMap(([k, v]) => ['-e', `${k}=${v}`]), '--dashboard', '--no-progress', '--summary-export', out], { timeoutMs: 60_000 });
  try {
    await run.waitForOutput(/dashboard at http:\/\/\S+\//);
    const api = `${/dashboard at (http:\/\/\S+\/)/.exec(run.output())![1]}api/`;
    await steer(api, server);
    const r = await run;
    expect(r.code, r.stderr).toBe(0);
    const [f] = readSummary(out).mcprun.faults;
    const on = server.requests.filter((q) => q.at > Date.parse(f.start) + 100 && q.at < Date.parse(f.end) - 100);
    return { f, through: on.length };
  } finally {
    run.kill('SIGKILL');
    await server.close();
  }
}

describe('a paused run holds its fault schedule', () => {
  test('paused for 2 s before a fault at 2s: it turns on 2 s later, for its planned 1 s', async () => {
    let paused = { shortest: 0, longest: 0 };
    const { f, through } = await pausedRun({ startTime: '2s', duration: '1s' }, async (api, server) => {
      await until(() => server.requests.length >= 20, 20_000, 'load');
      paused = await pauseFor(api, 2000);
    });
    expect(f).toMatchObject({ kind: 'reset', state: 'acted' });
    // At 2 s of unpaused load: 2 s plus the pause after the start (a fault acting in the pause would be at ~2 s).
    expect(f.startMs).toBeGreaterThanOrEqual(2000 + paused.shortest - 300);
    expect(f.endMs - f.startMs).toBeGreaterThanOrEqual(999);
    expect(f.endMs - f.startMs).toBeLessThan(1400);
    expect(through).toBe(0);
  }, 60_000);

  test('paused for 1.5 s while a 2 s fault is on: it stays on, 3.5 s in all', async () => {
    let paused = { shortest: 0, longest: 0 };
    const { f, through } = await pausedRun({ startTime: '1s', duration: '2s' }, async (api, server) => {
      // The fault is on when nothing more reaches the server.
      await until(() => server.requests.length > 0 && Date.now() - server.requests.at(-1)!.at > 300, 20_000, 'the fault');
      paused = await pauseFor(api, 1500);
    });
    expect(f.endMs - f.startMs).toBeGreaterThanOrEqual(2000 + paused.shortest - 100);
    expect(f.endMs - f.startMs).toBeLessThan(2000 + paused.longest + 400);
    expect(through).toBe(0);
  }, 60_000);
});
