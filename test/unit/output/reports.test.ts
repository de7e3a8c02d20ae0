/**
 * The report renderers as pure functions of the report model: SLA verdicts are the evaluator's,
 * untrusted text (check names, URLs, error messages) cannot break the HTML, Markdown or XML.
 */
import { describe, expect, test } from 'vitest';
import { MetricAggregate } from '../../../runtime/metrics/aggregate.js';
import { MetricRegistry } from '../../../runtime/metrics/registry.js';
import { WorkerMetricStore } from '../../../runtime/metrics/worker-store.js';
import { buildReportModel } from '../../../runtime/output/report-model.js';
import { renderMarkdownReport, mdCell } from '../../../runtime/output/markdown-report.js';
import { renderJunit } from '../../../runtime/output/junit-report.js';
import { loadUplot, renderHtmlReport } from '../../../runtime/output/html-report.js';
import type { SummaryData, ThresholdSummary } from '../../../runtime/output/summary-data.js';
import { TimeSeries } from '../../../runtime/output/timeseries.js';
import { exitCodeOf } from '../../../runtime/coordinator/run-state.js';
import { parseXml, type XmlElement } from './parsers.js';

const EVIL = '</script><script>alert(1)</script> | & "q" \u0001';

function th(metric: string, expression: string, ok: boolean, actual: number | null, extra: Partial<ThresholdSummary> = {}): ThresholdSummary {
  return { metric, expression, ok, actual, noData: actual === null, abortOnFail: false, ...extra };
}

function summary(thresholds: ThresholdSummary[]): SummaryData {
  const scenarioThs = thresholds.filter((t) => t.metric.includes('scenario:steady'));
  return {
    state: { isStdOutTTY: false, isStdErrTTY: false, testRunDurationMs: 3000 },
    options: { summaryTrendStats: [] },
    metrics: {
      http_reqs: { type: 'counter', contains: 'default', values: { count: 450, rate: 450 } },
      http_req_failed: { type: 'rate', contains: 'default', values: { rate: 0.0005, passes: 1, fails: 1999 } },
      http_req_duration: { type: 'trend', contains: 'time', values: { avg: 10, min: 1, med: 9, max: 90, 'p(90)': 20, 'p(95)': 120, 'p(99)': 80 } },
      checks: { type: 'rate', contains: 'default', values: { rate: 0.5, passes: 1, fails: 1 } },
    },
    root_group: { name: '', path: '', id: 'x', groups: [], checks: [{ name: EVIL, path: `::${EVIL}`, id: 'y', passes: 1, fails: 1 }] },
    mcprun: {
      version: '0.0.0-test',
      script: 'bench/scenario.ts',
      startedAt: '2026-01-02T03:04:05.678Z',
      exitCode: thresholds.some((t) => !t.ok) ? 99 : 0,
      aborted: null,
      thresholds,
      iterations: { count: 10, threw: 3 },
      scenarios: [
        { name: 'steady', executor: 'constant-vus', description: '2 VUs for 2s', durationMs: 2000, iterations: 10, interruptedIterations: 0, droppedIterations: 0, mcpReqs: 0,
    httpReqs: 20, httpReqRate: 10, p50: 1, p95: 2, p99: 3, errorRate: 0, thresholds: scenarioThs },
      ],
      histograms: {},
      errors: [{ message: EVIL, count: 3 }],
      warnings: [],
      workers: 1,
    },
  };
}

const SLAS = [
  th('http_reqs', 'rate>10000/s', false, 450),
  th('http_req_failed', 'rate<0.05%', false, 0.0005),
  th('http_req_duration', 'p95<100ms', false, 120),
  th('http_req_duration', 'p99<250ms', true, 80),
  th('http_req_duration{scenario:steady}', 'p95<5ms', true, 2),
  th('checks', 'rate==1', false, null),
];

