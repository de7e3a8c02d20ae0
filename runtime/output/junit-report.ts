/**
 * JUnit XML (`--junit FILE`, junit.xml in the report folder) in the structure of the common JUnit
 * XSD: one <testsuite> per scenario and one for the global thresholds; a <testcase> per threshold
 * (failure message: the expression and the actual value) and per check.
 */
import { hostname } from 'node:os';
import { formatPercent } from './format.js';
import type { ReportCheck, ReportModel, ReportThreshold } from './report-model.js';

export function xmlEscape(s: string): string {
  // Characters XML 1.0 cannot carry at all are dropped.
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

interface Case {
  name: string;
  classname: string;
  time: number;
  failure?: { message: string; type: string; text: string };
}

interface Suite {
  name: string;
  time: number;
  cases: Case[];
}

function thresholdCase(t: ReportThreshold, classname: string): Case {
  const c: Case = { name: `${t.metric}: ${t.expression}`, classname, time: 0 };
  if (!t.ok) {
    const message = `${t.metric} ${t.expression} failed: ${t.noData ? 'no data (the metric received no samples)' : `actual ${t.actualText}`}`;
    c.failure = { message, type: 'threshold', text: `${message}${t.abortOnFail ? ' (abortOnFail)' : ''}` };
  }
  return c;
}

function checkCase(ch: ReportCheck, classname: string): Case {
  const path = ch.group.split('::').filter(Boolean).join(' › ');
  const name = `check: ${path ? `${path} › ` : ''}${ch.name}`;
  const c: Case = { name, classname, time: 0 };
  if (ch.fails) {
    const total = ch.passes + ch.fails;
    const message = `${ch.fails} of ${total} checks failed (${formatPercent(ch.passes / total)} passed)`;
    c.failure = { message, type: 'check', text: message };
  }
  return c;
}

export function renderJunit(model: ReportModel): string {
  const { summary, meta } = model;
  const suites: Suite[] = [];
  const scenarioNames = new Set(summary.mcprun.scenarios.map((s) => s.name));
  const global: Suite = { name: 'thresholds', time: meta.durationMs / 1000, cases: [] };
  for (const t of model.thresholds) if (!t.scenario || !scenarioNames.has(t.scenario)) global.cases.push(thresholdCase(t, 'mcprun.thresholds'));
  for (const ch of model.checks) if (!ch.scenario || !scenarioNames.has(ch.scenario)) global.cases.push(checkCase(ch, 'mcprun.checks'));
  for (const s of summary.mcprun.scenarios) {
    const cls = `mcprun.scenario.${s.name}`;
    const suite: Suite = { name: `scenario: ${s.name}`, time: s.durationMs / 1000, cases: [] };
    for (const t of model.thresholds) if (t.scenario === s.name) suite.cases.push(thresholdCase(t, cls));
    for (const ch of model.checks) if (ch.scenario === s.name) suite.cases.push(checkCase(ch, cls));
    suites.push(suite);
  }
  suites.unshift(global);

  const ts = meta.startedAt.replace(/\.\d+Z$/, '').replace(/Z$/, '');
  const host = xmlEscape(hostname() || 'localhost');
  const total = suites.reduce((a, s) => a + s.cases.length, 0);
  const failures = suites.reduce((a, s) => a + s.cases.filter((c) => c.failure).length, 0);
  const lines: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  lines.push(`<testsuites name="mcprun ${xmlEscape(meta.scriptName)}" tests="${total}" failures="${failures}" errors="0" time="${(meta.durationMs / 1000).toFixed(3)}">`);
  suites.forEach((s, id) => {
    const f = s.cases.filter((c) => c.failure).length;
    lines.push(
      `  <testsuite name="${xmlEscape(s.name)}" tests="${s.cases.length}" failures="${f}" errors="0" skipped="0" time="${s.time.toFixed(3)}" timestamp="${xmlEscape(ts)}" hostname="${host}" id="${id}" package="mcprun">`,
    );
    lines.push('    <properties>');
    lines.push(`      <property name="script" value="${xmlEscape(meta.script)}"/>`);
    lines.push(`      <property name="mcprun.version" value="${xmlEscape(meta.version)}"/>`);
    lines.push('    </properties>');
    for (const c of s.cases) {
      const open = `    <testcase name="${xmlEscape(c.name)}" classname="${xmlEscape(c.classname)}" time="${c.time.toFixed(3)}"`;
      if (!c.failure) {
        lines.push(`${open}/>`);
        continue;
      }
      lines.push(`${open}>`);
      lines.push(`      <failure message="${xmlEscape(c.failure.message)}" type="${xmlEscape(c.failure.type)}">${xmlEscape(c.failure.text)}</failure>`);
      lines.push('    </testcase>');
    }
    lines.push('    <system-out/>');
    lines.push('    <system-err/>');
    lines.push('  </testsuite>');
  });
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}
