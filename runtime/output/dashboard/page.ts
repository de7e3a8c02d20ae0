/**
 * The dashboard page: report.html's sections, charts and script (html-report.ts, reused as they
 * are) under a control bar, refreshed from /api/events once a second. Everything is inlined or
 * served by mcprun (uPlot from node_modules), so the page works with no network.
 */
import { MISSING_UPLOT, pageHead, REPORT_CLIENT_JS, REPORT_CSS, reportBody, reportData, scriptJson, scriptText, type UplotAssets } from '../html-report.js';
import type { ReportModel } from '../report-model.js';

/** One message of the event stream: what the page shows now. */
export interface DashboardUpdate {
  title: string;
  /** The report's sections, as report.html has them. */
  body: string;
  data: ReturnType<typeof reportData>;
  status: unknown;
  /** The run is over: the body is the final summary (the same as report.html's). */
  final: boolean;
}

export function dashboardUpdate(model: ReportModel, status: unknown, final: boolean): DashboardUpdate {
  // While it runs the verdict is only what the thresholds say so far: said as such.
  const shown = final ? model : { ...model, meta: { ...model.meta, verdict: 'RUNNING' as const, verdictText: soFar(model.meta.verdict, model.meta.verdictText) } };
  return { title: `mcprun ${shown.meta.verdict} — ${model.meta.scriptName}`, body: reportBody(shown), data: reportData(shown), status, final };
}

const SO_FAR: Record<string, string> = { PASSED: 'passing', FAILED: 'failing', ABORTED: 'stopping', COMPLETED: 'no thresholds' };

/** "so far: failing — 1 of 2 thresholds failed", "so far: no thresholds". */
function soFar(verdict: string, text: string): string {
  const word = SO_FAR[verdict] ?? verdict;
  return `so far: ${word}${text && text !== 'no thresholds' ? ` — ${text}` : ''}`;
}

export function renderDashboardPage(first: DashboardUpdate, assets: UplotAssets | null): string {
  return `${pageHead(first.title, REPORT_CSS + DASHBOARD_CSS, assets)}
<body>
<main>
${assets ? '' : MISSING_UPLOT}
<div class="dash" id="dash">
<div class="dash-row"><strong>mcprun dashboard</strong><span class="state" id="dash-state" data-state="starting">connecting</span><span id="dash-elapsed" class="muted"></span>
<span class="buttons"><button type="button" id="btn-pause">Pause</button><button type="button" id="btn-resume">Resume</button><button type="button" id="btn-stop">Stop</button></span>
<span id="dash-msg" class="muted" role="status"></span></div>
<table class="data" id="steer"><thead><tr><th>scenario</th><th>executor</th><th>state</th><th class="n">now</th><th>rescale</th></tr></thead><tbody></tbody></table>
</div>
<div id="report">${first.body}</div>
</main>
<script type="application/json" id="mcprun-data">${scriptJson(first.data)}</script>
<script type="application/json" id="mcprun-status">${scriptJson(first.status)}</script>
${assets ? `<script>${scriptText(assets.js)}</script>` : ''}
<script>${scriptText(REPORT_CLIENT_JS)}</script>
<script>${scriptText(DASHBOARD_JS)}</script>
</body>
</html>
`;
}

const DASHBOARD_CSS = `
.dash{position:sticky;top:0;z-index:5;background:var(--bg);border-bottom:1px solid var(--border);padding:8px 0 4px;margin-bottom:8px}
.dash-row{display:flex;gap:12px;align-items:center;flex-wrap:wrap}
.dash .state{font-weight:700;padding:2px 8px;border-radius:6px;border:2px solid currentColor;text-transform:uppercase;font-size:12px;letter-spacing:.05em}
.dash .state[data-state=running]{color:var(--ok)}.dash .state[data-state=paused]{color:var(--warn)}
.dash .state[data-state=stopping],.dash .state[data-state=finished]{color:var(--muted)}
.dash button{font:inherit;padding:3px 12px;border-radius:6px;border:1px solid var(--border);background:var(--card);color:var(--fg);cursor:pointer}
.dash button:disabled{opacity:.45;cursor:default}
.dash .buttons{display:flex;gap:6px}
#steer{margin:6px 0 0}#steer input{width:7em;font:inherit;padding:2px 4px;background:var(--card);color:var(--fg);border:1px solid var(--border);border-radius:4px}
`;

