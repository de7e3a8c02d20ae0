/**
 * Streaming outputs from real runs: NDJSON and CSV time series (points per interval add up to the
 * summary), the Prometheus endpoint scraped during the run, handleSummary(), and the config errors
 * that stop a run before any load.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { serverForTest } from '../support/http-server.js';
import { ROOT, runCli } from '../support/run-cli.js';
import { parsePrometheus } from '../unit/output/parsers.js';
import { tempDir } from '../support/temp.js';

const server = serverForTest;
const tmp = () => tempDir('mcprun-outputs-');

async function scrape(url: string) {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  return parsePrometheus(await res.text());
}
const total = (fams: ReturnType<typeof parsePrometheus>, name: string) => (fams.get(name)?.samples ?? []).reduce((a, s) => a + s.value, 0);

describe('a 5 s run at 1 s interval', () => {
  test('NDJSON and CSV have 5 ± 1 points per metric, per-interval http_reqs add up to the summary; Prometheus counter grows between scrapes', async () => {
    const s = await server();
    const dir = tmp();
    const json = join(dir, 'points.ndjson');
    const raw = join(dir, 'raw.ndjson');
    const csv = join(dir, 'points.csv');
    const summaryPath = join(dir, 'summary.json');
    const run = runCli([
      'test/fixtures/reports/steady.ts', '-e', `TARGET=${s.url}`, '-e', 'DURATION=5s', '--interval', '1s',
      '--out', `json=${json}`, '--out', `json=${raw},raw`, '--out', `csv=${csv}`,
      '--metrics-addr', '127.0.0.1:0', '--summary-export', summaryPath, '--no-progress',
    ]);

    // Prometheus, during the run.
    const metricsUrl = (await waitForMatch(run, /Prometheus metrics at (http:\/\/127\.0\.0\.1:\d+\/metrics)\n/))[1];
    let first = await scrape(metricsUrl);
    for (let i = 0; i < 40 && total(first, 'mcprun_http_reqs_total') === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      first = await scrape(metricsUrl);
    }
    const before = total(first, 'mcprun_http_reqs_total');
    expect(before, 'requests seen by the first scrape').toBeGreaterThan(0);
    expect(first.get('mcprun_http_req_duration_seconds')?.type).toBe('summary');
    expect(first.get('mcprun_vus')?.type).toBe('gauge');
    await new Promise((r) => setTimeout(r, 1300));
    const second = await scrape(metricsUrl);
    expect(total(second, 'mcprun_http_reqs_total'), 'the counter grows between scrapes').toBeGreaterThan(before);
    // The NDJSON file is written as the run goes, not at the end.
    expect(readFileSync(json, 'utf8')).toMatch(/"type":"Point"/);

    const r = await run;
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(readFileSync(summaryPath, 'utf8'));
    const count = summary.metrics.http_reqs.values.count;
    expect(count).toBe(s.requests.length);

    // NDJSON: one Metric line per metric, then Points.
    const lines = readFileSync(json, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const points = lines.filter((l) => l.type === 'Point' && Object.keys(l.data.tags).length === 0);
    const byMetric = new Map<string, Array<{ count: number; time: string }>>();
    for (const p of points) byMetric.set(p.metric, [...(byMetric.get(p.metric) ?? []), p.data]);
    const loadMetrics = ['http_reqs', 'http_req_duration', 'http_req_failed', 'iterations', 'iteration_duration', 'checks'];
    for (const m of loadMetrics) {
      const n = byMetric.get(m)?.length ?? 0;
      expect(n, `${m}: ${n} points`).toBeGreaterThanOrEqual(4);
      expect(n, `${m}: ${n} points`).toBeLessThanOrEqual(6);
      expect(lines.filter((l) => l.type === 'Metric' && l.metric === m)).toHaveLength(1);
    }
    expect(byMetric.get('http_reqs')!.reduce((a, p) => a + p.count, 0)).toBe(count);
    const times = byMetric.get('http_reqs')!.map((p) => Date.parse(p.time));
    for (let i = 1; i < times.length; i++) expect((times[i] - times[i - 1]) % 1000).toBe(0);

    // CSV: the same points.
    const rows = readFileSync(csv, 'utf8').trim().split('\n');
    const header = rows[0].split(',');
    const col = (name: string) => header.indexOf(name);
    const reqRows = rows.slice(1).map((l) => l.split(',')).filter((c) => c[col('metric')] === 'http_reqs' && c[col('tags')] === '');
    expect(reqRows.length).toBe(byMetric.get('http_reqs')!.length);
    expect(reqRows.reduce((a, c) => a + Number(c[col('count')]), 0)).toBe(count);
    const durRows = rows.slice(1).map((l) => l.split(',')).filter((c) => c[col('metric')] === 'http_req_duration' && c[col('tags')] === '');
    for (const c of durRows) expect(Number(c[col('p95')])).toBeGreaterThan(0);

    // raw: every worker's deltas with full tags; they add up too.
    const rawLines = readFileSync(raw, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const deltas = rawLines.filter((l) => l.type === 'WorkerDelta' && l.metric === 'http_reqs');
    expect(deltas.reduce((a, l) => a + l.data.count, 0)).toBe(count);
    expect(deltas[0].data.tags).toMatchObject({ method: 'GET', status: '200', scenario: 'steady' });
  });
});

/** Waits until the CLI's output matches `re` and returns the match (the URL of a port-0 listener). */
async function waitForMatch(run: ReturnType<typeof runCli>, re: RegExp): Promise<RegExpExecArray> {
  let m: RegExpExecArray | null = null;
  const probe = { test: (all: string) => (m = re.exec(all)) !== null } as unknown as RegExp;
  await run.waitForOutput(probe);
  return m!;
}

