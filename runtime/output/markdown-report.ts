/**
 * report.md: the stress-plan report people paste into tickets. The SLA table says PASS only when
 * the threshold really holds (the evaluator's exact verdict; "no data" is a FAIL).
 */
import { isSutMetric } from '../metrics/sut-catalogue.js';
import { formatBytes, formatCount, formatMs, formatPercent, formatValue } from './format.js';
import { capacityRows } from './capacity-render.js';
import { coverageLine, coverageRows } from './coverage-render.js';
import { cellsOf, compareHeadline, shownRows } from './compare/render.js';
import type { McpCallFigures, ReportModel } from './report-model.js';

/**
 * Text from the run (file name, scenario, check, group and tool names, error messages, warnings)
 * as Markdown shows it and nothing more: GitHub renders HTML in .md files, so markup, Markdown
 * syntax and control bytes (NUL, ESC) are escaped or dropped rather than passed through.
 */
export function mdText(s: string): string {
  return stripControls(s)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]~|]/g, (c) => `\\${c}`);
}

/** A table cell: also newlines would break the row. */
export function mdCell(s: string | Code): string {
  if (typeof s !== 'string') return codeSpan(s.code);
  return mdText(s).replace(/\r?\n/g, ' ');
}

/** A cell shown as code: the fence is longer than any run of backticks inside, pipes are escaped (GFM tables). */
interface Code {
  code: string;
}

const code = (c: string): Code => ({ code: c });

function codeSpan(s: string): string {
  const text = stripControls(s).replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${text.startsWith('`') || text.endsWith('`') ? ` ${text} ` : text}${fence}`;
}

function stripControls(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '');
}

function row(cells: Array<string | Code>): string {
  return `| ${cells.map(mdCell).join(' | ')} |`;
}

function table(header: string[], rows: Array<Array<string | Code>>, align?: Array<'l' | 'r'>): string[] {
  const sep = header.map((_, i) => (align?.[i] === 'r' ? '---:' : '---'));
  return [row(header), `| ${sep.join(' | ')} |`, ...rows.map(row)];
}

export function renderMarkdownReport(model: ReportModel): string {
  const { meta, summary } = model;
  const out: string[] = [];
  out.push(`# mcprun report: ${mdText(meta.scriptName)}`, '');
  out.push(`**Result: ${mdText(meta.verdict)}** — ${mdText(meta.verdictText)}`, '');
  out.push(
    `Ran ${formatMs(meta.durationMs)} on ${meta.workers} worker${meta.workers === 1 ? '' : 's'}, started ${meta.startedAt} · mcprun ${meta.version} · Node.js ${meta.node} · ${meta.cpus} CPUs · exit code ${meta.exitCode}`,
    '',
  );

  out.push('## SLA compliance', '');
  if (model.thresholds.length) {
    out.push(
      ...table(
        ['SLA', 'Target', 'Actual', 'Status'],
        model.thresholds.map((t) => [code(t.metric), code(t.expression), t.actualText, t.ok && !t.noData ? 'PASS' : t.noData ? 'FAIL (no data)' : 'FAIL']),
      ),
      '',
    );
  } else {
    out.push('No thresholds were defined: nothing was judged.', '');
  }

  out.push(...phaseLines(summary.mcprun.scenarios), ...faultLines(model), ...sutLines(model), ...mcpMethodLines(model), ...mcpToolLines(model), ...checkLines(model), ...coverageLines(model), ...capacityLines(model), ...baselineLines(model));

  out.push('## Top errors', '');
  if (model.topErrors.length) {
    out.push(...table(['Source', 'Error', 'Count'], model.topErrors.map((e) => [e.source, e.message, String(e.count)]), ['l', 'l', 'r']), '');
  } else {
    out.push('No errors.', '');
  }

  if (summary.mcprun.warnings.length) {
    out.push('## Warnings', '', ...summary.mcprun.warnings.map((w) => `- ${mdText(w).replace(/\r?\n/g, ' ')}`), '');
  }
  return `${out.join('\n').trimEnd()}\n`;
}

