/**
 * `mcprun compare` and `run --baseline` on real runs: an HTTP server on loopback sets each run's
 * delay (the ground truth), so a run is 20 % or 5 % slower because the server made it so.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startCountingServer, type CountingServer } from '../support/http-server.js';
import { runCli } from '../support/run-cli.js';
import { tempDir } from '../support/temp.js';

const tmp = tempDir('mcprun-compare-');
let server: CountingServer;
/** The server's hold (ms) for the run being made: long, so that the generator's own delays on a loaded machine are a small share of it. */
const BASE_MS = 1000;
let delayMs = BASE_MS;

beforeAll(async () => {
  server = await startCountingServer((_q, res) => void setTimeout(() => res.end('ok'), delayMs));
});
afterAll(async () => {
  await server?.close();
});

async function runAt(delay: number, name: string, extra: string[] = []): Promise<{ file: string; code: number | null; stdout: string; stderr: string }> {
  delayMs = delay;
  const file = join(tmp, `${name}.json`);
  const r = await runCli(['test/fixtures/compare/delay.ts', '--summary-export', file, '--no-progress', '--workers', '1', ...extra], { env: { TARGET: `${server.url}/`, VUS: '40', DURATION: '4s' }, timeoutMs: 60_000 });
  return { file, code: r.code, stdout: r.stdout, stderr: r.stderr };
}

/**
 * A run whose p95 is more than 4 % above the server's hold measured the machine (another test
 * file held the CPU: a burst of other work adds 100 ms to a whole run), not the server: it is run
 * again, at most four times in all, so that the runs compared differ by what the server set.
 */
async function cleanRun(delay: number, name: string): Promise<string> {
  let file = '';
  for (let attempt = 0; attempt < 4; attempt++) {
    file = (await runAt(delay, name)).file;
    const p95 = JSON.parse(readFileSync(file, 'utf8')).metrics.http_req_duration.values['p(95)'];
    if (p95 <= delay * 1.04) break;
  }
  return file;
}

describe('compare', () => {
  let base: string;
  let slow20: string;
  let slow5: string;

  beforeAll(async () => {
    // A first run pays for cold starts (connections, compilation) that the others do not: not a baseline.
    await runAt(BASE_MS, 'warm-up');
    base = await cleanRun(BASE_MS, 'base');
    slow20 = await cleanRun(BASE_MS * 1.2, 'slow20');
    slow5 = await cleanRun(BASE_MS * 1.05, 'slow5');
  }, 180_000);

  test('a 20 % slower p95 fails +10% (exit 99), a 5 % slower one passes', async () => {
    const a = await runCli(['compare', base, slow20, '--max-regression', 'http_req_duration:p95:+10%', '--json', join(tmp, 'c20.json')]);
    expect(a.code, a.stdout + a.stderr).toBe(99);
    expect(a.stdout).toMatch(/1 regression beyond the allowed margin/);
    expect(a.stdout).toMatch(/http_req_duration p\(95\).*REGRESSION\s+http_req_duration:p95:\+10%/);
    const c20 = JSON.parse(readFileSync(join(tmp, 'c20.json'), 'utf8'));
    const row = c20.rows.find((r: any) => r.key === 'http_req_duration' && r.stat === 'p(95)' && r.rule);
    expect(row.relative).toBeGreaterThan(0.1);
    expect(row.relative).toBeLessThan(0.4);

    const b = await runCli(['compare', base, slow5, '--max-regression', 'http_req_duration:p95:+10%', '--json', join(tmp, 'c5.json')]);
    expect(b.code, b.stdout + b.stderr).toBe(0);
    const c5 = JSON.parse(readFileSync(join(tmp, 'c5.json'), 'utf8'));
    const r5 = c5.rows.find((r: any) => r.key === 'http_req_duration' && r.stat === 'p(95)' && r.rule);
    // The server adds 5 %; on a loaded machine the generator's own delay moves either run by a few per cent.
    expect(r5.relative).toBeGreaterThan(-0.1);
    expect(r5.relative).toBeLessThan(0.1);
    expect(r5.verdict).not.toBe('regression');
  });

  test('identical runs report no change', async () => {
    const r = await runCli(['compare', base, base, '--max-regression', 'http_req_duration:p95:+10%', '--json', join(tmp, 'same.json')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/identical figures: no change/);
    const c = JSON.parse(readFileSync(join(tmp, 'same.json'), 'utf8'));
    expect(c.rows.length).toBeGreaterThan(10);
    expect(c.rows.every((x: any) => x.verdict === 'unchanged' && x.delta === 0)).toBe(true);
  });

  test('per tag set: the breakdown compares exactly by status and scenario', async () => {
    const r = await runCli(['compare', base, slow20, '--max-regression', 'http_req_duration{scenario:main}:p95:+10%', '--max-regression', 'http_reqs:rate:-50%']);
    expect(r.code, r.stdout).toBe(99);
    expect(r.stdout).toMatch(/http_req_duration\{scenario:main\} p\(95\).*REGRESSION/);
    // 40 VUs at 1 s vs 1.2 s: the rate falls by ~17 %, inside the -50% allowed.
    expect(r.stdout).not.toMatch(/http_reqs rate.*REGRESSION/);
  });

  test('run --baseline: the comparison in the summary and reports, exit 99 on a regression', async () => {
    const dir = join(tmp, 'reports');
    const r = await runAt(BASE_MS * 1.4, 'with-baseline', ['--baseline', base, '--max-regression', 'http_req_duration:p95:+10%', '--report-dir', dir]);
    expect(r.code, r.stdout + r.stderr).toBe(99);
    expect(r.stdout).toMatch(/BASELINE/);
    expect(r.stdout).toMatch(/FAIL — 1 regression against the baseline/);
    const summary = JSON.parse(readFileSync(r.file, 'utf8'));
    expect(summary.mcprun.comparison.regressions).toHaveLength(1);
    const [sub] = readdirSync(dir);
    const md = readFileSync(join(dir, sub, 'report.md'), 'utf8');
    expect(md).toMatch(/## Baseline comparison/);
    expect(md).toMatch(/REGRESSION/);
    const html = readFileSync(join(dir, sub, 'report.html'), 'utf8');
    expect(html).toMatch(/<section id="baseline">/);
  });

  test('bad input: a rule on a figure the baseline lacks, a bad rule, a missing file (exit 104, before any load)', async () => {
    const before = server.requests.length;
    const a = await runAt(BASE_MS, 'bad1', ['--baseline', base, '--max-regression', 'http_req_duraton:p95:+10%']);
    expect(a.code).toBe(104);
    expect(a.stderr).toMatch(/the baseline .* has no figure "http_req_duraton"[\s\S]*http_req_duration/);
    const b = await runCli(['compare', base, base, '--max-regression', 'http_req_duration:p95:10%']);
    expect(b.code).toBe(104);
    expect(b.stderr).toMatch(/--max-regression "http_req_duration:p95:10%": expected METRIC:STAT:\+MARGIN/);
    const c = await runCli(['compare', base, join(tmp, 'nope.json')]);
    expect(c.code).toBe(104);
    expect(c.stderr).toMatch(/could not be read \(ENOENT\)/);
    expect(server.requests.length).toBe(before);
  });
});