/** The page's live part: the event stream, the control bar, the rescale inputs (kept while the sections refresh). */
const DASHBOARD_JS = String.raw`(function () {
  'use strict';
  var updates = 0;
  var root = document.documentElement;
  function $(id) { return document.getElementById(id); }
  function fmtT(ms) {
    var s = Math.max(0, Math.round(ms / 1000)), m = Math.floor(s / 60), x = s % 60;
    return m + ':' + (x < 10 ? '0' : '') + x;
  }
  function say(text) { $('dash-msg').textContent = text; }
  function call(method, path, body) {
    return fetch(path, { method: method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body || {}) })
      .then(function (r) { return r.json().catch(function () { return { message: 'HTTP ' + r.status }; }); })
      .then(function (j) { say(j.message || ''); })
      .catch(function (e) { say(String(e)); });
  }
  $('btn-pause').onclick = function () { call('POST', '/api/pause'); };
  $('btn-resume').onclick = function () { call('POST', '/api/resume'); };
  $('btn-stop').onclick = function () { if (confirm('Stop the run? In-flight iterations get their gracefulStop.')) call('POST', '/api/stop'); };
  function row(sc) {
    var id = 'steer-' + encodeURIComponent(sc.name).replace(/%/g, '_');
    var tr = $(id);
    if (tr) return tr;
    tr = document.createElement('tr');
    tr.id = id;
    tr.setAttribute('data-scenario', sc.name);
    ['name', 'executor', 'state', 'value', 'set'].forEach(function (k) { var td = document.createElement('td'); td.className = 'c-' + k + (k === 'value' ? ' n' : ''); tr.appendChild(td); });
    tr.querySelector('.c-name').textContent = sc.name;
    tr.querySelector('.c-executor').textContent = sc.executor;
    if (sc.steer) {
      var input = document.createElement('input');
      input.type = 'number'; input.min = sc.steer === 'vus' ? '0' : '0.001'; input.step = sc.steer === 'vus' ? '1' : 'any';
      input.placeholder = sc.steer === 'vus' ? 'VUs' : 'rate';
      var b = document.createElement('button');
      b.type = 'button'; b.textContent = 'Set';
      b.onclick = function () {
        var v = Number(input.value), body = {};
        body[sc.steer] = v;
        call('PATCH', '/api/scenarios/' + encodeURIComponent(sc.name), body);
      };
      tr.querySelector('.c-set').appendChild(input);
      tr.querySelector('.c-set').appendChild(b);
    } else tr.querySelector('.c-set').textContent = '-';
    document.querySelector('#steer tbody').appendChild(tr);
    return tr;
  }
  function status(s, final) {
    var state = final ? 'finished' : s.state;
    var el = $('dash-state');
    el.textContent = state; el.setAttribute('data-state', state);
    root.setAttribute('data-state', state);
    $('dash-elapsed').textContent = fmtT(s.elapsedMs) + (s.pausedMs ? ' (paused ' + fmtT(s.pausedMs) + ')' : '');
    var live = state === 'running' || state === 'paused' || state === 'starting';
    $('btn-pause').disabled = !live || state === 'paused';
    $('btn-resume').disabled = state !== 'paused';
    $('btn-stop').disabled = !live;
    (s.scenarios || []).forEach(function (sc) {
      var tr = row(sc);
      tr.querySelector('.c-state').textContent = sc.state;
      var unit = sc.steer === 'vus' ? ' VUs' : sc.steer === 'rate' ? ' / ' + (sc.timeUnitMs / 1000) + 's' : '';
      tr.querySelector('.c-value').textContent = sc.value == null ? '-' : sc.value + unit + (sc.rescaled ? ' (rescaled)' : '');
      tr.querySelectorAll('input,button').forEach(function (x) { x.disabled = !live || sc.state !== 'running'; });
    });
  }
  function apply(m) {
    var y = window.scrollY;
    $('report').innerHTML = m.body;
    if (window.mcprunReport) window.mcprunReport.update(m.data);
    window.scrollTo(0, y);
    document.title = m.title;
    status(m.status, m.final);
    root.setAttribute('data-updates', String(++updates));
    if (m.final) { root.setAttribute('data-final', 'true'); es.close(); }
  }
  status(JSON.parse($('mcprun-status').textContent), false);
  var es = new EventSource('/api/events');
  es.onmessage = function (ev) { apply(JSON.parse(ev.data)); };
  es.onerror = function () { if (root.getAttribute('data-final') !== 'true') say('connection to mcprun lost; retrying'); };
})();`;
