/**
 * The core runner end to end: the real CLI against real servers on 127.0.0.1:0. Every figure is
 * compared with a ground truth the test controls (the server counts requests and sets delays).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { serverForTest } from '../support/http-server.js';
import { readSummary, summaryPath } from '../support/summary.js';
import { runCli } from '../support/run-cli.js';
import { tempDir } from '../support/temp.js';
import { parseXml } from '../unit/output/parsers.js';

const fixture = (name: string) => `test/fixtures/core/${name}`;
const server = serverForTest;
const exportPath = () => summaryPath('mcprun-test-');

describe('counts match the server', () => {
  test('shared-iterations with 100 iterations makes exactly 100 requests', async () => {
    const s = await server();
    const out = exportPath();
    const r = await runCli([fixture('shared-iterations.ts'), '-e', `TARGET=${s.url}`, '--summary-export', out, '--no-progress']);
    expect(r.code, r.stderr).toBe(0);
    expect(s.requests.length, 'the server saw exactly 100 requests').toBe(100);
    const summary = readSummary(out);
    expect(summary.metrics.http_reqs.values.count).toBe(100);
    expect(summary.metrics.iterations.values.count).toBe(100);
    expect(summary.metrics.checks.values.passes).toBe(100);
  });

  test('--workers 2 gives the same counts as --workers 1', async () => {
    const counts: number[][] = [];
    for (const workers of ['1', '2']) {
      const s = await server();
      const out = exportPath();
      const r = await runCli([fixture('shared-iterations.ts'), '-e', `TARGET=${s.url}`, '-e', 'ITERATIONS=300', '--workers', workers, '--summary-export', out, '--no-progress']);
      expect(r.code, r.stderr).toBe(0);
      const m = readSummary(out);
      expect(m.mcprun.workers).toBe(Number(workers));
      counts.push([s.requests.length, m.metrics.http_reqs.values.count, m.metrics.iterations.values.count, m.metrics.checks.values.passes]);
    }
    expect(counts[0]).toEqual([300, 300, 300, 300]);
    expect(counts[1]).toEqual(counts[0]);
  });

  test('constant-vus with 10 VUs never holds more than 10 connections and reports vus_max 10', async () => {
    const s = await server();
    const out = exportPath();
    const r = await runCli([fixture('constant-vus.ts'), '-e', `TARGET=${s.url}`, '--summary-export', out, '--no-progress']);
    expect(r.code, r.stderr).toBe(0);
    expect(s.maxOpenConnections).toBeLessThanOrEqual(10);
    expect(s.maxOpenConnections).toBeGreaterThanOrEqual(9);
    const m = readSummary(out);
    // vus_max is the VUs allocated: 10 from start to end (their retirement does not lower it).
    expect(m.metrics.vus_max.values).toEqual({ value: 10, min: 10, max: 10 });
    expect(m.metrics.vus.values.max).toBe(10);
    expect(m.metrics.http_reqs.values.count).toBe(s.requests.length);
    // A rate is per real elapsed second: about 2 s of load.
    expect(m.state.testRunDurationMs).toBeGreaterThanOrEqual(2000);
    expect(m.state.testRunDurationMs).toBeLessThan(4000);
    const rate = m.metrics.http_reqs.values.rate;
    expect(rate).toBeCloseTo(s.requests.length / (m.state.testRunDurationMs / 1000), 6);
  });
});

describe('VU counts', () => {
  test('a 1-iteration run: vus max 1 and vus_max 1, though the VU was busy for a millisecond', async () => {
    const s = await server();
    const out = exportPath();
    const r = await runCli([fixture('shared-iterations.ts'), '-e', `TARGET=${s.url}`, '-e', 'VUS=1', '-e', 'ITERATIONS=1', '--summary-export', out, '--no-progress']);
    expect(r.code, r.stderr).toBe(0);
    expect(s.requests.length).toBe(1);
    const m = readSummary(out);
    expect(m.metrics.vus.values.max).toBe(1);
    expect(m.metrics.vus_max.values).toEqual({ value: 1, min: 1, max: 1 });
    expect(r.stdout).toMatch(/vus_max\.+: 1 +min=1 max=1/);
  });

  test('one iteration error printed once on stderr, whatever the worker count, with its total in the summary', async () => {
    // Ground truth: the fixture throws on every even iteration: 2 VUs × 10 iterations, 10 throws.
    const s = await server();
    const out = exportPath();
    const r = await runCli([fixture('iteration-error.ts'), '-e', `TARGET=${s.url}`, '--workers', '2', '--summary-export', out, '--no-progress']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.match(/iteration error: Error: boom on even iterations/g), r.stderr).toHaveLength(1);
    const m = readSummary(out);
    expect(m.mcprun.workers).toBe(2);
    expect(m.mcprun.errors).toEqual([{ message: expect.stringContaining('Error: boom on even iterations'), count: 10 }]);
    expect(r.stdout).toMatch(/×10 Error: boom on even iterations/);
  });
});

describe('iterations that throw', () => {
  // Ground truth: the fixture throws in iterations 2..19 of 20 (18), after their first check.
  const junitOf = (file: string) => {
    const root = parseXml(readFileSync(file, 'utf8'));
    const cases = root.children.flatMap((x) => x.children.filter((c) => c.name === 'testcase'));
    return { root, cases, failed: cases.filter((c) => c.children.some((x) => x.name === 'failure')).map((c) => c.attrs.name) };
  };

  test('by default: PASS, but the verdict line, the summary JSON and JUnit say 18 of 20 threw', async () => {
    const s = await server();
    const out = exportPath();
    const junit = join(dirname(out), 'junit.xml');
    const r = await runCli([fixture('throwing.ts'), '-e', `TARGET=${s.url}`, '--summary-export', out, '--junit', junit, '--no-progress']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('RESULT PASS — 1 threshold held, but 18 of 20 iterations threw');
    expect(r.stdout).toContain("Add thresholds: { iteration_errors: ['count==0'] } to fail the run");
    const m = readSummary(out);
    expect(m.mcprun.iterations).toEqual({ count: 20, threw: 18 });
    expect(m.metrics.iteration_errors.values.count).toBe(18);
    expect(m.metrics.checks.values.rate, 'the checks after each throw never ran').toBe(1);
    const j = junitOf(junit);
    expect(j.failed).toEqual([]);
    const it = j.cases.find((c) => c.attrs.name === 'iterations: 18 of 20 threw')!;
    expect(it.children.find((c) => c.name === 'system-out')!.text).toMatch(/^18 of 20 iterations threw\n×18 Error: the script is broken/);
  });

  test("the failing mode, iteration_errors: ['count==0']: exit 99, and every output says why", async () => {
    const s = await server();
    const out = exportPath();
    const junit = join(dirname(out), 'junit.xml');
    const r = await runCli([fixture('throwing.ts'), '-e', `TARGET=${s.url}`, '-e', 'FAIL_ON_THROW=1', '--summary-export', out, '--junit', junit, '--no-progress']);
    expect(r.code, r.stderr).toBe(99);
    expect(r.stdout).toContain('RESULT FAIL — 1 of 2 thresholds failed; 18 of 20 iterations threw');
    expect(r.stdout).toContain("✗ 'count==0' count=18");
    expect(r.stdout).not.toContain('Add thresholds: { iteration_errors');
    expect(readSummary(out).mcprun.iterations).toEqual({ count: 20, threw: 18 });
    expect(junitOf(junit).failed).toEqual(['iteration_errors: count==0']);
  });

  test("with no iteration throwing, iteration_errors: ['count==0'] holds (0 counted, not 'no data')", async () => {
    const s = await server();
    const out = exportPath();
    const r = await runCli([fixture('throwing.ts'), '-e', `TARGET=${s.url}`, '-e', 'FAIL_ON_THROW=1', '-e', 'THROW_FROM=99', '--summary-export', out, '--no-progress']);
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toContain("✓ 'count==0' count=0");
    expect(r.stdout).toContain('RESULT PASS — all 2 thresholds held —');
    expect(readSummary(out).mcprun.iterations).toEqual({ count: 20, threw: 0 });
  });
});

describe('groups', () => {
  test('sync and async groups, awaited or not, nested: the summary\'s group tree is the code\'s nesting', async () => {
    const s = await server();
    const out = exportPath();
    const r = await runCli([fixture('groups.ts'), '-e', `TARGET=${s.url}`, '--summary-export', out, '--no-progress']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const m = readSummary(out);
    // Ground truth: the fixture's nesting, 6 iterations (2 VUs × 3), one request per iteration in c › c1.
    type G = { name: string; groups: G[]; checks: { name: string; passes: number; fails: number }[] };
    const shape = (g: G): unknown => ({
      checks: Object.fromEntries(g.checks.map((c) => [c.name, c.passes])),
      groups: Object.fromEntries([...g.groups].sort((x, y) => x.name.localeCompare(y.name)).map((x) => [x.name, shape(x)])),
    });
    expect(shape(m.root_group)).toEqual({
      checks: { top: 6, 'top while d runs': 6, 'top at the end': 6 },
      groups: {
        a: { checks: { 'in a': 6 }, groups: { a1: { checks: { 'in a1': 6 }, groups: {} } } },
        b: { checks: { 'in b': 6 }, groups: {} },
        c: { checks: { 'in c': 6, 'in c after c1': 6 }, groups: { c1: { checks: { 'in c1': 6 }, groups: {} } } },
        d: { checks: { 'in d': 6 }, groups: {} },
      },
    });
    expect(s.requests.length).toBe(6);
    expect(m.metrics['http_req_duration{group:::c::c1}'].values.count).toBe(6);
    expect(m.metrics['checks{group:::a}'].values).toMatchObject({ passes: 6, fails: 0 });
    expect(m.metrics['checks{group:}'].values, 'the three root checks').toMatchObject({ passes: 18, fails: 0 });
    expect(r.stdout).toContain('PASS');
  });
});

describe('thresholds', () => {
  test('0.05 % of failures fails rate<0.05% and holds rate<=0.05%; exit 99 with the actual values', async () => {
    let n = 0;
    const s = await server((_req, res) => {
      n++;
      res.statusCode = n === 1000 ? 500 : 200;
      res.end('x');
    });
    const out = exportPath();
    const r = await runCli([fixture('thresholds.ts'), '-e', `TARGET=${s.url}`, '--summary-export', out, '--no-progress']);
    expect(r.code, r.stderr).toBe(99);
    expect(s.requests.length).toBe(2000);
    expect(r.stdout).toContain("✗ 'rate<0.05%' rate=0.05%");
    expect(r.stdout).toContain("✓ 'rate<=0.05%' rate=0.05%");
    expect(r.stdout).toContain("✓ 'count==2000' count=2000");
    expect(r.stdout).toMatch(/✗ 'rate>10000000\/s' rate=[\d.]+\/s/);
    const m = readSummary(out);
    expect(m.metrics.http_req_failed.values).toMatchObject({ passes: 1, fails: 1999 });
    expect(m.metrics.http_req_failed.thresholds).toEqual({ 'rate<0.05%': { ok: false }, 'rate<=0.05%': { ok: true } });
    expect(m.metrics['http_req_duration{status:200}'].thresholds['p95<10s'].ok).toBe(true);
  });

  test('rate>10000/s fails at 450 req/s (and rate>300/s holds)', async () => {
    const s = await server();
    const out = exportPath();
    const r = await runCli([fixture('rate-450.ts'), '-e', `TARGET=${s.url}`, '--summary-export', out, '--no-progress']);
    expect(r.code, r.stderr).toBe(99);
    const m = readSummary(out);
    const rate = m.metrics.http_reqs.values.rate;
    expect(rate).toBeGreaterThan(400);
    expect(rate).toBeLessThan(470);
    expect(m.metrics.http_reqs.thresholds).toEqual({ 'rate>10000/s': { ok: false }, 'rate>300/s': { ok: true } });
    expect(r.stdout).toMatch(/✗ 'rate>10000\/s' rate=4\d\d(\.\d+)?\/s/);
    expect(r.stdout).toContain('FAIL');
  });

  test('a passing run exits 0 and says PASS', async () => {
    const s = await server();
    const r = await runCli([fixture('shared-iterations.ts'), '-e', `TARGET=${s.url}`, '-e', 'ITERATIONS=20', '--no-progress']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("✓ 'rate==0' rate=0%");
    expect(r.stdout).toContain('PASS');
  });
});

describe('percentiles are exact within HDR precision', () => {
  test('p(95) of a known distribution', async () => {
    // The server delays the k-th request by 30·k ms (k = 0..99): the 95th smallest is 2820 ms, the
    // 96th 2850 ms. Measured time = delay + transport, so p(95) must land in [2820, 2850). The 50
    // VUs send the slow half over connections they already hold, so transport adds little there.
    // Node's timers run on a loop clock floored to the millisecond, so the server's setTimeout can
    // fire up to 1 ms before its delay: the lower bounds allow that 1 ms.
    let k = 0;
    const s = await server((_req, res) => {
      const delay = 30 * k++;
      setTimeout(() => res.end('x'), delay);
    });
    const out = exportPath();
    const r = await runCli([fixture('latency-distribution.ts'), '-e', `TARGET=${s.url}`, '--summary-export', out, '--no-progress']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const m = readSummary(out);
    // k6's handleSummary shape.
    expect(m.state.testRunDurationMs).toBeGreaterThan(0);
    expect(m.root_group).toMatchObject({ name: '', path: '', groups: [], checks: [] });
    expect(m.metrics.http_req_duration).toMatchObject({ type: 'trend', contains: 'time' });
    const d = m.metrics.http_req_duration.values;
    for (const key of ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)']) expect(typeof d[key]).toBe('number');
    expect(d['p(95)']).toBeGreaterThanOrEqual(2819);
    expect(d['p(95)']).toBeLessThan(2850);
    expect(d.min).toBeGreaterThanOrEqual(0);
    expect(d.max).toBeGreaterThanOrEqual(2969);
    // A Trend fed 1..1000: HDR keeps 3 significant digits (0.1 %).
    const kv = m.metrics.known_values.values;
    expect(kv.count).toBe(1000);
    expect(kv.avg).toBe(500.5);
    expect(kv.min).toBe(1);
    expect(kv.max).toBe(1000);
    expect(Math.abs(kv['p(95)'] - 950)).toBeLessThanOrEqual(950 * 0.001);
    expect(Math.abs(kv.med - 500)).toBeLessThanOrEqual(500 * 0.001);
    expect(Math.abs(kv['p(99)'] - 990)).toBeLessThanOrEqual(990 * 0.001);
    expect(typeof m.mcprun.histograms.http_req_duration).toBe('string');
  });
});

describe('errors before load', () => {
  test('a malformed threshold exits 104 with the column and sends nothing', async () => {
    const s = await server();
    const r = await runCli([fixture('bad-threshold.ts'), '-e', `TARGET=${s.url}`]);
    expect(r.code).toBe(104);
    expect(r.stderr).toContain('invalid threshold "p95<10 0ms"');
    expect(r.stderr).toContain('column 8');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(s.requests.length).toBe(0);
  });

  // Ground truth: the server's own count, 0. Each of these used to pass validation, send the load
  // and then fail as "no data" (or hold whatever was measured).
  test.each([
    ['a tag filter with an empty value', { 'http_req_duration{status:}': ['p95<200'] }, 'column 26'],
    ['a filter on a scenario that does not exist', { 'http_req_duration{scenario:nope}': ['p95<200'] }, 'column 28'],
    ['an empty list', { http_req_duration: [] }, 'options.thresholds.http_req_duration is an empty list'],
    ['a rate above 100%', { http_req_failed: ['rate<120%'] }, 'column 6'],
    ['a negative rate', { http_req_failed: ['rate<-5%'] }, 'column 6'],
  ])('%s exits 104 with the place and sends nothing', async (_what, th, place) => {
    const s = await server();
    const r = await runCli([fixture('threshold-from-env.ts'), '-e', `TARGET=${s.url}`, '-e', `TH=${JSON.stringify(th)}`]);
    expect(r.code, r.stderr).toBe(104);
    expect(r.stderr).toContain(place);
    expect(r.stderr).toContain('no load was sent');
    expect(r.stdout).toBe('');
    expect(s.requests.length).toBe(0);
  });

  test('an unknown metric exits 104 and names the nearest metric', async () => {
    const s = await server();
    const r = await runCli([fixture('unknown-metric.ts'), '-e', `TARGET=${s.url}`]);
    expect(r.code).toBe(104);
    expect(r.stderr).toContain('http_req_duraton');
    expect(r.stderr).toContain('http_req_duration');
    expect(s.requests.length).toBe(0);
  });

  test('a syntax error exits 107 with file:line:column and no stack trace', async () => {
    const dir = tempDir('mcprun-syntax-');
    const file = join(dir, 'broken.ts');
    writeFileSync(file, "import { http } from 'mcprun';\n\nexport default async function () {\n  const x = ;\n  await http.get('http://127.0.0.1:1/');\n}\n");
    const r = await runCli([file]);
    expect(r.code).toBe(107);
    expect(r.stderr).toMatch(/broken\.ts:4:13: Unexpected ";"/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('iterations that throw', () => {
  test('are counted, printed once with a count, and never stop the run', async () => {
    const s = await server();
    const out = exportPath();
    const r = await runCli([fixture('iteration-error.ts'), '-e', `TARGET=${s.url}`, '--summary-export', out, '--no-progress', '--workers', '1']);
    expect(r.code, r.stderr).toBe(0);
    expect(s.requests.length).toBe(20);
    const m = readSummary(out);
    expect(m.metrics.iteration_errors.values.count).toBe(10);
    expect(m.mcprun.errors).toEqual([{ message: expect.stringContaining('Error: boom on even iterations (at test/fixtures/core/iteration-error.ts:'), count: 10 }]);
    expect(r.stderr.match(/boom on even iterations/g)?.length).toBe(1);
    expect(r.stdout).toMatch(/×10 Error: boom on even iterations/);
  });
});
