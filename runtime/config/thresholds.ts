/**
 * `options.thresholds` and every scenario's `thresholds`, read once: each key and expression is
 * parsed and (with the run's metrics) validated here, and the run keeps the parsed entries. A
 * problem is a ConfigIssue with the option path, followed by the parser's or validator's own words
 * (they name the column).
 */
import type { ResolvedScenario } from '../executors/resolved.js';
import type { ConfigIssue } from '../executors/types.js';
import { describeValue as describe } from '../executors/option-readers.js';
import { McprunError, type McprunErrorCode } from '../errors.js';
import { durationExpectation, parseDuration, suggestDuration } from '../duration.js';
import {
  SUPPORTED_AGGREGATIONS,
  nearestName,
  parseMetricKey,
  parseThreshold,
  validateThreshold,
  type MetricKey,
  type ParsedThreshold,
  type ThresholdEntry,
  type ThresholdMetric,
} from '../thresholds/index.js';

/** The metrics thresholds may name (built-ins plus the scenario's custom metrics): checked before any load. */
export interface KnownMetrics {
  get(name: string): ThresholdMetric | undefined;
  all(): readonly ThresholdMetric[];
}

const FIELDS = ['threshold', 'abortOnFail', 'delayAbortEval'];

/** What the threshold checks found, beyond the issues themselves: the codes, to name the error by. */
export type ThresholdCodes = Set<McprunErrorCode>;

/**
 * Every threshold of the run, scenario-scoped ones rewritten to `metric{scenario:name}` and listed
 * after the global ones under the same key when both name it (the order of the summary).
 */
export function resolveThresholds(
  global: unknown,
  scenarios: readonly ResolvedScenario[],
  known: KnownMetrics | undefined,
  issues: ConfigIssue[],
  codes: ThresholdCodes,
): ThresholdEntry[] {
  const byKey = new Map<string, ThresholdEntry[]>();
  const add = (key: string, entries: ThresholdEntry[]) => byKey.set(key, [...(byKey.get(key) ?? []), ...entries]);
  const run: RunFacts = { known, scenarios: scenarios.map((s) => s.name) };
  for (const [key, list] of Object.entries(readThresholdMap(global, 'options.thresholds', issues))) {
    add(key, checkThresholds(key, key, list, 'options.thresholds', run, issues, codes));
  }
  for (const s of scenarios) {
    for (const [key, list] of Object.entries(s.thresholds)) {
      const scoped = scopeKey(key, s.name);
      add(scoped, checkThresholds(key, scoped, list, `scenarios.${s.name}.thresholds`, run, issues, codes));
    }
  }
  return [...byKey.values()].flat();
}

/** What a threshold is checked against besides its own text: the metrics and the scenarios of the run. */
interface RunFacts {
  known: KnownMetrics | undefined;
  scenarios: readonly string[];
}

/** A scenario's `thresholds` as written (checked later, with the global ones). */
export function readThresholdMap(v: unknown, path: string, issues: ConfigIssue[]): Record<string, unknown[]> {
  if (v === undefined) return {};
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    issues.push({ path, message: `must be an object of metric → list of thresholds, e.g. { http_req_duration: ['p95<100ms'] }, received ${describe(v)}` });
    return {};
  }
  const out: Record<string, unknown[]> = {};
  for (const [k, list] of Object.entries(v)) out[k] = Array.isArray(list) ? list : [list];
  return out;
}

function scopeKey(key: string, scenario: string): string {
  const brace = key.indexOf('{');
  if (brace < 0) return `${key}{scenario:${scenario}}`;
  const inner = key.slice(brace + 1, key.lastIndexOf('}')).trim();
  return `${key.slice(0, brace)}{${inner ? `${inner},` : ''}scenario:${scenario}}`;
}