describe('Prometheus cardinality', () => {
  // Ground truth: the server's count (1,000 requests, 1,000 distinct URLs) and the fixture's one name.
  async function scrapeAfter(run: ReturnType<typeof runCli>, s: { requests: unknown[] }, n = 1000) {
    const url = (await waitForMatch(run, /Prometheus metrics at (http:\/\/127\.0\.0\.1:\d+\/metrics)\n/))[1];
    let fams = await scrape(url);
    for (let i = 0; i < 100 && (s.requests.length < n || total(fams, 'mcprun_http_reqs_total') < n); i++) {
      await new Promise((r) => setTimeout(r, 100));
      fams = await scrape(url);
    }
    return fams;
  }

  test('1,000 distinct URLs under one name: one series per name, its url label the name, in the scrape and the summary', async () => {
    const s = await server();
    const out = join(tmp(), 'summary.json');
    const run = runCli(['test/fixtures/reports/named-urls.ts', '-e', `TARGET=${s.url}`, '--metrics-addr', '127.0.0.1:0', '--summary-export', out, '--no-progress']);
    const fams = await scrapeAfter(run, s);
    const reqs = fams.get('mcprun_http_reqs_total')!.samples.filter((x) => x.labels.scenario === 'many');
    expect(new Set(s.requests.map((q) => q.url)).size, 'the server saw 1,000 distinct URLs').toBe(1000);
    expect(reqs).toHaveLength(1);
    expect(reqs[0].labels).toMatchObject({ name: 'item', url: 'item', method: 'GET', status: '200' });
    expect(reqs[0].value).toBe(1000);
    expect(fams.get('mcprun_http_req_duration_seconds')!.samples.filter((x) => x.labels.scenario === 'many' && x.name.endsWith('_count'))).toHaveLength(1);
    const r = await run;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('series');
    expect(readFileSync(out, 'utf8')).not.toContain('/item/');
  });

  test('1,500 URLs without a name: the scrape caps each metric at 1,000 series, sums the rest, and the run says so', async () => {
    const s = await server();
    const run = runCli(['test/fixtures/reports/named-urls.ts', '-e', `TARGET=${s.url}`, '-e', 'NAME=none', '-e', 'ITER=1500', '--metrics-addr', '127.0.0.1:0', '--no-progress']);
    const fams = await scrapeAfter(run, s, 1500);
    const reqs = fams.get('mcprun_http_reqs_total')!.samples;
    expect(reqs).toHaveLength(1000);
    expect(reqs.filter((x) => x.labels.mcprun_overflow === 'true').map((x) => x.value), '501 URLs summed in one series').toEqual([501]);
    expect(total(fams, 'mcprun_http_reqs_total'), 'the total stays exact').toBe(1500);
    const r = await run;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.match(/--metrics-addr: http_reqs has \d+ series/g), 'said once per metric').toHaveLength(1);
    expect(r.stdout).toMatch(/WARN \d+ metrics have more series .* http_reqs \(1500\).* name tag/);
  });
});