describe('report.md', () => {
  const md = renderMarkdownReport(buildReportModel({ summary: summary(SLAS) }));

  test('SLA table: PASS only where the evaluator said the threshold holds, "no data" fails', () => {
    const rows = md.split('\n').filter((l) => l.startsWith('| `'));
    expect(rows).toEqual([
      '| `http_reqs` | `rate>10000/s` | rate=450/s | FAIL |',
      '| `http_req_failed` | `rate<0.05%` | rate=0.05% | FAIL |',
      '| `http_req_duration` | `p95<100ms` | p(95)=120ms | FAIL |',
      '| `http_req_duration` | `p99<250ms` | p(99)=80ms | PASS |',
      '| `http_req_duration{scenario:steady}` | `p95<5ms` | p(95)=2ms | PASS |',
      '| `checks` | `rate==1` | no data | FAIL (no data) |',
    ]);
    expect(md).toContain('| SLA | Target | Actual | Status |');
    expect(md).toContain('**Result: FAILED** — 4 of 6 thresholds failed');
  });

  test('cells with pipes and newlines stay in their cell', () => {
    expect(mdCell('a|b\nc')).toBe('a\\|b c');
    const errorRow = md.split('\n').find((l) => l.startsWith('| iteration |'))!;
    expect(errorRow.split(/(?<!\\)\|/).length - 2, 'three cells').toBe(3);
    const checkRow = md.split('\n').find((l) => l.includes('alert(1)') && !l.startsWith('| iteration |'))!;
    expect(checkRow.split(/(?<!\\)\|/).length - 2, 'five cells').toBe(5);
  });

  test('no markup, Markdown syntax or control byte from the run passes through (GitHub renders HTML in .md)', () => {
    const evil = '<img src=x onerror=alert(1)> **bold** [link](http://x) `code` \u0000\u001b[31m';
    const s = summary([th(`http_req_duration{name:${evil}}`, 'p95<100ms`|<b>', false, 120)]);
    s.mcprun.script = `dir/${evil}.ts`;
    s.mcprun.warnings = [`warned about ${evil}`];
    s.mcprun.errors = [{ message: evil, count: 1 }];
    s.root_group.groups = [{ name: evil, path: `::${evil}`, id: 'g', groups: [], checks: [{ name: evil, path: `::${evil}::${evil}`, id: 'c', passes: 0, fails: 1 }] }];
    const out = renderMarkdownReport(buildReportModel({ summary: s }));
    // The SLA rows hold code spans (which renderers never read as HTML): everything else is prose.
    const prose = out.split('\n').filter((l) => !l.startsWith('| `')).join('\n');
    expect(prose).not.toMatch(/<img|<b>|<\/script>|<script/);
    expect(out).not.toMatch(/[\u0000-\u0008\u001b]/);
    expect(prose).not.toMatch(/(?<!\\)\*\*bold/);
    expect(prose).not.toMatch(/(?<!\\)\[link/);
    expect(prose).toContain('&lt;img src=x onerror=alert(1)&gt; \\*\\*bold\\*\\* \\[link\\](http://x) \\`code\\`');
    // Code cells keep their text, fenced past the backtick inside, the pipe escaped.
    expect(out).toContain('| ``p95<100ms`\\|<b>`` |');
  });
});

describe('junit.xml', () => {
  test('one suite for global thresholds plus one per scenario; counts match the testcases', () => {
    const xml = renderJunit(buildReportModel({ summary: summary(SLAS) }));
    const root = parseXml(xml);
    expect(root.name).toBe('testsuites');
    const suites = root.children.filter((c) => c.name === 'testsuite');
    expect(suites.map((s) => s.attrs.name)).toEqual(['thresholds', 'scenario: steady']);
    let total = 0;
    let failures = 0;
    for (const s of suites) {
      const cases = s.children.filter((c) => c.name === 'testcase');
      const failed = cases.filter((c) => c.children.some((x) => x.name === 'failure'));
      expect(Number(s.attrs.tests)).toBe(cases.length);
      expect(Number(s.attrs.failures)).toBe(failed.length);
      expect(s.children.map((c) => c.name).filter((n) => n !== 'testcase')).toEqual(['properties', 'system-out', 'system-err']);
      total += cases.length;
      failures += failed.length;
    }
    expect(Number(root.attrs.tests)).toBe(total);
    expect(Number(root.attrs.failures)).toBe(failures);
    const global = suites[0].children.filter((c) => c.name === 'testcase');
    // The run, the iterations, 5 global thresholds, 1 check from root_group (no aggregate given: checks are not per scenario).
    expect(global.map((c) => c.attrs.name)).toEqual([
      'run: exit code 99',
      'iterations: 3 of 10 threw',
      'http_reqs: rate>10000/s',
      'http_req_failed: rate<0.05%',
      'http_req_duration: p95<100ms',
      'http_req_duration: p99<250ms',
      'checks: rate==1',
      `check: ${EVIL.replace('\u0001', '')}`,
    ]);
    const f = (c: XmlElement) => c.children.find((x) => x.name === 'failure')?.attrs.message;
    const out = (c: XmlElement) => c.children.find((x) => x.name === 'system-out')?.text;
    // Exit 99 is the thresholds' failure: their cases fail, the run's does not add one.
    expect(f(global[0])).toBeUndefined();
    expect(out(global[0])).toBe('FAILED — 4 of 6 thresholds failed; 3 of 10 iterations threw');
    expect(f(global[1]), 'iterations that threw fail only through a threshold').toBeUndefined();
    expect(out(global[1])).toBe(`3 of 10 iterations threw\n×3 ${EVIL.replace('\u0001', '')}`);
    expect(f(global[2])).toBe('http_reqs rate>10000/s failed: actual rate=450/s');
    expect(f(global[6])).toBe('checks rate==1 failed: no data (the metric received no samples)');
    expect(f(global[5])).toBeUndefined();
    expect(f(global[7]), 'a failing check is no failure by itself').toBeUndefined();
    expect(out(global[7])).toBe('1 of 2 checks failed (50% passed); a threshold on checks decides whether that fails the run');
    expect(suites[1].children.filter((c) => c.name === 'testcase').map((c) => c.attrs.name)).toEqual(['http_req_duration{scenario:steady}: p95<5ms']);
  });

  test('checks go to the suite of the scenario that ran them', () => {
    const reg = new MetricRegistry();
    const store = new WorkerMetricStore(reg);
    store.add('checks', 1, { scenario: 'steady', check: 'ok' });
    store.add('checks', 0, { scenario: 'steady', check: 'ok' });
    store.add('checks', 1, { check: 'in setup' });
    const agg = new MetricAggregate((n) => reg.get(n));
    agg.merge(0, store.snapshot());
    const root = parseXml(renderJunit(buildReportModel({ summary: summary([]), aggregate: agg })));
    const [global, steady] = root.children;
    expect(global.children.filter((c) => c.name === 'testcase').map((c) => c.attrs.name)).toEqual(['run: exit code 0', 'iterations: 3 of 10 threw', 'check: in setup']);
    const cases = steady.children.filter((c) => c.name === 'testcase');
    expect(cases.map((c) => c.attrs.name)).toEqual(['check: ok']);
    // Exit code 0: no failure anywhere, though a check failed once.
    expect(steady.attrs.failures).toBe('0');
    expect(root.attrs.failures).toBe('0');
  });
});

describe('junit.xml and the exit code agree in every combination', () => {
  // Ground truth: exitCodeOf (the code CI reads), over every kind of outcome; a failing check is
  // never a failure by itself.
  const outcomes = [
    { name: 'clean', o: {} },
    { name: 'thresholds failed', o: { thresholdsFailed: true } },
    { name: 'stopped from outside', o: { aborted: 'SIGINT' } },
    { name: 'stopped, thresholds failed', o: { aborted: 'SIGINT', thresholdsFailed: true } },
    { name: 'a worker failed', o: { workerFailure: new Error('x') } },
    { name: 'teardown() threw', o: { requestedExit: 107 as const } },
    { name: 'abortOnFail', o: { aborted: 'threshold', requestedExit: 108 as const, thresholdsFailed: true } },
  ];
  test.each(outcomes.flatMap(({ name, o }) => [true, false].map((checksFail) => ({ name, o, checksFail }))))('$name, checks failing: $checksFail', ({ o, checksFail }) => {
    const outcome = { thresholdsFailed: false, workerFailure: undefined, requestedExit: undefined, aborted: null, ...o };
    const exitCode = exitCodeOf(outcome);
    const s = summary(outcome.thresholdsFailed ? [th('http_reqs', 'count>10', false, 1)] : [th('http_reqs', 'count>0', true, 1)]);
    s.mcprun.exitCode = exitCode;
    s.mcprun.aborted = outcome.aborted;
    s.root_group.checks = [{ name: 'ok', path: '::ok', id: 'c', passes: 1, fails: checksFail ? 1 : 0 }];
    const root = parseXml(renderJunit(buildReportModel({ summary: s })));
    expect(Number(root.attrs.failures) > 0, `exit ${exitCode}, failures="${root.attrs.failures}"`).toBe(exitCode !== 0);
  });
});

describe('report.html', () => {
  test('untrusted text is escaped; the data block cannot close its script element', () => {
    const ts = new TimeSeries({ intervalMs: 1000, metric: (n) => new MetricRegistry().get(n) });
    const html = renderHtmlReport(buildReportModel({ summary: summary(SLAS), columns: ts.columns() }));
    const scripts = html.match(/<script\b/g)!.length;
    expect(scripts, 'data + uPlot + page script').toBe(3);
    expect(html.match(/<\/script>/g)!.length).toBe(3);
    expect(html).not.toContain('<script>alert(1)');
    expect(html).toContain('&lt;/script&gt;&lt;script&gt;alert(1)');
  });

  test('threshold rows carry metric, expression and verdict for tools and tests', () => {
    const html = renderHtmlReport(buildReportModel({ summary: summary(SLAS) }), null);
    const top = html.slice(html.indexOf('<section id="thresholds">'), html.indexOf('<section id="overview">'));
    const rows = [...top.matchAll(/<tr class="(ok|bad)" data-metric="([^"]*)" data-expression="([^"]*)" data-ok="(true|false)">/g)].map((m) => [m[2], m[3].replace('&lt;', '<').replace('&gt;', '>'), m[4]]);
    expect(rows).toEqual(SLAS.map((t) => [t.metric, t.expression, String(t.ok)]));
    expect(html).toContain('Charts are missing');
  });

  test('uPlot is read from node_modules and inlined', () => {
    const a = loadUplot();
    expect(a?.js).toMatch(/uPlot/);
    expect(a!.js.length).toBeGreaterThan(20_000);
    expect(a?.css).toContain('.uplot');
  });
});

describe('faults (options.faults)', () => {
  const fault = (name: string, state: 'recovered' | 'not-recovered', timeMs: number | null) => ({
    name,
    kind: 'kill',
    target: 'app',
    state: 'acted' as const,
    startMs: 3000,
    endMs: 5000,
    start: '2026-01-02T03:04:08.678Z',
    end: '2026-01-02T03:04:10.678Z',
    requests: 100,
    failed: 97,
    recovery: { state, timeMs, failed: 'rate<=0.1%', latency: null, forMs: 3000, baseline: { requests: 150, failureRate: 0, p95: 1 } },
  });
  const withFaults = (): SummaryData => {
    const s = summary([th('recovery_time', 'max<2s', false, 1200), th('recovery_time{fault:crash}', 'p95<3s', true, 1200)]);
    s.mcprun.faults = [fault('crash', 'recovered', 1200), fault('hang', 'not-recovered', null)];
    return s;
  };

  test('report.md: a row per fault, with the PASS/FAIL of the recovery_time thresholds that match it', () => {
    const md = renderMarkdownReport(buildReportModel({ summary: withFaults() }));
    expect(md).toContain('| crash | kill | app | 3s | 5s | 100 | 97 | recovered in 1.2s | FAIL 1/2 |');
    expect(md).toContain('| hang | kill | app | 3s | 5s | 100 | 97 | NOT recovered | FAIL 1/1 |');
  });

  test('report.html: a fault table, and each window handed to the charts for shading', () => {
    const html = renderHtmlReport(buildReportModel({ summary: withFaults() }), loadUplot());
    expect(html).toContain('<section id="faults">');
    expect(html).toContain('"faults":[{"name":"crash","start":3,"end":5},{"name":"hang","start":3,"end":5}]');
  });

  test('the text summary: one FAULTS line each, the recovery or its absence', async () => {
    const { textSummary } = await import('../../../runtime/output/text-summary.js');
    const text = textSummary(withFaults(), { enableColors: false });
    expect(text).toMatch(/FAULTS\n\n\s+crash {2}kill of app {2}3s → 5s {2}100 requests, 97 failed {2}recovered in 1.2s\n\s+hang {2}kill of app {2}3s → 5s {2}100 requests, 97 failed {2}NOT recovered before the run ended/);
  });
});