/** `options.thresholds.http_reqs` or `options.thresholds["http_req_duration{status:200}"]`. */
function keyPath(path: string, key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

/** Records an error's code and words as an issue at `path`; anything but a McprunError is a bug and is rethrown. */
function failAt(path: string, err: unknown, issues: ConfigIssue[], codes: ThresholdCodes): void {
  if (!McprunError.is(err)) throw err;
  codes.add(err.code);
  issues.push({ path, message: `: ${err.message}` });
}

/**
 * Every threshold of one metric key as written at `path`: the key's syntax, each expression, the
 * object form's fields and, with `known`, the metric and the aggregation. The entries carry
 * `entryKey` (the scenario-scoped key for a scenario's thresholds).
 */
function checkThresholds(key: string, entryKey: string, list: unknown[], path: string, run: RunFacts, issues: ConfigIssue[], codes: ThresholdCodes): ThresholdEntry[] {
  const known = run.known;
  let metric: string;
  let filter: ThresholdEntry['filter'];
  try {
    const written = parseMetricKey(key);
    checkFilterCanMatch(key, written, run.scenarios);
    metric = written.metric;
    filter = parseMetricKey(entryKey).tags;
  } catch (err) {
    failAt(keyPath(path, key), err, issues, codes);
    return [];
  }
  if (list.length === 0) {
    codes.add('MCPRUN_THRESHOLD_SYNTAX');
    issues.push({ path: keyPath(path, key), message: `is an empty list, which judges nothing: write at least one threshold, e.g. ['p95<200ms'], or remove the key` });
    return [];
  }
  const entries: ThresholdEntry[] = [];
  list.forEach((item, i) => {
    const where = `${keyPath(path, key)}[${i}]`;
    const fields = readObjectForm(item, where, issues, codes);
    const parsed = parseOne(fields.source, item, key, metric, where, known, issues, codes);
    if (parsed) entries.push({ key: entryKey, metric, filter, source: parsed.source, parsed, abortOnFail: fields.abortOnFail, delayAbortEvalMs: fields.delayAbortEvalMs });
  });
  return entries;
}

/**
 * A filter on a tag whose values are known before the run must name one that exists: a scenario of
 * the run, a group path ("::a"). Otherwise it matches no sample and could only fail as "no data"
 * after the load was sent.
 */
function checkFilterCanMatch(key: string, written: MetricKey, scenarios: readonly string[]): void {
  const { scenario, group } = written.tags;
  const fail = (problem: string, fix: string): never => {
    throw new McprunError('MCPRUN_THRESHOLD_METRIC', `invalid metric key ${JSON.stringify(key)}: ${problem}, so the filter matches no sample; ${fix}`);
  };
  if (scenario !== undefined && !scenarios.includes(scenario)) {
    const near = nearestName(scenario, scenarios);
    fail(
      `no scenario is named ${JSON.stringify(scenario)} (the value at column ${written.valueColumns.scenario})`,
      `${near ? `did you mean "${near}"? The` : 'the'} scenarios are ${scenarios.map((n) => JSON.stringify(n)).join(', ')}`,
    );
  }
  if (group !== undefined && group !== '' && !group.startsWith('::')) {
    fail(`${JSON.stringify(group)} at column ${written.valueColumns.group} is not a group path (paths start with "::", as in k6)`, `write {group:::${group}}`);
  }
}

/** `'p95<100ms'` or `{ threshold, abortOnFail, delayAbortEval }`: the fields, with issues for bad ones. */
function readObjectForm(item: unknown, where: string, issues: ConfigIssue[], codes: ThresholdCodes): { source: unknown; abortOnFail: boolean; delayAbortEvalMs: number } {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return { source: item, abortOnFail: false, delayAbortEvalMs: 0 };
  const o = item as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (FIELDS.includes(k)) continue;
    const near = nearestName(k, FIELDS);
    codes.add('MCPRUN_CONFIG');
    issues.push({ path: `${where}.${k}`, message: `is not a threshold field${near ? `; did you mean "${near}"?` : '.'} Write { threshold: 'p95<100ms', abortOnFail: true, delayAbortEval: '10s' }.` });
  }
  if (o.abortOnFail !== undefined && typeof o.abortOnFail !== 'boolean') {
    codes.add('MCPRUN_CONFIG');
    issues.push({ path: `${where}.abortOnFail`, message: `must be true or false, received ${describe(o.abortOnFail)}` });
  }
  let delayAbortEvalMs = 0;
  if (o.delayAbortEval !== undefined) {
    try {
      delayAbortEvalMs = parseDuration(o.delayAbortEval as string, `${where}.delayAbortEval`);
    } catch {
      const fix = typeof o.delayAbortEval === 'string' ? suggestDuration(o.delayAbortEval) : undefined;
      codes.add('MCPRUN_CONFIG');
      issues.push({ path: `${where}.delayAbortEval`, message: `must be ${durationExpectation(true)}, received ${describe(o.delayAbortEval)}${fix ? `; did you mean "${fix}"?` : ''}` });
    }
  }
  return { source: o.threshold, abortOnFail: o.abortOnFail === true, delayAbortEvalMs };
}

/** The expression parsed and, with `known`, validated against its metric; undefined after an issue. */
function parseOne(source: unknown, item: unknown, key: string, metric: string, where: string, known: KnownMetrics | undefined, issues: ConfigIssue[], codes: ThresholdCodes): ParsedThreshold | undefined {
  if (typeof source !== 'string') {
    codes.add('MCPRUN_THRESHOLD_SYNTAX');
    const objectForm = typeof item === 'object' && item !== null && !Array.isArray(item);
    issues.push({
      path: objectForm ? `${where}.threshold` : where,
      message: objectForm && source === undefined
        ? `is required: write { threshold: 'p95<100ms' } (with abortOnFail and delayAbortEval if needed)`
        : `must be a string such as 'p95<100ms' or an object { threshold: 'p95<100ms', abortOnFail: true }, received ${describe(source)}`,
    });
    return undefined;
  }
  let parsed: ParsedThreshold;
  try {
    parsed = parseThreshold(source);
  } catch (err) {
    failAt(where, err, issues, codes);
    return undefined;
  }
  if (!known) return parsed;
  const def = known.get(metric);
  try {
    validateThreshold(key, parsed, def, known.all());
    return parsed;
  } catch (err) {
    // An aggregation the metric's type lacks: show the expression with one it has.
    const kinds = def ? SUPPORTED_AGGREGATIONS[def.type] : undefined;
    if (McprunError.is(err) && kinds && !kinds.includes(parsed.aggregation.kind)) {
      const agg = kinds[0] === 'percentile' ? 'p(95)' : kinds[0];
      codes.add(err.code);
      issues.push({ path: where, message: `: ${err.message}; write e.g. "${agg}${parsed.operator}${parsed.literal}"` });
      return undefined;
    }
    failAt(where, err, issues, codes);
    return undefined;
  }
}
