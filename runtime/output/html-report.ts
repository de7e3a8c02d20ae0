/**
 * report.html: one self-contained file. uPlot (from node_modules/uplot) and the report's data are
 * inlined, fonts are the system's, so opening it makes no network request: it can be attached to a
 * CI job or a ticket and opened years later. Verdicts first, then charts over time, then the
 * per-scenario (phase) sections, MCP tools, checks, errors and every metric. Dark and light mode
 * follow the viewer's system setting; the page prints on paper with charts resized to the page.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { formatBytes, formatCount, formatMs, formatPercent, formatValue } from './format.js';
import type { ChartSpec, ReportModel, ReportThreshold } from './report-model.js';
import { slug } from './report-model.js';
import type { ScenarioSummary, SummaryMetric } from './summary-data.js';

interface UplotAssets {
  js: string;
  css: string;
}

let uplotCache: UplotAssets | null | undefined;

/** uPlot's minified browser build and stylesheet, read from the installed package (null when missing). */
export function loadUplot(): UplotAssets | null {
  if (uplotCache !== undefined) return uplotCache;
  try {
    const req = createRequire(import.meta.url);
    const js = readFileSync(req.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8');
    const css = readFileSync(req.resolve('uplot/dist/uPlot.min.css'), 'utf8');
    uplotCache = { js, css };
  } catch {
    uplotCache = null;
  }
  return uplotCache;
}

export function esc(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** JSON inside <script>: nothing in it may close the element or start a comment. */
function scriptJson(v: unknown): string {
  return JSON.stringify(v).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** Inline script text must not contain "</script". */
function scriptText(s: string): string {
  return s.replace(/<\/(script)/gi, '<\\/$1');
}

export function renderHtmlReport(model: ReportModel, assets: UplotAssets | null = loadUplot()): string {
  const { meta, summary } = model;
  const charts: Record<string, ChartSpec> = {};
  for (const c of model.charts.overview) charts[c.id] = c;
  for (const list of Object.values(model.charts.byScenario)) for (const c of list) charts[c.id] = c;
  const data = { charts, phases: model.phases };
  const verdictClass = meta.verdict === 'PASSED' || meta.verdict === 'COMPLETED' ? 'ok' : meta.verdict === 'FAILED' ? 'bad' : 'warn';
  const started = new Date(meta.startedAt);
  const scenarios = summary.mcprun.scenarios;

  const body: string[] = [];
  body.push(`<header>
<div class="title"><h1>mcprun report <span class="file">${esc(meta.scriptName)}</span></h1>
<span class="verdict ${verdictClass}" id="verdict">${esc(meta.verdict)}</span></div>
<p class="verdict-text">${esc(meta.verdictText)}</p>
<dl class="meta">
${dl('Scenario file', meta.script)}
${dl('Started', `${started.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}`)}
${dl('Duration', formatMs(meta.durationMs))}
${dl('mcprun', meta.version)}
${dl('Node.js', meta.node)}
${dl('Host CPUs', String(meta.cpus))}
${dl('Workers', String(meta.workers))}
${dl('Exit code', String(meta.exitCode))}
${dl('Interval', formatMs(meta.intervalMs))}
${Object.keys(meta.env).length ? dl('-e', Object.entries(meta.env).map(([k, v]) => `${k}=${v}`).join(' ')) : ''}
</dl>
<nav>${['thresholds', 'overview', scenarios.length ? 'scenarios' : '', model.mcpTools.length ? 'mcp-tools' : '', 'checks', 'errors', 'metrics']
    .filter(Boolean)
    .map((id) => `<a href="#${id}">${esc(id.replace('-', ' '))}</a>`)
    .join(' · ')}</nav>
</header>`);

  body.push(`<section id="thresholds"><h2>Thresholds</h2>${thresholdTable(model.thresholds, true)}</section>`);

  body.push(`<section id="overview"><h2>Over time</h2>${
    model.charts.overview.length ? `<div class="charts">${model.charts.overview.map(chartDiv).join('\n')}</div>` : '<p class="muted">No time series was recorded (the run ended before the first interval).</p>'
  }</section>`);

  if (scenarios.length) {
    body.push(`<section id="scenarios"><h2>Scenarios</h2>${scenarioTable(scenarios)}`);
    for (const s of scenarios) {
      const own = model.thresholds.filter((t) => t.scenario === s.name);
      const list = model.charts.byScenario[s.name] ?? [];
      body.push(`<article class="scenario" id="scenario-${esc(slug(s.name))}">
<h3>${esc(s.name)} <span class="muted">${esc(s.executor)}</span></h3>
<p class="muted">${esc(s.description)}</p>
${scenarioFacts(s)}
${own.length ? `<h4>Thresholds of ${esc(s.name)}</h4>${thresholdTable(own, false)}` : ''}
${list.length ? `<div class="charts">${list.map(chartDiv).join('\n')}</div>` : scenarios.length === 1 ? '<p class="muted">The charts above are this scenario\'s.</p>' : ''}
</article>`);
    }
    body.push('</section>');
  }

  if (model.mcpTools.length) {
    body.push(`<section id="mcp-tools"><h2>MCP tools</h2><table class="data"><thead><tr><th>tool</th><th class="n">calls</th><th class="n">failed</th><th class="n">failure rate</th><th class="n">p50</th><th class="n">p95</th><th class="n">p99</th></tr></thead><tbody>${model.mcpTools
      .map(
        (t) =>
          `<tr><td>${esc(t.tool)}</td><td class="n">${t.calls}</td><td class="n">${t.failures}</td><td class="n${t.failures ? ' bad' : ''}">${t.failureRate === null ? '-' : esc(formatPercent(t.failureRate))}</td><td class="n">${ms(t.p50)}</td><td class="n">${ms(t.p95)}</td><td class="n">${ms(t.p99)}</td></tr>`,
      )
      .join('')}</tbody></table></section>`);
  }

  const multi = scenarios.length > 1;
  body.push(`<section id="checks"><h2>Checks</h2>${
    model.checks.length
      ? `<table class="data"><thead><tr><th></th>${multi ? '<th>scenario</th>' : ''}<th>check</th><th class="n">passed</th><th class="n">failed</th><th class="n">pass rate</th></tr></thead><tbody>${model.checks
          .map((c) => {
            const total = c.passes + c.fails;
            const path = c.group.split('::').filter(Boolean).join(' › ');
            return `<tr class="${c.fails ? 'bad' : ''}"><td>${c.fails ? '✗' : '✓'}</td>${multi ? `<td>${esc(c.scenario ?? '-')}</td>` : ''}<td>${path ? `<span class="muted">${esc(path)} › </span>` : ''}${esc(c.name)}</td><td class="n">${c.passes}</td><td class="n">${c.fails}</td><td class="n">${total ? esc(formatPercent(c.passes / total)) : '-'}</td></tr>`;
          })
          .join('')}</tbody></table>`
      : '<p class="muted">No checks.</p>'
  }</section>`);

  body.push(`<section id="errors"><h2>Top errors</h2>${
    model.topErrors.length
      ? `<table class="data"><thead><tr><th>source</th><th>error</th><th class="n">count</th></tr></thead><tbody>${model.topErrors.map((e) => `<tr><td>${esc(e.source)}</td><td class="wrap">${esc(e.message)}</td><td class="n">${e.count}</td></tr>`).join('')}</tbody></table>`
      : '<p class="muted">No errors.</p>'
  }${summary.mcprun.warnings.length ? `<h3>Warnings</h3><ul class="warnings">${summary.mcprun.warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul>` : ''}</section>`);

  body.push(`<section id="metrics"><h2>All metrics</h2>${metricsTable(summary.metrics)}</section>`);
  body.push(`<footer>Generated by mcprun ${esc(meta.version)}. The same figures, k6 handleSummary-compatible, are in summary.json.</footer>`);

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="generator" content="mcprun ${esc(meta.version)}">
<link rel="icon" href="data:,">
<title>mcprun ${esc(meta.verdict)} — ${esc(meta.scriptName)}</title>
<style>${assets?.css ?? ''}</style>
<style>${CSS}</style>
</head>
<body>
<main>
${assets ? '' : '<p class="notice">Charts are missing: the <code>uplot</code> package was not found when this report was written (npm install uplot).</p>'}
${body.join('\n')}
</main>
<script type="application/json" id="mcprun-data">${scriptJson(data)}</script>
${assets ? `<script>${scriptText(assets.js)}</script>` : ''}
<script>${scriptText(CLIENT_JS)}</script>
</body>
</html>
`;
}

function dl(k: string, v: string): string {
  return `<div><dt>${esc(k)}</dt><dd>${esc(v)}</dd></div>`;
}

function ms(v: number | null): string {
  return v === null ? '-' : esc(formatMs(v));
}

function chartDiv(c: ChartSpec): string {
  return `<figure class="chart" id="chart-${esc(c.id)}"><figcaption>${esc(c.title)}</figcaption><div class="plot" data-chart="${esc(c.id)}"></div></figure>`;
}

function thresholdTable(ths: ReportThreshold[], showEmpty: boolean): string {
  if (!ths.length) return showEmpty ? '<p class="muted">No thresholds were defined.</p>' : '';
  return `<table class="data thresholds"><thead><tr><th></th><th>metric</th><th>threshold</th><th>actual</th><th></th></tr></thead><tbody>${ths
    .map(
      (t) =>
        `<tr class="${t.ok ? 'ok' : 'bad'}" data-metric="${esc(t.metric)}" data-expression="${esc(t.expression)}" data-ok="${t.ok}"><td class="mark">${t.ok ? '✓' : '✗'}</td><td><code>${esc(t.metric)}</code></td><td><code>${esc(t.expression)}</code></td><td class="actual">${esc(t.actualText)}</td><td class="muted">${t.abortOnFail ? 'abortOnFail' : ''}</td></tr>`,
    )
    .join('')}</tbody></table>`;
}

function scenarioTable(rows: ScenarioSummary[]): string {
  return `<table class="data"><thead><tr><th>scenario</th><th>executor</th><th class="n">duration</th><th class="n">iterations</th><th class="n">requests</th><th class="n">req/s</th><th class="n">p50</th><th class="n">p95</th><th class="n">p99</th><th class="n">errors</th><th>thresholds</th></tr></thead><tbody>${rows
    .map((s) => {
      const bad = s.thresholds.filter((t) => !t.ok).length;
      return `<tr class="${bad ? 'bad' : ''}"><td><a href="#scenario-${esc(slug(s.name))}">${esc(s.name)}</a></td><td>${esc(s.executor)}</td><td class="n">${esc(formatMs(s.durationMs))}</td><td class="n">${s.iterations}${s.droppedIterations ? ` <span class="bad">(${s.droppedIterations} dropped)</span>` : ''}</td><td class="n">${s.httpReqs}</td><td class="n">${esc(formatCount(Number(s.httpReqRate.toFixed(1))))}</td><td class="n">${ms(s.p50)}</td><td class="n">${ms(s.p95)}</td><td class="n">${ms(s.p99)}</td><td class="n">${s.errorRate === null ? '-' : esc(formatPercent(s.errorRate))}</td><td>${s.thresholds.length ? (bad ? `✗ ${bad}/${s.thresholds.length}` : `✓ ${s.thresholds.length}`) : '-'}</td></tr>`;
    })
    .join('')}</tbody></table>`;
}

function scenarioFacts(s: ScenarioSummary): string {
  const facts: Array<[string, string]> = [
    ['duration', formatMs(s.durationMs)],
    ['iterations', `${s.iterations}`],
    ['dropped', `${s.droppedIterations}`],
    ['interrupted', `${s.interruptedIterations}`],
    ['HTTP requests', `${s.httpReqs}`],
    ['req/s', formatCount(Number(s.httpReqRate.toFixed(2)))],
    ['p50', s.p50 === null ? '-' : formatMs(s.p50)],
    ['p95', s.p95 === null ? '-' : formatMs(s.p95)],
    ['p99', s.p99 === null ? '-' : formatMs(s.p99)],
    ['error rate', s.errorRate === null ? '-' : formatPercent(s.errorRate)],
  ];
  return `<dl class="facts">${facts.map(([k, v]) => dl(k, v)).join('')}</dl>`;
}

function metricsTable(metrics: Record<string, SummaryMetric>): string {
  const names = Object.keys(metrics).sort();
  if (!names.length) return '<p class="muted">No metrics.</p>';
  return `<table class="data metrics"><thead><tr><th>metric</th><th>type</th><th>values</th></tr></thead><tbody>${names
    .map((n) => {
      const m = metrics[n];
      return `<tr><td><code>${esc(n)}</code></td><td>${esc(m.type)}</td><td class="wrap">${esc(metricValues(m))}</td></tr>`;
    })
    .join('')}</tbody></table>`;
}

export function metricValues(m: SummaryMetric): string {
  const v = m.values;
  switch (m.type) {
    case 'counter':
      return m.contains === 'data' ? `${formatBytes(v.count)} (${formatBytes(v.rate)}/s)` : `${formatCount(v.count)} (${formatCount(v.rate)}/s)`;
    case 'gauge':
      return `${formatCount(v.value)} (min ${formatCount(v.min)}, max ${formatCount(v.max)})`;
    case 'rate':
      return `${formatPercent(v.rate)} (${v.passes} of ${v.passes + v.fails})`;
    case 'trend':
      return ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'].map((k) => `${k}=${formatValue(v[k], m)}`).join('  ');
  }
}

const CSS = `
:root{--bg:#ffffff;--fg:#1d2433;--muted:#5b6477;--border:#d9dee7;--card:#f6f8fb;--ok:#17803d;--bad:#c62828;--warn:#a15c00;--grid:rgba(0,0,0,.08);
--c1:#2563eb;--c2:#d97706;--c3:#dc2626;--c4:#059669;--c5:#7c3aed;--c6:#db2777;--c7:#0891b2;--c8:#65a30d;color-scheme:light dark}
@media (prefers-color-scheme: dark){:root{--bg:#0f1420;--fg:#e3e7ef;--muted:#98a2b3;--border:#2b3344;--card:#171e2d;--ok:#4ade80;--bad:#f87171;--warn:#fbbf24;--grid:rgba(255,255,255,.09);
--c1:#60a5fa;--c2:#fbbf24;--c3:#f87171;--c4:#34d399;--c5:#a78bfa;--c6:#f472b6;--c7:#22d3ee;--c8:#a3e635}}
*{box-sizing:border-box}
html{background:var(--bg);color:var(--fg)}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;background:var(--bg);color:var(--fg)}
main{max-width:1280px;margin:0 auto;padding:24px}
h1{font-size:22px;margin:0}h1 .file{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-weight:600}
h2{font-size:18px;margin:32px 0 12px;padding-bottom:6px;border-bottom:1px solid var(--border)}
h3{font-size:16px;margin:20px 0 6px}h4{font-size:14px;margin:14px 0 6px}
a{color:var(--c1)}code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}
.title{display:flex;align-items:center;gap:14px;flex-wrap:wrap}
.verdict{font-weight:700;padding:3px 10px;border-radius:6px;border:2px solid currentColor;letter-spacing:.04em}
.verdict.ok,tr.ok .mark{color:var(--ok)}.verdict.bad,.bad,tr.bad .mark{color:var(--bad)}.verdict.warn{color:var(--warn)}
.verdict-text{margin:6px 0 12px;color:var(--muted)}
.muted{color:var(--muted);font-weight:normal}
dl.meta,dl.facts{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:6px 18px;margin:0 0 10px}
dl div{min-width:0}dt{color:var(--muted);font-size:12px}dd{margin:0;overflow-wrap:anywhere}
nav{margin-top:8px;font-size:13px}
table.data{border-collapse:collapse;width:100%;margin:6px 0 10px;font-variant-numeric:tabular-nums}
table.data th,table.data td{text-align:left;padding:5px 8px;border-bottom:1px solid var(--border);vertical-align:top}
table.data th{font-size:12px;color:var(--muted);font-weight:600}
table.data td.n,table.data th.n{text-align:right;white-space:nowrap}
table.data td.wrap{overflow-wrap:anywhere}
table.thresholds td.mark{font-weight:700;width:1.5em}
table.thresholds tr.bad td.actual{color:var(--bad);font-weight:600}
tr.bad td{color:var(--bad)}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(520px,1fr));gap:16px}
figure.chart{margin:0;padding:10px 10px 4px;background:var(--card);border:1px solid var(--border);border-radius:8px;min-width:0;break-inside:avoid}
figure.chart figcaption{font-weight:600;margin-bottom:4px}
.plot{width:100%;min-height:220px}
.uplot,.uplot *{color:var(--fg)}.u-legend{font-size:12px}
article.scenario{border-left:3px solid var(--border);padding-left:14px;margin:18px 0}
.notice{padding:8px 12px;border:1px solid var(--warn);color:var(--warn);border-radius:6px}
ul.warnings li{color:var(--warn)}
footer{margin:40px 0 10px;color:var(--muted);font-size:12px}
@media (max-width:700px){.charts{grid-template-columns:1fr}main{padding:12px}}
@media print{:root{--bg:#fff;--fg:#000;--muted:#444;--border:#bbb;--card:#fff;--grid:rgba(0,0,0,.12)}
main{max-width:none;padding:0}nav{display:none}.charts{grid-template-columns:1fr}
figure.chart,table.data tr,article.scenario{break-inside:avoid}h2{break-after:avoid}a{color:inherit;text-decoration:none}}
`;

/** The page's own script: builds one uPlot per `[data-chart]` from the inlined data. No network. */
const CLIENT_JS = String.raw`(function () {
  'use strict';
  var el = document.getElementById('mcprun-data');
  var data = JSON.parse(el.textContent);
  if (typeof uPlot === 'undefined') return;
  var plots = [];
  var printing = false;
  function cssVar(n) { return getComputedStyle(document.documentElement).getPropertyValue(n).trim(); }
  function pad(n) { return n < 10 ? '0' + n : String(n); }
  function fmtT(s) {
    if (s == null) return '-';
    var neg = s < 0; s = Math.abs(Math.round(s));
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), x = s % 60;
    return (neg ? '-' : '') + (h ? h + ':' + pad(m) : String(m)) + ':' + pad(x);
  }
  function num(v, d) { return String(Number(v.toFixed(d))); }
  function fmt(unit, v) {
    if (v == null || isNaN(v)) return '-';
    if (unit === 'ms') return v === 0 ? '0' : v < 1 ? num(v * 1000, 0) + 'µs' : v < 1000 ? num(v, v < 10 ? 2 : 1) + 'ms' : num(v / 1000, 2) + 's';
    if (unit === '%') return num(v, 2) + '%';
    if (unit === '/s') return num(v, v < 10 ? 2 : 1) + '/s';
    if (unit === 'bytes/s' || unit === 'bytes') {
      var u = ['B', 'kB', 'MB', 'GB'], i = 0;
      while (Math.abs(v) >= 1000 && i < u.length - 1) { v /= 1000; i++; }
      return num(v, 1) + ' ' + u[i] + (unit === 'bytes' ? '' : '/s');
    }
    return num(v, 2);
  }
  function phaseMarkers(u) {
    var ctx = u.ctx, b = u.bbox, phases = data.phases || [];
    var min = u.scales.x.min, max = u.scales.x.max;
    ctx.save();
    ctx.strokeStyle = cssVar('--muted');
    ctx.fillStyle = cssVar('--muted');
    ctx.setLineDash([4, 4]);
    ctx.lineWidth = 1;
    ctx.font = (11 * devicePixelRatio) + 'px system-ui, sans-serif';
    var rows = []; // right end of the last label in each text row: labels of close phases stack
    for (var i = 0; i < phases.length; i++) {
      var p = phases[i];
      if (phases.length < 2 || p.start < min || p.start > max) continue;
      var x = Math.round(u.valToPos(p.start, 'x', true));
      ctx.beginPath(); ctx.moveTo(x, b.top); ctx.lineTo(x, b.top + b.height); ctx.stroke();
      var w = ctx.measureText(p.name).width, r = 0;
      while (rows[r] !== undefined && rows[r] > x) r++;
      rows[r] = x + w + 8 * devicePixelRatio;
      ctx.fillText(p.name, x + 4 * devicePixelRatio, b.top + (12 + 13 * r) * devicePixelRatio);
    }
    ctx.restore();
  }
  function build() {
    plots.forEach(function (p) { p.u.destroy(); });
    plots = [];
    var fg = cssVar('--fg'), grid = cssVar('--grid');
    var colors = ['--c1', '--c2', '--c3', '--c4', '--c5', '--c6', '--c7', '--c8'].map(cssVar);
    var nodes = document.querySelectorAll('[data-chart]');
    for (var i = 0; i < nodes.length; i++) {
      var node = nodes[i];
      var spec = data.charts[node.getAttribute('data-chart')];
      if (!spec) continue;
      (function (node, spec) {
        var series = [{ label: 'time', value: function (u, v) { return fmtT(v); } }];
        spec.series.forEach(function (s, j) {
          series.push({ label: s.label, stroke: colors[j % colors.length], width: 1.5, points: { show: spec.x.length < 40 }, value: function (u, v) { return fmt(spec.unit, v); } });
        });
        var axis = { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
        var opts = {
          width: width(node),
          height: 220,
          scales: { x: { time: false, range: function (u, lo, hi) { return [spec.xMin != null ? Math.min(spec.xMin, lo) : lo, hi > lo ? hi : lo + 1]; } }, y: { range: function (u, lo, hi) { return [Math.min(0, lo), hi > 0 ? hi * 1.08 : 1]; } } },
          series: series,
          axes: [
            Object.assign({}, axis, { incrs: [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400], values: function (u, vals) { return vals.map(fmtT); } }),
            Object.assign({}, axis, { size: 64, values: function (u, vals) { return vals.map(function (v) { return fmt(spec.unit, v); }); } }),
          ],
          hooks: { draw: [phaseMarkers] },
          legend: { live: true },
          cursor: { drag: { x: true, y: false } },
        };
        var u = new uPlot(opts, [spec.x].concat(spec.series.map(function (s) { return s.values; })), node);
        plots.push({ u: u, node: node });
      })(node, spec);
    }
  }
  function width(node) { return printing ? 680 : Math.max(280, Math.floor(node.clientWidth || 560)); }
  function resize() { plots.forEach(function (p) { p.u.setSize({ width: width(p.node), height: 220 }); }); }
  build();
  var t;
  window.addEventListener('resize', function () { clearTimeout(t); t = setTimeout(resize, 100); });
  window.addEventListener('beforeprint', function () { printing = true; resize(); });
  window.addEventListener('afterprint', function () { printing = false; resize(); });
  if (window.matchMedia) {
    var mq = window.matchMedia('(prefers-color-scheme: dark)');
    if (mq.addEventListener) mq.addEventListener('change', build);
  }
  document.documentElement.setAttribute('data-charts', String(plots.length));
})();`;
