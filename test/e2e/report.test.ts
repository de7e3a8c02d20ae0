/**
 * --report-dir and --junit from one real run (two phases, one SLA that holds and ones that cannot):
 * the HTML report renders in headless Chromium with charts and without network, report.md and
 * junit.xml give the same verdicts as summary.json.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startCountingServer, type CountingServer } from '../support/http-server.js';
import { ROOT, runCli, type CliResult } from '../support/run-cli.js';
import { parseXml, type XmlElement } from '../unit/output/parsers.js';

interface BrowserGlobals {
  document: { documentElement: unknown; getElementById(id: string): { textContent: string | null } | null };
  getComputedStyle(e: unknown): { getPropertyValue(name: string): string };
}

const CHROMIUM = '/usr/bin/chromium';
const HAS_CHROMIUM = existsSync(CHROMIUM);
const ARTIFACTS = join(ROOT, 'test/artifacts');

let server: CountingServer;
let run: CliResult;
let dir: string;
let tmp = '';
let junitPath: string;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
let summary: any;

beforeAll(async () => {
  server = await startCountingServer((req, res) => {
    if (req.url?.includes('fail')) res.statusCode = 500;
    res.end('ok');
  });
  tmp = mkdtempSync(join(tmpdir(), 'mcprun-report-'));
  junitPath = join(tmp, 'ci', 'junit.xml');
  const mcpServer = join(ROOT, 'test/fixtures/mcp/stdio-server.mjs');
  run = await runCli(['test/fixtures/reports/http-phases.ts', '-e', `TARGET=${server.url}`, '-e', `MCP_STDIO=${mcpServer}`, '-e', 'API_TOKEN=s3cr3t-value', '--report-dir', join(tmp, 'results'), '--junit', junitPath, '--interval', '500ms', '--no-progress']);
  const m = /reports written to (.+)$/m.exec(run.stderr);
  dir = m?.[1] ?? '';
  if (existsSync(join(dir, 'summary.json'))) summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
});

afterAll(async () => {
  await server?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('--report-dir', () => {
  test('writes the folder <scenario>-YYYYMMDD-HHMMSS with every file and prints its path', () => {
    expect(run.code, run.stderr).toBe(99);
    expect(dir).toMatch(/[/\\]results[/\\]http-phases-\d{8}-\d{6}$/);
    expect(readdirSync(dir).sort()).toEqual(['junit.xml', 'report.html', 'report.md', 'summary.json', 'timeseries.csv']);
    expect(summary.metrics.http_reqs.values.count).toBe(server.requests.length);
    const csv = readFileSync(join(dir, 'timeseries.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toMatch(/^timestamp,metric,type,tags,/);
    const reqs = csv.filter((l) => l.split(',')[1] === 'http_reqs' && l.split(',')[3] === '');
    expect(reqs.reduce((a, l) => a + Number(l.split(',')[6]), 0)).toBe(summary.metrics.http_reqs.values.count);
    // -e values are in the report header, secrets masked.
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).toContain('API_TOKEN=***');
    for (const f of readdirSync(dir)) expect(readFileSync(join(dir, f), 'utf8'), f).not.toContain('s3cr3t-value');
  });

  test('report.md: the SLA table says FAIL for violated SLAs and PASS for held ones, as summary.json', () => {
    const md = readFileSync(join(dir, 'report.md'), 'utf8');
    const lines = md.split('\n');
    const head = lines.indexOf('| SLA | Target | Actual | Status |');
    expect(head).toBeGreaterThan(0);
    const rows: string[][] = [];
    for (let i = head + 2; lines[i]?.startsWith('|'); i++) rows.push(lines[i].split(' | ').map((c) => c.replace(/^\| |\s\|$|`/g, '').trim()));
    const ths = summary.mcprun.thresholds as Array<{ metric: string; expression: string; ok: boolean }>;
    expect(rows).toHaveLength(ths.length);
    for (const [sla, target, actual, status] of rows) {
      const t = ths.find((x) => x.metric === sla && x.expression === target)!;
      expect(t, `${sla} ${target} is in summary.json`).toBeDefined();
      // k6's own per-metric verdict in the same summary agrees.
      expect(summary.metrics[sla.replace(/\s+/g, '')].thresholds[target].ok).toBe(t.ok);
      expect(status, `${sla} ${target} (${actual})`).toBe(t.ok ? 'PASS' : 'FAIL');
    }
    const status = (sla: string, target: string) => rows.find((r) => r[0] === sla && r[1] === target)?.[3];
    expect(status('http_reqs', 'rate>1000000/s')).toBe('FAIL');
    expect(status('http_req_duration{scenario:steady}', 'p95<5000ms')).toBe('PASS');
    expect(status('checks', 'rate>0.9')).toBe('PASS');
    // Exactly half of the requests fail: 50% is not "< 50%".
    expect(summary.metrics.http_req_failed.values.rate).toBe(0.5);
    expect(status('http_req_failed', 'rate<50%')).toBe('FAIL');
    expect(md).toMatch(/^\| warmup \| constant-vus \|/m);
    expect(md).toMatch(/^\| steady \| constant-vus \|/m);
    // MCP tools: calls, failures, failure rate (the mini server answers unknown tools with isError).
    expect(md).toMatch(/^\| Tool \| Calls \| Failed \| Failure rate \| p50 \| p95 \| p99 \|$/m);
    expect(md).toMatch(/^\| add \| [1-9]\d* \| 0 \| 0% \|/m);
    expect(md).toMatch(/^\| echo \| [1-9]\d* \| 0 \| 0% \|/m);
    const missing = /^\| missing \| (\d+) \| (\d+) \| 100% \|/m.exec(md);
    expect(missing?.[1], 'every call of an unknown tool fails').toBe(missing?.[2]);
    expect(md).toMatch(/^\| http \| HTTP status 500 — GET .*\/fail \| \d+ \|$/m);
  });

  test('junit.xml: a suite for global thresholds and one per scenario; counts match; --junit writes the same', () => {
    const xml = readFileSync(join(dir, 'junit.xml'), 'utf8');
    expect(readFileSync(junitPath, 'utf8')).toBe(xml);
    const root = parseXml(xml);
    const suites = root.children.filter((c) => c.name === 'testsuite');
    expect(suites.map((s) => s.attrs.name)).toEqual(['thresholds', 'scenario: warmup', 'scenario: steady']);
    const cases = (s: XmlElement) => s.children.filter((c) => c.name === 'testcase');
    const failure = (c: XmlElement) => c.children.find((x) => x.name === 'failure');
    for (const s of suites) {
      for (const a of ['name', 'tests', 'failures', 'errors', 'time', 'timestamp', 'hostname', 'id', 'package']) expect(s.attrs[a], `testsuite@${a}`).toBeDefined();
      expect(Number(s.attrs.tests)).toBe(cases(s).length);
      expect(Number(s.attrs.failures)).toBe(cases(s).filter(failure).length);
      for (const c of cases(s)) expect(Object.keys(c.attrs).sort()).toEqual(['classname', 'name', 'time']);
    }
    expect(Number(root.attrs.tests)).toBe(suites.reduce((a, s) => a + cases(s).length, 0));
    expect(Number(root.attrs.failures)).toBe(suites.reduce((a, s) => a + cases(s).filter(failure).length, 0));

    const ths = summary.mcprun.thresholds as Array<{ metric: string; expression: string; ok: boolean }>;
    const global = ths.filter((t) => !t.metric.includes('scenario:'));
    const thresholdCases = cases(suites[0]).filter((c) => !/^(check|run|iterations): /.test(c.attrs.name));
    // Exit 99: the failed thresholds' cases say it; the run's own case does not fail on top.
    const runCase = cases(suites[0]).find((c) => c.attrs.name === 'run: exit code 99')!;
    expect(failure(runCase)).toBeUndefined();
    expect(thresholdCases.map((c) => c.attrs.name)).toEqual(global.map((t) => `${t.metric}: ${t.expression}`));
    for (const [i, t] of global.entries()) {
      const f = failure(thresholdCases[i]);
      expect(Boolean(f), t.expression).toBe(!t.ok);
      if (f) expect(f.attrs.message).toMatch(new RegExp(`^${t.metric} ${t.expression.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} failed: actual \\w+=`));
    }
    expect(cases(suites[2]).map((c) => c.attrs.name)).toEqual(['http_req_duration{scenario:steady}: p95<5000ms', 'check: status is 200', 'check: fail endpoint answers 500']);
    expect(cases(suites[1]).map((c) => c.attrs.name)).toEqual(['check: status is 200', 'check: fail endpoint answers 500']);
  });

  test.skipIf(!HAS_CHROMIUM)(
    `report.html renders in headless Chromium: charts drawn, thresholds as summary.json, no network${HAS_CHROMIUM ? '' : ` — SKIPPED: ${CHROMIUM} is missing (run .ci/run, or apt-get install -y chromium)`}`,
    async () => {
      const { chromium } = await import('playwright-core');
      const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
      try {
        mkdirSync(ARTIFACTS, { recursive: true });
        for (const scheme of ['light', 'dark'] as const) {
          const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, colorScheme: scheme });
          const requests: string[] = [];
          const errors: string[] = [];
          page.on('request', (r) => requests.push(r.url()));
          page.on('pageerror', (e) => errors.push(e.message));
          page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
          await page.route('**/*', (route) => (/^(file|data):/.test(route.request().url()) ? route.continue() : route.abort()));
          const url = `file://${join(dir, 'report.html')}`;
          await page.goto(url);
          await page.waitForSelector('html[data-charts]', { timeout: 10_000 });
          expect(errors).toEqual([]);
          expect(requests.filter((u) => !/^(file|data):/.test(u)), 'requests that left the page').toEqual([]);
          expect(requests.filter((u) => u.startsWith('file:'))).toEqual([url]);

          // Every chart drew: a canvas per chart with lines in its series' colours.
          const charts = await page.$$eval('[data-chart]', (nodes) => {
            // Runs in the page (the test's tsconfig has no DOM lib).
            const page_ = globalThis as unknown as BrowserGlobals;
            return nodes.map((n) => {
              const c = n.querySelector('canvas');
              if (!c) return { id: n.getAttribute('data-chart'), canvas: false, painted: 0, seriesPixels: 0, line: false };
              const ctx = c.getContext('2d')!;
              const { data } = ctx.getImageData(0, 0, c.width, c.height);
              const root = page_.getComputedStyle(page_.document.documentElement);
              const palette = ['--c1', '--c2', '--c3', '--c4'].map((v) => {
                const s = root.getPropertyValue(v).trim();
                return [1, 3, 5].map((i) => parseInt(s.slice(i, i + 2), 16));
              });
              let painted = 0;
              let seriesPixels = 0;
              for (let i = 0; i < data.length; i += 4) {
                if (data[i + 3] > 0) painted++;
                if (data[i + 3] > 200 && palette.some((rgb) => Math.abs(data[i] - rgb[0]) < 24 && Math.abs(data[i + 1] - rgb[1]) < 24 && Math.abs(data[i + 2] - rgb[2]) < 24)) seriesPixels++;
              }
              // A series with two neighbouring values draws a line; a lone value only a point.
              const spec = JSON.parse(page_.document.getElementById('mcprun-data')!.textContent!).charts[n.getAttribute('data-chart')!];
              const line = spec.series.some((s: { values: Array<number | null> }) => s.values.some((v, i) => v !== null && s.values[i + 1] != null));
              return { id: n.getAttribute('data-chart'), canvas: true, painted, seriesPixels, line };
            });
          });
          const ids = charts.map((c) => c.id);
          for (const want of ['all-vus', 'all-rps', 'all-lat-http', 'all-lat-mcp', 'all-errors', 'all-checks', 'all-mcp-tools', 's-warmup-rps', 's-steady-lat-http']) expect(ids).toContain(want);
          for (const c of charts) {
            expect(c.canvas, `${c.id} has a canvas`).toBe(true);
            expect(c.painted, `${c.id} painted pixels`).toBeGreaterThan(2000);
            expect(c.seriesPixels, `${c.id} drew its series`).toBeGreaterThan(c.line ? 40 : 4);
          }

          // The verdict table says what summary.json says, in the same order.
          const rows = await page.$$eval('#thresholds tr[data-metric]', (trs) =>
            trs.map((tr) => ({ metric: tr.getAttribute('data-metric'), expression: tr.getAttribute('data-expression'), ok: tr.getAttribute('data-ok') === 'true', mark: tr.querySelector('.mark')!.textContent, actual: tr.querySelector('.actual')!.textContent })),
          );
          const ths = summary.mcprun.thresholds as Array<{ metric: string; expression: string; ok: boolean }>;
          expect(rows.map(({ metric, expression, ok }) => ({ metric, expression, ok }))).toEqual(ths.map(({ metric, expression, ok }) => ({ metric, expression, ok })));
          for (const r of rows) {
            expect(r.mark).toBe(r.ok ? '✓' : '✗');
            expect(r.actual).toMatch(/^[\w()]+=\S+/);
          }
          expect(await page.textContent('#verdict')).toBe('FAILED');
          const tools = await page.$$eval('#mcp-tools tbody tr td:first-child', (tds) => tds.map((t) => t.textContent));
          expect(tools).toEqual(['add', 'echo', 'missing']);
          await page.screenshot({ path: join(ARTIFACTS, `report-${scheme}.png`), fullPage: true });
          await page.close();
        }
      } finally {
        await browser.close();
      }
    },
  );
});