/** MCP coverage: what was called and what never was. */
function coverageLines(model: ReportModel): string[] {
  const c = model.summary.mcprun.coverage;
  if (!c) return [];
  return [
    '## MCP coverage',
    '',
    mdText(coverageLine(c)),
    '',
    ...table(['Kind', 'Name', 'Calls', 'isError', 'Other failures', 'Note'], coverageRows(c).map((r) => [r.kind, code(r.name), r.calls, r.isError, r.failed, r.note]), ['l', 'l', 'r', 'r', 'r', 'l']),
    '',
  ];
}

/** Each capacity search: the conclusion and its steps. */
function capacityLines(model: ReportModel): string[] {
  const out: string[] = [];
  for (const c of model.summary.mcprun.capacity ?? []) {
    out.push(`## Capacity: ${mdText(c.search)}`, '', `**${mdText(c.conclusion)}**`, '');
    out.push(...table(['Step', 'Rate', 'Achieved', 'Start lag p95', 'Dropped', 'Verdict', 'Why'], capacityRows(c).map((r) => [r.step, r.rate, r.achieved, r.lag, r.dropped, r.verdict, r.why]), ['l', 'r', 'r', 'r', 'r', 'l', 'l']), '');
  }
  return out;
}

/** `--baseline`: the rules and the changes beyond the noise. */
function baselineLines(model: ReportModel): string[] {
  const c = model.summary.mcprun.comparison;
  if (!c) return [];
  const rows = shownRows(c).map(cellsOf);
  return [
    '## Baseline comparison',
    '',
    mdText(compareHeadline(c)),
    '',
    ...(rows.length ? [...table(['Figure', 'Baseline', 'This run', 'Change', 'Verdict', 'Rule'], rows.map((r) => [code(r.figure), r.baseline, r.current, r.change, r.verdict, r.rule ? code(r.rule) : '']), ['l', 'r', 'r', 'r', 'l', 'l']), ''] : []),
    'Percentiles are exact, from both runs\' HDR histograms; "within noise" means the two runs\' own confidence intervals overlap.',
    '',
  ];
}

/** Each phase on one row: what ran, for how long, and its figures (with the server's memory per connection when sampled). */
function phaseLines(scenarios: ReportModel['summary']['mcprun']['scenarios']): string[] {
  if (!scenarios.length) return [];
  const sut = scenarios.some((s) => s.sutMemoryPerConnection !== undefined);
  return [
    '## Phases',
    '',
    ...table(
      ['Phase', 'Executor', 'Duration', 'Iterations', 'Requests', 'req/s', 'p50', 'p95', 'p99', 'Errors', ...(sut ? ['SUT memory/conn'] : []), 'SLAs'],
      scenarios.map((s) => {
        const bad = s.thresholds.filter((t) => !t.ok).length;
        const perConnection = s.sutMemoryPerConnection == null ? '-' : formatBytes(s.sutMemoryPerConnection);
        return [
          s.name,
          s.executor,
          formatMs(s.durationMs),
          `${s.iterations}${s.droppedIterations ? ` (${s.droppedIterations} dropped)` : ''}`,
          String(s.httpReqs + s.mcpReqs),
          formatCount(Number(s.httpReqRate.toFixed(1))),
          s.p50 === null ? '-' : formatMs(s.p50),
          s.p95 === null ? '-' : formatMs(s.p95),
          s.p99 === null ? '-' : formatMs(s.p99),
          s.errorRate === null ? '-' : formatPercent(s.errorRate),
          ...(sut ? [perConnection] : []),
          s.thresholds.length ? (bad ? `FAIL ${bad}/${s.thresholds.length}` : `PASS ${s.thresholds.length}`) : '-',
        ];
      }),
      ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', ...(sut ? ['r' as const] : []), 'l'],
    ),
    '',
  ];
}

/** options.faults: one row per fault, when it acted, what it did to the requests, the recovery and its SLAs. */
function faultLines(model: ReportModel): string[] {
  if (!model.faults.length) return [];
  const secs = (v: number | null) => (v === null ? '-' : formatMs(v * 1000));
  return [
    '## Faults',
    '',
    ...table(
      ['Fault', 'Kind', 'Target', 'From', 'To', 'Requests', 'Failed', 'Recovery', 'SLAs'],
      model.faults.map((f) => {
        const bad = f.thresholds.filter((t) => !t.ok).length;
        const recovery = f.recovery === 'recovered' ? `recovered in ${formatMs(f.recoveryMs ?? 0)}` : f.recovery === 'not-recovered' ? 'NOT recovered' : f.start === null ? 'never acted' : '-';
        return [
          f.name,
          f.kind,
          f.target,
          secs(f.start),
          secs(f.end),
          String(f.requests),
          String(f.failed),
          recovery,
          f.thresholds.length ? (bad ? `FAIL ${bad}/${f.thresholds.length}` : `PASS ${f.thresholds.length}`) : '-',
        ];
      }),
      ['l', 'l', 'l', 'r', 'r', 'r', 'r', 'l', 'l'],
    ),
    '',
    'From and To are times since the run started. Recovery: from the end of the fault to the start of the first 1 s window of a healthy stretch (docs/faults.md).',
    '',
  ];
}

