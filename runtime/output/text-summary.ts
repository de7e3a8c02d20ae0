/**
 * The end-of-test summary printed on stdout: thresholds first (✓/✗ with the value that decided
 * each), then the per-scenario table when there are phases, then checks and metrics.
 * Exported as `textSummary` for handleSummary() users, as in k6.
 */
import { controlLines } from './control-log.js';
import { Chalk } from 'chalk';
import { capacityText } from './capacity-render.js';
import { coverageText } from './coverage-render.js';
import { compareText } from './compare/render.js';
import type { FaultSummary, ScenarioSummary, SummaryData, SummaryGroup, SummaryMetric, ThresholdSummary } from './summary-data.js';
import { formatBytes, formatCount, formatMs, formatPercent, formatValue } from './format.js';
import { verdictLine, verdictOf } from './verdict.js';

export interface TextSummaryOptions {
  enableColors?: boolean;
  indent?: string;
}

export function textSummary(data: SummaryData, opts: TextSummaryOptions = {}): string {
  const c = new Chalk({ level: opts.enableColors ? 1 : 0 });
  const ind = opts.indent ?? '  ';
  const out: string[] = [];
  const ths = data.mcprun?.thresholds ?? [];

  if (ths.length) {
    out.push(`${ind}${c.bold('THRESHOLDS')}`, '');
    const byMetric = new Map<string, ThresholdSummary[]>();
    for (const t of ths) byMetric.set(t.metric, [...(byMetric.get(t.metric) ?? []), t]);
    for (const [metric, list] of byMetric) {
      out.push(`${ind}${ind}${metric}`);
      for (const t of list) {
        const mark = t.ok ? c.green('✓') : c.red('✗');
        const actual = t.noData ? c.yellow('no data') : describeActual(t, data.metrics);
        out.push(`${ind}${ind}${mark} '${t.expression}' ${actual}`);
      }
      out.push('');
    }
  }

  const scenarios = data.mcprun?.scenarios ?? [];
  if (scenarios.length > 1) {
    out.push(`${ind}${c.bold('SCENARIOS')} (in start order)`, '');
    out.push(...scenarioTable(scenarios, ind + ind, c));
    out.push('');
  }

  const faults = data.mcprun?.faults ?? [];
  if (faults.length) {
    out.push(`${ind}${c.bold('FAULTS')}`, '');
    for (const f of faults) out.push(`${ind}${ind}${faultLine(f, c)}`);
    out.push('');
  }

  const checks = collectChecks(data.root_group);
  if (checks.length) {
    const passes = checks.reduce((a, x) => a + x.passes, 0);
    const total = checks.reduce((a, x) => a + x.passes + x.fails, 0);
    out.push(`${ind}${c.bold('CHECKS')} ${formatPercent(total ? passes / total : 0)} — ${passes} ✓ ${total - passes} ✗`, '');
    for (const ch of checks) {
      const mark = ch.fails === 0 ? c.green('✓') : c.red('✗');
      const path = ch.path.split('::').filter(Boolean).slice(0, -1).join(' › ');
      out.push(`${ind}${ind}${mark} ${path ? `${path} › ` : ''}${ch.name}${ch.fails ? c.red(`  ↳ ${formatPercent(ch.passes / (ch.passes + ch.fails))} — ✓ ${ch.passes} / ✗ ${ch.fails}`) : ''}`);
    }
    out.push('');
  }

  const names = Object.keys(data.metrics).filter((n) => !n.includes('{'));
  if (names.length) {
    out.push(`${ind}${c.bold('METRICS')}`, '');
    const width = Math.max(...names.map((n) => n.length)) + 3;
    for (const name of names.sort()) {
      const m = data.metrics[name];
      out.push(`${ind}${ind}${name}${c.gray('.'.repeat(Math.max(2, width - name.length)))}: ${metricLine(m, c, data.options?.summaryTrendStats ?? DEFAULT_STATS)}`);
    }
    out.push('');
  }

  const errs = data.mcprun?.errors ?? [];
  if (errs.length) {
    out.push(`${ind}${c.bold('ITERATION ERRORS')}`, '');
    for (const e of errs) out.push(`${ind}${ind}${c.red(`×${e.count}`)} ${e.message}`);
    out.push('');
  }
  const control = data.mcprun?.control ?? [];
  if (control.length) {
    out.push(`${ind}${c.bold('CONTROL')} (the run was steered while it ran)`, '');
    for (const line of controlLines(control)) out.push(`${ind}${ind}${line}`);
    out.push('');
  }
  for (const w of data.mcprun?.warnings ?? []) out.push(`${ind}${c.yellow('WARN')} ${w}`);
  if (data.mcprun?.warnings?.length) out.push('');
  out.push(...extraSections(data, ind, c));

  const dur = formatMs(data.state.testRunDurationMs);
  out.push(`${ind}${c.bold('RESULT')} ${coloredVerdict(data, c)} — ran ${dur}${data.mcprun ? ` on ${data.mcprun.workers} worker${data.mcprun.workers === 1 ? '' : 's'}` : ''}`);
  return out.join('\n') + '\n';
}

/** Sections that only some runs have: the comparison with a baseline. */
function extraSections(data: SummaryData, ind: string, c: InstanceType<typeof Chalk>): string[] {
  const out: string[] = [];
  const cov = data.mcprun?.coverage;
  if (cov) out.push(`${ind}${c.bold('MCP COVERAGE')}`, '', ...coverageText(cov, ind + ind), '');
  for (const cap of data.mcprun?.capacity ?? []) out.push(`${ind}${c.bold('CAPACITY')}`, '', ...capacityText(cap, ind + ind), '');
  const cmp = data.mcprun?.comparison;
  if (cmp) out.push(`${ind}${c.bold('BASELINE')}`, '', ...compareText(cmp).trimEnd().split('\n').map((l) => (l ? `${ind}${ind}${l}` : l)), '');
  return out;
}