describe('JUnit and the exit code agree', () => {
  // Ground truth: the exit code, which CI reads; the JUnit file must have a failure exactly when it
  // is not 0. Failing checks alone (no threshold on checks) are no failure.
  const combos = [
    { checks: 'pass', threshold: 'pass', exit: 0 },
    { checks: 'fail', threshold: 'pass', exit: 0 },
    { checks: 'pass', threshold: 'fail', exit: 99 },
    { checks: 'fail', threshold: 'fail', exit: 99 },
  ];
  test.each(combos)('checks $checks, thresholds $threshold: exit $exit, and the JUnit file says the same', async ({ checks, threshold, exit }) => {
    const s = await startCountingServer((_q, res) => res.end('hi'));
    const tmp = mkdtempSync(join(tmpdir(), 'mcprun-junit-'));
    try {
      const file = join(tmp, 'junit.xml');
      const r = await runCli(['test/fixtures/reports/junit-combos.ts', '-e', `TARGET=${s.url}`, '-e', `CHECKS=${checks}`, '-e', `THRESHOLD=${threshold}`, '--junit', file, '--no-progress']);
      expect(r.code, r.stderr).toBe(exit);
      const root = parseXml(readFileSync(file, 'utf8'));
      expect(Number(root.attrs.failures) > 0, `failures="${root.attrs.failures}"`).toBe(exit !== 0);
      const all = root.children.filter((c) => c.name === 'testsuite').flatMap((x) => x.children.filter((c) => c.name === 'testcase'));
      const hello = all.find((c) => c.attrs.name === 'check: body says hello')!;
      expect(hello.children.some((c) => c.name === 'failure')).toBe(false);
      expect(hello.children.find((c) => c.name === 'system-out')!.text).toBe(checks === 'fail' ? '5 of 5 checks failed (0% passed); a threshold on checks decides whether that fails the run' : 'all 5 passed');
      expect(all.find((c) => c.attrs.name === `run: exit code ${exit}`)).toBeDefined();
    } finally {
      await s.close();
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