describe('handleSummary()', () => {
  test('its stdout replaces the default summary and its other keys are written as files; textSummary comes from mcprun', async () => {
    const s = await server();
    const cwd = tmp();
    const out = join(cwd, 'nested', 'hs.json');
    const r = await runCli([resolve(ROOT, 'test/fixtures/reports/handle-summary.ts'), '-e', `TARGET=${s.url}`, '-e', `OUT_FILE=${out}`, '--report-dir', '--no-progress'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.startsWith('CUSTOM SUMMARY\n')).toBe(true);
    expect(r.stdout.match(/RESULT/g), 'the default summary is not printed as well').toHaveLength(1);
    expect(r.stdout).toContain(" ✓ 'count==5' count=5");
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual({ reqs: 5, ok: true });
    // --report-dir without a value: ./mcprun-results in the working directory.
    const results = join(cwd, 'mcprun-results');
    expect(readdirSync(results)).toEqual([expect.stringMatching(/^handle-summary-\d{8}-\d{6}$/)]);
    expect(r.stderr).toContain(`reports written to ${join(results, readdirSync(results)[0])}`);
  });

  test('when it throws, the error is reported and the default summary printed', async () => {
    const s = await server();
    const cwd = tmp();
    const r = await runCli([resolve(ROOT, 'test/fixtures/reports/handle-summary.ts'), '-e', `TARGET=${s.url}`, '-e', 'THROW=1', '--no-progress'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('handleSummary() threw Error: handleSummary exploded on purpose; printing the default summary instead.');
    expect(r.stdout).toContain('RESULT PASS');
    expect(r.stdout).not.toContain('CUSTOM SUMMARY');
  });
});

describe('output configuration errors stop the run before any load (exit 104)', () => {
  test('unknown --out type', async () => {
    const s = await server();
    const r = await runCli(['test/fixtures/reports/steady.ts', '-e', `TARGET=${s.url}`, '--out', 'xml=out.xml']);
    expect(r.code).toBe(104);
    expect(r.stderr).toContain('invalid --out "xml=out.xml": unknown output "xml"; mcprun writes json=FILE[,raw] (NDJSON) and csv=FILE.');
    expect(s.requests).toHaveLength(0);
  });

  test('--metrics-addr on a port in use', async () => {
    const s = await server();
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    const port = (busy.address() as { port: number }).port;
    try {
      const r = await runCli(['test/fixtures/reports/steady.ts', '-e', `TARGET=${s.url}`, '--metrics-addr', `127.0.0.1:${port}`]);
      expect(r.code).toBe(104);
      expect(r.stderr).toContain(`--metrics-addr 127.0.0.1:${port}: cannot listen on 127.0.0.1:${port} (EADDRINUSE).`);
      expect(s.requests).toHaveLength(0);
    } finally {
      busy.close();
    }
  });

  test('--out to a folder that cannot be created', async () => {
    const s = await server();
    const dir = tmp();
    writeFileSync(join(dir, 'a-file'), '');
    const r = await runCli(['test/fixtures/reports/steady.ts', '-e', `TARGET=${s.url}`, '--out', `csv=${join(dir, 'a-file', 'x.csv')}`, '--summary-export', join(dir, 'summary.json')]);
    expect(r.code).toBe(104);
    expect(r.stderr).toMatch(/cannot write --out csv=.*x\.csv: /);
    expect(s.requests).toHaveLength(0);
    expect(existsSync(join(dir, 'summary.json'))).toBe(false);
  });
});