/** "crash  kill of app  3s → 5s  100 requests, 98 failed  recovered in 1.02s". */
function faultLine(f: FaultSummary, c: InstanceType<typeof Chalk>): string {
  const head = `${f.name}  ${f.kind} of ${f.target}`;
  if (f.startMs === null) return `${head}  ${c.gray('never acted')}`;
  const when = `${formatMs(f.startMs)} → ${f.endMs === null ? 'end' : formatMs(f.endMs)}`;
  const r = f.recovery;
  const rec = r.state === 'recovered' ? c.green(`recovered in ${formatMs(r.timeMs ?? 0)}`) : r.state === 'not-recovered' ? c.red('NOT recovered before the run ended') : '';
  return `${head}  ${when}  ${f.requests} requests, ${f.failed} failed  ${rec}`.trimEnd();
}

function coloredVerdict(data: SummaryData, c: InstanceType<typeof Chalk>): string {
  const v = verdictOf(data);
  const text = verdictLine(v);
  switch (v.kind) {
    case 'pass':
      // Green only when nothing threw: a PASS over iterations that threw is worth a second look.
      return data.mcprun?.iterations?.threw ? c.yellow(text) : c.green(text);
    case 'fail':
      return c.red(text);
    case 'aborted':
      return c.yellow(text);
    case 'none':
      return text;
  }
}

/** "p(95)=12.3ms", "rate=0.05%", "rate=450/s", "count=100". */
export function describeActual(t: ThresholdSummary, metrics: Record<string, SummaryMetric>): string {
  if (t.actual === null) return 'no data';
  const m = metrics[t.metric.replace(/\s+/g, '')] ?? metrics[t.metric.split('{')[0]];
  const agg = /^\s*(p\(\s*[\d.]+\s*\)|p[\d.]+|avg|min|max|med|count|rate|value)/.exec(t.expression)?.[1] ?? 'value';
  const label = agg.startsWith('p') && !agg.startsWith('p(') ? `p(${agg.slice(1)})` : agg.replace(/\s+/g, '');
  if (!m) return `${label}=${formatCount(t.actual)}`;
  if (m.type === 'rate') return `${label}=${formatPercent(t.actual)}`;
  if (m.type === 'counter' && label === 'rate') return `${label}=${formatCount(t.actual)}/s`;
  if (label === 'count') return `${label}=${formatCount(t.actual)}`;
  return `${label}=${formatValue(t.actual, m)}`;
}

const DEFAULT_STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'];

function metricLine(m: SummaryMetric, c: InstanceType<typeof Chalk>, trendStats: readonly string[]): string {
  const v = m.values;
  switch (m.type) {
    case 'counter':
      return `${m.contains === 'data' ? formatBytes(v.count) : formatCount(v.count)}  ${c.gray(`${m.contains === 'data' ? `${formatBytes(v.rate)}/s` : `${formatCount(v.rate)}/s`}`)}`;
    case 'gauge':
      return `${formatValue(v.value, m)}  ${c.gray(`min=${formatValue(v.min, m)} max=${formatValue(v.max, m)}`)}`;
    case 'rate':
      return `${formatPercent(v.rate)}  ${c.gray(`${v.passes} out of ${v.passes + v.fails}`)}`;
    case 'trend':
      return trendStats.map((k) => `${k}=${k === 'count' ? formatCount(v[k]) : formatValue(v[k], m)}`).join(' ');
  }
}

function scenarioTable(rows: ScenarioSummary[], ind: string, c: InstanceType<typeof Chalk>): string[] {
  const sut = rows.some((s) => s.sutMemoryPerConnection !== undefined);
  const header = ['scenario', 'duration', 'iterations', 'req/s', 'p50', 'p95', 'p99', 'errors', ...(sut ? ['SUT mem/conn'] : []), 'thresholds'];
  const body = rows.map((s) => [
    s.name,
    formatMs(s.durationMs),
    `${s.iterations}${s.droppedIterations ? ` (${s.droppedIterations} dropped)` : ''}${s.interruptedIterations ? ` (${s.interruptedIterations} interrupted)` : ''}`,
    formatCount(Number(s.httpReqRate.toFixed(1))),
    s.p50 === null ? '-' : formatMs(s.p50),
    s.p95 === null ? '-' : formatMs(s.p95),
    s.p99 === null ? '-' : formatMs(s.p99),
    s.errorRate === null ? '-' : formatPercent(s.errorRate),
    ...(sut ? [s.sutMemoryPerConnection == null ? '-' : formatBytes(s.sutMemoryPerConnection)] : []),
    s.thresholds.length ? (s.thresholds.every((t) => t.ok) ? `✓ ${s.thresholds.length}` : `✗ ${s.thresholds.filter((t) => !t.ok).length}/${s.thresholds.length}`) : '-',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (r: string[]) => ind + r.map((x, i) => x.padEnd(widths[i])).join('  ');
  return [c.gray(line(header)), ...body.map((r) => {
    const l = line(r);
    return r[r.length - 1].startsWith('✗') ? c.red(l) : l;
  })];
}

function collectChecks(g: SummaryGroup | undefined): SummaryGroup['checks'] {
  if (!g) return [];
  return [...g.checks, ...g.groups.flatMap(collectChecks)];
}
