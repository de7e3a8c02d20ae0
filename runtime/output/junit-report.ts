/**
 * JUnit XML (`--junit FILE`, junit.xml in the report folder) in the structure of the common JUnit
 * XSD: one <testsuite> per scenario and one for the global thresholds; a <testcase> per threshold
 * (failure message: the expression and the actual value), per check, for the iterations and for
 * the run. The file tells CI what the exit code tells it: it has a failure if and only if the exit
 * code is not 0. A threshold fails its case; a check never fails by itself (its counts are in the
 * case's <system-out>; a threshold on `checks` is what makes failing checks fail the run), nor do
 * iterations that threw (how many, in <system-out>); the `run` case fails for any exit code other
 * than 0 and 99 (a stop from outside, a lost worker, setup() or teardown() threw), with the verdict.
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
  /** What the case saw, for people reading the CI page; never a failure by itself. */
  out?: string;
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
  const total = ch.passes + ch.fails;
  const out = ch.fails ? `${ch.fails} of ${total} checks failed (${formatPercent(ch.passes / total)} passed); a threshold on checks decides whether that fails the run` : `all ${total} passed`;
  return { name, classname, time: 0, out };
}

/** How many iterations ran and threw, with the errors (they fail the run only through a threshold on iteration_errors). */
function iterationsCase(model: ReportModel): Case {
  const m = model.summary.mcprun;
  const it = m.iterations ?? { count: 0, threw: 0 };
  const lines = [it.threw ? `${it.threw} of ${it.count} iterations threw` : `${it.count} iterations, none threw`];
  for (const e of m.errors) lines.push(`×${e.count} ${e.message}`);
  return { name: `iterations: ${it.threw} of ${it.count} threw`, classname: 'mcprun.iterations', time: 0, out: lines.join('\n') };
}

/** The run as a whole: fails for the exit codes no threshold case explains (not 0, not 99). */
function runCase(model: ReportModel): Case {
  const { exitCode, verdict, verdictText, durationMs } = model.meta;
  const c: Case = { name: `run: exit code ${exitCode}`, classname: 'mcprun.run', time: durationMs / 1000, out: `${verdict} — ${verdictText}` };
  if (exitCode !== 0 && exitCode !== 99) {
    const message = `exit code ${exitCode}: ${verdict} — ${verdictText}`;
    c.failure = { message, type: 'exit-code', text: message };
  }
  return c;
}

export function renderJunit(model: ReportModel): string {
  const { summary, meta } = model;
  const suites: Suite[] = [];
  const scenarioNames = new Set(summary.mcprun.scenarios.map((s) => s.name));
  const global: Suite = { name: 'thresholds', time: meta.durationMs / 1000, cases: [runCase(model), iterationsCase(model)] };
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
    for (const c of s.cases) lines.push(...caseLines(c));
    lines.push('    <system-out/>');
    lines.push('    <system-err/>');
    lines.push('  </testsuite>');
  });
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}

function caseLines(c: Case): string[] {
  const open = `    <testcase name="${xmlEscape(c.name)}" classname="${xmlEscape(c.classname)}" time="${c.time.toFixed(3)}"`;
  if (!c.failure && c.out === undefined) return [`${open}/>`];
  const lines = [`${open}>`];
  if (c.failure) lines.push(`      <failure message="${xmlEscape(c.failure.message)}" type="${xmlEscape(c.failure.type)}">${xmlEscape(c.failure.text)}</failure>`);
  if (c.out !== undefined) lines.push(`      <system-out>${xmlEscape(c.out)}</system-out>`);
  lines.push('    </testcase>');
  return lines;
}