/** The system under test: what was sampled, one row per sut_* metric, and each plateau measured. */
function sutLines(model: ReportModel): string[] {
  const sut = model.summary.mcprun.sut;
  if (!sut) return [];
  const metrics = Object.entries(model.summary.metrics).filter(([name]) => isSutMetric(name) && !name.includes('{'));
  const cell = (v: number | undefined, m: (typeof metrics)[number][1]) => (v === undefined ? '-' : formatValue(v, m));
  const out = ['## System under test', '', `Sampled: ${sut.sources.join('; ')}.`, ''];
  out.push(
    ...table(
      ['Metric', 'avg / value', 'min', 'max', 'p95'],
      metrics.map(([name, m]) => [code(name), cell(m.values.avg ?? m.values.value, m), cell(m.values.min, m), cell(m.values.max, m), cell(m.values['p(95)'], m)]),
      ['l', 'r', 'r', 'r', 'r'],
    ),
    '',
  );
  if (sut.plateaus.length) {
    out.push(
      ...table(
        ['Plateau at', 'Connections (before the load)', 'RSS (before the load)', 'Memory per connection'],
        sut.plateaus.map((p) => [p.at, `${p.connections} (${p.baselineConnections})`, `${formatBytes(p.rss)} (${formatBytes(p.baselineRss)})`, formatBytes(p.perConnection)]),
        ['l', 'r', 'r', 'r'],
      ),
      '',
    );
  }
  return out;
}

/** The MCP handshake and every method: calls, failures, latency. */
function mcpMethodLines(model: ReportModel): string[] {
  const label = (m: string) => (m === 'handshake' ? 'handshake (initialize + initialized)' : code(m));
  return mcpCallTable('MCP requests', 'Method', model.mcpMethods.map((r) => [label(r.method), r]));
}

function mcpToolLines(model: ReportModel): string[] {
  return mcpCallTable('MCP tools', 'Tool', model.mcpTools.map((r) => [r.tool, r]));
}

/** The MCP requests and MCP tools tables: a label, then calls, failures and latency percentiles. */
function mcpCallTable(title: string, first: string, rows: [string | Code, McpCallFigures][]): string[] {
  if (!rows.length) return [];
  const ms = (x: number | null) => (x === null ? '-' : formatMs(x));
  return [
    `## ${title}`,
    '',
    ...table(
      [first, 'Calls', 'Failed', 'Failure rate', 'p50', 'p95', 'p99'],
      rows.map(([label, t]) => [label, String(t.calls), String(t.failures), t.failureRate === null ? '-' : formatPercent(t.failureRate), ms(t.p50), ms(t.p95), ms(t.p99)]),
      ['l', 'r', 'r', 'r', 'r', 'r', 'r'],
    ),
    '',
  ];
}

function checkLines(model: ReportModel): string[] {
  if (!model.checks.length) return ['## Checks', '', 'No checks.', ''];
  const multi = model.summary.mcprun.scenarios.length > 1;
  return [
    '## Checks',
    '',
    ...table(
      [...(multi ? ['Scenario'] : []), 'Check', 'Passed', 'Failed', 'Pass rate', 'Status'],
      model.checks.map((c) => {
        const total = c.passes + c.fails;
        const path = c.group.split('::').filter(Boolean).join(' › ');
        return [...(multi ? [c.scenario ?? '-'] : []), `${path ? `${path} › ` : ''}${c.name}`, String(c.passes), String(c.fails), total ? formatPercent(c.passes / total) : '-', c.fails ? 'FAIL' : 'PASS'];
      }),
    ),
    '',
  ];
}
